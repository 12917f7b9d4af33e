/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A file's owner as an access path shows it: the inode's kernel id, seen
 * through the filesystem's own user namespace, then through the mount's
 * idmap (what i_uid_into_vfsuid() computes). The idmap moved between
 * kernels: 6.1 keeps a user namespace in vfsmount.mnt_userns, 6.3+ keeps
 * struct mnt_idmap in vfsmount.mnt_idmap. bpf_core_field_exists() picks
 * the branch at load; the other is dead code the verifier never sees.
 * Neither branch needs a kernel symbol's address (issue 12: a loader
 * without CAP_SYSLOG reads every address in /proc/kallsyms as 0).
 */
#ifndef UG_MOUNT_BPF_H
#define UG_MOUNT_BPF_H

#include "policy.bpf.h"

struct vfsmount___mnt_userns {
	struct user_namespace *mnt_userns;
} __attribute__((preserve_access_index));

struct vfsmount___mnt_idmap {
	struct mnt_idmap *mnt_idmap;
} __attribute__((preserve_access_index));

/*
 * Whether @idmap shows ids as they are: struct mnt_idmap on 6.3+, where
 * nop_mnt_idmap, which every mount that is not idmapped points to, is the
 * idmap with no extents in either map (a real one is copied from a user
 * namespace's maps; one made from a namespace whose maps were never
 * written shows every id as invalid and is read as not idmapped here,
 * README, rule 3); on 6.1 the mount's user namespace, where
 * no_idmapping() holds for the initial namespace and for the superblock
 * @sb's own, which vfs_create_mount() gives every mount made inside a
 * user namespace (a rootless container's tmpfs or proc). The one test for
 * an idmap held through a typed pointer (a mount's, or a hook's argument:
 * a write through a plain mount costs a few loads and no subprogram);
 * ug_idmap_plain_at() below is the same test by address.
 */
static __always_inline bool ug_idmap_plain(void *idmap, const struct super_block *sb)
{
	if (bpf_core_field_exists(struct vfsmount___mnt_idmap, mnt_idmap)) {
		struct mnt_idmap *map = idmap;

		return !map || (map->uid_map.nr_extents == 0 && map->gid_map.nr_extents == 0);
	} else {
		struct user_namespace *ns = idmap;

		return !ns || ug_is_init_ns(ns) || ns == sb->s_user_ns;
	}
}

/*
 * The idmap a mount applies to uids (@gid false) or gids, NULL when the
 * mount is not idmapped.
 */
static __always_inline const struct uid_gid_map *ug_mount_idmap(const struct vfsmount *mnt, bool gid)
{
	if (bpf_core_field_exists(struct vfsmount___mnt_idmap, mnt_idmap)) {
		struct mnt_idmap *idmap = ((const struct vfsmount___mnt_idmap *)mnt)->mnt_idmap;

		if (ug_idmap_plain(idmap, NULL))
			return NULL;
		return gid ? &idmap->gid_map : &idmap->uid_map;
	} else {
		struct user_namespace *ns = ((const struct vfsmount___mnt_userns *)mnt)->mnt_userns;

		if (ug_idmap_plain(ns, mnt->mnt_sb))
			return NULL;
		return gid ? &ns->gid_map : &ns->uid_map;
	}
}

/*
 * How an access path shows ids: the addresses of the mount's uid and gid
 * idmaps (0: not idmapped), or, where usernsguard cannot tell which mount
 * the access goes through and cannot rule out a shifted view, "every owner
 * reads as unmapped" (fail closed, bpf/nowalk.bpf.h). Addresses rather
 * than typed pointers: a view may come from a walk over a superblock's
 * mounts or from a task's map, and is read with probe reads either way.
 */
struct ug_view {
	__u64 uid_map;
	__u64 gid_map;
	__u32 unmapped;
};

/* The view of a mount the kernel handed to a hook. */
static __always_inline void ug_mount_view(const struct vfsmount *mnt, struct ug_view *view)
{
	view->uid_map = (__u64)ug_mount_idmap(mnt, false);
	view->gid_map = view->uid_map ? (__u64)ug_mount_idmap(mnt, true) : 0;
	view->unmapped = 0;
}

