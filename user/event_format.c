// SPDX-License-Identifier: GPL-2.0-only
#include "event_format.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "policy.h"
#include "util.h"

const char *ug_op_name(__u32 op)
{
	switch (op) {
	case UG_OP_SETUID:
		return "setuid";
	case UG_OP_SETGID:
		return "setgid";
	case UG_OP_SETGROUPS:
		return "setgroups";
	case UG_OP_EXEC:
		return "exec";
	case UG_OP_CHOWN:
		return "chown";
	case UG_OP_ACCESS:
		return "access";
	case UG_OP_SHIFT_ATTACH:
		return "shift-attach";
	case UG_OP_SHIFT_USE:
		return "shift-use";
	}
	return "unknown";
}

static const char *verdict_name(__u32 verdict)
{
	switch (verdict) {
	case UG_VERDICT_DENIED:
		return "denied";
	case UG_VERDICT_AUDITED:
		return "audited";
	case UG_VERDICT_KILLED:
		return "killed";
	}
	return "unknown";
}

static const char *shift_reason_name(__u32 reason)
{
	switch (reason) {
	case UG_SHIFT_UNMARKED:
		return "unmarked";
	case UG_SHIFT_BAD_IDMAP:
		return "idmap-outside-mark";
	case UG_SHIFT_WRONG_NS:
		return "wrong-namespace";
	case UG_SHIFT_NOT_RDONLY:
		return "mark-needs-read-only";
	case UG_SHIFT_WRITE:
		return "write-through-read-only-mark";
	}
	return "unknown";
}

/*
 * comm is 16 arbitrary bytes: ASCII is kept, and each byte 0x80-0xff
 * becomes the code point U+0080-U+00FF, so the output is always valid
 * UTF-8 and the original bytes can be recovered. json-c escapes quotes,
 * backslashes and control characters.
 */
static void comm_to_utf8(const char comm[16], char out[33])
{
	size_t i, n = 0;

	for (i = 0; i < 16 && comm[i]; i++) {
		unsigned char c = (unsigned char)comm[i];

		if (c < 0x80) {
			out[n++] = (char)c;
		} else {
			out[n++] = (char)(0xc0 | (c >> 6));
			out[n++] = (char)(0x80 | (c & 0x3f));
		}
	}
	out[n] = '\0';
}

/* ECS keeps ids as keywords: strings. (u32)-1 ("unchanged", "unmapped") is null. */
static struct json_object *id_string(__u32 id)
{
	char s[16];

	if (id == UG_INVALID_ID)
		return NULL;
	ug_fmt(s, sizeof(s), "%u", id);
	return json_object_new_string(s);
}

static struct json_object *id_number(__u32 id)
{
	return id == UG_INVALID_ID ? NULL : json_object_new_uint64(id);
}

static struct json_object *id_array(const __u32 ids[4])
{
	struct json_object *a = json_object_new_array();
	int i;

	for (i = 0; i < 4; i++)
		json_object_array_add(a, id_number(ids[i]));
	return a;
}

static void add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static const char *category(__u32 op)
{
	switch (op) {
	case UG_OP_SETUID:
	case UG_OP_SETGID:
	case UG_OP_SETGROUPS:
		return "iam";
	case UG_OP_EXEC:
		return "process";
	}
	return "file";
}

static void access_string(__u32 mask, char out[4])
{
	out[0] = mask & 4 ? 'r' : '-';
	out[1] = mask & 2 ? 'w' : '-';
	out[2] = mask & 1 ? 'x' : '-';
	out[3] = '\0';
}

static struct json_object *event_json(const struct ug_event *ev, __s64 offset)
{
	struct json_object *root = json_object_new_object();
	struct json_object *event = json_object_new_object(), *types = json_object_new_array();
	struct json_object *cats = json_object_new_array(), *process = json_object_new_object();
	struct json_object *thread = json_object_new_object(), *user = json_object_new_object();
	struct json_object *group = json_object_new_object(), *ug = json_object_new_object();
	struct json_object *ns = json_object_new_object();
	char when[64], comm[33], text[32];
	bool has_file = ev->ino != 0 || ev->op == UG_OP_CHOWN || ev->op == UG_OP_EXEC ||
			ev->op == UG_OP_ACCESS;

