/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The directories above each mark (rule 3), so that a view rooted at one,
 * which would contain the marked tree, is refused under every
 * shift-default.
 */
#ifndef UG_MARK_ANCESTRY_H
#define UG_MARK_ANCESTRY_H

#include "resolve.h"

/*
 * Add the directories above mark @m, open at @fd, on its own
 * filesystem, to @out's ancestors, each once. 0, or -E2BIG past
 * UG_MAX_MARK_ANCESTORS, or -errno (@err set).
 */
int ug_mark_ancestry_add(struct ug_kernel_policy *out, int fd, const struct ug_mark_src *m,
			 char *err, size_t errlen);

#endif /* UG_MARK_ANCESTRY_H */
