// SPDX-License-Identifier: GPL-2.0-only
/*
 * Policy parser. Line based: one directive per line, words separated by
 * blanks, '#' starts a comment where a word could start. Everything it
 * accepts is listed in usernsguard.conf(5); everything else is an error
 * naming file:line:column and the offending word. Drop-ins are parsed
 * after the main file as if appended to it, each line keeping its own
 * file's name and number. It touches nothing outside its arguments, so it
 * is safe to run unprivileged and to fuzz.
 */
#include "policy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sha2.h>

#include "util.h"

#define UG_MAX_WORDS 16

struct ug_word {
	const char *text; /* NUL-terminated copy inside the line buffer */
	unsigned int col;
};

struct ug_parser {
	const char *file; /* the file being parsed: out->files[i].path */
	unsigned int line;
	struct ug_word words[UG_MAX_WORDS];
	int n;
	struct ug_policy_src *out;
	char *err;
	size_t errlen;
	bool seen_mode, seen_overflow, seen_shift_default;
};

static const char *const rule_names[UG_RULE_COUNT] = {
	[UG_RULE_OVERFLOW_TRANSITIONS] = "overflow-transitions",
	[UG_RULE_MOST_RESTRICTIVE] = "most-restrictive",
	[UG_RULE_SHIFT_MARKS] = "shift-marks",
};

/* Rules this build enforces; the others are reserved names. */
static const bool rule_supported[UG_RULE_COUNT] = {
	[UG_RULE_OVERFLOW_TRANSITIONS] = true,
	[UG_RULE_MOST_RESTRICTIVE] = true,
	[UG_RULE_SHIFT_MARKS] = true,
};

const char *ug_rule_name(enum ug_rule rule)
{
	return rule < UG_RULE_COUNT ? rule_names[rule] : "?";
}

const char *ug_mode_name(enum ug_mode mode)
{
	switch (mode) {
	case UG_MODE_OFF:
		return "off";
	case UG_MODE_ENFORCE:
		return "enforce";
	case UG_MODE_AUDIT:
		return "audit";
	}
	return "?";
}

enum ug_mode ug_rule_mode(const struct ug_policy_src *policy, enum ug_rule rule)
{
	const struct ug_rule_src *r = &policy->rules[rule];

	if (!r->named || !r->enabled)
		return UG_MODE_OFF;
	return r->mode >= 0 ? (enum ug_mode)r->mode : policy->mode;
}

enum ug_on_deny ug_rule_on_deny(const struct ug_policy_src *policy, enum ug_rule rule)
{
	const struct ug_rule_src *r = &policy->rules[rule];

	return r->on_deny >= 0 ? (enum ug_on_deny)r->on_deny : UG_ON_DENY_KILL;
}

