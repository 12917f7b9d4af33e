// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hardening: the pins are root-only and out of reach of a container's
 * root; a loader killed with SIGKILL at any point leaves one whole policy
 * in force; concurrent loads are serialized; bad environments get their
 * own exit code and leave nothing loaded; probe reports support; a policy
 * with drop-ins is listed file by file and a conflicting drop-in changes
 * nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <grp.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "guest_test.h"

#define NOBODY 65534
#define UG_FILES_PIN "/sys/fs/bpf/usernsguard/ug_policy_files"
#define MAP "0 100000 65536\n"

static const char policy_a[] = "rule overflow-transitions on on-deny errno\n";
static const char policy_b[] = "rule overflow-transitions off\n";
static char sha_a[65], sha_b[65];
static char out[1 << 16];

static int op_setuid(void *arg)
{
	return setuid((uid_t)(uintptr_t)arg) ? errno : 0;
}

/* The sha256 line of `usernsguard status`, or "" when nothing is loaded. */
static void current_sha(char sha[65])
{
	char *p;

	sha[0] = '\0';
	if (sh_capture(out, sizeof(out), "usernsguard status"))
		return;
	p = strstr(out, "sha256:");
	if (p)
		sscanf(p, "sha256: %64s", sha);
}

static void sha_of(const char *text, const char *file, char sha[65])
{
	write_file(file, text);
	sh_capture(out, sizeof(out), "sha256sum %s", file);
	sscanf(out, "%64s", sha);
}

/* ---- protection --------------------------------------------------------- */

static int container_root_attack(void *arg)
{
	union bpf_attr attr = {};
	int what = (int)(intptr_t)arg, fd;

	if (setgid(0) || setuid(0))
		return 220;
	switch (what) {
	case 0: /* read the pinned policy through the bpf syscall */
		attr.pathname = (__u64)(uintptr_t)"/sys/fs/bpf/usernsguard/ug_policy";
		fd = (int)syscall(SYS_bpf, BPF_OBJ_GET, &attr, sizeof(attr));
		return fd < 0 ? errno : 0;
	case 1: /* open the pin as a file */
		fd = open("/sys/fs/bpf/usernsguard/ug_policy", O_RDONLY);
		return fd < 0 ? errno : 0;
	case 2: /* detach a program by removing its link pin */
		return unlink("/sys/fs/bpf/usernsguard/links/ug_task_fix_setuid") ? errno : 0;
	case 3: /* run the real unload as the container's root */
		execl("/bin/usernsguard", "usernsguard", "unload", (char *)NULL);
		return 221;
	}
	return 222;
}

static void test_protection(void)
{
	struct stat st;

	expect(load_policy(policy_a) == 0, "load policy A", "load failed");
	expect(stat("/sys/fs/bpf/usernsguard", &st) == 0 && st.st_uid == 0 &&
		       (st.st_mode & 07777) == 0700,
	       "pin directory is root's, mode 0700", "uid %u mode %o", st.st_uid, st.st_mode);
	expect(stat("/sys/fs/bpf/usernsguard/links", &st) == 0 && (st.st_mode & 07777) == 0700,
	       "link directory mode 0700", "mode %o", st.st_mode);
	/* The walk to the pin fails first: the directory is 0700 and host root's. */
	expect_outcome("container root: bpf(BPF_OBJ_GET) on the policy: EACCES",
		       in_userns(MAP, MAP, container_root_attack, (void *)0), ERR(EACCES));
	expect_outcome("container root: open the pin: EACCES",
		       in_userns(MAP, MAP, container_root_attack, (void *)1), ERR(EACCES));
	expect_outcome("container root: unlink a link pin: EACCES",
		       in_userns(MAP, MAP, container_root_attack, (void *)2), ERR(EACCES));
	/* It cannot even take the loader lock (/run/usernsguard.lock, 0600 root). */
	expect_outcome("container root: usernsguard unload fails (exit 1)",
		       in_userns(MAP, MAP, container_root_attack, (void *)3), ERR(1));
	expect_outcome("after the attempts: still enforcing", in_child(op_setuid, (void *)NOBODY),
		       ERR(EPERM));
	expect(access("/sys/fs/bpf/usernsguard/links/ug_task_fix_setuid", F_OK) == 0,
	       "host root: the link pin is still there", "missing");
}

