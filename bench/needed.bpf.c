// SPDX-License-Identifier: GPL-2.0-only
/*
 * The needed floor (issue 19): the floor's empty programs, except that
 * inode_permission does what rule 2's answer cannot be had without, the
 * cheapest way known, inline, with no policy, subprogram call of its own
 * or event:
 *  - the mode, and whether every triplet grants the access (then nothing
 *    more: the rule has nothing to narrow);
 *  - the caller's user namespace (nothing more in the initial one);
 *  - the mount the access goes through: the walk's; outside a walk
 *    (truncate(2), creating names) every mount of the inode's superblock,
 *    which 6.18+ chains through typed pointers, and of which older kernels
 *    settle by typed loads only a single mount the task works in
 *    (bpf/sb_mounts.bpf.h); otherwise a task-storage note is cheaper than
 *    their probe reads (one lookup and the test that the caller's mount
 *    namespace has not changed);
 *  - the owner and group: against the first extent of a short map (the
 *    benchmark's namespaces map them there); a long map is not searched on
 *    every call by anyone, so one task-storage lookup stands for its memo
 *    (shared with the note: one lookup at most), with the read of its
 *    cred's generation that keeps a memo sound.
 * Rule 1's set*id and chown hooks read the ids they compare, rule 3's
 * chown, truncate, setattr and setxattr hooks whether the view is idmapped, and
 * cred_free advances the memo's generation (below). So "usernsguard / needed" is what
 * usernsguard adds to the work its rules require, on the cells where that
 * work alone costs more than 1.03 of the empty floor. The product's headers are included
 * for the reads only; their maps are declared here but never created
 * (bench/configs.c turns autocreate off).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "../bpf/sb_mounts.bpf.h"

#define NEEDED_MAY_RWX 7
#define NEEDED_INLINE_EXTENTS 5

struct needed_note {
	__u64 sb, ns_id, ns_event, cred;
	__u32 gen, uid, uid_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct needed_note);
} needed_notes SEC(".maps");

/* The answer goes nowhere, but the compiler must not drop the reads. */
static __always_inline void needed_keep(__u64 v)
{
	asm volatile("" : : "r"(v));
}

/*
 * A memo of a long map's answer per cred is only sound if a freed cred's
 * address can be told from its successor: one counter per address bucket,
 * advanced atomically when a cred is freed (bpf/memo.bpf.h has the why).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u32);
} needed_gen SEC(".maps");

/* The bucket of a cred's address: bits 6..17, as bpf/memo.bpf.h takes them. */
static __always_inline __u32 needed_bucket(const struct cred *cred)
{
	__u32 low;

	asm volatile("%[low] = %[ptr]" : [low] "=w"(low) : [ptr] "w"(cred));
	return (low >> 6) & 4095;
}

SEC("lsm/inode_permission")
int BPF_PROG(needed_inode_permission, struct inode *inode, int mask, int ret)
{
	struct user_namespace *ns;
	struct task_struct *task;
	struct needed_note *note;
	struct nameidata *nd;
	bool need_note = false, long_map;
	__u32 mode, want = mask & NEEDED_MAY_RWX;

	mode = inode->i_mode;
	if (ret || !(want & ~((mode >> 6) & (mode >> 3) & mode)))
		return ret;
	task = bpf_get_current_task_btf();
	ns = task->cred->user_ns;
	if (!ns->level)
		return 0;
	nd = task->nameidata;
	if (nd) {
		if (ug_mount_idmap(nd->path.mnt, false))
			return 0; /* an idmapped view: not a case the benchmark measures */
	} else if (ug_sb_mounts_chained()) {
		if (!ug_sb_all_plain(inode->i_sb))
			return 0;
	} else if (!ug_sb_one_plain_mount(task, inode->i_sb)) {
		need_note = true;
	}
	long_map = ns->uid_map.nr_extents > NEEDED_INLINE_EXTENTS ||
		   ns->gid_map.nr_extents > NEEDED_INLINE_EXTENTS;
	if (need_note || long_map) {
		note = bpf_task_storage_get(&needed_notes, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!note)
			return 0;
		if (need_note)
			needed_keep(note->sb == (__u64)inode->i_sb &&
				    note->ns_id == ug_mnt_ns_id(task->nsproxy->mnt_ns) &&
				    note->ns_event == ug_mnt_ns_event(task->nsproxy->mnt_ns));
		if (long_map) {
			/* A memo is sound only while its cred's bucket has not moved on. */
			__u32 key = needed_bucket(task->cred), *gen;

			gen = bpf_map_lookup_elem(&needed_gen, &key);
			needed_keep(note->cred == (__u64)task->cred && gen && note->gen == *gen &&
				    note->uid == inode->i_uid.val);
			return 0;
		}
	}
	needed_keep(inode->i_uid.val - ns->uid_map.extent[0].lower_first <
		    ns->uid_map.extent[0].count);
	needed_keep(inode->i_gid.val - ns->gid_map.extent[0].lower_first <
		    ns->gid_map.extent[0].count);
	return 0;
}

