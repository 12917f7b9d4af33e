// SPDX-License-Identifier: GPL-2.0-only
/*
 * Rule 1, overflow-transitions, end to end in the guest: every way to
 * acquire the overflow id, each denial with its exact errno (or the kill)
 * and each with an allowed neighbour; user namespaces, exemptions, audit
 * mode, policy replacement and unload.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_test.h"

#define NOBODY 65534
#define SELF "/tests/test_overflow"

/* ---- operations run in children; they return an errno ---------------- */

static int op_setuid(void *arg)
{
	uid_t id = (uid_t)(uintptr_t)arg;

	if (setuid(id))
		return errno;
	return getuid() == id && geteuid() == id ? 0 : 100;
}

static int op_seteuid(void *arg)
{
	uid_t id = (uid_t)(uintptr_t)arg;

	if (seteuid(id))
		return errno;
	return geteuid() == id ? 0 : 100;
}

static int op_setresuid_saved(void *arg)
{
	if (setresuid(-1, -1, (uid_t)(uintptr_t)arg))
		return errno;
	return 0;
}

static int op_setfsuid(void *arg)
{
	uid_t id = (uid_t)(uintptr_t)arg;

	setfsuid(id);
	/* setfsuid() reports nothing: ask again to see whether it changed. */
	return (uid_t)setfsuid((uid_t)-1) == id ? 0 : 101;
}

static int op_setgid(void *arg)
{
	gid_t id = (gid_t)(uintptr_t)arg;

	if (setgid(id))
		return errno;
	return getgid() == id ? 0 : 100;
}

static int op_setfsgid(void *arg)
{
	gid_t id = (gid_t)(uintptr_t)arg;

	setfsgid(id);
	return (gid_t)setfsgid((gid_t)-1) == id ? 0 : 101;
}

static int op_setgroups(void *arg)
{
	gid_t list[2] = { 100, (gid_t)(uintptr_t)arg };

	if (setgroups(2, list))
		return errno;
	return 0;
}

struct chown_args {
	const char *path;
	uid_t uid;
	gid_t gid;
	int how; /* 0 chown, 1 fchown, 2 lchown, 3 fchownat */
};

static int op_chown(void *arg)
{
	const struct chown_args *a = arg;
	int fd, ret;

	switch (a->how) {
	case 1:
		fd = open(a->path, O_RDONLY);
		if (fd < 0)
			return 200;
		ret = fchown(fd, a->uid, a->gid);
		break;
	case 2:
		ret = lchown(a->path, a->uid, a->gid);
		break;
	case 3:
		ret = fchownat(AT_FDCWD, a->path, a->uid, a->gid, 0);
		break;
	default:
		ret = chown(a->path, a->uid, a->gid);
	}
	return ret ? errno : 0;
}

struct exec_args {
	const char *path;
	const char *want_euid;
	const char *want_egid;
};

static int op_exec(void *arg)
{
	const struct exec_args *a = arg;

	execl(a->path, a->path, "--expect-ids", a->want_euid, a->want_egid, (char *)NULL);
	return errno;
}

static int op_exec_setuid(void *arg)
{
	const char *path = arg;

	execl(path, path, "--setuid", "65534", (char *)NULL);
	return errno;
}

/*
 * @path under a tracer: the grandchild asks to be traced and execs it;
 * this child stops it at the exec (SIGTRAP), then lets it run to its end
 * still traced or, with @detach, untraced (what the tracer could change
 * before detaching must still cost the exemption), and returns its exit
 * status (an errno).
 */
static int traced_exec_setuid(const char *path, bool detach)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 200;
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(201);
		_exit(op_exec_setuid((void *)path));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
	    ptrace(detach ? PTRACE_DETACH : PTRACE_CONT, pid, NULL, NULL))
		return 202;
	if (waitpid(pid, &status, 0) != pid)
		return 203;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 204;
}

static int op_traced_exec_setuid(void *arg)
{
	return traced_exec_setuid(arg, false);
}

static int op_detached_exec_setuid(void *arg)
{
	return traced_exec_setuid(arg, true);
}

/* The exempt helper runs @mode (a helper() mode) with one argument, then setuid(65534). */
struct helper_run {
	const char *path;
	const char *mode;
	const char *arg;
};

static int op_exec_helper(void *arg)
{
	const struct helper_run *h = arg;

	execl(h->path, h->path, h->mode, h->arg ? h->arg : "-", (char *)NULL);
	return errno;
}

/*
 * The exempt helper waits on a pipe before its setuid(65534); meanwhile
 * this child opens its /proc/PID/mem for writing (PTRACE_MODE_ATTACH,
 * what a code injector needs) when @arg is non-NULL.
 */
