/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An exec exemption (rule 1) covers the exempt program's own code, not code
 * someone else put into the task (issue 16). Three ways in, and what closes
 * each:
 *  - PR_SET_MM_EXE_FILE / PR_SET_MM_MAP point mm->exe_file at any file the
 *    caller holds open. exec installs a file opened by open_exec(), whose
 *    f_flags carry __FMODE_EXEC; open(2) cannot set that flag (it is not in
 *    VALID_OPEN_FLAGS, nor in fcntl's SETFL mask), so a file that came from
 *    an fd never has it. Stateless: ug_exempt_exec() requires the flag.
 *  - Code loaded into the exempt program: LD_PRELOAD, LD_LIBRARY_PATH,
 *    LD_AUDIT, a dlopen()ed plugin. Whatever the mechanism, the code comes
 *    from a file mapped executable (mmap_file, or file_mprotect adding
 *    PROT_EXEC). A file is the program's own when the exempt binary's owner
 *    or root owns it, neither group nor others may write it, and its
 *    filesystem belongs to the initial user namespace or to the exempt
 *    binary's (a FUSE or tmpfs mount of a user namespace claims any owner).
 *    Anything else taints the task.
 *  - Another task writing into it: ptrace (attach, or traced across exec),
 *    /proc/PID/mem, process_vm_writev. All need PTRACE_MODE_ATTACH access
 *    (ptrace_access_check), or a tracer from before the exec
 *    (bprm_committing_creds). The tracee is tainted for good, not only
 *    while the tracer stays (it may inject and detach).
 * A taint is task storage on the thread group leader holding the task's
 * self_exec_id at the time: exec increments it, so the next exec starts
 * clean without a hook clearing anything, while fork copies it, and
 * task_alloc copies the taint to every child and thread. Only tasks that
 * hold an exec exemption get one: for every other task nothing is stored.
 * Where a taint cannot be stored, the operation that would need it is
 * refused (EPERM): an exemption is never kept by failing to record its
 * loss.
 */
#ifndef UG_EXEMPT_TAINT_BPF_H
#define UG_EXEMPT_TAINT_BPF_H

#include "policy.bpf.h"
#include "taint.bpf.h"

#define UG_PROT_EXEC 0x4
#define UG_PTRACE_MODE_ATTACH 0x02
#define UG_S_IWGRP 00020
#define UG_S_IWOTH 00002

/* Taint @task's thread group for what it runs until its next exec. */
static __always_inline int ug_taint_task(struct task_struct *task)
{
	struct task_struct *leader = task->group_leader;
	struct ug_taint *taint;

	taint = bpf_task_storage_get(&ug_taint, leader, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!taint)
		return -ENOMEM;
	taint->exec_id = leader->self_exec_id;
	return 0;
}

/* Whether rule 1's policy in force has exemptions at all: else no taint matters. */
static __always_inline const struct ug_policy *ug_exempting_policy(__u32 *slot)
{
	const struct ug_policy *policy = ug_rule_policy(UG_RULE_OVERFLOW_TRANSITIONS, slot);

	if (!policy || !policy->exemptions[UG_RULE_OVERFLOW_TRANSITIONS])
		return NULL;
	return policy;
}

/* Code from @file counts as the exempt program's own (see the top). */
static __always_inline bool ug_own_code(const struct inode *code, const struct inode *exe)
{
	struct user_namespace *ns = code->i_sb->s_user_ns;

	if (code->i_uid.val && code->i_uid.val != exe->i_uid.val)
		return false;
	if (code->i_mode & (UG_S_IWGRP | UG_S_IWOTH))
		return false;
	return ug_is_init_ns(ns) || ns == exe->i_sb->s_user_ns;
}

/* The current task maps @file executable. */
static __always_inline int ug_taint_foreign_code(const struct file *file)
{
	const struct file *exe = ug_current_exe();
	const struct ug_policy *policy;
	__u32 slot;

	if (!file || !exe || !file->f_inode || !exe->f_inode)
		return 0;
	policy = ug_exempting_policy(&slot);
	if (!policy || ug_own_code(file->f_inode, exe->f_inode) ||
	    !ug_exempt_exec(slot, UG_RULE_OVERFLOW_TRANSITIONS, exe))
		return 0;
	return ug_taint_task(bpf_get_current_task_btf());
}

SEC("lsm/mmap_file")
int BPF_PROG(ug_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	if (ret || !(prot & UG_PROT_EXEC))
		return ug_verdict(ret);
	return ug_verdict(ug_taint_foreign_code(file));
}

SEC("lsm/file_mprotect")
int BPF_PROG(ug_file_mprotect, struct vm_area_struct *vma, unsigned long reqprot,
	     unsigned long prot, int ret)
{
	if (ret || !(prot & UG_PROT_EXEC))
		return ug_verdict(ret);
	return ug_verdict(ug_taint_foreign_code(vma->vm_file));
}

/* Another task gains the access that lets it write into @child. */
SEC("lsm/ptrace_access_check")
int BPF_PROG(ug_ptrace_access_check, struct task_struct *child, unsigned int mode, int ret)
{
	__u32 slot;

	if (ret || !(mode & UG_PTRACE_MODE_ATTACH) || !ug_exempting_policy(&slot))
		return ug_verdict(ret);
	return ug_verdict(ug_taint_task(child));
}

/* A tracer attached before the exec could change the new program at will. */
SEC("lsm/bprm_committing_creds")
int BPF_PROG(ug_bprm_committing_creds, struct linux_binprm *bprm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 slot;

	if (task->ptrace && ug_exempting_policy(&slot))
		ug_taint_task(task); /* a void hook: nothing to refuse; ->ptrace still holds */
	return 0;
}

/* Children and threads run the parent's code, and so its taint. */
SEC("lsm/task_alloc")
int BPF_PROG(ug_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	struct ug_taint *taint;

	if (ret || !ug_current_tainted())
		return ug_verdict(ret);
	taint = bpf_task_storage_get(&ug_taint, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!taint)
		return ug_verdict(-ENOMEM);
	/* dup_task_struct() copied the parent's self_exec_id. */
	taint->exec_id = task->self_exec_id;
	return ug_verdict(0);
}

#endif
