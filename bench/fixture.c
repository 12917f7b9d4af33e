// SPDX-License-Identifier: GPL-2.0-only
/*
 * The files the workloads use, on a tmpfs at BENCH_ROOT, and the paths
 * bench/policy.conf names (they must exist when the policy is loaded).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "bench.h"

static int make_dir(const char *path, uid_t uid, mode_t mode)
{
	if (mkdir(path, mode) && errno != EEXIST)
		return -1;
	return chown(path, uid, uid);
}

static int make_file(const char *path, uid_t uid, mode_t mode)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);

	if (fd < 0)
		return -1;
	close(fd);
	return chown(path, uid, uid) || chmod(path, mode) ? -1 : 0;
}

static int make_tree(void)
{
	static const char *const chain[] = { "a", "a/b", "a/b/c", "a/b/c/d", "a/b/c/d/e" };
	char path[64];
	int d, f;
	size_t i;

	for (i = 0; i < sizeof(chain) / sizeof(chain[0]); i++)
		if (make_dir(chain[i], BENCH_OWNER, 0755))
			return -1;
	if (make_file("a/b/c/d/e/f", BENCH_OWNER, 0644) || make_file("f1", BENCH_OWNER, 0644) ||
	    make_file("own", BENCH_OWNER, 0644) ||
	    make_file("denied", BENCH_UNMAPPED, 0707) || make_dir("w", BENCH_OWNER, 0755))
		return -1;
	for (d = 0; d < BENCH_TREE_DIRS; d++) {
		snprintf(path, sizeof(path), "w/d%02d", d);
		if (make_dir(path, BENCH_OWNER, 0755))
			return -1;
		for (f = 0; f < BENCH_TREE_FILES; f++) {
			snprintf(path, sizeof(path), "w/d%02d/f%04d", d, f);
			if (make_file(path, BENCH_OWNER, 0644))
				return -1;
		}
	}
	return 0;
}

int bench_user_xattr_errno;

/*
 * Whether this kernel's tmpfs stores user.* attributes: the setxattr
 * workload must end the same way under every configuration, and any
 * other answer fails the fixture.
 */
static int probe_user_xattr(void)
{
	if (!setxattr("own", "user.ug-bench", "1", 1, 0))
		return 0;
	if (errno != EOPNOTSUPP)
		return -1;
	bench_user_xattr_errno = EOPNOTSUPP;
	return 0;
}

int bench_fixture(void)
{
	if (mkdir(BENCH_ROOT, 0755) && errno != EEXIST)
		goto fail;
	if (mount("bench", BENCH_ROOT, "tmpfs", 0, "mode=0755,size=256m"))
		goto fail;
	if (make_dir(BENCH_TREE, BENCH_OWNER, 0755) || chdir(BENCH_TREE) || make_tree() ||
	    probe_user_xattr() || chdir("/"))
		goto fail;
	/* What bench/policy.conf names: an exempt binary, a cgroup, marked trees. */
	if (make_file(BENCH_ROOT "/legacy-daemon", 0, 0755) ||
	    make_dir(BENCH_ROOT "/shift", 0, 0755) || make_dir(BENCH_ROOT "/shift/a", 0, 0755) ||
	    make_dir(BENCH_ROOT "/shift/b", 0, 0755) || make_dir(BENCH_ROOT "/shift/c", 0, 0755) ||
	    (mkdir("/sys/fs/cgroup/bench-legacy", 0755) && errno != EEXIST))
		goto fail;
	if (make_file(BENCH_ROOT "/storm", 0, 0644))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "bench: fixture: %s\n", strerror(errno));
	return -1;
}
