// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stress under reload: four processes perform rule-1 (chown to 65534) and
 * rule-2 (a container user opening a 0707 file of an unmapped owner)
 * operations while the policy is replaced 20 times between A (both rules
 * enforce) and B (both off). Every result must be what A or B gives, both
 * must be seen, and the kernel's denied counters must equal the denials
 * the workers saw. Bounded: 20 reloads, and workers stop after 120 s.
 * Then an oversubscribed round: four times as many busy workers as CPUs,
 * all at the same priority, under one enforcing policy, so tasks are often
 * preempted inside a program (counters must still add up exactly: issue 13).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest_test.h"

#define MAP "0 100000 65536\n"
#define WORKERS 2

struct tally {
	volatile int stop;
	long budget; /* operations per worker, 0: until stopped */
	long allowed[2], denied[2], wrong[2]; /* [0] chown, [1] open */
	long ops;
};

static struct tally *t;

static bool time_is_up(time_t start, long done)
{
	return t->stop || time(NULL) - start > 120 || (t->budget && done >= t->budget);
}

static void chown_worker(int id)
{
	char path[64];
	time_t start = time(NULL);
	long done;

	snprintf(path, sizeof(path), "/tmp/st/f%d", id);
	/* Busy workers must not starve the reloader on two CPUs. */
	if (!t->budget && nice(15) < 0)
		return;
	for (done = 0; !time_is_up(start, done); done++) {
		int ret = chown(path, 65534, (gid_t)-1), err = errno;

		if (ret == 0) {
			__atomic_add_fetch(&t->allowed[0], 1, __ATOMIC_RELAXED);
			if (chown(path, 0, (gid_t)-1))
				__atomic_add_fetch(&t->wrong[0], 1, __ATOMIC_RELAXED);
		} else if (err == EPERM) {
			__atomic_add_fetch(&t->denied[0], 1, __ATOMIC_RELAXED);
		} else {
			__atomic_add_fetch(&t->wrong[0], 1, __ATOMIC_RELAXED);
		}
		__atomic_add_fetch(&t->ops, 1, __ATOMIC_RELAXED);
	}
}

static int open_worker(void *arg)
{
	time_t start = time(NULL);
	long done;

	(void)arg;
	if ((!t->budget && nice(15) < 0) || setgid(1000) || setuid(1000))
		return 220;
	for (done = 0; !time_is_up(start, done); done++) {
		int fd = open("/tmp/st/r-0707", O_RDONLY), err = errno;

		if (fd >= 0) {
			close(fd);
			__atomic_add_fetch(&t->allowed[1], 1, __ATOMIC_RELAXED);
		} else if (err == EACCES) {
			__atomic_add_fetch(&t->denied[1], 1, __ATOMIC_RELAXED);
		} else {
			__atomic_add_fetch(&t->wrong[1], 1, __ATOMIC_RELAXED);
		}
		__atomic_add_fetch(&t->ops, 1, __ATOMIC_RELAXED);
	}
	return 0;
}

/* Start @per_kind chown workers and as many open workers; returns how many. */
static int start_workers(pid_t *pids, int per_kind)
{
	int i, n = 0;

	for (i = 0; i < per_kind; i++) {
		pids[n] = fork();
		if (pids[n] == 0) {
			chown_worker(i);
			_exit(0);
		}
		n++;
		pids[n] = fork();
		if (pids[n] == 0)
			_exit(in_userns(MAP, MAP, open_worker, NULL).err);
		n++;
	}
	return n;
}

