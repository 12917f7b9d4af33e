// SPDX-License-Identifier: GPL-2.0-only
#include "scan_format.h"

#include <errno.h>
#include <string.h>

#include <json-c/json.h>

#include "util.h"

static const char *policy_state_name(enum ug_scan_policy_state state)
{
	switch (state) {
	case UG_SCAN_POLICY_SKIPPED:
		return "skipped";
	case UG_SCAN_POLICY_NOT_LOADED:
		return "not-loaded";
	case UG_SCAN_POLICY_UNREADABLE:
		return "unreadable";
	case UG_SCAN_POLICY_LOADED:
		return "loaded";
	}
	return "?";
}

/*
 * A mark is usable by the namespace whose root is its shiftable-by id, or
 * for a pool, one of the pool's roots (as the kernel side judges it).
 */
static bool usable(const struct ug_scan_mark *mark, const struct ug_scan_ns *ns)
{
	__u32 root = ug_scan_ns_root(ns);

	if (ns->initial || root == UG_INVALID_ID)
		return false;
	if (!mark->pool_size)
		return root == mark->shiftable_by;
	return root >= mark->shiftable_by && mark->block &&
	       (root - mark->shiftable_by) % mark->block == 0 &&
	       (__u64)root - mark->shiftable_by + mark->range <= mark->pool_size;
}

/* ---- JSON -------------------------------------------------------------- */

static struct json_object *id_or_null(__u32 id)
{
	return id == UG_INVALID_ID ? NULL : json_object_new_int64(id);
}

static struct json_object *json_map(const struct ug_scan_ns *ns, int t)
{
	struct json_object *arr;

	if (!ns->have_map[t])
		return NULL;
	arr = json_object_new_array();
	for (__u32 i = 0; i < ns->map[t].n; i++) {
		const struct ug_extent *e = &ns->map[t].extent[i];
		struct json_object *triple = json_object_new_array();

		json_object_array_add(triple, json_object_new_int64(e->first));
		json_object_array_add(triple, json_object_new_int64(e->lower_first));
		json_object_array_add(triple, json_object_new_int64(e->count));
		json_object_array_add(arr, triple);
	}
	return arr;
}

static struct json_object *json_marks(const struct ug_scan_ns *ns,
				      const struct ug_scan_policy *policy)
{
	struct json_object *arr;

	if (policy->state != UG_SCAN_POLICY_LOADED)
		return NULL;
	arr = json_object_new_array();
	for (size_t i = 0; i < policy->n_marks; i++) {
		const struct ug_scan_mark *m = &policy->marks[i];
		struct json_object *o;

		if (!usable(m, ns))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "path", m->path[0] ? json_object_new_string(m->path) : NULL);
		json_object_object_add(o, "line", m->runtime ? NULL : json_object_new_int64(m->line));
		json_object_object_add(o, "runtime", json_object_new_boolean(m->runtime));
		json_object_object_add(o, "shiftable_by", json_object_new_int64(m->shiftable_by));
		json_object_object_add(o, "origin", json_object_new_int64(m->origin));
		json_object_object_add(o, "range", json_object_new_int64(m->range));
		json_object_object_add(o, "ro", json_object_new_boolean(m->ro));
		if (m->pool_size) {
			struct json_object *pool = json_object_new_object();

			json_object_object_add(pool, "size", json_object_new_int64(m->pool_size));
			json_object_object_add(pool, "block", json_object_new_int64(m->block));
			json_object_object_add(o, "pool", pool);
		}
		json_object_array_add(arr, o);
	}
	return arr;
}

static struct json_object *json_ns(const struct ug_scan_ns *ns, const struct ug_scan_policy *policy)
{
	struct json_object *o = json_object_new_object(), *pids = json_object_new_array();

	json_object_object_add(o, "inode", json_object_new_int64((int64_t)ns->ino));
	json_object_object_add(o, "initial", json_object_new_boolean(ns->initial));
	json_object_object_add(o, "owner_uid", id_or_null(ns->owner_uid));
	json_object_object_add(o, "parent_inode", ns->ancestors_known && ns->n_ancestors ?
				json_object_new_int64((int64_t)ns->ancestors[0]) : NULL);
	json_object_object_add(o, "root_host_uid", id_or_null(ug_scan_ns_root(ns)));
	json_object_object_add(o, "processes", json_object_new_int64(ns->n_tasks));
	for (__u32 i = 0; i < ns->n_tasks && i < UG_SCAN_MAX_TASKS; i++) {
		struct json_object *p = json_object_new_object();

		json_object_object_add(p, "pid", json_object_new_int64(ns->tasks[i].pid));
		json_object_object_add(p, "comm", json_object_new_string(ns->tasks[i].comm));
		json_object_array_add(pids, p);
	}
	json_object_object_add(o, "pids", pids);
	json_object_object_add(o, "uid_map", json_map(ns, UG_UID));
	json_object_object_add(o, "gid_map", json_map(ns, UG_GID));
	json_object_object_add(o, "marks", json_marks(ns, policy));
	return o;
}

