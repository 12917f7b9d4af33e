/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest side of `make bench`: it runs each workload under each
 * configuration in one boot and prints one "BENCH" line per measurement;
 * scripts/bench-report.awk turns the lines into bench/results.md.
 * Times come from CLOCK_MONOTONIC: under QEMU's -icount shift=0 the guest
 * clock advances one nanosecond per guest instruction, so they are
 * instruction counts and repeat from run to run.
 */
#ifndef UG_BENCH_H
#define UG_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#define BENCH_ROOT "/bench"
#define BENCH_TREE BENCH_ROOT "/t"     /* workload files, owned by the mapped root */
#define BENCH_OWNER 100000u            /* host id every namespace maps its root to */
#define BENCH_UNMAPPED 5000u           /* host id no namespace maps */
#define BENCH_TREE_DIRS 20
#define BENCH_TREE_FILES 1000          /* per directory: 20,000 files in all */

/* What is attached while a workload runs. */
enum bench_config {
	CONFIG_NONE,    /* no BPF program at all */
	CONFIG_FLOOR,   /* an empty program on every hook usernsguard uses */
	CONFIG_NEEDED,  /* the floor plus the work the rules cannot decide without */
	CONFIG_UG_R1,   /* usernsguard with bench/policy-r1.conf: rule 1 alone */
	CONFIG_UG_R13,  /* bench/policy-r13.conf: rules 1 and 3 */
	CONFIG_UG,      /* usernsguard with bench/policy.conf: every rule */
	CONFIG_COUNT,
};

/* Who runs the workload. */
enum bench_ctx {
	CTX_INIT,       /* root in the initial user namespace */
	CTX_NS5,        /* root of a namespace with a 5-extent map (inline extents) */
	CTX_NS300,      /* root of a namespace with a 300-extent map (sorted arrays) */
	CTX_COUNT,
};

struct workload {
	const char *name;
	long iters;                 /* calls per repetition, before --scale */
	long ops_per_call;          /* a tree walk is one call over many files */
	bool ns5_only;              /* the deny path: one namespace is enough */
	/* One operation: 0 or the errno it failed with. */
	int (*op)(void);
	/* The errno the operation must end with; anything else is an error. */
	int (*expect)(enum bench_config config, enum bench_ctx ctx);
};

extern const struct workload bench_workloads[];
extern const int bench_n_workloads;
extern const char *const bench_config_names[CONFIG_COUNT];
extern const char *const bench_ctx_names[CTX_COUNT];
extern double bench_scale;
extern const char *bench_only;
extern bool bench_quiet;
extern int bench_errors;

uint64_t bench_now_ns(void);

/* fixture.c */
int bench_fixture(void);
/* 0, or EOPNOTSUPP where tmpfs stores no user.* attributes (before 6.6). */
extern int bench_user_xattr_errno;

/* configs.c: attach and detach a configuration; 0 or -1. */
int bench_attach(enum bench_config config);
void bench_detach(enum bench_config config);

/* matrix.c: one repetition of every workload in every context. */
int bench_matrix_rep(enum bench_config config, int rep);

/* storm.c: event throughput, after the matrix. */
int bench_storm(void);

#endif /* UG_BENCH_H */
