// SPDX-License-Identifier: GPL-2.0-only
/* `status --format prometheus`: the exact exposition text, loaded and not. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "metrics_format.h"
#include "util.h"

static char buf[8192];

Test(metrics, not_loaded_still_says_so)
{
	struct ug_metrics m = { .loaded = false, .generation = 7 };

	cr_assert_gt(ug_metrics_format(&m, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf,
		"# HELP usernsguard_loaded Whether usernsguard's programs and policy are pinned (1) or not (0).\n"
		"# TYPE usernsguard_loaded gauge\n"
		"usernsguard_loaded 0\n");
}

Test(metrics, loaded_policy_and_counters)
{
	struct ug_metrics m = {
		.loaded = true,
		.generation = 3,
		/* 2026-11-22T21:00:00.000000042Z */
		.loaded_at_ns = 1795381200000000042ULL,
		.mode = { UG_MODE_ENFORCE, UG_MODE_AUDIT, UG_MODE_OFF },
		.counters = {
			{ .denied = 3, .audited = 0, .lost = 1, .ratelimited = 2, .reported = 4 },
			{ .denied = 0, .audited = 18446744073709551615ULL },
			{ 0 },
		},
		.sources_seen = 7,
		.n_held = 2,
		.held = {
			{ UG_SOURCE_USERNS | 4026532199u, 0, 2990 },
			{ UG_SOURCE_USER | 1000, 2, 0 },
		},
	};
	int n = ug_metrics_format(&m, buf, sizeof(buf));

	cr_assert_eq(n, (int)strlen(buf));
	cr_assert_str_eq(buf,
		"# HELP usernsguard_loaded Whether usernsguard's programs and policy are pinned (1) or not (0).\n"
		"# TYPE usernsguard_loaded gauge\n"
		"usernsguard_loaded 1\n"
		"# HELP usernsguard_policy_generation Policy loads since the programs were attached.\n"
		"# TYPE usernsguard_policy_generation gauge\n"
		"usernsguard_policy_generation 3\n"
		"# HELP usernsguard_policy_loaded_timestamp_seconds When the policy in force was loaded, in seconds since the epoch.\n"
		"# TYPE usernsguard_policy_loaded_timestamp_seconds gauge\n"
		"usernsguard_policy_loaded_timestamp_seconds 1795381200.000000042\n"
		"# HELP usernsguard_rule_mode The mode each rule runs in: 1 for the mode it is in, 0 for the others.\n"
		"# TYPE usernsguard_rule_mode gauge\n"
		"usernsguard_rule_mode{rule=\"overflow-transitions\",mode=\"off\"} 0\n"
		"usernsguard_rule_mode{rule=\"overflow-transitions\",mode=\"enforce\"} 1\n"
		"usernsguard_rule_mode{rule=\"overflow-transitions\",mode=\"audit\"} 0\n"
		"usernsguard_rule_mode{rule=\"most-restrictive\",mode=\"off\"} 0\n"
		"usernsguard_rule_mode{rule=\"most-restrictive\",mode=\"enforce\"} 0\n"
		"usernsguard_rule_mode{rule=\"most-restrictive\",mode=\"audit\"} 1\n"
		"usernsguard_rule_mode{rule=\"shift-marks\",mode=\"off\"} 1\n"
		"usernsguard_rule_mode{rule=\"shift-marks\",mode=\"enforce\"} 0\n"
		"usernsguard_rule_mode{rule=\"shift-marks\",mode=\"audit\"} 0\n"
		"# HELP usernsguard_denials_total Operations a rule refused (including tasks killed), since the programs were attached.\n"
		"# TYPE usernsguard_denials_total counter\n"
		"usernsguard_denials_total{rule=\"overflow-transitions\"} 3\n"
		"usernsguard_denials_total{rule=\"most-restrictive\"} 0\n"
		"usernsguard_denials_total{rule=\"shift-marks\"} 0\n"
		"# HELP usernsguard_audits_total Operations a rule in audit mode would have refused, and allowed.\n"
		"# TYPE usernsguard_audits_total counter\n"
		"usernsguard_audits_total{rule=\"overflow-transitions\"} 0\n"
		"usernsguard_audits_total{rule=\"most-restrictive\"} 18446744073709551615\n"
		"usernsguard_audits_total{rule=\"shift-marks\"} 0\n"
		"# HELP usernsguard_events_lost_total Events not delivered because the ring buffer was full.\n"
		"# TYPE usernsguard_events_lost_total counter\n"
		"usernsguard_events_lost_total{rule=\"overflow-transitions\"} 1\n"
		"usernsguard_events_lost_total{rule=\"most-restrictive\"} 0\n"
		"usernsguard_events_lost_total{rule=\"shift-marks\"} 0\n"
		"# HELP usernsguard_events_ratelimited_total Events not sent because a source's budget held them back (its rate limit or its share of a filling ring).\n"
		"# TYPE usernsguard_events_ratelimited_total counter\n"
		"usernsguard_events_ratelimited_total{rule=\"overflow-transitions\"} 2\n"
		"usernsguard_events_ratelimited_total{rule=\"most-restrictive\"} 0\n"
		"usernsguard_events_ratelimited_total{rule=\"shift-marks\"} 0\n"
		"# HELP usernsguard_reports_total Changes a rule reports because no hook can refuse them (rule 1: map writes).\n"
		"# TYPE usernsguard_reports_total counter\n"
		"usernsguard_reports_total{rule=\"overflow-transitions\"} 4\n"
		"usernsguard_reports_total{rule=\"most-restrictive\"} 0\n"
		"usernsguard_reports_total{rule=\"shift-marks\"} 0\n"
		"# HELP usernsguard_event_sources Event sources (host users, containers) with a budget in the kernel.\n"
		"# TYPE usernsguard_event_sources gauge\n"
		"usernsguard_event_sources 7\n"
		"# HELP usernsguard_source_events_held_back_total Events a source's budget held back, by source and reason (the sources with the most).\n"
		"# TYPE usernsguard_source_events_held_back_total counter\n"
		"usernsguard_source_events_held_back_total{source=\"userns:4026532199\",reason=\"rate-limit\"} 0\n"
		"usernsguard_source_events_held_back_total{source=\"userns:4026532199\",reason=\"over-share\"} 2990\n"
		"usernsguard_source_events_held_back_total{source=\"user:1000\",reason=\"rate-limit\"} 2\n"
		"usernsguard_source_events_held_back_total{source=\"user:1000\",reason=\"over-share\"} 0\n");
}

