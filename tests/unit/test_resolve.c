// SPDX-License-Identifier: GPL-2.0-only
/* Resolving a parsed policy against a (fake) system. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "policy.h"
#include "resolve.h"
#include "util.h"

static char dir[] = "/tmp/ug-resolve-XXXXXX";
static char uid_file[128], gid_file[128];
static struct ug_system sys;
static struct ug_policy_src src;
static struct ug_kernel_policy kp;
static char err[UG_ERR_MAX];

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(uid_file, sizeof(uid_file), "%s/overflowuid", dir);
	snprintf(gid_file, sizeof(gid_file), "%s/overflowgid", dir);
	put(uid_file, "65534\n");
	put(gid_file, "65533\n");
	sys = (struct ug_system){ .overflowuid = uid_file, .overflowgid = gid_file,
				  .cgroup_root = dir, .passwd = "/dev/null", .group = "/dev/null" };
}

static void teardown(void)
{
	char cmd[256];

	ug_kernel_policy_free(&kp);
	ug_policy_free(&src);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(resolve, .init = setup, .fini = teardown);

static int resolve(const char *text)
{
	cr_assert_eq(ug_policy_parse("p.conf", text, strlen(text), &src, err, sizeof(err)), 0,
		     "%s", err);
	return ug_policy_resolve(&src, &sys, &kp, err, sizeof(err));
}

Test(resolve, overflow_ids_auto_reads_sysctl)
{
	cr_assert_eq(resolve("rule overflow-transitions on\n"), 0, "%s", err);
	cr_assert_eq(kp.policy.overflow_uid, 65534);
	cr_assert_eq(kp.policy.overflow_gid, 65533);
	cr_assert_eq(kp.policy.rules[UG_RULE_OVERFLOW_TRANSITIONS].mode, UG_MODE_ENFORCE);
	cr_assert_eq(kp.policy.rules[UG_RULE_OVERFLOW_TRANSITIONS].on_deny, UG_ON_DENY_KILL);
	cr_assert_eq(kp.policy.rules[UG_RULE_MOST_RESTRICTIVE].mode, UG_MODE_OFF);
}

Test(resolve, overflow_ids_auto_with_garbage_sysctl)
{
	put(uid_file, "nobody\n");
	cr_assert_eq(resolve(""), -EINVAL);
	cr_assert(strstr(err, "holds 'nobody', not an id"), "%s", err);
}

Test(resolve, overflow_ids_explicit_ignores_sysctl)
{
	unlink(uid_file);
	cr_assert_eq(resolve("overflow-ids uid 7 gid 8\n"), 0, "%s", err);
	cr_assert_eq(kp.policy.overflow_uid, 7);
	cr_assert_eq(kp.policy.overflow_gid, 8);
}

Test(resolve, exec_exemption_is_device_and_inode)
{
	char text[512], exe[160];
	struct stat st;

	snprintf(exe, sizeof(exe), "%s/daemon", dir);
	put(exe, "#!/bin/sh\n");
	cr_assert_eq(stat(exe, &st), 0);
	snprintf(text, sizeof(text), "exempt overflow-transitions exec %s\n", exe);
	cr_assert_eq(resolve(text), 0, "%s", err);
	cr_assert_eq(kp.n_exempt, 1);
	cr_assert_eq(kp.keys[0].kind, UG_EXEMPT_EXEC);
	cr_assert_eq(kp.keys[0].id, st.st_ino);
	cr_assert_eq(kp.keys[0].dev, ((__u64)major(st.st_dev) << 20) | minor(st.st_dev));
	cr_assert_eq(kp.values[0].policy_line, 1);
	cr_assert_eq(kp.policy.exemptions[UG_RULE_OVERFLOW_TRANSITIONS], 1);
}

Test(resolve, two_paths_to_one_file_are_one_exemption)
{
	char text[512], exe[160], link[160];

	snprintf(exe, sizeof(exe), "%s/daemon", dir);
	snprintf(link, sizeof(link), "%s/alias", dir);
	put(exe, "x");
	cr_assert_eq(symlink(exe, link), 0);
	snprintf(text, sizeof(text),
		 "exempt overflow-transitions exec %s\nexempt overflow-transitions exec %s\n", exe,
		 link);
	cr_assert_eq(resolve(text), 0, "%s", err);
	cr_assert_eq(kp.n_exempt, 1);
}

Test(resolve, missing_exec_names_file_line_column)
{
	cr_assert_eq(resolve("\nexempt overflow-transitions exec /nonexistent/daemon\n"), -ENOENT);
	cr_assert_str_eq(err, "p.conf:2:34: exec '/nonexistent/daemon': No such file or directory");
}

Test(resolve, exec_must_be_a_regular_file)
{
	cr_assert_eq(resolve("exempt overflow-transitions exec /tmp\n"), -EINVAL);
	cr_assert_str_eq(err, "p.conf:1:34: exec '/tmp' is not a regular file");
}

Test(resolve, cgroup_needs_cgroup2)
{
	cr_assert_eq(resolve("exempt overflow-transitions cgroup /system.slice\n"), -ENOTDIR);
	cr_assert(strstr(err, "p.conf:1:36: cgroup '/system.slice': ") && strstr(err, "is not a cgroup2 mount"),
		  "%s", err);
}

Test(resolve, kernel_dev_encoding)
{
	/* loop0: 7:0 is st_dev 1792, s_dev 7340032 */
	cr_assert_eq(ug_kernel_dev(makedev(7, 0)), 7340032);
	cr_assert_eq(ug_kernel_dev(makedev(259, 3)), (259ULL << 20) | 3);
}

