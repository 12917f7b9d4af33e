/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Path hooks shared by rules: adding, removing or renaming a name writes
 * the parent directory (rule 2 narrows it; rule 3 judges it as a write
 * through a shifted view), and chmod/truncate write through a view.
 */
#ifndef UG_HOOKS_PATH_BPF_H
#define UG_HOOKS_PATH_BPF_H

#include "rule_restrictive.bpf.h"
#include "rule_shift.bpf.h"

/*
 * Rule 3 on the directory's mount. Rule 2 is judged where the kernel
 * checks the directory, in inode_permission after these hooks, so that the
 * kernel's own refusal wins and raises no event: these hooks only note
 * the mount for it (ug_hint_set()). A subprogram, not inlined:
 * path_rename calls it twice.
 */
static __noinline int check_name_change(const struct path *dir, int ret)
{
	if (ret)
		return ret;
	return ug_shift_check(dir->mnt, dir->dentry, UG_SHIFT_USE_WRITE);
}

SEC("lsm/path_mknod")
int BPF_PROG(ug_path_mknod, const struct path *dir, struct dentry *dentry, umode_t mode,
	     unsigned int dev, int ret)
{
	ug_hint_set(dir->mnt, dir->dentry->d_inode, NULL, NULL, NULL);
	return ug_verdict(check_name_change(dir, ret));
}

SEC("lsm/path_mkdir")
int BPF_PROG(ug_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode, int ret)
{
	ug_hint_set(dir->mnt, dir->dentry->d_inode, NULL, NULL, NULL);
	return ug_verdict(check_name_change(dir, ret));
}

SEC("lsm/path_rmdir")
int BPF_PROG(ug_path_rmdir, const struct path *dir, struct dentry *dentry, int ret)
{
	ug_hint_set(dir->mnt, dir->dentry->d_inode, NULL, NULL, NULL);
	return ug_verdict(check_name_change(dir, ret));
}

SEC("lsm/path_unlink")
int BPF_PROG(ug_path_unlink, const struct path *dir, struct dentry *dentry, int ret)
{
	ug_hint_set(dir->mnt, dir->dentry->d_inode, NULL, NULL, NULL);
	return ug_verdict(check_name_change(dir, ret));
}

SEC("lsm/path_symlink")
int BPF_PROG(ug_path_symlink, const struct path *dir, struct dentry *dentry,
	     const char *old_name, int ret)
{
	ug_hint_set(dir->mnt, dir->dentry->d_inode, NULL, NULL, NULL);
	return ug_verdict(check_name_change(dir, ret));
}

SEC("lsm/path_link")
int BPF_PROG(ug_path_link, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry, int ret)
{
	ug_hint_set(new_dir->mnt, new_dir->dentry->d_inode, NULL, NULL, NULL);
	return ug_verdict(check_name_change(new_dir, ret));
}

/*
 * Both parents, and both children: moving a directory to another parent
 * writes its ".." (vfs_rename() checks MAY_WRITE on it; on the target too
 * for RENAME_EXCHANGE). do_renameat2() has refused two mounts already.
 */
SEC("lsm/path_rename")
int BPF_PROG(ug_path_rename, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry, unsigned int flags, int ret)
{
	int err;

	ug_hint_set(old_dir->mnt, old_dir->dentry->d_inode, new_dir->dentry->d_inode, old_dentry,
		    new_dentry);
	err = check_name_change(old_dir, ret);
	if (!err)
		err = check_name_change(new_dir, 0);
	return ug_verdict(err);
}

SEC("lsm/path_chmod")
int BPF_PROG(ug_path_chmod, const struct path *path, umode_t mode, int ret)
{
	if (ret)
		return ug_verdict(ret);
	return ug_verdict(ug_shift_check(path->mnt, path->dentry, UG_SHIFT_USE_WRITE));
}

SEC("lsm/path_truncate")
int BPF_PROG(ug_path_truncate, const struct path *path, int ret)
{
	if (ret)
		return ug_verdict(ret);
	return ug_verdict(ug_shift_check(path->mnt, path->dentry, UG_SHIFT_USE_WRITE));
}

#endif /* UG_HOOKS_PATH_BPF_H */
