// SPDX-License-Identifier: GPL-2.0-only
/*
 * A mark is found by walking up from a view's root through d_parent. A
 * view rooted above a mark (its parent, or the filesystem's root) finds no
 * mark that way, yet contains the marked tree: under "shift-default
 * allow" it would show the marked tree, ro or not, to anyone. So the
 * loader stores every directory above a mark, on the mark's filesystem, in
 * ug_marks with UG_MARK_ANCESTOR, and the programs refuse a view rooted at
 * one. The walk is the kernel's: ".." within one mount, stopping at the
 * mount's root. There it must be the filesystem's root too (mountinfo's
 * root field "/"); where the mount is a bind of a subdirectory, the
 * directories above that subdirectory are not visible from here, and a
 * warning says so (README, rule 3, known limits).
 */
#include "mark_ancestry.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* Deeper than any walk the programs make (UG_MARK_MAX_DEPTH), with room. */
#define UG_ANCESTRY_MAX_DEPTH 4096

struct where {
	__u64 dev, ino, mnt;
};

static int where_of(int fd, struct where *w)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_MNT_ID, &stx))
		return -errno;
	if (!(stx.stx_mask & STATX_MNT_ID))
		return -EOPNOTSUPP;
	/* As the kernel encodes s_dev (ug_kernel_dev()). */
	w->dev = ((__u64)stx.stx_dev_major << 20) | stx.stx_dev_minor;
	w->ino = stx.stx_ino;
	w->mnt = stx.stx_mnt_id;
	return 0;
}

/* The root field of mount @mnt in /proc/self/mountinfo ("/" for a whole filesystem). */
static int mount_root(__u64 mnt, char *root, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	unsigned long long id;
	char buf[4096], field[PATH_MAX];
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(buf, sizeof(buf), f)) {
		if (sscanf(buf, "%llu %*u %*s %4095s", &id, field) == 2 && id == mnt) {
			ug_fmt(root, len, "%s", field);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

static int add(struct ug_kernel_policy *out, __u64 dev, __u64 ino, __u32 line)
{
	struct ug_mark_key *keys;
	__u32 *lines;
	size_t i;

	for (i = 0; i < out->n_ancestors; i++)
		if (out->ancestor_keys[i].dev == dev && out->ancestor_keys[i].ino == ino)
			return 0;
	if (out->n_ancestors >= UG_MAX_MARK_ANCESTORS)
		return -E2BIG;
	keys = realloc(out->ancestor_keys, (out->n_ancestors + 1) * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	out->ancestor_keys = keys;
	lines = realloc(out->ancestor_lines, (out->n_ancestors + 1) * sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	out->ancestor_lines = lines;
	keys[out->n_ancestors] = (struct ug_mark_key){ .dev = dev, .ino = ino };
	lines[out->n_ancestors++] = line;
	return 0;
}

int ug_mark_ancestry_add(struct ug_kernel_policy *out, int fd, const struct ug_mark_src *m,
			 char *err, size_t errlen)
{
	const __u32 line = m->where.line, col = m->where.col;
	struct where here, up;
	char root[PATH_MAX];
	int cur = dup(fd), next, depth, ret;

	if (cur < 0)
		return -errno;
	ret = where_of(cur, &here);
	for (depth = 0; !ret && depth < UG_ANCESTRY_MAX_DEPTH; depth++) {
		next = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (next < 0) {
			ret = -errno;
			break;
		}
		close(cur);
		cur = next;
		ret = where_of(cur, &up);
		if (ret)
			break;
		if (up.mnt != here.mnt || (up.dev == here.dev && up.ino == here.ino)) {
			/* @here is its mount's root: the filesystem's root, or a bind of a part. */
			if (!mount_root(here.mnt, root, sizeof(root)) && strcmp(root, "/"))
				ug_warn("%s:%u:%u: mark '%s': its filesystem is mounted from its '%s' "
					"here; directories above that are not visible, and a view "
					"rooted there would not be known to contain the mark",
					m->where.file, line, col, m->path, root);
			break;
		}
		ret = add(out, up.dev, up.ino, line);
		here = up;
	}
	close(cur);
	if (depth == UG_ANCESTRY_MAX_DEPTH)
		ret = -ELOOP;
	if (ret == -E2BIG)
		ug_fmt(err, errlen, "%s:%u:%u: mark '%s': more than %u directories above marks in "
		       "all; mark fewer trees, or trees nearer their filesystem's root", m->where.file,
		       line, col, m->path, UG_MAX_MARK_ANCESTORS);
	else if (ret)
		ug_fmt(err, errlen, "%s:%u:%u: mark '%s': walking up to its filesystem's root: %s",
		       m->where.file, line, col, m->path, strerror(-ret));
	return ret;
}