	ug_rfc3339((__u64)((__s64)ev->boot_ns + offset), when, sizeof(when));
	add(root, "@timestamp", json_object_new_string(when));

	add(event, "kind", json_object_new_string("alert"));
	json_object_array_add(cats, json_object_new_string(category(ev->op)));
	add(event, "category", cats);
	json_object_array_add(types, json_object_new_string(
		ev->verdict == UG_VERDICT_AUDITED ? "allowed" : "denied"));
	add(event, "type", types);
	add(event, "action", json_object_new_string(ug_op_name(ev->op)));
	add(event, "outcome",
	    json_object_new_string(ev->verdict == UG_VERDICT_AUDITED ? "success" : "failure"));
	add(event, "module", json_object_new_string("usernsguard"));
	add(root, "event", event);

	if (ev->errno_val) {
		struct json_object *error = json_object_new_object();

		add(error, "code", json_object_new_string(strerrorname_np((int)ev->errno_val) ?: "?"));
		add(root, "error", error);
	}

	add(process, "pid", json_object_new_uint64(ev->tgid));
	add(thread, "id", json_object_new_uint64(ev->pid));
	add(process, "thread", thread);
	comm_to_utf8(ev->comm, comm);
	add(process, "name", json_object_new_string(comm));
	add(root, "process", process);

	add(user, "id", id_string(ev->uid));
	add(root, "user", user);
	add(group, "id", id_string(ev->gid));
	add(root, "group", group);

	if (has_file) {
		struct json_object *file = json_object_new_object();

		ug_fmt(text, sizeof(text), "%llu:%llu", (unsigned long long)(ev->dev >> 20),
		       (unsigned long long)(ev->dev & 0xfffff));
		add(file, "device", json_object_new_string(text));
		ug_fmt(text, sizeof(text), "%llu", (unsigned long long)ev->ino);
		add(file, "inode", json_object_new_string(text));
		ug_fmt(text, sizeof(text), "%04o", ev->mode & 07777);
		add(file, "mode", json_object_new_string(text));
		add(file, "uid", id_string(ev->owner_uid));
		add(file, "gid", id_string(ev->owner_gid));
		add(root, "file", file);
	}

	add(ug, "rule", json_object_new_string(ug_rule_name((enum ug_rule)ev->rule)));
	add(ug, "verdict", json_object_new_string(verdict_name(ev->verdict)));
	add(ns, "user_inode", json_object_new_uint64(ev->userns_ino));
	add(ns, "mnt_inode", json_object_new_uint64(ev->mntns_ino));
	add(ns, "uid", id_number(ev->ns_uid));
	add(ns, "gid", id_number(ev->ns_gid));
	add(ug, "namespace", ns);
	add(ug, "cgroup_id", json_object_new_uint64(ev->cgroup_id));

	switch (ev->rule) {
	case UG_RULE_OVERFLOW_TRANSITIONS: {
		struct json_object *req = json_object_new_object();

		add(ug, "target_id", id_number(ev->target_id));
		add(req, "uid", id_array(ev->req_uid));
		add(req, "gid", id_array(ev->req_gid));
		add(ug, "requested", req);
		break;
	}
	case UG_RULE_MOST_RESTRICTIVE: {
		struct json_object *acc = json_object_new_object();

		access_string(ev->mask, text);
		add(acc, "requested", json_object_new_string(text));
		add(acc, "path_uid", id_number(ev->path_uid));
		add(acc, "path_gid", id_number(ev->path_gid));
		add(ug, "access", acc);
		break;
	}
	case UG_RULE_SHIFT_MARKS: {
		struct json_object *shift = json_object_new_object();

		add(shift, "reason", json_object_new_string(shift_reason_name(ev->reason)));
		if (ev->reason != UG_SHIFT_UNMARKED) {
			struct json_object *mark = json_object_new_object();

			add(mark, "shiftable_by", json_object_new_uint64(ev->mark_shiftable_by));
			add(mark, "origin", json_object_new_uint64(ev->mark_origin));
			add(mark, "range", json_object_new_uint64(ev->mark_range));
			add(shift, "mark", mark);
		}
		if (ev->idmap_count) {
			struct json_object *idmap = json_object_new_object();

			add(idmap, "first", json_object_new_uint64(ev->idmap_first));
			add(idmap, "lower_first", json_object_new_uint64(ev->idmap_lower));
			add(idmap, "count", json_object_new_uint64(ev->idmap_count));
			add(shift, "idmap", idmap);
		}
		add(ug, "shift", shift);
		break;
	}
	}
	add(root, "usernsguard", ug);
	return root;
}