Test(metrics, no_policy_installed_yet_has_no_load_time)
{
	struct ug_metrics m = { .loaded = true, .generation = 0, .loaded_at_ns = 5 };

	cr_assert_gt(ug_metrics_format(&m, buf, sizeof(buf)), 0);
	cr_assert_null(strstr(buf, "loaded_timestamp"));
	cr_assert_not_null(strstr(buf, "usernsguard_policy_generation 0\n"));
}

Test(metrics, too_small_a_buffer)
{
	struct ug_metrics m = { .loaded = true, .generation = 1 };
	char small[100];

	cr_assert_eq(ug_metrics_format(&m, small, sizeof(small)), -ENOSPC);
	cr_assert_eq(ug_metrics_format(&m, small, 0), -ENOSPC);
}

/* --output: the whole file or nothing, readable by a collector, no temp file left. */
Test(metrics, atomic_write)
{
	char dir[] = "/tmp/ug-metrics-XXXXXX", path[64], cmd[128];
	struct stat st;
	size_t len;
	char *text;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/usernsguard.prom", dir);
	cr_assert_eq(ug_write_atomic(path, "old\n", 4), 0);
	cr_assert_eq(ug_write_atomic(path, "usernsguard_loaded 1\n", 21), 0);
	cr_assert_eq(ug_read_file(path, 1024, &text, &len), 0);
	cr_assert_str_eq(text, "usernsguard_loaded 1\n");
	free(text);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0644);
	snprintf(cmd, sizeof(cmd), "test \"$(ls -A %s)\" = usernsguard.prom", dir);
	cr_assert_eq(system(cmd), 0, "a temporary file was left in %s", dir);
	snprintf(path, sizeof(path), "%s/missing/usernsguard.prom", dir);
	cr_assert_eq(ug_write_atomic(path, "x", 1), -ENOENT);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}
