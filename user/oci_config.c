// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the OCI hook marks (README "Rule 3 with real runtimes"):
 *  - the container's root R is linux.uidMappings' entry for container
 *    uid 0 (gidMappings must give gid 0 the same host id);
 *  - an idmapped bind mount (runtime-spec 1.1: option "idmap" or "ridmap",
 *    or uidMappings of its own) shows its source to the container: with
 *    its own mappings, the entry whose hostID is R gives the on-disk origin
 *    and the range; without, the container's (origin 0, R's size);
 *  - the rootfs, which OCI cannot describe as idmapped, only when the
 *    runtime or the operator says so by the annotation.
 * Anything malformed is an error naming the field, and marks nothing.
 */
#include "oci_config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "usernsguard.h"
#include "util.h"

static struct json_object *member(struct json_object *o, const char *key, enum json_type type)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

static int parse_json(const char *what, const char *text, struct json_object **out, char *err,
		      size_t errlen)
{
	enum json_tokener_error jerr;

	*out = json_tokener_parse_verbose(text, &jerr);
	if (!*out || !json_object_is_type(*out, json_type_object)) {
		ug_fmt(err, errlen, "%s: not a JSON object (%s)", what,
		       *out ? "another JSON value" : json_tokener_error_desc(jerr));
		json_object_put(*out);
		return -EINVAL;
	}
	return 0;
}

