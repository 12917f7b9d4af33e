/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which mount an access goes through when inode_permission() is called
 * outside a path walk (issue 14). The hook is given only the inode, and
 * the owner "as the access path shows it" depends on the mount's idmap.
 * Most of the kernel's DAC checks run after the walk has ended: creating
 * and removing names (may_create, may_delete), truncate(2), utimensat
 * with NULL times, user.* xattrs, inotify and fanotify marks, connect()
 * to a unix socket, O_TMPFILE, the moved directory of a rename, chdir,
 * faccessat (README "Rule 2" has the table). Two sources, in order:
 *
 *  - A hint. The path hooks (path_mknod, path_mkdir, path_unlink,
 *    path_rmdir, path_symlink, path_link, path_rename) run before the
 *    kernel's own check of the parent directory and are given its mount:
 *    they note the mount and the directories about to be checked in the
 *    task's storage. The check that follows finds its inode there.
 *
 *  - The superblock's mounts. Otherwise every mount of the inode's
 *    superblock in the caller's mount namespace is a path the access may
 *    have taken (all of its mounts if the namespace has none: a detached
 *    tree used by fd). If they all show ids the same way (nearly always:
 *    no idmapped mount of the filesystem at all, or a container that sees
 *    its filesystem only through its idmapped mount), that view decides.
 *    If they differ, every view is judged and any narrowing wins: the
 *    kernel leaves doubt, so the rule fails closed. A list longer than
 *    the walk's bound, or more distinct views than it keeps, is doubt too.
 *
 * The scan's answer is kept in the task's note for the next check on the
 * same superblock (issue 19: truncate(2) walked every mount each time).
 * It stays right while the caller's mount namespace keeps its mounts: the
 * kernel bumps mnt_namespace.event on every mount attached to or removed
 * from it (touch_mnt_namespace(): attach, propagation, umount), and an
 * attached mount's idmap never changes (mount_setattr() idmaps only
 * detached mounts). The namespace is named by its never-reused id, not
 * its address. Only a scan that found the superblock's mounts in the
 * caller's namespace is kept: a tree held by fd depends on every
 * namespace. A kernel without those fields simply scans every time.
 */
#ifndef UG_NOWALK_BPF_H
#define UG_NOWALK_BPF_H

#include "memo.bpf.h"
#include "sb_mounts.bpf.h"

/* Inodes one path operation asks about: both parents and, for rename, both children. */
#define UG_HINT_INODES 4
/* Mounts of one superblock walked before giving up (then: doubt). */
#define UG_SCAN_MOUNTS 4096
/* Distinct views kept; more is doubt. */
#define UG_SCAN_VIEWS 4

struct ug_scan {
	__u64 head;   /* &sb->s_mounts while it is a list_head */
	__u64 mount;  /* the next struct mount to visit; 0: none left */
	__u64 mnt_ns; /* only mounts of this namespace; 0: every mount */
	__u64 sb_ns;  /* the superblock's user namespace (6.1's no_idmapping()) */
	struct ug_view views[UG_SCAN_VIEWS];
	__u32 nviews;
	bool done;
};

/*
 * The task's own note, and the room to walk a superblock's mounts in: the
 * views do not fit the stack beside the event a denial builds.
 */
struct ug_hint {
	__u64 inode[UG_HINT_INODES];
	struct ug_view view;
	__u64 scratch; /* ug_addr_of() */
	struct ug_scan scan;
	/* scan.views answer for this superblock while set (see above). */
	__u64 kept_sb;
	__u64 kept_ns_id;
	__u64 kept_ns_event;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ug_hint);
} ug_hints SEC(".maps");

/* bpf_loop() takes its context on the stack: a pointer to the task's scan. */
struct ug_scan_ctx {
	struct ug_scan *scan;
};

/* The struct mount whose mnt_instance is at @node, 0 at the list's @head. */
static __always_inline __u64 ug_mount_of_node(__u64 node, __u64 head)
{
	if (!node || node == head)
		return 0;
	return node - bpf_core_field_offset(struct mount___list, mnt_instance);
}

/*
 * From a path hook: the kernel is about to check @a..@d (NULL: unused),
 * all reached through @mnt. Only namespaced tasks under an active rule 2
 * pay for it. A later operation's hook replaces the note, so a stale note
 * can only be read by a check of the same inode made without a walk and
 * without a hook of its own before it (README "Known limits").
 */
static __noinline void ug_hint_set(const struct vfsmount *mnt, const struct inode *a,
				   const struct inode *b, const struct dentry *c,
				   const struct dentry *d)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct ug_hint *hint;
	__u32 slot;

	if (ug_is_init_ns(task->cred->user_ns) ||
	    !ug_rule_policy(UG_RULE_MOST_RESTRICTIVE, &slot))
		return;
	hint = bpf_task_storage_get(&ug_hints, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!hint)
		return;
	hint->inode[0] = (__u64)a;
	hint->inode[1] = (__u64)b;
	hint->inode[2] = c ? (__u64)c->d_inode : 0;
	hint->inode[3] = d ? (__u64)d->d_inode : 0;
	ug_mount_view(mnt, &hint->view);
}

