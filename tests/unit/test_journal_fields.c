// SPDX-License-Identifier: GPL-2.0-only
/* Journal entries: MESSAGE_ID, PRIORITY, MESSAGE and every JSON field as USERNSGUARD_*. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "event_format.h"
#include "journal_fields.h"

#define BOOT_NS 5000000123ULL
#define OFFSET ((__s64)1795381200 * 1000000000LL - (__s64)BOOT_NS)

static struct ug_journal_entry entry;
static char json[4096], text[1024], all[16384];

static struct ug_event kill_event(void)
{
	struct ug_event ev = {
		.boot_ns = BOOT_NS + 7,
		.pid = 101,
		.tgid = 100,
		.userns_ino = 4026531837u,
		.mntns_ino = 4026531841u,
		.cgroup_id = 1,
		.source = UG_SOURCE_USER | 1000,
		.uid = 1000,
		.gid = 1000,
		.ns_uid = 1000,
		.ns_gid = 1000,
		.comm = "setpriv",
		.rule = UG_RULE_OVERFLOW_TRANSITIONS,
		.verdict = UG_VERDICT_KILLED,
		.op = UG_OP_SETUID,
		.target_id = 65534,
	};

	for (int i = 0; i < 4; i++)
		ev.req_uid[i] = ev.req_gid[i] = UG_INVALID_ID;
	ev.req_uid[0] = 65534;
	return ev;
}

/* The entry's fields, one per line, in order. */
static const char *build(const struct ug_event *ev, struct ug_journal_kind kind)
{
	size_t n = 0;

	cr_assert_gt(ug_event_format(ev, OFFSET, UG_FORMAT_JSON, json, sizeof(json)), 0);
	cr_assert_gt(ug_event_format(ev, OFFSET, UG_FORMAT_TEXT, text, sizeof(text)), 0);
	cr_assert_eq(ug_journal_entry_build(&entry, kind, json, text), 0);
	for (size_t i = 0; i < entry.n; i++) {
		cr_assert_lt(n + entry.iov[i].iov_len + 1, sizeof(all));
		memcpy(all + n, entry.iov[i].iov_base, entry.iov[i].iov_len);
		n += entry.iov[i].iov_len;
		all[n++] = '\n';
	}
	all[n] = '\0';
	return all;
}

Test(journal_fields, a_kill_names_rule_and_target)
{
	struct ug_event ev = kill_event();

	cr_assert_str_eq(
		build(&ev, ug_journal_event_kind(UG_RULE_OVERFLOW_TRANSITIONS, UG_VERDICT_KILLED)),
		"MESSAGE=killed overflow-transitions setuid pid=100 comm=setpriv uid=1000 gid=1000 "
		"source=user:1000 target=65534\n"
		"MESSAGE_ID=c89beb645f5d4217b669a1e00dca4d03\n"
		"PRIORITY=3\n"
		"SYSLOG_FACILITY=10\n"
		"SYSLOG_IDENTIFIER=usernsguard\n"
		"USERNSGUARD_TIMESTAMP=2026-11-22T21:00:00.000000007Z\n"
		"USERNSGUARD_EVENT_KIND=alert\n"
		"USERNSGUARD_EVENT_CATEGORY=iam\n"
		"USERNSGUARD_EVENT_TYPE=denied\n"
		"USERNSGUARD_EVENT_ACTION=setuid\n"
		"USERNSGUARD_EVENT_OUTCOME=failure\n"
		"USERNSGUARD_EVENT_MODULE=usernsguard\n"
		"USERNSGUARD_PROCESS_PID=100\n"
		"USERNSGUARD_PROCESS_THREAD_ID=101\n"
		"USERNSGUARD_PROCESS_NAME=setpriv\n"
		"USERNSGUARD_USER_ID=1000\n"
		"USERNSGUARD_GROUP_ID=1000\n"
		"USERNSGUARD_RULE=overflow-transitions\n"
		"USERNSGUARD_VERDICT=killed\n"
		"USERNSGUARD_NAMESPACE_USER_INODE=4026531837\n"
		"USERNSGUARD_NAMESPACE_MNT_INODE=4026531841\n"
		"USERNSGUARD_NAMESPACE_UID=1000\n"
		"USERNSGUARD_NAMESPACE_GID=1000\n"
		"USERNSGUARD_CGROUP_ID=1\n"
		"USERNSGUARD_SOURCE=user:1000\n"
		"USERNSGUARD_TARGET_ID=65534\n"
		"USERNSGUARD_REQUESTED_UID=65534,,,\n");
}

