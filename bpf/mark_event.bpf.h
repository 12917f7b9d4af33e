/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Runtime mark changes as events (issue 17): who marked what for whom.
 * The maps are written by `usernsguard mark`, which cannot write into the
 * event ring buffer; it reports each change by a private ioctl on the
 * marked directory (UG_IOCTL_MARK_EVENT), and this builds the event from
 * the mark itself. Only root of the initial user namespace is heard, and
 * only about a directory that carries a runtime mark: nobody else can put
 * a mark change into the stream.
 */
#ifndef UG_MARK_EVENT_BPF_H
#define UG_MARK_EVENT_BPF_H

#include "rule_shift.bpf.h"

static __noinline void ug_mark_event(struct file *file, unsigned long op)
{
	const struct cred *cred = bpf_get_current_task_btf()->cred;
	struct inode *inode = file->f_inode;
	struct ug_mark_key key = {};
	const struct ug_mark *mark;
	struct ug_counters *counters;
	struct ug_event ev;
	__u32 rule = UG_RULE_SHIFT_MARKS;

	if ((op != UG_OP_MARK_ADD && op != UG_OP_MARK_REMOVE) || !inode ||
	    cred->euid.val != 0 || !ug_is_init_ns(cred->user_ns))
		return;
	key.dev = inode->i_sb->s_dev;
	key.ino = inode->i_ino;
	mark = bpf_map_lookup_elem(&ug_runtime_marks, &key);
	if (!mark || (mark->flags & UG_MARK_ANCESTOR))
		return;
	ug_event_start(&ev, (__u32)op);
	ev.rule = rule;
	ev.verdict = UG_VERDICT_REPORTED;
	ug_shift_describe(&ev, (__u64)file->f_path.dentry, key.dev);
	ev.mark_shiftable_by = mark->shiftable_by;
	ev.mark_origin = mark->origin;
	ev.mark_range = mark->range;
	/* A pool's size rides in the idmap fields: no view is involved here. */
	if (mark->flags & UG_MARK_POOL) {
		ev.idmap_count = mark->pool_size;
		ev.idmap_first = mark->block;
	}
	ev.reason = mark->flags & UG_MARK_RO;
	counters = bpf_map_lookup_elem(&ug_counters, &rule);
	if (counters)
		__sync_fetch_and_add(&counters->reported, 1);
	ug_emit(&ev, counters, 0);
}

#endif /* UG_MARK_EVENT_BPF_H */
