/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The event sources' budgets (bpf/fairness.bpf.h) as `status` and the
 * metrics show them: which sources had events held back, most first.
 */
#ifndef UG_SOURCES_H
#define UG_SOURCES_H

#include <linux/types.h>

struct ug_source_held {
	__u64 source; /* UG_SOURCE_* */
	__u64 rate_limited;
	__u64 over_share;
};

/*
 * Up to @max sources with events held back, most first, into @out; their
 * number is returned (-errno when the map cannot be read), and how many
 * sources the map holds in @seen.
 */
int ug_sources_held(struct ug_source_held *out, int max, unsigned int *seen);

#endif
