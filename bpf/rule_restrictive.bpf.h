/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rule 2, most-restrictive (seed 003, issue 2 and action item 3): when a
 * task in a user namespace touches an inode whose owner uid or gid is not
 * mapped in that namespace, grant only what every one of the owner, group
 * and other triplets grants (0707 acts as 0000, 0755 as 0555): group bits
 * can be a negative ACL the namespace can no longer be checked against.
 * The kernel's own DAC check has already passed; this only narrows it.
 *
 * inode_permission runs for every path component of every lookup on the
 * system, so tasks in the initial namespace leave after one pointer
 * comparison, and nothing is looked up until an unmapped owner is seen.
 */
#ifndef UG_RULE_RESTRICTIVE_BPF_H
#define UG_RULE_RESTRICTIVE_BPF_H

#include "memo.bpf.h"
#include "mount.bpf.h"
#include "nowalk.bpf.h"
#include "userns_walk.bpf.h"

/* include/linux/fs.h */
#define MAY_EXEC 0x1
#define MAY_WRITE 0x2
#define MAY_READ 0x4
#define UG_MAY_RWX (MAY_READ | MAY_WRITE | MAY_EXEC)
#define S_IFMT 00170000
#define S_IFDIR 0040000

/* include/uapi/linux/posix_acl.h, include/linux/fs.h */
#define ACL_USER 0x02
#define ACL_NOT_CACHED (-1UL)

struct ug_acl_scan {
	unsigned long base; /* scalar address of a_entries[0] */
	__u32 entry_size;
	__u32 uid; /* kernel id of the named-user entry wanted */
	bool found;
};

static long ug_acl_scan_one(__u32 index, void *ctx)
{
	struct ug_acl_scan *scan = ctx;
	struct posix_acl_entry entry;

	if (bpf_probe_read_kernel(&entry, sizeof(entry),
				  (const void *)(scan->base + index * scan->entry_size)))
		return 1;
	if (entry.e_tag == ACL_USER && entry.e_uid.val == scan->uid) {
		scan->found = true;
		return 1;
	}
	return 0;
}

/*
 * Whether the inode's access ACL has a named-user entry for kernel uid
 * @kuid: then that user-class entry decides the access and no group-class
 * entry could have been a negative ACL. The kernel's own DAC check ran
 * first and cached the ACL; an ACL that is not cached is treated as
 * having no such entry (the rule then narrows: the safe side).
 */
static __always_inline bool ug_acl_names_user(const struct inode *inode, __u32 kuid)
{
	struct ug_acl_scan scan = { .uid = kuid };
	unsigned long acl = (unsigned long)BPF_CORE_READ(inode, i_acl);
	__u32 count;

	if (!acl || acl == ACL_NOT_CACHED || kuid == UG_INVALID_ID)
		return false;
	count = BPF_CORE_READ((struct posix_acl *)acl, a_count);
	scan.base = acl + bpf_core_field_offset(struct posix_acl, a_entries);
	scan.entry_size = bpf_core_type_size(struct posix_acl_entry);
	bpf_loop(count, ug_acl_scan_one, &scan, 0);
	return scan.found;
}

/*
 * Whether every one of the owner, group and other triplets of @mode grants
 * @want. Then the rule has nothing to narrow, whoever owns the inode: the
 * callers ask this first, before any lookup (0755 directories searched,
 * 0644 files read: most accesses end here).
 */
static __always_inline bool ug_all_triplets_grant(__u32 mode, __u32 want)
{
	return !(want & ~((mode >> 6) & (mode >> 3) & mode));
}

/*
 * A task's namespace is covered unless the policy narrows the scope. An
 * owner scope covers the namespaces that host uid created and everything
 * nested below them: one more unshare(CLONE_NEWUSER) inside a covered
 * container (its owner is the container's own id) does not leave it. The
 * initial namespace has no creator and never matches.
 */
