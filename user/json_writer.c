// SPDX-License-Identifier: GPL-2.0-only
#include "json_writer.h"

#include <errno.h>

void ug_json_init(struct ug_json *j, char *buf, size_t len)
{
	memset(j, 0, sizeof(*j));
	j->buf = buf;
	j->len = len;
	j->first[0] = true;
	j->overflow = len == 0;
}

int ug_json_finish(struct ug_json *j)
{
	if (j->overflow || j->depth != 0 || j->pos >= j->len)
		return -ENOSPC;
	j->buf[j->pos] = '\0';
	return (int)j->pos;
}

/* Bytes that end a run of plain string bytes: NUL, controls, '"', '\\'. */
static const bool stops_run[256] = { [0 ... 0x1f] = true, ['"'] = true, ['\\'] = true };

/* Escaped as json-c escapes: short forms where JSON has them, else \u00XX. */
void ug_json_put_string(struct ug_json *j, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	ug_json_put(j, "\"", 1);
	for (;; s++) {
		unsigned char c;
		char esc[6];
		size_t n = 2;

		while (!stops_run[(unsigned char)*s])
			s++;
		c = (unsigned char)*s;
		ug_json_put(j, run, (size_t)(s - run));
		if (!c)
			break;
		run = s + 1;
		esc[0] = '\\';
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			n = 6;
		}
		ug_json_put(j, esc, n);
	}
	ug_json_put(j, "\"", 1);
}
