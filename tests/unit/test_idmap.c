// SPDX-License-Identifier: GPL-2.0-only
/*
 * The id translation shared with the BPF programs (include/idmap.h), via
 * its userspace build: hand-computed boundaries, then every size from 6
 * to 340 extents against a brute-force scan; map parsing; extent splitting.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "idmap_file.h"

#define INV UG_INVALID_ID

static struct ug_idmap map;
static char err[256];

static void parse_ok(const char *text)
{
	cr_assert_eq(ug_idmap_parse(text, &map, err, sizeof(err)), 0, "%s: %s", text, err);
}

Test(idmap, one_extent_boundaries)
{
	parse_ok("0 100000 65536\n");
	cr_assert_eq(ug_idmap_up(&map, 100000), 0);         /* first */
	cr_assert_eq(ug_idmap_up(&map, 165535), 65535);     /* first + count - 1 */
	cr_assert_eq(ug_idmap_up(&map, 165536), INV);       /* first + count */
	cr_assert_eq(ug_idmap_up(&map, 99999), INV);
	cr_assert_eq(ug_idmap_up(&map, 0), INV);
	cr_assert_eq(ug_idmap_up(&map, 4294967294u), INV);
	cr_assert_eq(ug_idmap_down(&map, 0), 100000);
	cr_assert_eq(ug_idmap_down(&map, 65535), 165535);
	cr_assert_eq(ug_idmap_down(&map, 65536), INV);
	cr_assert_eq(ug_idmap_down(&map, 4294967294u), INV);
}

Test(idmap, identity_map_of_the_initial_namespace)
{
	parse_ok("0 0 4294967295\n");
	cr_assert_eq(ug_idmap_up(&map, 0), 0);
	cr_assert_eq(ug_idmap_up(&map, 65534), 65534);
	cr_assert_eq(ug_idmap_up(&map, 4294967294u), 4294967294u);
	cr_assert_eq(ug_idmap_down(&map, 4294967294u), 4294967294u);
}

Test(idmap, five_inline_extents_in_written_order)
{
	parse_ok("5000 65534 1\n0 100000 1000\n1000 200000 10\n  2000 300000 1\n3000 0 1\n");
	cr_assert_eq(ug_idmap_up(&map, 65534), 5000);
	cr_assert_eq(ug_idmap_up(&map, 100999), 999);
	cr_assert_eq(ug_idmap_up(&map, 101000), INV);
	cr_assert_eq(ug_idmap_up(&map, 200009), 1009);
	cr_assert_eq(ug_idmap_up(&map, 200010), INV);
	cr_assert_eq(ug_idmap_up(&map, 300000), 2000);
	cr_assert_eq(ug_idmap_up(&map, 0), 3000);
	cr_assert_eq(ug_idmap_down(&map, 5000), 65534);
	cr_assert_eq(ug_idmap_down(&map, 3000), 0);
	cr_assert_eq(ug_idmap_down(&map, 2999), INV);
}

static __u32 rng = 12345;

static __u32 next_random(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

static __u32 brute(const struct ug_idmap *m, __u32 id, enum ug_idmap_dir dir)
{
	for (__u32 i = 0; i < m->n; i++) {
		__u32 r = ug_extent_map(&m->extent[i], id, dir);

		if (r != INV)
			return r;
	}
	return INV;
}

/* Extents with random sizes and gaps; lower ranges in shuffled order. */
static void build_map(__u32 n)
{
	static char text[340 * 40];
	__u32 first = 0, lower[340], order[340], i;
	size_t len = 0;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		__u32 j = next_random() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < n; i++)
		lower[order[i]] = 1000000 + i * 20000;
	for (i = 0; i < n; i++) {
		__u32 count = 1 + next_random() % 10000;

		len += (size_t)snprintf(text + len, sizeof(text) - len, "%u %u %u\n", first,
					lower[i], count);
		first += count + next_random() % 50;
	}
	parse_ok(text);
}

