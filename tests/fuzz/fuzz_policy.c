// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer harness: the policy parser must accept or reject, never crash or leak. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ug_policy_src policy;
	char err[UG_ERR_MAX];
	int ret;

	ret = ug_policy_parse("fuzz.conf", (const char *)data, size, &policy, err, sizeof(err));
	if (ret && ret != -EINVAL && ret != -ENOMEM)
		abort();
	if (!ret) {
		/* Whatever was accepted is internally consistent. */
		for (size_t i = 0; i < policy.n_exempt; i++)
			if (policy.exempt[i].rule >= UG_RULE_COUNT ||
			    (policy.exempt[i].kind != UG_SCOPE_OWNER && !policy.exempt[i].path))
				abort();
		for (size_t i = 0; i < policy.n_marks; i++)
			if (!policy.marks[i].path || !policy.marks[i].range)
				abort();
		ug_policy_free(&policy);
	}
	return 0;
}