static int emit(struct json_object *root, char *buf, size_t len)
{
	const char *s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
								     JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = strlen(s);
	int ret = (int)n;

	if (n + 1 > len)
		ret = -ENOSPC;
	else
		memcpy(buf, s, n + 1);
	json_object_put(root);
	return ret;
}

int ug_event_format(const struct ug_event *ev, __s64 boot_to_real_ns, enum ug_format format,
		    char *buf, size_t len)
{
	char when[64], comm[33], access[4];
	int n;

	if (format == UG_FORMAT_JSON)
		return emit(event_json(ev, boot_to_real_ns), buf, len);

	ug_rfc3339((__u64)((__s64)ev->boot_ns + boot_to_real_ns), when, sizeof(when));
	comm_to_utf8(ev->comm, comm);
	access_string(ev->mask, access);
	n = snprintf(buf, len, "%s %s %s %s pid=%u comm=%s uid=%u gid=%u", when,
		     verdict_name(ev->verdict), ug_rule_name((enum ug_rule)ev->rule),
		     ug_op_name(ev->op), ev->tgid, comm, ev->uid, ev->gid);
	if (n > 0 && (size_t)n < len && ev->rule == UG_RULE_OVERFLOW_TRANSITIONS)
		n += snprintf(buf + n, len - (size_t)n, " target=%u", ev->target_id);
	if (n > 0 && (size_t)n < len && ev->rule == UG_RULE_MOST_RESTRICTIVE)
		n += snprintf(buf + n, len - (size_t)n, " ino=%llu mode=%04o access=%s",
			      (unsigned long long)ev->ino, ev->mode & 07777, access);
	if (n > 0 && (size_t)n < len && ev->rule == UG_RULE_SHIFT_MARKS)
		n += snprintf(buf + n, len - (size_t)n, " ino=%llu reason=%s",
			      (unsigned long long)ev->ino, shift_reason_name(ev->reason));
	if (n > 0 && (size_t)n < len && ev->errno_val)
		n += snprintf(buf + n, len - (size_t)n, " errno=%s",
			      strerrorname_np((int)ev->errno_val) ?: "?");
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

int ug_lost_format(const struct ug_lost_report *lost, __u64 realtime_ns, enum ug_format format,
		   char *buf, size_t len)
{
	struct json_object *root, *event, *ug, *l;
	char when[64];
	int n;

	ug_rfc3339(realtime_ns, when, sizeof(when));
	if (format == UG_FORMAT_TEXT) {
		n = snprintf(buf, len, "%s lost %s ring_full=%llu rate_limited=%llu%s", when,
			     ug_rule_name((enum ug_rule)lost->rule),
			     (unsigned long long)lost->ring_full,
			     (unsigned long long)lost->rate_limited,
			     lost->initial ? " (before this reader started)" : "");
		return n < 0 || (size_t)n >= len ? -ENOSPC : n;
	}
	root = json_object_new_object();
	event = json_object_new_object();
	ug = json_object_new_object();
	l = json_object_new_object();
	add(root, "@timestamp", json_object_new_string(when));
	add(event, "kind", json_object_new_string("metric"));
	add(event, "action", json_object_new_string("lost"));
	add(event, "module", json_object_new_string("usernsguard"));
	add(root, "event", event);
	add(ug, "rule", json_object_new_string(ug_rule_name((enum ug_rule)lost->rule)));
	add(l, "count", json_object_new_uint64(lost->ring_full + lost->rate_limited));
	add(l, "ring_full", json_object_new_uint64(lost->ring_full));
	add(l, "rate_limited", json_object_new_uint64(lost->rate_limited));
	add(l, "initial", json_object_new_boolean(lost->initial));
	add(ug, "lost", l);
	add(root, "usernsguard", ug);
	return emit(root, buf, len);
}
