/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which programs a policy needs attached (issue 19): a hook with no
 * program costs nothing (6.12+: static calls), so a rule that is off must
 * leave its hooks empty. Pure: the table and the policy's needs, unit-tested.
 */
#ifndef UG_PROG_NEEDS_H
#define UG_PROG_NEEDS_H

#include <stdbool.h>

#include "resolve.h"

/* What a policy may need; a program is needed when any of its bits is. */
enum ug_need {
	UG_NEED_RULE0 = 1 << 0, /* judges overflow-transitions */
	UG_NEED_RULE1 = 1 << 1, /* judges most-restrictive */
	UG_NEED_RULE2 = 1 << 2, /* judges shift-marks */
	UG_NEED_EXEMPTING = 1 << 3,   /* overflow-transitions on, with exemptions */
	UG_NEED_EXEC_FOLLOW = 1 << 4, /* an exec exemption of a rule that is on */
	UG_NEED_ANY_RULE = 1 << 5,    /* some rule on */
	UG_NEED_CAPTURE = 1 << 6,     /* during load only: overflow-ids auto is captured */
};

#define UG_NEED_RULE(r) (1u << (r))

/* The needs of @kp; @capture adds UG_NEED_CAPTURE (load, before the capture). */
unsigned int ug_policy_needs(const struct ug_kernel_policy *kp, bool capture);

/* The needs of a policy in force as the pinned ug_policy shows it (status). */
unsigned int ug_pinned_needs(const struct ug_policy *policy, bool exec_exemptions);

/*
 * Whether program @name is needed under @needs. A program the table does
 * not know is always needed: a new program is attached until it is
 * classified, never silently left out.
 */
bool ug_prog_needed(const char *name, unsigned int needs);

/*
 * Whether @name stays attached once attached (until unload): task_alloc
 * carries a taint to children, and a child made while it was detached
 * would escape the taint its parent had.
 */
bool ug_prog_sticky(const char *name);

/* What @name is attached for, for status ("rule shift-marks; ..."). */
const char *ug_prog_role(const char *name);

#endif
