/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef UG_SELFCHECK_H
#define UG_SELFCHECK_H

#include <stddef.h>

/*
 * With a policy in force, check that a host task is left alone. 0 when
 * it is; 1 when the policy judged it or one of its steps failed, < 0 when
 * the check could not run; @why says which in both cases.
 */
int ug_selfcheck(const char *policy_path, char *why, size_t len);

#endif /* UG_SELFCHECK_H */
