/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The policy file and its drop-ins: parsed into ug_policy_src (what the
 * files say, with file names and line numbers), then resolved against the
 * running system into the kernel form. The grammar is documented in
 * usernsguard.conf(5).
 */
#ifndef UG_POLICY_H
#define UG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "usernsguard.h"

#define UG_POLICY_MAX_BYTES (1u << 20)
#define UG_POLICY_MAX_LINE 4096
#define UG_ERR_MAX 512

/* Where a directive came from, for messages. */
struct ug_where {
	const char *file; /* the ug_policy_src's files[].path it is in */
	unsigned int line;
	unsigned int col;
};

struct ug_rule_src {
	bool named;       /* the file has a `rule` line for it */
	bool enabled;
	int mode;         /* enum ug_mode, or -1: the global mode */
	int on_deny;      /* enum ug_on_deny, or -1: the default */
	__u32 rate_limit; /* events per second per source, 0: no limit */
	struct ug_where where;
};

/* An `exempt` or `scope` line: which tasks a rule skips or covers. */
struct ug_exempt_src {
	enum ug_rule rule;
	enum ug_match_kind kind;
	char *path;            /* exec and cgroup kinds */
	__u32 id;              /* UG_SCOPE_OWNER */
	struct ug_where where; /* of the path or id word */
};

/* A `mark` line (rule 3). */
struct ug_mark_src {
	char *path;
	__u32 shiftable_by; /* the root, or a pool's first id */
	__u32 origin;
	__u32 range;
	bool ro;
	/* A pool of roots: shiftable_by + k*block, k*block + range <= pool_size. */
	bool pool;
	__u32 pool_size;
	__u32 block;
	char *pool_user; /* "subids USER": the pool is resolved at load */
	struct ug_where where; /* of the path word */
};

/* One file the policy was merged from. */
struct ug_src_file {
	char *path; /* as given: named in messages, listed by status */
	__u8 sha256[32];
};

struct ug_policy_src {
	char *name; /* the main file's name, files[0].path */
	struct ug_src_file *files; /* in merge order; owned, never moved */
	size_t n_files;
	enum ug_mode mode;
	struct ug_where mode_where;
	bool overflow_auto;
	__u32 overflow_uid;
	__u32 overflow_gid;
	struct ug_where overflow_where;
	struct ug_rule_src rules[UG_RULE_COUNT];
	struct ug_exempt_src *exempt;
	size_t n_exempt;
	struct ug_mark_src *marks;
	size_t n_marks;
	bool shift_default_allow;
	struct ug_where shift_default_where;
	/*
	 * One file: its SHA-256. More: the SHA-256 of what `sha256sum` prints
	 * for them in merge order ("<64 hex>  <path>\n" a file), so that
	 * `sha256sum FILE... | sha256sum` gives it.
	 */
	__u8 sha256[32];
};

/* A policy file's bytes, to parse under the name @path. */
struct ug_policy_text {
	const char *path;
	const char *text;
	size_t len;
};

/*
 * Parse @n files (at most UG_POLICY_FILES_MAX) in order as one policy: the
 * parser's state carries over, so a directive that may appear once is a
 * duplicate in a later file too, and the message names both files. 0, or
 * -EINVAL (-ENOMEM) with @err set.
 */
int ug_policy_parse_files(const struct ug_policy_text *files, size_t n,
			  struct ug_policy_src *out, char *err, size_t errlen);

/* Parse @text (of @len bytes) named @name: one file, no drop-ins. */
int ug_policy_parse(const char *name, const char *text, size_t len, struct ug_policy_src *out,
		    char *err, size_t errlen);
void ug_policy_free(struct ug_policy_src *policy);

/*
 * How a message at @at names the earlier @first: "line N" when both are
 * in one file, "FILE:N" when not. Returns @buf.
 */
const char *ug_where_ref(const struct ug_where *first, const struct ug_where *at, char *buf,
			 size_t len);

const char *ug_rule_name(enum ug_rule rule);
const char *ug_mode_name(enum ug_mode mode);

/* The mode a rule runs in: off, or its own mode, or the global mode. */
enum ug_mode ug_rule_mode(const struct ug_policy_src *policy, enum ug_rule rule);
enum ug_on_deny ug_rule_on_deny(const struct ug_policy_src *policy, enum ug_rule rule);

#endif