/* ---- a loader killed at many points -------------------------------------- */

static void test_killed_loader(void)
{
	int point, checked = 0, wrong = 0;

	sha_of(policy_a, "/tmp/a.conf", sha_a);
	sha_of(policy_b, "/tmp/b.conf", sha_b);
	expect(sh("usernsguard load /tmp/a.conf >/dev/null 2>&1") == 0, "load A", "load failed");
	/* 40 kill points from 0 to ~600 ms, alternating the policy being loaded. */
	for (point = 0; point < 40; point++) {
		const char *next = point % 2 ? "/tmp/a.conf" : "/tmp/b.conf";
		char sha[65];
		struct outcome o;
		bool is_a, is_b;

		sh("usernsguard load %s >/dev/null 2>&1 & pid=$!; usleep %d; kill -KILL $pid 2>/dev/null; "
		   "wait $pid 2>/dev/null", next, point * 15000);
		current_sha(sha);
		is_a = !strcmp(sha, sha_a);
		is_b = !strcmp(sha, sha_b);
		o = in_child(op_setuid, (void *)NOBODY);
		checked++;
		/* One whole policy: its hash, and enforcement to match. */
		if (!(is_a && !o.killed && o.err == EPERM) && !(is_b && !o.killed && o.err == 0)) {
			wrong++;
			printf("     kill point %d: sha %s, setuid(65534) %s\n", point, sha,
			       o.err == EPERM ? "denied" : o.err ? "other" : "allowed");
		}
	}
	expect(wrong == 0, "SIGKILL at 40 points of load: one whole policy each time",
	       "%d of %d states wrong", wrong, checked);

	/* A killed first load: either nothing enforces or all of A does. */
	sh("usernsguard unload >/dev/null 2>&1");
	sh("usernsguard load /tmp/a.conf >/dev/null 2>&1 & pid=$!; usleep 80000; kill -KILL $pid; "
	   "wait $pid 2>/dev/null");
	{
		char sha[65];
		struct outcome o = in_child(op_setuid, (void *)NOBODY);

		current_sha(sha);
		expect((!strcmp(sha, sha_a) && o.err == EPERM) ||
			       (strcmp(sha, sha_a) && o.err == 0),
		       "a first load killed early: nothing or all of A", "sha %s err %d", sha,
		       o.err);
	}
	expect(sh("usernsguard load /tmp/a.conf >/dev/null 2>&1") == 0,
	       "a later load completes what the killed one began", "load failed");
	expect_outcome("and enforces", in_child(op_setuid, (void *)NOBODY), ERR(EPERM));
}

static long long generation(void)
{
	char *p;

	if (sh_capture(out, sizeof(out), "usernsguard status"))
		return -1;
	p = strstr(out, "(generation ");
	return p ? strtoll(p + strlen("(generation "), NULL, 10) : -1;
}

static void test_concurrent_loads(void)
{
	long long before = generation(), after;
	int rc;

	rc = sh("for i in 1 2 3 4 5 6; do (usernsguard load /tmp/a.conf >/dev/null 2>&1 || "
		"echo fail) & (usernsguard load /tmp/b.conf >/dev/null 2>&1 || echo fail) & done; "
		"wait");
	after = generation();
	expect(rc == 0, "12 concurrent loads all succeed", "exit %d", rc);
	expect(before > 0 && after == before + 12,
	       "concurrent loads were serialized: 12 generations, none lost",
	       "before %lld after %lld", before, after);
}

/* ---- drop-ins --------------------------------------------------------------- */

#define DROP_DIR "/tmp/dropin"
#define FILES_OF "sed -n '/^files:/,/^loaded at:/p' | sed '1d;$d'"

/*
 * A policy and two drop-ins: status lists the three files with the hashes
 * sha256sum gives, its sha256 is that of sha256sum's lines; a conflicting
 * drop-in fails the load and leaves the policy in force as it was; a pin
 * directory from before the file list gets one at the next load.
 */
