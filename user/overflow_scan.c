// SPDX-License-Identifier: GPL-2.0-only
/*
 * `usernsguard scan overflow` (overflow_scan.h). Read-only: it walks
 * /proc, the set-id files under the given paths and the systemd unit
 * directories, and prints findings; it changes nothing. `--root DIR` reads
 * /etc, the unit directories and the set-id paths below DIR (fixtures,
 * or an image), `--proc DIR` another proc tree.
 */
#include "overflow_scan.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "event_format.h"
#include "policy_maps.h"
#include "subid.h"
#include "unit_file.h"
#include "util.h"

/* systemd's DynamicUser= range (systemd.exec(5)). */
#define DYNAMIC_FIRST 61184u
#define DYNAMIC_LAST 65519u
#define MAX_PATHS 16

enum finding_kind { F_PROCESS, F_SETID_FILE, F_UNIT };

struct finding {
	enum finding_kind kind;
	int pid;
	char subject[512]; /* process: comm; file: path; unit: unit name */
	char where[512];   /* process: exe; unit: the file and line that set it */
	char cgroup[512];
	char what[256];    /* what holds or names the id, in words */
	char exemption[600];
};

struct scan {
	const char *proc, *root;
	__u32 ouid, ogid;
	const char *ids_from;
	struct finding *f;
	size_t n, cap;
	char **notes;
	size_t n_notes;
	bool complete;
	struct ug_account *users;
	size_t n_users;
	char *group_text; /* /etc/group: name:password:gid:members */
	char systemd_exe[128]; /* what changes a unit's ids before it runs */
	size_t files_seen;
};

static struct scan *nftw_scan; /* nftw() passes no context */

#define note(s, ...) ug_lines_add(&(s)->notes, &(s)->n_notes, __VA_ARGS__)

static struct finding *add(struct scan *s, enum finding_kind kind)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct finding *grown = realloc(s->f, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		s->f = grown;
		s->cap = cap;
	}
	memset(&s->f[s->n], 0, sizeof(s->f[0]));
	s->f[s->n].kind = kind;
	return &s->f[s->n++];
}

/* @path below --root. */
static void rooted(const struct scan *s, const char *path, char *out, size_t len)
{
	ug_fmt(out, len, "%s%s", s->root ? s->root : "", path);
}

static char *read_text(const char *path)
{
	char *text = NULL;
	size_t len;

	return ug_read_file(path, 1 << 20, &text, &len) ? NULL : text;
}

/* ---- the overflow ids --------------------------------------------------- */

static int read_id_file(const char *path, __u32 *id)
{
	char *text = read_text(path);
	int ret = -ENOENT;

	if (text) {
		text[strcspn(text, " \n")] = '\0';
		ret = ug_parse_id(text, id);
		free(text);
	}
	return ret;
}

static int overflow_ids(struct scan *s, bool use_policy)
{
	struct ug_map_fds fds;
	struct ug_policy policy;
	char path[4096];

	if (use_policy && !ug_maps_open_pinned(&fds)) {
		int ret = ug_policy_current(&fds, &policy, NULL);

		ug_maps_close(&fds);
		if (!ret && !policy.overflow_live) {
			s->ouid = policy.overflow_uid;
			s->ogid = policy.overflow_gid;
			s->ids_from = "policy";
			return 0;
		}
	}
	ug_fmt(path, sizeof(path), "%s/sys/kernel/overflowuid", s->proc);
	if (read_id_file(path, &s->ouid))
		return -1;
	ug_fmt(path, sizeof(path), "%s/sys/kernel/overflowgid", s->proc);
	if (read_id_file(path, &s->ogid))
		return -1;
	s->ids_from = "sysctl";
	return 0;
}

/* ---- processes ---------------------------------------------------------- */

/* The kernel id that @map (uid_map text) shows inside as @inside, or UG_INVALID_ID. */
static __u32 mapped_inside(const char *map, __u32 inside)
{
	unsigned long long first, lower, count;
	const char *p = map;
	int used;

	while (p && sscanf(p, "%llu %llu %llu%n", &first, &lower, &count, &used) == 3) {
		if (inside >= first && inside - first < count)
			return (__u32)(lower + (inside - first));
		p = strchr(p + used, '\n');
		p = p ? p + 1 : NULL;
	}
	return UG_INVALID_ID;
}

