// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: the policy parser must accept or reject, never crash
 * or leak, one file or a file and a drop-in.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

/* A where names one of the policy's own files. */
static void check_where(const struct ug_policy_src *policy, const struct ug_where *w)
{
	for (size_t f = 0; f < policy->n_files; f++)
		if (w->file == policy->files[f].path)
			return;
	abort();
}

static void parse(const struct ug_policy_text *files, size_t n)
{
	struct ug_policy_src policy;
	char err[UG_ERR_MAX];
	int ret;

	ret = ug_policy_parse_files(files, n, &policy, err, sizeof(err));
	if (ret && ret != -EINVAL && ret != -ENOMEM)
		abort();
	if (!ret) {
		/* Whatever was accepted is internally consistent. */
		if (policy.n_files != n)
			abort();
		for (size_t i = 0; i < policy.n_exempt; i++) {
			if (policy.exempt[i].rule >= UG_RULE_COUNT ||
			    (policy.exempt[i].kind != UG_SCOPE_OWNER && !policy.exempt[i].path))
				abort();
			check_where(&policy, &policy.exempt[i].where);
		}
		for (size_t i = 0; i < policy.n_marks; i++) {
			if (!policy.marks[i].path || !policy.marks[i].range)
				abort();
			check_where(&policy, &policy.marks[i].where);
		}
		ug_policy_free(&policy);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *cut = memchr(text + size / 2, '\n', size - size / 2);
	size_t first = cut ? (size_t)(cut - text) + 1 : size;
	const struct ug_policy_text one = { "fuzz.conf", text, size };
	/* The same bytes as a file and a drop-in: the parser's state across files. */
	const struct ug_policy_text two[] = {
		{ "fuzz.conf", text, first },
		{ "fuzz.d/10.conf", text + first, size - first },
	};

	parse(&one, 1);
	parse(two, 2);
	return 0;
}
