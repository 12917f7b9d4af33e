// SPDX-License-Identifier: GPL-2.0-only
/*
 * The journal entry of an event. Its fields come from the ECS JSON line,
 * so the journal, the JSON stream and the README's field table cannot
 * drift apart: "process.pid" is USERNSGUARD_PROCESS_PID, and the
 * usernsguard.* object loses its own prefix ("usernsguard.rule" is
 * USERNSGUARD_RULE). json-c parses the line; the writer is ours.
 */
#include "journal_fields.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <json-c/json.h>

/*
 * 128 random bits, the last byte replaced by the kind: c89beb64... was
 * made once with systemd-id128 new; the catalog (systemd/usernsguard.catalog)
 * documents each.
 */
static const char message_id_base[] = "c89beb645f5d4217b669a1e00dca4d";

/* Summaries take rule nibble 0xf: no rule has that number. */
#define UG_JOURNAL_SUMMARY 0xf0

/* Journal field names: at most 64 bytes of A-Z, 0-9 and _ (sd-journal). */
#define UG_JOURNAL_NAME_MAX 64

struct ug_journal_kind ug_journal_event_kind(enum ug_rule rule, enum ug_verdict verdict)
{
	struct ug_journal_kind k = { .id_byte = (unsigned char)((rule & 0xf) << 4 | (verdict & 0xf)) };

	switch (verdict) {
	case UG_VERDICT_KILLED:
		k.priority = LOG_ERR;
		break;
	case UG_VERDICT_AUDITED:
		k.priority = LOG_NOTICE;
		break;
	default: /* denied, or a map write reported */
		k.priority = LOG_WARNING;
	}
	return k;
}

struct ug_journal_kind ug_journal_lost_kind(void)
{
	return (struct ug_journal_kind){ .id_byte = UG_JOURNAL_SUMMARY | 1, .priority = LOG_WARNING };
}

struct ug_journal_kind ug_journal_held_back_kind(void)
{
	return (struct ug_journal_kind){ .id_byte = UG_JOURNAL_SUMMARY | 2, .priority = LOG_WARNING };
}

void ug_journal_message_id(struct ug_journal_kind kind, char out[33])
{
	snprintf(out, 33, "%s%02x", message_id_base, kind.id_byte);
}

/*
 * Append one "NAME=value" field; with @escape, the value's control bytes
 * and \ as \xHH, as the text format writes them (MESSAGE is that format's
 * line already).
 */
static int add_raw(struct ug_journal_entry *e, const char *name, const char *value, bool escape)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = e->used, room = sizeof(e->buf) - e->used;
	int n;

	if (e->n == UG_JOURNAL_MAX_FIELDS)
		return -ENOSPC;
	n = snprintf(e->buf + start, room, "%s=", name);
	if (n < 0 || (size_t)n >= room)
		return -ENOSPC;
	e->used += (size_t)n;
	for (; *value; value++) {
		unsigned char c = (unsigned char)*value;

		if (e->used + 4 >= sizeof(e->buf))
			return -ENOSPC;
		if (!escape || (c >= 0x20 && c != 0x7f && c != '\\')) {
			e->buf[e->used++] = (char)c;
		} else {
			e->buf[e->used++] = '\\';
			e->buf[e->used++] = 'x';
			e->buf[e->used++] = hex[c >> 4];
			e->buf[e->used++] = hex[c & 0xf];
		}
	}
	e->iov[e->n].iov_base = e->buf + start;
	e->iov[e->n].iov_len = e->used - start;
	e->n++;
	return 0;
}

static int add_field(struct ug_journal_entry *e, const char *name, const char *value)
{
	return add_raw(e, name, value, true);
}

/* USERNSGUARD_ and @path upper-cased, anything else than [A-Z0-9] as _. */
static int field_name(const char *path, char out[UG_JOURNAL_NAME_MAX + 1])
{
	size_t n = sizeof("USERNSGUARD_") - 1;

	if (!strncmp(path, "usernsguard.", 12))
		path += 12;
	else if (path[0] == '@')
		path++;
	memcpy(out, "USERNSGUARD_", n);
	for (; *path; path++) {
		if (n == UG_JOURNAL_NAME_MAX)
			return -ENAMETOOLONG;
		out[n++] = isalnum((unsigned char)*path) ? (char)toupper((unsigned char)*path) : '_';
	}
	out[n] = '\0';
	return 0;
}

/* A scalar's text: strings as they are, numbers and booleans as JSON writes them. */
static const char *scalar(struct json_object *v)
{
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) :
							   json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

/* An array of scalars as one comma-separated value; absent when all are null. */
static int add_array(struct ug_journal_entry *e, const char *name, struct json_object *arr)
{
	char value[1024];
	size_t i, n = 0, len = json_object_array_length(arr);
	bool any = false;

	value[0] = '\0';
	for (i = 0; i < len; i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);
		int w = snprintf(value + n, sizeof(value) - n, "%s%s", i ? "," : "",
				 v ? scalar(v) : "");

		if (w < 0 || (size_t)w >= sizeof(value) - n)
			return -ENOSPC;
		n += (size_t)w;
		any |= v != NULL;
	}
	return any ? add_field(e, name, value) : 0;
}

static int add_object(struct ug_journal_entry *e, struct json_object *obj, char *path, size_t len)
{
	size_t at = strlen(path);

	json_object_object_foreach(obj, key, v) {
		char name[UG_JOURNAL_NAME_MAX + 1];
		int err = 0;

		if (snprintf(path + at, len - at, "%s%s", at ? "." : "", key) >= (int)(len - at))
			return -ENOSPC;
		if (!v)
			continue; /* null: the JSON line's "not known" */
		if (json_object_is_type(v, json_type_object)) {
			err = add_object(e, v, path, len);
		} else {
			err = field_name(path, name);
			if (!err)
				err = json_object_is_type(v, json_type_array) ?
					      add_array(e, name, v) : add_field(e, name, scalar(v));
		}
		path[at] = '\0';
		if (err)
			return err;
	}
	return 0;
}

int ug_journal_entry_build(struct ug_journal_entry *e, struct ug_journal_kind kind,
			   const char *json, const char *text)
{
	struct json_object *root = json_tokener_parse(json);
	char id[33], value[8], path[256] = "";
	const char *space = strchr(text, ' ');
	int err;

	if (!root || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return -EINVAL;
	}
	e->n = 0;
	e->used = 0;
	ug_journal_message_id(kind, id);
	snprintf(value, sizeof(value), "%d", kind.priority);
	err = add_raw(e, "MESSAGE", space ? space + 1 : text, false);
	if (!err)
		err = add_field(e, "MESSAGE_ID", id);
	if (!err)
		err = add_field(e, "PRIORITY", value);
	/* authpriv: Debian's rsyslog files it in /var/log/auth.log. */
	if (!err)
		err = add_field(e, "SYSLOG_FACILITY", "10");
	if (!err)
		err = add_field(e, "SYSLOG_IDENTIFIER", "usernsguard");
	if (!err)
		err = add_object(e, root, path, sizeof(path));
	json_object_put(root);
	return err;
}
