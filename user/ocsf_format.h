/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One ug_event as one line of OCSF 1.3.0 JSON (README "OCSF"): rule 1 as
 * Process Activity (1007), rules 2 and 3 and chown as File System
 * Activity (1001), both in the System Activity category. Pure: no I/O.
 */
#ifndef UG_OCSF_FORMAT_H
#define UG_OCSF_FORMAT_H

#include <stddef.h>
#include <linux/types.h>

#include "event_format.h"

#define UG_OCSF_VERSION "1.3.0"

/*
 * Format @ev (with @who, may be NULL) into @buf; @hostname names the
 * device. The length, or -ENOSPC.
 */
int ug_ocsf_format(const struct ug_event *ev, const struct ug_event_who *who, const char *hostname,
		   __s64 boot_to_real_ns, char *buf, size_t len);

/* A held-back or lost summary as an OCSF Base Event (class 0, activity Other). */
int ug_ocsf_summary(const char *message, __u64 count, __u64 realtime_ns, const char *hostname,
		    char *buf, size_t len);

#endif