static void test_drop_ins(void)
{
	const char *files = DROP_DIR "/policy.conf " DROP_DIR "/policy.d/10-a.conf " DROP_DIR
			    "/policy.d/20-b.conf";
	char want[1024], got[1024], sha[65], manifest_sha[65];
	long long before, after;
	int rc;

	sh("rm -rf " DROP_DIR "; mkdir -p " DROP_DIR "/policy.d");
	write_file(DROP_DIR "/policy.conf", policy_a);
	write_file(DROP_DIR "/policy.d/10-a.conf", "rule most-restrictive off\n");
	write_file(DROP_DIR "/policy.d/20-b.conf",
		   "exempt overflow-transitions cgroup /not-there.slice\n");
	write_file(DROP_DIR "/policy.d/.20-b.conf.swp", "rule shift-marks on\n");
	rc = sh_capture(out, sizeof(out), "usernsguard load " DROP_DIR "/policy.conf");
	expect(rc == 0, "load of a policy with two drop-ins", "exit %d: %s", rc, out);

	sh_capture(want, sizeof(want), "sha256sum %s | sed 's/^/  /'", files);
	sh_capture(got, sizeof(got), "usernsguard status | " FILES_OF);
	expect(!strcmp(got, want) && strlen(got) > 3 * 66,
	       "status: the three files, each with its sha256sum, in merge order",
	       "got:\n%swant:\n%s", got, want);
	sh_capture(out, sizeof(out), "sha256sum %s | sha256sum", files);
	sscanf(out, "%64s", manifest_sha);
	current_sha(sha);
	expect(strlen(sha) == 64 && !strcmp(sha, manifest_sha),
	       "status: sha256 is `sha256sum FILES | sha256sum`", "%s, want %s", sha,
	       manifest_sha);
	expect_outcome("the merged policy enforces", in_child(op_setuid, (void *)NOBODY),
		       ERR(EPERM));

	/* A drop-in may not override the file: the load fails, nothing changes. */
	before = generation();
	write_file(DROP_DIR "/policy.d/30-c.conf", "# no\nrule overflow-transitions off\n");
	rc = sh_capture(out, sizeof(out), "usernsguard load " DROP_DIR "/policy.conf");
	expect(rc == 1 && !strcmp(out, "usernsguard: " DROP_DIR "/policy.d/30-c.conf:2:6: "
				       "duplicate rule 'overflow-transitions' (first set at "
				       DROP_DIR "/policy.conf:1)\n"),
	       "a conflicting drop-in: exit 1, one line naming both files", "exit %d: %s", rc,
	       out);
	after = generation();
	current_sha(sha);
	expect(before > 0 && after == before && !strcmp(sha, manifest_sha),
	       "after the refused load: the same generation and policy in force",
	       "generation %lld -> %lld, sha %s", before, after, sha);
	expect_outcome("and it still enforces", in_child(op_setuid, (void *)NOBODY), ERR(EPERM));
	/* Twin: the same drop-in, adding instead of overriding. */
	write_file(DROP_DIR "/policy.d/30-c.conf", "# yes\nrule shift-marks off\n");
	rc = sh_capture(out, sizeof(out), "usernsguard load " DROP_DIR "/policy.conf");
	expect(rc == 0 && generation() == before + 1, "a drop-in that adds: loaded",
	       "exit %d: %s", rc, out);
	rc = sh_capture(out, sizeof(out), "usernsguard status | " FILES_OF " | wc -l");
	expect(rc == 0 && atoi(out) == 4, "status: four files now", "%s", out);

	/* Pins from a version without the list: status lists none, the next load adds it. */
	sh("rm " UG_FILES_PIN);
	rc = sh_capture(out, sizeof(out), "usernsguard status");
	expect(rc == 0 && !strstr(out, "files:") && strstr(out, "sha256:"),
	       "no pinned file list: status without the files block", "exit %d: %s", rc, out);
	rc = sh_capture(out, sizeof(out), "usernsguard load " DROP_DIR "/policy.conf >/dev/null "
			"2>&1 && usernsguard status | " FILES_OF " | wc -l");
	expect(rc == 0 && atoi(out) == 4 && access(UG_FILES_PIN, F_OK) == 0,
	       "the next load pins the list again and status shows it", "exit %d: %s", rc, out);
	/* One file: its own hash, one line. */
	rc = sh_capture(out, sizeof(out), "usernsguard load /tmp/a.conf >/dev/null 2>&1 && "
			"usernsguard status | " FILES_OF);
	snprintf(want, sizeof(want), "  %s  /tmp/a.conf\n", sha_a);
	expect(rc == 0 && !strcmp(out, want), "a policy without drop-ins: one file line",
	       "exit %d: %s", rc, out);
}

