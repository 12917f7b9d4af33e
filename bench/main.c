// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest benchmark driver: build the fixture, measure with no program, then
 * for each repetition attach the floor and usernsguard in turn and run the
 * whole matrix under each, so slow drift in the guest (caches, slab
 * growth) spreads over both alike; then the event-throughput storm. The last line is
 * "BENCH-DONE <errors>".
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"

double bench_scale = 1.0;
const char *bench_only; /* "ctx:workload", either part may be empty: a quick look */
int bench_errors;

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reps", required_argument, NULL, 'r' },
		{ "scale", required_argument, NULL, 's' },
		{ "no-storm", no_argument, NULL, 'n' },
		{ "only", required_argument, NULL, 'o' },
		{ 0 },
	};
	int reps = 5, rep, c, cfg;
	bool storm = true;
	struct utsname u;

	while ((c = getopt_long(argc, argv, "r:s:no:", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			reps = atoi(optarg);
			break;
		case 's':
			bench_scale = atof(optarg);
			break;
		case 'n':
			storm = false;
			break;
		case 'o':
			bench_only = optarg;
			break;
		default:
			fprintf(stderr, "usage: bench [--reps N] [--scale X] [--no-storm] "
					"[--only CTX:WORKLOAD]\n");
			return 2;
		}
	}
	if (reps < 1 || bench_scale <= 0) {
		fprintf(stderr, "bench: --reps must be >= 1 and --scale > 0\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	uname(&u);
	printf("BENCH meta kernel %s cpus %ld reps %d scale %.3f\n", u.release,
	       sysconf(_SC_NPROCESSORS_ONLN), reps, bench_scale);
	if (bench_fixture())
		return 1;
	/*
	 * Creating 20,000 files leaves work behind (RCU callbacks, LRU
	 * shrinking): a first pass, not printed, lets it finish before the
	 * first measurement and warms every code path.
	 */
	sync();
	bench_quiet = true;
	bench_matrix_rep(CONFIG_NONE, -1);
	bench_quiet = false;
	/*
	 * No program first, before any is attached: on 6.12 a hook that once
	 * had a BPF-LSM program does not return to its pristine cost when the
	 * program is detached (measured: stat-6 5,422 -> 6,650, above the
	 * floor), so "none" measured later would not be "no program".
	 */
	for (rep = 0; rep < reps; rep++)
		bench_matrix_rep(CONFIG_NONE, rep);
	for (rep = 0; rep < reps; rep++) {
		for (cfg = CONFIG_FLOOR; cfg < CONFIG_COUNT; cfg++) {
			if (bench_attach((enum bench_config)cfg)) {
				bench_errors++;
				continue;
			}
			bench_matrix_rep((enum bench_config)cfg, rep);
			bench_detach((enum bench_config)cfg);
		}
	}
	if (storm)
		bench_storm();
	printf("BENCH-DONE %d\n", bench_errors);
	return bench_errors ? 1 : 0;
}
