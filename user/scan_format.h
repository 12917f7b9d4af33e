/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What `usernsguard scan` prints: the namespaces found, the marks each
 * could use, the problems and the notes, as text for people or as one
 * JSON object (schema in README "Idmap scan"). No I/O but @out.
 */
#ifndef UG_SCAN_FORMAT_H
#define UG_SCAN_FORMAT_H

#include <stdio.h>

#include "event_format.h"
#include "userns_scan.h"
#include "usernsguard.h"

enum ug_scan_policy_state {
	UG_SCAN_POLICY_SKIPPED,    /* --no-policy */
	UG_SCAN_POLICY_NOT_LOADED,
	UG_SCAN_POLICY_UNREADABLE, /* pinned, but not readable by this process */
	UG_SCAN_POLICY_LOADED,
};

/* A rule-3 mark of the policy in force. */
struct ug_scan_mark {
	__u32 shiftable_by; /* the root, or a pool's first */
	__u32 origin;
	__u32 range;
	bool ro;
	__u32 pool_size; /* 0: one root */
	__u32 block;
	__u32 line;     /* in the policy file; 0 for a runtime mark */
	bool runtime;   /* made by `usernsguard mark add` */
	char path[256]; /* from the policy file; empty if it no longer says */
};

struct ug_scan_policy {
	enum ug_scan_policy_state state;
	char source[UG_SOURCE_MAX];
	char error[128]; /* why UNREADABLE */
	struct ug_scan_mark *marks;
	size_t n_marks;
};

/* 0, or -ENOMEM / -EIO. */
int ug_scan_format(FILE *out, enum ug_format format, const struct ug_scan_data *data,
		   const struct ug_scan_report *report, const struct ug_scan_policy *policy);

#endif