static __always_inline bool ug_view_same(const struct ug_view *a, const struct ug_view *b)
{
	return a->uid_map == b->uid_map && a->gid_map == b->gid_map;
}

static long ug_scan_one(__u32 index, void *ctx)
{
	struct ug_scan *s = ((struct ug_scan_ctx *)ctx)->scan;
	struct ug_view view;
	__u64 mount = s->mount;
	__u32 n = s->nviews;

	if (!mount) {
		s->done = true;
		return 1;
	}
	if (ug_sb_mounts_chained())
		s->mount = (__u64)BPF_CORE_READ((struct mount___chain *)mount, mnt_next_for_sb);
	else
		s->mount = ug_mount_of_node(
			(__u64)BPF_CORE_READ((struct mount___list *)mount, mnt_instance.next),
			s->head);
	if (s->mnt_ns && (__u64)BPF_CORE_READ((struct mount___list *)mount, mnt_ns) != s->mnt_ns)
		return 0;
	ug_idmap_view(ug_mount_idmap_at(mount + bpf_core_field_offset(struct mount___list, mnt)),
		      s->sb_ns, &view);
	if ((n > 0 && ug_view_same(&s->views[0], &view)) ||
	    (n > 1 && ug_view_same(&s->views[1], &view)) ||
	    (n > 2 && ug_view_same(&s->views[2], &view)) ||
	    (n > 3 && ug_view_same(&s->views[3], &view)))
		return 0;
	if (n >= UG_SCAN_VIEWS)
		return 1; /* not done: doubt */
	s->views[n] = view;
	s->nviews = n + 1;
	return 0;
}

/* The first of @sb's mounts, 0 if none. */
static __always_inline __u64 ug_sb_first_mount(struct super_block *sb, struct ug_scan *scan)
{
	if (ug_sb_mounts_chained())
		return (__u64)BPF_CORE_READ((struct super_block___chain *)sb, s_mounts);
	return ug_mount_of_node(
		(__u64)BPF_CORE_READ((struct super_block___list *)sb, s_mounts.next), scan->head);
}

/*
 * The views under which @inode may be reached by the current task when no
 * walk says: from its hint, else from the superblock's mounts. Returns the
 * task's note with scan.views/scan.nviews filled (a single "unmapped" view
 * on doubt), or NULL when the task has no storage (then: doubt).
 */
static __noinline struct ug_hint *ug_nowalk_views(struct task_struct *task,
						  const struct inode *inode)
{
	struct super_block *sb = inode->i_sb;
	struct ug_hint *hint;
	struct ug_scan *scan;
	struct mnt_namespace *mnt_ns = task->nsproxy->mnt_ns;
	struct ug_scan_ctx ctx;
	__u64 addr, ns_id, ns_event;

	hint = bpf_task_storage_get(&ug_hints, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!hint)
		return NULL;
	scan = &hint->scan;
	ctx.scan = scan;
	addr = ug_addr_of(inode, &hint->scratch);
	if (hint->inode[0] == addr || hint->inode[1] == addr || hint->inode[2] == addr ||
	    hint->inode[3] == addr) {
		hint->kept_sb = 0; /* scan.views now holds the hint's view */
		scan->views[0] = hint->view;
		scan->nviews = 1;
		return hint;
	}
	ns_id = ug_mnt_ns_id(mnt_ns);
	ns_event = ug_mnt_ns_event(mnt_ns);
	if (ns_id && hint->kept_ns_id == ns_id && hint->kept_ns_event == ns_event &&
	    hint->kept_sb == ug_addr_of(sb, &hint->scratch) && scan->nviews)
		return hint;
	/* Noted before the scan: a change during it makes the next check scan again. */
	hint->kept_sb = 0;
	hint->kept_ns_id = ns_id;
	hint->kept_ns_event = ns_event;
	scan->nviews = 0;
	scan->done = false;
	if (!ug_sb_mounts_chained())
		scan->head = ug_addr_of(&((struct super_block___list *)sb)->s_mounts, &hint->scratch);
	scan->sb_ns = ug_addr_of(sb->s_user_ns, &hint->scratch);
	scan->mnt_ns = ug_addr_of(mnt_ns, &hint->scratch);
	scan->mount = ug_sb_first_mount(sb, scan);
	bpf_loop(UG_SCAN_MOUNTS, ug_scan_one, &ctx, 0);
	if (scan->done && scan->nviews && hint->kept_ns_id)
		hint->kept_sb = ug_addr_of(sb, &hint->scratch);
	if (scan->done && !scan->nviews) {
		/* No mount in the caller's namespace: a tree it holds by fd. */
		scan->mnt_ns = 0;
		scan->done = false;
		scan->mount = ug_sb_first_mount(sb, scan);
		bpf_loop(UG_SCAN_MOUNTS, ug_scan_one, &ctx, 0);
	}
	if (scan->done && scan->nviews)
		return hint;
	scan->views[0].uid_map = 0;
	scan->views[0].gid_map = 0;
	/* Done without a mount: an internal superblock, ids as they are. */
	scan->views[0].unmapped = !scan->done;
	scan->nviews = 1;
	return hint;
}

#endif /* UG_NOWALK_BPF_H */
