// SPDX-License-Identifier: GPL-2.0-only
/*
 * ug-view SRC MAP DST FILE: what a host's container tooling does to give a
 * container a shifted view, done by a host task in the systemd guest (whose
 * util-linux 2.38 has no X-mount.idmap): idmap a clone of SRC with MAP
 * ("first lower count", for uids and gids), attach it at DST, print the
 * first line of DST/FILE read through it, detach it. Exit 0, or 1 with the
 * failing step on stderr. Built statically into the systemd guest by
 * tests/pkg/systemd_guest.sh.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/mount.h>

static pid_t holder = -1;

/* The parked child holds our stdout too: a shell's $(...) would wait for it. */
static int fail(const char *step)
{
	fprintf(stderr, "ug-view: %s: %s\n", step, strerror(errno));
	if (holder > 0) {
		kill(holder, SIGKILL);
		waitpid(holder, NULL, 0);
	}
	return 1;
}

static int write_map(pid_t pid, const char *file, const char *map)
{
	char path[64];
	int fd, ok;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ok = write(fd, map, strlen(map)) == (ssize_t)strlen(map);
	close(fd);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };
	char path[512], line[256], map[128], c;
	int ready[2], ns, tree;
	FILE *f;

	if (argc != 5) {
		fprintf(stderr, "usage: ug-view SRC MAP DST FILE\n");
		return 2;
	}
	snprintf(map, sizeof(map), "%s\n", argv[2]);
	/* A user namespace with MAP, held open by a parked child. */
	if (pipe(ready))
		return fail("pipe");
	holder = fork();
	if (holder == 0) {
		close(STDOUT_FILENO);
		close(STDERR_FILENO);
		if (unshare(CLONE_NEWUSER) || write(ready[1], "", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	if (holder < 0 || read(ready[0], &c, 1) != 1)
		return fail("user namespace");
	if (write_map(holder, "uid_map", map) || write_map(holder, "gid_map", map))
		return fail("writing the maps");
	snprintf(path, sizeof(path), "/proc/%d/ns/user", holder);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return fail("opening the namespace");
	attr.userns_fd = (__u64)ns;
	tree = (int)syscall(SYS_open_tree, AT_FDCWD, argv[1], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return fail("open_tree");
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)))
		return fail("mount_setattr(MOUNT_ATTR_IDMAP)");
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	holder = -1;
	if (syscall(SYS_move_mount, tree, "", AT_FDCWD, argv[3], MOVE_MOUNT_F_EMPTY_PATH))
		return fail("move_mount");
	snprintf(path, sizeof(path), "%s/%s", argv[3], argv[4]);
	f = fopen(path, "re");
	if (!f) {
		fail("opening the file through the view");
		umount2(argv[3], MNT_DETACH);
		return 1;
	}
	if (fgets(line, sizeof(line), f))
		fputs(line, stdout);
	fclose(f);
	if (umount2(argv[3], MNT_DETACH))
		return fail("umount");
	return 0;
}
