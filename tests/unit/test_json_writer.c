// SPDX-License-Identifier: GPL-2.0-only
/* The event writer: json-c's escaping byte for byte, nesting, and bounds. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json_writer.h"

static char buf[4096];

/* What json-c's json_escape_str() makes of byte @c (with NOSLASHESCAPE). */
static const char *json_c_escape(unsigned char c, char tmp[8])
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	}
	if (c < 0x20)
		snprintf(tmp, 8, "\\u%04x", c);
	else
		snprintf(tmp, 8, "%c", c);
	return tmp;
}

Test(json_writer, every_byte_escaped_as_json_c_does)
{
	char value[2] = { 0 }, want[16], tmp[8];
	struct ug_json j;

	for (int c = 1; c < 256; c++) {
		value[0] = (char)c;
		ug_json_init(&j, buf, sizeof(buf));
		ug_json_string(&j, UG_JSON_ELEM, value);
		cr_assert_gt(ug_json_finish(&j), 0);
		snprintf(want, sizeof(want), "\"%s\"", json_c_escape((unsigned char)c, tmp));
		cr_assert_str_eq(buf, want, "byte 0x%02x", c);
	}
}

Test(json_writer, members_arrays_and_scalars)
{
	struct ug_json j;

	ug_json_init(&j, buf, sizeof(buf));
	ug_json_object_begin(&j, UG_JSON_ELEM);
	ug_json_string(&j, UG_JSON_K("a"), "x/y");
	ug_json_array_begin(&j, UG_JSON_K("b"));
	ug_json_uint(&j, UG_JSON_ELEM, 0);
	ug_json_null(&j, UG_JSON_ELEM);
	ug_json_uint(&j, UG_JSON_ELEM, 18446744073709551615ULL);
	ug_json_array_end(&j);
	ug_json_object_begin(&j, UG_JSON_K("c"));
	ug_json_object_end(&j);
	ug_json_bool(&j, UG_JSON_K("d"), true);
	ug_json_bool(&j, UG_JSON_K("e"), false);
	ug_json_object_end(&j);
	cr_assert_eq(ug_json_finish(&j), (int)strlen(buf));
	cr_assert_str_eq(buf, "{\"a\":\"x/y\",\"b\":[0,null,18446744073709551615],\"c\":{},"
			      "\"d\":true,\"e\":false}");
}

Test(json_writer, exact_fit_and_one_byte_short)
{
	const char *want = "{\"k\":\"v\"}";
	size_t n = strlen(want);
	struct ug_json j;

	ug_json_init(&j, buf, n + 1);
	ug_json_object_begin(&j, UG_JSON_ELEM);
	ug_json_string(&j, UG_JSON_K("k"), "v");
	ug_json_object_end(&j);
	cr_assert_eq(ug_json_finish(&j), (int)n);
	cr_assert_str_eq(buf, want);

	ug_json_init(&j, buf, n);
	ug_json_object_begin(&j, UG_JSON_ELEM);
	ug_json_string(&j, UG_JSON_K("k"), "v");
	ug_json_object_end(&j);
	cr_assert_eq(ug_json_finish(&j), -ENOSPC);
}

Test(json_writer, unbalanced_or_too_deep_is_refused)
{
	struct ug_json j;
	int i;

	ug_json_init(&j, buf, sizeof(buf));
	ug_json_object_begin(&j, UG_JSON_ELEM);
	cr_assert_eq(ug_json_finish(&j), -ENOSPC, "an open object");

	ug_json_init(&j, buf, sizeof(buf));
	ug_json_object_end(&j);
	cr_assert_eq(ug_json_finish(&j), -ENOSPC, "a close without an open");

	ug_json_init(&j, buf, sizeof(buf));
	for (i = 0; i < UG_JSON_MAX_DEPTH; i++)
		ug_json_array_begin(&j, UG_JSON_ELEM);
	for (i = 0; i < UG_JSON_MAX_DEPTH; i++)
		ug_json_array_end(&j);
	cr_assert_eq(ug_json_finish(&j), -ENOSPC, "deeper than UG_JSON_MAX_DEPTH");

	ug_json_init(&j, buf, sizeof(buf));
	for (i = 0; i < UG_JSON_MAX_DEPTH - 1; i++)
		ug_json_array_begin(&j, UG_JSON_ELEM);
	for (i = 0; i < UG_JSON_MAX_DEPTH - 1; i++)
		ug_json_array_end(&j);
	cr_assert_eq(ug_json_finish(&j), 2 * (UG_JSON_MAX_DEPTH - 1), "the deepest allowed");
}
