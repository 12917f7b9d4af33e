// SPDX-License-Identifier: GPL-2.0-only
/*
 * "mark PATH shiftable-by subids USER": the roots a runtime may pick are
 * the subordinate ids the administrator gave USER (podman's and the
 * kubelet's layout), read at load so that one file serves every host.
 */
#include "mark_pool.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "subid.h"
#include "util.h"

/* The one range of @user in the subid file at @path; -errno, @err set. */
static int user_range(const char *path, const char *user, const struct ug_account *accounts,
		      size_t n_accounts, const char *where, __u64 *start, __u64 *count,
		      char *err, size_t errlen)
{
	struct ug_subid *ids = NULL;
	size_t n = 0, n_bad = 0, i, found = 0;
	char bad[128] = "";
	char *text;
	size_t len;
	int ret;

	ret = ug_read_file(path, 4 << 20, &text, &len);
	if (ret) {
		ug_fmt(err, errlen, "%s: %s: %s", where, path, strerror(-ret));
		return ret;
	}
	ret = ug_subid_parse(text, accounts, n_accounts, &ids, &n, bad, sizeof(bad), &n_bad);
	free(text);
	if (ret) {
		ug_fmt(err, errlen, "%s: %s: %s", where, path, strerror(-ret));
		return ret;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(ids[i].owner, user))
			continue;
		if (!found) {
			*start = ids[i].start;
			*count = ids[i].count;
		}
		found++;
	}
	free(ids);
	if (!found) {
		ug_fmt(err, errlen, "%s: user '%s' has no range in %s", where, user, path);
		return -ENOENT;
	}
	if (found > 1) {
		ug_fmt(err, errlen, "%s: user '%s' has %zu ranges in %s: a pool is one range; "
		       "name it with 'pool FIRST COUNT'", where, user, found, path);
		return -E2BIG;
	}
	return 0;
}

int ug_mark_pool_resolve(const struct ug_system *sys, const struct ug_mark_src *m, __u32 *first,
			 __u32 *size, char *err, size_t errlen)
{
	const char *subuid = sys->subuid ? sys->subuid : "/etc/subuid";
	const char *subgid = sys->subgid ? sys->subgid : "/etc/subgid";
	struct ug_account *accounts = NULL;
	__u64 ustart = 0, ucount = 0, gstart = 0, gcount = 0;
	size_t n_accounts = 0, len;
	char where[PATH_MAX + 64];
	char *text = NULL;
	int ret;

	ug_fmt(where, sizeof(where), "%s:%u:%u: mark '%s'", m->where.file, m->where.line,
	       m->where.col, m->path);
	/* A missing passwd leaves only numeric owners: not an error here. */
	if (!ug_read_file(sys->passwd, 16 << 20, &text, &len)) {
		ret = ug_passwd_parse(text, &accounts, &n_accounts);
		free(text);
		if (ret) {
			ug_fmt(err, errlen, "%s: %s", where, strerror(-ret));
			return ret;
		}
	}
	ret = user_range(subuid, m->pool_user, accounts, n_accounts, where, &ustart, &ucount, err,
			 errlen);
	if (!ret)
		ret = user_range(subgid, m->pool_user, accounts, n_accounts, where, &gstart,
				 &gcount, err, errlen);
	free(accounts);
	if (ret)
		return ret;
	if (ustart != gstart || ucount != gcount) {
		ug_fmt(err, errlen, "%s: user '%s' has uids %llu+%llu but gids %llu+%llu: a pool "
		       "needs the same range in %s and %s", where, m->pool_user,
		       (unsigned long long)ustart, (unsigned long long)ucount,
		       (unsigned long long)gstart, (unsigned long long)gcount, subuid, subgid);
		return -EINVAL;
	}
	if (ucount < m->range || ustart + ucount - 1 > 4294967294ULL) {
		ug_fmt(err, errlen, "%s: user '%s''s range %llu+%llu %s", where, m->pool_user,
		       (unsigned long long)ustart, (unsigned long long)ucount,
		       ucount < m->range ? "holds no root with the mark's range" :
					   "passes 4294967294");
		return -EINVAL;
	}
	*first = (__u32)ustart;
	*size = (__u32)ucount;
	return 0;
}