/* "Uid:\t0\t0\t0\t0" -> ids. 0 or -1. */
static int status_ids(const char *status, const char *key, __u32 ids[4])
{
	const char *line = strstr(status, key);
	unsigned long a, b, c, d;

	if (!line || sscanf(line + strlen(key), "%lu %lu %lu %lu", &a, &b, &c, &d) != 4)
		return -1;
	ids[0] = a;
	ids[1] = b;
	ids[2] = c;
	ids[3] = d;
	return 0;
}

static const char *const slot_names[4] = { "real", "effective", "saved", "fs" };

/* Which of @ids are @id, in words: "uid 65534 (real, effective)". "" if none. */
static void held(const char *type, const __u32 ids[4], __u32 id, char *out, size_t len)
{
	size_t used = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < 4; i++) {
		if (ids[i] != id)
			continue;
		used += (size_t)snprintf(out + used, used < len ? len - used : 0, "%s%s",
					 used ? ", " : "", slot_names[i]);
	}
	if (used) {
		char slots[128];

		ug_fmt(slots, sizeof(slots), "%s", out);
		ug_fmt(out, len, "%s %u (%s)", type, id, slots);
	}
}

static bool in_groups(const char *status, __u32 gid)
{
	const char *line = strstr(status, "\nGroups:");
	char *end;

	if (!line)
		return false;
	line += 8;
	while (*line && *line != '\n') {
		unsigned long g = strtoul(line, &end, 10);

		if (end == line)
			break;
		if (g == gid)
			return true;
		line = end;
		while (*line == ' ' || *line == '\t')
			line++;
	}
	return false;
}

static void suggest_for_process(struct finding *f)
{
	size_t n = strlen(f->cgroup);

	/* A service's cgroup by path survives its restarts; else its executable. */
	if (n > 8 && !strcmp(f->cgroup + n - 8, ".service"))
		ug_fmt(f->exemption, sizeof(f->exemption), "exempt overflow-transitions cgroup %s",
		       f->cgroup);
	else if (f->where[0] == '/')
		ug_fmt(f->exemption, sizeof(f->exemption), "exempt overflow-transitions exec %s",
		       f->where);
}

