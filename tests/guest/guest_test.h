/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A very small test framework for programs that run as root inside the
 * test guest. Static, no dependencies; each program ends with the line
 * "N passed, N failed" that the guest init and CI both read.
 */
#ifndef UG_GUEST_TEST_H
#define UG_GUEST_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* How a child operation ended. */
struct outcome {
	bool killed; /* by a signal */
	int sig;
	int err; /* errno of the operation, 0 on success */
};

void expect(bool ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void expect_outcome(const char *name, struct outcome got, struct outcome want);
int summary(void);

#define OK ((struct outcome){ .err = 0 })
#define ERR(e) ((struct outcome){ .err = (e) })
#define KILLED ((struct outcome){ .killed = true, .sig = 9 })

/* Run @fn in a forked child; its return value is the errno it reports. */
struct outcome in_child(int (*fn)(void *), void *arg);

/* Run a shell command; returns its exit status (128+N for signal N). */
int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, capturing stdout+stderr into @out. */
int sh_capture(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void write_file(const char *path, const char *text);

/* Write @text to /proc/@pid/@file; 0 or -1. */
int write_proc(pid_t pid, const char *file, const char *text);

/* Run @fn in a child inside a fresh user namespace with these maps. */
struct outcome in_userns(const char *uid_map, const char *gid_map, int (*fn)(void *), void *arg);

/* Load the policy text through the real CLI; returns its exit status. */
int load_policy(const char *text);

/* Every rule off, no runtime marks, no unread events; programs loaded stay loaded. */
void rules_off(void);

/* The "programs:" part of `usernsguard status` (hooks, program and link ids). */
void status_links(char *out, size_t len);

/* Counter of a rule from `usernsguard status`: "denied" or "audited". */
long long rule_counter(const char *rule, const char *which);

/*
 * open_tree(OPEN_TREE_CLONE) of @src, idmapped with @map for uids and gids
 * ("UIDMAP|GIDMAP" for two different maps)
 * (read-only if @rdonly), not attached. The tree fd, or -errno.
 */
int idmapped_tree(const char *src, const char *map, bool rdonly);
/* move_mount() the tree to @dst. 0 or errno. */
int attach_tree(int tree, const char *dst);

#endif
