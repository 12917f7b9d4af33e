// SPDX-License-Identifier: GPL-2.0-only
#include "idmap_lint.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_ID 0xffffffffULL /* (u32)-1: never a valid id */

const char *ug_problem_kind_name(enum ug_problem_kind kind)
{
	switch (kind) {
	case UG_PROBLEM_NS_OVERLAP:
		return "ns-overlap";
	case UG_PROBLEM_SUBID_OVERLAP:
		return "subid-overlap";
	case UG_PROBLEM_SUBID_ALLOCATION_OVERLAP:
		return "subid-allocation-overlap";
	case UG_PROBLEM_RANGE_REACHES_MAX:
		return "range-reaches-max";
	case UG_PROBLEM_MAPS_HOST_ROOT:
		return "maps-host-root";
	case UG_PROBLEM_MAPS_OVERFLOW_ID:
		return "maps-overflow-id";
	}
	return "?";
}

const char *ug_id_type_name(enum ug_id_type type)
{
	return type == UG_GID ? "gid" : "uid";
}

__u32 ug_scan_ns_root(const struct ug_scan_ns *ns)
{
	return ns->have_map[UG_UID] ? ug_idmap_down(&ns->map[UG_UID], 0) : UG_INVALID_ID;
}

bool ug_scan_ns_is_ancestor(const struct ug_scan_ns *a, const struct ug_scan_ns *b)
{
	if (!b->ancestors_known)
		return false;
	for (__u32 i = 0; i < b->n_ancestors; i++)
		if (b->ancestors[i] == a->ino)
			return true;
	return false;
}

/*
 * A namespace whose parent is not the initial one only ever maps ids its
 * ancestors map (the kernel requires it), so the top-level ancestor's
 * ranges are the ones allocated from /etc/subuid. The chain ends at the
 * initial namespace, so a top-level namespace has exactly one ancestor.
 */
static bool nested(const struct ug_scan_ns *ns)
{
	return ns->ancestors_known && ns->n_ancestors >= 2;
}

struct lint {
	const struct ug_scan_input *in;
	struct ug_scan_report *out;
	size_t cap;
	int err;
};

/* "uid 7" or "uids 7-9": the host ids [first, first + count). */
static void ids(char *buf, size_t len, enum ug_id_type type, __u64 first, __u64 count)
{
	if (count == 1)
		ug_fmt(buf, len, "%s %llu", ug_id_type_name(type), (unsigned long long)first);
	else
		ug_fmt(buf, len, "%ss %llu-%llu", ug_id_type_name(type), (unsigned long long)first,
		       (unsigned long long)(first + count - 1));
}