static int op_mem_opened_setuid(void *arg)
{
	int go[2], ready[2], status, fd = -1;
	char path[64], c = 0;
	pid_t pid;

	if (pipe(go) || pipe(ready))
		return 200;
	pid = fork();
	if (pid < 0)
		return 201;
	if (pid == 0) {
		dup2(go[0], 0);
		dup2(ready[1], 1);
		execl("/tmp/exempt-helper", "/tmp/exempt-helper", "--wait-setuid", "-", (char *)NULL);
		_exit(202);
	}
	close(go[0]);
	close(ready[1]);
	/* Past its exec: a taint is of the program that runs. */
	if (read(ready[0], &c, 1) != 1)
		return 207;
	if (arg) {
		snprintf(path, sizeof(path), "/proc/%d/mem", pid);
		fd = open(path, O_RDWR);
		if (fd < 0)
			return 203;
	}
	if (write(go[1], &c, 1) != 1)
		return 204;
	if (waitpid(pid, &status, 0) != pid)
		return 205;
	if (fd >= 0)
		close(fd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 206;
}

/* The inode number the file at @path has, 0 if none. */
static unsigned long ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

static int op_join_cgroup_setuid(void *arg)
{
	const char *cg = arg;
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/fs/cgroup%s/cgroup.procs", cg);
	f = fopen(path, "w");
	if (!f || fprintf(f, "0\n") < 0 || fclose(f))
		return 201;
	return op_setuid((void *)(uintptr_t)NOBODY);
}

/* ---- a task that already holds the id, prepared before the load ---------- */

/* Child gets ruid 65534 before enforcement, then tries seteuid(65534). */
static struct outcome holder_seteuid(const char *policy)
{
	int ready[2], go[2], status;
	struct outcome o = {};
	char c = 0;
	pid_t pid;

	if (pipe(ready) || pipe(go))
		return ERR(errno);
	rules_off();
	pid = fork();
	if (pid == 0) {
		if (setresuid(NOBODY, 0, 0))
			_exit(202);
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(203);
		_exit(op_seteuid((void *)(uintptr_t)NOBODY));
	}
	if (read(ready[0], &c, 1) != 1 || load_policy(policy))
		o.err = 204;
	if (write(go[1], &c, 1) != 1)
		o.err = 205;
	waitpid(pid, &status, 0);
	if (o.err)
		return o;
	if (WIFSIGNALED(status))
		return (struct outcome){ .killed = true, .sig = WTERMSIG(status) };
	o.err = WEXITSTATUS(status);
	return o;
}

#define ID(x) ((void *)(uintptr_t)(x))

static const char enforce_errno[] = "mode enforce\n"
				    "rule overflow-transitions on on-deny errno\n";
static const char enforce_kill[] = "mode enforce\n"
				   "rule overflow-transitions on\n";

static void setup_files(void)
{
	/* Made before any policy: handing files to 65534 is what rule 1 stops. */
	rules_off();
	sh("cp " SELF " /tmp/suid-nobody && chown 65534:0 /tmp/suid-nobody && chmod 4755 /tmp/suid-nobody");
	sh("cp " SELF " /tmp/sgid-nogroup && chown 0:65534 /tmp/sgid-nogroup && chmod 2755 /tmp/sgid-nogroup");
	sh("cp " SELF " /tmp/suid-1000 && chown 1000:1000 /tmp/suid-1000 && chmod 6755 /tmp/suid-1000");
	sh("cp " SELF " /tmp/exempt-helper && cp " SELF " /tmp/plain-helper");
	/* Code for the exempt helper to map: root's own, and two that are not. */
	sh("cp " SELF " /tmp/code-root && chmod 0755 /tmp/code-root");
	sh("cp " SELF " /tmp/code-user && chown 1000:1000 /tmp/code-user && chmod 0755 /tmp/code-user");
	sh("cp " SELF " /tmp/code-groupw && chmod 0775 /tmp/code-groupw");
	sh("touch /tmp/f-root /tmp/f-nobody && chown 65534:65534 /tmp/f-nobody");
	sh("ln -sf /tmp/f-root /tmp/l-root");
	sh("mkdir -p /sys/fs/cgroup/ug-exempt/sub /sys/fs/cgroup/ug-other");
}

static void test_setuid_family(void)
{
	expect(load_policy(enforce_errno) == 0, "load enforce/errno policy", "load failed");
	expect_outcome("setuid(65534) denied EPERM", in_child(op_setuid, ID(NOBODY)), ERR(EPERM));
	expect_outcome("setuid(65533) allowed", in_child(op_setuid, ID(65533)), OK);
	expect_outcome("setuid(65535) allowed", in_child(op_setuid, ID(65535)), OK);
	expect_outcome("seteuid(65534) denied EPERM", in_child(op_seteuid, ID(NOBODY)), ERR(EPERM));
	expect_outcome("seteuid(1000) allowed", in_child(op_seteuid, ID(1000)), OK);
	expect_outcome("setresuid(-1,-1,65534) denied EPERM",
		       in_child(op_setresuid_saved, ID(NOBODY)), ERR(EPERM));
	expect_outcome("setresuid(-1,-1,1000) allowed", in_child(op_setresuid_saved, ID(1000)), OK);
	expect_outcome("setfsuid(65534) killed even with on-deny errno",
		       in_child(op_setfsuid, ID(NOBODY)), KILLED);
	expect_outcome("setfsuid(1000) allowed", in_child(op_setfsuid, ID(1000)), OK);
	expect_outcome("setgid(65534) denied EPERM", in_child(op_setgid, ID(NOBODY)), ERR(EPERM));
	expect_outcome("setgid(65533) allowed", in_child(op_setgid, ID(65533)), OK);
	expect_outcome("setfsgid(65534) killed", in_child(op_setfsgid, ID(NOBODY)), KILLED);
	expect_outcome("setfsgid(100) allowed", in_child(op_setfsgid, ID(100)), OK);
	expect_outcome("setgroups({100,65534}) denied EPERM", in_child(op_setgroups, ID(NOBODY)),
		       ERR(EPERM));
	expect_outcome("setgroups({100,65533}) allowed", in_child(op_setgroups, ID(65533)), OK);
}

static void test_kill_mode(void)
{
	struct chown_args to_nobody = { "/tmp/f-root", NOBODY, (gid_t)-1, 0 };
	struct exec_args suid = { "/tmp/suid-nobody", "65534", "0" };

	expect(load_policy(enforce_kill) == 0, "load enforce policy (on-deny kill default)",
	       "load failed");
	expect_outcome("kill: setuid(65534) killed", in_child(op_setuid, ID(NOBODY)), KILLED);
	expect_outcome("kill: setuid(65533) allowed", in_child(op_setuid, ID(65533)), OK);
	expect_outcome("kill: setgid(65534) killed", in_child(op_setgid, ID(NOBODY)), KILLED);
	expect_outcome("kill: setgroups({100,65534}) killed", in_child(op_setgroups, ID(NOBODY)),
		       KILLED);
	expect_outcome("kill: setgroups({100,65533}) allowed", in_child(op_setgroups, ID(65533)),
		       OK);
	/* Failures that the caller cannot miss are never kills. */
	expect_outcome("kill: chown to 65534 is EPERM, not a kill", in_child(op_chown, &to_nobody),
		       ERR(EPERM));
	expect_outcome("kill: exec set-uid 65534 is EPERM, not a kill", in_child(op_exec, &suid),
		       ERR(EPERM));
}

static void test_exec(void)
{
	struct exec_args suid_nobody = { "/tmp/suid-nobody", "65534", "0" };
	struct exec_args sgid_nogroup = { "/tmp/sgid-nogroup", "0", "65534" };
	struct exec_args suid_1000 = { "/tmp/suid-1000", "1000", "1000" };

	expect(load_policy(enforce_errno) == 0, "load enforce/errno policy", "load failed");
	expect_outcome("exec set-uid binary owned by 65534 denied EPERM",
		       in_child(op_exec, &suid_nobody), ERR(EPERM));
	expect_outcome("exec set-gid binary of group 65534 denied EPERM",
		       in_child(op_exec, &sgid_nogroup), ERR(EPERM));
	expect_outcome("exec set-uid/gid binary owned by 1000 runs as 1000",
		       in_child(op_exec, &suid_1000), OK);
}

static void test_chown(void)
{
	struct chown_args c_uid = { "/tmp/f-root", NOBODY, (gid_t)-1, 0 };
	struct chown_args c_gid = { "/tmp/f-root", (uid_t)-1, NOBODY, 0 };
	struct chown_args c_fd = { "/tmp/f-root", NOBODY, (gid_t)-1, 1 };
	struct chown_args c_link = { "/tmp/l-root", NOBODY, (gid_t)-1, 2 };
	struct chown_args c_at = { "/tmp/f-root", NOBODY, (gid_t)-1, 3 };
	struct chown_args ok_uid = { "/tmp/f-root", 65533, 65533, 0 };
	struct chown_args back = { "/tmp/f-root", 0, 0, 0 };
	struct chown_args same = { "/tmp/f-nobody", NOBODY, NOBODY, 0 };
	struct stat st;

	expect_outcome("chown(file, 65534) denied EPERM", in_child(op_chown, &c_uid), ERR(EPERM));
	expect_outcome("chgrp(file, 65534) denied EPERM", in_child(op_chown, &c_gid), ERR(EPERM));
	expect_outcome("fchown(fd, 65534) denied EPERM", in_child(op_chown, &c_fd), ERR(EPERM));
	expect_outcome("lchown(link, 65534) denied EPERM", in_child(op_chown, &c_link),
		       ERR(EPERM));
	expect_outcome("fchownat(file, 65534) denied EPERM", in_child(op_chown, &c_at),
		       ERR(EPERM));
	expect(stat("/tmp/f-root", &st) == 0 && st.st_uid == 0 && st.st_gid == 0,
	       "denied chown left the owner 0:0", "owner %u:%u", st.st_uid, st.st_gid);
	expect_outcome("chown(file, 65533:65533) allowed", in_child(op_chown, &ok_uid), OK);
	expect_outcome("chown back to 0:0 allowed", in_child(op_chown, &back), OK);
	expect_outcome("chown of a 65534-owned file to 65534 (no change) allowed",
		       in_child(op_chown, &same), OK);
}

static void test_holder(void)
{
	expect_outcome("task already holding 65534 (ruid) may seteuid(65534)",
		       holder_seteuid(enforce_errno), OK);
}

static void test_user_namespaces(void)
{
	expect(load_policy(enforce_errno) == 0, "load enforce/errno policy", "load failed");
	/* The namespace's own 65534 is host 165534: ambiguous inside it. */
	expect_outcome("userns: setuid(65534) (host 165534) denied EPERM",
		       in_userns("0 100000 70000", "0 100000 70000", op_setuid, ID(NOBODY)),
		       ERR(EPERM));
	expect_outcome("userns: setuid(1000) (host 101000) allowed",
		       in_userns("0 100000 70000", "0 100000 70000", op_setuid, ID(1000)), OK);
	expect_outcome("userns: setgid(65534) denied EPERM",
		       in_userns("0 100000 70000", "0 100000 70000", op_setgid, ID(NOBODY)),
		       ERR(EPERM));
	expect_outcome("userns: setgid(65533) allowed",
		       in_userns("0 100000 70000", "0 100000 70000", op_setgid, ID(65533)), OK);
	/* Host 65534 mapped under another number is still the host's overflow id. */
	expect_outcome("userns: setuid(5000) mapped to host 65534 denied EPERM",
		       in_userns("0 100000 1000\n5000 65534 1\n", "0 100000 1000\n",
				 op_setuid, ID(5000)),
		       ERR(EPERM));
	expect_outcome("userns: setuid(999) mapped to host 100999 allowed",
		       in_userns("0 100000 1000\n5000 65534 1\n", "0 100000 1000\n",
				 op_setuid, ID(999)),
		       OK);
	/* More than 5 extents: the sorted arrays and the binary search. */
	expect_outcome("userns, 6 extents: setuid(65534) denied EPERM",
		       in_userns("0 100000 10\n10 200010 10\n20 300020 10\n30 400030 10\n"
				 "40 500040 10\n65534 600000 1\n",
				 "0 100000 10\n", op_setuid, ID(NOBODY)),
		       ERR(EPERM));
	expect_outcome("userns, 6 extents: setuid(35) allowed",
		       in_userns("0 100000 10\n10 200010 10\n20 300020 10\n30 400030 10\n"
				 "40 500040 10\n65534 600000 1\n",
				 "0 100000 10\n", op_setuid, ID(35)),
		       OK);
}

#define HELPER(mode_, arg_) (&(struct helper_run){ "/tmp/exempt-helper", mode_, arg_ })

/*
 * An exemption covers the exempt program's own code (exempt_taint.bpf.h).
 * Each way of running someone else's code in it is refused, each next to
 * the same steps without that code. Expects the policy of test_exemptions.
 */
static void test_exemption_hijack(void)
{
	/* PR_SET_MM: the exe link can be pointed at the exempt file. */
	expect_outcome("twin: exempt helper, own file remapped anonymous: setuid(65534) allowed",
		       in_child(op_exec_helper, HELPER("--remap-setuid", NULL)), OK);
	expect_outcome("plain helper, PR_SET_MM_EXE_FILE to the exempt file: setuid(65534) denied EPERM",
		       in_child(op_exec_helper, &(struct helper_run){ "/tmp/plain-helper",
							"--set-mm-exe", "/tmp/exempt-helper" }),
		       ERR(EPERM));
	expect_outcome("exempt helper, PR_SET_MM_EXE_FILE to itself (not opened by exec): denied EPERM",
		       in_child(op_exec_helper, HELPER("--set-mm-exe", "/tmp/exempt-helper")),
		       ERR(EPERM));
	/* Code mapped from a file that is not the program's own: a preload. */
	expect_outcome("twin: exempt helper maps root's 0755 file executable: allowed",
		       in_child(op_exec_helper, HELPER("--map-exec", "/tmp/code-root")), OK);
	expect_outcome("exempt helper maps uid 1000's file executable: setuid(65534) denied EPERM",
		       in_child(op_exec_helper, HELPER("--map-exec", "/tmp/code-user")), ERR(EPERM));
	expect_outcome("exempt helper maps root's group-writable file executable: denied EPERM",
		       in_child(op_exec_helper, HELPER("--map-exec", "/tmp/code-groupw")), ERR(EPERM));
	expect_outcome("exempt helper mprotects uid 1000's file executable: denied EPERM",
		       in_child(op_exec_helper, HELPER("--mprotect-exec", "/tmp/code-user")),
		       ERR(EPERM));
	expect_outcome("twin: exempt helper mprotects root's file executable: allowed",
		       in_child(op_exec_helper, HELPER("--mprotect-exec", "/tmp/code-root")), OK);
	expect_outcome("child forked after mapping uid 1000's code: setuid(65534) denied EPERM",
		       in_child(op_exec_helper, HELPER("--map-exec-fork", "/tmp/code-user")),
		       ERR(EPERM));
	expect_outcome("twin: child forked after mapping root's code: allowed",
		       in_child(op_exec_helper, HELPER("--map-exec-fork", "/tmp/code-root")), OK);
	/* Another task's writes: /proc/PID/mem, a tracer that detached. */
	expect_outcome("exempt helper whose /proc/PID/mem was opened: setuid(65534) denied EPERM",
		       in_child(op_mem_opened_setuid, (void *)1), ERR(EPERM));
	expect_outcome("twin: the same helper, /proc/PID/mem untouched: allowed",
		       in_child(op_mem_opened_setuid, NULL), OK);
	expect_outcome("exempt helper traced across exec, tracer detached: denied EPERM",
		       in_child(op_detached_exec_setuid, "/tmp/exempt-helper"), ERR(EPERM));
}

static void test_exemptions(void)
{
	char cmd[512], out[4096];
	unsigned long old_id;
	int rc;

	expect(load_policy("rule overflow-transitions on on-deny errno\n"
			   "exempt overflow-transitions exec /tmp/exempt-helper\n"
			   "exempt overflow-transitions cgroup /ug-exempt\n"
			   "exempt overflow-transitions cgroup /ug-later/svc\n") == 0,
	       "load policy with exemptions", "load failed");
	expect_outcome("exempt executable may setuid(65534)",
		       in_child(op_exec_setuid, "/tmp/exempt-helper"), OK);
	expect_outcome("same binary at another inode denied EPERM",
		       in_child(op_exec_setuid, "/tmp/plain-helper"), ERR(EPERM));
	/* ptrace can make a task run any syscall: the exemption is the program's own code's. */
	expect_outcome("exempt executable under ptrace: setuid(65534) denied EPERM",
		       in_child(op_traced_exec_setuid, "/tmp/exempt-helper"), ERR(EPERM));
	expect_outcome("twin: the plain binary under ptrace is denied as ever",
		       in_child(op_traced_exec_setuid, "/tmp/plain-helper"), ERR(EPERM));
	test_exemption_hijack();
	expect_outcome("task in exempt cgroup may setuid(65534)",
		       in_child(op_join_cgroup_setuid, "/ug-exempt"), OK);
	expect_outcome("task in a child of the exempt cgroup may setuid(65534)",
		       in_child(op_join_cgroup_setuid, "/ug-exempt/sub"), OK);
	expect_outcome("task in a sibling cgroup denied EPERM",
		       in_child(op_join_cgroup_setuid, "/ug-other"), ERR(EPERM));

	/* By path: a cgroup made after the load, and one removed and made again. */
	expect(sh("mkdir -p /sys/fs/cgroup/ug-later/svc /sys/fs/cgroup/ug-later/other") == 0,
	       "made /ug-later/svc (named by the policy, absent at load) and a sibling",
	       "mkdir failed");
	expect_outcome("task in an exempt cgroup made after the load may setuid(65534)",
		       in_child(op_join_cgroup_setuid, "/ug-later/svc"), OK);
	expect_outcome("twin: its sibling, made at the same time, denied EPERM",
		       in_child(op_join_cgroup_setuid, "/ug-later/other"), ERR(EPERM));
	old_id = ino_of("/sys/fs/cgroup/ug-exempt");
	expect(sh("rmdir /sys/fs/cgroup/ug-exempt/sub /sys/fs/cgroup/ug-exempt && "
		  "mkdir /sys/fs/cgroup/ug-exempt") == 0,
	       "removed the exempt cgroup and made it again (a service restart)", "failed");
	expect_outcome("task in the exempt cgroup made again may setuid(65534)",
		       in_child(op_join_cgroup_setuid, "/ug-exempt"), OK);
	expect(sh("rmdir /sys/fs/cgroup/ug-exempt && mkdir /sys/fs/cgroup/ug-exempt-not") == 0,
	       "removed it again, made a cgroup whose name only starts the same", "failed");
	expect_outcome("twin: /ug-exempt-not denied EPERM",
		       in_child(op_join_cgroup_setuid, "/ug-exempt-not"), ERR(EPERM));
	/* What the removals took out: ug_match holds the ids of the cgroups alive only. */
	snprintf(cmd, sizeof(cmd),
		 "d=$(bpftool -j map dump pinned /sys/fs/bpf/usernsguard/ug_match | "
		 "grep -oE '\"kind\":1,\"_pad\":0,\"id\":[0-9]+,'); "
		 "echo $(echo \"$d\" | grep -c ':%lu,$') $(echo \"$d\" | grep -c ':%lu,$')",
		 ino_of("/sys/fs/cgroup/ug-later/svc"), old_id);
	rc = sh_capture(out, sizeof(out), "%s", cmd);
	expect(old_id && !strncmp(out, "1 0", 3),
	       "ug_match: /ug-later/svc's id is in, the removed /ug-exempt's is out",
	       "exit %d, '%s' entries of the live id and of %lu", rc, out, old_id);
	sh("rmdir /sys/fs/cgroup/ug-exempt-not /sys/fs/cgroup/ug-later/svc "
	   "/sys/fs/cgroup/ug-later/other /sys/fs/cgroup/ug-later");
	sh("mkdir -p /sys/fs/cgroup/ug-exempt/sub");
}

/*
 * An exec exemption names one file (issue 16): it follows the file across
 * an upgrade that renames a new binary over it (what dpkg does), and a
 * new file that merely gets a freed inode's number never inherits it. On
 * ext4, which reuses inode numbers and gives each inode a random
 * generation.
 */
static void test_exemption_identity(void)
{
	char path[64], cmd[160];
	unsigned long ino;
	int i;

	expect(sh("grep -q '^loop ' /proc/modules || insmod /lib/modules/loop.ko; "
		  "mkdir -p /mnt/x && dd if=/dev/zero of=/tmp/x.img bs=1M count=16 2>/dev/null && "
		  "mke2fs -F /tmp/x.img >/dev/null && mount -t ext4 -o loop /tmp/x.img /mnt/x && "
		  "cp " SELF " /mnt/x/daemon && cp " SELF " /mnt/x/gone && cp " SELF " /mnt/x/other") == 0,
	       "ext4 image with three copies of the helper", "setup failed");
	expect(load_policy("rule overflow-transitions on on-deny errno\n"
			   "exempt overflow-transitions exec /mnt/x/daemon\n"
			   "exempt overflow-transitions exec /mnt/x/gone\n") == 0,
	       "load policy exempting /mnt/x/daemon and /mnt/x/gone", "load failed");
	expect_outcome("ext4: exempt /mnt/x/daemon may setuid(65534)",
		       in_child(op_exec_setuid, "/mnt/x/daemon"), OK);
	/* The upgrade: a new file written beside it, renamed over it. */
	expect(sh("cp " SELF " /mnt/x/daemon.dpkg-new && mv /mnt/x/daemon.dpkg-new /mnt/x/daemon") == 0,
	       "upgraded /mnt/x/daemon in place (rename over it)", "failed");
	expect_outcome("after the upgrade (a new inode) the exemption holds: allowed",
		       in_child(op_exec_setuid, "/mnt/x/daemon"), OK);
	expect(sh("cp " SELF " /mnt/x/other.new && mv /mnt/x/other.new /mnt/x/other") == 0,
	       "the same upgrade of a file that is not exempt", "failed");
	expect_outcome("twin: the upgraded file that was not exempt is denied EPERM",
		       in_child(op_exec_setuid, "/mnt/x/other"), ERR(EPERM));
	/* Inode reuse: remove the exempt file, make files until one gets its number. */
	ino = ino_of("/mnt/x/gone");
	expect(ino && sh("rm /mnt/x/gone") == 0, "removed exempt /mnt/x/gone", "ino %lu", ino);
	for (i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "/mnt/x/new%d", i);
		snprintf(cmd, sizeof(cmd), "cp " SELF " %s", path);
		if (sh(cmd) || ino_of(path) == ino)
			break;
	}
	expect(i < 200 && ino_of(path) == ino, "a new file got the removed file's inode number",
	       "none of %d files got inode %lu", i, ino);
	expect_outcome("a new file with an exempt inode's number is denied EPERM",
		       in_child(op_exec_setuid, path), ERR(EPERM));
	sh("umount /mnt/x");
}

