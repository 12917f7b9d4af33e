// SPDX-License-Identifier: GPL-2.0-only
/* systemd unit settings and cgroup paths for `scan overflow` (user/unit_file.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "unit_file.h"

Test(unit_file, service_section_only_last_wins_empty_resets)
{
	struct ug_unit_ids ids = { 0 };

	ug_unit_apply(&ids, "a.service",
		      "[Unit]\nUser=unit-section\n[Service]\nUser=nobody\n  Group = nogroup \n"
		      "[Install]\nUser=install-section\n");
	cr_assert_str_eq(ids.user, "nobody");
	cr_assert_eq(ids.user_line, 4);
	cr_assert_str_eq(ids.group, "nogroup");
	ug_unit_apply(&ids, "10.conf", "[Service]\nUser=\n# User=x\nDynamicUser=true\n");
	cr_assert_str_eq(ids.user, "");
	cr_assert_str_eq(ids.user_file, "10.conf");
	cr_assert(ids.dynamic_user);
	cr_assert_eq(ids.dynamic_line, 4);
}

Test(unit_file, cgroup_paths)
{
	char out[256];

	ug_unit_cgroup("x.service", "", out, sizeof(out));
	cr_assert_str_eq(out, "/system.slice/x.service");
	ug_unit_cgroup("getty@tty1.service", "", out, sizeof(out));
	cr_assert_str_eq(out, "/system.slice/system-getty.slice/getty@tty1.service");
	ug_unit_cgroup("getty@.service", "", out, sizeof(out));
	cr_assert_str_eq(out, "/system.slice/system-getty.slice");
	ug_unit_cgroup("db.service", "app-db.slice", out, sizeof(out));
	cr_assert_str_eq(out, "/app.slice/app-db.slice/db.service");
	ug_unit_cgroup("x.service", "-.slice", out, sizeof(out));
	cr_assert_str_eq(out, "/x.service");
}
