// SPDX-License-Identifier: GPL-2.0-only
#include "event_format.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <time.h>

#include "json_writer.h"

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
	case UG_OP_UID_MAP:
		return "uid-map";
	case UG_OP_GID_MAP:
		return "gid-map";
	case UG_OP_MARK_ADD:
		return "mark-add";
	case UG_OP_MARK_REMOVE:
		return "mark-remove";
	}
	return "unknown";
}

int ug_format_parse(const char *command, const char *arg, enum ug_format *format)
{
	if (!strcmp(arg, "json")) {
		*format = UG_FORMAT_JSON;
	} else if (!strcmp(arg, "text")) {
		*format = UG_FORMAT_TEXT;
	} else {
		ug_err("%s: unknown format '%s' (json or text)", command, arg);
		return -1;
	}
	return 0;
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
	case UG_VERDICT_REPORTED:
		return "reported";
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
	case UG_SHIFT_TOO_DEEP:
		return "too-deep-to-judge";
	case UG_SHIFT_CONTAINS_MARK:
		return "view-contains-mark";
	}
	return "unknown";
}

/*
 * comm is 16 arbitrary bytes: ASCII is kept, and each byte 0x80-0xff
 * becomes the code point U+0080-U+00FF, so the output is always valid
 * UTF-8 and the original bytes can be recovered. The writer escapes
 * quotes, backslashes and control characters.
 */
void ug_comm_to_utf8(const char comm[16], char out[33])
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

/*
 * comm for the text format, where fields are separated by blanks and a
 * line ends an event: a task may name itself anything (issue 18: a comm
 * of "x\nforged-line" wrote a line of its own). Printable ASCII other than
 * the backslash is kept; every other byte, blanks included, becomes \xHH,
 * so the original bytes can be recovered.
 */
static void comm_to_text(const char comm[16], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = 0;

	for (i = 0; i < 16 && comm[i]; i++) {
		unsigned char c = (unsigned char)comm[i];

		if (c > 0x20 && c < 0x7f && c != '\\') {
			out[n++] = (char)c;
		} else {
			out[n++] = '\\';
			out[n++] = 'x';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 0xf];
		}
	}
	out[n] = '\0';
}