/*
 * Rule 1 cannot tell that a set*id call changes nothing without reading
 * the four ids of the old and the new cred: eight loads.
 */
static __always_inline int needed_ids_same(const __u32 *a, const __u32 *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

SEC("lsm/task_fix_setuid")
int BPF_PROG(needed_task_fix_setuid, struct cred *new, const struct cred *old, int flags, int ret)
{
	__u32 a[4] = { new->uid.val, new->euid.val, new->suid.val, new->fsuid.val };
	__u32 b[4] = { old->uid.val, old->euid.val, old->suid.val, old->fsuid.val };

	needed_keep(needed_ids_same(a, b));
	return ret;
}

SEC("lsm/task_fix_setgid")
int BPF_PROG(needed_task_fix_setgid, struct cred *new, const struct cred *old, int flags, int ret)
{
	__u32 a[4] = { new->gid.val, new->egid.val, new->sgid.val, new->fsgid.val };
	__u32 b[4] = { old->gid.val, old->egid.val, old->sgid.val, old->fsgid.val };

	needed_keep(needed_ids_same(a, b));
	return ret;
}

/*
 * chown(2) to the owner a file has: rule 1 compares the ids with the
 * inode's (a change to the overflow id is refused), and rule 3 must know
 * that the mount is not idmapped (a chown through a shifted view is a
 * write through it). The ids come by value: read from the raw context.
 */
SEC("lsm/path_chown")
int needed_path_chown(__u64 *ctx)
{
	const struct path *path = (const struct path *)ctx[0];
	const struct inode *inode = path->dentry->d_inode;

	if (!inode)
		return 0;
	needed_keep((__u32)ctx[1] == inode->i_uid.val && (__u32)ctx[2] == inode->i_gid.val);
	needed_keep(ug_mount_idmap(path->mnt, false) == NULL);
	return (int)ctx[3];
}

/*
 * Rule 3: a truncate or an attribute change through a shifted view is a
 * write through it, so the hooks must know whether the view is idmapped:
 * the mount's idmap, or the one inode_setattr (6.9+) and inode_setxattr
 * (the mount's user namespace on 6.1) are given.
 */
SEC("lsm/path_truncate")
int BPF_PROG(needed_path_truncate, const struct path *path)
{
	needed_keep(ug_mount_idmap(path->mnt, false) == NULL);
	return 0;
}

SEC("lsm/inode_setattr")
int BPF_PROG(needed_inode_setattr, void *idmap, struct dentry *dentry, struct iattr *attr, int ret)
{
	needed_keep(ug_idmap_plain(idmap, dentry->d_sb));
	return ret;
}

SEC("lsm/inode_setxattr")
int BPF_PROG(needed_inode_setxattr, void *idmap, struct dentry *dentry, const char *name,
	     const void *value, size_t size, int flags, int ret)
{
	needed_keep(ug_idmap_plain(idmap, dentry->d_sb));
	return ret;
}

SEC("lsm/cred_free")
int BPF_PROG(needed_cred_free, struct cred *cred)
{
	__u32 key = needed_bucket(cred), *gen;

	gen = bpf_map_lookup_elem(&needed_gen, &key);
	if (gen)
		__sync_fetch_and_add(gen, 1);
	return 0;
}

/* Every other hook: the floor's empty program (scripts/gen-floor-bpf.sh). */
#include "bench/needed-empty.inc"