static int fail(struct ug_parser *p, const struct ug_word *w, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ug_parser *p, const struct ug_word *w, const char *fmt, ...)
{
	char msg[UG_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ug_fmt(p->err, p->errlen, "%s:%u:%u: %s", p->file, p->line, w ? w->col : 1, msg);
	return -EINVAL;
}

/* The current line at column @col. */
static struct ug_where here(const struct ug_parser *p, unsigned int col)
{
	return (struct ug_where){ .file = p->file, .line = p->line, .col = col };
}

const char *ug_where_ref(const struct ug_where *first, const struct ug_where *at, char *buf,
			 size_t len)
{
	if (first->file == at->file || !first->file || !at->file)
		ug_fmt(buf, len, "line %u", first->line);
	else
		ug_fmt(buf, len, "%s:%u", first->file, first->line);
	return buf;
}

/*
 * What a duplicate's message says of the first: "@same line N" in one file
 * (the wording of one-file policies), "first set at FILE:N" across files.
 */
static const char *first_at(const struct ug_parser *p, const struct ug_where *first,
			    const char *same, char *buf, size_t len)
{
	if (first->file == p->file)
		ug_fmt(buf, len, "%s line %u", same, first->line);
	else
		ug_fmt(buf, len, "first set at %s:%u", first->file, first->line);
	return buf;
}

/* The word after the last one, for "missing ..." messages. */
static struct ug_word end_of_line(const struct ug_parser *p)
{
	struct ug_word w = { "", 1 };

	if (p->n > 0) {
		w.col = p->words[p->n - 1].col + (unsigned int)strlen(p->words[p->n - 1].text);
	}
	return w;
}

static int expect_count(struct ug_parser *p, int min, int max, const char *usage)
{
	if (p->n < min) {
		struct ug_word w = end_of_line(p);

		return fail(p, &w, "'%s' is incomplete: expected '%s'", p->words[0].text, usage);
	}
	if (p->n > max)
		return fail(p, &p->words[max], "unexpected '%s' after '%s': expected '%s'",
			    p->words[max].text, p->words[0].text, usage);
	return 0;
}

static int parse_rule_name(struct ug_parser *p, const struct ug_word *w, enum ug_rule *rule)
{
	int i;

	for (i = 0; i < UG_RULE_COUNT; i++) {
		if (strcmp(w->text, rule_names[i]))
			continue;
		if (!rule_supported[i])
			return fail(p, w, "rule '%s' is not supported by this version", w->text);
		*rule = (enum ug_rule)i;
		return 0;
	}
	return fail(p, w,
		    "unknown rule '%s' (known: overflow-transitions, most-restrictive, shift-marks)",
		    w->text);
}

static int parse_mode_word(struct ug_parser *p, const struct ug_word *w, enum ug_mode *mode)
{
	if (!strcmp(w->text, "enforce"))
		*mode = UG_MODE_ENFORCE;
	else if (!strcmp(w->text, "audit"))
		*mode = UG_MODE_AUDIT;
	else
		return fail(p, w, "invalid mode '%s': expected 'enforce' or 'audit'", w->text);
	return 0;
}

static int parse_id_word(struct ug_parser *p, const struct ug_word *w, __u32 *id)
{
	int err = ug_parse_id(w->text, id);

	if (err == -ERANGE)
		return fail(p, w, "id '%s' out of range: ids go from 0 to 4294967294", w->text);
	if (err)
		return fail(p, w, "invalid id '%s': expected a decimal number", w->text);
	return 0;
}

/* mode enforce|audit */
static int directive_mode(struct ug_parser *p)
{
	int err = expect_count(p, 2, 2, "mode enforce|audit");
	char ref[UG_ERR_MAX];

	if (err)
		return err;
	if (p->seen_mode)
		return fail(p, &p->words[0], "duplicate 'mode' (%s)",
			    first_at(p, &p->out->mode_where, "first set at", ref, sizeof(ref)));
	err = parse_mode_word(p, &p->words[1], &p->out->mode);
	if (err)
		return err;
	p->seen_mode = true;
	p->out->mode_where = here(p, p->words[0].col);
	return 0;
}

/* overflow-ids auto | overflow-ids uid N gid N */
static int directive_overflow_ids(struct ug_parser *p)
{
	static const char usage[] = "overflow-ids auto | overflow-ids uid N gid N";
	struct ug_policy_src *out = p->out;
	char ref[UG_ERR_MAX];
	int err;

	if (p->seen_overflow)
		return fail(p, &p->words[0], "duplicate 'overflow-ids' (%s)",
			    first_at(p, &out->overflow_where, "first set at", ref, sizeof(ref)));
	if (p->n >= 2 && !strcmp(p->words[1].text, "auto")) {
		err = expect_count(p, 2, 2, usage);
		if (err)
			return err;
		out->overflow_auto = true;
	} else {
		err = expect_count(p, 5, 5, usage);
		if (err)
			return err;
		if (strcmp(p->words[1].text, "uid"))
			return fail(p, &p->words[1], "unexpected '%s': expected 'auto' or 'uid'",
				    p->words[1].text);
		if (strcmp(p->words[3].text, "gid"))
			return fail(p, &p->words[3], "unexpected '%s': expected 'gid'",
				    p->words[3].text);
		err = parse_id_word(p, &p->words[2], &out->overflow_uid);
		if (!err)
			err = parse_id_word(p, &p->words[4], &out->overflow_gid);
		if (err)
			return err;
		out->overflow_auto = false;
	}
	p->seen_overflow = true;
	out->overflow_where = here(p, p->words[0].col);
	return 0;
}

/* rule NAME on|off [mode enforce|audit] [on-deny kill|errno] */
static int directive_rule(struct ug_parser *p)
{
	static const char usage[] =
		"rule NAME on|off [mode enforce|audit] [on-deny kill|errno] [rate-limit N]";
	bool seen_mode = false, seen_on_deny = false, seen_rate = false;
	char ref[UG_ERR_MAX];
	struct ug_rule_src *r;
	enum ug_rule rule;
	int err, i;

	err = expect_count(p, 3, 9, usage);
	if (err)
		return err;
	err = parse_rule_name(p, &p->words[1], &rule);
	if (err)
		return err;
	r = &p->out->rules[rule];
	if (r->named)
		return fail(p, &p->words[1], "duplicate rule '%s' (%s)", p->words[1].text,
			    first_at(p, &r->where, "first set at", ref, sizeof(ref)));
	if (!strcmp(p->words[2].text, "on"))
		r->enabled = true;
	else if (!strcmp(p->words[2].text, "off"))
		r->enabled = false;
	else
		return fail(p, &p->words[2], "invalid state '%s': expected 'on' or 'off'",
			    p->words[2].text);

	for (i = 3; i < p->n; i += 2) {
		const struct ug_word *key = &p->words[i];

		if (i + 1 >= p->n) {
			struct ug_word w = end_of_line(p);

			return fail(p, &w, "'%s' needs a value", key->text);
		}
		if (!strcmp(key->text, "mode") && !seen_mode) {
			enum ug_mode mode;

			err = parse_mode_word(p, &p->words[i + 1], &mode);
			if (err)
				return err;
			r->mode = mode;
			seen_mode = true;
		} else if (!strcmp(key->text, "on-deny") && !seen_on_deny) {
			const struct ug_word *v = &p->words[i + 1];

			if (rule != UG_RULE_OVERFLOW_TRANSITIONS)
				return fail(p, key, "'on-deny' applies only to overflow-transitions");
			if (!strcmp(v->text, "kill"))
				r->on_deny = UG_ON_DENY_KILL;
			else if (!strcmp(v->text, "errno"))
				r->on_deny = UG_ON_DENY_ERRNO;
			else
				return fail(p, v, "invalid on-deny '%s': expected 'kill' or 'errno'",
					    v->text);
			seen_on_deny = true;
		} else if (!strcmp(key->text, "rate-limit") && !seen_rate) {
			err = parse_id_word(p, &p->words[i + 1], &r->rate_limit);
			if (err)
				return err;
			seen_rate = true;
		} else if (!strcmp(key->text, "mode") || !strcmp(key->text, "on-deny") ||
			   !strcmp(key->text, "rate-limit")) {
			return fail(p, key, "duplicate '%s'", key->text);
		} else {
			return fail(p, key, "unexpected '%s': expected 'mode', 'on-deny' or 'rate-limit'",
				    key->text);
		}
	}
	r->named = true;
	r->where = here(p, p->words[0].col);
	return 0;
}

static int add_match(struct ug_parser *p, enum ug_rule rule, enum ug_match_kind kind,
		     const struct ug_word *value, __u32 id)
{
	struct ug_policy_src *out = p->out;
	struct ug_exempt_src *grown, *e;
	char ref[UG_ERR_MAX];
	size_t i;

	for (i = 0; i < out->n_exempt; i++) {
		e = &out->exempt[i];
		if (e->rule == rule && e->kind == kind &&
		    (kind == UG_SCOPE_OWNER ? e->id == id : !strcmp(e->path, value->text)))
			return fail(p, value, "duplicate %s '%s' (%s)", p->words[0].text,
				    value->text, first_at(p, &e->where, "first at", ref, sizeof(ref)));
	}
	if (out->n_exempt >= UG_MAX_EXEMPTIONS)
		return fail(p, value, "too many exempt and scope entries (at most %d)",
			    UG_MAX_EXEMPTIONS);
	grown = realloc(out->exempt, (out->n_exempt + 1) * sizeof(*grown));
	if (!grown)
		return fail(p, value, "out of memory");
	out->exempt = grown;
	e = &out->exempt[out->n_exempt];
	memset(e, 0, sizeof(*e));
	if (kind != UG_SCOPE_OWNER) {
		e->path = strdup(value->text);
		if (!e->path)
			return fail(p, value, "out of memory");
	}
	e->rule = rule;
	e->kind = kind;
	e->id = id;
	e->where = here(p, value->col);
	out->n_exempt++;
	return 0;
}

static int absolute_path(struct ug_parser *p, const struct ug_word *w)
{
	if (w->text[0] != '/')
		return fail(p, w, "path '%s' must be absolute", w->text);
	return 0;
}

/*
 * A cgroup path as the kernel prints it (ug_cgroup_names compares bytes):
 * absolute, no empty, "." or ".." component, no trailing '/', and short
 * enough for the key.
 */
static int cgroup_path(struct ug_parser *p, const struct ug_word *w)
{
	const char *t = w->text;
	size_t len = strlen(t);

	if (absolute_path(p, w))
		return -EINVAL;
	if (len >= UG_CGROUP_PATH_MAX)
		return fail(p, w, "cgroup path '%s' is longer than %d bytes", t,
			    UG_CGROUP_PATH_MAX - 1);
	if (len > 1 && (t[len - 1] == '/' || strstr(t, "//") || strstr(t, "/./") ||
			strstr(t, "/../") || !strcmp(t + len - 2, "/.") ||
			(len >= 3 && !strcmp(t + len - 3, "/.."))))
		return fail(p, w, "cgroup path '%s' is not canonical (no '//', '.', '..' or trailing '/')",
			    t);
	return 0;
}

/* exempt RULE cgroup|exec PATH */
static int directive_exempt(struct ug_parser *p)
{
	enum ug_match_kind kind;
	enum ug_rule rule;
	int err;

	err = expect_count(p, 4, 4, "exempt RULE cgroup|exec PATH");
	if (err)
		return err;
	err = parse_rule_name(p, &p->words[1], &rule);
	if (err)
		return err;
	if (!strcmp(p->words[2].text, "cgroup"))
		kind = UG_EXEMPT_CGROUP;
	else if (!strcmp(p->words[2].text, "exec"))
		kind = UG_EXEMPT_EXEC;
	else
		return fail(p, &p->words[2], "unknown exemption '%s': expected 'cgroup' or 'exec'",
			    p->words[2].text);
	err = kind == UG_EXEMPT_CGROUP ? cgroup_path(p, &p->words[3]) :
					 absolute_path(p, &p->words[3]);
	return err ? err : add_match(p, rule, kind, &p->words[3], 0);
}

/* scope most-restrictive owner UID | scope most-restrictive cgroup PATH */
static int directive_scope(struct ug_parser *p)
{
	enum ug_rule rule;
	__u32 id = 0;
	int err;

	err = expect_count(p, 4, 4, "scope RULE owner UID | scope RULE cgroup PATH");
	if (err)
		return err;
	err = parse_rule_name(p, &p->words[1], &rule);
	if (err)
		return err;
	if (rule != UG_RULE_MOST_RESTRICTIVE)
		return fail(p, &p->words[1], "'scope' applies only to most-restrictive");
	if (!strcmp(p->words[2].text, "owner")) {
		err = parse_id_word(p, &p->words[3], &id);
		return err ? err : add_match(p, rule, UG_SCOPE_OWNER, &p->words[3], id);
	}
	if (!strcmp(p->words[2].text, "cgroup")) {
		err = cgroup_path(p, &p->words[3]);
		return err ? err : add_match(p, rule, UG_SCOPE_CGROUP, &p->words[3], 0);
	}
	return fail(p, &p->words[2], "unknown scope '%s': expected 'owner' or 'cgroup'",
		    p->words[2].text);
}

/* The value word after @key at @i, or an error naming the line's end. */
static int option_value(struct ug_parser *p, int i, const char *key, __u32 *value)
{
	if (i + 1 >= p->n) {
		struct ug_word w = end_of_line(p);

		return fail(p, &w, "'%s' needs a value", key);
	}
	return parse_id_word(p, &p->words[i + 1], value);
}

/*
 * What a mark lets be shown shifted: one root ("shiftable-by UID"), or a
 * pool of roots, one per block ("shiftable-by pool FIRST COUNT", or the
 * subordinate ids of a user, "shiftable-by subids USER", read at load).
 * Returns the index of the first option word, or -1 on error.
 */
static int mark_roots(struct ug_parser *p, struct ug_mark_src *mark)
{
	const struct ug_word *w = &p->words[3];
	int err;

	if (!strcmp(w->text, "pool")) {
		if (p->n < 6) {
			struct ug_word end = end_of_line(p);

			fail(p, &end, "'pool' needs FIRST and COUNT");
			return -1;
		}
		mark->pool = true;
		err = parse_id_word(p, &p->words[4], &mark->shiftable_by);
		if (!err)
			err = parse_id_word(p, &p->words[5], &mark->pool_size);
		if (!err && mark->pool_size == 0)
			err = fail(p, &p->words[5], "a pool needs at least 1 id");
		return err ? -1 : 6;
	}
	if (!strcmp(w->text, "subids")) {
		if (p->n < 5) {
			struct ug_word end = end_of_line(p);

			fail(p, &end, "'subids' needs a user name");
			return -1;
		}
		mark->pool = true;
		mark->pool_user = strdup(p->words[4].text);
		if (!mark->pool_user) {
			fail(p, &p->words[4], "out of memory");
			return -1;
		}
		return 5;
	}
	return parse_id_word(p, w, &mark->shiftable_by) ? -1 : 4;
}

/*
 * mark PATH shiftable-by UID|pool FIRST COUNT|subids USER
 *      [block N] [origin UID] [range N] [ro]
 */
static int directive_mark(struct ug_parser *p)
{
	static const char usage[] = "mark PATH shiftable-by UID|pool FIRST COUNT|subids USER "
				    "[block N] [origin UID] [range N] [ro]";
	struct ug_policy_src *out = p->out;
	struct ug_mark_src mark = { .origin = 0, .range = 65536, .block = 65536 };
	bool seen_origin = false, seen_range = false, seen_block = false;
	struct ug_mark_src *grown;
	int err = 0, i;

	err = expect_count(p, 4, 13, usage);
	if (err)
		return err;
	err = absolute_path(p, &p->words[1]);
	if (err)
		return err;
	if (strcmp(p->words[2].text, "shiftable-by"))
		return fail(p, &p->words[2], "unexpected '%s': expected 'shiftable-by'",
			    p->words[2].text);
	i = mark_roots(p, &mark);
	if (i < 0)
		goto fail;
	for (; i < p->n; i++) {
		const struct ug_word *key = &p->words[i];

		if (!strcmp(key->text, "ro") && !mark.ro) {
			mark.ro = true;
			continue;
		}
		if (!strcmp(key->text, "origin") && !seen_origin) {
			err = option_value(p, i++, "origin", &mark.origin);
			seen_origin = true;
		} else if (!strcmp(key->text, "range") && !seen_range) {
			err = option_value(p, i++, "range", &mark.range);
			if (!err && mark.range == 0)
				err = fail(p, &p->words[i], "range must be at least 1");
			seen_range = true;
		} else if (!strcmp(key->text, "block") && !seen_block && mark.pool) {
			err = option_value(p, i++, "block", &mark.block);
			if (!err && mark.block == 0)
				err = fail(p, &p->words[i], "block must be at least 1");
			seen_block = true;
		} else if (!strcmp(key->text, "block") && !mark.pool) {
			err = fail(p, key, "'block' applies only to a pool of roots");
		} else if (!strcmp(key->text, "origin") || !strcmp(key->text, "range") ||
			   !strcmp(key->text, "ro") || !strcmp(key->text, "block")) {
			err = fail(p, key, "duplicate '%s'", key->text);
		} else {
			err = fail(p, key, "unexpected '%s': expected %s", key->text,
				   mark.pool ? "'block', 'origin', 'range' or 'ro'" :
					       "'origin', 'range' or 'ro'");
		}
		if (err)
			goto fail;
	}
	if (mark.pool && !seen_range && mark.range > mark.block)
		mark.range = mark.block; /* a tenant's range is at most its block */
	/* Two roots of one pool must not share an id: a block holds a whole range. */
	if (mark.pool && mark.range > mark.block) {
		err = fail(p, &p->words[1], "range %u is larger than the pool's block %u: "
			   "neighbouring roots would share ids", mark.range, mark.block);
		goto fail;
	}
	if (mark.pool && !mark.pool_user && mark.pool_size < mark.range) {
		err = fail(p, &p->words[5], "a pool of %u ids holds no root with a range of %u",
			   mark.pool_size, mark.range);
		goto fail;
	}
	/* Ranges must stay inside the 32-bit id space ((u32)-1 is not an id). */
	if ((__u64)mark.origin + mark.range - 1 > 4294967294ULL ||
	    (!mark.pool_user &&
	     (__u64)mark.shiftable_by + (mark.pool ? mark.pool_size : mark.range) - 1 >
		     4294967294ULL)) {
		err = fail(p, &p->words[1], "range %u from origin %u or shiftable-by %u passes "
			   "4294967294", mark.pool ? mark.pool_size : mark.range, mark.origin,
			   mark.shiftable_by);
		goto fail;
	}
	if (out->n_marks >= UG_MAX_EXEMPTIONS) {
		err = fail(p, &p->words[1], "too many marks (at most %d)", UG_MAX_EXEMPTIONS);
		goto fail;
	}
	grown = realloc(out->marks, (out->n_marks + 1) * sizeof(*grown));
	if (!grown) {
		err = fail(p, &p->words[1], "out of memory");
		goto fail;
	}
	out->marks = grown;
	mark.path = strdup(p->words[1].text);
	if (!mark.path) {
		err = fail(p, &p->words[1], "out of memory");
		goto fail;
	}
	mark.where = here(p, p->words[1].col);
	out->marks[out->n_marks++] = mark;
	return 0;
fail:
	free(mark.pool_user);
	return err ? err : -EINVAL;
}

/* shift-default deny|allow */
static int directive_shift_default(struct ug_parser *p)
{
	int err = expect_count(p, 2, 2, "shift-default deny|allow");
	char ref[UG_ERR_MAX];

	if (err)
		return err;
	if (p->seen_shift_default)
		return fail(p, &p->words[0], "duplicate 'shift-default' (%s)",
			    first_at(p, &p->out->shift_default_where, "first set at", ref,
				     sizeof(ref)));
	if (!strcmp(p->words[1].text, "allow"))
		p->out->shift_default_allow = true;
	else if (strcmp(p->words[1].text, "deny"))
		return fail(p, &p->words[1], "invalid shift-default '%s': expected 'deny' or 'allow'",
			    p->words[1].text);
	p->seen_shift_default = true;
	p->out->shift_default_where = here(p, p->words[0].col);
	return 0;
}

static const struct {
	const char *word;
	int (*parse)(struct ug_parser *p);
} directives[] = {
	{ "mode", directive_mode },
	{ "overflow-ids", directive_overflow_ids },
	{ "rule", directive_rule },
	{ "exempt", directive_exempt },
	{ "scope", directive_scope },
	{ "mark", directive_mark },
	{ "shift-default", directive_shift_default },
};

/* Split @line (modified in place) into words; a '#' word ends the line. */
static int split_words(struct ug_parser *p, char *line)
{
	char *s = line;

	p->n = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (!*s || *s == '#')
			return 0;
		if (p->n == UG_MAX_WORDS) {
			struct ug_word w = { s, (unsigned int)(s - line) + 1 };

			return fail(p, &w, "too many words on one line (at most %d)", UG_MAX_WORDS);
		}
		p->words[p->n].text = s;
		p->words[p->n].col = (unsigned int)(s - line) + 1;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
		p->n++;
		if (*s)
			*s++ = '\0';
	}
}