Test(resolve, scope_owner_counts_as_scope_not_exemption)
{
	cr_assert_eq(resolve("rule most-restrictive on\nscope most-restrictive owner 1000\n"), 0,
		     "%s", err);
	cr_assert_eq(kp.n_exempt, 1);
	cr_assert_eq(kp.keys[0].kind, UG_SCOPE_OWNER);
	cr_assert_eq(kp.keys[0].id, 1000);
	cr_assert_eq(kp.policy.scoped[UG_RULE_MOST_RESTRICTIVE], 1);
	cr_assert_eq(kp.policy.exemptions[UG_RULE_MOST_RESTRICTIVE], 0);
	cr_assert_eq(kp.policy.rules[UG_RULE_MOST_RESTRICTIVE].mode, UG_MODE_ENFORCE);
}

Test(resolve, marks_resolve_to_directory_identity)
{
	char text[512], tree[160];
	struct stat st;

	snprintf(tree, sizeof(tree), "%s/group1", dir);
	cr_assert_eq(mkdir(tree, 0755), 0);
	cr_assert_eq(stat(tree, &st), 0);
	snprintf(text, sizeof(text), "rule shift-marks on\nmark %s shiftable-by 200000 origin 100000 ro\n",
		 tree);
	cr_assert_eq(resolve(text), 0, "%s", err);
	cr_assert_eq(kp.n_marks, 1);
	cr_assert_eq(kp.policy.n_marks, 1);
	cr_assert_eq(kp.mark_keys[0].ino, st.st_ino);
	cr_assert_eq(kp.mark_keys[0].dev, ((__u64)major(st.st_dev) << 20) | minor(st.st_dev));
	cr_assert_eq(kp.marks[0].shiftable_by, 200000);
	cr_assert_eq(kp.marks[0].origin, 100000);
	cr_assert_eq(kp.marks[0].range, 65536);
	cr_assert_eq(kp.marks[0].flags, UG_MARK_RO);
	cr_assert_eq(kp.marks[0].policy_line, 2);
}

static bool has_ancestor(const struct stat *st)
{
	for (size_t i = 0; i < kp.n_ancestors; i++)
		if (kp.ancestor_keys[i].ino == st->st_ino &&
		    kp.ancestor_keys[i].dev == (((__u64)major(st->st_dev) << 20) | minor(st->st_dev)))
			return true;
	return false;
}

