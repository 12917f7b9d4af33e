/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Id translation through a user namespace's uid_map/gid_map, written once
 * for the BPF programs and the loader. It answers what the kernel's
 * map_id_up()/map_id_down() answer (kernel/user_namespace.c):
 *  - up:   kernel id -> id as the namespace shows it (searched by lower_first)
 *  - down: namespace id -> kernel id                 (searched by first)
 * A map holds up to 5 extents inline; 6 to 340 live in two arrays sorted by
 * first (forward) and by lower_first (reverse), so a binary search needs
 * at most 9 probes. Extents store lower_first as a kernel-global id, so a
 * single level of lookup is right even for nested namespaces.
 *
 * The includer defines UG_IDMAP_READ_EXTENT(dst, base, index) returning 0
 * on success: a probe read in BPF, a plain copy in userspace.
 */
#ifndef USERNSGUARD_IDMAP_H
#define USERNSGUARD_IDMAP_H

#ifndef UG_INVALID_ID
#define UG_INVALID_ID 0xffffffffu
#endif

#define UG_IDMAP_BASE_EXTENTS 5
#define UG_IDMAP_MAX_EXTENTS 340
/* Probes a binary search over 340 sorted extents can need, plus one. */
#define UG_IDMAP_SEARCH_STEPS 10

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

struct ug_extent {
	__u32 first;
	__u32 lower_first;
	__u32 count;
};

enum ug_idmap_dir {
	UG_IDMAP_UP = 0,   /* kernel id -> namespace id */
	UG_IDMAP_DOWN = 1, /* namespace id -> kernel id */
};

/*
 * Translate @id through one extent; UG_INVALID_ID if outside it. The
 * unsigned difference is below count exactly when from <= id < from+count:
 * the kernel refuses extents whose range wraps, so id < from yields a
 * difference of at least 2^32 - from, which exceeds count.
 */
static __always_inline __u32 ug_extent_map(const struct ug_extent *e, __u32 id,
					   enum ug_idmap_dir dir)
{
	__u32 from = dir == UG_IDMAP_UP ? e->lower_first : e->first;
	__u32 to = dir == UG_IDMAP_UP ? e->first : e->lower_first;

	if (id - from < e->count)
		return to + (id - from);
	return UG_INVALID_ID;
}

#ifdef UG_IDMAP_READ_EXTENT
/*
 * Binary search over @n extents sorted by the searched key (reverse array
 * for UG_IDMAP_UP, forward array for UG_IDMAP_DOWN), as
 * map_id_range_up_max() does with bsearch(). Written as one step over a
 * state so the BPF side can drive it with bpf_loop(): the verifier then
 * checks the step once instead of unrolling the search at every call.
 */
struct ug_idmap_search {
	unsigned long base;
	__u32 lo, hi; /* candidates left: [lo, hi) */
	__u32 id;
	__u32 dir;    /* enum ug_idmap_dir */
	__u32 result; /* UG_INVALID_ID until found */
};

static __always_inline void ug_idmap_search_init(struct ug_idmap_search *s,
						 unsigned long base, __u32 n, __u32 id,
						 enum ug_idmap_dir dir)
{
	s->base = base;
	s->lo = 0;
	s->hi = n;
	s->id = id;
	s->dir = dir;
	s->result = UG_INVALID_ID;
}

/* One probe; 1 when the search is over (found or not), else 0. */
static __always_inline int ug_idmap_search_step(struct ug_idmap_search *s)
{
	struct ug_extent e;
	__u32 mid, from;

	if (s->lo >= s->hi)
		return 1;
	mid = s->lo + (s->hi - s->lo) / 2;
	if (UG_IDMAP_READ_EXTENT(&e, s->base, mid))
		return 1;
	from = s->dir == UG_IDMAP_UP ? e.lower_first : e.first;
	if (s->id < from) {
		s->hi = mid;
	} else if (s->id - from >= e.count) {
		s->lo = mid + 1;
	} else {
		s->result = ug_extent_map(&e, s->id, (enum ug_idmap_dir)s->dir);
		return 1;
	}
	return 0;
}
#endif

#endif /* USERNSGUARD_IDMAP_H */
