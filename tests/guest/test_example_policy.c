// SPDX-License-Identifier: GPL-2.0-only
/*
 * The example policy the package installs as /etc/usernsguard/policy.conf
 * (copied into the guest as /policies/example.conf): it passes check and
 * loads, every rule is in audit mode, an operation rule 1 would refuse is
 * allowed and counted as audited, the documented switch to enforce on its
 * line does refuse it, and loading it again (what `systemctl reload` runs)
 * keeps the same links and never leaves a gap in enforcement.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_test.h"

#define NOBODY 65534
#define EXAMPLE "/policies/example.conf"
#define ENFORCE_KILL "/tmp/example-enforce-kill.conf"
#define ENFORCE_ERRNO "/tmp/example-enforce-errno.conf"
#define ID(x) ((void *)(uintptr_t)(x))

static const char *const rules[] = { "overflow-transitions", "most-restrictive", "shift-marks" };

static int op_setuid(void *arg)
{
	uid_t id = (uid_t)(uintptr_t)arg;

	if (setuid(id))
		return errno;
	return getuid() == id && geteuid() == id ? 0 : 100;
}

/* The mode `usernsguard status` shows for @rule ("audit", "enforce", ...). */
static void mode_of(const char *rule, char mode[16])
{
	char out[8192], want[64], *p;

	mode[0] = '\0';
	if (sh_capture(out, sizeof(out), "usernsguard status"))
		return;
	snprintf(want, sizeof(want), "\n  %s ", rule);
	p = strstr(out, want);
	if (p && sscanf(p + strlen(want), "%15s", mode) != 1)
		mode[0] = '\0';
}

static long long generation(void)
{
	char out[8192], *p;

	if (sh_capture(out, sizeof(out), "usernsguard status"))
		return -1;
	p = strstr(out, "(generation ");
	return p ? strtoll(p + strlen("(generation "), NULL, 10) : -1;
}

static void test_check_and_load(void)
{
	char out[8192], mode[16];
	size_t i;
	int rc;

	rc = sh_capture(out, sizeof(out), "usernsguard check " EXAMPLE " 2>/dev/null");
	expect(rc == 0 && !strcmp(out, EXAMPLE ": ok: 3 rules on, 0 exemptions, overflow ids 65534/65534\n"),
	       "check: exit 0, 3 rules on, no exemptions", "exit %d: %s", rc, out);
	rc = sh_capture(out, sizeof(out), "usernsguard load " EXAMPLE " 2>/dev/null");
	expect(rc == 0 && !strcmp(out, "usernsguard: policy " EXAMPLE
					      " loaded; self-check passed: host tasks untouched\n"),
	       "load: exit 0", "exit %d: %s", rc, out);
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		char name[96];

		mode_of(rules[i], mode);
		snprintf(name, sizeof(name), "status: %s is in audit mode", rules[i]);
		expect(!strcmp(mode, "audit"), name, "mode '%s'", mode);
	}
}

/* Rule 1 in audit: the transition happens and adds exactly 1 to audited. */
static void expect_audited_setuid(const char *when)
{
	long long audited = rule_counter("overflow-transitions", "audited ");
	long long denied = rule_counter("overflow-transitions", "denied ");
	char name[128];

	snprintf(name, sizeof(name), "%s: setuid(65534) allowed", when);
	expect_outcome(name, in_child(op_setuid, ID(NOBODY)), OK);
	snprintf(name, sizeof(name), "%s: audited +1 exactly, denied unchanged", when);
	expect(audited >= 0 && rule_counter("overflow-transitions", "audited ") == audited + 1 &&
		       rule_counter("overflow-transitions", "denied ") == denied,
	       name, "audited %lld -> %lld, denied %lld -> %lld", audited,
	       rule_counter("overflow-transitions", "audited "), denied,
	       rule_counter("overflow-transitions", "denied "));
	snprintf(name, sizeof(name), "%s: setuid(65533) allowed and not counted", when);
	audited = rule_counter("overflow-transitions", "audited ");
	expect(in_child(op_setuid, ID(65533)).err == 0 &&
		       rule_counter("overflow-transitions", "audited ") == audited,
	       name, "audited %lld -> %lld", audited, rule_counter("overflow-transitions", "audited "));
}

