/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An event's cgroup id to its path and identity, for the reader. Cached:
 * a cgroup id is never reused, and a storm comes from few cgroups. No work
 * on the BPF side: the programs only record bpf_get_current_cgroup_id().
 */
#ifndef UG_CGROUP_RESOLVE_H
#define UG_CGROUP_RESOLVE_H

#include <linux/types.h>

#include "event_format.h"

/* What is known of cgroup @id; never NULL ("" fields for a cgroup gone before it was read). */
const struct ug_event_who *ug_cgroup_who(__u64 id);

#endif
