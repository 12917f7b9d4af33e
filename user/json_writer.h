/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An append-only JSON writer into a caller's buffer, for event lines. In a
 * denial storm the reader must format events faster than one CPU can
 * cause them, and a JSON object model cannot (json-c builds and prints an
 * event in about 90,000 instructions). Keys are string literals, turned by
 * UG_JSON_K() into a ready-made `"key":` of constant length, so writing a
 * member is a couple of fixed-size copies. Output matches json-c's plain
 * style byte for byte (no spaces, "/" not escaped).
 */
#ifndef UG_JSON_WRITER_H
#define UG_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define UG_JSON_MAX_DEPTH 8

struct ug_json {
	char *buf;
	size_t len; /* capacity, the terminating NUL included */
	size_t pos;
	bool overflow; /* something did not fit, or nesting went wrong */
	unsigned int depth;
	bool first[UG_JSON_MAX_DEPTH]; /* no member written yet at this depth */
};

/* A member's key: a string literal, which must need no escaping. */
#define UG_JSON_K(key) "\"" key "\":", sizeof("\"" key "\":") - 1
/* No key: the top level, or an array element. */
#define UG_JSON_ELEM NULL, 0

void ug_json_init(struct ug_json *j, char *buf, size_t len);
/* The length written (NUL-terminated), or -ENOSPC. */
int ug_json_finish(struct ug_json *j);
/* Append @value as an escaped JSON string. */
void ug_json_put_string(struct ug_json *j, const char *value);

static inline void ug_json_put(struct ug_json *j, const char *s, size_t n)
{
	if (j->overflow || n >= j->len - j->pos) {
		j->overflow = true;
		return;
	}
	memcpy(j->buf + j->pos, s, n);
	j->pos += n;
}

/* The comma and key that precede a value. */
static inline void ug_json_member(struct ug_json *j, const char *key, size_t key_len)
{
	if (!j->first[j->depth])
		ug_json_put(j, ",", 1);
	j->first[j->depth] = false;
	if (key)
		ug_json_put(j, key, key_len);
}

static inline void ug_json_open(struct ug_json *j, const char *key, size_t key_len,
				const char *bracket)
{
	ug_json_member(j, key, key_len);
	ug_json_put(j, bracket, 1);
	if (j->depth + 1 >= UG_JSON_MAX_DEPTH) {
		j->overflow = true;
		return;
	}
	j->first[++j->depth] = true;
}

static inline void ug_json_close(struct ug_json *j, const char *bracket)
{
	if (j->depth == 0) {
		j->overflow = true;
		return;
	}
	j->depth--;
	ug_json_put(j, bracket, 1);
}

static inline void ug_json_object_begin(struct ug_json *j, const char *key, size_t key_len)
{
	ug_json_open(j, key, key_len, "{");
}

static inline void ug_json_object_end(struct ug_json *j)
{
	ug_json_close(j, "}");
}

static inline void ug_json_array_begin(struct ug_json *j, const char *key, size_t key_len)
{
	ug_json_open(j, key, key_len, "[");
}

static inline void ug_json_array_end(struct ug_json *j)
{
	ug_json_close(j, "]");
}

static inline void ug_json_string(struct ug_json *j, const char *key, size_t key_len,
				  const char *value)
{
	ug_json_member(j, key, key_len);
	ug_json_put_string(j, value);
}

static inline void ug_json_uint(struct ug_json *j, const char *key, size_t key_len,
				uint64_t value)
{
	char digits[20];
	size_t n = sizeof(digits);

	ug_json_member(j, key, key_len);
	do {
		digits[--n] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	ug_json_put(j, digits + n, sizeof(digits) - n);
}

static inline void ug_json_bool(struct ug_json *j, const char *key, size_t key_len, bool value)
{
	ug_json_member(j, key, key_len);
	if (value)
		ug_json_put(j, "true", 4);
	else
		ug_json_put(j, "false", 5);
}

static inline void ug_json_null(struct ug_json *j, const char *key, size_t key_len)
{
	ug_json_member(j, key, key_len);
	ug_json_put(j, "null", 4);
}

#endif
