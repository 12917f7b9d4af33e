/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A per-task memo of "is this id mapped in my user namespace" (issue 7):
 * inode_permission asks it for every path component, the answer depends
 * only on the task's cred, and a binary search of a long map (6 to 340
 * extents, read with probe reads) costs ten times the hook's floor. Maps
 * of up to five extents are tested inline instead: the task-storage
 * helper alone costs more than that. What makes a remembered answer
 * provably right:
 *  - it is keyed by the cred's address, and a cred's user_ns never changes;
 *  - a namespace's uid_map/gid_map is written once (map_write() refuses a
 *    second write) and only long (hence written) maps are remembered;
 *    nr_extents is read before the extents, as the kernel publishes them;
 *  - a freed cred's address may be reused. security_cred_free() runs in
 *    the RCU callback that frees it, after every program that saw it
 *    alive (they run under rcu_read_lock) has returned; it advances the
 *    generation of the address's bucket, so every memo made while the cred
 *    lived is stale before the address can belong to another cred;
 *  - the memo is the current task's own: no other task reads or writes it.
 * Neither map is pinned: a memo is only valid with the cred_free program
 * of the same load, and an unload drops both.
 */
#ifndef UG_MEMO_BPF_H
#define UG_MEMO_BPF_H

#include "policy.bpf.h"

#define BPF_LOCAL_STORAGE_GET_F_CREATE 1

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ug_id_memo);
} ug_id_memo SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, UG_CRED_GEN_BUCKETS);
	__type(key, __u32);
	__type(value, __u32);
} ug_cred_gen SEC(".maps");

/*
 * A pointer as a number, through the memo's own field: the verifier allows
 * no arithmetic (the bucket) on a pointer, but a pointer stored to a map
 * (allowed to a privileged loader) reads back as a plain number. The memo
 * belongs to the current task, so nothing else writes the field between.
 */
static __always_inline __u64 ug_addr_of(const void *ptr, __u64 *slot)
{
	*(volatile __u64 *)slot = (__u64)ptr;
	return *(volatile __u64 *)slot;
}

/* Creds are 192-byte slab objects: drop the bits that never differ. */
static __always_inline __u32 ug_cred_bucket(__u64 addr)
{
	return (__u32)(addr >> 6) & (UG_CRED_GEN_BUCKETS - 1);
}

static __always_inline __u32 ug_cred_gen_of(__u64 addr)
{
	__u32 key = ug_cred_bucket(addr);
	__u32 *gen = bpf_map_lookup_elem(&ug_cred_gen, &key);

	return gen ? *(volatile __u32 *)gen : 0;
}

/*
 * The current task's memo, emptied if it was made under another cred or
 * before that cred's address was reused. NULL if none can be had (the
 * callers then search every time).
 */
static __always_inline struct ug_id_memo *ug_memo_get(struct task_struct *task,
						      const struct cred *cred)
{
	struct ug_id_memo *memo;
	__u64 addr;
	__u32 gen;

	memo = bpf_task_storage_get(&ug_id_memo, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!memo)
		return NULL;
	if (memo->cred != (__u64)cred) {
		memo->cred_gen = ug_cred_gen_of(ug_addr_of(cred, &memo->cred));
		memo->uid = memo->gid = UG_INVALID_ID;
		return memo;
	}
	addr = *(volatile __u64 *)&memo->cred;
	gen = ug_cred_gen_of(addr);
	if (memo->cred_gen != gen) {
		memo->cred_gen = gen;
		memo->uid = memo->gid = UG_INVALID_ID;
	}
	return memo;
}

/* What rule 2 asks about one task; the memo is fetched on first need. */
struct ug_asker {
	struct task_struct *task;
	const struct cred *cred;
	struct ug_id_memo *memo;
	bool memo_tried;
};

/*
 * Whether the asker's namespace, whose uid or gid map is @map, shows kernel
 * id @id. Up to five extents are tested inline, cheaper than any memo; a
 * longer map is searched once per cred and id and remembered.
 */
static __always_inline bool ug_ns_shows(struct ug_asker *asker, const struct uid_gid_map *map,
					__u32 id, bool gid)
{
	struct ug_id_memo *memo;
	__u32 n, shown;

	n = *(volatile const __u32 *)&map->nr_extents;
	if (n <= UG_IDMAP_BASE_EXTENTS)
		return UG_INLINE_EXTENT_HAS(map, n, 0, id) || UG_INLINE_EXTENT_HAS(map, n, 1, id) ||
		       UG_INLINE_EXTENT_HAS(map, n, 2, id) || UG_INLINE_EXTENT_HAS(map, n, 3, id) ||
		       UG_INLINE_EXTENT_HAS(map, n, 4, id);
	if (!asker->memo_tried) {
		asker->memo = ug_memo_get(asker->task, asker->cred);
		asker->memo_tried = true;
	}
	memo = asker->memo;
	if (memo && id == (gid ? memo->gid : memo->uid))
		return (gid ? memo->gid_ns : memo->uid_ns) != UG_INVALID_ID;
	/* n > 5 was read before the extents: the map is written for good. */
	shown = ug_map_id(map, id, UG_IDMAP_UP);
	if (memo) {
		if (gid) {
			memo->gid = id;
			memo->gid_ns = shown;
		} else {
			memo->uid = id;
			memo->uid_ns = shown;
		}
	}
	return shown != UG_INVALID_ID;
}

/*
 * The low 32 bits of a pointer as a number, for ug_cred_bucket() (bits
 * 6..17). A 32-bit move of a pointer is allowed to a loader that may leak
 * pointers (CAP_PERFMON, which load requires anyway) and yields a plain
 * number; written in assembly so that the compiler cannot turn it into
 * 64-bit arithmetic on the pointer, which is refused.
 */
static __always_inline __u32 ug_addr_low(const void *ptr)
{
	__u32 low;

	asm volatile("%[low] = %[ptr]" : [low] "=w"(low) : [ptr] "w"(ptr));
	return low;
}

SEC("lsm/cred_free")
int BPF_PROG(ug_cred_free, struct cred *cred)
{
	/*
	 * The bucket from the cred's own argument register: nothing shared
	 * is written, so a cred_free run that interrupts this one (RCU
	 * callbacks run in softirqs too) cannot make the wrong bucket
	 * advance. No probe read: this runs for every cred freed.
	 */
	__u32 key = ug_cred_bucket(ug_addr_low(cred)), *gen;

	gen = bpf_map_lookup_elem(&ug_cred_gen, &key);
	/* Atomic: a lost increment could bring a bucket back to an old value. */
	if (gen)
		__sync_fetch_and_add(gen, 1);
	return 0;
}

#endif /* UG_MEMO_BPF_H */