static __always_inline bool ug_in_scope(const struct ug_policy *policy, __u32 slot, __u32 rule,
					struct user_namespace *ns)
{
	struct ug_ns_walk walk = {
		.ns = (__u64)ns,
		.slot = slot,
		.rule = rule,
		.test = UG_NS_OWNER_LISTED,
	};

	if (rule >= UG_RULE_COUNT || !policy->scoped[rule])
		return true;
	return ug_ns_walk(&walk) || ug_cgroup_matches(slot, rule, UG_SCOPE_CGROUP);
}

/* include/uapi/linux/magic.h */
#define PROC_SUPER_MAGIC 0x9fa0

/*
 * Whether the inode at @inode is one of the current thread group's own
 * /proc/<pid> entries. procfs owns a non-dumpable task's entries by the
 * root of the namespace its mm was created in (task_dump_owner()), often
 * the host's root, and proc_fd_permission() grants a task its own fd
 * directory beyond DAC: a container runtime opening /proc/self/fd/N right
 * after entering its namespace (systemd-nspawn does) would be refused. An
 * entry that describes the task itself hides nothing from it.
 */
static __always_inline bool ug_proc_own(__u64 inode)
{
	struct task_struct *task;
	struct pid *pid;
	__u64 node;

	if (BPF_CORE_READ((struct inode *)inode, i_sb, s_magic) != PROC_SUPER_MAGIC)
		return false;
	pid = BPF_CORE_READ((struct proc_inode *)(inode - bpf_core_field_offset(struct proc_inode,
									    vfs_inode)),
			    pid);
	if (!pid)
		return false;
	node = (__u64)BPF_CORE_READ(pid, tasks[PIDTYPE_PID].first);
	if (!node)
		return false;
	task = (struct task_struct *)(node - bpf_core_field_offset(struct task_struct, pid_links));
	return BPF_CORE_READ(task, signal) == bpf_get_current_task_btf()->signal;
}

/*
 * What ug_narrow() judges: @want on the inode at @inode, reached through a
 * mount that shows ids as @view. Plain numbers: ug_narrow() is a global
 * subprogram, and 6.1 passes a global subprogram nothing it may
 * dereference.
 */
struct ug_narrow_req {
	__u64 inode;
	struct ug_view view;
	__u32 want;
};

/*
 * The rule itself, for the current task, whose namespace is not the
 * initial one, when not every triplet grants @req->want (callers check
 * ug_all_triplets_grant() first). 0 or -EACCES (0 in audit mode).
 * A global subprogram: the verifier checks it once, however many callers
 * it has (the walk, and each view of a superblock when no walk says which
 * mount the access goes through). Its inode is known only by address, so
 * it reads inode fields with probe reads; it is reached only once the
 * owner or group is not plainly shown, never on the allowed path of a
 * lookup.
 */