/* The switch the example's comments document: "mode audit" -> "mode enforce". */
static void test_enforce_twin(void)
{
	long long denied;
	char mode[16];
	int rc;

	rc = sh("sed '/^rule overflow-transitions /s/mode audit/mode enforce/' " EXAMPLE " >" ENFORCE_KILL
		" && grep -q '^rule overflow-transitions on mode enforce on-deny kill$' " ENFORCE_KILL);
	expect(rc == 0, "enforce twin: rule 1 line edited as documented", "sed/grep exit %d", rc);
	rc = sh("usernsguard load " ENFORCE_KILL " >/dev/null 2>&1");
	expect(rc == 0, "enforce twin: load", "exit %d", rc);
	mode_of("overflow-transitions", mode);
	expect(!strcmp(mode, "enforce"), "enforce twin: rule 1 enforces", "mode '%s'", mode);
	mode_of("most-restrictive", mode);
	expect(!strcmp(mode, "audit"), "enforce twin: rule 2 still audits", "mode '%s'", mode);
	denied = rule_counter("overflow-transitions", "denied ");
	expect_outcome("enforce twin: setuid(65534) kills (on-deny kill)",
		       in_child(op_setuid, ID(NOBODY)), KILLED);
	expect(rule_counter("overflow-transitions", "denied ") == denied + 1,
	       "enforce twin: denied +1 exactly", "denied %lld -> %lld", denied,
	       rule_counter("overflow-transitions", "denied "));
	expect_outcome("enforce twin: setuid(65533) allowed", in_child(op_setuid, ID(65533)), OK);
}

struct tally {
	int stop;
	long attempts, refused, wrong;
};

/* setuid(65534) until told to stop; with on-deny errno each must fail EPERM. */
static void worker(struct tally *t)
{
	/* A busy worker must not starve the loads on two CPUs. */
	if (nice(15) < 0)
		_exit(2);
	while (!__atomic_load_n(&t->stop, __ATOMIC_RELAXED)) {
		int ret = setuid(NOBODY), err = errno;

		if (ret == 0) {
			__atomic_add_fetch(&t->wrong, 1, __ATOMIC_RELAXED);
			_exit(1); /* now nobody: nothing more to learn */
		}
		__atomic_add_fetch(err == EPERM ? &t->refused : &t->wrong, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&t->attempts, 1, __ATOMIC_RELAXED);
	}
	_exit(0);
}

static void test_reload(void)
{
	char before[8192], after[8192], mode[16];
	long long gen, denied;
	struct tally *t;
	int rc, status;
	pid_t pid;

	/* The example as the unit reloads it: the same command, twice. */
	status_links(before, sizeof(before));
	gen = generation();
	rc = sh("usernsguard load " EXAMPLE " >/dev/null 2>&1 && usernsguard load " EXAMPLE " >/dev/null 2>&1");
	status_links(after, sizeof(after));
	expect(rc == 0, "reload: two loads of the example", "exit %d", rc);
	expect(before[0] && !strcmp(before, after), "reload: the same links stay attached",
	       "before:\n%s\nafter:\n%s", before, after);
	expect(gen >= 0 && generation() == gen + 2, "reload: two new generations",
	       "generation %lld -> %lld", gen, generation());
	mode_of("shift-marks", mode);
	expect(!strcmp(mode, "audit"), "reload: still audit", "mode '%s'", mode);
	expect_audited_setuid("after reload");

	/* No gap: a task trying all the time during two reloads is always refused. */
	rc = sh("sed '/^rule overflow-transitions /s/mode audit on-deny kill/mode enforce on-deny errno/' "
		EXAMPLE " >" ENFORCE_ERRNO
		" && grep -q '^rule overflow-transitions on mode enforce on-deny errno$' " ENFORCE_ERRNO
		" && usernsguard load " ENFORCE_ERRNO " >/dev/null 2>&1");
	expect(rc == 0, "continuity: load the example with rule 1 enforcing (errno)", "exit %d", rc);
	t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t == MAP_FAILED) {
		expect(false, "continuity: shared tally", "mmap: %s", strerror(errno));
		return;
	}
	denied = rule_counter("overflow-transitions", "denied ");
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		worker(t);
	while (!__atomic_load_n(&t->attempts, __ATOMIC_RELAXED))
		usleep(1000);
	rc = sh("usernsguard load " ENFORCE_ERRNO " >/dev/null 2>&1 && usernsguard load " ENFORCE_ERRNO
		" >/dev/null 2>&1");
	__atomic_store_n(&t->stop, 1, __ATOMIC_RELAXED);
	waitpid(pid, &status, 0);
	expect(rc == 0, "continuity: two reloads while the task tries", "exit %d", rc);
	printf("     %ld setuid(65534) attempts during the reloads\n", t->attempts);
	expect(WIFEXITED(status) && WEXITSTATUS(status) == 0 && t->wrong == 0 && t->refused == t->attempts &&
		       t->attempts > 0,
	       "continuity: every setuid(65534) during the reloads refused with EPERM",
	       "attempts %ld, refused %ld, wrong %ld", t->attempts, t->refused, t->wrong);
	expect(rule_counter("overflow-transitions", "denied ") == denied + t->attempts,
	       "continuity: the kernel counted each refusal", "denied %lld -> %lld, attempts %ld",
	       denied, rule_counter("overflow-transitions", "denied "), t->attempts);
	munmap(t, sizeof(*t));
}

int main(void)
{
	rules_off();
	test_check_and_load();
	expect_audited_setuid("example");
	test_enforce_twin();
	expect(sh("usernsguard load " EXAMPLE " >/dev/null 2>&1") == 0, "back to the example", "load failed");
	expect_audited_setuid("example again");
	test_reload();
	return summary();
}
