/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rule 3, shift-marks (seeds 000 and 001): a uid-shifted view of a tree,
 * today an idmapped mount, may exist only where the host marked the tree
 * "shiftable by" the namespace's mapped root, with the on-disk origin id
 * appearing as that root. Judged on every way a view is made or used:
 * attaching it (move_mount), and using it (file_open, and the path hooks
 * for names and metadata), which also covers a detached tree used through
 * its fd, a bind of an authorized view elsewhere, and flags changed by
 * mount_setattr(), which has no hook. Marks are (s_dev, inode) pairs, so
 * paths, symlinks and ".." never enter the decision.
 */
#ifndef UG_RULE_SHIFT_BPF_H
#define UG_RULE_SHIFT_BPF_H

#include "mount.bpf.h"

/* include/linux/mount.h, include/linux/fs.h */
#define MNT_READONLY 0x40
#define FMODE_WRITE 0x2

struct ug_mark_walk {
	__u64 dentry;
	struct ug_mark_key key;
	struct ug_mark mark;
	bool found;
	bool root; /* the walk reached the filesystem's root */
};

static long ug_mark_walk_one(__u32 index, void *ctx)
{
	struct ug_mark_walk *w = ctx;
	const struct dentry *dentry = (const struct dentry *)w->dentry;
	const struct inode *inode = BPF_CORE_READ(dentry, d_inode);
	const struct ug_mark *mark;
	__u64 parent;

	if (inode) {
		w->key.ino = BPF_CORE_READ(inode, i_ino);
		mark = bpf_map_lookup_elem(&ug_marks, &w->key);
		if (mark) {
			w->mark = *mark;
			w->found = true;
			return 1;
		}
	}
	parent = (__u64)BPF_CORE_READ(dentry, d_parent);
	if (!parent || parent == w->dentry) {
		w->root = true;
		return 1;
	}
	w->dentry = parent;
	return 0;
}

/*
 * The mark on @dentry (a view's root directory, or the inode a metadata
 * write reaches) or on the nearest parent with one, on device @dev, copied
 * to @mark. 1 when found, 0 when the walk reached the filesystem's root
 * without one, -1 when it did not reach the root (UG_MARK_MAX_DEPTH
 * levels: the caller fails closed). A bpf_loop(): the verifier checks one
 * level, however deep the walk goes.
 */
static __always_inline int ug_find_mark(__u32 slot, struct dentry *dentry, __u32 dev,
					struct ug_event *ev, struct ug_mark *mark)
{
	struct ug_mark_walk w = { .dentry = (__u64)dentry, .key = { .slot = slot, .dev = dev } };
	struct inode *inode = dentry ? dentry->d_inode : NULL;

	ev->dev = dev;
	if (inode) {
		/* The event describes the view's root directory. */
		ev->ino = inode->i_ino;
		ev->mode = inode->i_mode;
		ev->owner_uid = inode->i_uid.val;
		ev->owner_gid = inode->i_gid.val;
	}
	if (!dentry)
		return -1;
	bpf_loop(UG_MARK_MAX_DEPTH, ug_mark_walk_one, &w, 0);
	if (w.found) {
		*mark = w.mark;
		return 1;
	}
	return w.root ? 0 : -1;
}

/*
 * Scalar address of the uid_gid_map a mount applies: the extents are read
 * with probe reads inside bpf_loop(), which cannot take typed pointers.
 */
static __always_inline unsigned long ug_mount_map_addr(const struct vfsmount *mnt, bool gid)
{
	if (bpf_core_field_exists(struct vfsmount___mnt_idmap, mnt_idmap)) {
		unsigned long idmap = (unsigned long)BPF_CORE_READ(
			(const struct vfsmount___mnt_idmap *)mnt, mnt_idmap);

		return idmap + (gid ? bpf_core_field_offset(struct mnt_idmap, gid_map) :
				      bpf_core_field_offset(struct mnt_idmap, uid_map));
	} else {
		unsigned long ns = (unsigned long)BPF_CORE_READ(
			(const struct vfsmount___mnt_userns *)mnt, mnt_userns);

		return ns + (gid ? bpf_core_field_offset(struct user_namespace, gid_map) :
				   bpf_core_field_offset(struct user_namespace, uid_map));
	}
}

struct ug_shift_scan {
	unsigned long extents; /* scalar address of the first extent */
	__u32 origin, target, range;
	bool conforms;    /* every extent so far is inside the marked shift */
	bool maps_origin; /* some extent sends origin to target */
	struct ug_extent first;
};