/* Decimal digits of @v at @out, NUL-terminated; the end. printf is slow here. */
static char *decimal(char *out, unsigned long long v)
{
	char digits[24];
	size_t n = sizeof(digits);

	do {
		digits[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(out, digits + n, sizeof(digits) - n);
	out += sizeof(digits) - n;
	*out = '\0';
	return out;
}

/* ECS keeps ids as keywords: strings. (u32)-1 ("unchanged", "unmapped") is null. */
static void id_string(struct ug_json *j, const char *key, size_t key_len, __u32 id)
{
	char s[16];

	if (id == UG_INVALID_ID) {
		ug_json_null(j, key, key_len);
		return;
	}
	decimal(s, id);
	ug_json_string(j, key, key_len, s);
}

static void id_number(struct ug_json *j, const char *key, size_t key_len, __u32 id)
{
	if (id == UG_INVALID_ID)
		ug_json_null(j, key, key_len);
	else
		ug_json_uint(j, key, key_len, id);
}

static void id_array(struct ug_json *j, const char *key, size_t key_len, const __u32 ids[4])
{
	int i;

	ug_json_array_begin(j, key, key_len);
	for (i = 0; i < 4; i++)
		id_number(j, UG_JSON_ELEM, ids[i]);
	ug_json_array_end(j);
}

static const char *category(__u32 op)
{
	switch (op) {
	case UG_OP_SETUID:
	case UG_OP_SETGID:
	case UG_OP_SETGROUPS:
	case UG_OP_UID_MAP:
	case UG_OP_GID_MAP:
		return "iam";
	case UG_OP_EXEC:
		return "process";
	case UG_OP_MARK_ADD:
	case UG_OP_MARK_REMOVE:
		return "configuration";
	}
	return "file";
}

static bool is_mark_change(const struct ug_event *ev)
{
	return ev->op == UG_OP_MARK_ADD || ev->op == UG_OP_MARK_REMOVE;
}

/* ECS event.type: a map write changed who an id is; a mark was made or removed. */
static const char *ecs_type(const struct ug_event *ev)
{
	if (is_mark_change(ev))
		return ev->op == UG_OP_MARK_ADD ? "creation" : "deletion";
	switch (ev->verdict) {
	case UG_VERDICT_AUDITED:
		return "allowed";
	case UG_VERDICT_REPORTED:
		return "change";
	}
	return "denied";
}

static void access_string(__u32 mask, char out[4])
{
	out[0] = mask & 4 ? 'r' : '-';
	out[1] = mask & 2 ? 'w' : '-';
	out[2] = mask & 1 ? 'x' : '-';
	out[3] = '\0';
}

/*
 * RFC 3339 UTC with nanoseconds. Events come in bursts within one second:
 * the calendar part is computed once per second.
 */
static void timestamp(__u64 realtime_ns, char out[40])
{
	static __thread time_t cached_secs = -1;
	static __thread char cached[32];
	time_t secs = (time_t)(realtime_ns / 1000000000ULL);
	__u64 frac = realtime_ns % 1000000000ULL;
	int i;

	if (secs != cached_secs) {
		char full[64];

		ug_rfc3339((__u64)secs * 1000000000ULL, full, sizeof(full));
		memcpy(cached, full, 19); /* YYYY-MM-DDTHH:MM:SS */
		cached[19] = '\0';
		cached_secs = secs;
	}
	memcpy(out, cached, 19);
	out[19] = '.';
	for (i = 28; i >= 20; i--) {
		out[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	out[29] = 'Z';
	out[30] = '\0';
}

/*
 * Length of the valid UTF-8 sequence at @s (at most @n bytes), 0 if none:
 * no overlong forms, no surrogates, nothing above U+10FFFF.
 */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/*
 * A name the kernel gave (a cgroup's: any byte but '/' and NUL) as valid
 * UTF-8 for JSON: valid sequences are kept, any other byte becomes
 * U+0080-U+00FF as in process.name. Cut at a whole character if too long.
 */
static const char *name_to_utf8(const char *in, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = 0, left = strlen(in), len;

	while (left) {
		len = utf8_seq(s, left);
		if (len) {
			if (n + len >= size)
				break;
			memcpy(out + n, s, len);
			n += len;
		} else {
			if (n + 2 >= size)
				break;
			out[n++] = (char)(0xc0 | (s[0] >> 6));
			out[n++] = (char)(0x80 | (s[0] & 0x3f));
			len = 1;
		}
		s += len;
		left -= len;
	}
	out[n] = '\0';
	return out;
}

/* ECS container.* and orchestrator.* for what the cgroup path says. */
static void who_json(struct ug_json *j, const struct ug_cgroup_identity *id)
{
	char text[sizeof(id->name) * 2];

	if (id->id[0] || id->name[0] || id->runtime[0]) {
		ug_json_object_begin(j, UG_JSON_K("container"));
		if (id->id[0])
			ug_json_string(j, UG_JSON_K("id"), id->id);
		if (id->name[0])
			ug_json_string(j, UG_JSON_K("name"), name_to_utf8(id->name, text, sizeof(text)));
		if (id->runtime[0])
			ug_json_string(j, UG_JSON_K("runtime"), id->runtime);
		ug_json_object_end(j);
	}
	if (id->pod_uid[0]) {
		ug_json_object_begin(j, UG_JSON_K("orchestrator"));
		ug_json_string(j, UG_JSON_K("type"), "kubernetes");
		ug_json_object_begin(j, UG_JSON_K("resource"));
		ug_json_string(j, UG_JSON_K("type"), "pod");
		ug_json_string(j, UG_JSON_K("id"), id->pod_uid);
		ug_json_object_end(j);
		ug_json_object_end(j);
	}
}

static void event_json(struct ug_json *j, const struct ug_event *ev, const struct ug_event_who *who,
		       __s64 offset)
{
	char when[40], comm[33], text[48], source[32], path[512], *end;
	bool has_file = ev->ino != 0 || ev->op == UG_OP_CHOWN || ev->op == UG_OP_EXEC ||
			ev->op == UG_OP_ACCESS;

	ug_json_object_begin(j, UG_JSON_ELEM);
	timestamp((__u64)((__s64)ev->boot_ns + offset), when);
	ug_json_string(j, UG_JSON_K("@timestamp"), when);

	ug_json_object_begin(j, UG_JSON_K("event"));
	ug_json_string(j, UG_JSON_K("kind"), "alert");
	ug_json_array_begin(j, UG_JSON_K("category"));
	ug_json_string(j, UG_JSON_ELEM, category(ev->op));
	ug_json_array_end(j);
	ug_json_array_begin(j, UG_JSON_K("type"));
	ug_json_string(j, UG_JSON_ELEM, ecs_type(ev));
	ug_json_array_end(j);
	ug_json_string(j, UG_JSON_K("action"), ug_op_name(ev->op));
	ug_json_string(j, UG_JSON_K("outcome"),
		       ev->verdict == UG_VERDICT_AUDITED || ev->verdict == UG_VERDICT_REPORTED ?
			       "success" : "failure");
	ug_json_string(j, UG_JSON_K("module"), "usernsguard");
	ug_json_object_end(j);

	if (ev->errno_val) {
		ug_json_object_begin(j, UG_JSON_K("error"));
		ug_json_string(j, UG_JSON_K("code"), strerrorname_np((int)ev->errno_val) ?: "?");
		ug_json_object_end(j);
	}

	ug_json_object_begin(j, UG_JSON_K("process"));
	ug_json_uint(j, UG_JSON_K("pid"), ev->tgid);
	ug_json_object_begin(j, UG_JSON_K("thread"));
	ug_json_uint(j, UG_JSON_K("id"), ev->pid);
	ug_json_object_end(j);
	ug_comm_to_utf8(ev->comm, comm);
	ug_json_string(j, UG_JSON_K("name"), comm);
	ug_json_object_end(j);

	ug_json_object_begin(j, UG_JSON_K("user"));
	id_string(j, UG_JSON_K("id"), ev->uid);
	ug_json_object_end(j);
	ug_json_object_begin(j, UG_JSON_K("group"));
	id_string(j, UG_JSON_K("id"), ev->gid);
	ug_json_object_end(j);
	if (who)
		who_json(j, &who->id);

	if (has_file) {
		ug_json_object_begin(j, UG_JSON_K("file"));
		end = decimal(text, ev->dev >> 20); /* major:minor of a kernel dev_t */
		*end++ = ':';
		decimal(end, ev->dev & 0xfffff);
		ug_json_string(j, UG_JSON_K("device"), text);
		decimal(text, ev->ino);
		ug_json_string(j, UG_JSON_K("inode"), text);
		text[0] = (char)('0' + ((ev->mode >> 9) & 7));
		text[1] = (char)('0' + ((ev->mode >> 6) & 7));
		text[2] = (char)('0' + ((ev->mode >> 3) & 7));
		text[3] = (char)('0' + (ev->mode & 7));
		text[4] = '\0';
		ug_json_string(j, UG_JSON_K("mode"), text);
		id_string(j, UG_JSON_K("uid"), ev->owner_uid);
		id_string(j, UG_JSON_K("gid"), ev->owner_gid);
		ug_json_object_end(j);
	}

	ug_json_object_begin(j, UG_JSON_K("usernsguard"));
	ug_json_string(j, UG_JSON_K("rule"), ug_rule_name((enum ug_rule)ev->rule));
	ug_json_string(j, UG_JSON_K("verdict"), verdict_name(ev->verdict));
	ug_json_object_begin(j, UG_JSON_K("namespace"));
	ug_json_uint(j, UG_JSON_K("user_inode"), ev->userns_ino);
	ug_json_uint(j, UG_JSON_K("mnt_inode"), ev->mntns_ino);
	id_number(j, UG_JSON_K("uid"), ev->ns_uid);
	id_number(j, UG_JSON_K("gid"), ev->ns_gid);
	ug_json_object_end(j);
	ug_json_uint(j, UG_JSON_K("cgroup_id"), ev->cgroup_id);
	ug_json_string(j, UG_JSON_K("source"), ug_source_string(ev->source, source));
	if (who && who->cgroup_path[0])
		ug_json_string(j, UG_JSON_K("cgroup_path"),
			       name_to_utf8(who->cgroup_path, path, sizeof(path)));
	if (who && who->id.unit[0])
		ug_json_string(j, UG_JSON_K("unit"), name_to_utf8(who->id.unit, path, sizeof(path)));

	switch (ev->rule) {
	case UG_RULE_OVERFLOW_TRANSITIONS:
		id_number(j, UG_JSON_K("target_id"), ev->target_id);
		if (ev->op == UG_OP_UID_MAP || ev->op == UG_OP_GID_MAP) {
			/* The namespace whose map was written shows target_id as this. */
			ug_json_object_begin(j, UG_JSON_K("map"));
			ug_json_uint(j, UG_JSON_K("user_inode"), ev->map_userns_ino);
			id_number(j, UG_JSON_K("id"), ev->map_id);
			ug_json_object_end(j);
			break;
		}
		ug_json_object_begin(j, UG_JSON_K("requested"));
		if (ev->op == UG_OP_SETGROUPS) {
			/* How many groups were asked for, and the first four of them. */
			ug_json_array_begin(j, UG_JSON_K("groups"));
			for (__u32 i = 0; i < 4 && i < ev->req_uid[0]; i++)
				id_number(j, UG_JSON_ELEM, ev->req_gid[i]);
			ug_json_array_end(j);
			ug_json_uint(j, UG_JSON_K("groups_count"),
				     ev->req_uid[0] == UG_INVALID_ID ? 0 : ev->req_uid[0]);
		} else {
			id_array(j, UG_JSON_K("uid"), ev->req_uid);
			id_array(j, UG_JSON_K("gid"), ev->req_gid);
		}
		ug_json_object_end(j);
		break;
	case UG_RULE_MOST_RESTRICTIVE:
		ug_json_object_begin(j, UG_JSON_K("access"));
		access_string(ev->mask, text);
		ug_json_string(j, UG_JSON_K("requested"), text);
		id_number(j, UG_JSON_K("path_uid"), ev->path_uid);
		id_number(j, UG_JSON_K("path_gid"), ev->path_gid);
		ug_json_object_end(j);
		break;
	case UG_RULE_SHIFT_MARKS:
		ug_json_object_begin(j, UG_JSON_K("shift"));
		if (is_mark_change(ev)) {
			/* The runtime mark made or removed (file.* is its directory). */
			ug_json_object_begin(j, UG_JSON_K("mark"));
			ug_json_uint(j, UG_JSON_K("shiftable_by"), ev->mark_shiftable_by);
			ug_json_uint(j, UG_JSON_K("origin"), ev->mark_origin);
			ug_json_uint(j, UG_JSON_K("range"), ev->mark_range);
			ug_json_bool(j, UG_JSON_K("ro"), ev->reason == 1);
			if (ev->idmap_count) {
				ug_json_object_begin(j, UG_JSON_K("pool"));
				ug_json_uint(j, UG_JSON_K("size"), ev->idmap_count);
				ug_json_uint(j, UG_JSON_K("block"), ev->idmap_first);
				ug_json_object_end(j);
			}
			ug_json_object_end(j);
			ug_json_object_end(j);
			break;
		}
		ug_json_string(j, UG_JSON_K("reason"), shift_reason_name(ev->reason));
		if (ev->reason != UG_SHIFT_UNMARKED) {
			ug_json_object_begin(j, UG_JSON_K("mark"));
			ug_json_uint(j, UG_JSON_K("shiftable_by"), ev->mark_shiftable_by);
			ug_json_uint(j, UG_JSON_K("origin"), ev->mark_origin);
			ug_json_uint(j, UG_JSON_K("range"), ev->mark_range);
			ug_json_object_end(j);
		}
		if (ev->idmap_count) {
			ug_json_object_begin(j, UG_JSON_K("idmap"));
			ug_json_uint(j, UG_JSON_K("first"), ev->idmap_first);
			ug_json_uint(j, UG_JSON_K("lower_first"), ev->idmap_lower);
			ug_json_uint(j, UG_JSON_K("count"), ev->idmap_count);
			ug_json_uint(j, UG_JSON_K("extents"), ev->idmap_nr);
			if (ev->bad_count) {
				/* The first extent the mark does not allow. */
				ug_json_object_begin(j, UG_JSON_K("outside_mark"));
				ug_json_uint(j, UG_JSON_K("first"), ev->bad_first);
				ug_json_uint(j, UG_JSON_K("lower_first"), ev->bad_lower);
				ug_json_uint(j, UG_JSON_K("count"), ev->bad_count);
				ug_json_object_end(j);
			}
			ug_json_object_end(j);
		}
		ug_json_object_end(j);
		break;
	}
	ug_json_object_end(j);
	ug_json_object_end(j);
}

/*
 * A storm is one event many times over: the same task, file and verdict,
 * only the time differs. The line after the timestamp is a function of
 * every other field, so it is kept with the fields it was made from and
 * reused, byte for byte, while they repeat.
 */
#define UG_JSON_TS_PREFIX "{\"@timestamp\":\""
#define UG_JSON_TS_END (sizeof(UG_JSON_TS_PREFIX) - 1 + 30) /* the 30 timestamp bytes */

struct line_memo {
	struct ug_event fields; /* boot_ns zeroed */
	struct ug_event_who who; /* zeroed when there was none */
	char rest[4096];        /* the line from the timestamp's closing quote on */
	size_t rest_len;
	bool valid;
};

static __thread struct line_memo line_memo;

static int json_line(const struct ug_event *ev, const struct ug_event_who *who,
		     __s64 boot_to_real_ns, char *buf, size_t len)
{
	static const struct ug_event_who nobody;
	struct line_memo *memo = &line_memo;
	struct ug_event fields = *ev;
	char when[40];
	struct ug_json j;
	int n;

	fields.boot_ns = 0;
	if (memo->valid && !memcmp(&fields, &memo->fields, sizeof(fields)) &&
	    !memcmp(who ?: &nobody, &memo->who, sizeof(memo->who))) {
		if (UG_JSON_TS_END + memo->rest_len >= len)
			return -ENOSPC;
		timestamp((__u64)((__s64)ev->boot_ns + boot_to_real_ns), when);
		memcpy(buf, UG_JSON_TS_PREFIX, sizeof(UG_JSON_TS_PREFIX) - 1);
		memcpy(buf + sizeof(UG_JSON_TS_PREFIX) - 1, when, 30);
		memcpy(buf + UG_JSON_TS_END, memo->rest, memo->rest_len + 1);
		return (int)(UG_JSON_TS_END + memo->rest_len);
	}
	ug_json_init(&j, buf, len);
	event_json(&j, ev, who, boot_to_real_ns);
	n = ug_json_finish(&j);
	memo->valid = n > (int)UG_JSON_TS_END && (size_t)n - UG_JSON_TS_END < sizeof(memo->rest);
	if (memo->valid) {
		memo->fields = fields;
		memo->who = who ? *who : nobody;
		memo->rest_len = (size_t)n - UG_JSON_TS_END;
		memcpy(memo->rest, buf + UG_JSON_TS_END, memo->rest_len + 1);
	}
	return n;
}

int ug_event_format(const struct ug_event *ev, __s64 boot_to_real_ns, enum ug_format format,
		    char *buf, size_t len)
{
	return ug_event_format_who(ev, NULL, boot_to_real_ns, format, buf, len);
}

int ug_event_format_who(const struct ug_event *ev, const struct ug_event_who *who,
			__s64 boot_to_real_ns, enum ug_format format, char *buf, size_t len)
{
	char when[64], comm[65], access[4], source[32];
	int n;

	if (format == UG_FORMAT_JSON)
		return json_line(ev, who, boot_to_real_ns, buf, len);

	ug_rfc3339((__u64)((__s64)ev->boot_ns + boot_to_real_ns), when, sizeof(when));
	comm_to_text(ev->comm, comm);
	access_string(ev->mask, access);
	n = snprintf(buf, len, "%s %s %s %s pid=%u comm=%s uid=%u gid=%u source=%s", when,
		     verdict_name(ev->verdict), ug_rule_name((enum ug_rule)ev->rule),
		     ug_op_name(ev->op), ev->tgid, comm, ev->uid, ev->gid,
		     ug_source_string(ev->source, source));
	if (n > 0 && (size_t)n < len && ev->rule == UG_RULE_OVERFLOW_TRANSITIONS)
		n += snprintf(buf + n, len - (size_t)n, " target=%u", ev->target_id);
	if (n > 0 && (size_t)n < len && (ev->op == UG_OP_UID_MAP || ev->op == UG_OP_GID_MAP))
		n += snprintf(buf + n, len - (size_t)n, " map_userns=%u map_id=%u",
			      ev->map_userns_ino, ev->map_id);
	if (n > 0 && (size_t)n < len && ev->rule == UG_RULE_MOST_RESTRICTIVE)
		n += snprintf(buf + n, len - (size_t)n, " ino=%llu mode=%04o access=%s",
			      (unsigned long long)ev->ino, ev->mode & 07777, access);
	if (n > 0 && (size_t)n < len && ev->rule == UG_RULE_SHIFT_MARKS && is_mark_change(ev))
		n += snprintf(buf + n, len - (size_t)n, " ino=%llu shiftable-by=%u origin=%u range=%u%s",
			      (unsigned long long)ev->ino, ev->mark_shiftable_by, ev->mark_origin,
			      ev->mark_range, ev->reason == 1 ? " ro" : "");
	else if (n > 0 && (size_t)n < len && ev->rule == UG_RULE_SHIFT_MARKS)
		n += snprintf(buf + n, len - (size_t)n, " ino=%llu reason=%s",
			      (unsigned long long)ev->ino, shift_reason_name(ev->reason));
	if (n > 0 && (size_t)n < len && ev->errno_val)
		n += snprintf(buf + n, len - (size_t)n, " errno=%s",
			      strerrorname_np((int)ev->errno_val) ?: "?");
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

/* A metric event's start, up to and into its usernsguard object. */
static void summary_begin(struct ug_json *j, char *buf, size_t len, const char *when,
			  const char *action)
{
	ug_json_init(j, buf, len);
	ug_json_object_begin(j, UG_JSON_ELEM);
	ug_json_string(j, UG_JSON_K("@timestamp"), when);
	ug_json_object_begin(j, UG_JSON_K("event"));
	ug_json_string(j, UG_JSON_K("kind"), "metric");
	ug_json_string(j, UG_JSON_K("action"), action);
	ug_json_string(j, UG_JSON_K("module"), "usernsguard");
	ug_json_object_end(j);
	ug_json_object_begin(j, UG_JSON_K("usernsguard"));
}

const char *ug_source_string(__u64 source, char out[32])
{
	switch (UG_SOURCE_KIND(source)) {
	case UG_SOURCE_USER >> 56:
		snprintf(out, 32, "user:%u", UG_SOURCE_VALUE(source));
		break;
	case UG_SOURCE_USERNS >> 56:
		snprintf(out, 32, "userns:%u", UG_SOURCE_VALUE(source));
		break;
	default:
		snprintf(out, 32, "unknown");
	}
	return out;
}

int ug_held_back_format(const struct ug_held_back_report *held, __u64 realtime_ns,
			enum ug_format format, char *buf, size_t len)
{
	char when[64], source[32];
	struct ug_json j;
	int n;

	ug_rfc3339(realtime_ns, when, sizeof(when));
	ug_source_string(held->source, source);
	if (format == UG_FORMAT_TEXT) {
		n = snprintf(buf, len, "%s held-back source=%s rate_limited=%llu over_share=%llu%s",
			     when, source, (unsigned long long)held->rate_limited,
			     (unsigned long long)held->over_share,
			     held->initial ? " (before this reader started)" : "");
		return n < 0 || (size_t)n >= len ? -ENOSPC : n;
	}
	summary_begin(&j, buf, len, when, "held-back");
	ug_json_string(&j, UG_JSON_K("source"), source);
	ug_json_object_begin(&j, UG_JSON_K("held_back"));
	ug_json_uint(&j, UG_JSON_K("count"), held->rate_limited + held->over_share);
	ug_json_uint(&j, UG_JSON_K("rate_limited"), held->rate_limited);
	ug_json_uint(&j, UG_JSON_K("over_share"), held->over_share);
	ug_json_bool(&j, UG_JSON_K("initial"), held->initial);
	ug_json_object_end(&j);
	ug_json_object_end(&j);
	ug_json_object_end(&j);
	return ug_json_finish(&j);
}

int ug_lost_format(const struct ug_lost_report *lost, __u64 realtime_ns, enum ug_format format,
		   char *buf, size_t len)
{
	struct ug_json j;
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
	summary_begin(&j, buf, len, when, "lost");
	ug_json_string(&j, UG_JSON_K("rule"), ug_rule_name((enum ug_rule)lost->rule));
	ug_json_object_begin(&j, UG_JSON_K("lost"));
	ug_json_uint(&j, UG_JSON_K("count"), lost->ring_full + lost->rate_limited);
	ug_json_uint(&j, UG_JSON_K("ring_full"), lost->ring_full);
	ug_json_uint(&j, UG_JSON_K("rate_limited"), lost->rate_limited);
	ug_json_bool(&j, UG_JSON_K("initial"), lost->initial);
	ug_json_object_end(&j);
	ug_json_object_end(&j);
	ug_json_object_end(&j);
	return ug_json_finish(&j);
}