Test(journal_fields, priority_and_id_follow_rule_and_verdict)
{
	struct ug_journal_kind k;
	char id[33];

	k = ug_journal_event_kind(UG_RULE_MOST_RESTRICTIVE, UG_VERDICT_DENIED);
	ug_journal_message_id(k, id);
	cr_assert_str_eq(id, "c89beb645f5d4217b669a1e00dca4d11");
	cr_assert_eq(k.priority, 4);
	k = ug_journal_event_kind(UG_RULE_SHIFT_MARKS, UG_VERDICT_AUDITED);
	ug_journal_message_id(k, id);
	cr_assert_str_eq(id, "c89beb645f5d4217b669a1e00dca4d22");
	cr_assert_eq(k.priority, 5);
	k = ug_journal_event_kind(UG_RULE_OVERFLOW_TRANSITIONS, UG_VERDICT_REPORTED);
	ug_journal_message_id(k, id);
	cr_assert_str_eq(id, "c89beb645f5d4217b669a1e00dca4d04");
	cr_assert_eq(k.priority, 4);
	ug_journal_message_id(ug_journal_lost_kind(), id);
	cr_assert_str_eq(id, "c89beb645f5d4217b669a1e00dca4df1");
	ug_journal_message_id(ug_journal_held_back_kind(), id);
	cr_assert_str_eq(id, "c89beb645f5d4217b669a1e00dca4df2");
}

/* A hostile name: no field holds a raw control byte, so no text view of the journal splits. */
Test(journal_fields, control_bytes_are_escaped_in_every_field)
{
	struct ug_event ev = kill_event();
	const char *e;

	memcpy(ev.comm, "x\nforged \\\x7f\xe9z", 14);
	e = build(&ev, ug_journal_event_kind(UG_RULE_OVERFLOW_TRANSITIONS, UG_VERDICT_KILLED));
	cr_assert(strstr(e, "\nUSERNSGUARD_PROCESS_NAME=x\\x0aforged \\x5c\\x7f\xc3\xa9z\n"), "%s", e);
	cr_assert(strstr(e, "MESSAGE=killed overflow-transitions setuid pid=100 "
			    "comm=x\\x0aforged\\x20\\x5c\\x7f\\xe9z uid=1000"), "%s", e);
	for (size_t i = 0; i < entry.n; i++)
		for (size_t j = 0; j < entry.iov[i].iov_len; j++)
			cr_assert_geq(((unsigned char *)entry.iov[i].iov_base)[j], 0x20,
				      "field %zu byte %zu", i, j);
}

Test(journal_fields, a_loss_summary)
{
	struct ug_lost_report lost = { .rule = UG_RULE_MOST_RESTRICTIVE, .ring_full = 3,
				       .rate_limited = 4 };
	const __u64 when = 1795381200ULL * 1000000000ULL;

	cr_assert_gt(ug_lost_format(&lost, when, UG_FORMAT_JSON, json, sizeof(json)), 0);
	cr_assert_gt(ug_lost_format(&lost, when, UG_FORMAT_TEXT, text, sizeof(text)), 0);
	cr_assert_eq(ug_journal_entry_build(&entry, ug_journal_lost_kind(), json, text), 0);
	cr_assert_eq(entry.n, 14);
	cr_assert_eq(strncmp(entry.iov[0].iov_base, "MESSAGE=lost most-restrictive ring_full=3 "
				  "rate_limited=4\0", entry.iov[0].iov_len), 0);
	cr_assert_eq(entry.iov[0].iov_len, strlen("MESSAGE=lost most-restrictive ring_full=3 "
						  "rate_limited=4"));
	cr_assert_eq(memcmp(entry.iov[12].iov_base, "USERNSGUARD_LOST_RATE_LIMITED=4", 31), 0);
}

Test(journal_fields, what_is_not_a_json_object_is_refused)
{
	cr_assert_eq(ug_journal_entry_build(&entry, ug_journal_lost_kind(), "not json", "x"),
		     -EINVAL);
	cr_assert_eq(ug_journal_entry_build(&entry, ug_journal_lost_kind(), "[1]", "x"), -EINVAL);
}
