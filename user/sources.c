// SPDX-License-Identifier: GPL-2.0-only
#include "sources.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "policy_maps.h"
#include "usernsguard.h"

static __u64 held(const struct ug_source_held *h)
{
	return h->rate_limited + h->over_share;
}

static int most_first(const void *a, const void *b)
{
	__u64 x = held(a), y = held(b);

	return x < y ? 1 : x > y ? -1 : 0;
}

int ug_sources_held(struct ug_source_held *out, int max, unsigned int *seen)
{
	struct ug_source_held *all;
	struct ug_source src;
	__u64 key, *prev = NULL;
	int fd, n = 0;

	*seen = 0;
	fd = ug_open_pinned("ug_sources");
	if (fd < 0)
		return fd;
	all = calloc(UG_SOURCES_MAX, sizeof(*all));
	if (!all) {
		close(fd);
		return -ENOMEM;
	}
	/* An LRU map: a walk racing with evictions may end early, never loop. */
	while (*seen < UG_SOURCES_MAX && !bpf_map_get_next_key(fd, prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &src))
			continue;
		(*seen)++;
		if (!src.rate_limited && !src.over_share)
			continue;
		all[n++] = (struct ug_source_held){ key, src.rate_limited, src.over_share };
	}
	close(fd);
	qsort(all, (size_t)n, sizeof(*all), most_first);
	if (n > max)
		n = max;
	memcpy(out, all, (size_t)n * sizeof(*all));
	free(all);
	return n;
}
