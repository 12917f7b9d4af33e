// SPDX-License-Identifier: GPL-2.0-only
#include "userns_scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/nsfs.h>

#include "util.h"

#define MAX_FILE (64 * 1024)

#define note(d, ...) ug_lines_add(&(d)->notes, &(d)->n_notes, __VA_ARGS__)

/* The namespace inode from a "user:[N]" link; 0 or -errno. */
static int ns_inode(const char *proc, const char *pid, __u64 *ino)
{
	char path[512], target[64];
	unsigned long long v;
	ssize_t n;

	ug_fmt(path, sizeof(path), "%s/%s/ns/user", proc, pid);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	if (sscanf(target, "user:[%llu]", &v) != 1)
		return -EINVAL;
	*ino = v;
	return 0;
}

/*
 * Owner and ancestors through nsfs ioctls. A fixture tree has plain
 * symlinks, so these stay unknown there. NS_GET_PARENT of the initial
 * namespace fails with EPERM, which ends the chain.
 */
static void ns_identity(const char *proc, const char *pid, struct ug_scan_ns *ns, bool *no_parent)
{
	char path[512];
	uid_t owner;
	int fd;

	*no_parent = false;
	ug_fmt(path, sizeof(path), "%s/%s/ns/user", proc, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (!ioctl(fd, NS_GET_OWNER_UID, &owner))
		ns->owner_uid = (__u32)owner;
	for (;;) {
		int parent = ioctl(fd, NS_GET_PARENT);
		struct stat st;

		if (parent < 0) {
			if (errno == EPERM) {
				ns->ancestors_known = true;
				*no_parent = !ns->n_ancestors;
			}
			break;
		}
		if (fstat(parent, &st) || ns->n_ancestors == UG_SCAN_MAX_DEPTH) {
			close(parent);
			break;
		}
		ns->ancestors[ns->n_ancestors++] = st.st_ino;
		close(fd);
		fd = parent;
	}
	close(fd);
	if (!ns->ancestors_known)
		ns->n_ancestors = 0;
}

static void read_comm(const char *proc, const char *pid, char comm[17])
{
	char path[512];
	size_t len;
	char *text;

	ug_fmt(path, sizeof(path), "%s/%s/comm", proc, pid);
	comm[0] = '\0';
	if (ug_read_file(path, 64, &text, &len))
		return;
	text[strcspn(text, "\n")] = '\0';
	ug_fmt(comm, 17, "%s", text);
	free(text);
}

struct walk {
	struct ug_scan_data *d;
	const char *proc;
	size_t cap;
	char (*map_err)[2][160]; /* per namespace: why its maps could not be read */
	bool *no_parent;
	size_t denied, failed;
	char failure[160];
};

static struct ug_scan_ns *find_or_add(struct walk *w, const char *pid, __u64 ino, size_t *index)
{
	struct ug_scan_input *in = &w->d->in;
	size_t i;

	for (i = 0; i < in->n_ns; i++)
		if (in->ns[i].ino == ino) {
			*index = i;
			return &in->ns[i];
		}
	if (in->n_ns == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 8;
		struct ug_scan_ns *ns = realloc(in->ns, cap * sizeof(*ns));
		char (*errs)[2][160] = realloc(w->map_err, cap * sizeof(*errs));
		bool *np;

		if (ns)
			in->ns = ns;
		if (errs)
			w->map_err = errs;
		np = realloc(w->no_parent, cap * sizeof(*np));
		if (np)
			w->no_parent = np;
		if (!ns || !errs || !np)
			return NULL;
		w->cap = cap;
	}
	*index = in->n_ns;
	memset(&in->ns[in->n_ns], 0, sizeof(in->ns[0]));
	memset(w->map_err[in->n_ns], 0, sizeof(w->map_err[0]));
	in->ns[in->n_ns].ino = ino;
	in->ns[in->n_ns].owner_uid = UG_INVALID_ID;
	in->ns[in->n_ns].owner_gid = UG_INVALID_ID;
	ns_identity(w->proc, pid, &in->ns[in->n_ns], &w->no_parent[in->n_ns]);
	return &in->ns[in->n_ns++];
}

static void visit(struct walk *w, const char *pid)
{
	struct ug_scan_ns *ns;
	size_t index;
	__u64 ino;
	int err;

	err = ns_inode(w->proc, pid, &ino);
	if (err == -ENOENT || err == -ESRCH)
		return; /* exited while we looked */
	if (err) {
		if (err == -EACCES || err == -EPERM)
			w->denied++;
		else if (!w->failed++)
			ug_fmt(w->failure, sizeof(w->failure), "%s/%s/ns/user: %s", w->proc, pid,
			       strerror(-err));
		return;
	}
	ns = find_or_add(w, pid, ino, &index);
	if (!ns) {
		if (!w->failed++)
			ug_fmt(w->failure, sizeof(w->failure), "out of memory");
		return;
	}
	/* Maps are per namespace: one process in it is enough, the next one if it raced away. */
	for (int t = UG_UID; t <= UG_GID; t++) {
		char path[512];

		if (ns->have_map[t])
			continue;
		ug_fmt(path, sizeof(path), "%s/%s/%s", w->proc, pid, t == UG_UID ? "uid_map" : "gid_map");
		ns->have_map[t] = !ug_idmap_read_path(path, &ns->map[t], w->map_err[index][t],
						      sizeof(w->map_err[index][t]));
	}
	if (ns->n_tasks < UG_SCAN_MAX_TASKS) {
		ns->tasks[ns->n_tasks].pid = atoi(pid);
		read_comm(w->proc, pid, ns->tasks[ns->n_tasks].comm);
	}
	ns->n_tasks++;
}

static int by_ino(const void *a, const void *b)
{
	const struct ug_scan_ns *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static bool numeric(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int walk_proc(struct ug_scan_data *d, const char *proc)
{
	struct walk w = { .d = d, .proc = proc };
	struct dirent *de;
	__u64 init_ino = 0;
	size_t i;
	DIR *dir;

	dir = opendir(proc);
	if (!dir) {
		int err = -errno;

		ug_err("cannot list %s: %s", proc, strerror(errno));
		return err;
	}
	while ((de = readdir(dir)))
		if (numeric(de->d_name))
			visit(&w, de->d_name);
	closedir(dir);

	/* PID 1 runs in the initial namespace; without access to it, nsfs says which has no parent. */
	if (ns_inode(proc, "1", &init_ino))
		init_ino = 0;
	for (i = 0; i < d->in.n_ns; i++) {
		struct ug_scan_ns *ns = &d->in.ns[i];

		ns->initial = init_ino ? ns->ino == init_ino : w.no_parent[i];
		for (int t = UG_UID; t <= UG_GID; t++)
			if (!ns->have_map[t])
				note(d, "user namespace %llu: no readable %s (%s)",
				     (unsigned long long)ns->ino, t == UG_UID ? "uid_map" : "gid_map",
				     w.map_err[i][t]);
	}
	if (w.denied)
		note(d, "%zu process%s could not be inspected (permission denied): run as root "
		     "to see every user namespace", w.denied, w.denied == 1 ? "" : "es");
	if (w.failed)
		note(d, "%zu process%s could not be inspected (first: %s)", w.failed,
		     w.failed == 1 ? "" : "es", w.failure);
	d->complete = !w.denied && !w.failed;
	free(w.map_err);
	free(w.no_parent);
	qsort(d->in.ns, d->in.n_ns, sizeof(d->in.ns[0]), by_ino);
	return 0;
}

/* Ids read inside a user namespace are that namespace's, not the host's. */
static void check_own_namespace(struct ug_scan_data *d, const char *proc)
{
	struct ug_idmap map;
	char path[512], err[160];

	ug_fmt(path, sizeof(path), "%s/self/uid_map", proc);
	if (ug_idmap_read_path(path, &map, err, sizeof(err)))
		return;
	if (map.n != 1 || map.extent[0].first || map.extent[0].lower_first ||
	    map.extent[0].count != UG_INVALID_ID)
		note(d, "this scan runs inside a user namespace: ids are that namespace's, not the "
		     "host's, and namespaces outside it are not seen");
}

static void read_accounts(struct ug_scan_data *d, const char *path)
{
	size_t len;
	char *text;
	int err;

	err = ug_read_file(path, 16 << 20, &text, &len);
	if (err) {
		note(d, "cannot read %s: %s: owners are matched by name, and namespace owners' groups "
		     "are unknown", path, strerror(-err));
		return;
	}
	if (ug_passwd_parse(text, &d->accounts, &d->n_accounts))
		note(d, "%s: out of memory", path);
	free(text);
}

static void read_subids(struct ug_scan_data *d, enum ug_id_type t, const char *path)
{
	struct ug_subid_list *s = &d->in.subid[t];
	char bad[160];
	size_t len, n_bad;
	char *text;
	int err;

	s->path = path;
	err = ug_read_file(path, 16 << 20, &text, &len);
	if (err) {
		if (err == -ENOENT)
			note(d, "%s: not present, no %s allocations to check", path,
			     ug_id_type_name(t));
		else
			note(d, "cannot read %s: %s", path, strerror(-err));
		return;
	}
	if (ug_subid_parse(text, d->accounts, d->n_accounts, &s->v, &s->n, bad, sizeof(bad),
			   &n_bad))
		note(d, "%s: out of memory", path);
	else if (n_bad)
		note(d, "%s: %zu malformed line%s skipped (%s)", path, n_bad, n_bad == 1 ? "" : "s",
		     bad);
	free(text);
}

static __u32 read_overflow(struct ug_scan_data *d, const char *proc, const char *name)
{
	char path[512];
	size_t len;
	char *text;
	__u32 id = 65534;

	ug_fmt(path, sizeof(path), "%s/sys/kernel/%s", proc, name);
	if (ug_read_file(path, 64, &text, &len)) {
		note(d, "cannot read %s: assuming the default 65534", path);
		return id;
	}
	text[strcspn(text, "\n")] = '\0';
	if (ug_parse_id(text, &id)) {
		note(d, "%s: '%s' is not an id: assuming the default 65534", path, text);
		id = 65534;
	}
	free(text);
	return id;
}

int ug_scan_collect(const struct ug_scan_sources *src, struct ug_scan_data *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	err = walk_proc(out, src->proc);
	if (err)
		return err;
	check_own_namespace(out, src->proc);
	read_accounts(out, src->passwd);
	for (size_t i = 0; i < out->in.n_ns; i++) {
		struct ug_scan_ns *ns = &out->in.ns[i];
		const struct ug_account *acc = ns->owner_uid == UG_INVALID_ID ? NULL :
			ug_account_by_uid(out->accounts, out->n_accounts, ns->owner_uid);

		if (acc)
			ns->owner_gid = acc->gid;
	}
	read_subids(out, UG_UID, src->subid[UG_UID]);
	read_subids(out, UG_GID, src->subid[UG_GID]);
	out->in.overflow[UG_UID] = read_overflow(out, src->proc, "overflowuid");
	out->in.overflow[UG_GID] = read_overflow(out, src->proc, "overflowgid");
	return 0;
}

void ug_scan_data_free(struct ug_scan_data *data)
{
	for (size_t i = 0; i < data->n_notes; i++)
		free(data->notes[i]);
	free(data->notes);
	free(data->in.ns);
	free(data->in.subid[UG_UID].v);
	free(data->in.subid[UG_GID].v);
	free(data->accounts);
	memset(data, 0, sizeof(*data));
}
