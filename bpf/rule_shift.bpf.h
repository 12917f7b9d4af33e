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
#include "userns_walk.bpf.h"

/* include/linux/mount.h, include/linux/fs.h */
#define MNT_READONLY 0x40
#define FMODE_WRITE 0x2

struct ug_mark_walk {
	__u64 dentry;
	struct ug_mark_key key; /* when found: the mark's (looked up again, off the walk's frame) */
	bool found;
	bool runtime; /* found in ug_runtime_marks */
	bool contains; /* the walk began at a directory above a mark */
	bool root;     /* the walk reached the filesystem's root, or left the marks' reach */
};

/*
 * The file policy's mark (or directory above one) at @key, else a runtime
 * mark's, which are kept under slot 0 whatever the active slot; *@runtime
 * says which. @key's slot is the active one again on return.
 */
static __always_inline const struct ug_mark *ug_mark_lookup(struct ug_mark_key *key,
							    bool *runtime)
{
	const struct ug_mark *mark = bpf_map_lookup_elem(&ug_marks, key);
	__u32 slot = key->slot;

	*runtime = false;
	if (mark)
		return mark;
	key->slot = 0;
	mark = bpf_map_lookup_elem(&ug_runtime_marks, key);
	key->slot = slot;
	*runtime = mark != NULL;
	return mark;
}