static struct json_object *json_problem(const struct ug_problem *p, const struct ug_scan_data *d)
{
	struct json_object *o = json_object_new_object(), *ns = json_object_new_array(),
			   *allocs = json_object_new_array();
	const struct ug_subid_list *s = &d->in.subid[p->type];

	json_object_object_add(o, "kind", json_object_new_string(ug_problem_kind_name(p->kind)));
	json_object_object_add(o, "id_type", json_object_new_string(ug_id_type_name(p->type)));
	json_object_object_add(o, "first", json_object_new_int64((int64_t)p->first));
	json_object_object_add(o, "count", json_object_new_int64((int64_t)p->count));
	for (size_t i = 0; i < p->n_ns; i++)
		json_object_array_add(ns, json_object_new_int64((int64_t)d->in.ns[p->ns[i]].ino));
	json_object_object_add(o, "namespaces", ns);
	for (size_t i = 0; i < p->n_subid; i++) {
		const struct ug_subid *e = &s->v[p->subid[i]];
		struct json_object *a = json_object_new_object();

		json_object_object_add(a, "path", json_object_new_string(s->path));
		json_object_object_add(a, "line", json_object_new_int64(e->line));
		json_object_object_add(a, "owner", json_object_new_string(e->owner));
		json_object_object_add(a, "uid", id_or_null(e->uid));
		json_object_object_add(a, "start", json_object_new_int64((int64_t)e->start));
		json_object_object_add(a, "count", json_object_new_int64((int64_t)e->count));
		json_object_array_add(allocs, a);
	}
	json_object_object_add(o, "allocations", allocs);
	json_object_object_add(o, "message", json_object_new_string(p->message));
	return o;
}

static struct json_object *json_subid(const struct ug_subid_list *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "path", s->path ? json_object_new_string(s->path) : NULL);
	json_object_object_add(o, "allocations", json_object_new_int64((int64_t)s->n));
	return o;
}

static int format_json(FILE *out, const struct ug_scan_data *d, const struct ug_scan_report *r,
		       const struct ug_scan_policy *policy)
{
	struct json_object *root = json_object_new_object(), *arr, *o;
	const char *text;
	int err = 0;

	json_object_object_add(root, "complete", json_object_new_boolean(d->complete));
	o = json_object_new_object();
	json_object_object_add(o, "uid", json_object_new_int64(d->in.overflow[UG_UID]));
	json_object_object_add(o, "gid", json_object_new_int64(d->in.overflow[UG_GID]));
	json_object_object_add(root, "overflow", o);
	o = json_object_new_object();
	json_object_object_add(o, "state", json_object_new_string(policy_state_name(policy->state)));
	json_object_object_add(o, "source", policy->state == UG_SCAN_POLICY_LOADED ?
				json_object_new_string(policy->source) : NULL);
	json_object_object_add(root, "policy", o);
	arr = json_object_new_array();
	for (size_t i = 0; i < d->in.n_ns; i++)
		json_object_array_add(arr, json_ns(&d->in.ns[i], policy));
	json_object_object_add(root, "namespaces", arr);
	o = json_object_new_object();
	json_object_object_add(o, "uid", json_subid(&d->in.subid[UG_UID]));
	json_object_object_add(o, "gid", json_subid(&d->in.subid[UG_GID]));
	json_object_object_add(root, "subid", o);
	arr = json_object_new_array();
	for (size_t i = 0; i < r->n; i++)
		json_object_array_add(arr, json_problem(&r->problems[i], d));
	json_object_object_add(root, "problems", arr);
	arr = json_object_new_array();
	for (size_t i = 0; i < d->n_notes; i++)
		json_object_array_add(arr, json_object_new_string(d->notes[i]));
	json_object_object_add(root, "notes", arr);

	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		err = -ENOMEM;
	else if (fprintf(out, "%s\n", text) < 0)
		err = -EIO;
	json_object_put(root);
	return err;
}

/* ---- text -------------------------------------------------------------- */

static void text_map(FILE *out, const char *name, const struct ug_scan_ns *ns, int t)
{
	if (!ns->have_map[t]) {
		fprintf(out, "      %s unreadable\n", name);
		return;
	}
	for (__u32 i = 0; i < ns->map[t].n; i++)
		fprintf(out, "      %s %u %u %u\n", name, ns->map[t].extent[i].first,
			ns->map[t].extent[i].lower_first, ns->map[t].extent[i].count);
}

