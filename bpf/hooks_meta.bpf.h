/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rule 3 on writes through a view that no path hook sees (issue 15):
 * truncation of an open file, inode flags, extended attributes, POSIX ACLs
 * and times. The file hooks are given the mount; the inode hooks only the
 * mount's idmap, so they judge by the tree the written inode is in
 * (ug_shift_check_idmap()).
 *
 * file_truncate and the ACL hooks exist from 6.2, and inode_setattr is
 * given the idmap from 6.9: user/hooks.c leaves each program unloaded
 * where its hook is absent or has another signature (README, rule 3).
 */
#ifndef UG_HOOKS_META_BPF_H
#define UG_HOOKS_META_BPF_H

#include "rule_shift.bpf.h"
#include "live_ids.bpf.h"
#include "mark_event.bpf.h"

/* include/uapi/linux/fs.h (FS_IOC32_SETFLAGS: the 32-bit compat number) */
#define FS_IOC_SETFLAGS 0x40086602
#define FS_IOC32_SETFLAGS 0x40046602
#define FS_IOC_FSSETXATTR 0x401c5820

/* include/linux/fs.h */
#define ATTR_SIZE (1 << 3)
#define ATTR_ATIME (1 << 4)
#define ATTR_MTIME (1 << 5)

/* ftruncate(2) and open(O_TRUNC) from 6.2 (6.1 calls path_truncate for both). */
SEC("lsm/file_truncate")
int BPF_PROG(ug_file_truncate, struct file *file, int ret)
{
	if (ret)
		return ug_verdict(ret);
	return ug_verdict(ug_shift_check(file->f_path.mnt, file->f_path.dentry, UG_SHIFT_USE_WRITE));
}

/* Inode flags (immutable, append-only, project ids) set through an fd; and a loader's capture. */
SEC("lsm/file_ioctl")
int BPF_PROG(ug_file_ioctl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ug_verdict(ret);
	if (cmd == UG_IOCTL_CAPTURE) {
		/* A loader finding the overflow sysctls (bpf/live_ids.bpf.h). */
		ug_live_capture(file);
		return 0;
	}
	if (cmd == UG_IOCTL_MARK_EVENT) {
		/* `usernsguard mark` reporting a change (bpf/mark_event.bpf.h). */
		ug_mark_event(file, arg);
		return 0;
	}
	if (cmd != FS_IOC_SETFLAGS && cmd != FS_IOC32_SETFLAGS && cmd != FS_IOC_FSSETXATTR)
		return ug_verdict(0);
	return ug_verdict(ug_shift_check(file->f_path.mnt, file->f_path.dentry, UG_SHIFT_USE_WRITE));
}

/* Every xattr, POSIX ACLs included on 6.1 (6.2+ sends ACLs to inode_set_acl). */
SEC("lsm/inode_setxattr")
int BPF_PROG(ug_inode_setxattr, void *idmap, struct dentry *dentry, const char *name,
	     const void *value, size_t size, int flags, int ret)
{
	if (ret)
		return ug_verdict(ret);
	if (ug_idmap_plain(idmap, dentry->d_sb))
		return ug_verdict(0);
	return ug_verdict(ug_shift_check_idmap((__u64)idmap, dentry));
}

SEC("lsm/inode_removexattr")
int BPF_PROG(ug_inode_removexattr, void *idmap, struct dentry *dentry, const char *name, int ret)
{
	if (ret)
		return ug_verdict(ret);
	if (ug_idmap_plain(idmap, dentry->d_sb))
		return ug_verdict(0);
	return ug_verdict(ug_shift_check_idmap((__u64)idmap, dentry));
}

SEC("lsm/inode_set_acl")
int BPF_PROG(ug_inode_set_acl, void *idmap, struct dentry *dentry, const char *acl_name,
	     struct posix_acl *kacl, int ret)
{
	if (ret)
		return ug_verdict(ret);
	if (ug_idmap_plain(idmap, dentry->d_sb))
		return ug_verdict(0);
	return ug_verdict(ug_shift_check_idmap((__u64)idmap, dentry));
}

SEC("lsm/inode_remove_acl")
int BPF_PROG(ug_inode_remove_acl, void *idmap, struct dentry *dentry, const char *acl_name,
	     int ret)
{
	if (ret)
		return ug_verdict(ret);
	if (ug_idmap_plain(idmap, dentry->d_sb))
		return ug_verdict(0);
	return ug_verdict(ug_shift_check_idmap((__u64)idmap, dentry));
}

/*
 * Times (utimensat, futimens). Size, mode and owners come here too, and are
 * judged by path_truncate/file_truncate, path_chmod and path_chown already.
 */
SEC("lsm/inode_setattr")
int BPF_PROG(ug_inode_setattr, void *idmap, struct dentry *dentry, struct iattr *attr, int ret)
{
	unsigned int valid;

	if (ret)
		return ug_verdict(ret);
	valid = attr->ia_valid;
	if (!(valid & (ATTR_ATIME | ATTR_MTIME)) || (valid & ATTR_SIZE))
		return ug_verdict(0);
	if (ug_idmap_plain(idmap, dentry->d_sb))
		return ug_verdict(0);
	return ug_verdict(ug_shift_check_idmap((__u64)idmap, dentry));
}

#endif /* UG_HOOKS_META_BPF_H */
