// SPDX-License-Identifier: GPL-2.0-only
/*
 * The program table. Each program is needed for the rules it judges and
 * for the state other programs rely on (README "Programs in force"):
 *  - the name-change path hooks judge shift-marks and leave most-restrictive
 *    the hint of the view a check outside a path walk is made through;
 *  - cred_free keeps most-restrictive's memo honest (bpf/memo.bpf.h);
 *  - the taint programs keep overflow-transitions' exemptions to the
 *    exempt program's own code; task_alloc, which carries a taint to
 *    children, stays once attached (ug_prog_sticky);
 *  - inode_rename carries exec exemptions across package upgrades;
 *  - the cgroup tracepoints keep exemptions and scopes by path current:
 *    attached with any rule, since a cgroup made while they were away
 *    would be missed until the next load (cheap: mkdir and rmdir only);
 *  - file_ioctl judges shift-marks, and captures the overflow sysctls for
 *    overflow-ids auto during a load.
 */
#include "prog_needs.h"

#include <string.h>

struct ug_prog_need {
	const char *name;
	unsigned int needs;
	const char *role;
};

#define R0 UG_NEED_RULE0
#define R1 UG_NEED_RULE1
#define R2 UG_NEED_RULE2

static const struct ug_prog_need table[] = {
	{ "ug_task_fix_setuid", R0, "rule overflow-transitions" },
	{ "ug_task_fix_setgid", R0, "rule overflow-transitions" },
	{ "ug_task_fix_setgroups", R0, "rule overflow-transitions" },
	{ "ug_bprm_creds_from_file", R0, "rule overflow-transitions" },
	{ "ug_uid_map_write", R0, "rule overflow-transitions (reports map writes)" },
	{ "ug_gid_map_write", R0, "rule overflow-transitions (reports map writes)" },
	{ "ug_path_chown", R0 | R2, "rules overflow-transitions, shift-marks" },
	{ "ug_inode_permission", R1, "rule most-restrictive" },
	{ "ug_cred_free", R1, "rule most-restrictive (its memo)" },
	{ "ug_path_mknod", R1 | R2, "rule shift-marks; most-restrictive's view hint" },
	{ "ug_path_mkdir", R1 | R2, "rule shift-marks; most-restrictive's view hint" },
	{ "ug_path_rmdir", R1 | R2, "rule shift-marks; most-restrictive's view hint" },
	{ "ug_path_unlink", R1 | R2, "rule shift-marks; most-restrictive's view hint" },
	{ "ug_path_symlink", R1 | R2, "rule shift-marks; most-restrictive's view hint" },
	{ "ug_path_link", R1 | R2, "rule shift-marks; most-restrictive's view hint" },
	{ "ug_path_rename", R1 | R2, "rule shift-marks; most-restrictive's view hint" },
	{ "ug_move_mount", R2, "rule shift-marks" },
	{ "ug_file_open", R2, "rule shift-marks" },
	{ "ug_path_chmod", R2, "rule shift-marks" },
	{ "ug_path_truncate", R2, "rule shift-marks" },
	{ "ug_file_truncate", R2, "rule shift-marks" },
	{ "ug_file_ioctl", R2 | UG_NEED_CAPTURE,
	  "rule shift-marks (and overflow-ids auto's capture at load)" },
	{ "ug_inode_setxattr", R2, "rule shift-marks" },
	{ "ug_inode_removexattr", R2, "rule shift-marks" },
	{ "ug_inode_set_acl", R2, "rule shift-marks" },
	{ "ug_inode_remove_acl", R2, "rule shift-marks" },
	{ "ug_inode_setattr", R2, "rule shift-marks" },
	{ "ug_mmap_file", UG_NEED_EXEMPTING, "overflow-transitions exemptions: own code only" },
	{ "ug_file_mprotect", UG_NEED_EXEMPTING, "overflow-transitions exemptions: own code only" },
	{ "ug_ptrace_access_check", UG_NEED_EXEMPTING,
	  "overflow-transitions exemptions: own code only" },
	{ "ug_bprm_committing_creds", UG_NEED_EXEMPTING,
	  "overflow-transitions exemptions: own code only" },
	{ "ug_task_alloc", UG_NEED_EXEMPTING,
	  "overflow-transitions exemptions: own code only (stays once attached)" },
	{ "ug_inode_rename", UG_NEED_EXEC_FOLLOW, "exec exemptions across upgrades" },
	{ "ug_cgroup_mkdir", UG_NEED_ANY_RULE, "cgroup exemptions and scopes by path" },
	{ "ug_cgroup_rmdir", UG_NEED_ANY_RULE, "cgroup exemptions and scopes by path" },
};

static const struct ug_prog_need *find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

unsigned int ug_pinned_needs(const struct ug_policy *policy, bool exec_exemptions)
{
	unsigned int needs = 0, r;

	for (r = 0; r < UG_RULE_COUNT; r++)
		if (policy->rules[r].mode != UG_MODE_OFF)
			needs |= UG_NEED_RULE(r) | UG_NEED_ANY_RULE;
	/* As bpf/exempt_taint.bpf.h's ug_exempting_policy() reads it. */
	if ((needs & UG_NEED_RULE0) && policy->exemptions[UG_RULE_OVERFLOW_TRANSITIONS])
		needs |= UG_NEED_EXEMPTING;
	if (exec_exemptions)
		needs |= UG_NEED_EXEC_FOLLOW;
	return needs;
}

unsigned int ug_policy_needs(const struct ug_kernel_policy *kp, bool capture)
{
	bool exec = false;
	size_t i;

	for (i = 0; i < kp->n_exempt; i++)
		if (kp->keys[i].kind == UG_EXEMPT_EXEC && kp->keys[i].rule < UG_RULE_COUNT &&
		    kp->policy.rules[kp->keys[i].rule].mode != UG_MODE_OFF)
			exec = true;
	return ug_pinned_needs(&kp->policy, exec) | (capture ? UG_NEED_CAPTURE : 0);
}

bool ug_prog_needed(const char *name, unsigned int needs)
{
	const struct ug_prog_need *p = find(name);

	return !p || (p->needs & needs);
}

bool ug_prog_sticky(const char *name)
{
	return !strcmp(name, "ug_task_alloc");
}

const char *ug_prog_role(const char *name)
{
	const struct ug_prog_need *p = find(name);

	return p ? p->role : "unclassified: always attached";
}
