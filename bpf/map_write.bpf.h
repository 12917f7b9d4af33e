/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rule 1 and namespace map writes (issue 16, item 5). A user may write
 * "65534 1000 1" into the uid_map of a namespace it made: the uid it holds
 * then reads as the overflow id inside, and map_write() calls no LSM hook
 * that could refuse it. Holding an id is not a transition, so nothing is
 * refused: the task keeps its id, cannot become it anew from inside (the
 * transition checks read the new map), and the write is reported here.
 *
 * An fexit program sees the map the kernel installed, and only after a
 * write that succeeded. Reported: the kernel id that now reads as the
 * overflow id is the namespace's owner (or owning group) or is held by the
 * writer, i.e. a task is known to hold it. A runtime's newuidmap of a
 * subordinate range maps the overflow id onto an id nobody holds and is
 * not reported; `usernsguard scan overflow` finds any process holding one.
 */
#ifndef UG_MAP_WRITE_BPF_H
#define UG_MAP_WRITE_BPF_H

#include "rule_overflow.bpf.h"

static __always_inline void ug_map_written(struct file *file, bool gid)
{
	const struct ug_policy *policy;
	struct user_namespace *ns;
	const struct cred *cred;
	struct seq_file *seq;
	struct ug_event ev;
	__u32 slot, overflow, kid, owner, held[4];
	struct ug_counters *counters;
	__u32 rule = UG_RULE_OVERFLOW_TRANSITIONS;
	__u64 map;

	policy = ug_rule_policy(rule, &slot);
	if (!policy)
		return;
	/* proc_uid_map_write(): the namespace is the seq_file's private. */
	seq = (struct seq_file *)BPF_CORE_READ(file, private_data);
	ns = (struct user_namespace *)BPF_CORE_READ(seq, private);
	if (!ns)
		return;
	overflow = ug_overflow_id(policy, gid);
	map = (__u64)ns + (gid ? bpf_core_field_offset(struct user_namespace, gid_map) :
				 bpf_core_field_offset(struct user_namespace, uid_map));
	kid = ug_map_id_at(map, overflow, UG_IDMAP_DOWN);
	if (kid == UG_INVALID_ID)
		return;
	owner = gid ? BPF_CORE_READ(ns, group.val) : BPF_CORE_READ(ns, owner.val);
	cred = bpf_get_current_task_btf()->cred;
	ug_cred_ids(cred, gid, held);
	if (kid != owner && kid != held[0] && kid != held[1] && kid != held[2] && kid != held[3])
		return;
	if (policy->exemptions[rule] &&
	    (ug_exempt_exec(slot, rule, ug_current_exe()) ||
	     ug_cgroup_matches(slot, rule, UG_EXEMPT_CGROUP)))
		return;

	ug_event_start(&ev, gid ? UG_OP_GID_MAP : UG_OP_UID_MAP);
	ev.rule = rule;
	ev.verdict = UG_VERDICT_REPORTED;
	ev.target_id = kid;
	ev.map_id = overflow;
	ev.map_userns_ino = BPF_CORE_READ(ns, ns.inum);
	counters = bpf_map_lookup_elem(&ug_counters, &rule);
	if (counters)
		__sync_fetch_and_add(&counters->reported, 1);
	/* A constant index: the stack copy of @rule is not one to 6.1's verifier. */
	ug_emit(&ev, counters, policy->rules[UG_RULE_OVERFLOW_TRANSITIONS].rate_limit);
}

SEC("fexit/proc_uid_map_write")
int BPF_PROG(ug_uid_map_write, struct file *file, const char *buf, size_t size, loff_t *ppos,
	     ssize_t ret)
{
	if (ret > 0)
		ug_map_written(file, false);
	return 0;
}

SEC("fexit/proc_gid_map_write")
int BPF_PROG(ug_gid_map_write, struct file *file, const char *buf, size_t size, loff_t *ppos,
	     ssize_t ret)
{
	if (ret > 0)
		ug_map_written(file, true);
	return 0;
}

#endif /* UG_MAP_WRITE_BPF_H */