/* The address of user namespace @ns's uid or gid map. */
static __always_inline __u64 ug_ns_map_at(__u64 ns, bool gid)
{
	return ns + (gid ? bpf_core_field_offset(struct user_namespace, gid_map) :
			   bpf_core_field_offset(struct user_namespace, uid_map));
}

/* The idmap of the mount at @mnt, by address: see ug_idmap_view(). */
static __always_inline __u64 ug_mount_idmap_at(__u64 mnt)
{
	if (bpf_core_field_exists(struct vfsmount___mnt_idmap, mnt_idmap))
		return (__u64)BPF_CORE_READ((struct vfsmount___mnt_idmap *)mnt, mnt_idmap);
	return (__u64)BPF_CORE_READ((struct vfsmount___mnt_userns *)mnt, mnt_userns);
}

/*
 * ug_idmap_plain() by address, for callers that hold one (a superblock's
 * mount list): @idmap is a struct mnt_idmap on 6.3+ and the mount's user
 * namespace on 6.1, of a filesystem owned by the namespace at @sb_ns.
 */
static __always_inline bool ug_idmap_plain_at(__u64 idmap, __u64 sb_ns)
{
	if (!idmap)
		return true;
	if (bpf_core_field_exists(struct vfsmount___mnt_idmap, mnt_idmap))
		return !BPF_CORE_READ((struct mnt_idmap *)idmap, uid_map.nr_extents) &&
		       !BPF_CORE_READ((struct mnt_idmap *)idmap, gid_map.nr_extents);
	return idmap == sb_ns || !BPF_CORE_READ((struct user_namespace *)idmap, level);
}

/* The view that idmap makes, as ug_mount_view() gives it for a mount. */
static __always_inline void ug_idmap_view(__u64 idmap, __u64 sb_ns, struct ug_view *view)
{
	view->uid_map = 0;
	view->gid_map = 0;
	view->unmapped = 0;
	if (ug_idmap_plain_at(idmap, sb_ns))
		return;
	if (bpf_core_field_exists(struct vfsmount___mnt_idmap, mnt_idmap)) {
		view->uid_map = idmap + bpf_core_field_offset(struct mnt_idmap, uid_map);
		view->gid_map = idmap + bpf_core_field_offset(struct mnt_idmap, gid_map);
	} else {
		view->uid_map = ug_ns_map_at(idmap, false);
		view->gid_map = ug_ns_map_at(idmap, true);
	}
}

/*
 * make_vfsuid(): kernel id @kid of an inode on a filesystem owned by the
 * user namespace at @fs_ns, seen through the idmap at @idmap (0: not
 * idmapped). UG_INVALID_ID when the id has no mapping along the way.
 */
static __always_inline __u32 ug_path_id(__u64 idmap, __u64 fs_ns, __u32 kid, bool gid)
{
	__u32 id = kid;

	if (!idmap)
		return kid;
	if (BPF_CORE_READ((struct user_namespace *)fs_ns, level)) {
		id = ug_map_id_at(ug_ns_map_at(fs_ns, gid), kid, UG_IDMAP_UP);
		if (id == UG_INVALID_ID)
			return UG_INVALID_ID;
	}
	return ug_map_id_at(idmap, id, UG_IDMAP_DOWN);
}

/* The inverse: the kernel id that the idmap at @idmap shows as @vid. */
static __always_inline __u32 ug_unpath_id(__u64 idmap, __u64 fs_ns, __u32 vid, bool gid)
{
	__u32 id;

	if (!idmap)
		return vid;
	id = ug_map_id_at(idmap, vid, UG_IDMAP_UP);
	if (id == UG_INVALID_ID || !BPF_CORE_READ((struct user_namespace *)fs_ns, level))
		return id;
	return ug_map_id_at(ug_ns_map_at(fs_ns, gid), id, UG_IDMAP_DOWN);
}

#endif /* UG_MOUNT_BPF_H */
