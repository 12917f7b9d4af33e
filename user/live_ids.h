/* SPDX-License-Identifier: GPL-2.0-only */
/* Rule 1 follows kernel.overflow{u,g}id live under "overflow-ids auto" (bpf/live_ids.bpf.h). */
#ifndef UG_LIVE_IDS_H
#define UG_LIVE_IDS_H

#include <stdbool.h>
#include <linux/types.h>

#include "usernsguard.h"

/*
 * Show the loaded programs where the kernel keeps the two sysctls, for a
 * policy that reads them (@policy->overflow_live). 0 when rule 1 follows
 * them live; otherwise a warning says it holds the values read at load.
 */
int ug_live_ids_capture(const struct ug_policy *policy);

/* Whether the loaded programs know where both sysctls are (for status). */
bool ug_live_ids_followed(void);

#endif /* UG_LIVE_IDS_H */
