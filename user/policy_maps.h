/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writing a policy into the pinned maps. The inactive slot is filled
 * completely, then one store flips ug_state.active_slot, then the loader
 * waits for an RCU grace period so that no program can still be reading
 * the old slot when the next load starts rewriting it.
 */
#ifndef UG_POLICY_MAPS_H
#define UG_POLICY_MAPS_H

#include "resolve.h"

struct ug_map_fds {
	int policy;
	int state;
	int exempt;
	int counters;
	int marks;
	int names; /* ug_cgroup_names; -1 under programs of a version without it */
	int files; /* ug_policy_files; -1 likewise (status then lists no files) */
};

/* Open the pinned maps; 0 or -errno (-ENOENT: not loaded). */
/* The map pinned as @name under UG_PIN_DIR: an fd, or -errno. */
int ug_open_pinned(const char *name);
int ug_maps_open_pinned(struct ug_map_fds *fds);
void ug_maps_close(struct ug_map_fds *fds);

int ug_policy_install(const struct ug_map_fds *fds, const struct ug_kernel_policy *kp,
		      const char *source);

/* The policy in force; 0 or -errno. */
/*
 * Make policy slot @slot the one in force and wait until no program still
 * decides by the other. 0 or -errno.
 */
int ug_policy_activate(const struct ug_map_fds *fds, __u32 slot);

int ug_policy_current(const struct ug_map_fds *fds, struct ug_policy *out, __u32 *slot);

/*
 * The marks of policy slot @slot, in *@keys and *@marks (malloc'd, *@n
 * of each). 0 or -errno.
 */
int ug_marks_read(const struct ug_map_fds *fds, __u32 slot, struct ug_mark_key **keys,
		  struct ug_mark **marks, size_t *n);

/* Counters of @rule summed over CPUs. */
int ug_counters_read(const struct ug_map_fds *fds, __u32 rule, struct ug_counters *out);

/* Wait until every BPF program running now has returned. */
int ug_sync_programs(void);

#endif
