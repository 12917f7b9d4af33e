// SPDX-License-Identifier: GPL-2.0-only
/* Policy parser: every directive, every error path, exact messages. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sha2.h>

#include "policy.h"
#include "util.h"

static struct ug_policy_src pol;
static char err[UG_ERR_MAX];

static int parse(const char *text)
{
	memset(err, 0, sizeof(err));
	return ug_policy_parse("p.conf", text, strlen(text), &pol, err, sizeof(err));
}

static void teardown(void)
{
	ug_policy_free(&pol);
}

TestSuite(policy, .fini = teardown);

#define EXPECT_ERROR(text, message)                                                    \
	do {                                                                           \
		cr_assert_eq(parse(text), -EINVAL, "accepted: %s", text);              \
		cr_assert_str_eq(err, message);                                        \
	} while (0)

Test(policy, empty_file_has_safe_defaults)
{
	cr_assert_eq(parse(""), 0);
	cr_assert_eq(pol.mode, UG_MODE_ENFORCE);
	cr_assert(pol.overflow_auto);
	for (int r = 0; r < UG_RULE_COUNT; r++)
		cr_assert_eq(ug_rule_mode(&pol, r), UG_MODE_OFF, "rule %d on by default", r);
	cr_assert_eq(pol.n_exempt, 0);
}

Test(policy, comments_blank_lines_and_whitespace)
{
	cr_assert_eq(parse("# comment\n\n   \t\n  mode   audit # trailing comment\r\n"), 0, "%s",
		     err);
	cr_assert_eq(pol.mode, UG_MODE_AUDIT);
	cr_assert_eq(pol.mode_where.line, 4);
	cr_assert_eq(pol.mode_where.col, 3);
}

Test(policy, full_rule_one_policy)
{
	cr_assert_eq(parse("mode enforce\n"
			   "overflow-ids uid 60000 gid 60001\n"
			   "rule overflow-transitions on mode audit on-deny errno\n"
			   "exempt overflow-transitions exec /usr/sbin/nscd\n"
			   "exempt overflow-transitions cgroup /system.slice/legacy.service\n"),
		     0, "%s", err);
	cr_assert(!pol.overflow_auto);
	cr_assert_eq(pol.overflow_uid, 60000);
	cr_assert_eq(pol.overflow_gid, 60001);
	cr_assert_eq(ug_rule_mode(&pol, UG_RULE_OVERFLOW_TRANSITIONS), UG_MODE_AUDIT);
	cr_assert_eq(ug_rule_on_deny(&pol, UG_RULE_OVERFLOW_TRANSITIONS), UG_ON_DENY_ERRNO);
	cr_assert_eq(pol.n_exempt, 2);
	cr_assert_eq(pol.exempt[0].kind, UG_EXEMPT_EXEC);
	cr_assert_str_eq(pol.exempt[0].path, "/usr/sbin/nscd");
	cr_assert_eq(pol.exempt[0].where.line, 4);
	cr_assert_eq(pol.exempt[0].where.col, 34);
	cr_assert_eq(pol.exempt[1].kind, UG_EXEMPT_CGROUP);
	cr_assert_str_eq(pol.exempt[1].path, "/system.slice/legacy.service");
}

Test(policy, rule_inherits_global_mode_and_kills_by_default)
{
	cr_assert_eq(parse("mode audit\nrule overflow-transitions on\n"), 0, "%s", err);
	cr_assert_eq(ug_rule_mode(&pol, UG_RULE_OVERFLOW_TRANSITIONS), UG_MODE_AUDIT);
	cr_assert_eq(ug_rule_on_deny(&pol, UG_RULE_OVERFLOW_TRANSITIONS), UG_ON_DENY_KILL);
}

Test(policy, rule_off_is_off_whatever_its_mode)
{
	cr_assert_eq(parse("rule overflow-transitions off mode enforce\n"), 0, "%s", err);
	cr_assert_eq(ug_rule_mode(&pol, UG_RULE_OVERFLOW_TRANSITIONS), UG_MODE_OFF);
}

Test(policy, options_in_any_order)
{
	cr_assert_eq(parse("rule overflow-transitions on on-deny errno mode enforce\n"), 0, "%s",
		     err);
	cr_assert_eq(ug_rule_on_deny(&pol, UG_RULE_OVERFLOW_TRANSITIONS), UG_ON_DENY_ERRNO);
	cr_assert_eq(ug_rule_mode(&pol, UG_RULE_OVERFLOW_TRANSITIONS), UG_MODE_ENFORCE);
}

Test(policy, file_without_final_newline)
{
	cr_assert_eq(parse("mode audit"), 0, "%s", err);
	cr_assert_eq(pol.mode, UG_MODE_AUDIT);
}

Test(policy, sha256_of_the_exact_bytes)
{
	char hex[65];

	cr_assert_eq(parse(""), 0);
	ug_hex(pol.sha256, 32, hex);
	cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ug_policy_free(&pol);
	cr_assert_eq(parse("abc"), -EINVAL);
	cr_assert_eq(parse("# abc"), 0);
	ug_hex(pol.sha256, 32, hex);
	cr_assert_str_neq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* ---- errors: each names file:line:column and the word ----------------- */