/* The directories above marks, each once, up to the filesystem's root; never a mark itself. */
Test(resolve, directories_above_marks_are_recorded_once)
{
	char text[1024], a[160], b[160], c[160];
	struct stat sdir, sa, sb, sc, root;
	size_t n;

	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/a/b", dir);
	snprintf(c, sizeof(c), "%s/a/c", dir);
	cr_assert_eq(mkdir(a, 0755) | mkdir(b, 0755) | mkdir(c, 0755), 0);
	cr_assert_eq(stat(dir, &sdir) | stat(a, &sa) | stat(b, &sb) | stat(c, &sc), 0);
	snprintf(text, sizeof(text), "rule shift-marks on\nmark %s shiftable-by 200000\n", b);
	cr_assert_eq(resolve(text), 0, "%s", err);
	cr_assert(has_ancestor(&sa) && has_ancestor(&sdir), "%zu ancestors", kp.n_ancestors);
	cr_assert(!has_ancestor(&sb) && !has_ancestor(&sc));
	cr_assert_eq(kp.ancestor_lines[0], 2);
	n = kp.n_ancestors;
	ug_kernel_policy_free(&kp);
	ug_policy_free(&src);

	/* A sibling mark shares every ancestor: none is stored twice. */
	snprintf(text, sizeof(text), "rule shift-marks on\nmark %s shiftable-by 200000\n"
		 "mark %s shiftable-by 300000\n", b, c);
	cr_assert_eq(resolve(text), 0, "%s", err);
	cr_assert_eq(kp.n_ancestors, n);
	cr_assert(!has_ancestor(&sb) && !has_ancestor(&sc));
	/* The walk ends at its mount's root (for "/" that is the filesystem's). */
	cr_assert_eq(stat("/", &root), 0);
	if (root.st_dev == sdir.st_dev)
		cr_assert(has_ancestor(&root));
}

Test(resolve, two_marks_on_one_tree_conflict)
{
	char text[512], tree[160], again[160];

	snprintf(tree, sizeof(tree), "%s/group1", dir);
	snprintf(again, sizeof(again), "%s/group1/.", dir);
	cr_assert_eq(mkdir(tree, 0755), 0);
	snprintf(text, sizeof(text),
		 "mark %s shiftable-by 200000\nmark %s shiftable-by 300000\n", tree, again);
	cr_assert_eq(resolve(text), -EEXIST);
	cr_assert(strstr(err, "p.conf:2:6: mark '") && strstr(err, "names the same tree as line 1"),
		  "%s", err);
}

/* A tenant that swaps a directory of the path for a symlink steers nothing. */
Test(resolve, mark_path_with_a_symlink_is_refused)
{
	char text[512], tree[160], alias[160], via[200];

	snprintf(tree, sizeof(tree), "%s/group1", dir);
	snprintf(alias, sizeof(alias), "%s/alias", dir);
	snprintf(via, sizeof(via), "%s/link-dir/group1", dir);
	cr_assert_eq(mkdir(tree, 0755), 0);
	cr_assert_eq(symlink(tree, alias), 0);
	snprintf(text, sizeof(text), "mark %s shiftable-by 200000\n", alias);
	cr_assert_eq(resolve(text), -ELOOP);
	cr_assert(strstr(err, "p.conf:1:6: mark '") &&
		  strstr(err, "/alias': a symlink in the path (marks are resolved without following "
			      "symlinks: name the directory itself)"), "%s", err);
	ug_kernel_policy_free(&kp);
	ug_policy_free(&src);
	/* A symlink higher up the path counts too. */
	snprintf(alias, sizeof(alias), "%s/link-dir", dir);
	cr_assert_eq(symlink(dir, alias), 0);
	snprintf(text, sizeof(text), "mark %s shiftable-by 200000\n", via);
	cr_assert_eq(resolve(text), -ELOOP, "%s", err);
	ug_kernel_policy_free(&kp);
	ug_policy_free(&src);
	/* Twin: the directory itself. */
	snprintf(text, sizeof(text), "mark %s shiftable-by 200000\n", tree);
	cr_assert_eq(resolve(text), 0, "%s", err);
}

