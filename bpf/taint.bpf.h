/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The taint of a task that ran code not its own, read by exemptions
 * (policy.bpf.h) and written by the programs of exempt_taint.bpf.h, which
 * say what taints and why exec_id makes a taint end at the next exec.
 */
#ifndef UG_TAINT_BPF_H
#define UG_TAINT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#ifndef BPF_LOCAL_STORAGE_GET_F_CREATE
#define BPF_LOCAL_STORAGE_GET_F_CREATE 1
#endif

struct ug_taint {
	__u64 exec_id;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ug_taint);
} ug_taint SEC(".maps");

static __always_inline bool ug_taint_valid(struct task_struct *task)
{
	struct ug_taint *taint = bpf_task_storage_get(&ug_taint, task, NULL, 0);

	return taint && taint->exec_id == task->self_exec_id;
}

/* Whether the current task, or its thread group, ran code not its own. */
static __always_inline bool ug_current_tainted(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return ug_taint_valid(task) || ug_taint_valid(task->group_leader);
}

#endif