Test(policy, unknown_directive)
{
	EXPECT_ERROR("mode enforce\n  frobnicate yes\n", "p.conf:2:3: unknown directive 'frobnicate'");
}

Test(policy, duplicate_mode)
{
	EXPECT_ERROR("mode enforce\nmode audit\n",
		     "p.conf:2:1: duplicate 'mode' (first set at line 1)");
}

Test(policy, invalid_mode)
{
	EXPECT_ERROR("mode permissive\n",
		     "p.conf:1:6: invalid mode 'permissive': expected 'enforce' or 'audit'");
}

Test(policy, mode_missing_value)
{
	EXPECT_ERROR("mode\n", "p.conf:1:5: 'mode' is incomplete: expected 'mode enforce|audit'");
}

Test(policy, trailing_garbage)
{
	EXPECT_ERROR("mode enforce now\n",
		     "p.conf:1:14: unexpected 'now' after 'mode': expected 'mode enforce|audit'");
	ug_policy_free(&pol);
	EXPECT_ERROR("overflow-ids auto please\n",
		     "p.conf:1:19: unexpected 'please' after 'overflow-ids': expected "
		     "'overflow-ids auto | overflow-ids uid N gid N'");
}

Test(policy, overflow_ids_errors)
{
	EXPECT_ERROR("overflow-ids uid 1 gid\n",
		     "p.conf:1:23: 'overflow-ids' is incomplete: expected "
		     "'overflow-ids auto | overflow-ids uid N gid N'");
	ug_policy_free(&pol);
	EXPECT_ERROR("overflow-ids user 1 gid 2\n",
		     "p.conf:1:14: unexpected 'user': expected 'auto' or 'uid'");
	ug_policy_free(&pol);
	EXPECT_ERROR("overflow-ids uid 1 group 2\n", "p.conf:1:20: unexpected 'group': expected 'gid'");
	ug_policy_free(&pol);
	EXPECT_ERROR("overflow-ids uid 4294967295 gid 1\n",
		     "p.conf:1:18: id '4294967295' out of range: ids go from 0 to 4294967294");
	ug_policy_free(&pol);
	EXPECT_ERROR("overflow-ids uid 1 gid 99999999999\n",
		     "p.conf:1:24: id '99999999999' out of range: ids go from 0 to 4294967294");
	ug_policy_free(&pol);
	EXPECT_ERROR("overflow-ids uid -1 gid 1\n",
		     "p.conf:1:18: invalid id '-1': expected a decimal number");
	ug_policy_free(&pol);
	EXPECT_ERROR("overflow-ids uid 0x10 gid 1\n",
		     "p.conf:1:18: invalid id '0x10': expected a decimal number");
	ug_policy_free(&pol);
	EXPECT_ERROR("overflow-ids auto\noverflow-ids auto\n",
		     "p.conf:2:1: duplicate 'overflow-ids' (first set at line 1)");
}

Test(policy, overflow_ids_boundaries)
{
	cr_assert_eq(parse("overflow-ids uid 0 gid 4294967294\n"), 0, "%s", err);
	cr_assert_eq(pol.overflow_uid, 0);
	cr_assert_eq(pol.overflow_gid, 4294967294u);
}

