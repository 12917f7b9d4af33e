// SPDX-License-Identifier: GPL-2.0-only
#include "resolve.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <fcntl.h>
#include <unistd.h>
#include <linux/fs.h>
#include <linux/magic.h>

#include "mark_ancestry.h"
#include "mark_pool.h"
#include "util.h"

const struct ug_system ug_host_system = {
	.overflowuid = "/proc/sys/kernel/overflowuid",
	.overflowgid = "/proc/sys/kernel/overflowgid",
	.cgroup_root = "/sys/fs/cgroup",
	.passwd = "/etc/passwd",
	.group = "/etc/group",
	.subuid = "/etc/subuid",
	.subgid = "/etc/subgid",
};

__u64 ug_kernel_dev(unsigned long long st_dev)
{
	return ((__u64)major(st_dev) << 20) | minor(st_dev);
}

static int read_sysctl_id(const char *path, __u32 *id, char *err, size_t errlen)
{
	size_t len;
	char *text;
	int ret;

	ret = ug_read_file(path, 64, &text, &len);
	if (ret) {
		ug_fmt(err, errlen, "overflow-ids auto: cannot read %s: %s", path, strerror(-ret));
		return ret;
	}
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = '\0';
	ret = ug_parse_id(text, id);
	if (ret)
		ug_fmt(err, errlen, "overflow-ids auto: %s holds '%s', not an id", path, text);
	free(text);
	return ret;
}

/*
 * The inode generation of exempt executable @path (ug_exempt_value), 0 if
 * the filesystem does not tell (no FS_IOC_GETVERSION) or the file changed
 * between the stat and the open.
 */
static __u32 exec_generation(const char *path, const struct stat *st)
{
	struct stat now;
	int gen = 0, fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return 0;
	if (fstat(fd, &now) || now.st_ino != st->st_ino || now.st_dev != st->st_dev ||
	    ioctl(fd, FS_IOC_GETVERSION, &gen))
		gen = 0;
	close(fd);
	return (__u32)gen;
}

/* 0, 1 for a cgroup that does not exist now, or -errno with @err set. */
static int resolve_exempt(const struct ug_system *sys, const struct ug_exempt_src *e,
			  struct ug_exempt_key *key, __u32 *generation, char *err, size_t errlen)
{
	char full[4096];
	struct statfs sfs;
	struct stat st;

	memset(key, 0, sizeof(*key));
	key->rule = e->rule;
	key->kind = e->kind;
	if (e->kind == UG_SCOPE_OWNER) {
		key->id = e->id;
		return 0;
	}
	if (e->kind == UG_EXEMPT_EXEC) {
		if (stat(e->path, &st)) {
			ug_fmt(err, errlen, "%s:%u:%u: exec '%s': %s", e->where.file, e->where.line,
			       e->where.col, e->path, strerror(errno));
			return -errno;
		}
		if (!S_ISREG(st.st_mode)) {
			ug_fmt(err, errlen, "%s:%u:%u: exec '%s' is not a regular file", e->where.file,
			       e->where.line, e->where.col, e->path);
			return -EINVAL;
		}
		key->id = st.st_ino;
		key->dev = ug_kernel_dev(st.st_dev);
		*generation = exec_generation(e->path, &st);
		return 0;
	}

