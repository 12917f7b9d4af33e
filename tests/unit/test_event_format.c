// SPDX-License-Identifier: GPL-2.0-only
/* Event lines: the exact JSON for each rule, escaping, text, lost reports. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "event_format.h"

/* 2026-11-22T21:00:00Z is 1795381200 s after the epoch; boot at 1000 s before. */
#define BOOT_NS 5000000123ULL
#define OFFSET ((__s64)1795381200 * 1000000000LL - (__s64)BOOT_NS)

static char buf[4096];

static struct ug_event base(void)
{
	struct ug_event ev = {
		.boot_ns = BOOT_NS + 7,
		.pid = 101,
		.tgid = 100,
		.uid = 0,
		.gid = 0,
		.ns_uid = 0,
		.ns_gid = 0,
		.userns_ino = 4026531837u,
		.mntns_ino = 4026531841u,
		.cgroup_id = 1,
		.source = UG_SOURCE_USER | 0,
		.comm = "su",
	};

	for (int i = 0; i < 4; i++)
		ev.req_uid[i] = ev.req_gid[i] = UG_INVALID_ID;
	return ev;
}

Test(event_format, rule_one_setuid_denied)
{
	struct ug_event ev = base();

	ev.rule = UG_RULE_OVERFLOW_TRANSITIONS;
	ev.verdict = UG_VERDICT_DENIED;
	ev.op = UG_OP_SETUID;
	ev.errno_val = EPERM;
	ev.target_id = 65534;
	ev.req_uid[0] = ev.req_uid[1] = ev.req_uid[2] = ev.req_uid[3] = 65534;
	cr_assert_gt(ug_event_format(&ev, OFFSET, UG_FORMAT_JSON, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf,
		"{\"@timestamp\":\"2026-11-22T21:00:00.000000007Z\","
		"\"event\":{\"kind\":\"alert\",\"category\":[\"iam\"],\"type\":[\"denied\"],"
		"\"action\":\"setuid\",\"outcome\":\"failure\",\"module\":\"usernsguard\"},"
		"\"error\":{\"code\":\"EPERM\"},"
		"\"process\":{\"pid\":100,\"thread\":{\"id\":101},\"name\":\"su\"},"
		"\"user\":{\"id\":\"0\"},\"group\":{\"id\":\"0\"},"
		"\"usernsguard\":{\"rule\":\"overflow-transitions\",\"verdict\":\"denied\","
		"\"namespace\":{\"user_inode\":4026531837,\"mnt_inode\":4026531841,\"uid\":0,\"gid\":0},"
		"\"cgroup_id\":1,\"source\":\"user:0\",\"target_id\":65534,"
		"\"requested\":{\"uid\":[65534,65534,65534,65534],\"gid\":[null,null,null,null]}}}");
}

Test(event_format, rule_two_access_audited)
{
	struct ug_event ev = base();

	ev.rule = UG_RULE_MOST_RESTRICTIVE;
	ev.verdict = UG_VERDICT_AUDITED;
	ev.op = UG_OP_ACCESS;
	ev.uid = 101000;
	ev.gid = 101000;
	ev.ns_uid = 1000;
	ev.ns_gid = 1000;
	ev.source = UG_SOURCE_USERNS | 4026532199u;
	ev.dev = (7ULL << 20) | 1;
	ev.ino = 12;
	ev.mode = 0100707;
	ev.owner_uid = 0;
	ev.owner_gid = 0;
	ev.mask = 4;
	ev.path_uid = 0;
	ev.path_gid = 0;
	cr_assert_gt(ug_event_format(&ev, OFFSET, UG_FORMAT_JSON, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf,
		"{\"@timestamp\":\"2026-11-22T21:00:00.000000007Z\","
		"\"event\":{\"kind\":\"alert\",\"category\":[\"file\"],\"type\":[\"allowed\"],"
		"\"action\":\"access\",\"outcome\":\"success\",\"module\":\"usernsguard\"},"
		"\"process\":{\"pid\":100,\"thread\":{\"id\":101},\"name\":\"su\"},"
		"\"user\":{\"id\":\"101000\"},\"group\":{\"id\":\"101000\"},"
		"\"file\":{\"device\":\"7:1\",\"inode\":\"12\",\"mode\":\"0707\",\"uid\":\"0\",\"gid\":\"0\"},"
		"\"usernsguard\":{\"rule\":\"most-restrictive\",\"verdict\":\"audited\","
		"\"namespace\":{\"user_inode\":4026531837,\"mnt_inode\":4026531841,\"uid\":1000,\"gid\":1000},"
		"\"cgroup_id\":1,\"source\":\"userns:4026532199\",\"access\":{\"requested\":\"r--\",\"path_uid\":0,\"path_gid\":0}}}");
}

Test(event_format, rule_three_shift_refused)
{
	struct ug_event ev = base();

	ev.rule = UG_RULE_SHIFT_MARKS;
	ev.verdict = UG_VERDICT_DENIED;
	ev.op = UG_OP_SHIFT_ATTACH;
	ev.errno_val = EPERM;
	ev.reason = UG_SHIFT_BAD_IDMAP;
	ev.dev = (7ULL << 20);
	ev.ino = 12;
	ev.mark_shiftable_by = 200000;
	ev.mark_origin = 100000;
	ev.mark_range = 65536;
	ev.idmap_first = 100000;
	ev.idmap_lower = 300000;
	ev.idmap_count = 65536;
	ev.idmap_nr = 2;
	ev.bad_first = 100000;
	ev.bad_lower = 300000;
	ev.bad_count = 65536;
	ev.owner_uid = 100000;
	ev.owner_gid = 100000;
	cr_assert_gt(ug_event_format(&ev, OFFSET, UG_FORMAT_JSON, buf, sizeof(buf)), 0);
	cr_assert(strstr(buf, "\"file\":{\"device\":\"7:0\",\"inode\":\"12\","), "%s", buf);
	cr_assert(strstr(buf, "\"usernsguard\":{\"rule\":\"shift-marks\",\"verdict\":\"denied\","),
		  "%s", buf);
	cr_assert(strstr(buf, "\"shift\":{\"reason\":\"idmap-outside-mark\","
			      "\"mark\":{\"shiftable_by\":200000,\"origin\":100000,\"range\":65536},"
			      "\"idmap\":{\"first\":100000,\"lower_first\":300000,\"count\":65536,"
			      "\"extents\":2,\"outside_mark\":{\"first\":100000,\"lower_first\":300000,"
			      "\"count\":65536}}}}}"),
		  "%s", buf);
	cr_assert(strstr(buf, "\"action\":\"shift-attach\""), "%s", buf);
}

/* Every rule-3 reason has its own name; a view too deep to judge is one of them. */
Test(event_format, rule_three_reason_names)
{
	static const char *const names[] = { "unmarked", "idmap-outside-mark", "wrong-namespace",
					     "mark-needs-read-only", "write-through-read-only-mark",
					     "too-deep-to-judge", "view-contains-mark" };
	struct ug_event ev = base();
	char want[64];
	__u32 r;

	ev.rule = UG_RULE_SHIFT_MARKS;
	ev.verdict = UG_VERDICT_DENIED;
	ev.op = UG_OP_SHIFT_USE;
	ev.errno_val = EPERM;
	for (r = UG_SHIFT_UNMARKED; r <= UG_SHIFT_CONTAINS_MARK; r++) {
		ev.reason = r;
		cr_assert_gt(ug_event_format(&ev, OFFSET, UG_FORMAT_JSON, buf, sizeof(buf)), 0);
		snprintf(want, sizeof(want), "\"shift\":{\"reason\":\"%s\"", names[r - 1]);
		cr_assert(strstr(buf, want), "reason %u: %s", r, buf);
	}
}

Test(event_format, every_comm_byte_is_valid_json)
{
	struct ug_event ev = base();

	ev.rule = UG_RULE_OVERFLOW_TRANSITIONS;
	ev.verdict = UG_VERDICT_KILLED;
	ev.op = UG_OP_SETUID;
	memcpy(ev.comm, "a\"b\\c\n\x01/\xff\xe9", 11);
	cr_assert_gt(ug_event_format(&ev, OFFSET, UG_FORMAT_JSON, buf, sizeof(buf)), 0);
	/* Quote, backslash, newline and control escaped; 0xff -> U+00FF, 0xe9 -> U+00E9. */
	cr_assert(strstr(buf, "\"name\":\"a\\\"b\\\\c\\n\\u0001/\xc3\xbf\xc3\xa9\""), "%s", buf);
	cr_assert(strstr(buf, "\"type\":[\"denied\"]"), "%s", buf);
	cr_assert(!strstr(buf, "\"error\""), "a kill in audit-free mode carries no errno: %s", buf);
}

Test(event_format, comm_of_full_sixteen_bytes_is_bounded)
{
	struct ug_event ev = base();

	memset(ev.comm, 'x', sizeof(ev.comm));
	cr_assert_gt(ug_event_format(&ev, OFFSET, UG_FORMAT_JSON, buf, sizeof(buf)), 0);
	cr_assert(strstr(buf, "\"name\":\"xxxxxxxxxxxxxxxx\""), "%s", buf);
}

/* A rule-2 denial of a 0707 file, the event the text tests print. */
static struct ug_event access_denial(__u32 mask)
{
	struct ug_event ev = base();

	ev.rule = UG_RULE_MOST_RESTRICTIVE;
	ev.verdict = UG_VERDICT_DENIED;
	ev.op = UG_OP_ACCESS;
	ev.errno_val = EACCES;
	ev.ino = 12;
	ev.mode = 0100707;
	ev.mask = mask;
	return ev;
}

Test(event_format, text_line)
{
	struct ug_event ev = access_denial(5);

	cr_assert_gt(ug_event_format(&ev, OFFSET, UG_FORMAT_TEXT, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "2026-11-22T21:00:00.000000007Z denied most-restrictive access pid=100 "
			      "comm=su uid=0 gid=0 source=user:0 ino=12 mode=0707 access=r-x errno=EACCES");
}

/* A task cannot write a line of its own into the text stream (issue 18). */
Test(event_format, text_comm_cannot_inject_a_line)
{
	struct ug_event ev = access_denial(4);

	memcpy(ev.comm, "x\nforged \\\x7f\xe9z", 14);
	cr_assert_gt(ug_event_format(&ev, OFFSET, UG_FORMAT_TEXT, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "2026-11-22T21:00:00.000000007Z denied most-restrictive access pid=100 "
			      "comm=x\\x0aforged\\x20\\x5c\\x7f\\xe9z uid=0 gid=0 source=user:0 ino=12 mode=0707 "
			      "access=r-- errno=EACCES");
	cr_assert_null(strchr(buf, '\n'));
	/* Twin: a plain name is kept as it is. */
	memset(ev.comm, 0, sizeof(ev.comm));
	memcpy(ev.comm, "nginx-worker", 12);
	cr_assert_gt(ug_event_format(&ev, OFFSET, UG_FORMAT_TEXT, buf, sizeof(buf)), 0);
	cr_assert(strstr(buf, " comm=nginx-worker uid=0 "), "%s", buf);
}

Test(event_format, too_small_a_buffer)
{
	struct ug_event ev = base();

	cr_assert_eq(ug_event_format(&ev, OFFSET, UG_FORMAT_JSON, buf, 10), -ENOSPC);
	cr_assert_eq(ug_event_format(&ev, OFFSET, UG_FORMAT_TEXT, buf, 10), -ENOSPC);
}

Test(event_format, lost_report)
{
	struct ug_lost_report lost = { .rule = UG_RULE_MOST_RESTRICTIVE, .ring_full = 7,
				       .rate_limited = 3, .initial = 1 };

	cr_assert_gt(ug_lost_format(&lost, 1795381200000000000ULL, UG_FORMAT_JSON, buf,
				    sizeof(buf)), 0);
	cr_assert_str_eq(buf, "{\"@timestamp\":\"2026-11-22T21:00:00.000000000Z\","
			      "\"event\":{\"kind\":\"metric\",\"action\":\"lost\",\"module\":\"usernsguard\"},"
			      "\"usernsguard\":{\"rule\":\"most-restrictive\",\"lost\":{\"count\":10,"
			      "\"ring_full\":7,\"rate_limited\":3,\"initial\":true}}}");
}

/* setgroups names the groups asked for: how many, and the first four. */
Test(event_format, setgroups_names_the_groups)
{
	struct ug_event ev = base();

	ev.rule = UG_RULE_OVERFLOW_TRANSITIONS;
	ev.verdict = UG_VERDICT_DENIED;
	ev.op = UG_OP_SETGROUPS;
	ev.target_id = 65534;
	ev.req_uid[0] = 2;
	ev.req_gid[0] = 100;
	ev.req_gid[1] = 65534;
	cr_assert_gt(ug_event_format(&ev, OFFSET, UG_FORMAT_JSON, buf, sizeof(buf)), 0);
	cr_assert(strstr(buf, "\"target_id\":65534,\"requested\":{\"groups\":[100,65534],"
			      "\"groups_count\":2}}}"), "%s", buf);
	ev.req_uid[0] = 70000;
	ev.req_gid[2] = 7;
	ev.req_gid[3] = 8;
	cr_assert_gt(ug_event_format(&ev, OFFSET, UG_FORMAT_JSON, buf, sizeof(buf)), 0);
	cr_assert(strstr(buf, "{\"groups\":[100,65534,7,8],\"groups_count\":70000}"), "%s", buf);
}

/* What the reader learnt of the cgroup: ECS container.* and orchestrator.*, the path and unit. */
Test(event_format, container_identity)
{
	struct ug_event ev = base();
	struct ug_event_who who = { .cgroup_path = "/kubepods.slice/kubepods-pod0f1e2d3c_4b5a_6978_"
						   "8796_a5b4c3d2e1f0.slice/cri-containerd-"
						   "4c5a1e2f9b0d3c7e8a6f5b4d2c1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e.scope" };

	ev.rule = UG_RULE_OVERFLOW_TRANSITIONS;
	ev.verdict = UG_VERDICT_DENIED;
	ev.op = UG_OP_SETUID;
	ev.errno_val = EPERM;
	ev.target_id = 65534;
	ug_cgroup_identify(who.cgroup_path, &who.id);
	cr_assert_gt(ug_event_format_who(&ev, &who, OFFSET, UG_FORMAT_JSON, buf, sizeof(buf)), 0);
	cr_assert(strstr(buf, "\"group\":{\"id\":\"0\"},\"container\":{\"id\":\"4c5a1e2f9b0d3c7e8a6f5b4d"
			      "2c1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e\",\"runtime\":\"containerd\"},"
			      "\"orchestrator\":{\"type\":\"kubernetes\",\"resource\":{\"type\":\"pod\","
			      "\"id\":\"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\"}},\"usernsguard\":"), "%s", buf);
	cr_assert(strstr(buf, "\"source\":\"user:0\",\"cgroup_path\":\"/kubepods.slice/"), "%s", buf);
	cr_assert(strstr(buf, ".scope\",\"unit\":\"cri-containerd-4c5a"), "%s", buf);
	/* The memo of the last line must not hand this line to an event of another cgroup. */
	snprintf(who.cgroup_path, sizeof(who.cgroup_path), "/lxc.payload.web1");
	ug_cgroup_identify(who.cgroup_path, &who.id);
	cr_assert_gt(ug_event_format_who(&ev, &who, OFFSET, UG_FORMAT_JSON, buf, sizeof(buf)), 0);
	cr_assert(strstr(buf, "\"container\":{\"name\":\"web1\",\"runtime\":\"lxc\"},\"usernsguard\":"),
		  "%s", buf);
	cr_assert_null(strstr(buf, "orchestrator"));
	/* Twin: no identity, no such fields. */
	cr_assert_gt(ug_event_format(&ev, OFFSET, UG_FORMAT_JSON, buf, sizeof(buf)), 0);
	cr_assert_null(strstr(buf, "container"));
	cr_assert_null(strstr(buf, "cgroup_path"));
}

/* One summary per source whose budget held events back (bpf/fairness.bpf.h). */
Test(event_format, held_back_report)
{
	struct ug_held_back_report held = { .source = UG_SOURCE_USERNS | 4026532199u,
					    .rate_limited = 2, .over_share = 2990 };
	char name[32];

	cr_assert_gt(ug_held_back_format(&held, 1795381200000000000ULL, UG_FORMAT_JSON, buf,
					 sizeof(buf)), 0);
	cr_assert_str_eq(buf, "{\"@timestamp\":\"2026-11-22T21:00:00.000000000Z\","
			      "\"event\":{\"kind\":\"metric\",\"action\":\"held-back\","
			      "\"module\":\"usernsguard\"},\"usernsguard\":{\"source\":\"userns:4026532199\","
			      "\"held_back\":{\"count\":2992,\"rate_limited\":2,\"over_share\":2990,"
			      "\"initial\":false}}}");
	held.source = UG_SOURCE_USER | 1000;
	held.initial = 1;
	cr_assert_gt(ug_held_back_format(&held, 1795381200000000000ULL, UG_FORMAT_TEXT, buf,
					 sizeof(buf)), 0);
	cr_assert_str_eq(buf, "2026-11-22T21:00:00.000000000Z held-back source=user:1000 "
			      "rate_limited=2 over_share=2990 (before this reader started)");
	cr_assert_str_eq(ug_source_string(0, name), "unknown");
	cr_assert_str_eq(ug_source_string(UG_SOURCE_USER | 4294967294u, name), "user:4294967294");
}

/* The storm path reuses the line after the timestamp: it must equal a fresh format. */
Test(event_format, repeated_event_reuses_an_identical_line)
{
	struct ug_event a = base(), b = base();
	char first[4096], reused[4096], fresh[4096];

	a.rule = UG_RULE_OVERFLOW_TRANSITIONS;
	a.verdict = UG_VERDICT_DENIED;
	a.op = UG_OP_CHOWN;
	a.errno_val = EPERM;
	a.target_id = 65534;
	a.ino = 42;
	a.mode = 0100644;
	b = a;
	b.pid = 999;

	cr_assert_gt(ug_event_format(&a, OFFSET, UG_FORMAT_JSON, first, sizeof(first)), 0);
	a.boot_ns += 1500000000ULL; /* 1.5 s later: another second, another calendar part */
	cr_assert_gt(ug_event_format(&a, OFFSET, UG_FORMAT_JSON, reused, sizeof(reused)), 0);
	cr_assert_gt(ug_event_format(&b, OFFSET, UG_FORMAT_JSON, buf, sizeof(buf)), 0);
	cr_assert(strstr(buf, "\"thread\":{\"id\":999}"), "a changed field is not reused: %s", buf);
	cr_assert_gt(ug_event_format(&a, OFFSET, UG_FORMAT_JSON, fresh, sizeof(fresh)), 0);
	cr_assert_str_eq(reused, fresh);
	cr_assert(strncmp(reused, "{\"@timestamp\":\"2026-11-22T21:00:01.500000007Z\",", 47) == 0,
		  "%s", reused);
	cr_assert_str_eq(strchr(first, ','), strchr(reused, ','), "only the time differs");
	cr_assert_eq(ug_event_format(&a, OFFSET, UG_FORMAT_JSON, buf, 100), -ENOSPC,
		     "a reused line is bounded too");
}
