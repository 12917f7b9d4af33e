/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One ug_event as one line of JSON (field names follow the Elastic Common
 * Schema where ECS has a field, usernsguard.* where it does not; README
 * "Event stream") or of text. Pure functions: no I/O, unit-tested.
 */
#ifndef UG_EVENT_FORMAT_H
#define UG_EVENT_FORMAT_H

#include <stddef.h>
#include <linux/types.h>

#include "cgroup_identity.h"
#include "usernsguard.h"

enum ug_format {
	UG_FORMAT_JSON,
	UG_FORMAT_TEXT,
	UG_FORMAT_OCSF, /* events only: ocsf_format.c */
};

/*
 * Format @ev into @buf (NUL-terminated, no newline). @boot_to_real_ns is
 * CLOCK_REALTIME minus CLOCK_BOOTTIME. Returns the length, or -ENOSPC.
 */
int ug_event_format(const struct ug_event *ev, __s64 boot_to_real_ns, enum ug_format format,
		    char *buf, size_t len);

/* What the reader learnt of an event's cgroup (cgroup_resolve.c). */
struct ug_event_who {
	char cgroup_path[256]; /* "" when the cgroup is gone or unreadable */
	struct ug_cgroup_identity id;
};

/*
 * The same, with the container, pod and unit @who names (NULL: none): ECS
 * container.* and orchestrator.*, usernsguard.cgroup_path and .unit (JSON only).
 */
int ug_event_format_who(const struct ug_event *ev, const struct ug_event_who *who,
			__s64 boot_to_real_ns, enum ug_format format, char *buf, size_t len);

/* Events of @rule that never reached the reader since its last report. */
struct ug_lost_report {
	__u32 rule;
	__u64 ring_full;
	__u64 rate_limited;
	int initial; /* accumulated while no reader was reporting */
};

int ug_lost_format(const struct ug_lost_report *lost, __u64 realtime_ns, enum ug_format format,
		   char *buf, size_t len);

/* What a source's budget held back since the last report (bpf/fairness.bpf.h). */
struct ug_held_back_report {
	__u64 source; /* UG_SOURCE_* */
	__u64 rate_limited;
	__u64 over_share;
	int initial;
};

int ug_held_back_format(const struct ug_held_back_report *held, __u64 realtime_ns,
			enum ug_format format, char *buf, size_t len);

/* @source as "user:UID" or "userns:INODE" ("unknown" for 0) into @out. */
const char *ug_source_string(__u64 source, char out[32]);

const char *ug_op_name(__u32 op);

/* A task's comm (any 16 bytes) as valid UTF-8: bytes 0x80-0xff become U+0080-U+00FF. */
void ug_comm_to_utf8(const char comm[16], char out[33]);

/* @arg of @command's --format: "json" or "text"; 0, or -1 after saying why. */
int ug_format_parse(const char *command, const char *arg, enum ug_format *format);

#endif