static long ug_mark_walk_one(__u32 index, void *ctx)
{
	struct ug_mark_walk *w = ctx;
	const struct dentry *dentry = (const struct dentry *)w->dentry;
	const struct inode *inode = BPF_CORE_READ(dentry, d_inode);
	const struct ug_mark *mark;
	__u64 parent;

	if (inode) {
		w->key.ino = BPF_CORE_READ(inode, i_ino);
		mark = ug_mark_lookup(&w->key, &w->runtime);
		if (mark && (mark->flags & UG_MARK_ANCESTOR)) {
			/*
			 * Above a mark, so in none: marks do not nest (refused at
			 * load), so nothing further up is a mark either.
			 */
			if (index == 0)
				w->contains = true;
			else
				w->root = true;
			return 1;
		}
		if (mark) {
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

enum ug_mark_found {
	UG_MARK_NONE,      /* no mark on the way to the filesystem's root */
	UG_MARK_FOUND,
	UG_MARK_CONTAINED, /* the start is above a mark: contains a marked tree */
	UG_MARK_UNKNOWN,   /* the walk did not reach the root: the caller fails closed */
};

/*
 * The mark on the dentry at @dentry or on the nearest parent with one, on
 * device @dev, copied to @mark. A bpf_loop(): the verifier checks one
 * level, however deep the walk goes (UG_MARK_MAX_DEPTH levels). A
 * subprogram, like ug_idmap_conforms(): the walk's state stays out of the
 * judging frame, which 6.1's verifier adds to the namespace walk's along
 * one chain.
 */
static __noinline enum ug_mark_found ug_find_mark(__u32 slot, __u64 dentry, __u32 dev,
						  struct ug_mark *mark)
{
	struct ug_mark_walk w = { .dentry = dentry, .key = { .slot = slot, .dev = dev } };
	const struct ug_mark *found;

	if (!dentry)
		return UG_MARK_UNKNOWN;
	bpf_loop(UG_MARK_MAX_DEPTH, ug_mark_walk_one, &w, 0);
	if (w.contains)
		return UG_MARK_CONTAINED;
	if (w.found) {
		/* A copy of the mark would sit in every walk's frame (6.1: 512 bytes in all). */
		if (w.runtime)
			w.key.slot = 0;
		found = bpf_map_lookup_elem(w.runtime ? (void *)&ug_runtime_marks : (void *)&ug_marks,
					    &w.key);
		if (!found)
			return UG_MARK_UNKNOWN;
		*mark = *found;
		return UG_MARK_FOUND;
	}
	return w.root ? UG_MARK_NONE : UG_MARK_UNKNOWN;
}

/* Whether the dentry at @dentry is a directory above a mark on device @dev. */
static __always_inline bool ug_above_mark(__u32 slot, __u64 dentry, __u32 dev)
{
	struct ug_mark_key key = { .slot = slot, .dev = dev };
	const struct inode *inode = BPF_CORE_READ((struct dentry *)dentry, d_inode);
	const struct ug_mark *mark;
	bool runtime;

	if (!inode)
		return false;
	key.ino = BPF_CORE_READ(inode, i_ino);
	mark = ug_mark_lookup(&key, &runtime);
	return mark && (mark->flags & UG_MARK_ANCESTOR);
}

/* The event describes the view's root directory (or the inode written). */
static __always_inline void ug_shift_describe(struct ug_event *ev, __u64 dentry, __u32 dev)
{
	const struct inode *inode = dentry ? BPF_CORE_READ((struct dentry *)dentry, d_inode) : NULL;

	ev->dev = dev;
	if (inode) {
		ev->ino = BPF_CORE_READ(inode, i_ino);
		ev->mode = BPF_CORE_READ(inode, i_mode);
		ev->owner_uid = BPF_CORE_READ(inode, i_uid.val);
		ev->owner_gid = BPF_CORE_READ(inode, i_gid.val);
	}
}

struct ug_shift_scan {
	unsigned long extents; /* scalar address of the first extent */
	/*
	 * target: the mark's root, or for a pool UG_INVALID_ID until an
	 * extent implies one. No separate "known" flag: a flag set to a
	 * constant is one more state at the callback's entry that the
	 * verifier must walk again before its states converge.
	 */
	__u32 origin, target, range;
	__u32 pool_first, pool_size, block; /* a pool mark: target is found, not given */
	bool conforms;    /* every extent so far is inside the marked shift */
	bool maps_origin; /* some extent sends origin to target */
	struct ug_extent bad; /* the first extent outside the mark (count 0: none) */
};

/*
 * The one extent a mark tolerates besides its shift: systemd-nspawn 252's
 * "--private-users-ownership=map" maps a single on-disk id outside the
 * marked range (2147483646) to host root, so that nspawn, as host root,
 * can create files in the tree. It shows no marked id and no other
 * tenant's ids: files the tenant can make are all inside the range.
 * Never on-disk root, and never onto any host id but root.
 */
static __always_inline bool ug_extent_host_root_only(const struct ug_shift_scan *scan,
						     const struct ug_extent *e)
{
	return e->count == 1 && e->lower_first == 0 && e->first != 0 &&
	       (e->first < scan->origin || e->first - scan->origin >= scan->range);
}

static long ug_shift_scan_one(__u32 index, void *ctx)
{
	struct ug_shift_scan *scan = ctx;
	struct ug_extent e;
	__u64 offset;
	__u32 root;

	if (bpf_probe_read_kernel(&e, sizeof(e),
				  (const void *)(scan->extents + index * sizeof(e)))) {
		scan->conforms = false;
		return 1;
	}
	if (ug_extent_host_root_only(scan, &e))
		return 0;
	/* On disk [first, first+count) must sit in [origin, origin+range) ... */
	offset = (__u64)e.first - scan->origin;
	if (e.first < scan->origin || offset + e.count > scan->range)
		goto bad;
	/* ... a pool's root is the one this extent implies: in the pool, on a block ... */
	if (scan->target == UG_INVALID_ID) {
		root = e.lower_first - (__u32)offset;
		if (e.lower_first < (__u32)offset || root < scan->pool_first ||
		    root == UG_INVALID_ID ||
		    (__u64)root - scan->pool_first + scan->range > scan->pool_size ||
		    (root - scan->pool_first) % scan->block)
			goto bad;
		scan->target = root;
	}
	/* ... and be shifted by exactly target - origin. */
	if (e.lower_first != scan->target + (__u32)offset)
		goto bad;
	if (offset == 0)
		scan->maps_origin = true;
	return 0;
bad:
	scan->bad = e;
	scan->conforms = false;
	return 1;
}

/*
 * What the judge found about a refused view: the event is built from it
 * afterwards (ug_shift_refuse()), so the 192-byte event is never in a
 * frame beside the walks' and the scan's (6.1: 512 bytes along a chain).
 * All 32-bit fields: no padding, as a global subprogram's argument needs.
 */
struct ug_shift_finding {
	__u32 slot;           /* the policy slot judged by */
	__u32 reason;         /* enum ug_shift_reason */
	__u32 err;            /* EPERM, or EROFS for a write through a ro mark */
	__u32 shiftable_by;   /* the root the view shows origin as (a pool's: the uid map's) */
	__u32 origin, range;  /* the mark's */
	__u32 idmap_nr;       /* the uid map's extents ... */
	struct ug_extent first; /* ... and its first one */
	struct ug_extent bad;   /* the first extent outside the mark (count 0: none) */
};

/*
 * Whether the mount's uid (or gid) idmap is a sub-range of the marked
 * shift origin+k -> root+k (k < range) that includes origin itself: no id
 * outside the range, host root included, can appear (but for the one
 * extent ug_extent_host_root_only() allows). The root is
 * @f->shiftable_by: the mark's, or for a pool UG_INVALID_ID, set here to
 * the root the uid map implies; the gid map must then imply the same.
 * 1 when it conforms, else 0.
 *
 * A global subprogram: the verifier checks it, and the scan's bpf_loop()
 * until its states converge, once, not for the uid and the gid map apart.
 * @mark and @f are the judge's own frame (never NULL).
 */
__noinline int ug_idmap_conforms(__u64 map, __u32 gid, const struct ug_mark *mark,
				 struct ug_shift_finding *f)
{
	struct ug_shift_scan scan;
	__u32 n = 0;

	if (!mark || !f)
		return 0;
	scan = (struct ug_shift_scan){
		.origin = mark->origin,
		.target = f->shiftable_by,
		.range = mark->range,
		.pool_first = mark->shiftable_by,
		.pool_size = mark->pool_size,
		.block = mark->block,
		.conforms = true,
	};
	if (bpf_probe_read_kernel(&n, sizeof(n),
				  (const void *)(map + bpf_core_field_offset(struct uid_gid_map,
									      nr_extents))))
		return 0;
	if (n == 0 || n > UG_IDMAP_MAX_EXTENTS)
		return 0;
	if (n > UG_IDMAP_BASE_EXTENTS) {
		if (bpf_probe_read_kernel(&scan.extents, sizeof(scan.extents),
					  (const void *)(map + bpf_core_field_offset(struct uid_gid_map,
										      forward))))
			return 0;
	} else {
		scan.extents = map + bpf_core_field_offset(struct uid_gid_map, extent);
	}
	bpf_loop(n, ug_shift_scan_one, &scan, 0);
	if (!gid) {
		if (bpf_probe_read_kernel(&f->first, sizeof(f->first), (const void *)scan.extents))
			f->first.count = 0;
		f->idmap_nr = n;
		f->bad = scan.bad;
	}
	if (!scan.conforms || !scan.maps_origin)
		return 0;
	f->shiftable_by = scan.target;
	return 1;
}

/*
 * Whether the namespace at @ns, or one it is nested in, has host uid @root
 * as its root: 1 or 0. A subprogram: the walk's state stays out of
 * ug_shift_judge()'s frame, which 6.1 adds to the mark walk's along the
 * deepest chain. Global, so checked once with @root unknown.
 */
__noinline int ug_ns_root_is(__u64 ns, __u32 root)
{
	struct ug_ns_walk walk = { .ns = ns, .test = UG_NS_ROOT_IS, .root = root };

	return ug_ns_walk(&walk);
}

enum ug_shift_use {
	UG_SHIFT_USE_ATTACH, /* the view is being attached: must itself be read-only for ro */
	UG_SHIFT_USE_READ,
	UG_SHIFT_USE_WRITE,
};

/*
 * A use of a view, as a hook sees it. Plain numbers: ug_shift_judge() is a
 * global subprogram, and 6.1 passes a global subprogram nothing it may
 * dereference. No padding: the verifier wants every byte of it written.
 */
struct ug_shift_req {
	__u64 uid_map, gid_map; /* the idmap's maps, by address */
	__u64 id;               /* the mount, or the idmap: audit reports once per id */
	__u64 root;             /* the mount's root dentry; 0 when only the idmap is known */
	__u64 at;               /* the dentry used: the mark is looked for from here up */
	__u32 dev;
	__u32 use;              /* enum ug_shift_use */
	__u32 readonly;         /* the mount is read-only (attach only) */
	__u32 unused;
};

/*
 * Judge a use of a view: 0 when allowed, 1 when refused, with @f saying
 * why. Nothing is reported here: the caller passes a refusal on to
 * ug_shift_refuse().
 *
 * A global subprogram: the verifier checks it once per program, with
 * nothing known of the request, instead of once for every state a hook
 * reaches it in (each hook's use, each of path_rename's two parents).
 * Inlined, it was two thirds of the 4.8 million instructions 6.18's
 * verifier processed for a load (about 280 s under TCG). It is reached
 * only for an idmapped view, never for an open or a name change through
 * a plain mount, so its probe reads cost nothing on the common path.
 */
__noinline int ug_shift_judge(const struct ug_shift_req *req, struct ug_shift_finding *f)
{
	const struct ug_policy *policy;
	struct ug_mark m = {};
	enum ug_mark_found found;
	__u32 slot;

	/* Never NULL (the caller's own frame): refused if it were. */
	if (!f)
		return 1;
	f->reason = UG_SHIFT_UNMARKED;
	f->err = EPERM;
	if (!req)
		return 1;
	policy = ug_rule_policy(UG_RULE_SHIFT_MARKS, &slot);
	if (!policy)
		return 0;
	f->slot = slot;
	/*
	 * A view rooted above a mark contains the marked tree: refused under
	 * every default, whatever is used through it. A use reached from
	 * outside the view's subtree (open_by_handle_at()) is judged by the
	 * tree of what is used.
	 */
	if (req->root && req->root != req->at && ug_above_mark(slot, req->root, req->dev))
		found = UG_MARK_CONTAINED;
	else
		found = ug_find_mark(slot, req->at, req->dev, &m);
	if (found == UG_MARK_CONTAINED) {
		f->reason = UG_SHIFT_CONTAINS_MARK;
		return 1;
	}
	if (found == UG_MARK_UNKNOWN) {
		/* Deeper than any walk reaches: whether a mark covers it is unknown. */
		f->reason = UG_SHIFT_TOO_DEEP;
		return 1;
	}
	if (found == UG_MARK_NONE)
		return policy->shift_default_allow ? 0 : 1; /* UG_SHIFT_UNMARKED */
	f->origin = m.origin;
	f->range = m.range;
	/* The root the view shows origin as: the mark's, or for a pool the one the uid map implies. */
	f->shiftable_by = m.flags & UG_MARK_POOL ? UG_INVALID_ID : m.shiftable_by;
	if (!ug_idmap_conforms(req->uid_map, 0, &m, f) ||
	    !ug_idmap_conforms(req->gid_map, 1, &m, f)) {
		f->shiftable_by = m.shiftable_by;
		f->reason = UG_SHIFT_BAD_IDMAP;
		return 1;
	}
	/* Only the namespace whose root is the view's root, and those nested in it, may use it. */
	if (!ug_is_init_ns(bpf_get_current_task_btf()->cred->user_ns) &&
	    !ug_ns_root_is((__u64)BPF_CORE_READ(bpf_get_current_task_btf(), cred, user_ns),
			   f->shiftable_by)) {
		f->reason = UG_SHIFT_WRONG_NS;
		return 1;
	}
	if (m.flags & UG_MARK_RO) {
		if (req->use == UG_SHIFT_USE_ATTACH && !req->readonly) {
			f->reason = UG_SHIFT_NOT_RDONLY;
			return 1;
		}
		if (req->use == UG_SHIFT_USE_WRITE) {
			f->reason = UG_SHIFT_WRITE;
			f->err = EROFS;
			return 1;
		}
	}
	return 0;
}

/*
 * A refused use of a view: the event, then ug_judge_once()'s verdict
 * (0 when exempted or audited). Global, for the same reason as the judge;
 * called by the judge's caller, so the event's frame never sits above the
 * judge's walks and scan.
 */
__noinline int ug_shift_refuse(const struct ug_shift_req *req, const struct ug_shift_finding *f)
{
	struct user_namespace *ns = bpf_get_current_task_btf()->cred->user_ns;
	const struct ug_policy *policy;
	struct ug_event ev;
	__u32 slot;
	bool attach;

	if (!req || !f)
		return -EPERM;
	/* The slot the judge read: the policy it judged by, whatever is active now. */
	slot = f->slot & 1;
	policy = bpf_map_lookup_elem(&ug_policy, &slot);
	if (!policy)
		return -EPERM;
	attach = req->use == UG_SHIFT_USE_ATTACH;
	ug_event_start(&ev, attach ? UG_OP_SHIFT_ATTACH : UG_OP_SHIFT_USE);
	ug_shift_describe(&ev, req->root ? req->root : req->at, req->dev);
	ev.reason = f->reason;
	ev.mark_shiftable_by = f->shiftable_by;
	ev.mark_origin = f->origin;
	ev.mark_range = f->range;
	ev.idmap_nr = f->idmap_nr;
	ev.idmap_first = f->first.first;
	ev.idmap_lower = f->first.lower_first;
	ev.idmap_count = f->first.count;
	ev.bad_first = f->bad.first;
	ev.bad_lower = f->bad.lower_first;
	ev.bad_count = f->bad.count;
	/* Attaching is reported every time; audited uses once per view and namespace. */
	return ug_judge_once(policy, slot, UG_RULE_SHIFT_MARKS, &ev, ug_current_exe(), f->err,
			     UG_KILL_NEVER, attach ? 0 : req->id, (__u64)ns);
}

/* Judge @req; report and decide a refusal. */
static __always_inline int ug_shift_decide(const struct ug_shift_req *req,
					   struct ug_shift_finding *f)
{
	if (!ug_shift_judge(req, f))
		return 0;
	return ug_shift_refuse(req, f);
}

/*
 * Judge a use of idmapped mount @mnt that reaches @at. A subprogram: its
 * frame (the request and the finding) stays off the stack of the hooks
 * that also judge rule 1 or 2, which 6.1's verifier would otherwise find
 * over 512 bytes along one call chain.
 */
static __noinline int ug_shift_check_mount(const struct vfsmount *mnt, struct dentry *at,
					   enum ug_shift_use use)
{
	struct ug_shift_req req = {
		.uid_map = (__u64)ug_mount_idmap(mnt, false),
		.gid_map = (__u64)ug_mount_idmap(mnt, true),
		.id = (__u64)mnt,
		.root = (__u64)mnt->mnt_root,
		.at = (__u64)at,
		.dev = mnt->mnt_sb->s_dev,
		.use = use,
		.readonly = !!(mnt->mnt_flags & MNT_READONLY),
	};
	struct ug_shift_finding f = {};

	/*
	 * A filesystem a user namespace owns (a rootless container's tmpfs,
	 * mounted by it) is that namespace's, not a tree of the host's: marks
	 * are about host trees, and only the owner's root can idmap it.
	 */
	if (!ug_is_init_ns(mnt->mnt_sb->s_user_ns))
		return 0;
	return ug_shift_decide(&req, &f);
}

/*
 * Judge a use of mount @mnt that reaches @at (the mount's root when
 * attaching); 0 at once, inline, for a mount that is not idmapped: every
 * open comes here.
 */
static __always_inline int ug_shift_check(const struct vfsmount *mnt, struct dentry *at,
					  enum ug_shift_use use)
{
	if (!ug_mount_idmap(mnt, false))
		return 0;
	return ug_shift_check_mount(mnt, at, use);
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
	struct ug_shift_req req = { .id = idmap, .at = (__u64)dentry, .use = UG_SHIFT_USE_WRITE };
	struct ug_shift_finding f = {};
	struct ug_view v;

	if (!ug_is_init_ns(sb->s_user_ns))
		return 0;
	ug_idmap_view(idmap, (__u64)sb->s_user_ns, &v);
	if (!v.uid_map)
		return 0;
	req.uid_map = v.uid_map;
	req.gid_map = v.gid_map;
	req.dev = sb->s_dev;
	return ug_shift_decide(&req, &f);
}

SEC("lsm/move_mount")
int BPF_PROG(ug_move_mount, const struct path *from_path, const struct path *to_path, int ret)
{
	if (ret)
		return ug_verdict(ret);
	return ug_verdict(ug_shift_check(from_path->mnt, from_path->mnt->mnt_root,
					 UG_SHIFT_USE_ATTACH));
}

/* Every open through a shifted view, attached or a detached tree's fd. */
SEC("lsm/file_open")
int BPF_PROG(ug_file_open, struct file *file, int ret)
{
	if (ret)
		return ug_verdict(ret);
	return ug_verdict(ug_shift_check(file->f_path.mnt, file->f_path.dentry,
					 file->f_mode & FMODE_WRITE ? UG_SHIFT_USE_WRITE :
								      UG_SHIFT_USE_READ));
}

#endif /* UG_RULE_SHIFT_BPF_H */