	ug_fmt(full, sizeof(full), "%s%s", sys->cgroup_root, e->path);
	if (statfs(sys->cgroup_root, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		ug_fmt(err, errlen, "%s:%u:%u: cgroup '%s': %s is not a cgroup2 mount", e->where.file,
		       e->where.line, e->where.col, e->path, sys->cgroup_root);
		return -ENOTDIR;
	}
	if (stat(full, &st)) {
		/* Not there yet (a service not started): matched when it is made. */
		if (errno == ENOENT)
			return 1;
		ug_fmt(err, errlen, "%s:%u:%u: cgroup '%s': %s", e->where.file, e->where.line,
		       e->where.col, e->path, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		ug_fmt(err, errlen, "%s:%u:%u: cgroup '%s': not a directory", e->where.file,
		       e->where.line, e->where.col, e->path);
		return -ENOTDIR;
	}
	/* On cgroup2 a directory's inode number is the cgroup id. */
	key->id = st.st_ino;
	return 0;
}

/* The path entry (ug_cgroup_names) of cgroup exemption or scope @e. */
static int add_cgroup_name(struct ug_kernel_policy *out, const struct ug_exempt_src *e,
			   char *err, size_t errlen)
{
	struct ug_cgroup_name_key key = { 0 };
	size_t i;

	ug_fmt(key.path, sizeof(key.path), "%s", e->path);
	for (i = 0; i < out->n_names; i++)
		if (!memcmp(&out->name_keys[i], &key, sizeof(key)))
			break;
	if (i == out->n_names) {
		out->name_keys[i] = key;
		memset(&out->name_values[i], 0, sizeof(out->name_values[i]));
		out->n_names++;
	}
	if (e->rule >= UG_RULE_COUNT) {
		ug_fmt(err, errlen, "internal error: rule %u", e->rule);
		return -EINVAL;
	}
	out->name_values[i].line[e->rule * 2 + (e->kind == UG_SCOPE_CGROUP)] = e->where.line;
	return 0;
}

/*
 * A mark's directory, opened without following a symlink anywhere in its
 * path: a tenant who can replace a directory of the path with a symlink
 * (its own marked tree, say) must not steer the next load to another tree.
 * Walked one component at a time with O_NOFOLLOW rather than with
 * openat2(RESOLVE_NO_SYMLINKS): the packaged unit's seccomp filters
 * (systemd 252) answer openat2 with ENOSYS. A component swapped for a
 * symlink between the check and the open fails the open (O_NOFOLLOW with
 * O_DIRECTORY), so nothing is ever followed. -errno, @err set, on failure.
 */
static int open_mark_dir(const struct ug_mark_src *m, char *err, size_t errlen)
{
	char path[PATH_MAX], *save = NULL, *name;
	int cur, next, e = 0;
	struct stat st;

	ug_fmt(path, sizeof(path), "%s", m->path);
	cur = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		e = errno;
	for (name = strtok_r(path, "/", &save); !e && name; name = strtok_r(NULL, "/", &save)) {
		if (fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW)) {
			e = errno;
		} else if (S_ISLNK(st.st_mode)) {
			e = ELOOP;
		} else if (!S_ISDIR(st.st_mode)) {
			e = ENOTDIR;
		} else {
			next = openat(cur, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (next < 0) {
				e = errno == ENOTDIR ? ELOOP : errno;
			} else {
				close(cur);
				cur = next;
			}
		}
	}
	if (!e)
		return cur;
	if (cur >= 0)
		close(cur);
	if (e == ELOOP)
		ug_fmt(err, errlen, "%s:%u:%u: mark '%s': a symlink in the path (marks are resolved "
		       "without following symlinks: name the directory itself)", m->where.file,
		       m->where.line, m->where.col, m->path);
	else if (e == ENOTDIR)
		ug_fmt(err, errlen, "%s:%u:%u: mark '%s' is not a directory", m->where.file,
		       m->where.line, m->where.col, m->path);
	else
		ug_fmt(err, errlen, "%s:%u:%u: mark '%s': %s", m->where.file, m->where.line,
		       m->where.col, m->path, strerror(e));
	return -e;
}

/* Marks are searched for up a view's parents, so one inside another is ambiguous. */
#define UG_MARK_ANCESTRY_MAX 4096

/*
 * Index of the mark that is a parent directory (at any depth, across
 * mounts, as ".." goes at load) of the directory open at @fd, or -1.
 */
static long enclosing_mark(const struct ug_kernel_policy *out, int fd)
{
	struct stat st, parent;
	int cur = dup(fd), depth;
	long found = -1;
	size_t j;

	if (cur < 0 || fstat(cur, &st))
		goto out;
	for (depth = 0; depth < UG_MARK_ANCESTRY_MAX && found < 0; depth++) {
		int up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (up < 0 || fstat(up, &parent)) {
			if (up >= 0)
				close(up);
			break;
		}
		close(cur);
		cur = up;
		if (parent.st_dev == st.st_dev && parent.st_ino == st.st_ino)
			break; /* the root */
		for (j = 0; j < out->n_marks; j++)
			if (out->mark_keys[j].dev == ug_kernel_dev(parent.st_dev) &&
			    out->mark_keys[j].ino == parent.st_ino)
				found = (long)j;
		st = parent;
	}
out:
	if (cur >= 0)
		close(cur);
	return found;
}

static int resolve_marks(const struct ug_policy_src *src, const struct ug_system *sys,
			 struct ug_kernel_policy *out, char *err, size_t errlen)
{
	char ref[UG_ERR_MAX];
	size_t i, j;
	int *fds, ret = 0;

	if (!src->n_marks)
		return 0;
	out->mark_keys = calloc(src->n_marks, sizeof(*out->mark_keys));
	out->marks = calloc(src->n_marks, sizeof(*out->marks));
	out->mark_where = calloc(src->n_marks, sizeof(*out->mark_where));
	fds = malloc(src->n_marks * sizeof(*fds));
	if (!out->mark_keys || !out->marks || !out->mark_where || !fds) {
		free(fds);
		ug_fmt(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < src->n_marks; i++) {
		const struct ug_mark_src *m = &src->marks[i];
		struct ug_mark_key key = {};
		struct stat st;
		int fd = open_mark_dir(m, err, errlen);

		if (fd < 0) {
			ret = fd;
			goto out;
		}
		fds[i] = fd;
		out->n_marks = i + 1;
		if (fstat(fd, &st)) {
			ret = -errno;
			ug_fmt(err, errlen, "%s:%u:%u: mark '%s': %s", m->where.file, m->where.line,
			       m->where.col, m->path, strerror(errno));
			goto out;
		}
		key.dev = ug_kernel_dev(st.st_dev);
		key.ino = st.st_ino;
		/* One tree, one mark: two answers for one tree would be a conflict. */
		for (j = 0; j < i; j++)
			if (out->mark_keys[j].dev == key.dev && out->mark_keys[j].ino == key.ino) {
				ug_fmt(err, errlen, "%s:%u:%u: mark '%s' names the same tree as %s",
				       m->where.file, m->where.line, m->where.col, m->path,
				       ug_where_ref(&src->marks[j].where, &m->where, ref,
						    sizeof(ref)));
				ret = -EEXIST;
				goto out;
			}
		out->mark_keys[i] = key;
		out->mark_where[i] = m->where;
		out->marks[i] = (struct ug_mark){
			.shiftable_by = m->shiftable_by,
			.origin = m->origin,
			.range = m->range,
			.flags = (m->ro ? UG_MARK_RO : 0) | (m->pool ? UG_MARK_POOL : 0),
			.policy_line = m->where.line,
			.pool_size = m->pool ? m->pool_size : 0,
			.block = m->pool ? m->block : 0,
		};
		if (m->pool_user) {
			ret = ug_mark_pool_resolve(sys, m, &out->marks[i].shiftable_by,
						   &out->marks[i].pool_size, err, errlen);
			if (ret)
				goto out;
		}
	}
	/*
	 * A mark inside another: the outer tenant's view would contain the
	 * inner tenant's tree. Refused, whichever comes first in the file.
	 */
	for (i = 0; i < src->n_marks; i++) {
		long outer = enclosing_mark(out, fds[i]);
		const struct ug_mark_src *m = &src->marks[i];

		if (outer >= 0) {
			ug_fmt(err, errlen, "%s:%u:%u: mark '%s' is inside the mark '%s' of %s: "
			       "the outer tree's tenant would reach into it; mark disjoint trees",
			       m->where.file, m->where.line, m->where.col, m->path,
			       src->marks[outer].path,
			       ug_where_ref(&src->marks[outer].where, &m->where, ref, sizeof(ref)));
			ret = -EINVAL;
			goto out;
		}
	}
	for (i = 0; i < src->n_marks; i++) {
		ret = ug_mark_ancestry_add(out, fds[i], &src->marks[i], err, errlen);
		if (ret)
			goto out;
	}
	out->policy.n_marks = (__u32)out->n_marks;
out:
	for (i = 0; i < out->n_marks; i++)
		close(fds[i]);
	free(fds);
	return ret;
}

void ug_warn_overlapping_marks(const struct ug_policy_src *src)
{
	size_t i, j;

	for (i = 0; i < src->n_marks; i++)
		for (j = 0; j < i; j++) {
			const struct ug_mark_src *a = &src->marks[i], *b = &src->marks[j];
			char ref[UG_ERR_MAX];
			/* A pool spans all its roots' ranges. */
			__u64 a_end = (__u64)a->shiftable_by + (a->pool ? a->pool_size : a->range);
			__u64 b_end = (__u64)b->shiftable_by + (b->pool ? b->pool_size : b->range);

			/* A user's subids are known at load; pools of users are theirs. */
			if (a->pool_user || b->pool_user)
				continue;
			if (a->shiftable_by == b->shiftable_by && a_end == b_end)
				continue; /* the same tenant (or pool) sharing two trees */
			if (a->shiftable_by < b_end && b->shiftable_by < a_end)
				ug_warn("%s:%u: mark '%s' shifts into ids %u-%llu, overlapping "
					"%s ('%s', %u-%llu)",
					a->where.file, a->where.line, a->path, a->shiftable_by,
					(unsigned long long)a_end - 1,
					ug_where_ref(&b->where, &a->where, ref, sizeof(ref)), b->path,
					b->shiftable_by, (unsigned long long)b_end - 1);
		}
}

int ug_policy_resolve(const struct ug_policy_src *src, const struct ug_system *sys,
		      struct ug_kernel_policy *out, char *err, size_t errlen)
{
	struct ug_policy *kp = &out->policy;
	size_t i, j;
	int ret, r;

	memset(out, 0, sizeof(*out));
	if (src->overflow_auto) {
		ret = read_sysctl_id(sys->overflowuid, &kp->overflow_uid, err, errlen);
		if (!ret)
			ret = read_sysctl_id(sys->overflowgid, &kp->overflow_gid, err, errlen);
		if (ret)
			return ret;
		kp->overflow_live = 1;
	} else {
		kp->overflow_uid = src->overflow_uid;
		kp->overflow_gid = src->overflow_gid;
	}
	for (r = 0; r < UG_RULE_COUNT; r++) {
		kp->rules[r].mode = ug_rule_mode(src, (enum ug_rule)r);
		kp->rules[r].on_deny = ug_rule_on_deny(src, (enum ug_rule)r);
		kp->rules[r].rate_limit = src->rules[r].rate_limit;
	}
	memcpy(kp->sha256, src->sha256, sizeof(kp->sha256));
	for (i = 0; i < src->n_files && i < UG_POLICY_FILES_MAX; i++) {
		struct ug_policy_file *f = &out->files.file[i];

		memcpy(f->sha256, src->files[i].sha256, sizeof(f->sha256));
		ug_fmt(f->path, sizeof(f->path), "%s", src->files[i].path);
		out->files.n = (__u32)i + 1;
	}

	kp->shift_default_allow = src->shift_default_allow;
	ret = resolve_marks(src, sys, out, err, errlen);
	if (ret) {
		ug_kernel_policy_free(out);
		return ret;
	}
	if (!src->n_exempt)
		return 0;
	out->keys = calloc(src->n_exempt, sizeof(*out->keys));
	out->values = calloc(src->n_exempt, sizeof(*out->values));
	out->name_keys = calloc(src->n_exempt, sizeof(*out->name_keys));
	out->name_values = calloc(src->n_exempt, sizeof(*out->name_values));
	if (!out->keys || !out->values || !out->name_keys || !out->name_values) {
		ug_kernel_policy_free(out);
		ug_fmt(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < src->n_exempt; i++) {
		struct ug_exempt_key key;
		bool dup = false;

		__u32 generation = 0;

		ret = resolve_exempt(sys, &src->exempt[i], &key, &generation, err, errlen);
		if (ret >= 0 && (key.kind == UG_EXEMPT_CGROUP || key.kind == UG_SCOPE_CGROUP))
			ret = add_cgroup_name(out, &src->exempt[i], err, errlen) ?: ret;
		if (ret < 0) {
			ug_kernel_policy_free(out);
			return ret;
		}
		/* Counted while absent too: a scope of none is not "every namespace". */
		if (key.kind == UG_SCOPE_OWNER || key.kind == UG_SCOPE_CGROUP)
			kp->scoped[key.rule]++;
		else
			kp->exemptions[key.rule]++;
		if (ret == 1)
			continue; /* a cgroup not there now: its path entry matches it when made */
		/* Two paths to one file (merged /usr) are one exemption. */
		for (j = 0; j < out->n_exempt; j++)
			dup |= !memcmp(&out->keys[j], &key, sizeof(key));
		if (dup)
			continue;
		out->keys[out->n_exempt] = key;
		out->values[out->n_exempt].policy_line = src->exempt[i].where.line;
		out->values[out->n_exempt].generation = generation;
		out->n_exempt++;
	}
	return 0;
}

void ug_kernel_policy_free(struct ug_kernel_policy *kp)
{
	free(kp->mark_keys);
	free(kp->marks);
	free(kp->mark_where);
	kp->mark_keys = NULL;
	kp->marks = NULL;
	kp->mark_where = NULL;
	kp->n_marks = 0;
	free(kp->ancestor_keys);
	free(kp->ancestor_lines);
	kp->ancestor_keys = NULL;
	kp->ancestor_lines = NULL;
	kp->n_ancestors = 0;
	free(kp->keys);
	free(kp->values);
	kp->keys = NULL;
	kp->values = NULL;
	free(kp->name_keys);
	free(kp->name_values);
	kp->name_keys = NULL;
	kp->name_values = NULL;
	kp->n_names = 0;
	kp->n_exempt = 0;
}

/* The name of the passwd/group entry with id @id, if any. */
static bool find_named_id(const char *path, __u32 id, char *name, size_t len)
{
	char *text, *line, *save = NULL;
	bool found = false;
	size_t n;

	if (ug_read_file(path, 16u << 20, &text, &n))
		return false;
	for (line = strtok_r(text, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save)) {
		char *f[4] = { line }, *s = line;
		__u32 v;
		int k;

		for (k = 1; k < 4 && (s = strchr(s, ':')); k++) {
			*s++ = '\0';
			f[k] = s;
		}
		if (k < 4)
			continue;
		s = strchr(f[2], ':');
		if (s)
			*s = '\0';
		if (!ug_parse_id(f[2], &v) && v == id) {
			ug_fmt(name, len, "%s", f[0]);
			found = true;
		}
	}
	free(text);
	return found;
}

void ug_warn_named_overflow_ids(const struct ug_system *sys, const struct ug_policy *policy)
{
	char name[256];

	if (find_named_id(sys->passwd, policy->overflow_uid, name, sizeof(name)))
		ug_warn("overflow uid %u is also user '%s' in %s: files it owns are ambiguous; "
			"set kernel.overflowuid to an unused id (sysctl -w kernel.overflowuid=N) "
			"and re-own that account's files",
			policy->overflow_uid, name, sys->passwd);
	if (find_named_id(sys->group, policy->overflow_gid, name, sizeof(name)))
		ug_warn("overflow gid %u is also group '%s' in %s: set kernel.overflowgid to an "
			"unused id (sysctl -w kernel.overflowgid=N)",
			policy->overflow_gid, name, sys->group);
}
