/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Walks up a user namespace and its ancestors, the namespace itself first,
 * to the first one a test holds for. Two rules ask this: rule 2's owner
 * scope (a namespace created by a listed host uid, or nested in one) and
 * rule 3's tenant (the namespace whose root is a mark's shiftable-by, or
 * nested in it). A bpf_loop(): the verifier checks one step, not 33. The
 * initial namespace never matches: it has no creator and no mapped root.
 */
#ifndef UG_USERNS_WALK_BPF_H
#define UG_USERNS_WALK_BPF_H

#include "mount.bpf.h"

/* A user namespace nests at most 32 levels deep (create_user_ns()). */
#define UG_USERNS_DEPTH 33

enum ug_ns_test {
	UG_NS_OWNER_LISTED, /* its creator's host uid is an owner scope of @slot, @rule */
	UG_NS_ROOT_IS,      /* its root is host uid @root */
};

/* Kept small: it sits in the frame of the subprograms that judge rule 3. */
struct ug_ns_walk {
	__u64 ns;
	__u32 slot; /* UG_NS_OWNER_LISTED: the policy slot and rule of the ug_match key */
	__u32 rule;
	__u32 root; /* UG_NS_ROOT_IS */
	__u8 test;
	bool found;
};

/*
 * The host uid namespace @ns's root (its uid 0) is: the extent starting at
 * 0, the first one of a sorted map (more than 5 extents). Without the
 * binary search's bpf_loop(): this runs inside one, and 6.1's verifier
 * adds up the frames of the nested callbacks.
 */
static __always_inline __u32 ug_ns_root(__u64 ns)
{
	const struct uid_gid_map *map = (const struct uid_gid_map *)ug_ns_map_at(ns, false);
	__u32 n = BPF_CORE_READ(map, nr_extents), i;
	struct uid_gid_extent ext;
	__u64 at;

	/* One extent at a time: this frame adds to rule 2's along one call chain. */
	if (n > UG_IDMAP_BASE_EXTENTS) {
		at = (__u64)BPF_CORE_READ(map, forward);
		n = 1;
	} else {
		at = (__u64)map + bpf_core_field_offset(struct uid_gid_map, extent);
	}
	for (i = 0; i < UG_IDMAP_BASE_EXTENTS; i++) {
		if (i >= n || !at ||
		    bpf_probe_read_kernel(&ext, sizeof(ext), (const void *)(at + i * sizeof(ext))))
			break;
		if (ext.first == 0 && ext.count)
			return ext.lower_first;
	}
	return UG_INVALID_ID;
}

static long ug_ns_walk_one(__u32 index, void *ctx)
{
	struct ug_ns_walk *w = ctx;
	const struct user_namespace *ns = (const struct user_namespace *)w->ns;

	if (!ns || !BPF_CORE_READ(ns, level))
		return 1;
	if (w->test == UG_NS_OWNER_LISTED) {
		struct ug_exempt_key key = {
			.slot = w->slot,
			.rule = w->rule,
			.kind = UG_SCOPE_OWNER,
			.id = BPF_CORE_READ(ns, owner.val),
		};

		w->found = bpf_map_lookup_elem(&ug_match, &key) != NULL;
	} else {
		w->found = ug_ns_root(w->ns) == w->root;
	}
	if (w->found)
		return 1;
	w->ns = (__u64)BPF_CORE_READ(ns, parent);
	return 0;
}

/* Whether @w's test holds for w->ns or one of its ancestors. */
static __always_inline bool ug_ns_walk(struct ug_ns_walk *w)
{
	w->found = false;
	bpf_loop(UG_USERNS_DEPTH, ug_ns_walk_one, w, 0);
	return w->found;
}

#endif /* UG_USERNS_WALK_BPF_H */
