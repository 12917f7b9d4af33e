// SPDX-License-Identifier: GPL-2.0-only
/*
 * Event throughput: one CPU denies chown(2) to the overflow id as fast as
 * it can while a reader drains the ring buffer on another CPU. Measured in
 * the same boot: the denial alone, the denial plus a bare 64-byte event
 * (with a counting reader), and usernsguard's denial with
 * `usernsguard events` formatting JSON. Every event must be seen by the
 * reader or counted lost; how many are lost is what the report judges.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "storm.skel.h"
#include "usernsguard.h"

#define STORM_FILE BENCH_ROOT "/storm"
#define STORM_JSON "/tmp/storm.json"
#define STORM_REPS 3

static long storm_events(void)
{
	return (long)(20000 * bench_scale) ?: 100;
}

static void pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int reader_cpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 1 ? (int)n - 1 : 0;
}

/* @n chowns that must each fail with EPERM; ns per call, negative on error. */
static double storm(long n)
{
	uint64_t t0, t1;
	long i, wrong = 0;

	t0 = bench_now_ns();
	for (i = 0; i < n; i++)
		wrong += !(chown(STORM_FILE, 65534, -1) && errno == EPERM);
	t1 = bench_now_ns();
	if (wrong) {
		printf("BENCH-ERROR storm: %ld of %ld chowns were not refused with EPERM\n", wrong, n);
		bench_errors++;
		return -1;
	}
	return (double)(t1 - t0) / (double)n;
}

static volatile sig_atomic_t reader_stop;

static void on_term(int sig)
{
	(void)sig;
	reader_stop = 1;
}

static int count_record(void *ctx, void *data, size_t size)
{
	(void)data;
	(void)size;
	(*(long *)ctx)++;
	return 0;
}

/* A reader child that counts records until SIGTERM and reports the count. */
static pid_t bare_reader(int map_fd, int report_fd)
{
	int ready[2];
	pid_t pid;
	char c = 0;

	if (pipe(ready))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct ring_buffer *rb;
		long count = 0;

		pin_to(reader_cpu());
		signal(SIGTERM, on_term);
		rb = ring_buffer__new(map_fd, count_record, &count, NULL);
		if (!rb || write(ready[1], &c, 1) != 1)
			_exit(1);
		while (!reader_stop) {
			ring_buffer__poll(rb, 100);
			ring_buffer__consume(rb);
		}
		ring_buffer__consume(rb);
		_exit(write(report_fd, &count, sizeof(count)) == sizeof(count) ? 0 : 1);
	}
	close(ready[1]);
	if (pid < 0 || read(ready[0], &c, 1) != 1)
		pid = -1;
	close(ready[0]);
	return pid;
}

static int bare_storm(int rep, bool with_event)
{
	struct storm_bpf *skel = storm_bpf__open();
	int report[2] = { -1, -1 }, status;
	long seen = -1, n = storm_events();
	pid_t reader = -1;
	double ns;

	if (!skel)
		return -1;
	bpf_program__set_autoload(with_event ? skel->progs.storm_deny : skel->progs.storm_bare_event,
				  false);
	if (storm_bpf__load(skel) || storm_bpf__attach(skel) || pipe(report))
		goto fail;
	if (with_event) {
		reader = bare_reader(bpf_map__fd(skel->maps.bench_events), report[1]);
		if (reader < 0)
			goto fail;
	}
	ns = storm(n);
	if (with_event) {
		usleep(300000); /* a poll period: the reader drains what is left */
		kill(reader, SIGTERM);
		if (read(report[0], &seen, sizeof(seen)) != sizeof(seen))
			seen = -1;
		waitpid(reader, &status, 0);
		/* The bare program counts nothing: a full ring simply drops. */
	}
	printf("BENCH storm %s %d %.2f %ld %ld 0\n", with_event ? "bare-event" : "deny-only", rep, ns,
	       n, with_event ? seen : 0);
	fflush(stdout);
	close(report[0]);
	close(report[1]);
	storm_bpf__destroy(skel);
	return 0;
fail:
	printf("BENCH-ERROR storm: cannot set up the %s program\n", with_event ? "bare" : "deny");
	bench_errors++;
	close(report[0]);
	close(report[1]);
	storm_bpf__destroy(skel);
	return -1;
}

