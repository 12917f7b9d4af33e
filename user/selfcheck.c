// SPDX-License-Identifier: GPL-2.0-only
/*
 * The self-check `load` runs once a new policy is in force: a child of the
 * loader, a host task in the initial user namespace, does what any host
 * task does (reads, an exec, names made and removed, metadata changed,
 * setgroups) and no rule may find a violation in any of it. The programs
 * count violations found for that child in the pinned ug_selfcheck map.
 * A policy that judges the host (issue 12: kernel symbols read as zeros
 * made every task look namespaced) would otherwise stay in force, and the
 * unit would load it again at every boot.
 */
#include "selfcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "usernsguard.h"
#include "util.h"

#define CHECK_DIR_TEMPLATE "/run/usernsguard-check.XXXXXX"

/* The steps, in order; the child exits with the index of the one that failed. */
enum step {
	STEP_READ_POLICY = 1,
	STEP_TEMP_DIR,
	STEP_CREATE,
	STEP_TRUNCATE,
	STEP_CHMOD,
	STEP_CHOWN,
	STEP_LINK,
	STEP_SYMLINK,
	STEP_RENAME,
	STEP_MKDIR,
	STEP_MKNOD,
	STEP_REMOVE,
	STEP_SETGROUPS,
	STEP_EXEC,
	STEP_COUNT,
};

static const char *const step_names[STEP_COUNT] = {
	[STEP_READ_POLICY] = "open and read the policy file",
	[STEP_TEMP_DIR] = "mkdir " CHECK_DIR_TEMPLATE,
	[STEP_CREATE] = "create a file",
	[STEP_TRUNCATE] = "truncate it",
	[STEP_CHMOD] = "chmod it",
	[STEP_CHOWN] = "chown it to its owner",
	[STEP_LINK] = "hard-link it",
	[STEP_SYMLINK] = "symlink to it",
	[STEP_RENAME] = "rename it",
	[STEP_MKDIR] = "mkdir and rmdir",
	[STEP_MKNOD] = "mknod a fifo",
	[STEP_REMOVE] = "unlink and rmdir",
	[STEP_SETGROUPS] = "setgroups to its own groups",
	[STEP_EXEC] = "exec the loader",
};

/* Exit status 100 + step on failure: the parent names the step. */
static void __attribute__((noreturn)) fail(enum step step, int err)
{
	dprintf(STDERR_FILENO, "usernsguard: self-check: %s: %s\n", step_names[step],
		strerror(err));
	_exit(100 + step);
}

static void in_dir(const char *dir, const char *name, char *path, size_t len)
{
	ug_fmt(path, len, "%s/%s", dir, name);
}

static void files(void)
{
	char dir[] = CHECK_DIR_TEMPLATE, a[64], b[64], c[64], d[64];
	int fd;

	if (!mkdtemp(dir))
		fail(STEP_TEMP_DIR, errno);
	in_dir(dir, "a", a, sizeof(a));
	in_dir(dir, "b", b, sizeof(b));
	in_dir(dir, "c", c, sizeof(c));
	in_dir(dir, "d", d, sizeof(d));
	fd = open(a, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "x", 1) != 1)
		fail(STEP_CREATE, errno);
	close(fd);
	if (truncate(a, 0))
		fail(STEP_TRUNCATE, errno);
	if (chmod(a, 0644))
		fail(STEP_CHMOD, errno);
	if (chown(a, geteuid(), getegid()))
		fail(STEP_CHOWN, errno);
	if (link(a, b))
		fail(STEP_LINK, errno);
	if (symlink(a, c))
		fail(STEP_SYMLINK, errno);
	if (rename(b, d))
		fail(STEP_RENAME, errno);
	in_dir(dir, "e", b, sizeof(b));
	if (mkdir(b, 0700) || rmdir(b))
		fail(STEP_MKDIR, errno);
	if (mkfifo(b, 0600))
		fail(STEP_MKNOD, errno);
	if (unlink(a) || unlink(b) || unlink(c) || unlink(d) || rmdir(dir))
		fail(STEP_REMOVE, errno);
}

