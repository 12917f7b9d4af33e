/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An exec exemption follows the file at its path across an upgrade
 * (issue 16). Exemptions name an inode; dpkg (and rpm, and most
 * installers) upgrade a binary by writing the new one beside it and
 * renaming it over the old path, so the new binary is a new inode. When a
 * rename replaces an exempt inode (of the generation the entry was made
 * for), the inode that takes its name gets the same exemption, in every
 * slot and rule that had it. The old entry stays: the daemon running the
 * old binary keeps its exemption until it restarts, and once the old inode
 * is freed its entry matches nothing (ug_exempt_value.generation).
 * The hook runs after the kernel's own checks of the rename (vfs_rename():
 * may_delete(), may_create()), so whoever triggers it may replace that file
 * anyway; RENAME_EXCHANGE calls it once each way. Only a regular file
 * renamed over another costs anything: six hash lookups.
 */
#ifndef UG_EXEMPT_FOLLOW_BPF_H
#define UG_EXEMPT_FOLLOW_BPF_H

#include "policy.bpf.h"

#define UG_S_IFMT 00170000
#define UG_S_IFREG 0100000

/* Carry @rule's exemption of @old in @slot to @new. */
static __always_inline void ug_follow_one(__u32 slot, __u32 rule, const struct inode *old,
					  const struct inode *new)
{
	struct ug_exempt_key key = { .slot = slot, .rule = rule, .kind = UG_EXEMPT_EXEC };
	const struct ug_exempt_value *value;
	struct ug_exempt_value carried;

	key.id = old->i_ino;
	key.dev = old->i_sb->s_dev;
	value = bpf_map_lookup_elem(&ug_match, &key);
	if (!value || (value->generation && value->generation != old->i_generation))
		return;
	carried.policy_line = value->policy_line;
	carried.generation = new->i_generation;
	key.id = new->i_ino;
	key.dev = new->i_sb->s_dev;
	bpf_map_update_elem(&ug_match, &key, &carried, BPF_ANY);
}

SEC("lsm/inode_rename")
int BPF_PROG(ug_inode_rename, struct inode *old_dir, struct dentry *old_dentry,
	     struct inode *new_dir, struct dentry *new_dentry, int ret)
{
	const struct inode *moved = old_dentry->d_inode, *replaced = new_dentry->d_inode;
	__u32 slot, rule;

	if (ret || !moved || !replaced || (moved->i_mode & UG_S_IFMT) != UG_S_IFREG)
		return ug_verdict(ret);
	/*
	 * Every slot and rule, without asking the policies whether they have
	 * exemptions: a load writes a slot's entries before its counts, and
	 * an upgrade in between must not be missed.
	 */
	for (slot = 0; slot < UG_POLICY_SLOTS; slot++)
		for (rule = 0; rule < UG_RULE_COUNT; rule++)
			ug_follow_one(slot, rule, replaced, moved);
	return ug_verdict(0);
}

#endif