Test(idmap, binary_search_matches_a_scan_for_6_to_340_extents)
{
	for (__u32 n = 6; n <= 340; n++) {
		build_map(n);
		for (__u32 i = 0; i < map.n; i++) {
			const struct ug_extent *e = &map.extent[i];
			__u32 probes[] = { e->first - 1, e->first, e->first + e->count - 1,
					   e->first + e->count };
			__u32 lprobes[] = { e->lower_first - 1, e->lower_first,
					    e->lower_first + e->count - 1,
					    e->lower_first + e->count };

			for (int k = 0; k < 4; k++) {
				cr_assert_eq(ug_idmap_down(&map, probes[k]),
					     brute(&map, probes[k], UG_IDMAP_DOWN), "n=%u id=%u", n,
					     probes[k]);
				cr_assert_eq(ug_idmap_up(&map, lprobes[k]),
					     brute(&map, lprobes[k], UG_IDMAP_UP), "n=%u kid=%u", n,
					     lprobes[k]);
			}
		}
		cr_assert_eq(ug_idmap_up(&map, 0), INV);
		cr_assert_eq(ug_idmap_up(&map, 4294967294u), INV);
	}
}

Test(idmap, parse_refuses_what_the_kernel_refuses)
{
	char text[341 * 24];
	size_t len = 0;

	cr_assert_eq(ug_idmap_parse("0 100000 0\n", &map, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "line 1: empty range or range past 4294967294");
	cr_assert_eq(ug_idmap_parse("1 1 4294967295\n", &map, err, sizeof(err)), -EINVAL);
	cr_assert_eq(ug_idmap_parse("0 100 10\n5 200 10\n", &map, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "line 2 overlaps line 1");
	cr_assert_eq(ug_idmap_parse("0 100 10\n50 105 10\n", &map, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "line 2 overlaps line 1");
	cr_assert_eq(ug_idmap_parse("0 100\n", &map, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "line 1: expected three numbers");
	cr_assert_eq(ug_idmap_parse("0 100 1 x\n", &map, err, sizeof(err)), -EINVAL);
	cr_assert_eq(ug_idmap_parse("0 4294967296 1\n", &map, err, sizeof(err)), -EINVAL);
	for (int i = 0; i < 341; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%d %d 1\n", i, i + 1000);
	cr_assert_eq(ug_idmap_parse(text, &map, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "line 341: more than 340 extents");
}

Test(idmap, reads_proc_self)
{
	cr_assert_eq(ug_idmap_read(getpid(), 0, &map, err, sizeof(err)), 0, "%s", err);
	cr_assert_geq(map.n, 1);
	cr_assert_neq(ug_idmap_down(&map, getuid()), INV);
}

Test(idmap, split_to_fit_the_parent)
{
	struct ug_extent want = { 0, 0, 100 }, out[8];
	size_t n;

	/* The seed's example: "0 0 100" under "0 1000 1" + "1 100000 65536". */
	parse_ok("0 1000 1\n1 100000 65536\n");
	cr_assert_eq(ug_idmap_split(&map, &want, out, 8, &n, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(n, 2);
	cr_assert(out[0].first == 0 && out[0].lower_first == 0 && out[0].count == 1);
	cr_assert(out[1].first == 1 && out[1].lower_first == 1 && out[1].count == 99);

	want = (struct ug_extent){ 10, 65530, 10 };
	cr_assert_eq(ug_idmap_split(&map, &want, out, 8, &n, err, sizeof(err)), -ERANGE);
	cr_assert_str_eq(err, "id 65537 is not mapped in the parent namespace");

	want = (struct ug_extent){ 0, 0, 2 };
	cr_assert_eq(ug_idmap_split(&map, &want, out, 1, &n, err, sizeof(err)), -E2BIG);

	want = (struct ug_extent){ 500, 7, 9 };
	cr_assert_eq(ug_idmap_split(&map, &want, out, 8, &n, err, sizeof(err)), 0);
	cr_assert(n == 1 && out[0].first == 500 && out[0].lower_first == 7 && out[0].count == 9);
}
