/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cgroup exemptions and scopes that follow the path, not the id (issue 16).
 * The decision path matches cgroup ids (ug_cgroup_matches(): the task's
 * ancestors, one hash lookup each), which costs nothing extra; but a
 * service restart removes its cgroup and makes a new one with a new id.
 * So the ids are kept current where cgroups are made and removed, off the
 * decision path: these two tracepoints run once per mkdir and rmdir of a
 * cgroup, and compare the path the kernel prints with the policy's paths
 * (ug_cgroup_names, both policy slots). Cgroup ids are 64-bit and never
 * reused, so an entry left behind could never match another cgroup; it is
 * taken out anyway, to keep ug_match bounded across restarts.
 * The kernel computes the path for these tracepoints only while a program
 * is attached to them (TRACE_CGROUP_PATH), relative to the hierarchy's
 * root whatever the cgroup namespace of the task that made it.
 */
#ifndef UG_CGROUP_NAMES_BPF_H
#define UG_CGROUP_NAMES_BPF_H

#include "maps.bpf.h"

/* @op: add (mkdir) or remove (rmdir) @cgrp's id for each entry of its path. */
static __always_inline void ug_cgroup_name_sync(const struct cgroup *cgrp, const char *path,
						bool add)
{
	struct ug_cgroup_name_key key = {};
	const struct ug_cgroup_name_value *names;
	struct ug_exempt_key match = {};
	struct ug_exempt_value value = {};
	__u32 slot, i;

	/* Only the default (cgroup2) hierarchy: its root is the first, id 0. */
	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return;
	if (bpf_probe_read_kernel_str(key.path, sizeof(key.path), path) <= 0)
		return;
	match.id = BPF_CORE_READ(cgrp, kn, id);
	for (slot = 0; slot < UG_POLICY_SLOTS; slot++) {
		key.slot = slot;
		names = bpf_map_lookup_elem(&ug_cgroup_names, &key);
		if (!names)
			continue;
		match.slot = slot;
		for (i = 0; i < UG_CGROUP_NAME_SLOTS; i++) {
			if (!names->line[i])
				continue;
			match.rule = i / 2;
			match.kind = i % 2 ? UG_SCOPE_CGROUP : UG_EXEMPT_CGROUP;
			value.policy_line = names->line[i];
			if (add)
				bpf_map_update_elem(&ug_match, &match, &value, BPF_ANY);
			else
				bpf_map_delete_elem(&ug_match, &match);
		}
	}
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(ug_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	ug_cgroup_name_sync(cgrp, path, true);
	return 0;
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(ug_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	ug_cgroup_name_sync(cgrp, path, false);
	return 0;
}

#endif
