/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pool marks whose roots are a user's subordinate ids ("shiftable-by
 * subids USER"): resolved at load from /etc/subuid and /etc/subgid.
 */
#ifndef UG_MARK_POOL_H
#define UG_MARK_POOL_H

#include <stddef.h>
#include <linux/types.h>

#include "policy.h"
#include "resolve.h"

/*
 * The pool of @m's user: its one range in the subuid file, which the
 * subgid file must give it too (a root is one id for uids and gids).
 * 0, or -errno with @err naming the policy line.
 */
int ug_mark_pool_resolve(const struct ug_system *sys, const struct ug_mark_src *m, __u32 *first,
			 __u32 *size, char *err, size_t errlen);

#endif