__noinline int ug_narrow(const struct ug_narrow_req *req)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct cred *cred = task->cred;
	struct user_namespace *ns = cred->user_ns;
	const struct inode *inode;
	const struct ug_policy *policy;
	__u32 path_uid, path_gid, owner_uid, owner_gid, slot;
	bool uid_mapped, gid_mapped;
	struct ug_event ev;
	__u64 fs_ns;

	if (!req)
		return 0;
	policy = ug_rule_policy(UG_RULE_MOST_RESTRICTIVE, &slot);
	if (!policy)
		return 0;
	inode = (const struct inode *)req->inode;
	owner_uid = BPF_CORE_READ(inode, i_uid.val);
	owner_gid = BPF_CORE_READ(inode, i_gid.val);
	fs_ns = (__u64)BPF_CORE_READ(inode, i_sb, s_user_ns);
	path_uid = owner_uid;
	path_gid = owner_gid;
	if (req->view.unmapped) {
		path_uid = UG_INVALID_ID;
		path_gid = UG_INVALID_ID;
	} else if (req->view.uid_map) {
		path_uid = ug_path_id(req->view.uid_map, fs_ns, owner_uid, false);
		path_gid = ug_path_id(req->view.gid_map, fs_ns, owner_gid, true);
	}
	/* Off the allowed path of a lookup: no memo (and no stack for one). */
	uid_mapped = path_uid != UG_INVALID_ID &&
		     ug_map_id(&ns->uid_map, path_uid, UG_IDMAP_UP) != UG_INVALID_ID;
	gid_mapped = path_gid != UG_INVALID_ID &&
		     ug_map_id(&ns->gid_map, path_gid, UG_IDMAP_UP) != UG_INVALID_ID;
	if (uid_mapped && gid_mapped)
		return 0;

	/*
	 * The owner's own access is decided by the owner triplet alone (for
	 * an ACL too: the owner is its user-class entry), so no group entry
	 * can have been a negative ACL for it: nothing to narrow. The owner is
	 * whoever holds the owner's kernel uid, as the kernel's DAC check
	 * decides, even when its own namespace cannot name it: right after
	 * unshare(CLONE_NEWUSER) a task writes its own /proc/self/uid_map
	 * before any map exists (unshare -r, bwrap, newuidmap's callers).
	 */
	if (path_uid != UG_INVALID_ID && cred->fsuid.val == path_uid)
		return 0;
	if (!ug_in_scope(policy, slot, UG_RULE_MOST_RESTRICTIVE, ns) || ug_proc_own(req->inode))
		return 0;
	/* A named-user ACL entry for the caller is user-class too. */
	if (!req->view.unmapped &&
	    ug_acl_names_user(inode, ug_unpath_id(req->view.uid_map, fs_ns, cred->fsuid.val, false)))
		return 0;

	ug_event_start(&ev, UG_OP_ACCESS);
	ev.mask = req->want;
	ev.path_uid = path_uid;
	ev.path_gid = path_gid;
	ev.target_id = uid_mapped ? path_gid : path_uid;
	ev.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	ev.ino = BPF_CORE_READ(inode, i_ino);
	ev.mode = BPF_CORE_READ(inode, i_mode);
	ev.owner_uid = owner_uid;
	ev.owner_gid = owner_gid;
	return ug_judge(policy, slot, UG_RULE_MOST_RESTRICTIVE, &ev, ug_current_exe(), EACCES,
			UG_KILL_NEVER);
}

/*
 * Whether the namespace shows @inode's owner and group as they are: the
 * test of ug_owner_plainly_shown() below, for a view outside a walk known
 * not to be idmapped. Kept apart so that the walk's function stays small.
 */
static __noinline bool ug_owner_shown(struct ug_asker *asker, const struct inode *inode)
{
	struct user_namespace *ns = asker->cred->user_ns;

	return ug_ns_shows(asker, &ns->uid_map, inode->i_uid.val, false) &&
	       ug_ns_shows(asker, &ns->gid_map, inode->i_gid.val, true);
}

/*
 * No walk says which mount the access goes through (bpf/nowalk.bpf.h):
 * judge under every view it may have; the first narrowing wins.
 * Exec of a non-directory outside a walk is the set-id recheck inside
 * execve (6.11+): the exec was judged when the binary was opened, where a
 * refusal is visible; refusing the recheck would only turn a set-id exec
 * silently into one that does not elevate (README "Rule 2").
 */
static __always_inline int ug_judge_nowalk(struct ug_asker *asker, struct inode *inode,
					   struct ug_narrow_req *req)
{
	struct ug_hint *hint;
	__u32 n, i;
	int err;

	if (req->want == MAY_EXEC && (inode->i_mode & S_IFMT) != S_IFDIR)
		return 0;
	if (ug_sb_mounts_chained() ? ug_sb_all_plain(inode->i_sb) :
				     ug_sb_one_plain_mount(asker->task, inode->i_sb)) {
		/* req->view is the plain view its caller started with. */
		if (ug_owner_shown(asker, inode))
			return 0;
		return ug_narrow(req);
	}
	hint = ug_nowalk_views(asker->task, inode);
	if (!hint) {
		req->view.uid_map = 0;
		req->view.gid_map = 0;
		req->view.unmapped = 1;
		return ug_narrow(req);
	}
	n = hint->scan.nviews;
	for (i = 0; i < UG_SCAN_VIEWS; i++) {
		if (i >= n)
			break;
		req->view = hint->scan.views[i];
		/* A view that is not idmapped: the walk's memoized test first. */
		if (!req->view.unmapped && !req->view.uid_map && ug_owner_shown(asker, inode))
			continue;
		err = ug_narrow(req);
		if (err)
			return err;
	}
	return 0;
}

