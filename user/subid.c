// SPDX-License-Identifier: GPL-2.0-only
#include "subid.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "usernsguard.h"
#include "util.h"

/* Field @i (0-based) of a @sep-separated line, copied into @out; 0 or -1. */
static int field(const char *line, size_t len, char sep, int i, char *out, size_t outlen)
{
	const char *p = line, *end = line + len, *stop;

	for (; i > 0; i--) {
		p = memchr(p, sep, (size_t)(end - p));
		if (!p)
			return -1;
		p++;
	}
	stop = memchr(p, sep, (size_t)(end - p));
	if (!stop)
		stop = end;
	if ((size_t)(stop - p) >= outlen)
		return -1;
	memcpy(out, p, (size_t)(stop - p));
	out[stop - p] = '\0';
	return 0;
}

static size_t colons(const char *line, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += line[i] == ':';
	return n;
}

/* Decimal up to @max, digits only; 0 or -1. */
static int number(const char *s, __u64 max, __u64 *out)
{
	__u64 v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (__u64)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	void *bigger;

	if (n < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 16;
	bigger = realloc(*arr, *cap * size);
	if (!bigger)
		return -ENOMEM;
	*arr = bigger;
	return 0;
}

int ug_passwd_parse(const char *text, struct ug_account **out, size_t *n)
{
	struct ug_account *a = NULL;
	const char *line = text;
	size_t cap = 0;

	*n = 0;
	while (*line) {
		size_t len = strcspn(line, "\n");
		char uid[16], gid[16];
		struct ug_account acc;
		__u64 u, g;

		if (!field(line, len, ':', 0, acc.name, sizeof(acc.name)) && acc.name[0] &&
		    !field(line, len, ':', 2, uid, sizeof(uid)) &&
		    !field(line, len, ':', 3, gid, sizeof(gid)) &&
		    !number(uid, UG_INVALID_ID - 1, &u) && !number(gid, UG_INVALID_ID - 1, &g)) {
			if (grow((void **)&a, &cap, *n, sizeof(*a))) {
				free(a);
				return -ENOMEM;
			}
			acc.uid = (__u32)u;
			acc.gid = (__u32)g;
			a[(*n)++] = acc;
		}
		line += len + (line[len] == '\n');
	}
	*out = a;
	return 0;
}

const struct ug_account *ug_account_by_name(const struct ug_account *a, size_t n,
					    const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(a[i].name, name))
			return &a[i];
	return NULL;
}

const struct ug_account *ug_account_by_uid(const struct ug_account *a, size_t n, __u32 uid)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].uid == uid)
			return &a[i];
	return NULL;
}

int ug_subid_parse(const char *text, const struct ug_account *accounts, size_t n_accounts,
		   struct ug_subid **out, size_t *n, char *bad, size_t badlen, size_t *n_bad)
{
	struct ug_subid *v = NULL;
	const char *line = text;
	unsigned int lineno = 0;
	size_t cap = 0;

	*n = 0;
	*n_bad = 0;
	if (badlen)
		bad[0] = '\0';
	while (*line) {
		size_t len = strcspn(line, "\n");
		char start[24], count[24];
		struct ug_subid e = { .line = ++lineno };
		const struct ug_account *acc;
		__u64 id;

		if (!len || line[0] == '#')
			goto next;
		/* A count past 2^32 could not be allocated; start + count past 2^32 is reported. */
		if (field(line, len, ':', 0, e.owner, sizeof(e.owner)) || !e.owner[0] ||
		    field(line, len, ':', 1, start, sizeof(start)) ||
		    field(line, len, ':', 2, count, sizeof(count)) ||
		    colons(line, len) != 2 ||
		    number(start, UG_INVALID_ID, &e.start) || number(count, UG_INVALID_ID, &e.count) ||
		    !e.count) {
			if (!(*n_bad)++)
				ug_fmt(bad, badlen, "line %u: expected NAME:START:COUNT with a count of "
				       "1 to 4294967295", lineno);
			goto next;
		}
		acc = ug_account_by_name(accounts, n_accounts, e.owner);
		if (acc)
			e.uid = acc->uid;
		else if (!number(e.owner, UG_INVALID_ID - 1, &id))
			e.uid = (__u32)id;
		else
			e.uid = UG_INVALID_ID;
		if (grow((void **)&v, &cap, *n, sizeof(*v))) {
			free(v);
			return -ENOMEM;
		}
		v[(*n)++] = e;
next:
		line += len + (line[len] == '\n');
	}
	*out = v;
	return 0;
}