static int copy_string(struct json_object *o, const char *key, char *out, size_t len,
		       const char *what, char *err, size_t errlen)
{
	struct json_object *v = member(o, key, json_type_string);
	const char *s = v ? json_object_get_string(v) : NULL;

	if (!s || !*s || strlen(s) >= len || strchr(s, '\n')) {
		ug_fmt(err, errlen, "%s: '%s' is missing, empty, too long or not a string", what,
		       key);
		return -EINVAL;
	}
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

int ug_oci_state_parse(const char *text, struct ug_oci_state *out, char *err, size_t errlen)
{
	struct json_object *o;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = parse_json("state", text, &o, err, errlen);
	if (ret)
		return ret;
	ret = copy_string(o, "id", out->id, sizeof(out->id), "state", err, errlen);
	if (!ret)
		ret = copy_string(o, "bundle", out->bundle, sizeof(out->bundle), "state", err, errlen);
	if (!ret && member(o, "status", json_type_string))
		ret = copy_string(o, "status", out->status, sizeof(out->status), "state", err, errlen);
	if (!ret && out->bundle[0] != '/') {
		ug_fmt(err, errlen, "state: bundle '%s' is not an absolute path", out->bundle);
		ret = -EINVAL;
	}
	json_object_put(o);
	return ret;
}

/* A JSON number that is an id (0..4294967294), or a size (1..4294967295). */
static bool get_u32(struct json_object *o, const char *key, bool size, __u32 *out)
{
	struct json_object *v = member(o, key, json_type_int);
	int64_t n;

	if (!v)
		return false;
	errno = 0;
	n = json_object_get_int64(v);
	if (errno || n < (size ? 1 : 0) || n > (size ? 4294967295LL : 4294967294LL))
		return false;
	*out = (__u32)n;
	return true;
}

struct mapping {
	__u32 container, host, size;
};

/* Mapping @i of array @arr ("containerID", "hostID", "size"), checked. */
static int get_mapping(struct json_object *arr, size_t i, const char *what, struct mapping *m,
		       char *err, size_t errlen)
{
	struct json_object *e = json_object_array_get_idx(arr, i);

	if (!e || !json_object_is_type(e, json_type_object) ||
	    !get_u32(e, "containerID", false, &m->container) ||
	    !get_u32(e, "hostID", false, &m->host) || !get_u32(e, "size", true, &m->size) ||
	    (__u64)m->container + m->size - 1 > 4294967294ULL ||
	    (__u64)m->host + m->size - 1 > 4294967294ULL) {
		ug_fmt(err, errlen, "config.json: %s[%zu]: expected containerID, hostID and size "
		       "within 0-4294967294", what, i);
		return -EINVAL;
	}
	return 0;
}

/* The host id of container id 0 in @arr, and its size; -ENOENT if none maps it. */
static int root_of(struct json_object *arr, const char *what, __u32 *root, __u32 *size, char *err,
		   size_t errlen)
{
	size_t i, n = arr ? json_object_array_length(arr) : 0;
	struct mapping m;

	for (i = 0; i < n; i++) {
		if (get_mapping(arr, i, what, &m, err, errlen))
			return -EINVAL;
		if (m.container == 0) {
			*root = m.host;
			*size = m.size;
			return 0;
		}
	}
	return -ENOENT;
}

static bool has_option(struct json_object *mount, const char *a, const char *b)
{
	struct json_object *opts = member(mount, "options", json_type_array);
	size_t i, n = opts ? json_object_array_length(opts) : 0;

	for (i = 0; i < n; i++) {
		const char *o = json_object_get_string(json_object_array_get_idx(opts, i));

		if (o && (!strcmp(o, a) || (b && !strcmp(o, b))))
			return true;
	}
	return false;
}

static int add_mark(struct ug_oci_plan *plan, const char *bundle, const char *path, __u32 origin,
		    __u32 range, bool ro, const char *what, char *err, size_t errlen)
{
	struct ug_oci_mark *m;
	int n;

	if (plan->n >= UG_OCI_MAX_MARKS) {
		ug_fmt(err, errlen, "config.json: more than %d idmapped trees", UG_OCI_MAX_MARKS);
		return -EINVAL;
	}
	m = &plan->marks[plan->n];
	n = path[0] == '/' ? snprintf(m->path, sizeof(m->path), "%s", path) :
			     snprintf(m->path, sizeof(m->path), "%s/%s", bundle, path);
	if (n < 0 || (size_t)n >= sizeof(m->path) || strchr(path, '\n')) {
		ug_fmt(err, errlen, "config.json: %s: path too long", what);
		return -EINVAL;
	}
	/* One tree mounted twice: one mark, if both show it alike. */
	for (size_t i = 0; i < plan->n; i++) {
		if (strcmp(plan->marks[i].path, m->path))
			continue;
		if (plan->marks[i].origin == origin && plan->marks[i].range == range) {
			plan->marks[i].ro = plan->marks[i].ro && ro;
			return 0;
		}
		ug_fmt(err, errlen, "config.json: %s: '%s' is mounted twice with different mappings",
		       what, m->path);
		return -EINVAL;
	}
	m->root = plan->root;
	m->origin = origin;
	m->range = range;
	m->ro = ro;
	plan->n++;
	return 0;
}

/* mounts[@i]: marked if idmapped; 0 otherwise too. */
static int plan_mount(struct json_object *mount, size_t i, const char *bundle, __u32 size,
		      struct ug_oci_plan *plan, char *err, size_t errlen)
{
	struct json_object *uids = member(mount, "uidMappings", json_type_array);
	struct json_object *src = member(mount, "source", json_type_string);
	struct json_object *type = member(mount, "type", json_type_string);
	char what[64];
	__u32 origin = 0, range = size;
	size_t k, n;

	snprintf(what, sizeof(what), "mounts[%zu]", i);
	if (!json_object_is_type(mount, json_type_object)) {
		ug_fmt(err, errlen, "config.json: %s: not an object", what);
		return -EINVAL;
	}
	if (!has_option(mount, "idmap", "ridmap") && !(uids && json_object_array_length(uids)))
		return 0;
	/* Only a bind shows a host tree; an idmapped tmpfs is made for the container. */
	if (!(type && !strcmp(json_object_get_string(type), "bind")) &&
	    !has_option(mount, "bind", "rbind"))
		return 0;
	if (!src || !*json_object_get_string(src)) {
		ug_fmt(err, errlen, "config.json: %s: an idmapped bind without a source", what);
		return -EINVAL;
	}
	if (uids && json_object_array_length(uids)) {
		/* The mount's own map: on disk containerID -> hostID; the mark needs R's. */
		n = json_object_array_length(uids);
		snprintf(what, sizeof(what), "mounts[%zu].uidMappings", i);
		for (k = 0; k < n; k++) {
			struct mapping m;

			if (get_mapping(uids, k, what, &m, err, errlen))
				return -EINVAL;
			if (m.host == plan->root) {
				origin = m.container;
				range = m.size;
				break;
			}
		}
		if (k == n) {
			ug_fmt(err, errlen, "config.json: %s: no entry shows the container's root "
			       "(host %u)", what, plan->root);
			return -EINVAL;
		}
		snprintf(what, sizeof(what), "mounts[%zu]", i);
	}
	return add_mark(plan, bundle, json_object_get_string(src), origin, range,
			has_option(mount, "ro", NULL), what, err, errlen);
}

int ug_oci_config_plan(const char *text, const char *bundle, struct ug_oci_plan *plan, char *err,
		       size_t errlen)
{
	struct json_object *o, *linux_, *mounts, *root, *ann;
	__u32 uid_root = 0, uid_size = 0, gid_root = 0, gid_size = 0;
	size_t i, n;
	int ret;

	memset(plan, 0, sizeof(*plan));
	plan->root = UG_INVALID_ID;
	ret = parse_json("config.json", text, &o, err, errlen);
	if (ret)
		return ret;
	linux_ = member(o, "linux", json_type_object);
	ret = root_of(member(linux_, "uidMappings", json_type_array), "linux.uidMappings",
		      &uid_root, &uid_size, err, errlen);
	if (ret == -ENOENT) {
		ret = 0; /* no user namespace of its own: nothing is shifted for it */
		goto out;
	}
	if (ret)
		goto out;
	ret = root_of(member(linux_, "gidMappings", json_type_array), "linux.gidMappings",
		      &gid_root, &gid_size, err, errlen);
	if (ret == -ENOENT || (!ret && (gid_root != uid_root || gid_size != uid_size))) {
		ug_fmt(err, errlen, "config.json: linux.gidMappings: gid 0 must map like uid 0 "
		       "(host %u, %u ids): a mark's root is one id for both", uid_root, uid_size);
		ret = -EINVAL;
	}
	if (ret)
		goto out;
	plan->root = uid_root;
	mounts = member(o, "mounts", json_type_array);
	n = mounts ? json_object_array_length(mounts) : 0;
	for (i = 0; i < n && !ret; i++)
		ret = plan_mount(json_object_array_get_idx(mounts, i), i, bundle, uid_size, plan, err,
				 errlen);
	ann = member(member(o, "annotations", json_type_object), UG_OCI_ROOTFS_ANNOTATION,
		     json_type_string);
	if (!ret && ann) {
		root = member(o, "root", json_type_object);
		if (strcmp(json_object_get_string(ann), "idmap")) {
			ug_fmt(err, errlen, "config.json: annotations." UG_OCI_ROOTFS_ANNOTATION
			       ": '%s', expected 'idmap'", json_object_get_string(ann));
			ret = -EINVAL;
		} else if (!member(root, "path", json_type_string)) {
			ug_fmt(err, errlen, "config.json: root.path is missing");
			ret = -EINVAL;
		} else {
			struct json_object *ro = member(root, "readonly", json_type_boolean);

			ret = add_mark(plan, bundle,
				       json_object_get_string(member(root, "path", json_type_string)),
				       0, uid_size, ro && json_object_get_boolean(ro), "root.path",
				       err, errlen);
		}
	}
out:
	if (ret)
		plan->n = 0;
	json_object_put(o);
	return ret;
}
