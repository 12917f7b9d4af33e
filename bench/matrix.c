// SPDX-License-Identifier: GPL-2.0-only
/*
 * One repetition of the measurement matrix under one configuration: every
 * workload, from each context. Each context runs in its own child (the
 * namespaced ones inside a fresh user namespace) which prints its lines.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "guest_test.h"

const char *const bench_ctx_names[CTX_COUNT] = {
	[CTX_INIT] = "init",
	[CTX_NS5] = "userns-5",
	[CTX_NS300] = "userns-300",
};

bool bench_quiet;

/* Whether --only lets this cell (any workload if @workload is NULL) run. */
static bool wanted(enum bench_ctx ctx, const char *workload)
{
	const char *colon;
	size_t len;

	if (!bench_only)
		return true;
	colon = strchr(bench_only, ':');
	len = colon ? (size_t)(colon - bench_only) : strlen(bench_only);
	if (len && (strlen(bench_ctx_names[ctx]) != len || strncmp(bench_only, bench_ctx_names[ctx], len)))
		return false;
	return !workload || !colon || !colon[1] || !strcmp(colon + 1, workload);
}

struct ctx_run {
	enum bench_config config;
	enum bench_ctx ctx;
	int rep;
};

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Run @w @iters times; the errors it met beyond the expected outcome. */
static long run_ops(const struct workload *w, long iters, int want)
{
	long i, wrong = 0;

	for (i = 0; i < iters; i++)
		wrong += w->op() != want;
	return wrong;
}

static int run_context(void *arg)
{
	const struct ctx_run *run = arg;
	int i, errors = 0;

	/* Inside a namespace: become its root, so owners are mapped and DAC passes. */
	if (run->ctx != CTX_INIT &&
	    (setgroups(0, NULL) || setresgid(0, 0, 0) || setresuid(0, 0, 0)))
		return 100;
	if (chdir(BENCH_TREE))
		return 101;
	for (i = 0; i < bench_n_workloads; i++) {
		const struct workload *w = &bench_workloads[i];
		long iters = (long)(w->iters * bench_scale) ?: 1;
		int want = w->expect(run->config, run->ctx);
		uint64_t t0, t1;
		long wrong;

		if ((w->ns5_only && run->ctx != CTX_NS5) || !wanted(run->ctx, w->name))
			continue;
		wrong = run_ops(w, iters / 10 ?: 1, want); /* warm caches */
		t0 = bench_now_ns();
		wrong += run_ops(w, iters, want);
		t1 = bench_now_ns();
		if (bench_quiet)
			continue;
		if (wrong) {
			printf("BENCH-ERROR %s %s %s: %ld of %ld calls did not end with errno %d\n",
			       bench_config_names[run->config], bench_ctx_names[run->ctx], w->name,
			       wrong, iters, want);
			errors++;
		}
		printf("BENCH cell %s %s %s %d %.2f %ld\n", bench_config_names[run->config],
		       bench_ctx_names[run->ctx], w->name, run->rep,
		       (double)(t1 - t0) / ((double)iters * (double)w->ops_per_call),
		       iters * w->ops_per_call);
		fflush(stdout);
	}
	return errors;
}

/* Ids each namespace maps; both put its root at BENCH_OWNER. */
static void ns5_map(char *buf, size_t len)
{
	snprintf(buf, len, "0 %u 1000\n1000 201000 1000\n2000 302000 1000\n3000 403000 1000\n"
			   "65534 165534 1\n", BENCH_OWNER);
}

/* 300 extents, the root's last in lower_first order: the search's far end. */
static void ns300_map(char *buf, size_t len)
{
	size_t used;
	int i;

	used = (size_t)snprintf(buf, len, "0 %u 5\n", BENCH_OWNER);
	for (i = 1; i < 300 && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%d %d 5\n", i * 10, 10000 + i * 10);
}

int bench_matrix_rep(enum bench_config config, int rep)
{
	char map[4096];
	int c, failed = 0;

	for (c = 0; c < CTX_COUNT; c++) {
		struct ctx_run run = { .config = config, .ctx = (enum bench_ctx)c, .rep = rep };
		struct outcome out;

		if (!wanted(run.ctx, NULL))
			continue;
		fflush(stdout);
		if (c == CTX_INIT) {
			out = in_child(run_context, &run);
		} else {
			(c == CTX_NS5 ? ns5_map : ns300_map)(map, sizeof(map));
			out = in_userns(map, map, run_context, &run);
		}
		if (out.killed || out.err) {
			printf("BENCH-ERROR %s %s: context ended with %s %d\n", bench_config_names[config],
			       bench_ctx_names[c], out.killed ? "signal" : "status",
			       out.killed ? out.sig : out.err);
			failed++;
		}
	}
	bench_errors += failed;
	return failed ? -1 : 0;
}
