// SPDX-License-Identifier: GPL-2.0-only
#include "unit_file.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

static void set(char *dst, size_t len, const char *value, unsigned int line, unsigned int *dline,
		const char *name, const char **dfile)
{
	ug_fmt(dst, len, "%s", value);
	*dline = line;
	*dfile = name;
}

static bool truthy(const char *v)
{
	return !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "on");
}

void ug_unit_apply(struct ug_unit_ids *ids, const char *name, const char *text)
{
	bool service = false;
	unsigned int line = 0;
	const char *p = text;

	while (p && *p) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char buf[512], *key, *value, *eq;

		line++;
		if (n >= sizeof(buf))
			n = sizeof(buf) - 1;
		memcpy(buf, p, n);
		buf[n] = '\0';
		p = end ? end + 1 : NULL;
		key = buf;
		while (*key == ' ' || *key == '\t')
			key++;
		if (*key == '#' || *key == ';' || !*key)
			continue;
		if (*key == '[') {
			service = !strncmp(key, "[Service]", 9);
			continue;
		}
		eq = strchr(key, '=');
		if (!service || !eq)
			continue;
		value = eq + 1;
		while (eq > key && (eq[-1] == ' ' || eq[-1] == '\t'))
			eq--;
		*eq = '\0';
		while (*value == ' ' || *value == '\t')
			value++;
		for (char *t = value + strlen(value); t > value && (t[-1] == ' ' || t[-1] == '\t' ||
								    t[-1] == '\r');)
			*--t = '\0';
		if (!strcmp(key, "User"))
			set(ids->user, sizeof(ids->user), value, line, &ids->user_line, name,
			    &ids->user_file);
		else if (!strcmp(key, "Group"))
			set(ids->group, sizeof(ids->group), value, line, &ids->group_line, name,
			    &ids->group_file);
		else if (!strcmp(key, "Slice"))
			ug_fmt(ids->slice, sizeof(ids->slice), "%s", value);
		else if (!strcmp(key, "DynamicUser")) {
			ids->dynamic_user = truthy(value);
			ids->dynamic_line = line;
			ids->dynamic_file = name;
		}
	}
}

/* "a-b.slice" -> "/a.slice/a-b.slice", as systemd nests slices by dashes. */
static void slice_path(const char *slice, char *out, size_t len)
{
	char prefix[128];
	size_t used = 0;
	const char *dash;

	out[0] = '\0';
	if (!slice[0] || !strcmp(slice, "-.slice"))
		return;
	for (dash = strchr(slice, '-'); dash; dash = strchr(dash + 1, '-')) {
		ug_fmt(prefix, sizeof(prefix), "%.*s.slice", (int)(dash - slice), slice);
		used += (size_t)snprintf(out + used, used < len ? len - used : 0, "/%s", prefix);
	}
	snprintf(out + used, used < len ? len - used : 0, "/%s", slice);
}

void ug_unit_cgroup(const char *unit, const char *slice, char *out, size_t len)
{
	const char *at = strchr(unit, '@');
	char parent[256];

	slice_path(slice[0] ? slice : "system.slice", parent, sizeof(parent));
	if (!at) {
		ug_fmt(out, len, "%s/%s", parent, unit);
		return;
	}
	/* Instances of a template live in "system-NAME.slice" below the slice. */
	if (at[1] == '.')
		ug_fmt(out, len, "%s/system-%.*s.slice", parent, (int)(at - unit), unit);
	else
		ug_fmt(out, len, "%s/system-%.*s.slice/%s", parent, (int)(at - unit), unit, unit);
}
