/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef UG_JOURNAL_OUTPUT_H
#define UG_JOURNAL_OUTPUT_H

#include <stdbool.h>

#include "journal_fields.h"

/*
 * False in a build without libsystemd (make STATIC=1: Debian ships no
 * static libsystemd), where --output journal is refused up front.
 */
bool ug_journal_built_in(void);

/* Send @e to the journal: 0 or -errno. */
int ug_journal_send(const struct ug_journal_entry *e);

#endif
