/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The decision path shared by every rule: find the policy in force, check
 * exemptions, count, report, and turn a violation into the hook's verdict.
 * Nothing here runs on an allowed path except ug_rule_policy().
 */
#ifndef UG_POLICY_BPF_H
#define UG_POLICY_BPF_H

#include "maps.bpf.h"
#include "idmap.bpf.h"
#include "taint.bpf.h"
#include "fairness.bpf.h"

#define EPERM 1
#define EACCES 13
#define EROFS 30
#define SIGKILL 9
#define ENOMEM 12
/* __FMODE_EXEC in f_flags: only open_exec() sets it (exempt_taint.bpf.h). */
#define UG_FMODE_EXEC 0x20

/*
 * Every program returns through this. The 6.12 verifier requires an LSM
 * program's return value to be provably in [-4095, 0], tracks only what
 * it can see on each path (a negation makes a value unknown to it), and
 * clang likes to return "0" from any register it can prove holds zero.
 * Producing each verdict with an opaque move of a constant gives the
 * verifier an exact value on every path. Anything unexpected, including
 * an out-of-range verdict from an earlier program, becomes -EPERM.
 */
static __always_inline long ug_verdict(int err)
{
	long ret;

	if (err == 0)
		asm volatile("%[ret] = 0" : [ret] "=r"(ret));
	else if (err == -EACCES)
		asm volatile("%[ret] = -13" : [ret] "=r"(ret));
	else if (err == -EROFS)
		asm volatile("%[ret] = -30" : [ret] "=r"(ret));
	else
		asm volatile("%[ret] = -1" : [ret] "=r"(ret));
	return ret;
}

/*
 * The initial user namespace is the only one at level 0 (create_user_ns()
 * gives every child its parent's level + 1). Told by that property, not by
 * the address of init_user_ns: a ksym's address comes from /proc/kallsyms,
 * which reads as zeros to a loader without CAP_SYSLOG (the packaged unit),
 * and every task would then look namespaced (issue 12).
 */
static __always_inline bool ug_is_init_ns(const struct user_namespace *ns)
{
	return ns->level == 0;
}

/*
 * The active policy if @rule is on in it. Array lookups with a constant key
 * are inlined by the verifier, so this costs a few instructions.
 */
static __always_inline const struct ug_policy *ug_rule_policy(__u32 rule, __u32 *slot)
{
	const struct ug_policy *policy;
	const struct ug_state *state;
	__u32 zero = 0, active;

	state = bpf_map_lookup_elem(&ug_state, &zero);
	if (!state)
		return NULL;
	/* One load: the loader flips this with one aligned store. */
	active = *(volatile const __u32 *)&state->active_slot & 1;
	policy = bpf_map_lookup_elem(&ug_policy, &active);
	if (!policy || rule >= UG_RULE_COUNT || policy->rules[rule].mode == UG_MODE_OFF)
		return NULL;
	*slot = active;
	return policy;
}

/* The executable of the current task, NULL for kernel threads. */
static __always_inline const struct file *ug_current_exe(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mm_struct *mm = task->mm;

	return mm ? mm->exe_file : NULL;
}

/*
 * Whether @exe, the current task's executable or the set-id binary it
 * executes, is exempt from @rule. An exemption covers the exempt program's
 * own code only (exempt_taint.bpf.h): a traced task runs what its tracer
 * injects (PTRACE_POKETEXT, PTRACE_SETREGS); a file that exec did not open
 * (no __FMODE_EXEC) was put there by PR_SET_MM; a tainted task ran a
 * preload, a writable library or another task's writes.
 */