static void test_modes_and_counters(void)
{
	long long before, after;

	expect(load_policy(enforce_errno) == 0, "load enforce/errno policy", "load failed");
	before = rule_counter("overflow-transitions", "denied ");
	in_child(op_setuid, ID(NOBODY));
	after = rule_counter("overflow-transitions", "denied ");
	expect(before >= 0 && after == before + 1, "a denial adds exactly 1 to denied",
	       "before %lld after %lld", before, after);

	expect(load_policy("mode audit\nrule overflow-transitions on\n") == 0,
	       "load global audit policy", "load failed");
	before = rule_counter("overflow-transitions", "audited ");
	expect_outcome("audit: setuid(65534) allowed", in_child(op_setuid, ID(NOBODY)), OK);
	after = rule_counter("overflow-transitions", "audited ");
	expect(before >= 0 && after == before + 1, "audit: the hit adds exactly 1 to audited",
	       "before %lld after %lld", before, after);
	before = after;
	expect_outcome("audit: setuid(65533) allowed", in_child(op_setuid, ID(65533)), OK);
	after = rule_counter("overflow-transitions", "audited ");
	expect(after == before, "audit: an allowed neighbour is not counted",
	       "before %lld after %lld", before, after);

	expect(load_policy("mode enforce\nrule overflow-transitions on mode audit\n") == 0,
	       "load rule-level audit policy", "load failed");
	expect_outcome("rule mode audit overrides global enforce", in_child(op_setuid, ID(NOBODY)),
		       OK);

	expect(load_policy("rule overflow-transitions off\n") == 0, "load rule-off policy",
	       "load failed");
	expect_outcome("rule off: setuid(65534) allowed", in_child(op_setuid, ID(NOBODY)), OK);

	expect(load_policy("overflow-ids uid 60000 gid 60001\n"
			   "rule overflow-transitions on on-deny errno\n") == 0,
	       "load explicit overflow-ids policy", "load failed");
	expect_outcome("explicit ids: setuid(60000) denied EPERM", in_child(op_setuid, ID(60000)),
		       ERR(EPERM));
	expect_outcome("explicit ids: setgid(60001) denied EPERM", in_child(op_setgid, ID(60001)),
		       ERR(EPERM));
	expect_outcome("explicit ids: setuid(65534) allowed", in_child(op_setuid, ID(NOBODY)), OK);
}