Test(resolve, mark_inside_another_mark_is_refused)
{
	char text[768], outer[160], inner[200], sibling[160];

	snprintf(outer, sizeof(outer), "%s/tenants", dir);
	snprintf(inner, sizeof(inner), "%s/tenants/a/deep", dir);
	snprintf(sibling, sizeof(sibling), "%s/other", dir);
	cr_assert_eq(mkdir(outer, 0755), 0);
	snprintf(text, sizeof(text), "%s/tenants/a", dir);
	cr_assert_eq(mkdir(text, 0755), 0);
	cr_assert_eq(mkdir(inner, 0755), 0);
	cr_assert_eq(mkdir(sibling, 0755), 0);
	/* Inner first or outer first: refused either way, naming both lines. */
	snprintf(text, sizeof(text), "mark %s shiftable-by 200000\nmark %s shiftable-by 300000\n",
		 outer, inner);
	cr_assert_eq(resolve(text), -EINVAL);
	cr_assert(strstr(err, "p.conf:2:6: mark '") && strstr(err, "/tenants/a/deep' is inside the mark '") &&
		  strstr(err, "/tenants' of line 1: the outer tree's tenant would reach into it"),
		  "%s", err);
	ug_kernel_policy_free(&kp);
	ug_policy_free(&src);
	snprintf(text, sizeof(text), "mark %s shiftable-by 300000\nmark %s shiftable-by 200000\n",
		 inner, outer);
	cr_assert_eq(resolve(text), -EINVAL);
	cr_assert(strstr(err, "p.conf:1:6: mark '") && strstr(err, "of line 2"), "%s", err);
	ug_kernel_policy_free(&kp);
	ug_policy_free(&src);
	/* Twin: disjoint trees side by side. */
	snprintf(text, sizeof(text), "mark %s shiftable-by 200000\nmark %s shiftable-by 300000\n",
		 outer, sibling);
	cr_assert_eq(resolve(text), 0, "%s", err);
	cr_assert_eq(kp.n_marks, 2);
}

Test(resolve, mark_must_be_an_existing_directory)
{
	cr_assert_eq(resolve("mark /nonexistent/tree shiftable-by 1\n"), -ENOENT);
	cr_assert_str_eq(err, "p.conf:1:6: mark '/nonexistent/tree': No such file or directory");
	ug_kernel_policy_free(&kp);
	ug_policy_free(&src);
	cr_assert_eq(resolve("mark /dev/null shiftable-by 1\n"), -ENOTDIR);
	cr_assert_str_eq(err, "p.conf:1:6: mark '/dev/null' is not a directory");
}


