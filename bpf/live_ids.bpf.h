/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rule 1 under "overflow-ids auto" follows kernel.overflowuid and
 * kernel.overflowgid as they are now, not as they were at load: an admin's
 * `sysctl -w kernel.overflowuid=60000` must move the rule with it at once.
 * The sysctls live in kernel globals whose addresses BTF does not carry and
 * the packaged unit cannot read from kallsyms. The sysctl files know them:
 * at load the loader opens /proc/sys/kernel/overflow{u,g}id and calls a
 * private ioctl on each while ug_live_ids names its thread group; the
 * file_ioctl program then records the ctl_table's data address. Only the
 * loader (root: the map is pinned 0700) arms it, and only procfs sysctl
 * entries of those names are taken.
 */
#ifndef UG_LIVE_IDS_BPF_H
#define UG_LIVE_IDS_BPF_H

#include "policy.bpf.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0 /* include/uapi/linux/magic.h */
#endif

/* The overflow uid (@gid false) or gid rule 1 holds tasks to now. */
static __always_inline __u32 ug_overflow_id(const struct ug_policy *policy, bool gid)
{
	const struct ug_live_ids *live;
	__u32 zero = 0, id;
	__u64 addr;

	if (policy->overflow_live) {
		live = bpf_map_lookup_elem(&ug_live_ids, &zero);
		addr = live ? (gid ? live->gid_addr : live->uid_addr) : 0;
		if (addr && !bpf_probe_read_kernel(&id, sizeof(id), (const void *)addr))
			return id;
	}
	/* Not captured (an older kernel layout, a failed capture): the value at load. */
	return gid ? policy->overflow_gid : policy->overflow_uid;
}

/*
 * Record where the sysctl behind @file keeps its value, when a loader asks.
 * A subprogram: it stays off the stack and out of the verification of the
 * file_ioctl program's rule-3 path.
 */
static __noinline void ug_live_capture(struct file *file)
{
	/* "overflow", then "uid\0" or "gid\0", as little-endian words: no byte loop. */
	const __u64 overflow = 0x776f6c667265766fULL;
	const __u32 uid = 0x00646975, gid = 0x00646967;
	const struct ctl_table *table;
	struct ug_live_ids *live;
	struct inode *inode = file->f_inode;
	struct {
		__u64 head;
		__u32 tail;
		__u32 more;
	} name = {};
	__u32 zero = 0, value;
	__u64 data;

	live = bpf_map_lookup_elem(&ug_live_ids, &zero);
	if (!live || !live->capture_tgid || live->capture_tgid != bpf_get_current_pid_tgid() >> 32)
		return;
	if (!inode || inode->i_sb->s_magic != PROC_SUPER_MAGIC)
		return;
	table = BPF_CORE_READ((struct proc_inode *)((__u64)inode -
						    bpf_core_field_offset(struct proc_inode,
									  vfs_inode)),
			      sysctl_entry);
	if (!table)
		return;
	/* 12 bytes with the NUL: the name is exactly one of the two. */
	if (bpf_probe_read_kernel_str(&name, sizeof(name), BPF_CORE_READ(table, procname)) != 12 ||
	    name.head != overflow || (name.tail != uid && name.tail != gid))
		return;
	data = (__u64)BPF_CORE_READ(table, data);
	if (!data || bpf_probe_read_kernel(&value, sizeof(value), (const void *)data))
		return;
	if (name.tail == uid) {
		live->uid_addr = data;
		live->uid_seen = value;
	} else {
		live->gid_addr = data;
		live->gid_seen = value;
	}
}

#endif /* UG_LIVE_IDS_BPF_H */
