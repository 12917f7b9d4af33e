// SPDX-License-Identifier: GPL-2.0-only
#include "ocsf_format.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "json_writer.h"
#include "policy.h"

enum {
	OCSF_CATEGORY_SYSTEM = 1,
	OCSF_FILE_ACTIVITY = 1001,
	OCSF_PROCESS_ACTIVITY = 1007,
	OCSF_OTHER = 99,
};

struct ocsf_class {
	unsigned int class_uid, activity_id;
	const char *class_name, *activity_name;
};

/* File System Activity's activity for a rule 2 access: what was asked for. */
static struct ocsf_class file_access(__u32 mask)
{
	if (mask & 2)
		return (struct ocsf_class){ OCSF_FILE_ACTIVITY, 3, "File System Activity", "Update" };
	if (mask & 4)
		return (struct ocsf_class){ OCSF_FILE_ACTIVITY, 2, "File System Activity", "Read" };
	return (struct ocsf_class){ OCSF_FILE_ACTIVITY, 14, "File System Activity", "Open" };
}

static struct ocsf_class classify(const struct ug_event *ev)
{
	switch (ev->op) {
	case UG_OP_SETUID:
		return (struct ocsf_class){ OCSF_PROCESS_ACTIVITY, 5, "Process Activity", "Set User ID" };
	case UG_OP_SETGID:
		return (struct ocsf_class){ OCSF_PROCESS_ACTIVITY, OCSF_OTHER, "Process Activity",
					    "Set Group ID" };
	case UG_OP_SETGROUPS:
		return (struct ocsf_class){ OCSF_PROCESS_ACTIVITY, OCSF_OTHER, "Process Activity",
					    "Set Groups" };
	case UG_OP_EXEC:
		return (struct ocsf_class){ OCSF_PROCESS_ACTIVITY, 1, "Process Activity", "Launch" };
	case UG_OP_UID_MAP:
	case UG_OP_GID_MAP:
		return (struct ocsf_class){ OCSF_PROCESS_ACTIVITY, OCSF_OTHER, "Process Activity",
					    ev->op == UG_OP_UID_MAP ? "Write UID Map" :
								      "Write GID Map" };
	case UG_OP_CHOWN:
		return (struct ocsf_class){ OCSF_FILE_ACTIVITY, 7, "File System Activity",
					    "Set Security" };
	case UG_OP_SHIFT_ATTACH:
		return (struct ocsf_class){ OCSF_FILE_ACTIVITY, 12, "File System Activity", "Mount" };
	case UG_OP_SHIFT_USE:
		return (struct ocsf_class){ OCSF_FILE_ACTIVITY, 14, "File System Activity", "Open" };
	case UG_OP_MARK_ADD:
	case UG_OP_MARK_REMOVE:
		return (struct ocsf_class){ OCSF_FILE_ACTIVITY, 7, "File System Activity",
					    "Set Security" };
	default:
		return file_access(ev->mask);
	}
}

/* OCSF file.type_id from the inode's mode. */
static unsigned int file_type(__u32 mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return 1;
	case S_IFDIR:
		return 2;
	case S_IFCHR:
		return 3;
	case S_IFBLK:
		return 4;
	case S_IFSOCK:
		return 5;
	case S_IFIFO:
		return 6;
	case S_IFLNK:
		return 7;
	default:
		return 0;
	}
}

static void uint_string(struct ug_json *j, const char *key, size_t key_len, unsigned long long v)
{
	char text[24];

	snprintf(text, sizeof(text), "%llu", v);
	ug_json_string(j, key, key_len, text);
}

static void metadata(struct ug_json *j)
{
	ug_json_object_begin(j, UG_JSON_K("metadata"));
	ug_json_string(j, UG_JSON_K("version"), UG_OCSF_VERSION);
	ug_json_object_begin(j, UG_JSON_K("product"));
	ug_json_string(j, UG_JSON_K("name"), "usernsguard");
	ug_json_string(j, UG_JSON_K("vendor_name"), "usernsguard");
	ug_json_object_end(j);
	ug_json_array_begin(j, UG_JSON_K("profiles"));
	ug_json_string(j, UG_JSON_ELEM, "host");
	ug_json_string(j, UG_JSON_ELEM, "security_control");
	ug_json_string(j, UG_JSON_ELEM, "container");
	ug_json_array_end(j);
	ug_json_object_end(j);
}