static __always_inline bool ug_exempt_exec(__u32 slot, __u32 rule, const struct file *exe)
{
	struct ug_exempt_key key = { .slot = slot, .rule = rule, .kind = UG_EXEMPT_EXEC };
	const struct ug_exempt_value *value;
	const struct inode *inode;

	if (!exe || bpf_get_current_task_btf()->ptrace)
		return false;
	if (!(exe->f_flags & UG_FMODE_EXEC))
		return false;
	inode = exe->f_inode;
	if (!inode)
		return false;
	key.id = inode->i_ino;
	key.dev = inode->i_sb->s_dev;
	value = bpf_map_lookup_elem(&ug_match, &key);
	/* The inode the entry was made for, not a later one with its number. */
	if (!value || (value->generation && value->generation != inode->i_generation))
		return false;
	return exe != ug_current_exe() || !ug_current_tainted();
}

/*
 * Whether the current task's cgroup or one of its ancestors has an entry
 * of @kind for @rule: cgroup exemptions and scopes cover a subtree.
 */
static __always_inline bool ug_cgroup_matches(__u32 slot, __u32 rule, __u32 kind)
{
	struct ug_exempt_key key = { .slot = slot, .rule = rule, .kind = kind };
	int level;

	for (level = 0; level < UG_CGROUP_MAX_DEPTH; level++) {
		__u64 id = bpf_get_current_ancestor_cgroup_id(level);

		if (!id)
			break;
		key.id = id;
		if (bpf_map_lookup_elem(&ug_match, &key))
			return true;
	}
	return false;
}

static __always_inline void ug_emit(struct ug_event *ev, struct ug_counters *counters,
				    __u32 rate_limit)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct cred *cred = task->cred;
	struct user_namespace *ns = cred->user_ns;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 wakeup;

	ev->userns_ino = ns->ns.inum;
	ev->boot_ns = bpf_ktime_get_boot_ns();
	ev->source = ug_source_of(cred);
	if (!ug_source_ok(ev, rate_limit, counters))
		return;
	ev->pid = (__u32)pid_tgid;
	ev->tgid = pid_tgid >> 32;
	ev->uid = cred->uid.val;
	ev->gid = cred->gid.val;
	if (ug_is_init_ns(ns)) {
		ev->ns_uid = ev->uid;
		ev->ns_gid = ev->gid;
	} else {
		ev->ns_uid = ug_map_id(&ns->uid_map, ev->uid, UG_IDMAP_UP);
		ev->ns_gid = ug_map_id(&ns->gid_map, ev->gid, UG_IDMAP_UP);
	}
	if (task->nsproxy)
		ev->mntns_ino = task->nsproxy->mnt_ns->ns.inum;
	ev->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
	/*
	 * A wakeup per event roughly doubles its cost, so the reader, which
	 * polls anyway, is woken only once a batch has built up.
	 * Enforcement never waits on the reader: a full buffer is counted.
	 */
	wakeup = bpf_ringbuf_query(&ug_events, BPF_RB_AVAIL_DATA) >= UG_EVENTS_WAKEUP_BYTES ?
			 BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_output(&ug_events, ev, sizeof(*ev), wakeup) && counters)
		__sync_fetch_and_add(&counters->lost, 1);
}

/*
 * Events are built only once a violation is certain: zeroing one (about 200
 * bytes of stack) is more than the whole allowed path costs, and clang
 * emits `= {}` at the declaration, i.e. on every call of the hook.
 */
static __always_inline void ug_event_start(struct ug_event *ev, __u32 op)
{
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->op = op;
	ev->req_uid[0] = ev->req_uid[1] = ev->req_uid[2] = ev->req_uid[3] = UG_INVALID_ID;
	ev->req_gid[0] = ev->req_gid[1] = ev->req_gid[2] = ev->req_gid[3] = UG_INVALID_ID;
}

enum ug_kill {
	UG_KILL_NEVER,     /* the caller sees the error reliably */
	UG_KILL_BY_POLICY, /* a credential change: on-deny decides */
	UG_KILL_ALWAYS,    /* setfsuid/setfsgid: an error is invisible */
};

/*
 * A violation found for the loader's self-check child, a host task that
 * no rule may judge: counted so that `load` can take such a policy back.
 * Only violations come here, so the allowed paths never pay for it.
 */
