// SPDX-License-Identifier: GPL-2.0-only
/*
 * Issue 19: a rule that is off leaves its hooks empty. For each policy,
 * the links pinned are exactly the programs its rules need (as this
 * kernel has them), every rule in force still decides, and switching a
 * rule on or off keeps the rules in force deciding throughout.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest_test.h"

#define NOBODY 65534
#define MAP "0 100000 65536\n"
#define FILE_0707 "/tmp/attach-0707"

static const char rule0[] =
	"ug_bprm_creds_from_file ug_gid_map_write ug_path_chown ug_task_fix_setgid "
	"ug_task_fix_setgroups ug_task_fix_setuid ug_uid_map_write";
static const char rule1[] = "ug_cred_free ug_inode_permission " "NAMECHANGE";
static const char rule2[] =
	"ug_file_ioctl ug_file_open ug_file_truncate ug_inode_remove_acl ug_inode_removexattr "
	"ug_inode_set_acl ug_inode_setattr ug_inode_setxattr ug_move_mount ug_path_chmod "
	"ug_path_chown ug_path_truncate " "NAMECHANGE";
static const char namechange[] = "ug_path_link ug_path_mkdir ug_path_mknod ug_path_rename "
				 "ug_path_rmdir ug_path_symlink ug_path_unlink";
static const char cgroup_sync[] = "ug_cgroup_mkdir ug_cgroup_rmdir";
static const char taint[] = "ug_bprm_committing_creds ug_file_mprotect ug_mmap_file "
			    "ug_ptrace_access_check ug_task_alloc";

static int op_setuid(void *arg)
{
	return setresuid((uid_t)(long)arg, (uid_t)(long)arg, (uid_t)(long)arg) ? errno : 0;
}

/* As namespace user 1000 (host 101000), as the rule 2 tests read. */
static int op_read(void *arg)
{
	int fd;

	if (setgid(1000) || setuid(1000))
		return 220;
	fd = open(arg, O_RDONLY);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static bool has(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

/*
 * The programs @groups name (space-separated words, NAMECHANGE for the
 * name-change hooks) that this kernel loaded, sorted, one line; task_alloc
 * left out: it stays once an exempting policy attached it (sticky).
 */
static void expected(char *out, size_t len, const char *const *groups)
{
	char loaded[4096], want[4096] = "";
	char *word, *save;

	sh_capture(loaded, sizeof(loaded), "ls /sys/fs/bpf/usernsguard/progs | tr '\\n' ' '");
	for (; *groups; groups++) {
		char copy[1024];

		snprintf(copy, sizeof(copy), "%s",
			 !strcmp(*groups, "NAMECHANGE") ? namechange : *groups);
		for (word = strtok_r(copy, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
			if (!strcmp(word, "NAMECHANGE")) {
				snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s ",
					 namechange);
				continue;
			}
			if (has(loaded, word) && !has(want, word) && strcmp(word, "ug_task_alloc"))
				snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s ",
					 word);
		}
	}
	write_file("/tmp/want", want);
	sh_capture(out, len, "tr ' ' '\\n' </tmp/want | grep . | sort -u | tr '\\n' ' '");
}

static void attached(char *out, size_t len)
{
	sh_capture(out, len,
		   "ls /sys/fs/bpf/usernsguard/links | grep -vx ug_task_alloc | sort | tr '\\n' ' '");
}

static void expect_links(const char *name, const char *const *groups)
{
	char want[4096], got[4096];

	expected(want, sizeof(want), groups);
	attached(got, sizeof(got));
	expect(!strcmp(want, got), name, "want: %s\n       got:  %s", want, got);
}

static void test_sets(void)
{
	expect(load_policy("rule overflow-transitions on on-deny errno\n") == 0, "load rule 1 only",
	       "load failed");
	expect_links("rule 1 only: its 7 programs and the cgroup sync, nothing else",
		     (const char *const[]){ rule0, cgroup_sync, NULL });
	expect_outcome("rule 1 only: setuid(65534) denied", in_child(op_setuid, (void *)NOBODY),
		       ERR(EPERM));
	expect_outcome("rule 1 only: a container reads a root-owned 0707 file",
		       in_userns(MAP, MAP, op_read, FILE_0707), OK);

	expect(load_policy("rule most-restrictive on\n") == 0, "load rule 2 only", "load failed");
	expect_links("rule 2 only: inode_permission, cred_free, the name-change hooks",
		     (const char *const[]){ rule1, cgroup_sync, NULL });
	expect_outcome("rule 2 only: the container is refused the 0707 file",
		       in_userns(MAP, MAP, op_read, FILE_0707), ERR(EACCES));
	expect_outcome("rule 2 only: setuid(65534) allowed", in_child(op_setuid, (void *)NOBODY),
		       OK);

	expect(load_policy("rule shift-marks on\n") == 0, "load rule 3 only", "load failed");
	expect_links("rule 3 only: the mount, open, path and attribute hooks",
		     (const char *const[]){ rule2, cgroup_sync, NULL });
	expect_outcome("rule 3 only: the container reads the 0707 file",
		       in_userns(MAP, MAP, op_read, FILE_0707), OK);

	expect(load_policy("rule overflow-transitions on on-deny errno\nrule most-restrictive on\n"
			   "rule shift-marks on\n") == 0,
	       "load every rule", "load failed");
	expect_links("every rule: the union",
		     (const char *const[]){ rule0, rule1, rule2, cgroup_sync, NULL });
	expect_outcome("every rule: setuid(65534) denied", in_child(op_setuid, (void *)NOBODY),
		       ERR(EPERM));
	expect_outcome("every rule: the 0707 file refused", in_userns(MAP, MAP, op_read, FILE_0707),
		       ERR(EACCES));

	/* An exec exemption of rule 1: the taint programs and the rename follower too. */
	expect(load_policy("rule overflow-transitions on on-deny errno\n"
			   "exempt overflow-transitions exec /bin/busybox\n") == 0,
	       "load rule 1 with an exec exemption", "load failed");
	expect_links("rule 1 exempting: + the taint programs and inode_rename",
		     (const char *const[]){ rule0, cgroup_sync, taint, "ug_inode_rename", NULL });
	expect(access("/sys/fs/bpf/usernsguard/links/ug_task_alloc", F_OK) == 0,
	       "rule 1 exempting: task_alloc attached", "no link");

	rules_off();
	expect_links("every rule off: nothing attached (task_alloc aside)",
		     (const char *const[]){ NULL });
	expect(access("/sys/fs/bpf/usernsguard/links/ug_task_alloc", F_OK) == 0,
	       "task_alloc stays once attached: a child made later keeps its parent's taint",
	       "detached");
	expect_outcome("every rule off: setuid(65534) allowed", in_child(op_setuid, (void *)NOBODY),
		       OK);
}

/*
 * Rule 1 stays in force while rule 2 comes and goes: its denial holds at
 * every reload, in a loop that runs across the attach and detach.
 */
static void test_switching(void)
{
	int i, wrong = 0;

	for (i = 0; i < 6; i++) {
		const char *p = i % 2 ? "rule overflow-transitions on on-deny errno\n"
				      : "rule overflow-transitions on on-deny errno\n"
					"rule most-restrictive on\n";
		struct outcome a, b;

		if (load_policy(p)) {
			wrong++;
			continue;
		}
		a = in_child(op_setuid, (void *)NOBODY);
		b = in_userns(MAP, MAP, op_read, FILE_0707);
		if (a.err != EPERM || b.err != (i % 2 ? 0 : EACCES))
			wrong++;
	}
	expect(wrong == 0, "rule 2 on and off six times: rule 1 and rule 2 decide as in force",
	       "%d wrong", wrong);
	/* While reloads attach and detach rule 2's programs, rule 1 never stops deciding. */
	wrong = sh("for i in 1 2 3 4 5 6; do "
		   "printf 'rule overflow-transitions on on-deny errno\\nrule most-restrictive on\\n' "
		   ">/tmp/p1.conf; usernsguard load /tmp/p1.conf >/dev/null || exit 9; "
		   "printf 'rule overflow-transitions on on-deny errno\\n' >/tmp/p2.conf; "
		   "usernsguard load /tmp/p2.conf >/dev/null || exit 9; done & loads=$!; n=0; "
		   "while kill -0 $loads 2>/dev/null; do "
		   "/tests/test_attach --setuid && exit 1; n=$((n + 1)); done; wait $loads || exit $?; "
		   "[ $n -gt 0 ]");
	expect(wrong == 0, "rule 1 denies at every moment while rule 2's programs come and go",
	       "exit %d", wrong);
}

/*
 * status --stats: each attached program's runs and cost over a window,
 * with the kernel's statistics on for that window only.
 */
static void test_stats(void)
{
	char out[8192], sysctl[16];
	unsigned long long runs = 0, ns = 0;
	const char *line;

	expect(load_policy("rule overflow-transitions on on-deny errno\n") == 0, "stats: load rule 1",
	       "load failed");
	sh("sysctl -qw kernel.bpf_stats_enabled=0");
	sh_capture(out, sizeof(out), "usernsguard status --stats=2 & p=$!; sleep 1; "
				     "/tests/test_attach --setuid; /tests/test_attach --setuid; wait $p");
	line = strstr(out, "program cost over");
	line = line ? strstr(line, "\n  ug_task_fix_setuid ") : NULL;
	if (line)
		sscanf(line, "\n  ug_task_fix_setuid %llu runs %llu", &runs, &ns);
	expect(strstr(out, "program cost over 2 s (BPF statistics on for this window only):") &&
		       runs >= 2 && ns > 0,
	       "status --stats=2: task_fix_setuid ran in the window (two setuid calls), at a cost",
	       "%s", out);
	line = strstr(out, "program cost over");
	expect(line && !strstr(line, "\n  ug_inode_permission "),
	       "status --stats: a program that is not attached is not listed", "%s", out);
	sh_capture(sysctl, sizeof(sysctl), "cat /proc/sys/kernel/bpf_stats_enabled");
	expect(sysctl[0] == '0', "after the window: kernel.bpf_stats_enabled is 0 again", "%s",
	       sysctl);
	sh_capture(out, sizeof(out), "usernsguard status --format prometheus --stats=1");
	expect(strstr(out, "usernsguard_stats_window_seconds 1\n") &&
		       strstr(out, "usernsguard_program_runs{program=\"ug_task_fix_setuid\"} "),
	       "status --format prometheus --stats=1: per-program metrics", "%s", out);
}

int main(int argc, char **argv)
{
	cpu_set_t cpu0;

	if (argc == 2 && !strcmp(argv[1], "--setuid"))
		return op_setuid((void *)NOBODY) ? 1 : 0; /* 0: allowed (wrong) */
	/*
	 * Every task of this test on CPU 0: attaching and detaching patches
	 * the hooks' call sites, which emulation does not keep coherent for a
	 * vCPU running them meanwhile (test_stress.c). The switching loop
	 * interleaves with the reloads by preemption instead.
	 */
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	sched_setaffinity(0, sizeof(cpu0), &cpu0);
	write_file(FILE_0707, "data\n");
	chmod(FILE_0707, 0707);
	rules_off();
	test_sets();
	test_switching();
	test_stats();
	rules_off();
	return summary();
}
