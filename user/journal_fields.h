/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One event as one native journal entry (events --output journal): a
 * stable MESSAGE_ID per rule and verdict, a PRIORITY, the text line as a
 * one-line MESSAGE, and every field of the event's ECS JSON line as
 * USERNSGUARD_<PATH>. Pure: builds the iovecs, sends nothing (the sending
 * is journal_output.c), unit-tested.
 */
#ifndef UG_JOURNAL_FIELDS_H
#define UG_JOURNAL_FIELDS_H

#include <stddef.h>
#include <sys/uio.h>
#include <linux/types.h>

#include "usernsguard.h"

#define UG_JOURNAL_MAX_FIELDS 96

/* What kind of entry: MESSAGE_ID and PRIORITY follow from it. */
struct ug_journal_kind {
	unsigned char id_byte; /* the MESSAGE_ID's last byte: rule << 4 | verdict */
	int priority;          /* syslog(3) level */
};

struct ug_journal_kind ug_journal_event_kind(enum ug_rule rule, enum ug_verdict verdict);
struct ug_journal_kind ug_journal_lost_kind(void);
struct ug_journal_kind ug_journal_held_back_kind(void);

struct ug_journal_entry {
	struct iovec iov[UG_JOURNAL_MAX_FIELDS];
	size_t n;
	size_t used;
	char buf[16384]; /* the fields' text; iov points here */
};

/*
 * Build @e from @json (the ECS line) and @text (the text line, whose
 * leading timestamp is dropped: the journal has its own). Returns 0, or
 * -EINVAL when @json does not parse, -ENOSPC when it does not fit.
 */
int ug_journal_entry_build(struct ug_journal_entry *e, struct ug_journal_kind kind,
			   const char *json, const char *text);

/* The MESSAGE_ID of @kind, 32 lowercase hex digits. */
void ug_journal_message_id(struct ug_journal_kind kind, char out[33]);

#endif
