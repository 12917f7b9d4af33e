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
/* mark remove DIR; @quiet: a DIR with no runtime mark is not an error. */
int ug_runtime_mark_remove(const char *dir, bool quiet);

#endif