/* "overflow-ids auto" follows the sysctls without a reload (issue 16). */
static void test_live_sysctl(void)
{
	char out[4096];

	expect(load_policy("overflow-ids auto\nrule overflow-transitions on on-deny errno\n") == 0,
	       "load overflow-ids auto", "load failed");
	sh_capture(out, sizeof(out), "usernsguard status");
	expect(strstr(out, "overflow:   uid 65534, gid 65534 (auto: follows the sysctls live)") != NULL,
	       "status: auto, followed live", "%s", out);
	expect(sh("echo 60000 >/proc/sys/kernel/overflowuid && echo 60001 >/proc/sys/kernel/overflowgid") == 0,
	       "sysctl kernel.overflowuid=60000, overflowgid=60001 after load", "sysctl failed");
	expect_outcome("live: setuid(60000) denied EPERM, no reload", in_child(op_setuid, ID(60000)),
		       ERR(EPERM));
	expect_outcome("live: setgid(60001) denied EPERM", in_child(op_setgid, ID(60001)),
		       ERR(EPERM));
	expect_outcome("live: setuid(65534) allowed (no longer the overflow id)",
		       in_child(op_setuid, ID(NOBODY)), OK);
	expect(sh("echo 65534 >/proc/sys/kernel/overflowuid && echo 65534 >/proc/sys/kernel/overflowgid") == 0,
	       "sysctl back to 65534", "sysctl failed");
	expect_outcome("live: setuid(65534) denied again", in_child(op_setuid, ID(NOBODY)),
		       ERR(EPERM));
	expect_outcome("live: setuid(60000) allowed again", in_child(op_setuid, ID(60000)), OK);

	/* Named ids are the policy's own: a sysctl change does not move them. */
	expect(load_policy("overflow-ids uid 65534 gid 65534\n"
			   "rule overflow-transitions on on-deny errno\n") == 0,
	       "load overflow-ids uid 65534 gid 65534", "load failed");
	sh("echo 60000 >/proc/sys/kernel/overflowuid");
	expect_outcome("named ids: setuid(60000) allowed after the sysctl change",
		       in_child(op_setuid, ID(60000)), OK);
	expect_outcome("named ids: setuid(65534) still denied", in_child(op_setuid, ID(NOBODY)),
		       ERR(EPERM));
	sh("echo 65534 >/proc/sys/kernel/overflowuid");
}

