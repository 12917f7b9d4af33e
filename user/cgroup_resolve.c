// SPDX-License-Identifier: GPL-2.0-only
#include "cgroup_resolve.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_identity.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CACHE_SLOTS 1024
/* The fallback walk's bounds: a host's hierarchy, not an adversary's. */
#define WALK_DEPTH 16
#define WALK_DIRS 20000

/* kernfs file handles are the node's 64-bit id (FILEID_KERNFS). */
#define UG_FILEID_KERNFS 0xfe

struct slot {
	__u64 id; /* 0: free */
	struct ug_event_who who;
};

static struct slot cache[CACHE_SLOTS];

/* By handle: needs CAP_DAC_READ_SEARCH, as the events service has. */
static int path_by_handle(__u64 id, char *out, size_t len)
{
	struct {
		struct file_handle fh;
		__u64 id;
	} h = { .fh = { .handle_bytes = sizeof(__u64), .handle_type = UG_FILEID_KERNFS } };
	char link[64], target[512];
	int mnt, fd;
	ssize_t n;

	memcpy(h.fh.f_handle, &id, sizeof(id));
	mnt = open(CGROUP_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mnt < 0)
		return -errno;
	fd = open_by_handle_at(mnt, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(mnt);
	if (fd < 0)
		return -errno;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	if (strncmp(target, CGROUP_ROOT, strlen(CGROUP_ROOT)) ||
	    strlen(target + strlen(CGROUP_ROOT)) >= len)
		return -ENOENT;
	snprintf(out, len, "%s", target[strlen(CGROUP_ROOT)] ? target + strlen(CGROUP_ROOT) : "/");
	return 0;
}

/* Without the capability: look for the directory whose inode is the id. */
static int walk(const char *dir, size_t root_len, __u64 id, int depth, int *budget, char *out,
		size_t len)
{
	struct dirent *de;
	char path[4096];
	struct stat st;
	DIR *d;
	int found = -ENOENT;

	if (depth > WALK_DEPTH || --*budget < 0)
		return -ENOENT;
	d = opendir(dir);
	if (!d)
		return -ENOENT;
	while (found && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (!stat(path, &st) && st.st_ino == id) {
			size_t n = strlen(path + root_len);

			/* Longer than an event can carry: named as unknown rather than cut. */
			if (n >= len)
				break;
			memcpy(out, path + root_len, n + 1);
			found = 0;
		} else {
			found = walk(path, root_len, id, depth + 1, budget, out, len);
		}
	}
	closedir(d);
	return found;
}

const struct ug_event_who *ug_cgroup_who(__u64 id)
{
	struct slot *s = &cache[id % CACHE_SLOTS];
	struct stat st;
	int budget = WALK_DIRS;

	if (s->id == id && id)
		return &s->who;
	memset(s, 0, sizeof(*s));
	s->id = id;
	if (!stat(CGROUP_ROOT, &st) && st.st_ino == id)
		snprintf(s->who.cgroup_path, sizeof(s->who.cgroup_path), "/");
	else if (path_by_handle(id, s->who.cgroup_path, sizeof(s->who.cgroup_path)) &&
		 walk(CGROUP_ROOT, strlen(CGROUP_ROOT), id, 0, &budget, s->who.cgroup_path,
		      sizeof(s->who.cgroup_path)))
		s->who.cgroup_path[0] = '\0';
	ug_cgroup_identify(s->who.cgroup_path, &s->who.id);
	return &s->who;
}
