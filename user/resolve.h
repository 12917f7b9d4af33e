/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Turn what the policy file says into what the programs compare: overflow
 * ids read from sysctl, executables as (s_dev, inode), cgroups as ids. The
 * kernel side never sees a path.
 */
#ifndef UG_RESOLVE_H
#define UG_RESOLVE_H

#include "policy.h"

struct ug_kernel_policy {
	struct ug_policy policy; /* everything but the slot-specific parts */
	struct ug_exempt_key *keys;
	struct ug_exempt_value *values;
	size_t n_exempt;
	struct ug_mark_key *mark_keys;
	struct ug_mark *marks;
	struct ug_where *mark_where; /* of each mark: its file (the source's) and line */
	size_t n_marks;
	/* Directories above marks (UG_MARK_ANCESTOR), and the line of a mark below each. */
	struct ug_mark_key *ancestor_keys;
	__u32 *ancestor_lines;
	size_t n_ancestors;
	/* Cgroup exemptions and scopes by path, present or not (cgroup_names.bpf.h). */
	struct ug_cgroup_name_key *name_keys;
	struct ug_cgroup_name_value *name_values;
	size_t n_names;
	/* The files merged, for status (generation set when installed). */
	struct ug_policy_files files;
};

/* Paths the resolver reads; tests point them elsewhere. */
struct ug_system {
	const char *overflowuid;  /* /proc/sys/kernel/overflowuid */
	const char *overflowgid;
	const char *cgroup_root;  /* cgroup2 mount */
	const char *passwd;
	const char *group;
	const char *subuid;       /* NULL: /etc/subuid (pool marks of a user's subids) */
	const char *subgid;
};

extern const struct ug_system ug_host_system;

int ug_policy_resolve(const struct ug_policy_src *src, const struct ug_system *sys,
		      struct ug_kernel_policy *out, char *err, size_t errlen);
void ug_kernel_policy_free(struct ug_kernel_policy *kp);

/* Warn about marks whose shiftable-by ranges overlap: two tenants, one range. */
void ug_warn_overlapping_marks(const struct ug_policy_src *src);

/* Warn when an overflow id is also a named account: then it is ambiguous. */
void ug_warn_named_overflow_ids(const struct ug_system *sys, const struct ug_policy *policy);

/* userspace st_dev -> the kernel's s_dev (MAJOR << 20 | MINOR). */
__u64 ug_kernel_dev(unsigned long long st_dev);

#endif
