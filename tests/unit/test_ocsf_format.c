// SPDX-License-Identifier: GPL-2.0-only
/*
 * OCSF 1.3.0 output: each class's required attributes are there, with the
 * type_uid the schema derives (class_uid * 100 + activity_id), and one
 * line pinned exactly. The required lists are the schema's: base_event
 * (activity_id, category_uid, class_uid, metadata with product.vendor_name
 * and version, severity_id, time, type_uid), the System Activity category
 * (actor, device with type_id), Process Activity (process), File System
 * Activity (actor, file with name and type_id).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "ocsf_format.h"

static char buf[8192];

/* The member at dotted @path, or NULL. */
static struct json_object *at(struct json_object *obj, const char *path)
{
	char copy[128], *save = NULL, *key;

	snprintf(copy, sizeof(copy), "%s", path);
	for (key = strtok_r(copy, ".", &save); key && obj; key = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(obj, key, &obj))
			return NULL;
	return obj;
}

static long long num(struct json_object *obj, const char *path)
{
	struct json_object *v = at(obj, path);

	cr_assert_not_null(v, "%s missing", path);
	return json_object_get_int64(v);
}

/* Parse the line, check what every class requires, return it for more. */
static struct json_object *required(const struct ug_event *ev, long long class_uid,
				    long long activity_id)
{
	struct json_object *obj;
	static const char *const base[] = { "time", "category_uid", "class_uid", "activity_id",
					    "type_uid", "severity_id", "metadata.version",
					    "metadata.product.vendor_name", "actor", "device",
					    "device.type_id", "action_id", "disposition_id" };

	cr_assert_gt(ug_ocsf_format(ev, NULL, "host-1", 1000000000LL, buf, sizeof(buf)), 0);
	obj = json_tokener_parse(buf);
	cr_assert_not_null(obj, "not JSON: %s", buf);
	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		cr_assert_not_null(at(obj, base[i]), "%s missing in %s", base[i], buf);
	cr_assert_eq(num(obj, "category_uid"), 1);
	cr_assert_eq(num(obj, "class_uid"), class_uid, "%s", buf);
	cr_assert_eq(num(obj, "activity_id"), activity_id, "%s", buf);
	cr_assert_eq(num(obj, "type_uid"), class_uid * 100 + activity_id);
	cr_assert_str_eq(json_object_get_string(at(obj, "metadata.version")), "1.3.0");
	if (class_uid == 1007) {
		cr_assert_not_null(at(obj, "process"), "%s", buf);
	} else {
		cr_assert_not_null(at(obj, "file.name"), "%s", buf);
		cr_assert_not_null(at(obj, "file.type_id"), "%s", buf);
	}
	return obj;
}

static struct ug_event event(__u32 rule, __u32 op, __u32 verdict)
{
	struct ug_event ev = {
		.boot_ns = 795381200000000000ULL,
		.pid = 101,
		.tgid = 100,
		.rule = (__u8)rule,
		.op = (__u16)op,
		.verdict = (__u8)verdict,
		.source = UG_SOURCE_USER | 0,
		.userns_ino = 4026531837u,
		.cgroup_id = 1,
		.comm = "su",
		.target_id = 65534,
		.errno_val = verdict == UG_VERDICT_AUDITED ? 0 : EPERM,
	};

	return ev;
}

