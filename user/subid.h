/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /etc/subuid and /etc/subgid (subuid(5)): which user is allocated which
 * subordinate ids, and the /etc/passwd lookups needed to name those users.
 * Pure text parsing; `usernsguard scan` reads the files.
 */
#ifndef UG_SUBID_H
#define UG_SUBID_H

#include <stddef.h>
#include <linux/types.h>

/* One "owner:start:count" line. */
struct ug_subid {
	char owner[64];   /* as written: a login name or a uid */
	__u32 uid;        /* the owner's uid, UG_INVALID_ID if the name is unknown */
	__u64 start;      /* start + count may pass 2^32: the lint reports that */
	__u64 count;
	unsigned int line;
};

/* One passwd entry, only what the scan needs. */
struct ug_account {
	char name[64];
	__u32 uid;
	__u32 gid;
};

/*
 * Parse passwd text. Lines that are not name:x:uid:gid:... are skipped:
 * the file is the system's, not ours to judge. 0 or -ENOMEM.
 */
int ug_passwd_parse(const char *text, struct ug_account **out, size_t *n);
const struct ug_account *ug_account_by_name(const struct ug_account *a, size_t n,
					    const char *name);
const struct ug_account *ug_account_by_uid(const struct ug_account *a, size_t n, __u32 uid);

/*
 * Parse subuid/subgid text, resolving owners through @accounts (a numeric
 * owner is a uid, as shadow's tools accept). Blank lines and '#' comments
 * are skipped. A malformed line is skipped too and described in @bad (its
 * first one), with *@n_bad counting them, so one typo does not hide the
 * rest of the file. 0 or -ENOMEM.
 */
int ug_subid_parse(const char *text, const struct ug_account *accounts, size_t n_accounts,
		   struct ug_subid **out, size_t *n, char *bad, size_t badlen, size_t *n_bad);

#endif
