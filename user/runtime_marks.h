/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `usernsguard mark add|remove|list`: marks made at run time (issue 17),
 * beside the policy file's, in the pinned ug_runtime_marks.
 */
#ifndef UG_RUNTIME_MARKS_H
#define UG_RUNTIME_MARKS_H

/* argv[0] is "mark". Returns an enum ug_exit code. */
int ug_mark_command(int argc, char **argv);

#endif