static int check_bytes(struct ug_parser *p, const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c == '\t' || c == '\r' || (c >= 0x20 && c != 0x7f) || c >= 0x80)
			continue;
		{
			struct ug_word w = { "", (unsigned int)i + 1 };

			return fail(p, &w, "control character 0x%02x is not allowed", c);
		}
	}
	return 0;
}

static int parse_line(struct ug_parser *p, char *line, size_t len)
{
	size_t i;
	int err;

	err = check_bytes(p, line, len);
	if (err)
		return err;
	err = split_words(p, line);
	if (err || p->n == 0)
		return err;
	for (i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
		if (!strcmp(p->words[0].text, directives[i].word))
			return directives[i].parse(p);
	return fail(p, &p->words[0], "unknown directive '%s'", p->words[0].text);
}

/* Parse one file's lines into p->out, under p->file. */
static int parse_text(struct ug_parser *p, const char *text, size_t len)
{
	char line[UG_POLICY_MAX_LINE + 1];
	size_t pos = 0;
	int ret;

	p->line = 0;
	if (len > UG_POLICY_MAX_BYTES) {
		ug_fmt(p->err, p->errlen, "%s: file is larger than %u bytes", p->file,
		       UG_POLICY_MAX_BYTES);
		return -EINVAL;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *nul;

		p->line++;
		if (n > UG_POLICY_MAX_LINE) {
			struct ug_word w = { "", UG_POLICY_MAX_LINE + 1 };

			return fail(p, &w, "line longer than %d bytes", UG_POLICY_MAX_LINE);
		}
		nul = memchr(text + pos, '\0', n);
		if (nul) {
			struct ug_word w = { "", (unsigned int)(nul - (text + pos)) + 1 };

			return fail(p, &w, "NUL byte is not allowed");
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		ret = parse_line(p, line, n);
		if (ret)
			return ret;
		pos += n + 1;
	}
	return 0;
}

/*
 * The policy's hash: one file's own, or that of the lines `sha256sum`
 * prints for all of them, so an administrator can recompute it with
 * `sha256sum FILE... | sha256sum`.
 */
static void policy_sha256(struct ug_policy_src *out)
{
	char hex[65];
	SHA2_CTX sha;
	size_t i;

	if (out->n_files == 1) {
		memcpy(out->sha256, out->files[0].sha256, sizeof(out->sha256));
		return;
	}
	SHA256Init(&sha);
	for (i = 0; i < out->n_files; i++) {
		ug_hex(out->files[i].sha256, sizeof(out->files[i].sha256), hex);
		SHA256Update(&sha, (const __u8 *)hex, 64);
		SHA256Update(&sha, (const __u8 *)"  ", 2);
		SHA256Update(&sha, (const __u8 *)out->files[i].path, strlen(out->files[i].path));
		SHA256Update(&sha, (const __u8 *)"\n", 1);
	}
	SHA256Final(out->sha256, &sha);
}

int ug_policy_parse_files(const struct ug_policy_text *files, size_t n,
			  struct ug_policy_src *out, char *err, size_t errlen)
{
	struct ug_parser p = { .out = out, .err = err, .errlen = errlen };
	SHA2_CTX sha;
	size_t f;
	int i, ret = 0;

	memset(out, 0, sizeof(*out));
	out->mode = UG_MODE_ENFORCE;
	out->overflow_auto = true;
	for (i = 0; i < UG_RULE_COUNT; i++) {
		out->rules[i].mode = -1;
		out->rules[i].on_deny = -1;
	}
	if (!n || n > UG_POLICY_FILES_MAX) {
		ug_fmt(err, errlen, "%s: %zu policy files (one to %d: the file and its drop-ins)",
		       n ? files[0].path : "policy", n, UG_POLICY_FILES_MAX);
		return -EINVAL;
	}
	/* Allocated once: every ug_where.file points into it. */
	out->files = calloc(n, sizeof(*out->files));
	if (!out->files) {
		ug_fmt(err, errlen, "%s: out of memory", files[0].path);
		return -ENOMEM;
	}
	for (f = 0; f < n; f++) {
		out->files[f].path = strdup(files[f].path);
		if (!out->files[f].path) {
			ug_fmt(err, errlen, "%s: out of memory", files[f].path);
			ret = -ENOMEM;
			goto out;
		}
		out->n_files = f + 1;
	}
	out->name = out->files[0].path;

	for (f = 0; f < n; f++) {
		p.file = out->files[f].path;
		ret = parse_text(&p, files[f].text, files[f].len);
		if (ret)
			goto out;
		SHA256Init(&sha);
		SHA256Update(&sha, (const __u8 *)files[f].text, files[f].len);
		SHA256Final(out->files[f].sha256, &sha);
	}
	policy_sha256(out);
out:
	if (ret)
		ug_policy_free(out);
	return ret;
}

int ug_policy_parse(const char *name, const char *text, size_t len, struct ug_policy_src *out,
		    char *err, size_t errlen)
{
	const struct ug_policy_text file = { .path = name, .text = text, .len = len };

	return ug_policy_parse_files(&file, 1, out, err, errlen);
}

void ug_policy_free(struct ug_policy_src *policy)
{
	size_t i;

	for (i = 0; i < policy->n_exempt; i++)
		free(policy->exempt[i].path);
	free(policy->exempt);
	for (i = 0; i < policy->n_marks; i++) {
		free(policy->marks[i].path);
		free(policy->marks[i].pool_user);
	}
	free(policy->marks);
	policy->marks = NULL;
	policy->n_marks = 0;
	for (i = 0; i < policy->n_files; i++)
		free(policy->files[i].path);
	free(policy->files);
	policy->files = NULL;
	policy->n_files = 0;
	policy->exempt = NULL;
	policy->name = NULL;
	policy->n_exempt = 0;
}