Test(policy, rule_errors)
{
	EXPECT_ERROR("rule overflow on\n",
		     "p.conf:1:6: unknown rule 'overflow' (known: overflow-transitions, "
		     "most-restrictive, shift-marks)");
	ug_policy_free(&pol);
	EXPECT_ERROR("rule overflow-transitions maybe\n",
		     "p.conf:1:27: invalid state 'maybe': expected 'on' or 'off'");
	ug_policy_free(&pol);
	EXPECT_ERROR("rule overflow-transitions\n",
		     "p.conf:1:26: 'rule' is incomplete: expected "
		     "'rule NAME on|off [mode enforce|audit] [on-deny kill|errno] [rate-limit N]'");
	ug_policy_free(&pol);
	EXPECT_ERROR("rule overflow-transitions on mode\n", "p.conf:1:34: 'mode' needs a value");
	ug_policy_free(&pol);
	EXPECT_ERROR("rule overflow-transitions on mode audit mode enforce\n",
		     "p.conf:1:41: duplicate 'mode'");
	ug_policy_free(&pol);
	EXPECT_ERROR("rule overflow-transitions on on-deny shrug\n",
		     "p.conf:1:38: invalid on-deny 'shrug': expected 'kill' or 'errno'");
	ug_policy_free(&pol);
	EXPECT_ERROR("rule overflow-transitions on loudly yes\n",
		     "p.conf:1:30: unexpected 'loudly': expected 'mode', 'on-deny' or 'rate-limit'");
	ug_policy_free(&pol);
	EXPECT_ERROR("rule overflow-transitions on\nrule overflow-transitions off\n",
		     "p.conf:2:6: duplicate rule 'overflow-transitions' (first set at line 1)");
}

/* The kernel prints cgroup paths canonically; ug_cgroup_names compares bytes. */
Test(policy, cgroup_path_must_be_canonical)
{
	static const char *const bad[] = { "/a/", "/a//b", "/a/./b", "/a/../b", "/a/.", "/a/.." };
	char text[128], message[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "exempt overflow-transitions cgroup %s\n", bad[i]);
		snprintf(message, sizeof(message),
			 "p.conf:1:36: cgroup path '%s' is not canonical (no '//', '.', '..' or "
			 "trailing '/')", bad[i]);
		EXPECT_ERROR(text, message);
		ug_policy_free(&pol);
	}
	{
		char longer[400];
		int n = snprintf(longer, sizeof(longer), "scope most-restrictive cgroup /%0256d\n", 0);

		cr_assert_gt(n, 256);
		snprintf(message, sizeof(message),
			 "p.conf:1:31: cgroup path '/%0256d' is longer than 255 bytes", 0);
		EXPECT_ERROR(longer, message);
		ug_policy_free(&pol);
	}
	cr_assert_eq(parse("exempt overflow-transitions cgroup /system.slice/x.service\n"
			   "scope most-restrictive cgroup /machine.slice\n"), 0, "%s", err);
}

Test(policy, exempt_errors)
{
	EXPECT_ERROR("exempt overflow-transitions exec bin/foo\n",
		     "p.conf:1:34: path 'bin/foo' must be absolute");
	ug_policy_free(&pol);
	EXPECT_ERROR("exempt overflow-transitions user /x\n",
		     "p.conf:1:29: unknown exemption 'user': expected 'cgroup' or 'exec'");
	ug_policy_free(&pol);
	EXPECT_ERROR("exempt overflow-transitions exec /a\nexempt overflow-transitions exec /a\n",
		     "p.conf:2:34: duplicate exempt '/a' (first at line 1)");
	ug_policy_free(&pol);
	EXPECT_ERROR("exempt overflow-transitions exec /a /b\n",
		     "p.conf:1:37: unexpected '/b' after 'exempt': expected "
		     "'exempt RULE cgroup|exec PATH'");
}

Test(policy, same_path_for_two_kinds_is_not_a_duplicate)
{
	cr_assert_eq(parse("exempt overflow-transitions exec /a\n"
			   "exempt overflow-transitions cgroup /a\n"),
		     0, "%s", err);
	cr_assert_eq(pol.n_exempt, 2);
}

Test(policy, bytes_that_are_not_text)
{
	static const char with_nul[] = "mode enforce\nmo\0de audit\n";

	cr_assert_eq(ug_policy_parse("p.conf", with_nul, sizeof(with_nul) - 1, &pol, err,
				     sizeof(err)),
		     -EINVAL);
	cr_assert_str_eq(err, "p.conf:2:3: NUL byte is not allowed");
	ug_policy_free(&pol);
	EXPECT_ERROR("mode\x01 enforce\n", "p.conf:1:5: control character 0x01 is not allowed");
}

Test(policy, limits)
{
	char line[UG_POLICY_MAX_LINE + 16];

	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	EXPECT_ERROR(line, "p.conf:1:4097: line longer than 4096 bytes");
	ug_policy_free(&pol);
	EXPECT_ERROR("a b c d e f g h i j k l m n o p q\n",
		     "p.conf:1:33: too many words on one line (at most 16)");
}