static void __attribute__((noreturn)) child(const char *policy_path, int go)
{
	gid_t groups[256];
	char byte;
	int fd, n;

	if (read(go, &byte, 1) != 1)
		_exit(99);
	fd = open(policy_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, &byte, 1) < 0)
		fail(STEP_READ_POLICY, errno);
	close(fd);
	files();
	/*
	 * Without CAP_SETGID (the unit has none) the kernel refuses before any
	 * LSM hook runs; a rule that judged it would show in the count.
	 */
	n = getgroups(256, groups);
	if (n < 0 || (setgroups(n, groups) && errno != EPERM))
		fail(STEP_SETGROUPS, errno);
	/* Same pid after exec: the programs still know the child. */
	execl("/proc/self/exe", "usernsguard", "version", (char *)NULL);
	fail(STEP_EXEC, errno);
}

static int open_check_map(void)
{
	char path[256];
	int fd;

	ug_fmt(path, sizeof(path), "%s/ug_selfcheck", UG_PIN_DIR);
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

/*
 * The programs see pids of the initial pid namespace. A loader in another
 * one (not the unit) cannot name its child to them: only the outcomes of
 * the child's steps are checked then.
 */
static bool in_initial_pid_ns(void)
{
	char line[256];
	bool initial = true;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "NSpid:", 6))
			initial = !strchr(line + 7, '\t') && !strchr(line + 7, ' ');
	fclose(f);
	return initial;
}

int ug_selfcheck(const char *policy_path, char *why, size_t len)
{
	struct ug_selfcheck check = {};
	int go[2], map, status, err = 0;
	__u32 zero = 0;
	pid_t pid;

	map = open_check_map();
	if (map < 0) {
		ug_fmt(why, len, "opening %s/ug_selfcheck: %s", UG_PIN_DIR, strerror(-map));
		return map;
	}
	if (pipe2(go, O_CLOEXEC)) {
		err = -errno;
		ug_fmt(why, len, "pipe: %s", strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		ug_fmt(why, len, "fork: %s", strerror(errno));
		close(go[0]);
		close(go[1]);
		goto out;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		close(go[1]);
		/* Only its failure line (stderr) is the child's to say. */
		if (null < 0 || dup2(null, STDOUT_FILENO) < 0)
			_exit(98);
		child(policy_path, go[0]);
	}
	close(go[0]);
	check.tgid = in_initial_pid_ns() ? (__u32)pid : 0;
	if (bpf_map_update_elem(map, &zero, &check, BPF_ANY)) {
		err = -errno;
		ug_fmt(why, len, "writing ug_selfcheck: %s", strerror(errno));
	}
	/* Closing without a byte makes the child exit 99 if the write failed. */
	if (!err && write(go[1], "", 1) != 1)
		err = -errno;
	close(go[1]);
	if (waitpid(pid, &status, 0) < 0 && !err)
		err = -errno;
	if (bpf_map_lookup_elem(map, &zero, &check) && !err) {
		err = -errno;
		ug_fmt(why, len, "reading ug_selfcheck: %s", strerror(errno));
	}
	/* Stop counting: the pid may be reused. */
	memset(&check, 0, sizeof(check));
	bpf_map_update_elem(map, &zero, &check, BPF_ANY);
	if (err)
		goto out;
	if (check.judged) {
		ug_fmt(why, len, "a host task (initial user namespace) was judged %llu time%s",
		       (unsigned long long)check.judged, check.judged == 1 ? "" : "s");
		err = 1;
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;

		if (code > 100 && code < 100 + STEP_COUNT)
			ug_fmt(why, len, "a host task could not %s", step_names[code - 100]);
		else
			ug_fmt(why, len, "the check's host task ended with status %#x", status);
		err = 1;
	}
out:
	close(map);
	return err;
}