/* "shiftable-by subids USER": the user's one range, the same for gids. */
Test(resolve, pool_of_a_users_subids)
{
	char text[512], tree[160], passwd[160], subuid[160], subgid[160];

	snprintf(tree, sizeof(tree), "%s/images", dir);
	snprintf(passwd, sizeof(passwd), "%s/passwd", dir);
	snprintf(subuid, sizeof(subuid), "%s/subuid", dir);
	snprintf(subgid, sizeof(subgid), "%s/subgid", dir);
	cr_assert_eq(mkdir(tree, 0755), 0);
	put(passwd, "root:x:0:0::/root:/bin/sh\nkubelet:x:998:998::/:/usr/sbin/nologin\n"
		    "alice:x:1000:1000::/home/alice:/bin/sh\n");
	put(subuid, "alice:100000:65536\nkubelet:65536:6553600\nbob:200000:65536\nbob:300000:65536\n");
	put(subgid, "kubelet:65536:6553600\nalice:100000:65536\nbob:200000:65536\n");
	sys.passwd = passwd;
	sys.subuid = subuid;
	sys.subgid = subgid;
	snprintf(text, sizeof(text), "mark %s shiftable-by subids kubelet ro\n", tree);
	cr_assert_eq(resolve(text), 0, "%s", err);
	cr_assert_eq(kp.marks[0].shiftable_by, 65536);
	cr_assert_eq(kp.marks[0].pool_size, 6553600);
	cr_assert_eq(kp.marks[0].block, 65536);
	cr_assert_eq(kp.marks[0].range, 65536);
	cr_assert_eq(kp.marks[0].flags, UG_MARK_POOL | UG_MARK_RO);
	ug_kernel_policy_free(&kp);
	ug_policy_free(&src);

	snprintf(text, sizeof(text), "mark %s shiftable-by subids carol\n", tree);
	cr_assert_eq(resolve(text), -ENOENT);
	cr_assert(strstr(err, "p.conf:1:6: mark '") &&
		  strstr(err, "/images': user 'carol' has no range in ") && strstr(err, "/subuid"),
		  "%s", err);
	ug_kernel_policy_free(&kp);
	ug_policy_free(&src);
	snprintf(text, sizeof(text), "mark %s shiftable-by subids bob\n", tree);
	cr_assert_eq(resolve(text), -E2BIG);
	cr_assert(strstr(err, "user 'bob' has 2 ranges in ") &&
		  strstr(err, "a pool is one range; name it with 'pool FIRST COUNT'"), "%s", err);
	ug_kernel_policy_free(&kp);
	ug_policy_free(&src);
	put(subgid, "kubelet:65536:65536\n");
	snprintf(text, sizeof(text), "mark %s shiftable-by subids kubelet\n", tree);
	cr_assert_eq(resolve(text), -EINVAL);
	cr_assert(strstr(err, "user 'kubelet' has uids 65536+6553600 but gids 65536+65536: a pool "
			      "needs the same range in "), "%s", err);
}

/* ---- drop-ins: a resolution error names the file it is in ------------------ */

#define MAIN "policy.conf"
#define DROP "policy.d/10-x.conf"

static int resolve2(const char *main, const char *drop)
{
	const struct ug_policy_text files[] = {
		{ MAIN, main, strlen(main) },
		{ DROP, drop, strlen(drop) },
	};

	cr_assert_eq(ug_policy_parse_files(files, 2, &src, err, sizeof(err)), 0, "%s", err);
	return ug_policy_resolve(&src, &sys, &kp, err, sizeof(err));
}

static void reset(void)
{
	ug_kernel_policy_free(&kp);
	ug_policy_free(&src);
}

Test(resolve, missing_exec_in_a_drop_in_names_the_drop_in)
{
	char text[256], exe[160];

	cr_assert_eq(resolve2("rule overflow-transitions on\n",
			      "\nexempt overflow-transitions exec /nonexistent/daemon\n"),
		     -ENOENT);
	cr_assert_str_eq(err, DROP ":2:34: exec '/nonexistent/daemon': No such file or directory");
	reset();
	snprintf(exe, sizeof(exe), "%s/daemon", dir);
	put(exe, "");
	snprintf(text, sizeof(text), "\nexempt overflow-transitions exec %s\n", exe);
	cr_assert_eq(resolve2("rule overflow-transitions on\n", text), 0, "%s", err);
	cr_assert_eq(kp.n_exempt, 1);
}

Test(resolve, cgroup_in_a_drop_in_names_the_drop_in)
{
	cr_assert_eq(resolve2("", "exempt overflow-transitions cgroup /system.slice\n"), -ENOTDIR);
	cr_assert(strstr(err, DROP ":1:36: cgroup '/system.slice': ") &&
		  strstr(err, "is not a cgroup2 mount"), "%s", err);
	reset();
	cr_assert_eq(resolve2("", "exempt overflow-transitions exec /bin/sh\n"), 0, "%s", err);
}