static void wait_workers(const pid_t *pids, int n)
{
	int i;

	for (i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
}

static void expect_counters_add_up(const char *round, long long r1, long long r2)
{
	long long r1_after = rule_counter("overflow-transitions", "denied ");
	long long r2_after = rule_counter("most-restrictive", "denied ");

	expect(r1_after - r1 == t->denied[0], "rule 1: kernel denied counter == chown denials seen",
	       "%s: %lld vs %ld", round, r1_after - r1, t->denied[0]);
	expect(r2_after - r2 == t->denied[1], "rule 2: kernel denied counter == open denials seen",
	       "%s: %lld vs %ld", round, r2_after - r2, t->denied[1]);
}

/*
 * Four busy workers of each kind per CPU, none niced, a fixed number of
 * operations each, one enforcing policy: every operation is a denial.
 */
static void oversubscribed_round(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int per_kind = (int)(4 * (cpus > 0 ? cpus : 1)), n;
	pid_t pids[2 * 4 * 16];
	long long r1, r2;

	if (per_kind > 4 * 16)
		per_kind = 4 * 16;
	memset(t, 0, sizeof(*t));
	t->budget = 4000;
	expect(sh("usernsguard load /tmp/st-a.conf >/dev/null 2>&1") == 0, "load A", "failed");
	r1 = rule_counter("overflow-transitions", "denied ");
	r2 = rule_counter("most-restrictive", "denied ");
	n = start_workers(pids, per_kind);
	wait_workers(pids, n);
	printf("     oversubscribed: %d workers on %ld CPUs, %ld operations: chown %ld denied, "
	       "open %ld denied, %ld other\n",
	       n, cpus, t->ops, t->denied[0], t->denied[1],
	       t->allowed[0] + t->allowed[1] + t->wrong[0] + t->wrong[1]);
	expect(t->denied[0] == per_kind * t->budget && t->denied[1] == per_kind * t->budget,
	       "oversubscribed: every operation denied under A", "chown %ld, open %ld of %ld each",
	       t->denied[0], t->denied[1], per_kind * t->budget);
	expect_counters_add_up("oversubscribed", r1, r2);
}

/*
 * The reloads attach and detach programs (a policy turning rules off needs
 * none of theirs: issue 19), and the kernel patches the hooks' call sites
 * to do it (text_poke_bp). Emulation does not keep one vCPU's view of code
 * the other is patching coherent: on 6.1 two vCPUs running these workers
 * locked up in the patched sites. A real CPU does (int3, then a sync on
 * every CPU), so the reload round runs every task on CPU 0, where the
 * workers are preempted inside programs across the switches instead of
 * running beside them; the oversubscribed round, with no reload, uses
 * every CPU.
 */
static void on_cpus(int only)
{
	cpu_set_t set;
	long i, n = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(&set);
	for (i = 0; i < n; i++)
		if (only < 0 || i == only)
			CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

int main(void)
{
	long long r1_before, r2_before;
	pid_t pids[2 * WORKERS];
	int i, n, reloads = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t == MAP_FAILED)
		return 1;
	memset(t, 0, sizeof(*t));
	rules_off();
	sh("mkdir -p /tmp/st && touch /tmp/st/r-0707 && "
	   "chmod 0707 /tmp/st/r-0707 && for i in $(seq 0 63); do touch /tmp/st/f$i; done");
	write_file("/tmp/st-a.conf", "rule overflow-transitions on on-deny errno\n"
				     "rule most-restrictive on\n");
	write_file("/tmp/st-b.conf", "rule overflow-transitions off\nrule most-restrictive off\n");
	expect(sh("usernsguard load /tmp/st-a.conf >/dev/null 2>&1") == 0, "load A", "failed");
	r1_before = rule_counter("overflow-transitions", "denied ");
	r2_before = rule_counter("most-restrictive", "denied ");

	on_cpus(0);
	n = start_workers(pids, WORKERS);
	for (i = 0; i < 20; i++)
		reloads += sh("usernsguard load /tmp/st-%c.conf >/dev/null 2>&1", i % 2 ? 'a' : 'b') == 0;
	t->stop = 1;
	wait_workers(pids, n);

	printf("     %ld operations checked: chown %ld allowed / %ld denied, open %ld allowed / "
	       "%ld denied, %ld wrong\n",
	       t->ops, t->allowed[0], t->denied[0], t->allowed[1], t->denied[1],
	       t->wrong[0] + t->wrong[1]);
	expect(reloads == 20, "20 reloads under load", "%d succeeded", reloads);
	expect(t->wrong[0] + t->wrong[1] == 0, "every result is what policy A or B gives",
	       "%ld wrong", t->wrong[0] + t->wrong[1]);
	expect(t->allowed[0] > 0 && t->denied[0] > 0 && t->allowed[1] > 0 && t->denied[1] > 0,
	       "both policies were in force while the workers ran", "see counts above");
	expect_counters_add_up("reloads", r1_before, r2_before);
	on_cpus(-1);
	oversubscribed_round();
	return summary();
}
