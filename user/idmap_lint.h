/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The idmap lint behind `usernsguard scan`: given the user namespaces that
 * are alive (their maps in host ids), the subordinate id allocations and
 * the overflow ids, find what an administrator should fix. Pure: no /proc,
 * no files, no BPF. userns_scan.c fills the input, scan_format.c prints.
 */
#ifndef UG_IDMAP_LINT_H
#define UG_IDMAP_LINT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "idmap_file.h"
#include "subid.h"

/* Processes named per namespace in the report (all are counted). */
#define UG_SCAN_MAX_TASKS 4
/* The kernel nests user namespaces at most 32 deep. */
#define UG_SCAN_MAX_DEPTH 33

enum ug_id_type {
	UG_UID = 0,
	UG_GID = 1,
};

struct ug_scan_task {
	pid_t pid;
	char comm[17];
};

struct ug_scan_ns {
	__u64 ino;
	bool initial;
	__u32 owner_uid; /* UG_INVALID_ID: unknown */
	__u32 owner_gid; /* the owner's primary group (passwd); UG_INVALID_ID: unknown */
	/* Parent first, up to the initial namespace; only if ancestors_known. */
	bool ancestors_known;
	__u32 n_ancestors;
	__u64 ancestors[UG_SCAN_MAX_DEPTH];
	/*
	 * [UG_UID], [UG_GID]. Read from the initial namespace, lower ids are
	 * host ids at every nesting depth: the kernel prints a map's lower
	 * ids in the reader's namespace, not the parent's.
	 */
	bool have_map[2];
	struct ug_idmap map[2];
	__u32 n_tasks;
	struct ug_scan_task tasks[UG_SCAN_MAX_TASKS];
};

struct ug_subid_list {
	const char *path;
	struct ug_subid *v;
	size_t n;
};

struct ug_scan_input {
	struct ug_scan_ns *ns;
	size_t n_ns;
	struct ug_subid_list subid[2]; /* /etc/subuid, /etc/subgid */
	__u32 overflow[2];             /* kernel.overflowuid, overflowgid */
};

enum ug_problem_kind {
	UG_PROBLEM_NS_OVERLAP,
	UG_PROBLEM_SUBID_OVERLAP,
	UG_PROBLEM_SUBID_ALLOCATION_OVERLAP,
	UG_PROBLEM_RANGE_REACHES_MAX,
	UG_PROBLEM_MAPS_HOST_ROOT,
	UG_PROBLEM_MAPS_OVERFLOW_ID,
};

struct ug_problem {
	enum ug_problem_kind kind;
	enum ug_id_type type;
	__u64 first; /* the host ids concerned: [first, first + count) */
	__u64 count;
	size_t n_ns; /* namespaces involved: indexes into the input */
	size_t ns[2];
	size_t n_subid; /* allocations involved: indexes into subid[type] */
	size_t subid[2];
	char message[320];
};

struct ug_scan_report {
	struct ug_problem *problems;
	size_t n;
};

/* Run every check. 0 or -ENOMEM. Order: by kind, then by input order. */
int ug_idmap_lint(const struct ug_scan_input *in, struct ug_scan_report *out);
void ug_scan_report_free(struct ug_scan_report *report);

/* What `scan` exits with: 0 (UG_EXIT_OK) when clean, 1 (UG_EXIT_INVALID) otherwise. */
int ug_scan_exit_code(const struct ug_scan_report *report);

const char *ug_problem_kind_name(enum ug_problem_kind kind);
const char *ug_id_type_name(enum ug_id_type type);

/* Host uid of the namespace's root (its uid 0), UG_INVALID_ID if unmapped. */
__u32 ug_scan_ns_root(const struct ug_scan_ns *ns);

/* @a is an ancestor of @b (both known). */
bool ug_scan_ns_is_ancestor(const struct ug_scan_ns *a, const struct ug_scan_ns *b);

#endif