static __always_inline void ug_selfcheck_note(void)
{
	struct ug_selfcheck *check;
	__u32 zero = 0;

	check = bpf_map_lookup_elem(&ug_selfcheck, &zero);
	if (check && check->tgid && check->tgid == bpf_get_current_pid_tgid() >> 32)
		__sync_fetch_and_add(&check->judged, 1);
}

/*
 * Whether this audited use of @what (a view) by namespace @ns, for this
 * reason, is the first since the policy in force was loaded. Audit mode
 * reports it once and counts it every time: xfstests' idmapped-mount suite
 * made 120,844 audit events of rule 3 on 6.12, one per open, for 143
 * distinct refusals, and a reader falls behind. An LRU: a use forgotten
 * after 8,192 others is reported again, never lost for good.
 */
static __always_inline bool ug_first_report(const struct ug_policy *policy,
					    const struct ug_event *ev, __u64 what, __u64 ns)
{
	struct ug_report_key key = {
		.what = what,
		.ns = ns,
		.tag = policy->generation << 16 | (__u64)(ev->rule & 0xff) << 8 | (ev->reason & 0xff),
	};
	__u8 one = 1;

	/* BPF_NOEXIST fails (-EEXIST) when the use was reported already. */
	return !bpf_map_update_elem(&ug_reported_uses, &key, &one, BPF_NOEXIST);
}

/*
 * A rule found a violation described by @ev. Returns the hook's verdict:
 * 0 when exempted or audited, -@err when denied. With @once_what (a view)
 * an audited use is counted every time but reported once per @once_ns.
 */
static __always_inline int ug_judge_once(const struct ug_policy *policy, __u32 slot, __u32 rule,
					 struct ug_event *ev, const struct file *exe, int err,
					 enum ug_kill kill, __u64 once_what, __u64 once_ns)
{
	const struct ug_rule_config *config;
	struct ug_counters *counters;
	__u32 verdict;

	if (rule >= UG_RULE_COUNT)
		return 0;
	config = &policy->rules[rule];
	if (policy->exemptions[rule] &&
	    (ug_exempt_exec(slot, rule, exe) || ug_cgroup_matches(slot, rule, UG_EXEMPT_CGROUP)))
		return 0;

	if (config->mode == UG_MODE_AUDIT) {
		verdict = UG_VERDICT_AUDITED;
		err = 0;
	} else if (kill == UG_KILL_ALWAYS ||
		   (kill == UG_KILL_BY_POLICY && config->on_deny == UG_ON_DENY_KILL)) {
		verdict = UG_VERDICT_KILLED;
	} else {
		verdict = UG_VERDICT_DENIED;
	}
	/*
	 * Decisions below read @verdict, not the event's byte: the verifier
	 * keeps a register's value, not a byte stored on the stack, and would
	 * otherwise walk every later branch both ways.
	 */
	ev->rule = rule;
	ev->verdict = verdict;
	ev->errno_val = err;

	/* Atomic: see ug_source_ok(); per-CPU values keep the adds uncontended. */
	counters = bpf_map_lookup_elem(&ug_counters, &rule);
	if (counters) {
		if (verdict == UG_VERDICT_AUDITED)
			__sync_fetch_and_add(&counters->audited, 1);
		else
			__sync_fetch_and_add(&counters->denied, 1);
	}
	ug_selfcheck_note();
	if (!once_what || verdict != UG_VERDICT_AUDITED ||
	    ug_first_report(policy, ev, once_what, once_ns))
		ug_emit(ev, counters, config->rate_limit);
	if (verdict == UG_VERDICT_KILLED)
		bpf_send_signal(SIGKILL);
	return -err;
}

static __always_inline int ug_judge(const struct ug_policy *policy, __u32 slot, __u32 rule,
				    struct ug_event *ev, const struct file *exe, int err,
				    enum ug_kill kill)
{
	return ug_judge_once(policy, slot, rule, ev, exe, err, kill, 0, 0);
}

#endif /* UG_POLICY_BPF_H */