Test(resolve, pool_user_in_a_drop_in_names_the_drop_in)
{
	char text[512], tree[160], subuid[160];

	snprintf(tree, sizeof(tree), "%s/images", dir);
	snprintf(subuid, sizeof(subuid), "%s/subuid", dir);
	cr_assert_eq(mkdir(tree, 0755), 0);
	put(subuid, "kubelet:65536:6553600\n");
	sys.subuid = subuid;
	sys.subgid = subuid;
	snprintf(text, sizeof(text), "mark %s shiftable-by subids carol\n", tree);
	cr_assert_eq(resolve2("rule shift-marks on\n", text), -ENOENT);
	cr_assert(strstr(err, DROP ":1:6: mark '") && strstr(err, "user 'carol' has no range in "),
		  "%s", err);
	reset();
	snprintf(text, sizeof(text), "mark %s shiftable-by subids kubelet\n", tree);
	cr_assert_eq(resolve2("rule shift-marks on\n", text), 0, "%s", err);
}

Test(resolve, two_marks_on_one_tree_across_files)
{
	char main[256], drop[256], tree[160], other[160];

	snprintf(tree, sizeof(tree), "%s/group1", dir);
	snprintf(other, sizeof(other), "%s/group2", dir);
	cr_assert_eq(mkdir(tree, 0755), 0);
	cr_assert_eq(mkdir(other, 0755), 0);
	snprintf(main, sizeof(main), "mark %s shiftable-by 200000\n", tree);
	snprintf(drop, sizeof(drop), "\nmark %s/. shiftable-by 300000\n", tree);
	cr_assert_eq(resolve2(main, drop), -EEXIST);
	cr_assert(strstr(err, DROP ":2:6: mark '") &&
		  strstr(err, "/group1/.' names the same tree as " MAIN ":1") &&
		  !strstr(err, "line"), "%s", err);
	reset();
	snprintf(drop, sizeof(drop), "\nmark %s shiftable-by 300000\n", other);
	cr_assert_eq(resolve2(main, drop), 0, "%s", err);
	cr_assert_eq(kp.n_marks, 2);
	cr_assert_str_eq(kp.mark_where[0].file, MAIN);
	cr_assert_str_eq(kp.mark_where[1].file, DROP);
	cr_assert_eq(kp.mark_where[1].line, 2);
}

Test(resolve, mark_inside_a_mark_of_another_file)
{
	char main[256], drop[256], outer[160], inner[200];

	snprintf(outer, sizeof(outer), "%s/tenants", dir);
	snprintf(inner, sizeof(inner), "%s/tenants/a", dir);
	cr_assert_eq(mkdir(outer, 0755), 0);
	cr_assert_eq(mkdir(inner, 0755), 0);
	snprintf(main, sizeof(main), "mark %s shiftable-by 200000\n", outer);
	snprintf(drop, sizeof(drop), "mark %s shiftable-by 300000\n", inner);
	cr_assert_eq(resolve2(main, drop), -EINVAL);
	cr_assert(strstr(err, DROP ":1:6: mark '") &&
		  strstr(err, "/tenants' of " MAIN ":1: the outer tree's tenant"), "%s", err);
}

/* What status lists: every file with its hash, in merge order. */
Test(resolve, the_file_list_goes_with_the_policy)
{
	char a[65], b[65];

	cr_assert_eq(resolve2("rule overflow-transitions on\n", "rule most-restrictive on\n"), 0,
		     "%s", err);
	cr_assert_eq(kp.files.n, 2);
	cr_assert_str_eq(kp.files.file[0].path, MAIN);
	cr_assert_str_eq(kp.files.file[1].path, DROP);
	cr_assert_eq(memcmp(kp.files.file[0].sha256, src.files[0].sha256, 32), 0);
	cr_assert_eq(memcmp(kp.files.file[1].sha256, src.files[1].sha256, 32), 0);
	cr_assert_eq(memcmp(kp.policy.sha256, src.sha256, 32), 0);
	ug_hex(kp.files.file[0].sha256, 32, a);
	ug_hex(kp.files.file[1].sha256, 32, b);
	cr_assert_str_neq(a, b);
}
