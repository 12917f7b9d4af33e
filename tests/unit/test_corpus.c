// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every input under tests/fuzz/corpus, seeds and any crash reproducer kept
 * from fuzzing, replayed through the parsers under ASan and UBSan: each
 * must be accepted or rejected cleanly.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idmap_file.h"
#include "policy.h"
#include "util.h"

static int replay(const char *dir, int (*one)(const char *text, size_t len))
{
	struct dirent *de;
	char path[512];
	int files = 0;
	DIR *d = opendir(dir);

	cr_assert_not_null(d, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		size_t len;
		char *text;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		cr_assert_eq(ug_read_file(path, 1 << 20, &text, &len), 0, "%s", path);
		cr_assert_eq(one(text, len), 0, "%s", path);
		free(text);
		files++;
	}
	closedir(d);
	return files;
}

static int policy_one(const char *text, size_t len)
{
	struct ug_policy_src p;
	char err[UG_ERR_MAX];
	int ret = ug_policy_parse("corpus", text, len, &p, err, sizeof(err));

	if (!ret)
		ug_policy_free(&p);
	return ret == 0 || ret == -EINVAL ? 0 : ret;
}

static struct ug_idmap map;

static int idmap_one(const char *text, size_t len)
{
	char err[256];
	int ret;

	(void)len;
	ret = ug_idmap_parse(text, &map, err, sizeof(err));
	return ret == 0 || ret == -EINVAL ? 0 : ret;
}

Test(corpus, policy_inputs)
{
	cr_assert_geq(replay("tests/fuzz/corpus/policy", policy_one), 5);
}

Test(corpus, idmap_inputs)
{
	cr_assert_geq(replay("tests/fuzz/corpus/idmap", idmap_one), 4);
}
