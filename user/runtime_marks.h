/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `usernsguard mark add|remove|list`: marks made at run time (issue 17),
 * beside the policy file's, in the pinned ug_runtime_marks.
 */
#ifndef UG_RUNTIME_MARKS_H
#define UG_RUNTIME_MARKS_H

#include <stdbool.h>

/* argv[0] is "mark". Returns an enum ug_exit code. */
int ug_mark_command(int argc, char **argv);

/*
 * mark add, for the OCI hook: argv[0] is "add", argv[1..] a mark line's
 * words after "mark"; @tag says who for. Root checked by the caller.
 */
int ug_runtime_mark_add(int argc, char **argv, const char *tag);
/*
 * Whether the file policy @kp's marks would nest with a runtime mark in
 * force (the same tree, or one inside the other): 0, or -EEXIST with the
 * reason printed. No runtime marks, or none pinned: 0.
 */
struct ug_kernel_policy;
int ug_runtime_marks_check(const struct ug_kernel_policy *kp, const char *source);

/*
 * mark remove DIR; @quiet: a DIR with no runtime mark is not an error;
 * @tag (or NULL): remove only a mark made with that tag.
 */
int ug_runtime_mark_remove(const char *dir, bool quiet, const char *tag);

#endif