static void test_lifecycle(void)
{
	char out[8192], links_before[8192], links_after[8192];
	int rc;

	expect(load_policy(enforce_errno) == 0, "load enforce/errno policy", "load failed");
	status_links(links_before, sizeof(links_before));
	expect(strstr(links_before, "bpf_lsm_task_fix_setuid") != NULL,
	       "status lists the task_fix_setuid hook", "status: %s", links_before);
	expect(load_policy(enforce_errno) == 0, "load the same policy again", "load failed");
	status_links(links_after, sizeof(links_after));
	expect(links_before[0] && !strcmp(links_before, links_after),
	       "the same policy again keeps the same links", "before:\n%s\nafter:\n%s",
	       links_before, links_after);
	/* Off, its programs go (issue 19); on again, they are back before it is in force. */
	expect(load_policy("rule overflow-transitions off\n") == 0, "replace with rule off",
	       "load failed");
	expect_outcome("after replacement: setuid(65534) allowed", in_child(op_setuid, ID(NOBODY)),
		       OK);
	expect(access("/sys/fs/bpf/usernsguard/links/ug_task_fix_setuid", F_OK) != 0,
	       "rule off: its task_fix_setuid program is detached", "link still pinned");
	expect(load_policy(enforce_errno) == 0, "replace with enforce again", "load failed");
	expect(access("/sys/fs/bpf/usernsguard/links/ug_task_fix_setuid", F_OK) == 0,
	       "rule on again: attached again", "no link");
	expect_outcome("after replacement: setuid(65534) denied EPERM",
		       in_child(op_setuid, ID(NOBODY)), ERR(EPERM));

	/* An invalid file changes nothing. */
	write_file("/tmp/bad.conf", "rule overflow-transitions on\nfrobnicate yes\n");
	rc = sh_capture(out, sizeof(out), "usernsguard load /tmp/bad.conf");
	expect(rc == 1 && strstr(out, "/tmp/bad.conf:2:1: unknown directive 'frobnicate'"),
	       "load of an invalid file: exit 1 and file:line:col", "exit %d: %s", rc, out);
	expect_outcome("after the rejected load: still denied", in_child(op_setuid, ID(NOBODY)),
		       ERR(EPERM));
	rc = sh_capture(out, sizeof(out), "usernsguard check /tmp/bad.conf");
	expect(rc == 1 && strstr(out, "/tmp/bad.conf:2:1:"), "check of an invalid file: exit 1",
	       "exit %d: %s", rc, out);
	rc = sh_capture(out, sizeof(out), "usernsguard load /tmp/does-not-exist.conf");
	expect(rc == 4, "load of a missing file: exit 4", "exit %d: %s", rc, out);

	rc = sh_capture(out, sizeof(out), "usernsguard unload");
	expect(rc == 0, "unload: exit 0", "exit %d: %s", rc, out);
	/* No grace period: unload returning means nothing enforces. */
	expect_outcome("right after unload: setuid(65534) allowed",
		       in_child(op_setuid, ID(NOBODY)), OK);
	expect(access("/sys/fs/bpf/usernsguard", F_OK) != 0, "unload removed every pin",
	       "/sys/fs/bpf/usernsguard still exists");
	rc = sh_capture(out, sizeof(out), "usernsguard status");
	expect(rc == 8, "status after unload: exit 8 (not loaded)", "exit %d: %s", rc, out);
	rc = sh_capture(out, sizeof(out), "usernsguard unload");
	expect(rc == 8, "unload when not loaded: exit 8", "exit %d: %s", rc, out);
	expect(load_policy(enforce_errno) == 0, "load again after unload", "load failed");
	expect_outcome("reloaded: setuid(65534) denied EPERM", in_child(op_setuid, ID(NOBODY)),
		       ERR(EPERM));
}