/* usernsguard's counters for rule 1, summed over CPUs. */
static int ug_counters_now(struct ug_counters *sum)
{
	int fd = bpf_obj_get(UG_PIN_DIR "/ug_counters");
	int ncpu = libbpf_num_possible_cpus(), i;
	struct ug_counters per[256];
	__u32 key = UG_RULE_OVERFLOW_TRANSITIONS;

	memset(sum, 0, sizeof(*sum));
	if (fd < 0 || ncpu <= 0 || ncpu > 256 || bpf_map_lookup_elem(fd, &key, per)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (i = 0; i < ncpu; i++) {
		sum->denied += per[i].denied;
		sum->lost += per[i].lost;
		sum->ratelimited += per[i].ratelimited;
	}
	close(fd);
	return 0;
}

static long count_event_lines(const char *path)
{
	char line[8192];
	long n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, "\"action\":\"chown\"") != NULL;
	fclose(f);
	return n;
}

static pid_t ug_reader(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int fd = open(STORM_JSON, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(1);
		pin_to(reader_cpu());
		execlp("usernsguard", "usernsguard", "events", "--follow", "--format", "json",
		       (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Wait until the reader's output stops growing: it has drained the ring. */
static void wait_drained(void)
{
	long last = -1, now;
	int i;

	for (i = 0; i < 50; i++) {
		usleep(300000);
		now = count_event_lines(STORM_JSON);
		if (now == last)
			return;
		last = now;
	}
}

static int ug_storm(int rep)
{
	struct ug_counters before, after;
	long n = storm_events(), seen;
	pid_t reader;
	double ns;
	long lost;
	int status;

	reader = ug_reader();
	if (reader < 0)
		return -1;
	usleep(500000); /* the reader has opened the ring and sleeps in epoll */
	if (ug_counters_now(&before))
		goto fail;
	ns = storm(n);
	wait_drained();
	kill(reader, SIGTERM);
	waitpid(reader, &status, 0);
	if (ug_counters_now(&after))
		goto fail;
	seen = count_event_lines(STORM_JSON);
	/*
	 * Losses are a measurement (the report judges them); accounting is
	 * not: every denial is counted, every event is seen or counted lost,
	 * lost meaning the ring was full or the source's budget held it back
	 * (its share of a filling ring: bpf/fairness.bpf.h, counted in
	 * ratelimited).
	 */
	lost = (long)(after.lost - before.lost) + (long)(after.ratelimited - before.ratelimited);
	if (seen + lost != n || after.denied - before.denied != (__u64)n) {
		printf("BENCH-ERROR storm usernsguard: %ld events seen of %ld, %ld lost or held back, "
		       "%llu denied\n",
		       seen, n, lost, (unsigned long long)(after.denied - before.denied));
		bench_errors++;
	}
	printf("BENCH storm usernsguard %d %.2f %ld %ld %ld\n", rep, ns, n, seen, lost);
	fflush(stdout);
	unlink(STORM_JSON);
	return 0;
fail:
	printf("BENCH-ERROR storm usernsguard: cannot read the counters\n");
	bench_errors++;
	return -1;
}

/* With no reader, how many events the ring holds before the first loss. */
static int ug_capacity(void)
{
	struct ug_counters before, after;
	long n = 8000;

	if (ug_counters_now(&before))
		return -1;
	storm(n);
	if (ug_counters_now(&after))
		return -1;
	printf("BENCH storm-capacity %ld %llu %zu\n", n, (unsigned long long)(after.lost - before.lost),
	       sizeof(struct ug_event));
	fflush(stdout);
	/* Drain, so the next reader starts empty. */
	return system("usernsguard events --format json >/dev/null") ? -1 : 0;
}

int bench_storm(void)
{
	int rep, err = 0;

	pin_to(0);
	for (rep = 0; rep < STORM_REPS; rep++) {
		err |= bare_storm(rep, false);
		err |= bare_storm(rep, true);
	}
	if (system("usernsguard load /bench-storm.conf >/dev/null")) {
		printf("BENCH-ERROR storm: usernsguard load failed\n");
		bench_errors++;
		return -1;
	}
	err |= ug_capacity();
	for (rep = 0; rep < STORM_REPS; rep++)
		err |= ug_storm(rep);
	if (system("usernsguard unload >/dev/null"))
		err = -1;
	return err;
}
