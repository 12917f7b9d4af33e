/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef UG_EVENTS_H
#define UG_EVENTS_H

#include <stdbool.h>

#include "event_format.h"

enum ug_output {
	UG_OUTPUT_STDOUT,
	UG_OUTPUT_JOURNAL, /* native entries: journal_fields.c */
};

struct ug_events_opts {
	bool follow;           /* keep reading until SIGINT or SIGTERM */
	bool wait;             /* with follow: wait for a load instead of exiting */
	enum ug_format format; /* stdout only */
	enum ug_output output;
};

/* The lock one reader holds: a second would take half of each batch. */
#define UG_EVENTS_LOCK_FILE "/run/usernsguard-events.lock"

/*
 * Print the events waiting in the pinned ring buffer, then every lost
 * count; with follow, keep reading. Returns an enum ug_exit code.
 */
int ug_events(const struct ug_events_opts *opts);

#endif