/*
 * Move every mapping of this program's own file to anonymous memory with
 * the same bytes and protection (mremap replaces a range in one step), so
 * that PR_SET_MM_EXE_FILE, which refuses while the old executable is
 * mapped, can run. The code keeps running: the bytes at each address stay.
 */
static int remap_own_file(void)
{
	struct { unsigned long start, end; int prot; } r[32];
	char line[512], self[256], perms[8], path[256];
	unsigned long start, end;
	int n = 0, i;
	ssize_t len;
	FILE *f;

	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0)
		return 1;
	self[len] = '\0';
	f = fopen("/proc/self/maps", "r");
	if (!f)
		return 2;
	while (n < 32 && fgets(line, sizeof(line), f)) {
		path[0] = '\0';
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255s", &start, &end, perms, path) < 3 ||
		    strcmp(path, self))
			continue;
		r[n].start = start;
		r[n].end = end;
		r[n].prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
			    (perms[2] == 'x' ? PROT_EXEC : 0);
		n++;
	}
	fclose(f);
	if (!n)
		return 3;
	for (i = 0; i < n; i++) {
		size_t size = r[i].end - r[i].start;
		void *copy = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (copy == MAP_FAILED)
			return 4;
		if (!(r[i].prot & PROT_READ) && mprotect((void *)r[i].start, size, PROT_READ))
			return 5;
		memcpy(copy, (void *)r[i].start, size);
		if (mprotect(copy, size, r[i].prot) ||
		    mremap(copy, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)r[i].start) !=
			    (void *)r[i].start)
			return 6;
	}
	return 0;
}