static long ug_shift_scan_one(__u32 index, void *ctx)
{
	struct ug_shift_scan *scan = ctx;
	struct ug_extent e;
	__u64 offset;

	if (bpf_probe_read_kernel(&e, sizeof(e),
				  (const void *)(scan->extents + index * sizeof(e)))) {
		scan->conforms = false;
		return 1;
	}
	if (index == 0)
		scan->first = e;
	/* On disk [first, first+count) must sit in [origin, origin+range) ... */
	offset = (__u64)e.first - scan->origin;
	if (e.first < scan->origin || offset + e.count > scan->range ||
	    /* ... and be shifted by exactly target - origin. */
	    e.lower_first != scan->target + (__u32)offset) {
		scan->conforms = false;
		return 1;
	}
	if (offset == 0)
		scan->maps_origin = true;
	return 0;
}

/*
 * Whether the mount's uid (or gid) idmap is a sub-range of the marked
 * shift origin+k -> shiftable_by+k (k < range) that includes origin
 * itself: no id outside the range, host root included, can appear.
 */
static __always_inline bool ug_idmap_conforms(unsigned long map, bool gid,
					      const struct ug_mark *mark, struct ug_event *ev)
{
	struct ug_shift_scan scan = {
		.origin = mark->origin,
		.target = mark->shiftable_by,
		.range = mark->range,
		.conforms = true,
	};
	__u32 n = 0;

	if (bpf_probe_read_kernel(&n, sizeof(n),
				  (const void *)(map + bpf_core_field_offset(struct uid_gid_map,
									      nr_extents))))
		return false;
	if (n == 0 || n > UG_IDMAP_MAX_EXTENTS)
		return false;
	if (n > UG_IDMAP_BASE_EXTENTS) {
		if (bpf_probe_read_kernel(&scan.extents, sizeof(scan.extents),
					  (const void *)(map + bpf_core_field_offset(struct uid_gid_map,
										      forward))))
			return false;
	} else {
		scan.extents = map + bpf_core_field_offset(struct uid_gid_map, extent);
	}
	bpf_loop(n, ug_shift_scan_one, &scan, 0);
	if (!gid) {
		ev->idmap_first = scan.first.first;
		ev->idmap_lower = scan.first.lower_first;
		ev->idmap_count = scan.first.count;
	}
	return scan.conforms && scan.maps_origin;
}

/* A user namespace nests at most 32 levels deep (create_user_ns()). */
#define UG_USERNS_DEPTH 33

struct ug_ns_walk {
	__u64 ns;
	__u32 root; /* the host uid the namespace's root must be */
	bool found;
};

static long ug_ns_walk_one(__u32 index, void *ctx)
{
	struct ug_ns_walk *w = ctx;
	const struct user_namespace *ns = (const struct user_namespace *)w->ns;

	if (!ns || !BPF_CORE_READ(ns, level))
		return 1;
	if (ug_map_id_at(ug_ns_map_at(w->ns, false), 0, UG_IDMAP_DOWN) == w->root) {
		w->found = true;
		return 1;
	}
	w->ns = (__u64)BPF_CORE_READ(ns, parent);
	return 0;
}

/*
 * Whether @ns is the namespace whose root is host uid @root or nested
 * inside it: a container's own `unshare -r`, run by one of its users, is
 * still that container. A bpf_loop() over the ancestors: the verifier
 * checks one step, not 32.
 */
static __always_inline bool ug_ns_within(struct user_namespace *ns, __u32 root)
{
	struct ug_ns_walk w = { .ns = (__u64)ns, .root = root };

	bpf_loop(UG_USERNS_DEPTH, ug_ns_walk_one, &w, 0);
	return w.found;
}

enum ug_shift_use {
	UG_SHIFT_USE_ATTACH, /* the view is being attached: must itself be read-only for ro */
	UG_SHIFT_USE_READ,
	UG_SHIFT_USE_WRITE,
};

/* A view as a hook sees it. */
struct ug_shift_view {
	unsigned long uid_map, gid_map; /* the idmap's maps, by address */
	struct dentry *root;            /* where the mark is looked for */
	__u32 dev;
	bool readonly;                  /* the mount is read-only (attach only) */
};

/*
 * Judge a use of @view. 0 when allowed, else the verdict of ug_judge()
 * with EPERM (EROFS for writes through ro marks).
 */
