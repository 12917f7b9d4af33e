/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CO-RE reads of struct uid_gid_map. Its layout changed between 6.1
 * (nr_extents first) and 6.12 (nr_extents after the inline extents); both
 * are reached by field name only, so relocation picks the right offsets.
 */
#ifndef UG_IDMAP_BPF_H
#define UG_IDMAP_BPF_H

/*
 * The verifier refuses variable-index reads through typed pointers, so the
 * sorted arrays are read with probe reads from a scalar base.
 */
#define UG_IDMAP_READ_EXTENT(dst, base, index)                                 \
	bpf_probe_read_kernel((dst), sizeof(struct ug_extent),                 \
			      (const void *)((unsigned long)(base) +             \
					     (index) * sizeof(struct ug_extent)))
#include "idmap.h"

static long ug_idmap_search_cb(__u32 index, void *ctx)
{
	return ug_idmap_search_step(ctx);
}

/*
 * The five inline extents, unrolled by hand: constant indexes only. The
 * far end of the extent is read only once the id is known to be in it.
 */
#define UG_TRY_INLINE_EXTENT(map, n, i, id, dir)                               \
	do {                                                                   \
		if ((n) > (i)) {                                               \
			__u32 from = (dir) == UG_IDMAP_UP ?                    \
				(map)->extent[i].lower_first :                 \
				(map)->extent[i].first;                        \
			if ((id) - from < (map)->extent[i].count)              \
				return ((dir) == UG_IDMAP_UP ?                 \
					(map)->extent[i].first :               \
					(map)->extent[i].lower_first) +        \
				       ((id) - from);                          \
		}                                                              \
	} while (0)

/*
 * Whether inline extent @i sends kernel id @id up into the namespace.
 * Every field read through a kernel pointer costs a checked load, so only
 * lower_first and count are read.
 */
#define UG_INLINE_EXTENT_HAS(map, n, i, id)                                    \
	((n) > (i) && (id) - (map)->extent[i].lower_first < (map)->extent[i].count)

/* Maps of more than five extents: binary search of the sorted copies. */
static __always_inline __u32 ug_map_id_sorted(const struct uid_gid_map *map, __u32 n, __u32 id,
					      enum ug_idmap_dir dir)
{
	/* Sorted copies: reverse by lower_first, forward by first. */
	unsigned long base = dir == UG_IDMAP_UP ? (unsigned long)BPF_CORE_READ(map, reverse) :
						  (unsigned long)BPF_CORE_READ(map, forward);
	struct ug_idmap_search search;

	if (n > UG_IDMAP_MAX_EXTENTS)
		n = UG_IDMAP_MAX_EXTENTS;
	ug_idmap_search_init(&search, base, n, id, dir);
	bpf_loop(UG_IDMAP_SEARCH_STEPS, ug_idmap_search_cb, &search, 0);
	return search.result;
}

static __always_inline __u32 ug_map_id(const struct uid_gid_map *map, __u32 id,
				       enum ug_idmap_dir dir)
{
	__u32 n = map->nr_extents;

	if (n > UG_IDMAP_BASE_EXTENTS)
		return ug_map_id_sorted(map, n, id, dir);
	UG_TRY_INLINE_EXTENT(map, n, 0, id, dir);
	UG_TRY_INLINE_EXTENT(map, n, 1, id, dir);
	UG_TRY_INLINE_EXTENT(map, n, 2, id, dir);
	UG_TRY_INLINE_EXTENT(map, n, 3, id, dir);
	UG_TRY_INLINE_EXTENT(map, n, 4, id, dir);
	return UG_INVALID_ID;
}

/*
 * ug_map_id() for a map known only by its address: a mount's idmap found
 * by walking a superblock's mounts (bpf/nowalk.bpf.h) or remembered in a
 * map. Probe reads only; off the hot path.
 */
static __always_inline __u32 ug_map_id_at(__u64 addr, __u32 id, enum ug_idmap_dir dir)
{
	const struct uid_gid_map *map = (const struct uid_gid_map *)addr;
	struct uid_gid_extent ext[UG_IDMAP_BASE_EXTENTS];
	__u32 n = BPF_CORE_READ(map, nr_extents), from, i;

	if (n > UG_IDMAP_BASE_EXTENTS)
		return ug_map_id_sorted(map, n, id, dir);
	if (bpf_core_read(ext, sizeof(ext), &map->extent))
		return UG_INVALID_ID;
	for (i = 0; i < UG_IDMAP_BASE_EXTENTS; i++) {
		if (i >= n)
			break;
		from = dir == UG_IDMAP_UP ? ext[i].lower_first : ext[i].first;
		if (id - from < ext[i].count)
			return (dir == UG_IDMAP_UP ? ext[i].first : ext[i].lower_first) + (id - from);
	}
	return UG_INVALID_ID;
}

#endif /* UG_IDMAP_BPF_H */