static struct ug_problem *add(struct lint *l, enum ug_problem_kind kind, enum ug_id_type type,
			      __u64 first, __u64 count, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static struct ug_problem *add(struct lint *l, enum ug_problem_kind kind, enum ug_id_type type,
			      __u64 first, __u64 count, const char *fmt, ...)
{
	struct ug_problem *p;
	va_list ap;

	if (l->err)
		return NULL;
	if (l->out->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct ug_problem *bigger = realloc(l->out->problems, cap * sizeof(*bigger));

		if (!bigger) {
			l->err = -ENOMEM;
			return NULL;
		}
		l->out->problems = bigger;
		l->cap = cap;
	}
	p = &l->out->problems[l->out->n++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->type = type;
	p->first = first;
	p->count = count;
	va_start(ap, fmt);
	vsnprintf(p->message, sizeof(p->message), fmt, ap);
	va_end(ap);
	return p;
}

static struct ug_problem *with_ns(struct ug_problem *p, size_t a, size_t b)
{
	if (!p)
		return NULL;
	p->ns[p->n_ns++] = a;
	if (b != a)
		p->ns[p->n_ns++] = b;
	return p;
}

static struct ug_problem *with_subid(struct ug_problem *p, size_t a)
{
	if (p && p->n_subid < 2)
		p->subid[p->n_subid++] = a;
	return p;
}

/* The intersection of [a, a+n) and [b, b+m); false if empty. */
static bool intersect(__u64 a, __u64 n, __u64 b, __u64 m, __u64 *first, __u64 *count)
{
	__u64 lo = a > b ? a : b, hi = a + n < b + m ? a + n : b + m;

	if (lo >= hi)
		return false;
	*first = lo;
	*count = hi - lo;
	return true;
}

static const char *owner_text(const struct ug_scan_ns *ns, char *buf, size_t len)
{
	if (ns->owner_uid == UG_INVALID_ID)
		ug_fmt(buf, len, "owner unknown");
	else
		ug_fmt(buf, len, "owner uid %u", ns->owner_uid);
	return buf;
}

static __u32 owner_id(const struct ug_scan_ns *ns, enum ug_id_type type)
{
	return type == UG_UID ? ns->owner_uid : ns->owner_gid;
}

/*
 * Two namespaces of one owner that both map only that owner's own id
 * share nothing the owner did not already have: it is what every
 * unprivileged `unshare -r` maps.
 */
static bool owners_own_id(const struct ug_scan_ns *a, const struct ug_scan_ns *b,
			  enum ug_id_type type, __u64 first, __u64 count)
{
	return a->owner_uid != UG_INVALID_ID && a->owner_uid == b->owner_uid && count == 1 &&
	       owner_id(a, type) != UG_INVALID_ID && first == owner_id(a, type);
}

static void ns_overlaps(struct lint *l)
{
	const struct ug_scan_input *in = l->in;

	for (size_t i = 0; i < in->n_ns; i++) {
		for (size_t j = i + 1; j < in->n_ns; j++) {
			const struct ug_scan_ns *a = &in->ns[i], *b = &in->ns[j];

			if (a->initial || b->initial || ug_scan_ns_is_ancestor(a, b) ||
			    ug_scan_ns_is_ancestor(b, a))
				continue;
			for (int t = UG_UID; t <= UG_GID; t++) {
				if (!a->have_map[t] || !b->have_map[t])
					continue;
				for (__u32 x = 0; x < a->map[t].n; x++) {
					for (__u32 y = 0; y < b->map[t].n; y++) {
						const struct ug_extent *ea = &a->map[t].extent[x];
						const struct ug_extent *eb = &b->map[t].extent[y];
						__u64 first, count;
						char what[64];

						if (!intersect(ea->lower_first, ea->count, eb->lower_first,
							       eb->count, &first, &count) ||
						    owners_own_id(a, b, (enum ug_id_type)t, first, count))
							continue;
						ids(what, sizeof(what), (enum ug_id_type)t, first, count);
						with_ns(add(l, UG_PROBLEM_NS_OVERLAP, (enum ug_id_type)t,
							    first, count,
							    "user namespaces %llu and %llu both map host %s",
							    (unsigned long long)a->ino,
							    (unsigned long long)b->ino, what),
							i, j);
					}
				}
			}
		}
	}
}

static bool same_owner(const struct ug_subid *a, const struct ug_subid *b)
{
	if (a->uid != UG_INVALID_ID && b->uid != UG_INVALID_ID)
		return a->uid == b->uid;
	return !strcmp(a->owner, b->owner);
}

static void subid_overlaps(struct lint *l)
{
	for (int t = UG_UID; t <= UG_GID; t++) {
		const struct ug_subid_list *s = &l->in->subid[t];

		for (size_t i = 0; i < l->in->n_ns; i++) {
			const struct ug_scan_ns *ns = &l->in->ns[i];

			if (ns->initial || nested(ns) || !ns->have_map[t])
				continue;
			for (__u32 x = 0; x < ns->map[t].n; x++) {
				const struct ug_extent *e = &ns->map[t].extent[x];

				for (size_t k = 0; k < s->n; k++) {
					__u64 first, count;
					char what[64], who[32];

					if ((ns->owner_uid != UG_INVALID_ID &&
					     s->v[k].uid == ns->owner_uid) ||
					    !intersect(e->lower_first, e->count, s->v[k].start,
						       s->v[k].count, &first, &count))
						continue;
					ids(what, sizeof(what), (enum ug_id_type)t, first, count);
					with_subid(with_ns(add(l, UG_PROBLEM_SUBID_OVERLAP,
							       (enum ug_id_type)t, first, count,
							       "user namespace %llu (%s) maps host %s, "
							       "allocated to %s in %s:%u",
							       (unsigned long long)ns->ino,
							       owner_text(ns, who, sizeof(who)), what,
							       s->v[k].owner, s->path, s->v[k].line),
						   i, i), k);
				}
			}
		}
	}
}

static void allocation_overlaps(struct lint *l)
{
	for (int t = UG_UID; t <= UG_GID; t++) {
		const struct ug_subid_list *s = &l->in->subid[t];

		for (size_t i = 0; i < s->n; i++) {
			for (size_t j = i + 1; j < s->n; j++) {
				__u64 first, count;
				char what[64];

				if (same_owner(&s->v[i], &s->v[j]) ||
				    !intersect(s->v[i].start, s->v[i].count, s->v[j].start,
					       s->v[j].count, &first, &count))
					continue;
				ids(what, sizeof(what), (enum ug_id_type)t, first, count);
				with_subid(with_subid(add(l, UG_PROBLEM_SUBID_ALLOCATION_OVERLAP,
							  (enum ug_id_type)t, first, count,
							  "%s:%u (%s) and %s:%u (%s) both allocate %s",
							  s->path, s->v[i].line, s->v[i].owner, s->path,
							  s->v[j].line, s->v[j].owner, what),
						      i),
					   j);
			}
		}
	}
}

/* Ending at 2^32-1 or past it: (u32)-1 is the kernel's "no id", and ids wrap. */
static bool reaches_max(__u64 first, __u64 count)
{
	return first + count - 1 >= MAX_ID;
}

static void ranges_reaching_max(struct lint *l)
{
	for (int t = UG_UID; t <= UG_GID; t++) {
		const struct ug_subid_list *s = &l->in->subid[t];

		for (size_t i = 0; i < l->in->n_ns; i++) {
			const struct ug_scan_ns *ns = &l->in->ns[i];

			if (ns->initial || !ns->have_map[t])
				continue;
			for (__u32 x = 0; x < ns->map[t].n; x++) {
				const struct ug_extent *e = &ns->map[t].extent[x];
				char what[64];

				if (!reaches_max(e->lower_first, e->count))
					continue;
				ids(what, sizeof(what), (enum ug_id_type)t, e->lower_first, e->count);
				with_ns(add(l, UG_PROBLEM_RANGE_REACHES_MAX, (enum ug_id_type)t,
					    e->lower_first, e->count,
					    "user namespace %llu maps host %s, reaching 4294967295, "
					    "which is no valid id", (unsigned long long)ns->ino, what),
					i, i);
			}
		}
		for (size_t k = 0; k < s->n; k++) {
			char what[64];

			if (!reaches_max(s->v[k].start, s->v[k].count))
				continue;
			ids(what, sizeof(what), (enum ug_id_type)t, s->v[k].start, s->v[k].count);
			with_subid(add(l, UG_PROBLEM_RANGE_REACHES_MAX, (enum ug_id_type)t,
				       s->v[k].start, s->v[k].count,
				       "%s:%u (%s) allocates %s, reaching 4294967295, which is no "
				       "valid id", s->path, s->v[k].line, s->v[k].owner, what),
				   k);
		}
	}
}

/* Namespaces (not the initial one) that map host id @host of @kind. */
static void maps_host_id(struct lint *l, enum ug_problem_kind kind, enum ug_id_type t,
			 __u32 host, const char *what)
{
	for (size_t i = 0; i < l->in->n_ns; i++) {
		const struct ug_scan_ns *ns = &l->in->ns[i];
		__u32 inside;

		if (ns->initial || !ns->have_map[t])
			continue;
		inside = ug_idmap_up(&ns->map[t], host);
		if (inside == UG_INVALID_ID)
			continue;
		with_ns(add(l, kind, t, host, 1, "user namespace %llu maps host %s %u (%s) as %s %u",
			    (unsigned long long)ns->ino, ug_id_type_name(t), host, what,
			    ug_id_type_name(t), inside),
			i, i);
	}
}

int ug_idmap_lint(const struct ug_scan_input *in, struct ug_scan_report *out)
{
	struct lint l = { .in = in, .out = out };

	memset(out, 0, sizeof(*out));
	ns_overlaps(&l);
	subid_overlaps(&l);
	allocation_overlaps(&l);
	ranges_reaching_max(&l);
	maps_host_id(&l, UG_PROBLEM_MAPS_HOST_ROOT, UG_UID, 0, "root");
	maps_host_id(&l, UG_PROBLEM_MAPS_HOST_ROOT, UG_GID, 0, "root");
	maps_host_id(&l, UG_PROBLEM_MAPS_OVERFLOW_ID, UG_UID, in->overflow[UG_UID],
		     "the overflow uid");
	maps_host_id(&l, UG_PROBLEM_MAPS_OVERFLOW_ID, UG_GID, in->overflow[UG_GID],
		     "the overflow gid");
	if (l.err) {
		ug_scan_report_free(out);
		return l.err;
	}
	return 0;
}

int ug_scan_exit_code(const struct ug_scan_report *report)
{
	return report->n ? UG_EXIT_INVALID : UG_EXIT_OK;
}

void ug_scan_report_free(struct ug_scan_report *report)
{
	free(report->problems);
	report->problems = NULL;
	report->n = 0;
}
