// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: any event (hostile comm, any ids) with any cgroup
 * path (a cgroup name is any bytes but '/' and NUL) formats as one line of
 * valid JSON that json-c parses (ECS and OCSF), and as one line of text without a control
 * character or a byte outside printable ASCII; the journal entry built from
 * them fits and holds no control byte in any field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "event_format.h"
#include "journal_fields.h"
#include "ocsf_format.h"

/* @line is exactly one JSON value, valid UTF-8, or the run aborts. */
static void strict_json(const char *line, int len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, line, len);
	if (!obj || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != (size_t)len)
		abort();
	json_object_put(obj);
	json_tokener_free(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ug_journal_entry entry;
	struct ug_event_who who = {};
	struct ug_event ev;
	char line[8192], json[8192];
	size_t i, n;
	int len;

	if (size < sizeof(ev))
		return 0;
	memcpy(&ev, data, sizeof(ev));
	n = size - sizeof(ev);
	if (n >= sizeof(who.cgroup_path))
		n = sizeof(who.cgroup_path) - 1;
	memcpy(who.cgroup_path, data + sizeof(ev), n);
	who.cgroup_path[strnlen(who.cgroup_path, n)] = '\0';
	ug_cgroup_identify(who.cgroup_path, &who.id);

	len = ug_event_format_who(&ev, &who, 0, UG_FORMAT_JSON, line, sizeof(line));
	if (len < 0)
		abort();
	if (memchr(line, '\n', (size_t)len))
		abort();
	strict_json(line, len);
	memcpy(json, line, (size_t)len + 1);

	len = ug_ocsf_format(&ev, &who, "h", 0, line, sizeof(line));
	if (len < 0 || memchr(line, '\n', (size_t)len))
		abort();
	strict_json(line, len);

	len = ug_event_format_who(&ev, &who, 0, UG_FORMAT_TEXT, line, sizeof(line));
	if (len < 0)
		abort();
	for (i = 0; i < (size_t)len; i++)
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] > 0x7e)
			abort();

	if (ug_journal_entry_build(&entry, ug_journal_event_kind(ev.rule, ev.verdict), json, line))
		abort();
	for (i = 0; i < entry.n; i++)
		for (n = 0; n < entry.iov[i].iov_len; n++)
			if (((unsigned char *)entry.iov[i].iov_base)[n] < 0x20)
				abort();
	return 0;
}