Test(ocsf, rule_one_is_process_activity)
{
	struct ug_event ev = event(UG_RULE_OVERFLOW_TRANSITIONS, UG_OP_SETUID, UG_VERDICT_DENIED);
	struct json_object *obj = required(&ev, 1007, 5);

	cr_assert_str_eq(buf,
		"{\"time\":795381201000,\"category_uid\":1,\"category_name\":\"System Activity\","
		"\"class_uid\":1007,\"class_name\":\"Process Activity\",\"activity_id\":5,"
		"\"activity_name\":\"Set User ID\",\"type_uid\":100705,\"severity_id\":4,\"status_id\":2,"
		"\"action_id\":2,\"action\":\"Denied\",\"disposition_id\":2,\"disposition\":\"Blocked\","
		"\"message\":\"overflow-transitions refused setuid\","
		"\"metadata\":{\"version\":\"1.3.0\",\"product\":{\"name\":\"usernsguard\","
		"\"vendor_name\":\"usernsguard\"},\"profiles\":[\"host\",\"security_control\",\"container\"]},"
		"\"device\":{\"type_id\":1,\"type\":\"Server\",\"hostname\":\"host-1\"},"
		"\"actor\":{\"process\":{\"pid\":100,\"tid\":101,\"name\":\"su\"},\"user\":{\"uid\":\"0\"}},"
		"\"process\":{\"pid\":100,\"name\":\"su\",\"user\":{\"uid\":\"65534\"}},"
		"\"unmapped\":{\"usernsguard\":{\"rule\":\"overflow-transitions\",\"action\":\"setuid\","
		"\"source\":\"user:0\",\"user_namespace\":4026531837,\"cgroup_id\":1,\"errno\":1}}}");
	json_object_put(obj);
	ev = event(UG_RULE_OVERFLOW_TRANSITIONS, UG_OP_SETGROUPS, UG_VERDICT_KILLED);
	obj = required(&ev, 1007, 99);
	cr_assert_eq(num(obj, "action_id"), 2);
	cr_assert(strstr(buf, "\"message\":\"overflow-transitions refused setgroups, task killed\""),
		  "%s", buf);
	json_object_put(obj);
	ev = event(UG_RULE_OVERFLOW_TRANSITIONS, UG_OP_EXEC, UG_VERDICT_AUDITED);
	obj = required(&ev, 1007, 1);
	/* Audit: allowed, detected. */
	cr_assert_eq(num(obj, "action_id"), 1);
	cr_assert_eq(num(obj, "disposition_id"), 15);
	cr_assert_eq(num(obj, "severity_id"), 3);
	json_object_put(obj);
}

Test(ocsf, rules_two_and_three_are_file_system_activity)
{
	struct ug_event ev = event(UG_RULE_MOST_RESTRICTIVE, UG_OP_ACCESS, UG_VERDICT_DENIED);
	struct json_object *obj;

	ev.mask = 4;
	ev.mode = S_IFREG | 0707;
	ev.ino = 12;
	ev.dev = (7ULL << 20) | 1;
	obj = required(&ev, 1001, 2);
	cr_assert_str_eq(json_object_get_string(at(obj, "file.uid")), "7:1:12");
	cr_assert_eq(num(obj, "file.type_id"), 1);
	json_object_put(obj);
	ev.mask = 2;
	json_object_put(required(&ev, 1001, 3));
	ev = event(UG_RULE_SHIFT_MARKS, UG_OP_SHIFT_ATTACH, UG_VERDICT_DENIED);
	ev.mode = S_IFDIR | 0755;
	obj = required(&ev, 1001, 12);
	cr_assert_eq(num(obj, "file.type_id"), 2);
	json_object_put(obj);
	ev = event(UG_RULE_OVERFLOW_TRANSITIONS, UG_OP_CHOWN, UG_VERDICT_DENIED);
	json_object_put(required(&ev, 1001, 7));
}

Test(ocsf, container_and_summary)
{
	struct ug_event ev = event(UG_RULE_MOST_RESTRICTIVE, UG_OP_ACCESS, UG_VERDICT_AUDITED);
	struct ug_event_who who = { .cgroup_path = "/lxc.payload.web1" };
	struct json_object *obj;

	ug_cgroup_identify(who.cgroup_path, &who.id);
	cr_assert_gt(ug_ocsf_format(&ev, &who, "h", 0, buf, sizeof(buf)), 0);
	cr_assert(strstr(buf, "\"container\":{\"name\":\"web1\",\"runtime\":\"lxc\"}"), "%s", buf);
	cr_assert_gt(ug_ocsf_summary("x", 7, 1795381200000000000ULL, "h", buf, sizeof(buf)), 0);
	obj = json_tokener_parse(buf);
	cr_assert_not_null(obj);
	cr_assert_eq(num(obj, "class_uid"), 0);
	cr_assert_eq(num(obj, "type_uid"), 99);
	cr_assert_eq(num(obj, "count"), 7);
	cr_assert_not_null(at(obj, "metadata.product.vendor_name"));
	json_object_put(obj);
}
