/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The policy file: parsed into ug_policy_src (what the file says, with line
 * numbers), then resolved against the running system into the kernel form.
 * The grammar is documented in usernsguard.conf(5).
 */
#ifndef UG_POLICY_H
#define UG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "usernsguard.h"

#define UG_POLICY_MAX_BYTES (1u << 20)
#define UG_POLICY_MAX_LINE 4096
#define UG_ERR_MAX 512

/* Where a directive came from, for messages. */
struct ug_where {
	unsigned int line;
	unsigned int col;
};

struct ug_rule_src {
	bool named;       /* the file has a `rule` line for it */
	bool enabled;
	int mode;         /* enum ug_mode, or -1: the global mode */
	int on_deny;      /* enum ug_on_deny, or -1: the default */
	__u32 rate_limit; /* events per second per source, 0: no limit */
	struct ug_where where;
};

/* An `exempt` or `scope` line: which tasks a rule skips or covers. */
struct ug_exempt_src {
	enum ug_rule rule;
	enum ug_match_kind kind;
	char *path;            /* exec and cgroup kinds */
	__u32 id;              /* UG_SCOPE_OWNER */
	struct ug_where where; /* of the path or id word */
};

/* A `mark` line (rule 3). */
struct ug_mark_src {
	char *path;
	__u32 shiftable_by; /* the root, or a pool's first id */
	__u32 origin;
	__u32 range;
	bool ro;
	/* A pool of roots: shiftable_by + k*block, k*block + range <= pool_size. */
	bool pool;
	__u32 pool_size;
	__u32 block;
	char *pool_user; /* "subids USER": the pool is resolved at load */
	struct ug_where where; /* of the path word */
};

struct ug_policy_src {
	char *name; /* file name used in messages */
	enum ug_mode mode;
	struct ug_where mode_where;
	bool overflow_auto;
	__u32 overflow_uid;
	__u32 overflow_gid;
	struct ug_where overflow_where;
	struct ug_rule_src rules[UG_RULE_COUNT];
	struct ug_exempt_src *exempt;
	size_t n_exempt;
	struct ug_mark_src *marks;
	size_t n_marks;
	bool shift_default_allow;
	struct ug_where shift_default_where;
	__u8 sha256[32];
};

/* Parse @text (of @len bytes) named @name. 0, or -EINVAL with @err set. */
int ug_policy_parse(const char *name, const char *text, size_t len, struct ug_policy_src *out,
		    char *err, size_t errlen);
void ug_policy_free(struct ug_policy_src *policy);

const char *ug_rule_name(enum ug_rule rule);
const char *ug_mode_name(enum ug_mode mode);

/* The mode a rule runs in: off, or its own mode, or the global mode. */
enum ug_mode ug_rule_mode(const struct ug_policy_src *policy, enum ug_rule rule);
enum ug_on_deny ug_rule_on_deny(const struct ug_policy_src *policy, enum ug_rule rule);

#endif