Test(policy, ids)
{
	__u32 v;

	cr_assert_eq(ug_parse_id("0", &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(ug_parse_id("4294967294", &v), 0);
	cr_assert_eq(v, 4294967294u);
	cr_assert_eq(ug_parse_id("4294967295", &v), -ERANGE);
	cr_assert_eq(ug_parse_id("12345678901", &v), -ERANGE);
	cr_assert_eq(ug_parse_id("", &v), -EINVAL);
	cr_assert_eq(ug_parse_id("+1", &v), -EINVAL);
	cr_assert_eq(ug_parse_id("1 ", &v), -EINVAL);
}

Test(policy, rule_two_with_scope)
{
	cr_assert_eq(parse("rule most-restrictive on mode audit\n"
			   "scope most-restrictive owner 1000\n"
			   "scope most-restrictive cgroup /machine.slice\n"
			   "exempt most-restrictive exec /usr/bin/backup\n"),
		     0, "%s", err);
	cr_assert_eq(ug_rule_mode(&pol, UG_RULE_MOST_RESTRICTIVE), UG_MODE_AUDIT);
	cr_assert_eq(pol.n_exempt, 3);
	cr_assert_eq(pol.exempt[0].kind, UG_SCOPE_OWNER);
	cr_assert_eq(pol.exempt[0].id, 1000);
	cr_assert_eq(pol.exempt[1].kind, UG_SCOPE_CGROUP);
	cr_assert_str_eq(pol.exempt[1].path, "/machine.slice");
	cr_assert_eq(pol.exempt[2].rule, UG_RULE_MOST_RESTRICTIVE);
}

Test(policy, scope_errors)
{
	EXPECT_ERROR("scope overflow-transitions owner 1\n",
		     "p.conf:1:7: 'scope' applies only to most-restrictive");
	ug_policy_free(&pol);
	EXPECT_ERROR("scope most-restrictive owner 1\nscope most-restrictive owner 1\n",
		     "p.conf:2:30: duplicate scope '1' (first at line 1)");
	ug_policy_free(&pol);
	EXPECT_ERROR("scope most-restrictive user 1\n",
		     "p.conf:1:24: unknown scope 'user': expected 'owner' or 'cgroup'");
	ug_policy_free(&pol);
	EXPECT_ERROR("scope most-restrictive owner root\n",
		     "p.conf:1:30: invalid id 'root': expected a decimal number");
	ug_policy_free(&pol);
	EXPECT_ERROR("rule most-restrictive on on-deny kill\n",
		     "p.conf:1:26: 'on-deny' applies only to overflow-transitions");
}

Test(policy, marks_in_the_seed_vocabulary)
{
	cr_assert_eq(parse("rule shift-marks on\n"
			   "shift-default allow\n"
			   "mark /data/group1 shiftable-by 200000 origin 100000\n"
			   "mark /srv/rootfs shiftable-by 300000 range 1000 ro origin 5\n"),
		     0, "%s", err);
	cr_assert_eq(ug_rule_mode(&pol, UG_RULE_SHIFT_MARKS), UG_MODE_ENFORCE);
	cr_assert(pol.shift_default_allow);
	cr_assert_eq(pol.n_marks, 2);
	cr_assert_str_eq(pol.marks[0].path, "/data/group1");
	cr_assert_eq(pol.marks[0].shiftable_by, 200000);
	cr_assert_eq(pol.marks[0].origin, 100000);
	cr_assert_eq(pol.marks[0].range, 65536);
	cr_assert(!pol.marks[0].ro);
	cr_assert_eq(pol.marks[0].where.line, 3);
	cr_assert_eq(pol.marks[0].where.col, 6);
	cr_assert_eq(pol.marks[1].origin, 5);
	cr_assert_eq(pol.marks[1].range, 1000);
	cr_assert(pol.marks[1].ro);
}

/* Pools of roots (issue 17): one root per block, picked at run time. */
Test(policy, pool_marks)
{
	cr_assert_eq(parse("mark /var/lib/machines shiftable-by pool 524288 1878523904\n"
			   "mark /var/lib/kubelet/pods shiftable-by pool 65536 6553600 block 65536 ro\n"
			   "mark /srv/images shiftable-by subids kubelet range 1000\n"
			   "mark /srv/small shiftable-by pool 100000 20000 block 10000\n"),
		     0, "%s", err);
	cr_assert_eq(pol.n_marks, 4);
	ug_policy_free(&pol);
	/* Every option at once: 13 words. */
	cr_assert_eq(parse("mark /d shiftable-by pool 0 131072 block 65536 origin 5 range 100 ro\n"), 0,
		     "%s", err);
	cr_assert(pol.marks[0].ro);
	cr_assert_eq(pol.marks[0].range, 100);
	ug_policy_free(&pol);
	cr_assert_eq(parse("mark /var/lib/machines shiftable-by pool 524288 1878523904\n"
			   "mark /var/lib/kubelet/pods shiftable-by pool 65536 6553600 block 65536 ro\n"
			   "mark /srv/images shiftable-by subids kubelet range 1000\n"
			   "mark /srv/small shiftable-by pool 100000 20000 block 10000\n"),
		     0, "%s", err);
	cr_assert(pol.marks[0].pool);
	cr_assert_eq(pol.marks[0].shiftable_by, 524288);
	cr_assert_eq(pol.marks[0].pool_size, 1878523904);
	cr_assert_eq(pol.marks[0].block, 65536);
	cr_assert_eq(pol.marks[0].range, 65536);
	cr_assert_eq(pol.marks[0].origin, 0);
	cr_assert_null(pol.marks[0].pool_user);
	cr_assert(pol.marks[1].ro);
	cr_assert_str_eq(pol.marks[2].pool_user, "kubelet");
	cr_assert_eq(pol.marks[2].range, 1000);
	/* Without a range, a tenant's range is its block. */
	cr_assert_eq(pol.marks[3].block, 10000);
	cr_assert_eq(pol.marks[3].range, 10000);
	cr_assert(!pol.marks[3].ro);
}

Test(policy, pool_mark_errors)
{
	EXPECT_ERROR("mark /d shiftable-by pool 1\n", "p.conf:1:28: 'pool' needs FIRST and COUNT");
	ug_policy_free(&pol);
	EXPECT_ERROR("mark /d shiftable-by pool 1 0\n", "p.conf:1:29: a pool needs at least 1 id");
	ug_policy_free(&pol);
	EXPECT_ERROR("mark /d shiftable-by subids\n", "p.conf:1:28: 'subids' needs a user name");
	ug_policy_free(&pol);
	EXPECT_ERROR("mark /d shiftable-by pool 0 131072 range 70000\n",
		     "p.conf:1:6: range 70000 is larger than the pool's block 65536: "
		     "neighbouring roots would share ids");
	ug_policy_free(&pol);
	EXPECT_ERROR("mark /d shiftable-by pool 0 1000\n",
		     "p.conf:1:29: a pool of 1000 ids holds no root with a range of 65536");
	ug_policy_free(&pol);
	EXPECT_ERROR("mark /d shiftable-by pool 0 131072 block 0\n",
		     "p.conf:1:42: block must be at least 1");
	ug_policy_free(&pol);
	EXPECT_ERROR("mark /d shiftable-by 1000 block 10\n",
		     "p.conf:1:27: 'block' applies only to a pool of roots");
	ug_policy_free(&pol);
	EXPECT_ERROR("mark /d shiftable-by pool 0 131072 block 1 block 1\n",
		     "p.conf:1:44: duplicate 'block'");
	ug_policy_free(&pol);
	EXPECT_ERROR("mark /d shiftable-by pool 4294900000 131072\n",
		     "p.conf:1:6: range 131072 from origin 0 or shiftable-by 4294900000 passes "
		     "4294967294");
	ug_policy_free(&pol);
	EXPECT_ERROR("mark /d shiftable-by pool 0 131072 size 3\n",
		     "p.conf:1:36: unexpected 'size': expected 'block', 'origin', 'range' or 'ro'");
}

Test(policy, shift_default_is_deny)
{
	cr_assert_eq(parse("rule shift-marks on\n"), 0, "%s", err);
	cr_assert(!pol.shift_default_allow);
}

Test(policy, mark_errors)
{
	EXPECT_ERROR("mark data shiftable-by 1\n", "p.conf:1:6: path 'data' must be absolute");
	ug_policy_free(&pol);
	EXPECT_ERROR("mark /data shifted-by 1\n",
		     "p.conf:1:12: unexpected 'shifted-by': expected 'shiftable-by'");
	ug_policy_free(&pol);
	EXPECT_ERROR("mark /data shiftable-by\n",
		     "p.conf:1:24: 'mark' is incomplete: expected "
		     "'mark PATH shiftable-by UID|pool FIRST COUNT|subids USER [block N] [origin UID] "
		     "[range N] [ro]'");
	ug_policy_free(&pol);
	EXPECT_ERROR("mark /data shiftable-by 1 origin\n", "p.conf:1:33: 'origin' needs a value");
	ug_policy_free(&pol);
	EXPECT_ERROR("mark /data shiftable-by 1 range 0\n", "p.conf:1:33: range must be at least 1");
	ug_policy_free(&pol);
	EXPECT_ERROR("mark /data shiftable-by 1 ro ro\n", "p.conf:1:30: duplicate 'ro'");
	ug_policy_free(&pol);
	EXPECT_ERROR("mark /data shiftable-by 1 rw\n",
		     "p.conf:1:27: unexpected 'rw': expected 'origin', 'range' or 'ro'");
	ug_policy_free(&pol);
	EXPECT_ERROR("mark /data shiftable-by 4294967290 range 10\n",
		     "p.conf:1:6: range 10 from origin 0 or shiftable-by 4294967290 passes 4294967294");
	ug_policy_free(&pol);
	EXPECT_ERROR("shift-default maybe\n",
		     "p.conf:1:15: invalid shift-default 'maybe': expected 'deny' or 'allow'");
	ug_policy_free(&pol);
	EXPECT_ERROR("shift-default deny\nshift-default allow\n",
		     "p.conf:2:1: duplicate 'shift-default' (first set at line 1)");
}

Test(policy, rate_limit_per_rule)
{
	cr_assert_eq(parse("rule overflow-transitions on rate-limit 100\n"
			   "rule most-restrictive on mode audit rate-limit 0\n"),
		     0, "%s", err);
	cr_assert_eq(pol.rules[UG_RULE_OVERFLOW_TRANSITIONS].rate_limit, 100);
	cr_assert_eq(pol.rules[UG_RULE_MOST_RESTRICTIVE].rate_limit, 0);
	ug_policy_free(&pol);
	EXPECT_ERROR("rule shift-marks on rate-limit fast\n",
		     "p.conf:1:32: invalid id 'fast': expected a decimal number");
	ug_policy_free(&pol);
	EXPECT_ERROR("rule shift-marks on rate-limit 1 rate-limit 2\n",
		     "p.conf:1:34: duplicate 'rate-limit'");
}

/* ---- drop-ins: one parse across files ------------------------------------ */

#define MAIN "/etc/usernsguard/policy.conf"
#define DROP "/etc/usernsguard/policy.d/10-x.conf"
#define DROP2 "/etc/usernsguard/policy.d/20-y.conf"

/* Parse @main, then the drop-ins @drop and (if not NULL) @drop2. */
static int parse3(const char *main, const char *drop, const char *drop2)
{
	const struct ug_policy_text files[] = {
		{ MAIN, main, strlen(main) },
		{ DROP, drop, strlen(drop) },
		{ DROP2, drop2 ? drop2 : "", drop2 ? strlen(drop2) : 0 },
	};

	memset(err, 0, sizeof(err));
	return ug_policy_parse_files(files, drop2 ? 3 : 2, &pol, err, sizeof(err));
}

#define EXPECT_DROP_ERROR(main, drop, message)                                         \
	do {                                                                           \
		cr_assert_eq(parse3(main, drop, NULL), -EINVAL, "accepted: %s", drop); \
		cr_assert_str_eq(err, message);                                        \
	} while (0)

#define EXPECT_DROP_OK(main, drop)                                                     \
	do {                                                                           \
		cr_assert_eq(parse3(main, drop, NULL), 0, "%s", err);                  \
		ug_policy_free(&pol);                                                  \
	} while (0)

Test(policy, drop_ins_add_rules_exemptions_scopes_and_marks)
{
	cr_assert_eq(parse3("mode audit\nrule overflow-transitions on\n"
			    "exempt overflow-transitions exec /usr/sbin/a\n",
			    "# tenants\nrule shift-marks on\n"
			    "exempt overflow-transitions exec /usr/sbin/b\n"
			    "mark /srv/t shiftable-by 100000\n",
			    "rule most-restrictive on\nscope most-restrictive owner 1000\n"),
		     0, "%s", err);
	cr_assert_eq(pol.n_files, 3);
	cr_assert_str_eq(pol.name, MAIN);
	cr_assert_str_eq(pol.files[0].path, MAIN);
	cr_assert_str_eq(pol.files[1].path, DROP);
	cr_assert_str_eq(pol.files[2].path, DROP2);
	cr_assert_eq(pol.mode, UG_MODE_AUDIT);
	cr_assert_eq(ug_rule_mode(&pol, UG_RULE_OVERFLOW_TRANSITIONS), UG_MODE_AUDIT);
	cr_assert_eq(ug_rule_mode(&pol, UG_RULE_SHIFT_MARKS), UG_MODE_AUDIT);
	cr_assert_eq(ug_rule_mode(&pol, UG_RULE_MOST_RESTRICTIVE), UG_MODE_AUDIT);
	cr_assert_str_eq(pol.rules[UG_RULE_OVERFLOW_TRANSITIONS].where.file, MAIN);
	cr_assert_str_eq(pol.rules[UG_RULE_SHIFT_MARKS].where.file, DROP);
	cr_assert_eq(pol.rules[UG_RULE_SHIFT_MARKS].where.line, 2);
	cr_assert_str_eq(pol.rules[UG_RULE_MOST_RESTRICTIVE].where.file, DROP2);
	cr_assert_eq(pol.n_exempt, 3);
	cr_assert_str_eq(pol.exempt[0].path, "/usr/sbin/a");
	cr_assert_str_eq(pol.exempt[0].where.file, MAIN);
	cr_assert_eq(pol.exempt[0].where.line, 3);
	cr_assert_str_eq(pol.exempt[1].path, "/usr/sbin/b");
	cr_assert_str_eq(pol.exempt[1].where.file, DROP);
	cr_assert_eq(pol.exempt[1].where.line, 3);
	cr_assert_eq(pol.exempt[1].where.col, 34);
	cr_assert_eq(pol.exempt[2].kind, UG_SCOPE_OWNER);
	cr_assert_eq(pol.exempt[2].id, 1000);
	cr_assert_str_eq(pol.exempt[2].where.file, DROP2);
	cr_assert_eq(pol.exempt[2].where.line, 2);
	cr_assert_eq(pol.n_marks, 1);
	cr_assert_str_eq(pol.marks[0].path, "/srv/t");
	cr_assert_str_eq(pol.marks[0].where.file, DROP);
	cr_assert_eq(pol.marks[0].where.line, 4);
	cr_assert_eq(pol.marks[0].where.col, 6);
	/* Every where points into the policy's own list of files. */
	cr_assert_eq(pol.marks[0].where.file, pol.files[1].path);
}

Test(policy, drop_in_errors_name_the_drop_in)
{
	EXPECT_DROP_ERROR("mode enforce\n", "\n  frobnicate yes\n",
			  DROP ":2:3: unknown directive 'frobnicate'");
	EXPECT_DROP_OK("mode enforce\n", "\n  rule shift-marks on\n");
}

Test(policy, drop_in_sets_what_the_file_does_not)
{
	cr_assert_eq(parse3("rule overflow-transitions on\n",
			    "mode audit\noverflow-ids uid 60000 gid 60001\nshift-default allow\n",
			    NULL),
		     0, "%s", err);
	cr_assert_eq(pol.mode, UG_MODE_AUDIT);
	cr_assert_str_eq(pol.mode_where.file, DROP);
	cr_assert_eq(pol.overflow_uid, 60000);
	cr_assert(pol.shift_default_allow);
}

Test(policy, cross_file_duplicate_mode)
{
	EXPECT_DROP_ERROR("mode enforce\n", "# late\nmode audit\n",
			  DROP ":2:1: duplicate 'mode' (first set at " MAIN ":1)");
	EXPECT_DROP_OK("rule overflow-transitions on\n", "# late\nmode audit\n");
}

Test(policy, cross_file_duplicate_overflow_ids)
{
	EXPECT_DROP_ERROR("\noverflow-ids auto\n", "overflow-ids uid 1 gid 1\n",
			  DROP ":1:1: duplicate 'overflow-ids' (first set at " MAIN ":2)");
	EXPECT_DROP_OK("mode audit\n", "overflow-ids uid 1 gid 1\n");
}

Test(policy, cross_file_duplicate_rule)
{
	EXPECT_DROP_ERROR("rule overflow-transitions on\n", "rule overflow-transitions off\n",
			  DROP ":1:6: duplicate rule 'overflow-transitions' (first set at " MAIN
			       ":1)");
	EXPECT_DROP_OK("rule overflow-transitions on\n", "rule most-restrictive off\n");
}

Test(policy, cross_file_duplicate_exempt)
{
	EXPECT_DROP_ERROR("\n\nexempt overflow-transitions exec /a\n",
			  "exempt overflow-transitions exec /a\n",
			  DROP ":1:34: duplicate exempt '/a' (first set at " MAIN ":3)");
	/* Another path, or the same path for another rule: not a duplicate. */
	EXPECT_DROP_OK("exempt overflow-transitions exec /a\n",
		       "exempt overflow-transitions exec /b\nexempt most-restrictive exec /a\n");
}

Test(policy, cross_file_duplicate_scope)
{
	EXPECT_DROP_ERROR("scope most-restrictive owner 1\n", "scope most-restrictive owner 1\n",
			  DROP ":1:30: duplicate scope '1' (first set at " MAIN ":1)");
	EXPECT_DROP_OK("scope most-restrictive owner 1\n", "scope most-restrictive owner 2\n");
}

Test(policy, cross_file_duplicate_shift_default)
{
	EXPECT_DROP_ERROR("shift-default deny\n", "shift-default allow\n",
			  DROP ":1:1: duplicate 'shift-default' (first set at " MAIN ":1)");
	EXPECT_DROP_OK("rule shift-marks on\n", "shift-default allow\n");
}

Test(policy, duplicate_between_two_drop_ins)
{
	cr_assert_eq(parse3("", "\nrule shift-marks on\n", "rule shift-marks off\n"), -EINVAL);
	cr_assert_str_eq(err, DROP2 ":1:6: duplicate rule 'shift-marks' (first set at " DROP
			      ":2)");
	cr_assert_eq(parse3("", "\nrule shift-marks on\n", "rule most-restrictive off\n"), 0,
		     "%s", err);
}

/* Inside one drop-in, the one-file wording stays. */
Test(policy, same_file_duplicates_keep_their_wording)
{
	EXPECT_DROP_ERROR("rule shift-marks on\n", "mode audit\nmode enforce\n",
			  DROP ":2:1: duplicate 'mode' (first set at line 1)");
	EXPECT_DROP_ERROR("", "exempt overflow-transitions exec /a\n"
			  "exempt overflow-transitions exec /a\n",
			  DROP ":2:34: duplicate exempt '/a' (first at line 1)");
	EXPECT_DROP_OK("rule shift-marks on\n", "mode audit\n");
}

Test(policy, sha256_of_one_file_is_the_files)
{
	const char *text = "rule overflow-transitions on\n";
	const struct ug_policy_text one = { MAIN, text, strlen(text) };
	char want[65], hex[65];

	cr_assert_eq(ug_policy_parse_files(&one, 1, &pol, err, sizeof(err)), 0, "%s", err);
	SHA256Data((const uint8_t *)text, strlen(text), want);
	ug_hex(pol.sha256, 32, hex);
	cr_assert_str_eq(hex, want);
	ug_hex(pol.files[0].sha256, 32, hex);
	cr_assert_str_eq(hex, want);
}

/* With drop-ins: the hash of `sha256sum FILE...`'s output, as `| sha256sum` computes it. */
Test(policy, sha256_of_drop_ins_is_the_manifests)
{
	const char *main = "rule overflow-transitions on\n", *drop = "rule most-restrictive on\n";
	char a[65], b[65], manifest[512], want[65], hex[65];

	cr_assert_eq(parse3(main, drop, NULL), 0, "%s", err);
	SHA256Data((const uint8_t *)main, strlen(main), a);
	SHA256Data((const uint8_t *)drop, strlen(drop), b);
	snprintf(manifest, sizeof(manifest), "%s  %s\n%s  %s\n", a, MAIN, b, DROP);
	SHA256Data((const uint8_t *)manifest, strlen(manifest), want);
	ug_hex(pol.sha256, 32, hex);
	cr_assert_str_eq(hex, want);
	ug_hex(pol.files[0].sha256, 32, hex);
	cr_assert_str_eq(hex, a);
	ug_hex(pol.files[1].sha256, 32, hex);
	cr_assert_str_eq(hex, b);
	/* An empty drop-in still counts: the hash says which files were read. */
	ug_policy_free(&pol);
	cr_assert_eq(parse3(main, "", NULL), 0, "%s", err);
	ug_hex(pol.sha256, 32, hex);
	cr_assert_str_neq(hex, a);
}

Test(policy, at_most_32_files)
{
	struct ug_policy_text files[UG_POLICY_FILES_MAX + 1];
	char names[UG_POLICY_FILES_MAX + 1][32];

	for (int i = 0; i <= UG_POLICY_FILES_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "d/%02d.conf", i);
		files[i] = (struct ug_policy_text){ names[i], "", 0 };
	}
	cr_assert_eq(ug_policy_parse_files(files, UG_POLICY_FILES_MAX + 1, &pol, err, sizeof(err)),
		     -EINVAL);
	cr_assert_str_eq(err, "d/00.conf: 33 policy files (one to 32: the file and its drop-ins)");
	cr_assert_eq(ug_policy_parse_files(files, UG_POLICY_FILES_MAX, &pol, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(pol.n_files, 32);
}
