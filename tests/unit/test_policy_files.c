// SPDX-License-Identifier: GPL-2.0-only
/* Which files make a policy: the file, its drop-ins, and check --as. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy_files.h"

static char dir[] = "/tmp/ug-files-XXXXXX";
static char policy[128], dropins[128], err[UG_ERR_MAX];
static struct ug_file_list list;

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(policy, sizeof(policy), "%s/policy.conf", dir);
	snprintf(dropins, sizeof(dropins), "%s/policy.d", dir);
	put("policy.conf", "rule overflow-transitions on\n");
	cr_assert_eq(mkdir(dropins, 0755), 0);
}

static void teardown(void)
{
	char cmd[256];

	ug_file_list_free(&list);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(policy_files, .init = setup, .fini = teardown);

/* The list's paths with @dir/ cut off, one per line. */
static const char *names(void)
{
	static char out[4096];
	size_t n = 0, skip = strlen(dir) + 1;

	out[0] = '\0';
	for (size_t i = 0; i < list.n; i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s\n",
				      i == (size_t)list.candidate ? "*" : "",
				      strncmp(list.path[i], dir, skip - 1) ? list.path[i] :
									    list.path[i] + skip);
	return out;
}

Test(policy_files, drop_in_directory_of_a_policy)
{
	char out[64];

	cr_assert_eq(ug_dropin_dir("/etc/usernsguard/policy.conf", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "/etc/usernsguard/policy.d");
	cr_assert_eq(ug_dropin_dir("/etc/usernsguard/policy", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "/etc/usernsguard/policy.d");
	cr_assert_eq(ug_dropin_dir("/srv/p.conf.old", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "/srv/p.conf.old.d");
	cr_assert_eq(ug_dropin_dir("/srv/a-long-name.conf", out, 12), -ENAMETOOLONG);
}

/* Byte order, not the locale's: "B" < "_" < "a"; only NAME.conf, no dotfiles. */
Test(policy_files, drop_ins_in_byte_order_conf_only_no_dotfiles)
{
	put("policy.d/a.conf", "");
	put("policy.d/B.conf", "");
	put("policy.d/_c.conf", "");
	put("policy.d/10-x.conf", "");
	put("policy.d/.hidden.conf", "");
	put("policy.d/.conf", "");
	put("policy.d/README", "");
	put("policy.d/old.conf.bak", "");
	put("policy.d/edit.conf~", "");
	put("policy.d/x.CONF", "");
	cr_assert_eq(ug_policy_files(policy, &list, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(names(), "policy.conf\npolicy.d/10-x.conf\npolicy.d/B.conf\n"
				  "policy.d/_c.conf\npolicy.d/a.conf\n");
	cr_assert_eq(list.candidate, -1);
}

Test(policy_files, no_drop_in_directory_is_no_drop_ins)
{
	cr_assert_eq(rmdir(dropins), 0);
	cr_assert_eq(ug_policy_files(policy, &list, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(names(), "policy.conf\n");
}

/* A policy whose name does not end in .conf: its drop-ins are in NAME.d. */
Test(policy_files, policy_without_conf_suffix)
{
	char other[160];

	snprintf(other, sizeof(other), "%s/policy", dir);
	put("policy", "");
	put("policy.d/1.conf", "");
	cr_assert_eq(ug_policy_files(other, &list, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(names(), "policy\npolicy.d/1.conf\n");
}

Test(policy_files, a_directory_named_like_a_drop_in_is_an_error)
{
	char sub[160], want[512];

	snprintf(sub, sizeof(sub), "%s/x.conf", dropins);
	cr_assert_eq(mkdir(sub, 0755), 0);
	cr_assert_eq(ug_policy_files(policy, &list, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: not a regular file (a drop-in is a regular file whose "
		 "name ends in .conf)", sub);
	cr_assert_str_eq(err, want);
	cr_assert_eq(list.n, 0);
	/* Twin: a symlink to a regular file is one. */
	cr_assert_eq(rmdir(sub), 0);
	cr_assert_eq(symlink("../policy.conf", sub), 0);
	cr_assert_eq(ug_policy_files(policy, &list, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(names(), "policy.conf\npolicy.d/x.conf\n");
}

Test(policy_files, a_dangling_drop_in_is_unreadable)
{
	char sub[160], want[512];

	snprintf(sub, sizeof(sub), "%s/x.conf", dropins);
	cr_assert_eq(symlink("gone.conf", sub), 0);
	cr_assert_eq(ug_policy_files(policy, &list, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "cannot read policy %s: No such file or directory", sub);
	cr_assert_str_eq(err, want);
}

/* Anything but "not there" is an error naming the directory. */
Test(policy_files, a_drop_in_directory_that_is_a_file_is_an_error)
{
	char want[512];

	cr_assert_eq(rmdir(dropins), 0);
	put("policy.d", "");
	cr_assert_eq(ug_policy_files(policy, &list, err, sizeof(err)), -ENOTDIR);
	snprintf(want, sizeof(want), "cannot read policy drop-ins %s: Not a directory", dropins);
	cr_assert_str_eq(err, want);
}

static void drop_ins(int n)
{
	char name[64];

	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "policy.d/%02d.conf", i);
		put(name, "");
	}
}

Test(policy_files, at_most_32_files_in_all)
{
	char want[512];

	drop_ins(31);
	cr_assert_eq(ug_policy_files(policy, &list, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(list.n, 32);
	ug_file_list_free(&list);
	put("policy.d/31.conf", "");
	cr_assert_eq(ug_policy_files(policy, &list, err, sizeof(err)), -E2BIG);
	snprintf(want, sizeof(want), "too many policy files: %s and 32 drop-ins in %s (at most 32 "
		 "files in all)", policy, dropins);
	cr_assert_str_eq(err, want);
	cr_assert_eq(list.n, 0);
}

/* ---- check --as TARGET CANDIDATE ----------------------------------------- */

Test(policy_files, as_a_drop_in_replaces_it)
{
	char target[160];

	put("policy.d/10-a.conf", "");
	put("policy.d/20-b.conf", "");
	put("policy.d/30-c.conf", "");
	snprintf(target, sizeof(target), "%s/20-b.conf", dropins);
	cr_assert_eq(ug_policy_files_as(target, "/tmp/candidate", &list, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_str_eq(names(), "policy.conf\npolicy.d/10-a.conf\n*/tmp/candidate\n"
				  "policy.d/30-c.conf\n");
}

Test(policy_files, as_a_new_drop_in_inserts_it_in_order)
{
	char target[160];

	put("policy.d/10-a.conf", "");
	put("policy.d/30-c.conf", "");
	snprintf(target, sizeof(target), "%s/20-b.conf", dropins);
	cr_assert_eq(ug_policy_files_as(target, "/tmp/candidate", &list, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_str_eq(names(), "policy.conf\npolicy.d/10-a.conf\n*/tmp/candidate\n"
				  "policy.d/30-c.conf\n");
	ug_file_list_free(&list);
	/* First and last places too. */
	snprintf(target, sizeof(target), "%s/00.conf", dropins);
	cr_assert_eq(ug_policy_files_as(target, "/tmp/candidate", &list, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_str_eq(names(), "policy.conf\n*/tmp/candidate\npolicy.d/10-a.conf\n"
				  "policy.d/30-c.conf\n");
	ug_file_list_free(&list);
	snprintf(target, sizeof(target), "%s/99.conf", dropins);
	cr_assert_eq(ug_policy_files_as(target, "/tmp/candidate", &list, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_str_eq(names(), "policy.conf\npolicy.d/10-a.conf\npolicy.d/30-c.conf\n"
				  "*/tmp/candidate\n");
}

/* The drop-in replaced is not looked at: the candidate is what would be there. */
Test(policy_files, as_a_broken_drop_in_replaces_it)
{
	char target[160];

	snprintf(target, sizeof(target), "%s/10-a.conf", dropins);
	cr_assert_eq(symlink("gone.conf", target), 0);
	cr_assert_eq(ug_policy_files_as(target, "/tmp/candidate", &list, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_str_eq(names(), "policy.conf\n*/tmp/candidate\n");
}

Test(policy_files, as_the_policy_keeps_its_drop_ins)
{
	put("policy.d/10-a.conf", "");
	cr_assert_eq(ug_policy_files_as(policy, "/tmp/candidate", &list, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_str_eq(names(), "*/tmp/candidate\npolicy.d/10-a.conf\n");
	ug_file_list_free(&list);
	/* A policy that does not exist yet: its drop-ins are merged all the same. */
	cr_assert_eq(unlink(policy), 0);
	cr_assert_eq(ug_policy_files_as(policy, "/tmp/candidate", &list, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_str_eq(names(), "*/tmp/candidate\npolicy.d/10-a.conf\n");
}

Test(policy_files, as_neither_a_policy_nor_a_drop_in)
{
	char target[160], want[512];

	/* In the drop-in directory, but not a name the listing takes. */
	snprintf(target, sizeof(target), "%s/README", dropins);
	cr_assert_eq(ug_policy_files_as(target, "/tmp/candidate", &list, err, sizeof(err)), -EDOM);
	snprintf(want, sizeof(want), "--as %s: in the drop-in directory of %s, but not a drop-in's "
		 "name (NAME.conf, not starting with '.')", target, policy);
	cr_assert_str_eq(err, want);
	snprintf(target, sizeof(target), "%s/.10-a.conf", dropins);
	cr_assert_eq(ug_policy_files_as(target, "/tmp/candidate", &list, err, sizeof(err)), -EDOM);
	/* A directory. */
	cr_assert_eq(ug_policy_files_as(dropins, "/tmp/candidate", &list, err, sizeof(err)), -EDOM);
	snprintf(want, sizeof(want), "--as %s: not a regular file (name the policy file, or the "
		 "drop-in, that the candidate stands in for)", dropins);
	cr_assert_str_eq(err, want);
	snprintf(target, sizeof(target), "%s/", dropins);
	cr_assert_eq(ug_policy_files_as(target, "/tmp/candidate", &list, err, sizeof(err)), -EDOM);
	cr_assert_eq(list.n, 0);
	/* Twin: the name of a drop-in. */
	snprintf(target, sizeof(target), "%s/10-a.conf", dropins);
	cr_assert_eq(ug_policy_files_as(target, "/tmp/candidate", &list, err, sizeof(err)), 0,
		     "%s", err);
}

Test(policy_files, as_a_33rd_file_is_too_many)
{
	char target[160];

	drop_ins(31);
	snprintf(target, sizeof(target), "%s/10.conf", dropins);
	cr_assert_eq(ug_policy_files_as(target, "/tmp/candidate", &list, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(list.n, 32);
	ug_file_list_free(&list);
	snprintf(target, sizeof(target), "%s/new.conf", dropins);
	cr_assert_eq(ug_policy_files_as(target, "/tmp/candidate", &list, err, sizeof(err)),
		     -E2BIG);
}

Test(policy_files, read_names_the_file_it_cannot_read)
{
	struct ug_policy_text texts[UG_POLICY_FILES_MAX];
	char want[512];

	put("policy.d/10-a.conf", "mode audit\n");
	cr_assert_eq(ug_policy_files(policy, &list, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(ug_policy_files_read(&list, texts, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(texts[1].len, strlen("mode audit\n"));
	cr_assert_eq(memcmp(texts[1].text, "mode audit\n", texts[1].len), 0);
	cr_assert_str_eq(texts[1].path, list.path[1]);
	ug_policy_texts_free(texts, list.n);
	cr_assert_eq(unlink(list.path[1]), 0);
	cr_assert_eq(ug_policy_files_read(&list, texts, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "cannot read policy %s: No such file or directory",
		 list.path[1]);
	cr_assert_str_eq(err, want);
}

Test(policy_files, load_makes_every_path_absolute)
{
	char cwd[4096], real[4096];

	put("policy.d/10-a.conf", "");
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_eq(chdir(dir), 0);
	cr_assert_eq(ug_policy_files("policy.conf", &list, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(list.path[1], "policy.d/10-a.conf");
	ug_file_list_absolute(&list);
	cr_assert_eq(chdir(cwd), 0);
	cr_assert_not_null(realpath(dir, real));
	cr_assert_eq(strncmp(list.path[0], real, strlen(real)), 0, "%s", list.path[0]);
	cr_assert_str_eq(list.path[0] + strlen(real), "/policy.conf");
	cr_assert_str_eq(list.path[1] + strlen(real), "/policy.d/10-a.conf");
}
