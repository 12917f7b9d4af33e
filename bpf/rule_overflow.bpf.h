/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rule 1, overflow-transitions (seed 003, action item 4): no task may
 * become an id that reads as the overflow uid/gid, so that "owned by 65534"
 * means "unmapped" and never "the nobody user". An id reads as the overflow
 * id if it is the host's kernel.overflowuid, or if the task's own user
 * namespace shows it as that number (a container's 65534 is as ambiguous
 * to the container as the host's is to the host). Holding the id already,
 * in any of the four slots, is not a transition.
 */
#ifndef UG_RULE_OVERFLOW_BPF_H
#define UG_RULE_OVERFLOW_BPF_H

#include "policy.bpf.h"
#include "live_ids.bpf.h"

/* include/linux/security.h: setfsuid()/setfsgid() pass this flag. */
#define LSM_SETID_FS 8

/* The kernel ids that read as the overflow id inside one namespace. */
struct ug_overflow_ids {
	__u32 host;
	__u32 ns; /* UG_INVALID_ID when the namespace does not map it */
};

static __always_inline void ug_overflow_ids(struct user_namespace *ns, bool gid, __u32 overflow,
					    struct ug_overflow_ids *ids)
{
	ids->host = overflow;
	ids->ns = UG_INVALID_ID;
	if (!ug_is_init_ns(ns))
		ids->ns = ug_map_id(gid ? &ns->gid_map : &ns->uid_map, overflow,
				    UG_IDMAP_DOWN);
}

static __always_inline bool ug_is_overflow(const struct ug_overflow_ids *ids, __u32 kid)
{
	return kid != UG_INVALID_ID && (kid == ids->host || kid == ids->ns);
}

/* First of the four ids that is an overflow id, else UG_INVALID_ID. */
static __always_inline __u32 ug_overflow_in(const struct ug_overflow_ids *ids, const __u32 id[4])
{
	if (ug_is_overflow(ids, id[0]))
		return id[0];
	if (ug_is_overflow(ids, id[1]))
		return id[1];
	if (ug_is_overflow(ids, id[2]))
		return id[2];
	if (ug_is_overflow(ids, id[3]))
		return id[3];
	return UG_INVALID_ID;
}

static __always_inline void ug_cred_uids(const struct cred *cred, __u32 id[4])
{
	id[0] = cred->uid.val;
	id[1] = cred->euid.val;
	id[2] = cred->suid.val;
	id[3] = cred->fsuid.val;
}

static __always_inline void ug_cred_gids(const struct cred *cred, __u32 id[4])
{
	id[0] = cred->gid.val;
	id[1] = cred->egid.val;
	id[2] = cred->sgid.val;
	id[3] = cred->fsgid.val;
}

/* The uids, or with @gid the gids, of @cred. */
static __always_inline void ug_cred_ids(const struct cred *cred, bool gid, __u32 id[4])
{
	if (gid)
		ug_cred_gids(cred, id);
	else
		ug_cred_uids(cred, id);
}

struct ug_group_scan {
	unsigned long base; /* scalar address of group_info->gid[0] */
	__u32 a, b;
	bool found;
};

static long ug_group_scan_one(__u32 index, void *ctx)
{
	struct ug_group_scan *scan = ctx;
	__u32 gid;

	if (bpf_probe_read_kernel(&gid, sizeof(gid),
				  (const void *)(scan->base + index * sizeof(__u32))))
		return 1;
	if (gid != UG_INVALID_ID && (gid == scan->a || gid == scan->b)) {
		scan->found = true;
		return 1;
	}
	return 0;
}

/*
 * Supplementary groups can number 65536: walk them with bpf_loop(). The
 * group_info pointer is read as a scalar because the verifier refuses
 * variable offsets from typed pointers. Only reached on setgroups/setgid.
 */
static __always_inline bool ug_groups_contain(const struct cred *cred,
					      const struct ug_overflow_ids *ids)
{
	struct ug_group_scan scan = { .a = ids->host, .b = ids->ns };
	const struct group_info *gi = BPF_CORE_READ(cred, group_info);
	__u32 ngroups;

	if (!gi)
		return false;
	ngroups = BPF_CORE_READ(gi, ngroups);
	scan.base = (unsigned long)gi + bpf_core_field_offset(struct group_info, gid);
	bpf_loop(ngroups, ug_group_scan_one, &scan, 0);
	return scan.found;
}

/*
 * The groups a refused setgroups asked for, for its event: how many (in
 * req_uid[0], which setgroups does not use) and the first four.
 */
static __always_inline void ug_requested_groups(const struct cred *cred, struct ug_event *ev)
{
	const struct group_info *gi = BPF_CORE_READ(cred, group_info);
	__u32 n;

	if (!gi)
		return;
	n = BPF_CORE_READ(gi, ngroups);
	ev->req_uid[0] = n;
	if (n > 4)
		n = 4;
	bpf_probe_read_kernel(ev->req_gid, n * sizeof(__u32),
			      (const void *)((unsigned long)gi +
					     bpf_core_field_offset(struct group_info, gid)));
}

/*
 * Whether every id in @req is already held: then nothing can be a
 * transition, and no namespace map needs reading (setuid(getuid()) and
 * the like are common).
 */
static __always_inline bool ug_all_held(const __u32 req[4], const __u32 held[4])
{
	int i;

#pragma unroll
	for (i = 0; i < 4; i++)
		if (req[i] != held[0] && req[i] != held[1] && req[i] != held[2] &&
		    req[i] != held[3])
			return false;
	return true;
}

/*
 * The overflow id a task would newly hold by going from ids @held to ids
 * @req (uids, or gids if @gid), else UG_INVALID_ID; @overflow is the
 * host's. Callers have ruled out ug_all_held(req, held).
 */
static __always_inline __u32 ug_id_transition(const struct cred *new, const struct cred *old,
					      bool gid, __u32 overflow, const __u32 req[4],
					      const __u32 held[4])
{
	struct ug_overflow_ids ids;

	ug_overflow_ids(new->user_ns, gid, overflow, &ids);
	if (ug_overflow_in(&ids, req) == UG_INVALID_ID || ug_overflow_in(&ids, held) != UG_INVALID_ID)
		return UG_INVALID_ID;
	if (gid && ug_groups_contain(old, &ids))
		return UG_INVALID_ID;
	return ug_overflow_in(&ids, req);
}

/* ug_id_transition() after reading the ids from the creds; @req receives them. */
static __always_inline __u32 ug_creds_transition(const struct cred *new, const struct cred *old,
						 bool gid, __u32 overflow, __u32 req[4])
{
	__u32 held[4];

	ug_cred_ids(new, gid, req);
	ug_cred_ids(old, gid, held);
	if (ug_all_held(req, held))
		return UG_INVALID_ID;
	return ug_id_transition(new, old, gid, overflow, req, held);
}

/*
 * setuid()/setgid() families: @gid picks which ids. A refused change is
 * killed or fails per on-deny; setfsuid/setfsgid always kill, since they
 * cannot report failure.
 */
static __always_inline int check_id_change(struct cred *new, const struct cred *old, int flags,
					   int ret, bool gid)
{
	const struct ug_policy *policy;
	__u32 req[4], held[4], target, *requested;
	struct ug_event ev;
	__u32 slot;

	if (ret)
		return ret; /* an earlier program's denial stands */
	/*
	 * Nothing changes (setuid(getuid()) and the like): compared pair by
	 * pair, so the common case reads the ids once and keeps none.
	 */
	if (gid ? new->gid.val == old->gid.val && new->egid.val == old->egid.val &&
		  new->sgid.val == old->sgid.val && new->fsgid.val == old->fsgid.val :
		  new->uid.val == old->uid.val && new->euid.val == old->euid.val &&
		  new->suid.val == old->suid.val && new->fsuid.val == old->fsuid.val)
		return 0;
	/* Changes among ids already held (drops, swaps) end here. */
	ug_cred_ids(new, gid, req);
	ug_cred_ids(old, gid, held);
	if (ug_all_held(req, held))
		return 0;
	policy = ug_rule_policy(UG_RULE_OVERFLOW_TRANSITIONS, &slot);
	if (!policy)
		return 0;
	target = ug_id_transition(new, old, gid, ug_overflow_id(policy, gid),
				  req, held);
	if (target == UG_INVALID_ID)
		return 0;
	ug_event_start(&ev, gid ? UG_OP_SETGID : UG_OP_SETUID);
	ev.target_id = target;
	requested = gid ? ev.req_gid : ev.req_uid;
	requested[0] = req[0];
	requested[1] = req[1];
	requested[2] = req[2];
	requested[3] = req[3];
	return ug_judge(policy, slot, UG_RULE_OVERFLOW_TRANSITIONS, &ev, ug_current_exe(), EPERM,
			flags & LSM_SETID_FS ? UG_KILL_ALWAYS : UG_KILL_BY_POLICY);
}

SEC("lsm/task_fix_setuid")
int BPF_PROG(ug_task_fix_setuid, struct cred *new, const struct cred *old, int flags, int ret)
{
	return ug_verdict(check_id_change(new, old, flags, ret, false));
}

SEC("lsm/task_fix_setgid")
int BPF_PROG(ug_task_fix_setgid, struct cred *new, const struct cred *old, int flags, int ret)
{
	return ug_verdict(check_id_change(new, old, flags, ret, true));
}

static __always_inline int check_task_fix_setgroups(struct cred *new, const struct cred *old, int ret)
{
	struct ug_overflow_ids ids;
	const struct ug_policy *policy;
	struct ug_event ev;
	__u32 held[4];
	__u32 slot;

	if (ret)
		return ret; /* an earlier program's denial stands */
	policy = ug_rule_policy(UG_RULE_OVERFLOW_TRANSITIONS, &slot);
	if (!policy)
		return 0;
	ug_overflow_ids(new->user_ns, true, ug_overflow_id(policy, true), &ids);
	if (!ug_groups_contain(new, &ids))
		return 0;
	ug_cred_gids(old, held);
	if (ug_overflow_in(&ids, held) != UG_INVALID_ID || ug_groups_contain(old, &ids))
		return 0;
	ug_event_start(&ev, UG_OP_SETGROUPS);
	ev.target_id = ids.ns != UG_INVALID_ID ? ids.ns : ids.host;
	ug_requested_groups(new, &ev);
	return ug_judge(policy, slot, UG_RULE_OVERFLOW_TRANSITIONS, &ev, ug_current_exe(), EPERM,
			UG_KILL_BY_POLICY);
}

SEC("lsm/task_fix_setgroups")
int BPF_PROG(ug_task_fix_setgroups, struct cred *new, const struct cred *old, int ret)
{
	return ug_verdict(check_task_fix_setgroups(new, old, ret));
}

static __always_inline void ug_event_file(struct ug_event *ev, const struct inode *inode)
{
	ev->dev = inode->i_sb->s_dev;
	ev->ino = inode->i_ino;
	ev->mode = inode->i_mode;
	ev->owner_uid = inode->i_uid.val;
	ev->owner_gid = inode->i_gid.val;
}

/*
 * Of the exec hooks only this one both sees the set-id result (euid is
 * already the file owner's, suid/fsuid follow it) and can fail execve.
 * A failed execve is visible to the caller, so it is never a kill. The
 * exemption checked is the binary being executed.
 */
static __always_inline int check_bprm_creds_from_file(struct linux_binprm *bprm, struct file *file, int ret)
{
	const struct ug_policy *policy;
	const struct cred *new, *old;
	__u32 req_uid[4], req_gid[4], target;
	struct ug_event ev;
	__u32 slot;

	if (ret)
		return ret; /* an earlier program's denial stands */
	policy = ug_rule_policy(UG_RULE_OVERFLOW_TRANSITIONS, &slot);
	if (!policy)
		return 0;
	new = bprm->cred;
	old = bpf_get_current_task_btf()->real_cred;
	target = ug_creds_transition(new, old, false, ug_overflow_id(policy, false), req_uid);
	if (target == UG_INVALID_ID) {
		target = ug_creds_transition(new, old, true, ug_overflow_id(policy, true), req_gid);
		if (target == UG_INVALID_ID)
			return 0;
	} else {
		ug_cred_gids(new, req_gid);
	}
	ug_event_start(&ev, UG_OP_EXEC);
	ev.target_id = target;
	/* The uids are what the exec would set, also when only a gid is refused. */
	ug_cred_uids(new, ev.req_uid);
	__builtin_memcpy(ev.req_gid, req_gid, sizeof(req_gid));
	ug_event_file(&ev, file->f_inode);
	return ug_judge(policy, slot, UG_RULE_OVERFLOW_TRANSITIONS, &ev, file, EPERM,
			UG_KILL_NEVER);
}

SEC("lsm/bprm_creds_from_file")
int BPF_PROG(ug_bprm_creds_from_file, struct linux_binprm *bprm, struct file *file, int ret)
{
	return ug_verdict(check_bprm_creds_from_file(bprm, file, ret));
}

/*
 * chown(2), fchown(2), lchown(2) and fchownat(2) all meet here. The ids
 * come by value (kuid_t, kgid_t), which BPF_PROG() cannot declare: read
 * them from the raw context. (u32)-1 means "leave unchanged". Giving a
 * file to the id it already has is not a transition. A subprogram: its
 * event and rule 3's (ug_shift_check_mount()) would not fit one 512-byte
 * frame together on 6.1.
 */
static __noinline int check_path_chown(__u64 *ctx)
{
	const struct path *path = (const struct path *)ctx[0];
	__u32 uid = (__u32)ctx[1], gid = (__u32)ctx[2], new_uid, new_gid;
	struct ug_overflow_ids uids, gids;
	const struct ug_policy *policy;
	struct user_namespace *ns;
	const struct inode *inode;
	struct ug_event ev;
	int ret = (int)ctx[3];
	__u32 target, slot;

	if (ret)
		return ret; /* an earlier program's denial stands */
	inode = path->dentry->d_inode;
	if (!inode)
		return 0;
	/* Giving the file the owner it has is no transition: nothing to look up. */
	new_uid = uid == inode->i_uid.val ? UG_INVALID_ID : uid;
	new_gid = gid == inode->i_gid.val ? UG_INVALID_ID : gid;
	if (new_uid == UG_INVALID_ID && new_gid == UG_INVALID_ID)
		return 0;
	policy = ug_rule_policy(UG_RULE_OVERFLOW_TRANSITIONS, &slot);
	if (!policy)
		return 0;
	ns = bpf_get_current_task_btf()->cred->user_ns;
	ug_overflow_ids(ns, false, ug_overflow_id(policy, false), &uids);
	ug_overflow_ids(ns, true, ug_overflow_id(policy, true), &gids);
	if (ug_is_overflow(&uids, new_uid))
		target = new_uid;
	else if (ug_is_overflow(&gids, new_gid))
		target = new_gid;
	else
		return 0;
	ug_event_start(&ev, UG_OP_CHOWN);
	ev.target_id = target;
	ev.req_uid[0] = uid;
	ev.req_gid[0] = gid;
	ug_event_file(&ev, inode);
	return ug_judge(policy, slot, UG_RULE_OVERFLOW_TRANSITIONS, &ev, ug_current_exe(), EPERM,
			UG_KILL_NEVER);
}

SEC("lsm/path_chown")
int ug_path_chown(__u64 *ctx)
{
	const struct path *path = (const struct path *)ctx[0];
	int err = check_path_chown(ctx);

	/* A chown through a shifted view is a write through it (rule 3). */
	return ug_verdict(err ? err : ug_shift_check(path->mnt, path->dentry, UG_SHIFT_USE_WRITE));
}

#endif /* UG_RULE_OVERFLOW_BPF_H */
