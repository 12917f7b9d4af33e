/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `usernsguard status --format prometheus`: the state and counters in
 * Prometheus' text exposition format (0.0.4), for node_exporter's textfile
 * collector. Pure: no maps, no clock, no I/O; unit-tested to the byte.
 */
#ifndef UG_METRICS_FORMAT_H
#define UG_METRICS_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "sources.h"
#include "usernsguard.h"

/* Sources with held-back events a scrape names (the most first): bounded cardinality. */
#define UG_METRICS_SOURCES 16

struct ug_metrics {
	bool loaded;          /* false: only usernsguard_loaded 0 is written */
	__u64 generation;     /* policy loads since the programs were attached */
	__u64 loaded_at_ns;   /* CLOCK_REALTIME, as ug_policy stores it */
	__u32 mode[UG_RULE_COUNT]; /* enum ug_mode */
	struct ug_counters counters[UG_RULE_COUNT];
	unsigned int sources_seen;           /* event sources the budget map holds */
	int n_held;                          /* entries in held */
	struct ug_source_held held[UG_METRICS_SOURCES]; /* most held back first */
};

/* Into @buf (NUL-terminated). The length, or -ENOSPC. */
int ug_metrics_format(const struct ug_metrics *m, char *buf, size_t len);

#endif
