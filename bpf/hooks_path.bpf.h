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
 * Rule 2 on the directory, then rule 3 on its mount. A subprogram, not
 * inlined: path_rename calls it twice, and its own stack frame ends at the
 * return, so the verifier reaches the second call with one state instead
 * of every state the first one left behind (6.18 processed 288,690
 * instructions for the inlined pair, 3.9 times one call).
 */
static __noinline int check_name_change(const struct path *dir, int ret)
{
	int err = check_dir_change(dir, ret);

	return err ? err : ug_shift_check(dir->mnt, UG_SHIFT_USE_WRITE);
}

SEC("lsm/path_mknod")
int BPF_PROG(ug_path_mknod, const struct path *dir, struct dentry *dentry, umode_t mode,
	     unsigned int dev, int ret)
{
	return ug_verdict(check_name_change(dir, ret));
}

SEC("lsm/path_mkdir")
int BPF_PROG(ug_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode, int ret)
{
	return ug_verdict(check_name_change(dir, ret));
}

SEC("lsm/path_rmdir")
int BPF_PROG(ug_path_rmdir, const struct path *dir, struct dentry *dentry, int ret)
{
	return ug_verdict(check_name_change(dir, ret));
}

SEC("lsm/path_unlink")
int BPF_PROG(ug_path_unlink, const struct path *dir, struct dentry *dentry, int ret)
{
	return ug_verdict(check_name_change(dir, ret));
}

SEC("lsm/path_symlink")
int BPF_PROG(ug_path_symlink, const struct path *dir, struct dentry *dentry,
	     const char *old_name, int ret)
{
	return ug_verdict(check_name_change(dir, ret));
}

SEC("lsm/path_link")
int BPF_PROG(ug_path_link, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry, int ret)
{
	return ug_verdict(check_name_change(new_dir, ret));
}

SEC("lsm/path_rename")
int BPF_PROG(ug_path_rename, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry, unsigned int flags, int ret)
{
	int err = check_name_change(old_dir, ret);

	if (!err)
		err = check_name_change(new_dir, 0);
	return ug_verdict(err);
}

SEC("lsm/path_chmod")
int BPF_PROG(ug_path_chmod, const struct path *path, umode_t mode, int ret)
{
	if (ret)
		return ug_verdict(ret);
	return ug_verdict(ug_shift_check(path->mnt, UG_SHIFT_USE_WRITE));
}

SEC("lsm/path_truncate")
int BPF_PROG(ug_path_truncate, const struct path *path, int ret)
{
	if (ret)
		return ug_verdict(ret);
	return ug_verdict(ug_shift_check(path->mnt, UG_SHIFT_USE_WRITE));
}

#endif /* UG_HOOKS_PATH_BPF_H */