/*
 * Helper modes that do one thing to the running exempt helper, then
 * setuid(65534); the exit status is the setuid's errno, or 150 and up
 * when the preparation itself failed.
 */
static int helper_then_setuid(const char *mode, const char *arg)
{
	int fd, err;
	void *p;
	char c;

	if (!strcmp(mode, "--remap-setuid")) {
		if (remap_own_file())
			return 150;
	} else if (!strcmp(mode, "--set-mm-exe")) {
		/* Point /proc/self/exe at @arg, as CRIU's restore does. */
		if (remap_own_file())
			return 150;
		fd = open(arg, O_RDONLY);
		if (fd < 0 || prctl(PR_SET_MM, PR_SET_MM_EXE_FILE, fd, 0, 0)) {
			fprintf(stderr, "PR_SET_MM_EXE_FILE %s: %s\n", arg, strerror(errno));
			return 151;
		}
		close(fd);
	} else if (!strcmp(mode, "--map-exec") || !strcmp(mode, "--mprotect-exec") ||
		   !strcmp(mode, "--map-exec-fork")) {
		/* What a preload does: code from another file, mapped executable. */
		fd = open(arg, O_RDONLY);
		if (fd < 0)
			return 152;
		p = mmap(NULL, 4096, strcmp(mode, "--mprotect-exec") ? PROT_READ | PROT_EXEC : PROT_READ,
			 MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			return errno == EPERM ? 153 : 154;
		if (!strcmp(mode, "--mprotect-exec") && mprotect(p, 4096, PROT_READ | PROT_EXEC))
			return 155;
		close(fd);
		if (!strcmp(mode, "--map-exec-fork")) {
			int status;
			pid_t pid = fork();

			if (pid == 0)
				_exit(op_setuid((void *)(uintptr_t)NOBODY));
			if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
				return 156;
			return WEXITSTATUS(status);
		}
	} else if (!strcmp(mode, "--wait-setuid")) {
		c = 'r';
		if (write(1, &c, 1) != 1 || read(0, &c, 1) != 1)
			return 157;
	} else {
		return 2;
	}
	err = op_setuid((void *)(uintptr_t)NOBODY);
	if (err)
		fprintf(stderr, "%s %s, then setuid(65534): %s\n", mode, arg, strerror(err));
	return err;
}

/* Helper modes used when this binary is executed as a set-id or exempt copy. */
static int helper(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--expect-ids")) {
		uid_t eu = (uid_t)strtoul(argv[2], NULL, 10);
		gid_t eg = (gid_t)strtoul(argv[3], NULL, 10);

		return geteuid() == eu && getegid() == eg ? 0 : 100;
	}
	if (argc == 3 && strcmp(argv[1], "--setuid"))
		return helper_then_setuid(argv[1], argv[2]);
	if (argc == 3 && !strcmp(argv[1], "--setuid")) {
		int err = op_setuid(ID(strtoul(argv[2], NULL, 10)));

		if (err)
			fprintf(stderr, "setuid(%s): %s\n", argv[2], strerror(err));
		return err;
	}
	return 2;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return helper(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	setup_files();
	test_setuid_family();
	test_kill_mode();
	test_exec();
	test_chown();
	test_holder();
	test_user_namespaces();
	test_exemptions();
	test_exemption_identity();
	test_modes_and_counters();
	test_live_sysctl();
	test_lifecycle();
	return summary();
}