static void scan_process(struct scan *s, const char *pid)
{
	char path[4096], exe[512] = "", what[256] = "", part[128];
	char *status, *cgroups, *map[2];
	__u32 uids[4], gids[4], ns_id[2];
	struct finding *f;
	ssize_t len;
	int t;

	ug_fmt(path, sizeof(path), "%s/%s/status", s->proc, pid);
	status = read_text(path);
	if (!status)
		return; /* gone */
	if (status_ids(status, "\nUid:", uids) || status_ids(status, "\nGid:", gids)) {
		free(status);
		return;
	}
	for (t = 0; t < 2; t++) {
		ug_fmt(path, sizeof(path), "%s/%s/%s", s->proc, pid, t ? "gid_map" : "uid_map");
		map[t] = read_text(path);
		ns_id[t] = map[t] ? mapped_inside(map[t], t ? s->ogid : s->ouid) : UG_INVALID_ID;
		free(map[t]);
	}
	held("uid", uids, s->ouid, what, sizeof(what));
	if (!what[0])
		held("gid", gids, s->ogid, what, sizeof(what));
	if (!what[0] && in_groups(status, s->ogid))
		ug_fmt(what, sizeof(what), "supplementary gid %u", s->ogid);
	/* An id its own namespace shows as the overflow id (a map written onto it). */
	if (!what[0] && ns_id[0] != UG_INVALID_ID && ns_id[0] != s->ouid) {
		held("uid", uids, ns_id[0], part, sizeof(part));
		if (part[0])
			ug_fmt(what, sizeof(what), "%s, which its user namespace shows as %u", part,
			       s->ouid);
	}
	if (!what[0] && ns_id[1] != UG_INVALID_ID && ns_id[1] != s->ogid) {
		held("gid", gids, ns_id[1], part, sizeof(part));
		if (part[0])
			ug_fmt(what, sizeof(what), "%s, which its user namespace shows as %u", part,
			       s->ogid);
	}
	if (!what[0]) {
		free(status);
		return;
	}
	f = add(s, F_PROCESS);
	if (!f) {
		free(status);
		return;
	}
	f->pid = atoi(pid);
	{
		const char *name = strstr(status, "Name:");
		char comm[64] = "";

		if (name)
			sscanf(name + 5, " %63[^\n]", comm);
		ug_fmt(f->subject, sizeof(f->subject), "%s", comm);
	}
	free(status);
	ug_fmt(f->what, sizeof(f->what), "%s", what);
	ug_fmt(path, sizeof(path), "%s/%s/exe", s->proc, pid);
	len = readlink(path, exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = '\0';
		if (len > 10 && !strcmp(exe + len - 10, " (deleted)"))
			exe[len - 10] = '\0';
		ug_fmt(f->where, sizeof(f->where), "%s", exe);
	} else if (errno == EACCES) {
		s->complete = false;
	}
	ug_fmt(path, sizeof(path), "%s/%s/cgroup", s->proc, pid);
	cgroups = read_text(path);
	if (cgroups) {
		char *line = strstr(cgroups, "0::");

		if (line == cgroups || (line && line[-1] == '\n'))
			sscanf(line + 3, "%511[^\n]", f->cgroup);
		free(cgroups);
	}
	suggest_for_process(f);
}