/* ---- bad environments ---------------------------------------------------- */

static void test_bad_environments(void)
{
	int rc;

	sh("usernsguard unload >/dev/null 2>&1");
	rc = sh_capture(out, sizeof(out),
			"unshare -m sh -c 'mount -t tmpfs none /sys/kernel/btf && "
			"usernsguard load /tmp/a.conf'");
	expect(rc == 6 && strstr(out, "no kernel BTF: /sys/kernel/btf/vmlinux"),
	       "no kernel BTF: exit 6, one line", "exit %d: %s", rc, out);
	rc = sh_capture(out, sizeof(out),
			"unshare -m sh -c 'umount /sys/fs/bpf 2>/dev/null; "
			"mount -t tmpfs -o ro none /sys/fs && usernsguard load /tmp/a.conf'");
	expect(rc == 7 && strstr(out, "bpffs is not mounted at /sys/fs/bpf and mounting it failed"),
	       "bpffs not mountable: exit 7, one line", "exit %d: %s", rc, out);
	expect(access("/sys/fs/bpf/usernsguard", F_OK) != 0,
	       "nothing was loaded by the failed attempts", "pins exist");
	rc = sh_capture(out, sizeof(out), "chmod 000 /tmp/a.conf; "
			"/tests/test_hardening --as-1000 usernsguard load /tmp/a.conf; "
			"rc=$?; chmod 644 /tmp/a.conf; exit $rc");
	expect(rc == 4 && strstr(out, "cannot read policy /tmp/a.conf: Permission denied"),
	       "unreadable policy: exit 4", "exit %d: %s", rc, out);
	rc = sh_capture(out, sizeof(out), "/tests/test_hardening --as-1000 usernsguard load /tmp/a.conf");
	expect(rc == 3 && strstr(out, "not root"), "not root: exit 3", "exit %d: %s", rc, out);
	rc = sh_capture(out, sizeof(out), "usernsguard probe");
	expect(rc == 0 && strstr(out, "a load would work") && !strstr(out, " NO "),
	       "probe on a supported kernel: exit 0", "exit %d: %s", rc, out);
	/* The matrix's record of each kernel: version, support, every hook. */
	printf("%s", out);
	/*
	 * 35 hooks (two tracepoints, two traced functions): 31 on every kernel of the matrix, and 4 optional ones
	 * (file_truncate and the ACL hooks from 6.2, inode_setattr with its
	 * idmap from 6.9), present or listed as absent, never missing.
	 */
	rc = sh_capture(out, sizeof(out),
			"usernsguard probe | awk '$1 == \"hook\" { n++; if ($3 == \"ok\") ok++; "
			"else if ($3 == \"--\") opt++; else bad++ } "
			"END { print n + 0, ok + 0, opt + 0, bad + 0 }'");
	{
		int n = 0, ok = 0, opt = 0, bad = -1;

		sscanf(out, "%d %d %d %d", &n, &ok, &opt, &bad);
		expect(rc == 0 && n == 35 && ok >= 31 && ok + opt == 35 && bad == 0 &&
			       opt <= 4,
		       "probe: the object's 35 hooks, 31 required present, optional ones listed",
		       "%s", out);
	}
}

int main(int argc, char **argv)
{
	/* --as-1000 CMD...: run CMD as uid/gid 1000 (busybox setpriv lacks --reuid). */
	if (argc > 2 && !strcmp(argv[1], "--as-1000")) {
		if (setgroups(0, NULL) || setgid(1000) || setuid(1000))
			return 125;
		execvp(argv[2], argv + 2);
		return 127;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	rules_off();
	test_protection();
	test_killed_loader();
	test_concurrent_loads();
	test_drop_ins();
	test_bad_environments();
	return summary();
}
