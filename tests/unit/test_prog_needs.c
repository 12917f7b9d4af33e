// SPDX-License-Identifier: GPL-2.0-only
/* Which programs a policy needs: per rule, exemptions, capture, unknown programs. */
#include <criterion/criterion.h>
#include <string.h>

#include "prog_needs.h"

static struct ug_kernel_policy kp;

static void rules(int r0, int r1, int r2)
{
	memset(&kp, 0, sizeof(kp));
	kp.policy.rules[0].mode = r0 ? UG_MODE_ENFORCE : UG_MODE_OFF;
	kp.policy.rules[1].mode = r1 ? UG_MODE_AUDIT : UG_MODE_OFF;
	kp.policy.rules[2].mode = r2 ? UG_MODE_ENFORCE : UG_MODE_OFF;
}

Test(prog_needs, rule_one_only)
{
	unsigned int n;

	rules(1, 0, 0);
	n = ug_policy_needs(&kp, false);
	cr_assert(ug_prog_needed("ug_task_fix_setuid", n));
	cr_assert(ug_prog_needed("ug_path_chown", n));
	cr_assert(ug_prog_needed("ug_cgroup_mkdir", n));
	cr_assert_not(ug_prog_needed("ug_inode_permission", n));
	cr_assert_not(ug_prog_needed("ug_file_open", n));
	cr_assert_not(ug_prog_needed("ug_path_mkdir", n));
	cr_assert_not(ug_prog_needed("ug_cred_free", n));
	cr_assert_not(ug_prog_needed("ug_mmap_file", n), "no exemptions: no taint");
	cr_assert_not(ug_prog_needed("ug_file_ioctl", n));
	cr_assert(ug_prog_needed("ug_file_ioctl", ug_policy_needs(&kp, true)), "the capture");
}

Test(prog_needs, rule_two_needs_the_hint_hooks_and_cred_free)
{
	unsigned int n;

	rules(0, 1, 0);
	n = ug_policy_needs(&kp, false);
	cr_assert(ug_prog_needed("ug_inode_permission", n));
	cr_assert(ug_prog_needed("ug_cred_free", n));
	cr_assert(ug_prog_needed("ug_path_rename", n));
	cr_assert_not(ug_prog_needed("ug_file_open", n));
	cr_assert_not(ug_prog_needed("ug_task_fix_setuid", n));
}

Test(prog_needs, rule_three)
{
	unsigned int n;

	rules(0, 0, 1);
	n = ug_policy_needs(&kp, false);
	cr_assert(ug_prog_needed("ug_file_open", n));
	cr_assert(ug_prog_needed("ug_inode_setxattr", n));
	cr_assert(ug_prog_needed("ug_path_chown", n));
	cr_assert(ug_prog_needed("ug_file_ioctl", n));
	cr_assert_not(ug_prog_needed("ug_inode_permission", n));
}

Test(prog_needs, all_off_needs_nothing_known)
{
	rules(0, 0, 0);
	cr_assert_eq(ug_policy_needs(&kp, false), 0);
	cr_assert_not(ug_prog_needed("ug_cgroup_rmdir", 0));
	cr_assert(ug_prog_needed("ug_some_new_program", 0), "unclassified: attached");
}

Test(prog_needs, exemptions)
{
	struct ug_exempt_key key = { .rule = UG_RULE_OVERFLOW_TRANSITIONS, .kind = UG_EXEMPT_EXEC };
	unsigned int n;

	rules(1, 0, 0);
	kp.policy.exemptions[0] = 1;
	kp.keys = &key;
	kp.n_exempt = 1;
	n = ug_policy_needs(&kp, false);
	cr_assert(ug_prog_needed("ug_mmap_file", n));
	cr_assert(ug_prog_needed("ug_task_alloc", n));
	cr_assert(ug_prog_needed("ug_inode_rename", n));
	/* The same exemption of a rule that is off needs nothing. */
	rules(0, 1, 0);
	key.rule = UG_RULE_OVERFLOW_TRANSITIONS;
	kp.policy.exemptions[0] = 1;
	kp.keys = &key;
	kp.n_exempt = 1;
	n = ug_policy_needs(&kp, false);
	cr_assert_not(ug_prog_needed("ug_mmap_file", n));
	cr_assert_not(ug_prog_needed("ug_inode_rename", n));
	cr_assert(ug_prog_sticky("ug_task_alloc"));
	cr_assert_not(ug_prog_sticky("ug_mmap_file"));
}