static void device(struct ug_json *j, const char *hostname)
{
	ug_json_object_begin(j, UG_JSON_K("device"));
	ug_json_uint(j, UG_JSON_K("type_id"), 1); /* Server */
	ug_json_string(j, UG_JSON_K("type"), "Server");
	ug_json_string(j, UG_JSON_K("hostname"), hostname);
	ug_json_object_end(j);
}

int ug_ocsf_format(const struct ug_event *ev, const struct ug_event_who *who, const char *hostname,
		   __s64 boot_to_real_ns, char *buf, size_t len)
{
	struct ocsf_class c = classify(ev);
	bool refused = ev->verdict == UG_VERDICT_DENIED || ev->verdict == UG_VERDICT_KILLED;
	__u64 ms = (__u64)((__s64)ev->boot_ns + boot_to_real_ns) / 1000000ULL;
	char comm[33], line[256], source[32];
	struct ug_json j;

	ug_comm_to_utf8(ev->comm, comm);
	ug_json_init(&j, buf, len);
	ug_json_object_begin(&j, UG_JSON_ELEM);
	ug_json_uint(&j, UG_JSON_K("time"), ms);
	ug_json_uint(&j, UG_JSON_K("category_uid"), OCSF_CATEGORY_SYSTEM);
	ug_json_string(&j, UG_JSON_K("category_name"), "System Activity");
	ug_json_uint(&j, UG_JSON_K("class_uid"), c.class_uid);
	ug_json_string(&j, UG_JSON_K("class_name"), c.class_name);
	ug_json_uint(&j, UG_JSON_K("activity_id"), c.activity_id);
	ug_json_string(&j, UG_JSON_K("activity_name"), c.activity_name);
	ug_json_uint(&j, UG_JSON_K("type_uid"), c.class_uid * 100ULL + c.activity_id);
	/* Refusals are High, audit hits Medium, reports Informational. */
	ug_json_uint(&j, UG_JSON_K("severity_id"),
		     refused ? 4 : ev->verdict == UG_VERDICT_AUDITED ? 3 : 1);
	ug_json_uint(&j, UG_JSON_K("status_id"), refused ? 2 : 1);
	/* security_control: action Denied/Allowed; disposition Blocked, Detected (audit) or Logged. */
	ug_json_uint(&j, UG_JSON_K("action_id"), refused ? 2 : 1);
	ug_json_string(&j, UG_JSON_K("action"), refused ? "Denied" : "Allowed");
	ug_json_uint(&j, UG_JSON_K("disposition_id"),
		     refused ? 2 : ev->verdict == UG_VERDICT_AUDITED ? 15 : 17);
	ug_json_string(&j, UG_JSON_K("disposition"),
		       refused ? "Blocked" : ev->verdict == UG_VERDICT_AUDITED ? "Detected" : "Logged");
	snprintf(line, sizeof(line), "%s %s %s%s", ug_rule_name((enum ug_rule)ev->rule),
		 refused ? "refused" : "allowed", ug_op_name(ev->op),
		 ev->verdict == UG_VERDICT_KILLED ? ", task killed" : "");
	ug_json_string(&j, UG_JSON_K("message"), line);
	metadata(&j);
	device(&j, hostname);

	ug_json_object_begin(&j, UG_JSON_K("actor"));
	ug_json_object_begin(&j, UG_JSON_K("process"));
	ug_json_uint(&j, UG_JSON_K("pid"), ev->tgid);
	ug_json_uint(&j, UG_JSON_K("tid"), ev->pid);
	ug_json_string(&j, UG_JSON_K("name"), comm);
	ug_json_object_end(&j);
	ug_json_object_begin(&j, UG_JSON_K("user"));
	uint_string(&j, UG_JSON_K("uid"), ev->uid);
	ug_json_object_end(&j);
	ug_json_object_end(&j);

	if (c.class_uid == OCSF_PROCESS_ACTIVITY) {
		/* The task changes itself: the target process is the actor's, as to become. */
		ug_json_object_begin(&j, UG_JSON_K("process"));
		ug_json_uint(&j, UG_JSON_K("pid"), ev->tgid);
		ug_json_string(&j, UG_JSON_K("name"), comm);
		ug_json_object_begin(&j, UG_JSON_K("user"));
		uint_string(&j, UG_JSON_K("uid"), ev->target_id);
		ug_json_object_end(&j);
		ug_json_object_end(&j);
	} else {
		char name[48], uid[64];

		snprintf(name, sizeof(name), "inode %llu", (unsigned long long)ev->ino);
		snprintf(uid, sizeof(uid), "%llu:%llu:%llu", (unsigned long long)(ev->dev >> 20),
			 (unsigned long long)(ev->dev & 0xfffff), (unsigned long long)ev->ino);
		ug_json_object_begin(&j, UG_JSON_K("file"));
		ug_json_string(&j, UG_JSON_K("name"), name);
		ug_json_string(&j, UG_JSON_K("uid"), uid);
		ug_json_uint(&j, UG_JSON_K("type_id"), file_type(ev->mode));
		ug_json_object_begin(&j, UG_JSON_K("owner"));
		uint_string(&j, UG_JSON_K("uid"), ev->owner_uid);
		ug_json_object_end(&j);
		ug_json_object_end(&j);
	}
	if (who && (who->id.id[0] || who->id.name[0] || who->id.runtime[0])) {
		ug_json_object_begin(&j, UG_JSON_K("container"));
		if (who->id.id[0])
			ug_json_string(&j, UG_JSON_K("uid"), who->id.id);
		if (who->id.name[0] && strspn(who->id.name, "abcdefghijklmnopqrstuvwxyz"
						   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@") ==
					       strlen(who->id.name))
			ug_json_string(&j, UG_JSON_K("name"), who->id.name);
		if (who->id.runtime[0])
			ug_json_string(&j, UG_JSON_K("runtime"), who->id.runtime);
		if (who->id.pod_uid[0])
			ug_json_string(&j, UG_JSON_K("pod_uuid"), who->id.pod_uid);
		ug_json_object_end(&j);
	}
	/* What OCSF has no attribute for, under usernsguard's own name. */
	ug_json_object_begin(&j, UG_JSON_K("unmapped"));
	ug_json_object_begin(&j, UG_JSON_K("usernsguard"));
	ug_json_string(&j, UG_JSON_K("rule"), ug_rule_name((enum ug_rule)ev->rule));
	ug_json_string(&j, UG_JSON_K("action"), ug_op_name(ev->op));
	ug_json_string(&j, UG_JSON_K("source"), ug_source_string(ev->source, source));
	ug_json_uint(&j, UG_JSON_K("user_namespace"), ev->userns_ino);
	ug_json_uint(&j, UG_JSON_K("cgroup_id"), ev->cgroup_id);
	if (ev->errno_val)
		ug_json_uint(&j, UG_JSON_K("errno"), ev->errno_val);
	ug_json_object_end(&j);
	ug_json_object_end(&j);
	ug_json_object_end(&j);
	return ug_json_finish(&j);
}

int ug_ocsf_summary(const char *message, __u64 count, __u64 realtime_ns, const char *hostname,
		    char *buf, size_t len)
{
	struct ug_json j;

	ug_json_init(&j, buf, len);
	ug_json_object_begin(&j, UG_JSON_ELEM);
	ug_json_uint(&j, UG_JSON_K("time"), realtime_ns / 1000000ULL);
	ug_json_uint(&j, UG_JSON_K("category_uid"), 0);
	ug_json_uint(&j, UG_JSON_K("class_uid"), 0);
	ug_json_string(&j, UG_JSON_K("class_name"), "Base Event");
	ug_json_uint(&j, UG_JSON_K("activity_id"), OCSF_OTHER);
	ug_json_uint(&j, UG_JSON_K("type_uid"), OCSF_OTHER);
	ug_json_uint(&j, UG_JSON_K("severity_id"), 3);
	ug_json_uint(&j, UG_JSON_K("count"), count);
	ug_json_string(&j, UG_JSON_K("message"), message);
	metadata(&j);
	device(&j, hostname);
	ug_json_object_end(&j);
	return ug_json_finish(&j);
}
