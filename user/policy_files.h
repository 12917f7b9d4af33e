/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The files that make a policy: the policy file P, then its drop-ins, the
 * regular files of P's drop-in directory whose names end in ".conf" and
 * do not start with '.', in byte order (strcmp, not the locale's). The
 * drop-in directory of "x.conf" is "x.d", of any other P, "P.d"; a
 * missing one holds none. `check --as` puts a candidate in the place of
 * one of them. This finds them and reads them; policy.c parses them.
 */
#ifndef UG_POLICY_FILES_H
#define UG_POLICY_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

/* The policy file first, then its drop-ins (at most UG_POLICY_FILES_MAX in all). */
struct ug_file_list {
	char *path[UG_POLICY_FILES_MAX];
	size_t n;
	int candidate; /* ug_policy_files_as(): the candidate's index; -1: none */
};

/* The drop-in directory of policy file @path into @out: 0 or -ENAMETOOLONG. */
int ug_dropin_dir(const char *path, char *out, size_t len);

/*
 * @policy and its drop-ins. 0, or -errno with @err set: -E2BIG for more
 * than UG_POLICY_FILES_MAX files, -EINVAL for a drop-in that is not a
 * regular file; any other error is the directory's or an entry's that
 * could not be read.
 */
int ug_policy_files(const char *policy, struct ug_file_list *out, char *err, size_t errlen);

/*
 * The files `load` would merge with @candidate standing in for @target: a
 * policy file (then @candidate is first, and @target's drop-ins follow),
 * or a drop-in of one ("NAME.conf" in the drop-in directory of an
 * existing policy file; then @candidate takes its place among the others,
 * whether @target exists or not). -EDOM with @err set when @target is
 * neither; otherwise as ug_policy_files().
 */
int ug_policy_files_as(const char *target, const char *candidate, struct ug_file_list *out,
		       char *err, size_t errlen);

/* Each path made absolute, symlinks resolved, where realpath() can (load does). */
void ug_file_list_absolute(struct ug_file_list *list);

/*
 * Read every file of @list into @texts (@list->n of them, named as in
 * @list). 0, or -errno with @err naming the file ("cannot read policy").
 */
int ug_policy_files_read(const struct ug_file_list *list, struct ug_policy_text *texts,
			 char *err, size_t errlen);
void ug_policy_texts_free(struct ug_policy_text *texts, size_t n);

void ug_file_list_free(struct ug_file_list *list);

#endif
