// SPDX-License-Identifier: GPL-2.0-only
#include "guest_test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <linux/mount.h>
#include <sys/wait.h>
#include <unistd.h>

static int passed, failed;

void expect(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		printf("ok   %s\n", name);
		return;
	}
	failed++;
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static const char *describe(struct outcome o, char *buf, size_t len)
{
	if (o.killed)
		snprintf(buf, len, "killed by signal %d", o.sig);
	else if (o.err && strerrorname_np(o.err))
		snprintf(buf, len, "failed with %s", strerrorname_np(o.err));
	else if (o.err)
		snprintf(buf, len, "failed with code %d", o.err);
	else
		snprintf(buf, len, "succeeded");
	return buf;
}

void expect_outcome(const char *name, struct outcome got, struct outcome want)
{
	char a[64], b[64];
	bool same = got.killed == want.killed &&
		    (got.killed ? got.sig == want.sig : got.err == want.err);

	expect(same, name, "%s, expected: %s", describe(got, a, sizeof(a)),
	       describe(want, b, sizeof(b)));
}

int summary(void)
{
	printf("%d passed, %d failed\n", passed, failed);
	fflush(stdout);
	return failed ? 1 : 0;
}

struct outcome in_child(int (*fn)(void *), void *arg)
{
	struct outcome o = {};
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		o.err = errno;
		return o;
	}
	if (pid == 0)
		_exit(fn(arg));
	if (waitpid(pid, &status, 0) < 0) {
		o.err = errno;
		return o;
	}
	if (WIFSIGNALED(status)) {
		o.killed = true;
		o.sig = WTERMSIG(status);
	} else {
		o.err = WEXITSTATUS(status);
	}
	return o;
}

static int vsh(char *out, size_t len, const char *fmt, va_list ap)
{
	char cmd[4096];
	int status;
	FILE *p;

	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	fflush(stdout);
	if (!out) {
		status = system(cmd);
	} else {
		char full[4200];
		size_t n = 0;

		snprintf(full, sizeof(full), "(%s) 2>&1", cmd);
		p = popen(full, "r");
		if (!p)
			return -1;
		while (n + 1 < len && fgets(out + n, (int)(len - n), p))
			n += strlen(out + n);
		out[n] = '\0';
		while (fgetc(p) != EOF)
			;
		status = pclose(p);
	}
	if (status < 0)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int sh(const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsh(NULL, 0, fmt, ap);
	va_end(ap);
	return ret;
}

int sh_capture(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsh(out, len, fmt, ap);
	va_end(ap);
	return ret;
}

void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f)) {
		printf("FAIL write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

int load_policy(const char *text)
{
	write_file("/tmp/policy.conf", text);
	return sh("usernsguard load /tmp/policy.conf >/tmp/load.out 2>&1 || { cat /tmp/load.out; exit 1; }");
}

/*
 * The state a test program starts from, without an unload: a cold load
 * costs 15 s (6.1) to 70 s (6.18) of verifier time under TCG, so only the
 * tests about loading pay it. Nothing loaded stays nothing loaded. Counters
 * carry over: tests compare them before and after, never to a constant.
 */
void rules_off(void)
{
	if (access("/sys/fs/bpf/usernsguard", F_OK))
		return;
	if (load_policy("rule overflow-transitions off\nrule most-restrictive off\n"
			"rule shift-marks off\n")) {
		printf("FAIL: loading a policy with every rule off\n");
		exit(1);
	}
	sh("usernsguard mark list 2>/dev/null | awk '/^\\// { print $1 }' | "
	   "while read -r dir; do usernsguard mark remove \"$dir\" >/dev/null; done; "
	   "usernsguard events >/dev/null 2>&1");
}

void status_links(char *out, size_t len)
{
	char status[16384], *p;

	out[0] = '\0';
	if (sh_capture(status, sizeof(status), "usernsguard status"))
		return;
	p = strstr(status, "programs:");
	snprintf(out, len, "%s", p ? p : "");
}

long long rule_counter(const char *rule, const char *which)
{
	char out[8192], *line, *p;

	if (sh_capture(out, sizeof(out), "usernsguard status"))
		return -1;
	line = strstr(out, rule);
	if (!line)
		return -1;
	p = strstr(line, which);
	if (!p)
		return -1;
	return strtoll(p + strlen(which), NULL, 10);
}

/* ---- user namespaces --------------------------------------------------- */

int write_proc(pid_t pid, const char *file, const char *text)
{
	char path[64];
	int fd, ok;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

/* Run fn inside a fresh user namespace with the given maps. */
struct outcome in_userns(const char *uid_map, const char *gid_map, int (*fn)(void *),
				void *arg)
{
	int ready[2], go[2], status;
	char c = 0;
	pid_t pid;

	if (pipe(ready) || pipe(go))
		return ERR(errno);
	pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWUSER))
			_exit(210);
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(211);
		_exit(fn(arg));
	}
	if (read(ready[0], &c, 1) != 1 || write_proc(pid, "uid_map", uid_map) ||
	    write_proc(pid, "gid_map", gid_map))
		c = 1;
	if (write(go[1], &c, 1) != 1)
		c = 1;
	waitpid(pid, &status, 0);
	if (c)
		return ERR(212);
	if (WIFSIGNALED(status))
		return (struct outcome){ .killed = true, .sig = WTERMSIG(status) };
	return ERR(WEXITSTATUS(status));
}


/* A user namespace fd with @map, kept alive by a parked child. */
static int userns_fd(const char *map, pid_t *holder)
{
	char path[64], c = 0, uid_map[4096], *gid_map;
	int ready[2], fd;
	pid_t pid;

	if (pipe(ready))
		return -1;
	pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWUSER) || write(ready[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	/* "UIDMAP|GIDMAP" gives the two maps apart. */
	snprintf(uid_map, sizeof(uid_map), "%s", map);
	gid_map = strchr(uid_map, '|');
	if (gid_map)
		*gid_map++ = '\0';
	else
		gid_map = uid_map;
	if (read(ready[0], &c, 1) != 1 || write_proc(pid, "uid_map", uid_map) ||
	    write_proc(pid, "gid_map", gid_map))
		fd = -1;
	else {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
		fd = open(path, O_RDONLY);
	}
	close(ready[0]);
	*holder = pid;
	return fd;
}

int idmapped_tree(const char *src, const char *map, bool rdonly)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };
	int tree, err = 0, ns;
	pid_t holder;

	if (rdonly)
		attr.attr_set |= MOUNT_ATTR_RDONLY;
	ns = userns_fd(map, &holder);
	if (ns < 0)
		return -EINVAL;
	attr.userns_fd = (__u64)ns;
	tree = (int)syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0 || syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)))
		err = -errno;
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	close(ns);
	if (err) {
		if (tree >= 0)
			close(tree);
		return err;
	}
	return tree;
}

int attach_tree(int tree, const char *dst)
{
	if (syscall(SYS_move_mount, tree, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH))
		return errno;
	return 0;
}