static int scan_processes(struct scan *s)
{
	struct dirent *de;
	DIR *d = opendir(s->proc);

	if (!d) {
		ug_err("scan overflow: cannot list %s: %s", s->proc, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
			scan_process(s, de->d_name);
	closedir(d);
	return 0;
}

/* ---- set-id files ------------------------------------------------------- */

static int setid_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct scan *s = nftw_scan;
	const char *bits = NULL;
	struct finding *f;
	size_t skip = s->root ? strlen(s->root) : 0;

	(void)ftw;
	if (type == FTW_DNR) {
		s->complete = false;
		return 0;
	}
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	s->files_seen++;
	if ((st->st_mode & S_ISUID) && st->st_uid == s->ouid)
		bits = "set-user-id, owned by uid";
	else if ((st->st_mode & S_ISGID) && st->st_gid == s->ogid)
		bits = "set-group-id, group gid";
	if (!bits)
		return 0;
	f = add(s, F_SETID_FILE);
	if (!f)
		return 0;
	ug_fmt(f->subject, sizeof(f->subject), "%s", path + skip);
	ug_fmt(f->what, sizeof(f->what), "%s %u", bits,
	       st->st_mode & S_ISUID && st->st_uid == s->ouid ? s->ouid : s->ogid);
	ug_fmt(f->exemption, sizeof(f->exemption), "exempt overflow-transitions exec %s",
	       path + skip);
	return 0;
}

static void scan_setid(struct scan *s, const char *const *paths, size_t n)
{
	char path[4096];

	nftw_scan = s;
	for (size_t i = 0; i < n; i++) {
		rooted(s, paths[i], path, sizeof(path));
		if (access(path, F_OK))
			continue;
		/* Not across mounts: /proc, /sys and network filesystems stay out. */
		if (nftw(path, setid_visit, 32, FTW_PHYS | FTW_MOUNT))
			note(s, "walking %s: %s", paths[i], strerror(errno));
	}
}

/* ---- systemd units ------------------------------------------------------ */

static const char *const unit_dirs[] = {
	"/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
	"/usr/lib/systemd/system", "/lib/systemd/system",
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Drop-ins of @unit from every unit directory, by file name, the first directory winning. */
static void apply_dropins(struct scan *s, const char *unit, struct ug_unit_ids *ids,
			  char ***keep, size_t *n_keep)
{
	char *names[64], dir[4096], path[4096];
	size_t n = 0, i, d;

	for (d = 0; d < sizeof(unit_dirs) / sizeof(unit_dirs[0]); d++) {
		struct dirent *de;
		DIR *dd;

		ug_fmt(path, sizeof(path), "%s/%s.d", unit_dirs[d], unit);
		rooted(s, path, dir, sizeof(dir));
		dd = opendir(dir);
		if (!dd)
			continue;
		while ((de = readdir(dd)) && n < 64) {
			size_t len = strlen(de->d_name);
			bool dup = false;

			if (len < 6 || strcmp(de->d_name + len - 5, ".conf"))
				continue;
			for (i = 0; i < n; i++)
				dup |= !strcmp(strrchr(names[i], '/') + 1, de->d_name);
			if (!dup && asprintf(&names[n], "%s/%s", path, de->d_name) > 0)
				n++;
		}
		closedir(dd);
	}
	/* systemd applies drop-ins in the order of their file names. */
	for (i = 0; i < n; i++) {
		char *base = strrchr(names[i], '/') + 1;

		memmove(names[i], base, strlen(base) + 1);
	}
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		char *text = NULL, *file = NULL;

		for (d = 0; d < sizeof(unit_dirs) / sizeof(unit_dirs[0]) && !text; d++) {
			free(file);
			if (asprintf(&file, "%s/%s.d/%s", unit_dirs[d], unit, names[i]) < 0) {
				file = NULL;
				break;
			}
			rooted(s, file, path, sizeof(path));
			text = read_text(path);
		}
		free(names[i]);
		if (!text) {
			free(file);
			continue;
		}
		ug_unit_apply(ids, file, text);
		free(text);
		/* @ids points at the file names: the caller frees them after its finding. */
		char **grown = realloc(*keep, (*n_keep + 1) * sizeof(*grown));

		if (grown) {
			*keep = grown;
			(*keep)[(*n_keep)++] = file;
		} else {
			free(file);
		}
	}
}

/* The gid of group @name in /etc/group text, or UG_INVALID_ID. */
static __u32 group_id(const char *text, const char *name)
{
	size_t len = strlen(name);
	const char *line = text;
	__u32 gid;

	while (line && *line) {
		const char *pw = line + len;

		if (!strncmp(line, name, len) && *pw == ':') {
			const char *num = strchr(pw + 1, ':');
			char buf[16];

			if (num && sscanf(num + 1, "%15[0-9]", buf) == 1 && !ug_parse_id(buf, &gid))
				return gid;
		}
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	return UG_INVALID_ID;
}

/* Whether User= (or with @group, Group=) @value names @id: a number or a name. */
static bool names_overflow(const struct scan *s, bool group, const char *value, __u32 id)
{
	const struct ug_account *a;
	__u32 num;

	if (!value[0])
		return false;
	if (!ug_parse_id(value, &num))
		return num == id;
	if (group)
		return s->group_text && group_id(s->group_text, value) == id;
	a = ug_account_by_name(s->users, s->n_users, value);
	return a && a->uid == id;
}

static void unit_finding(struct scan *s, const char *unit, const struct ug_unit_ids *ids,
			 const char *what, const char *file, unsigned int line)
{
	struct finding *f = add(s, F_UNIT);
	char cgroup[512];

	if (!f)
		return;
	ug_fmt(f->subject, sizeof(f->subject), "%s", unit);
	ug_fmt(f->where, sizeof(f->where), "%s:%u", file, line);
	ug_fmt(f->what, sizeof(f->what), "%s", what);
	ug_unit_cgroup(unit, ids->slice, cgroup, sizeof(cgroup));
	ug_fmt(f->cgroup, sizeof(f->cgroup), "%s", cgroup);
	/*
	 * Not the unit's cgroup: systemd's forked child calls initgroups()
	 * (setgroups) for User= before it joins the unit's cgroup, and makes
	 * every id change before it executes the service. So what drops the
	 * ids is systemd's own binary (systemd-executor from 255 on).
	 */
	ug_fmt(f->exemption, sizeof(f->exemption), "exempt overflow-transitions exec %s",
	       s->systemd_exe);
}

static void scan_unit(struct scan *s, const char *dir, const char *unit)
{
	struct ug_unit_ids ids = { 0 };
	char **keep = NULL; /* the files @ids names, until the finding copied them */
	size_t n_keep = 0;
	char path[4096], target[64], what[300];
	char *text, *file;
	ssize_t len;

	if (asprintf(&file, "%s/%s", dir, unit) < 0)
		return;
	rooted(s, file, path, sizeof(path));
	len = readlink(path, target, sizeof(target) - 1);
	if (len > 0) {
		target[len] = '\0';
		if (!strcmp(target, "/dev/null")) {
			free(file); /* masked */
			return;
		}
	}
	text = read_text(path);
	if (!text) {
		free(file);
		return;
	}
	ug_unit_apply(&ids, file, text);
	free(text);
	apply_dropins(s, unit, &ids, &keep, &n_keep);
	if (names_overflow(s, false, ids.user, s->ouid)) {
		ug_fmt(what, sizeof(what), "User=%s (uid %u)", ids.user, s->ouid);
		unit_finding(s, unit, &ids, what, ids.user_file, ids.user_line);
	} else if (names_overflow(s, true, ids.group, s->ogid)) {
		ug_fmt(what, sizeof(what), "Group=%s (gid %u)", ids.group, s->ogid);
		unit_finding(s, unit, &ids, what, ids.group_file, ids.group_line);
	} else if (ids.dynamic_user && s->ouid >= DYNAMIC_FIRST && s->ouid <= DYNAMIC_LAST) {
		ug_fmt(what, sizeof(what), "DynamicUser=yes, whose range %u-%u holds uid %u",
		       DYNAMIC_FIRST, DYNAMIC_LAST, s->ouid);
		unit_finding(s, unit, &ids, what, ids.dynamic_file, ids.dynamic_line);
	}
	free(file);
	for (size_t i = 0; i < n_keep; i++)
		free(keep[i]);
	free(keep);
}

static void scan_units(struct scan *s)
{
	char **seen = NULL, dir[4096];
	size_t n_seen = 0, i, d;

	for (d = 0; d < sizeof(unit_dirs) / sizeof(unit_dirs[0]); d++) {
		struct dirent *de;
		DIR *dd;

		rooted(s, unit_dirs[d], dir, sizeof(dir));
		dd = opendir(dir);
		if (!dd)
			continue;
		while ((de = readdir(dd))) {
			size_t len = strlen(de->d_name);
			bool dup = false;
			char **grown;

			if (len < 9 || strcmp(de->d_name + len - 8, ".service"))
				continue;
			/* The first directory that has a unit of that name is the one used. */
			for (i = 0; i < n_seen; i++)
				dup |= !strcmp(seen[i], de->d_name);
			if (dup)
				continue;
			grown = realloc(seen, (n_seen + 1) * sizeof(*grown));
			if (!grown)
				break;
			seen = grown;
			seen[n_seen] = strdup(de->d_name);
			if (!seen[n_seen])
				break;
			scan_unit(s, unit_dirs[d], seen[n_seen++]);
		}
		closedir(dd);
	}
	for (i = 0; i < n_seen; i++)
		free(seen[i]);
	free(seen);
}

/* ---- report -------------------------------------------------------------- */

static const char *kind_name(enum finding_kind k)
{
	return k == F_PROCESS ? "process" : k == F_SETID_FILE ? "setid-file" : "unit";
}

/* Processes by pid, then set-id files by path, then units by name. */
static int cmp_finding(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;

	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return strcmp(x->subject, y->subject);
}

/* The distinct exemption lines, in the order of the findings. */
static size_t exemptions(const struct scan *s, const char **out)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++) {
		bool dup = !s->f[i].exemption[0];

		for (size_t j = 0; j < n && !dup; j++)
			dup = !strcmp(out[j], s->f[i].exemption);
		if (!dup)
			out[n++] = s->f[i].exemption;
	}
	return n;
}

