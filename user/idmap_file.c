// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UG_IDMAP_READ_EXTENT(dst, base, index)                                 \
	(memcpy((dst), (const struct ug_extent *)(base) + (index), sizeof(struct ug_extent)), 0)
#include <linux/types.h>

#include "idmap_file.h"
#include "util.h"

static int by_lower(const void *a, const void *b)
{
	const struct ug_extent *x = a, *y = b;

	return x->lower_first < y->lower_first ? -1 : x->lower_first > y->lower_first;
}

static int by_first(const void *a, const void *b)
{
	const struct ug_extent *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/* Half-open ranges [a, a+n) and [b, b+m) intersect. */
static int overlaps(__u64 a, __u64 n, __u64 b, __u64 m)
{
	return a < b + m && b < a + n;
}

int ug_idmap_parse(const char *text, struct ug_idmap *map, char *err, size_t errlen)
{
	const char *p = text;
	unsigned int line = 0;

	memset(map, 0, sizeof(*map));
	while (*p) {
		unsigned long long v[3];
		struct ug_extent e;
		char *end;
		__u32 i;
		int k;

		line++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n') {
			p++;
			continue;
		}
		for (k = 0; k < 3; k++) {
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p < '0' || *p > '9') {
				ug_fmt(err, errlen, "line %u: expected three numbers", line);
				return -EINVAL;
			}
			errno = 0;
			v[k] = strtoull(p, &end, 10);
			if (errno || v[k] > 0xffffffffULL) {
				ug_fmt(err, errlen, "line %u: number out of range", line);
				return -EINVAL;
			}
			p = end;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p && *p != '\n') {
			ug_fmt(err, errlen, "line %u: unexpected '%c' after the count", line, *p);
			return -EINVAL;
		}
		if (*p)
			p++;
		e = (struct ug_extent){ (__u32)v[0], (__u32)v[1], (__u32)v[2] };
		if (!e.count || v[0] + v[2] - 1 > 0xfffffffeULL || v[1] + v[2] - 1 > 0xfffffffeULL) {
			ug_fmt(err, errlen, "line %u: empty range or range past 4294967294", line);
			return -EINVAL;
		}
		if (map->n == UG_IDMAP_MAX_EXTENTS) {
			ug_fmt(err, errlen, "line %u: more than %d extents", line,
			       UG_IDMAP_MAX_EXTENTS);
			return -EINVAL;
		}
		for (i = 0; i < map->n; i++) {
			const struct ug_extent *o = &map->extent[i];

			if (overlaps(e.first, e.count, o->first, o->count) ||
			    overlaps(e.lower_first, e.count, o->lower_first, o->count)) {
				ug_fmt(err, errlen, "line %u overlaps line %u", line, i + 1);
				return -EINVAL;
			}
		}
		map->extent[map->n++] = e;
	}
	memcpy(map->by_lower, map->extent, map->n * sizeof(struct ug_extent));
	memcpy(map->by_first, map->extent, map->n * sizeof(struct ug_extent));
	qsort(map->by_lower, map->n, sizeof(struct ug_extent), by_lower);
	qsort(map->by_first, map->n, sizeof(struct ug_extent), by_first);
	return 0;
}

int ug_idmap_read_path(const char *path, struct ug_idmap *map, char *err, size_t errlen)
{
	char msg[128];
	size_t len;
	char *text;
	int ret;

	ret = ug_read_file(path, 64 * 1024, &text, &len);
	if (ret) {
		ug_fmt(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = ug_idmap_parse(text, map, msg, sizeof(msg));
	if (ret)
		ug_fmt(err, errlen, "%s: %s", path, msg);
	free(text);
	return ret;
}

int ug_idmap_read(pid_t pid, int gid, struct ug_idmap *map, char *err, size_t errlen)
{
	char path[64];

	ug_fmt(path, sizeof(path), "/proc/%d/%s", (int)pid, gid ? "gid_map" : "uid_map");
	return ug_idmap_read_path(path, map, err, errlen);
}

/* As the kernel: linear over up to 5 extents, binary search beyond. */
static __u32 translate(const struct ug_idmap *map, __u32 id, enum ug_idmap_dir dir)
{
	__u32 i, mapped;

	if (map->n > UG_IDMAP_BASE_EXTENTS) {
		struct ug_idmap_search search;
		int step;

		ug_idmap_search_init(&search,
				     (unsigned long)(dir == UG_IDMAP_UP ? map->by_lower : map->by_first),
				     map->n, id, dir);
		for (step = 0; step < UG_IDMAP_SEARCH_STEPS; step++)
			if (ug_idmap_search_step(&search))
				break;
		return search.result;
	}
	for (i = 0; i < map->n; i++) {
		mapped = ug_extent_map(&map->extent[i], id, dir);
		if (mapped != UG_INVALID_ID)
			return mapped;
	}
	return UG_INVALID_ID;
}

__u32 ug_idmap_up(const struct ug_idmap *map, __u32 kid)
{
	return translate(map, kid, UG_IDMAP_UP);
}

__u32 ug_idmap_down(const struct ug_idmap *map, __u32 id)
{
	return translate(map, id, UG_IDMAP_DOWN);
}

int ug_idmap_split(const struct ug_idmap *parent, const struct ug_extent *want,
		   struct ug_extent *out, size_t max, size_t *n, char *err, size_t errlen)
{
	__u64 first = want->first, lower = want->lower_first, left = want->count;

	*n = 0;
	while (left) {
		const struct ug_extent *home = NULL;
		__u64 room, take;
		__u32 i;

		/* The parent extent whose namespace ids contain @lower. */
		for (i = 0; i < parent->n && !home; i++)
			if (lower - parent->extent[i].first < parent->extent[i].count &&
			    lower >= parent->extent[i].first)
				home = &parent->extent[i];
		if (!home) {
			ug_fmt(err, errlen, "id %llu is not mapped in the parent namespace",
			       (unsigned long long)lower);
			return -ERANGE;
		}
		if (*n == max) {
			ug_fmt(err, errlen, "more than %zu extents needed", max);
			return -E2BIG;
		}
		room = (__u64)home->first + home->count - lower;
		take = left < room ? left : room;
		out[(*n)++] = (struct ug_extent){ (__u32)first, (__u32)lower, (__u32)take };
		first += take;
		lower += take;
		left -= take;
	}
	return 0;
}