static void text_ns(FILE *out, const struct ug_scan_ns *ns, const struct ug_scan_policy *policy)
{
	__u32 root = ug_scan_ns_root(ns);
	size_t usable_marks = 0;

	fprintf(out, "  %llu", (unsigned long long)ns->ino);
	if (ns->initial)
		fprintf(out, " initial");
	if (ns->owner_uid != UG_INVALID_ID)
		fprintf(out, " owner %u", ns->owner_uid);
	if (!ns->initial && root != UG_INVALID_ID)
		fprintf(out, " root=host uid %u", root);
	if (ns->ancestors_known && ns->n_ancestors)
		fprintf(out, " parent %llu", (unsigned long long)ns->ancestors[0]);
	fprintf(out, " processes %u:", ns->n_tasks);
	for (__u32 i = 0; i < ns->n_tasks && i < UG_SCAN_MAX_TASKS; i++)
		fprintf(out, " %d(%s)", ns->tasks[i].pid, ns->tasks[i].comm);
	if (ns->n_tasks > UG_SCAN_MAX_TASKS)
		fprintf(out, " ...");
	fputc('\n', out);
	if (ns->initial)
		return;
	text_map(out, "uid_map", ns, UG_UID);
	text_map(out, "gid_map", ns, UG_GID);
	if (policy->state != UG_SCAN_POLICY_LOADED)
		return;
	for (size_t i = 0; i < policy->n_marks; i++) {
		const struct ug_scan_mark *m = &policy->marks[i];

		if (!usable(m, ns))
			continue;
		if (m->runtime)
			fprintf(out, "      mark    %s (runtime) origin %u range %u%s", m->path,
				m->origin, m->range, m->ro ? " ro" : "");
		else
			fprintf(out, "      mark    %s (line %u) origin %u range %u%s",
				m->path[0] ? m->path : "?", m->line, m->origin, m->range,
				m->ro ? " ro" : "");
		if (m->pool_size)
			fprintf(out, " (pool %u+%u, block %u)", m->shiftable_by, m->pool_size,
				m->block);
		fputc('\n', out);
		usable_marks++;
	}
	if (!usable_marks)
		fprintf(out, "      mark    none\n");
}

static int format_text(FILE *out, const struct ug_scan_data *d, const struct ug_scan_report *r,
		       const struct ug_scan_policy *policy)
{
	fprintf(out, "user namespaces: %zu%s\n", d->in.n_ns, d->complete ? "" : " (incomplete)");
	for (size_t i = 0; i < d->in.n_ns; i++)
		text_ns(out, &d->in.ns[i], policy);
	for (int t = UG_UID; t <= UG_GID; t++)
		fprintf(out, "%s: %zu allocation%s\n",
			d->in.subid[t].path ? d->in.subid[t].path : "?", d->in.subid[t].n,
			d->in.subid[t].n == 1 ? "" : "s");
	fprintf(out, "overflow ids: uid %u, gid %u\n", d->in.overflow[UG_UID], d->in.overflow[UG_GID]);
	switch (policy->state) {
	case UG_SCAN_POLICY_LOADED:
		fprintf(out, "policy: %s, %zu mark%s\n", policy->source[0] ? policy->source : "(none)",
			policy->n_marks, policy->n_marks == 1 ? "" : "s");
		break;
	case UG_SCAN_POLICY_NOT_LOADED:
		fprintf(out, "policy: usernsguard is not loaded, marks not listed\n");
		break;
	case UG_SCAN_POLICY_UNREADABLE:
		fprintf(out, "policy: cannot read the policy in force (%s), marks not listed\n",
			policy->error);
		break;
	case UG_SCAN_POLICY_SKIPPED:
		fprintf(out, "policy: not read (--no-policy)\n");
		break;
	}
	for (size_t i = 0; i < d->n_notes; i++)
		fprintf(out, "note: %s\n", d->notes[i]);
	if (!r->n)
		fprintf(out, "problems: none\n");
	else
		fprintf(out, "problems: %zu\n", r->n);
	for (size_t i = 0; i < r->n; i++)
		fprintf(out, "  %s: %s\n", ug_problem_kind_name(r->problems[i].kind),
			r->problems[i].message);
	return ferror(out) ? -EIO : 0;
}

int ug_scan_format(FILE *out, enum ug_format format, const struct ug_scan_data *data,
		   const struct ug_scan_report *report, const struct ug_scan_policy *policy)
{
	if (format == UG_FORMAT_JSON)
		return format_json(out, data, report, policy);
	return format_text(out, data, report, policy);
}
