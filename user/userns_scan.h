/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The collector behind `usernsguard scan`: walk a /proc tree for the user
 * namespaces that are alive, and read the subordinate id files, into the
 * input of the lint (idmap_lint.h). What cannot be read becomes a note,
 * never a silent gap.
 */
#ifndef UG_USERNS_SCAN_H
#define UG_USERNS_SCAN_H

#include "idmap_lint.h"

struct ug_scan_sources {
	const char *proc;     /* /proc, or a fixture tree */
	const char *subid[2]; /* /etc/subuid, /etc/subgid */
	const char *passwd;   /* /etc/passwd: names in the subid files */
};

struct ug_scan_data {
	struct ug_scan_input in;
	struct ug_account *accounts;
	size_t n_accounts;
	char **notes; /* one line each: what could not be read, and what that means */
	size_t n_notes;
	bool complete; /* every process in the tree was inspected */
};

/* 0, or -errno if @src->proc cannot be listed (error printed). */
int ug_scan_collect(const struct ug_scan_sources *src, struct ug_scan_data *out);
void ug_scan_data_free(struct ug_scan_data *data);

#endif