/*
 * The allowed path of nearly every lookup a namespaced task makes: a mount
 * that is not idmapped, and an owner and group that the namespace's maps
 * both show. True only when that is certain; false means "judge it
 * fully", never "deny". A small function of its own: with few values live
 * the compiler keeps them in registers, and this runs per path component.
 */
static __noinline bool ug_owner_plainly_shown(struct ug_asker *asker, struct user_namespace *ns,
					      const struct inode *inode, const struct vfsmount *mnt)
{
	if (ug_mount_idmap(mnt, false))
		return false;
	return ug_ns_shows(asker, &ns->uid_map, inode->i_uid.val, false) &&
	       ug_ns_shows(asker, &ns->gid_map, inode->i_gid.val, true);
}

/*
 * Everything after "the task is in a user namespace". A function of its
 * own, so that the hook's path for the initial namespace, which is nearly
 * every call on a host, saves and restores as few registers as it can.
 * inode_permission() is not given a mount: during a path walk (open, exec,
 * every lookup, io_uring opens) the walk's nameidata holds it; outside one
 * bpf/nowalk.bpf.h finds it. A walk on another superblock is an overlayfs
 * checking its layers with the mounter's credentials: the overlay's own
 * inode was judged in the walk, and the layer check is not narrowed.
 */
static __noinline int ug_inode_permission_ns(struct task_struct *task, const struct cred *cred,
					     struct user_namespace *ns, struct inode *inode,
					     __u32 want)
{
	struct ug_asker asker = { .task = task, .cred = cred };
	struct ug_narrow_req req = { .want = want };
	struct nameidata *nd = task->nameidata;
	const struct vfsmount *mnt = nd ? nd->path.mnt : NULL;

	/*
	 * No policy lookup here: this program is attached only while rule 2
	 * is on (user/prog_needs.c), and ug_narrow(), the only way to a
	 * denial, looks the policy up itself. While a load that turns the
	 * rule off detaches, an allowed check costs what it costs with the
	 * rule on; nothing is refused.
	 */
	req.inode = (__u64)inode;
	if (!mnt)
		return ug_judge_nowalk(&asker, inode, &req);
	if (mnt->mnt_sb != inode->i_sb || ug_owner_plainly_shown(&asker, ns, inode, mnt))
		return 0;
	ug_mount_view(mnt, &req.view);
	return ug_narrow(&req);
}

/*
 * Raw context: each argument is read only where it is needed. The mode
 * test comes first: it needs no helper call, and it ends nearly every
 * call whoever makes it (directories searched, files read); the
 * namespace is looked at only for the rest.
 */
SEC("lsm/inode_permission")
int ug_inode_permission(__u64 *ctx)
{
	int ret = (int)ctx[2];
	struct user_namespace *ns;
	struct task_struct *task;
	const struct cred *cred;
	struct inode *inode;
	__u32 want;

	if (ret)
		return ug_verdict(ret); /* an earlier program's denial stands */
	want = (__u32)ctx[1] & UG_MAY_RWX;
	inode = (struct inode *)ctx[0];
	if (ug_all_triplets_grant(inode->i_mode, want))
		return ug_verdict(0);
	task = bpf_get_current_task_btf();
	cred = task->cred;
	ns = cred->user_ns;
	if (ug_is_init_ns(ns))
		return ug_verdict(0);
	return ug_verdict(ug_inode_permission_ns(task, cred, ns, inode, want));
}

#endif /* UG_RULE_RESTRICTIVE_BPF_H */
