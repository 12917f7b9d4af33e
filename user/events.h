/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef UG_EVENTS_H
#define UG_EVENTS_H

#include <stdbool.h>

#include "event_format.h"

/*
 * Print the events waiting in the pinned ring buffer, then every lost
 * count; with @follow, keep reading until SIGINT or SIGTERM. Returns an
 * enum ug_exit code.
 */
int ug_events(bool follow, enum ug_format format);

#endif
