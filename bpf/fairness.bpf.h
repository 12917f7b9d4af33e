/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event budgets per source, so that one flooding container cannot blind
 * the reader to another's events (issue 18). A source is who can be made
 * to answer for a flood: a host user, for its own tasks and for every user
 * namespace it made (an unprivileged user can make namespaces at will,
 * and nesting them must not buy more budget); or a container, the
 * outermost user namespace host root made (runtimes make one per
 * container, and only root can). Each source has each rule's rate-limit
 * to itself, and while the ring is over half full (no reader, or one that
 * falls behind) it may add UG_SOURCE_SHARE events until a reader reads
 * again: one source fills at most half, the other half is everyone's.
 */
#ifndef UG_FAIRNESS_BPF_H
#define UG_FAIRNESS_BPF_H

#include "maps.bpf.h"

/* The value a source starts with: a global, so inserting costs no stack. */
static struct ug_source ug_source_zero;

/* The source of an event by a task with @cred (see above). A subprogram, as below. */
static __noinline __u64 ug_source_of(const struct cred *cred)
{
	const struct user_namespace *ns = cred->user_ns;
	int i;

	if (ns->level == 0)
		return UG_SOURCE_USER | cred->uid.val;
	/* A namespace is at most 32 levels deep: this always reaches level 1. */
	for (i = 0; i < 32 && ns->level > 1; i++)
		ns = ns->parent;
	if (ns->owner.val)
		return UG_SOURCE_USER | ns->owner.val;
	return UG_SOURCE_USERNS | ns->ns.inum;
}

/*
 * Whether @ev (source, rule and time set) may go to the ring. What a budget
 * holds back is counted for the source and in the rule's rate-limited
 * counter, never dropped silently. Counts are atomic adds (programs may be
 * preempted on 7.x); two tasks that both see an expired window both reset
 * it, and at worst a window lets one window's worth more through. A map
 * that cannot take the source lets the event through: one event too many,
 * never one too few. A subprogram, like ug_source_of(): inlined, each of
 * its ways out would carry the rest of ug_emit() through the verifier
 * again (6.18: path hooks at 277,000 instructions processed instead of 74,000).
 */
static __noinline bool ug_source_ok(struct ug_event *ev, __u32 rate_limit,
				    struct ug_counters *counters)
{
	struct ug_rate_window *window;
	struct ug_source *src;
	__u32 rule = ev->rule;
	__u64 cons;

	src = bpf_map_lookup_elem(&ug_sources, &ev->source);
	if (!src) {
		bpf_map_update_elem(&ug_sources, &ev->source, &ug_source_zero, BPF_NOEXIST);
		src = bpf_map_lookup_elem(&ug_sources, &ev->source);
		if (!src)
			return true;
	}
	if (rate_limit && rule < UG_RULE_COUNT) {
		window = &src->window[rule];
		if (ev->boot_ns - window->start_ns >= 1000000000ULL) {
			window->start_ns = ev->boot_ns;
			window->sent = 0;
		}
		if (__sync_fetch_and_add(&window->sent, 1) >= rate_limit) {
			__sync_fetch_and_add(&src->rate_limited, 1);
			goto held_back;
		}
	}
	if (bpf_ringbuf_query(&ug_events, BPF_RB_AVAIL_DATA) >= UG_EVENTS_RING_BYTES / 2) {
		/* The reader's position moves only when it reads: a new share then. */
		cons = bpf_ringbuf_query(&ug_events, BPF_RB_CONS_POS);
		if (src->cons_pos != cons) {
			src->cons_pos = cons;
			src->share_sent = 0;
		}
		if (__sync_fetch_and_add(&src->share_sent, 1) >= UG_SOURCE_SHARE) {
			__sync_fetch_and_add(&src->over_share, 1);
			goto held_back;
		}
	}
	__sync_fetch_and_add(&src->sent, 1);
	return true;
held_back:
	if (counters)
		__sync_fetch_and_add(&counters->ratelimited, 1);
	return false;
}

#endif /* UG_FAIRNESS_BPF_H */