static int print_json(FILE *out, const struct scan *s, const char **ex, size_t n_ex)
{
	struct json_object *root = json_object_new_object(), *ids = json_object_new_object();
	struct json_object *arr = json_object_new_array(), *lines = json_object_new_array();
	struct json_object *notes = json_object_new_array();
	int ret = 0;

	json_object_object_add(ids, "uid", json_object_new_int64(s->ouid));
	json_object_object_add(ids, "gid", json_object_new_int64(s->ogid));
	json_object_object_add(ids, "from", json_object_new_string(s->ids_from));
	json_object_object_add(root, "overflow", ids);
	json_object_object_add(root, "complete", json_object_new_boolean(s->complete));
	for (size_t i = 0; i < s->n; i++) {
		const struct finding *f = &s->f[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "kind", json_object_new_string(kind_name(f->kind)));
		if (f->kind == F_PROCESS) {
			json_object_object_add(o, "pid", json_object_new_int(f->pid));
			json_object_object_add(o, "comm", json_object_new_string(f->subject));
			json_object_object_add(o, "exe", f->where[0] ?
						json_object_new_string(f->where) : NULL);
		} else if (f->kind == F_SETID_FILE) {
			json_object_object_add(o, "path", json_object_new_string(f->subject));
		} else {
			json_object_object_add(o, "unit", json_object_new_string(f->subject));
			json_object_object_add(o, "set_at", json_object_new_string(f->where));
		}
		if (f->kind != F_SETID_FILE)
			json_object_object_add(o, "cgroup", f->cgroup[0] ?
						json_object_new_string(f->cgroup) : NULL);
		json_object_object_add(o, "what", json_object_new_string(f->what));
		json_object_object_add(o, "exemption", f->exemption[0] ?
					json_object_new_string(f->exemption) : NULL);
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "findings", arr);
	for (size_t i = 0; i < n_ex; i++)
		json_object_array_add(lines, json_object_new_string(ex[i]));
	json_object_object_add(root, "exemptions", lines);
	for (size_t i = 0; i < s->n_notes; i++)
		json_object_array_add(notes, json_object_new_string(s->notes[i]));
	json_object_object_add(root, "notes", notes);
	if (fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
		ret = -EIO;
	json_object_put(root);
	return ret;
}

static void print_text(FILE *out, const struct scan *s, const char **ex, size_t n_ex)
{
	fprintf(out, "overflow ids: uid %u, gid %u (from the %s)\n", s->ouid, s->ogid,
		!strcmp(s->ids_from, "policy") ? "policy in force" : "sysctls");
	for (size_t i = 0; i < s->n; i++) {
		const struct finding *f = &s->f[i];

		if (f->kind == F_PROCESS)
			fprintf(out, "process %d (%s) holds %s: %s%s%s\n", f->pid, f->subject, f->what,
				f->where[0] ? f->where : "(executable unknown)",
				f->cgroup[0] ? " in " : "", f->cgroup);
		else if (f->kind == F_SETID_FILE)
			fprintf(out, "set-id file %s: %s\n", f->subject, f->what);
		else
			fprintf(out, "unit %s runs as %s (%s)\n", f->subject, f->what, f->where);
	}
	for (size_t i = 0; i < s->n_notes; i++)
		fprintf(out, "note: %s\n", s->notes[i]);
	if (!s->n) {
		fprintf(out, "nothing found that rule 1 would refuse\n");
		return;
	}
	fprintf(out, "%zu finding%s: rule 1 would refuse %s at %s next id change or start.\n"
		"These policy lines would exempt %s:\n", s->n, s->n == 1 ? "" : "s",
		s->n == 1 ? "it" : "them", s->n == 1 ? "its" : "their", s->n == 1 ? "it" : "them");
	for (size_t i = 0; i < n_ex; i++)
		fprintf(out, "  %s\n", ex[i]);
}

static const char HELP[] =
	"options:\n"
	"  --format json|text  output format (default text)\n"
	"  --proc DIR          the proc tree to walk (default /proc)\n"
	"  --root DIR          read /etc, the unit directories and set-id paths below DIR\n"
	"  --setid-path DIR    where to look for set-id files (repeatable; default /usr /opt)\n"
	"  --no-policy         take the overflow ids from the sysctls, not the policy in force\n"
	"Exit 0: nothing would break; 1: findings; 2: usage; 4: the proc tree cannot be listed.\n";

int ug_overflow_scan_command(int argc, char **argv, void (*usage)(FILE *out))
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "proc", required_argument, NULL, 'p' },
		{ "root", required_argument, NULL, 'r' },
		{ "setid-path", required_argument, NULL, 's' },
		{ "no-policy", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *paths[MAX_PATHS] = { "/usr", "/opt" }, **ex = NULL;
	struct scan s = { .proc = "/proc", .complete = true };
	enum ug_format format = UG_FORMAT_TEXT;
	size_t n_paths = 2, n_ex;
	bool use_policy = true, paths_given = false;
	char path[4096], *text;
	int c, ret = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+F:h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (ug_format_parse("scan overflow", optarg, &format))
				return UG_EXIT_USAGE;
			break;
		case 'p':
			s.proc = optarg;
			break;
		case 'r':
			s.root = optarg;
			break;
		case 's':
			if (!paths_given)
				n_paths = 0;
			paths_given = true;
			if (n_paths == MAX_PATHS || optarg[0] != '/') {
				ug_err("scan overflow: --setid-path '%s': %s", optarg,
				       optarg[0] != '/' ? "must be absolute" : "too many paths");
				return UG_EXIT_USAGE;
			}
			paths[n_paths++] = optarg;
			break;
		case 'n':
			use_policy = false;
			break;
		case 'h':
			usage(stdout);
			fputs(HELP, stdout);
			return UG_EXIT_OK;
		default:
			usage(stderr);
			return UG_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		ug_err("scan overflow: unexpected argument '%s'", argv[optind]);
		return UG_EXIT_USAGE;
	}
	if (overflow_ids(&s, use_policy && !s.root)) {
		ug_err("scan overflow: cannot read %s/sys/kernel/overflowuid and overflowgid",
		       s.proc);
		return UG_EXIT_UNREADABLE;
	}
	ug_fmt(s.systemd_exe, sizeof(s.systemd_exe), "/usr/lib/systemd/systemd");
	rooted(&s, "/usr/lib/systemd/systemd-executor", path, sizeof(path));
	if (!access(path, X_OK))
		ug_fmt(s.systemd_exe, sizeof(s.systemd_exe), "/usr/lib/systemd/systemd-executor");
	rooted(&s, "/etc/passwd", path, sizeof(path));
	text = read_text(path);
	if (text && ug_passwd_parse(text, &s.users, &s.n_users))
		ret = -ENOMEM;
	free(text);
	rooted(&s, "/etc/group", path, sizeof(path));
	s.group_text = read_text(path);
	if (!ret && scan_processes(&s))
		ret = -ENOENT;
	if (!ret) {
		scan_setid(&s, paths, n_paths);
		scan_units(&s);
		if (!s.complete)
			note(&s, "some processes or directories could not be read: run as root to see all");
		ex = calloc(s.n ? s.n : 1, sizeof(*ex));
		if (!ex)
			ret = -ENOMEM;
	}
	if (!ret) {
		if (s.n)
			qsort(s.f, s.n, sizeof(s.f[0]), cmp_finding);
		n_ex = exemptions(&s, ex);
		if (format == UG_FORMAT_JSON)
			ret = print_json(stdout, &s, ex, n_ex);
		else
			print_text(stdout, &s, ex, n_ex);
		if (!ret && fflush(stdout))
			ret = -errno;
	}
	free(ex);
	for (size_t i = 0; i < s.n_notes; i++)
		free(s.notes[i]);
	free(s.notes);
	free(s.f);
	free(s.users);
	free(s.group_text);
	if (ret == -ENOENT)
		return UG_EXIT_UNREADABLE;
	if (ret)
		return UG_EXIT_INVALID;
	return s.n ? UG_EXIT_INVALID : UG_EXIT_OK;
}
