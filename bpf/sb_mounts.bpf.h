/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's mount bookkeeping that a check made outside a path walk
 * reads: a superblock's mounts in every mount namespace (the kernel chains
 * them differently from 6.18), a mount namespace's id and change count,
 * and the quick answer for a superblock none of whose mounts is idmapped.
 * No maps or programs of its own: the benchmark's needed floor
 * (bench/needed.bpf.c) reads through it too.
 */
#ifndef UG_SB_MOUNTS_BPF_H
#define UG_SB_MOUNTS_BPF_H

#include "mount.bpf.h"

/*
 * A superblock's mounts: a list_head through mount.mnt_instance up to
 * 6.12, a NULL-terminated chain through mount.mnt_next_for_sb in newer kernels.
 */
struct super_block___list {
	struct list_head s_mounts;
} __attribute__((preserve_access_index));

struct super_block___chain {
	struct mount *s_mounts;
} __attribute__((preserve_access_index));

struct mount___list {
	struct list_head mnt_instance;
	struct vfsmount mnt;
	struct mnt_namespace *mnt_ns;
} __attribute__((preserve_access_index));

struct mount___chain {
	struct mount *mnt_next_for_sb;
} __attribute__((preserve_access_index));

static __always_inline bool ug_sb_mounts_chained(void)
{
	return bpf_core_field_exists(struct mount___chain, mnt_next_for_sb);
}

/* A mount namespace's never-reused id: mnt_namespace.seq up to 6.17, ns_common.ns_id later. */
struct mnt_namespace___seq {
	__u64 seq;
} __attribute__((preserve_access_index));

struct ns_common___id {
	__u64 ns_id;
} __attribute__((preserve_access_index));

struct mnt_namespace___event {
	struct ns_common ns;
	__u64 event;
} __attribute__((preserve_access_index));

/*
 * The caller's mount namespace's id, 0 where the kernel lacks the id or
 * the event count: then nothing is kept. Plain loads through the task's
 * typed pointer, relocated by field name: no probe read on a check that
 * every no-walk permission check makes.
 */
static __always_inline __u64 ug_mnt_ns_id(struct mnt_namespace *mnt_ns)
{
	struct mnt_namespace___event *ns = (void *)mnt_ns;

	if (!bpf_core_field_exists(ns->event))
		return 0;
	if (bpf_core_field_exists(((struct mnt_namespace___seq *)mnt_ns)->seq))
		return ((struct mnt_namespace___seq *)mnt_ns)->seq;
	if (bpf_core_field_exists(((struct ns_common___id *)&ns->ns)->ns_id))
		return ((struct ns_common___id *)&ns->ns)->ns_id;
	return 0;
}

/* How many times mounts were attached to or removed from it. */
static __always_inline __u64 ug_mnt_ns_event(struct mnt_namespace *mnt_ns)
{
	struct mnt_namespace___event *ns = (void *)mnt_ns;

	if (!bpf_core_field_exists(ns->event))
		return 0;
	return ns->event;
}

/* Mounts of one superblock read inline before the task's note (bpf/nowalk.bpf.h). */
#define UG_PLAIN_MOUNTS 4

/*
 * Whether every mount of @sb, in every mount namespace, shows ids as they
 * are (or it has none: an internal superblock). Then an access made
 * without a walk went through a plain mount whichever it was, and the
 * answer needs neither the task's note nor a scan. A filesystem mounted
 * once, or once in each of a few mount namespaces, is most filesystems.
 * False means "not known" (an idmapped mount, or more mounts than this
 * reads), never "idmapped": the caller then asks the note.
 * Only where the kernel chains a superblock's mounts (6.18+): every hop is
 * a typed load. Up to 6.12 the list gives no typed way from a node back to
 * its mount, and the probe reads that would take cost more than the note's
 * lookup (6.12, truncate(2) in a namespace: 5,425 guest instructions with
 * the note, 5,539 with three probe reads per mount): there callers ask
 * ug_sb_one_plain_mount() below instead. A function of its own,
 * so that rule 2's frame above its judgement does not grow (6.1's 512
 * bytes along a call chain).
 */
static __noinline bool ug_sb_all_plain(struct super_block *sb)
{
	struct mount *m = ((struct super_block___chain *)sb)->s_mounts;
	int i;

	for (i = 0; i < UG_PLAIN_MOUNTS; i++) {
		if (!m)
			return true;
		if (ug_mount_idmap(&((struct mount___list *)m)->mnt, false))
			return false;
		m = ((struct mount___chain *)m)->mnt_next_for_sb;
	}
	return !m;
}

/*
 * The same answer where the kernel lists a superblock's mounts (up to
 * 6.12), for the one case typed loads can settle: the superblock has a
 * single mount, and the task's working or root directory is on it. The
 * access went through a mount of @sb, which stays on the list while the
 * access holds it, and there is only one, so it is that directory's mount:
 * its idmap decides. A container's private tmpfs (/tmp, /run, /dev/shm,
 * mounted in its own mount namespace only) is such a filesystem, and so is
 * anything mounted once that a task works in. Anything else: "not known".
 */
static __noinline bool ug_sb_one_plain_mount(struct task_struct *task, struct super_block *sb)
{
	struct list_head *head = &((struct super_block___list *)sb)->s_mounts;
	struct list_head *first = head->next;
	struct fs_struct *fs = task->fs;
	struct vfsmount *mnt;

	if (first == head || first->next != head || !fs)
		return false;
	mnt = fs->pwd.mnt;
	if (!mnt || mnt->mnt_sb != sb) {
		mnt = fs->root.mnt;
		if (!mnt || mnt->mnt_sb != sb)
			return false;
	}
	return !ug_mount_idmap(mnt, false);
}

#endif /* UG_SB_MOUNTS_BPF_H */