static __always_inline int ug_shift_judge(const struct ug_shift_view *view, enum ug_shift_use use)
{
	const struct ug_policy *policy;
	struct user_namespace *ns;
	struct ug_mark m, *mark = &m;
	struct ug_event ev;
	int err = EPERM, found;
	__u32 slot;

	policy = ug_rule_policy(UG_RULE_SHIFT_MARKS, &slot);
	if (!policy)
		return 0;
	ns = bpf_get_current_task_btf()->cred->user_ns;
	ug_event_start(&ev, use == UG_SHIFT_USE_ATTACH ? UG_OP_SHIFT_ATTACH : UG_OP_SHIFT_USE);
	found = ug_find_mark(slot, view->root, view->dev, &ev, mark);
	if (found < 0) {
		/* Deeper than any walk reaches: whether a mark covers it is unknown. */
		ev.reason = UG_SHIFT_TOO_DEEP;
		goto refuse;
	}
	if (!found) {
		if (policy->shift_default_allow)
			return 0;
		ev.reason = UG_SHIFT_UNMARKED;
		goto refuse;
	}
	ev.mark_shiftable_by = mark->shiftable_by;
	ev.mark_origin = mark->origin;
	ev.mark_range = mark->range;
	if (!ug_idmap_conforms(view->uid_map, false, mark, &ev) ||
	    !ug_idmap_conforms(view->gid_map, true, mark, &ev)) {
		ev.reason = UG_SHIFT_BAD_IDMAP;
		goto refuse;
	}
	/* Only the namespace whose root is shiftable_by, and those nested in it, may use the view. */
	if (!ug_is_init_ns(ns) && !ug_ns_within(ns, mark->shiftable_by)) {
		ev.reason = UG_SHIFT_WRONG_NS;
		goto refuse;
	}
	if (mark->flags & UG_MARK_RO) {
		if (use == UG_SHIFT_USE_ATTACH && !view->readonly) {
			ev.reason = UG_SHIFT_NOT_RDONLY;
			goto refuse;
		}
		if (use == UG_SHIFT_USE_WRITE) {
			ev.reason = UG_SHIFT_WRITE;
			err = EROFS;
			goto refuse;
		}
	}
	return 0;
refuse:
	return ug_judge(policy, slot, UG_RULE_SHIFT_MARKS, &ev, ug_current_exe(), err,
			UG_KILL_NEVER);
}

/* Judge a use of idmapped mount @mnt; 0 at once for a mount that is not. */
static __always_inline int ug_shift_check(const struct vfsmount *mnt, enum ug_shift_use use)
{
	struct ug_shift_view view;

	/* Every open comes here: leave before anything else unless it is a shift. */
	if (!ug_mount_idmap(mnt, false))
		return 0;
	/*
	 * A filesystem a user namespace owns (a rootless container's tmpfs,
	 * mounted by it) is that namespace's, not a tree of the host's: marks
	 * are about host trees, and only the owner's root can idmap it.
	 */
	if (!ug_is_init_ns(mnt->mnt_sb->s_user_ns))
		return 0;
	view.uid_map = ug_mount_map_addr(mnt, false);
	view.gid_map = ug_mount_map_addr(mnt, true);
	view.root = mnt->mnt_root;
	view.dev = mnt->mnt_sb->s_dev;
	view.readonly = mnt->mnt_flags & MNT_READONLY;
	return ug_shift_judge(&view, use);
}

/*
 * Judge a write to @dentry through the idmap a hook was given instead of a
 * mount (xattrs, POSIX ACLs, times): struct mnt_idmap on 6.3+, the
 * mount's user namespace on 6.1. The mark is looked for from the written
 * inode up, so a write is judged by the tree the data is in. A subprogram:
 * several hooks call it.
 */
static __noinline int ug_shift_check_idmap(__u64 idmap, struct dentry *dentry)
{
	struct super_block *sb = dentry->d_sb;
	struct ug_shift_view view = { .root = dentry };

	if (!idmap || !ug_is_init_ns(sb->s_user_ns))
		return 0;
	if (bpf_core_field_exists(struct vfsmount___mnt_idmap, mnt_idmap)) {
		if (!BPF_CORE_READ((struct mnt_idmap *)idmap, uid_map.nr_extents) &&
		    !BPF_CORE_READ((struct mnt_idmap *)idmap, gid_map.nr_extents))
			return 0;
		view.uid_map = idmap + bpf_core_field_offset(struct mnt_idmap, uid_map);
		view.gid_map = idmap + bpf_core_field_offset(struct mnt_idmap, gid_map);
	} else {
		if (!BPF_CORE_READ((struct user_namespace *)idmap, level))
			return 0;
		view.uid_map = ug_ns_map_at(idmap, false);
		view.gid_map = ug_ns_map_at(idmap, true);
	}
	view.dev = sb->s_dev;
	return ug_shift_judge(&view, UG_SHIFT_USE_WRITE);
}

SEC("lsm/move_mount")
int BPF_PROG(ug_move_mount, const struct path *from_path, const struct path *to_path, int ret)
{
	if (ret)
		return ug_verdict(ret);
	return ug_verdict(ug_shift_check(from_path->mnt, UG_SHIFT_USE_ATTACH));
}

/* Every open through a shifted view, attached or a detached tree's fd. */
SEC("lsm/file_open")
int BPF_PROG(ug_file_open, struct file *file, int ret)
{
	if (ret)
		return ug_verdict(ret);
	return ug_verdict(ug_shift_check(file->f_path.mnt, file->f_mode & FMODE_WRITE ?
						     UG_SHIFT_USE_WRITE : UG_SHIFT_USE_READ));
}

#endif /* UG_RULE_SHIFT_BPF_H */
