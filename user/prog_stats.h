/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What each attached program costs (status --stats, issue 19): run count
 * and average run time from the kernel's BPF statistics over a window.
 */
#ifndef UG_PROG_STATS_H
#define UG_PROG_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define UG_STATS_MAX 64

struct ug_prog_stat {
	char name[64];
	__u64 runs; /* in the window */
	__u64 ns;   /* their run time, summed */
};

/*
 * Measure every attached program for @seconds. The statistics are on for
 * the window only: BPF_ENABLE_STATS holds them on through an fd, which
 * closes with this process however it ends; kernel.bpf_stats_enabled is
 * never written. Returns the number of programs, or -errno.
 */
int ug_prog_stats(unsigned int seconds, struct ug_prog_stat *out, int max);

/* @n stats as text or as Prometheus metrics; the length, or -ENOSPC. */
int ug_prog_stats_format(const struct ug_prog_stat *s, int n, unsigned int seconds,
			 bool prometheus, char *buf, size_t len);

#endif
