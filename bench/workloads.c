// SPDX-License-Identifier: GPL-2.0-only
/*
 * The workloads: each is one system call (or one file of a tree walk) that
 * crosses the hooks usernsguard attaches to. Paths are relative to
 * BENCH_TREE so that a namespace's task never looks up the host's root
 * directory on the way, and every lookup sees mapped owners.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "bench.h"

/* The owner of "own" as the running task's namespace shows it. */
static uid_t own_uid;
static gid_t own_gid;
static bool own_known;

static int result(long ret)
{
	return ret < 0 ? errno : 0;
}

static int op_stat6(void)
{
	struct stat st;

	return result(stat("a/b/c/d/e/f", &st)); /* 6 directory searches */
}

static int op_open_close(void)
{
	int fd = open("f1", O_RDONLY);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* One pass over w/d00..d19: getdents64 and fstatat() of each entry. */
static int op_tree_walk(void)
{
	char buf[16384], name[16];
	struct stat st;
	int d;

	for (d = 0; d < BENCH_TREE_DIRS; d++) {
		long n, off;
		int fd;

		snprintf(name, sizeof(name), "w/d%02d", d);
		fd = open(name, O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			return errno;
		while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
			for (off = 0; off < n;) {
				struct dirent64 *de = (struct dirent64 *)(buf + off);

				off += de->d_reclen;
				if (de->d_name[0] == '.')
					continue;
				if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
					close(fd);
					return errno;
				}
			}
		}
		close(fd);
		if (n < 0)
			return errno;
	}
	return 0;
}

/* setuid() to the id already held still runs task_fix_setuid. */
static int op_setuid_same(void)
{
	return result(setuid(getuid()));
}

/* Null control: a setresuid() that changes nothing returns before the hook. */
static int op_setresuid_null(void)
{
	return result(setresuid(-1, -1, -1));
}

static int op_chown_same(void)
{
	if (!own_known) {
		struct stat st;

		if (stat("own", &st))
			return errno;
		own_uid = st.st_uid;
		own_gid = st.st_gid;
		own_known = true;
	}
	return result(chown("own", own_uid, own_gid));
}

/*
 * The attribute hooks rule 3 added (issue 15), each on its own workload
 * (issue 19): utimensat() crosses inode_setattr (6.9+), truncate()
 * path_truncate and inode_setattr, setxattr() of a user.* attribute
 * inode_setxattr. tmpfs stores user.* attributes from 6.6 only; on 6.1
 * the call fails with EOPNOTSUPP after the hook has run (the kernel
 * resolves the attribute's handler in __vfs_setxattr_noperm(), after
 * security_inode_setxattr()), so the hook's cost is measured there too.
 */
static int op_touch(void)
{
	return result(utimensat(AT_FDCWD, "own", NULL, 0));
}

static int op_truncate(void)
{
	return result(truncate("own", 0));
}

static int op_setxattr(void)
{
	return result(setxattr("own", "user.ug-bench", "1", 1, 0));
}

/* What the kernel answered the fixture's own setxattr() (bench/fixture.c). */
static int expect_user_xattr(enum bench_config config, enum bench_ctx ctx)
{
	(void)config;
	(void)ctx;
	return bench_user_xattr_errno;
}

/* Rule 2's deny path: mode 0707, owned by an id the namespace does not map. */
static int op_deny_open(void)
{
	int fd = open("denied", O_RDONLY);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int expect_ok(enum bench_config config, enum bench_ctx ctx)
{
	(void)config;
	(void)ctx;
	return 0;
}

static int expect_denied_by_ug(enum bench_config config, enum bench_ctx ctx)
{
	/* Rule 2's denial: only the policy with rule 2 on refuses it. */
	return config == CONFIG_UG && ctx != CTX_INIT ? EACCES : 0;
}

const struct workload bench_workloads[] = {
	{ "stat-6", 20000, 1, false, op_stat6, expect_ok },
	{ "open-close", 20000, 1, false, op_open_close, expect_ok },
	{ "tree-walk", 2, BENCH_TREE_DIRS * BENCH_TREE_FILES, false, op_tree_walk, expect_ok },
	{ "setuid-same", 40000, 1, false, op_setuid_same, expect_ok },
	{ "setresuid-null", 40000, 1, false, op_setresuid_null, expect_ok },
	{ "chown-same", 20000, 1, false, op_chown_same, expect_ok },
	{ "touch", 20000, 1, false, op_touch, expect_ok },
	{ "truncate", 20000, 1, false, op_truncate, expect_ok },
	{ "setxattr", 20000, 1, false, op_setxattr, expect_user_xattr },
	{ "deny-open", 20000, 1, true, op_deny_open, expect_denied_by_ug },
};

const int bench_n_workloads = sizeof(bench_workloads) / sizeof(bench_workloads[0]);
