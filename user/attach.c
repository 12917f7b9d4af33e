// SPDX-License-Identifier: GPL-2.0-only
/*
 * Attach and detach by policy. The order keeps every decision whole: a
 * load attaches what the new policy needs while the old one is in force
 * (programs of a rule that is off return at once), makes the new policy
 * the one in force, and only then detaches what it does not need. A
 * loader killed anywhere leaves at worst a program attached whose rule is
 * off: cost until the next load, never a rule in force without its hooks.
 */
#include "attach.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "loader.h"
#include "prog_needs.h"
#include "util.h"

static void pin_path(const char *dir, const char *name, char *path, size_t len)
{
	ug_fmt(path, len, "%s/%s", dir, name);
}

static bool pinned(const char *dir, const char *name)
{
	char path[256];
	int fd;

	pin_path(dir, name, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

bool ug_progs_pinned(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj)
		if (bpf_program__autoload(prog) && !pinned(UG_PROG_DIR, bpf_program__name(prog)))
			return false;
	return true;
}

/* Replace whatever is pinned at @path by @fd. */
static int pin_fd(int fd, const char *path)
{
	if (unlink(path) && errno != ENOENT)
		return -errno;
	return bpf_obj_pin(fd, path) ? -errno : 0;
}

int ug_progs_pin(struct bpf_object *obj)
{
	struct bpf_program *prog;
	char path[256];
	int err;

	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__autoload(prog))
			continue; /* an optional hook this kernel lacks */
		pin_path(UG_PROG_DIR, bpf_program__name(prog), path, sizeof(path));
		err = pin_fd(bpf_program__fd(prog), path);
		if (err) {
			ug_err("pinning %s: %s", path, strerror(-err));
			return err;
		}
	}
	return 0;
}

/*
 * The map @name the pinned program @prog_fd uses: the unpinned maps are
 * reachable only through a program that holds them.
 */
static int prog_map(int prog_fd, const char *name)
{
	__u32 ids[64], i;
	struct bpf_prog_info info = { .nr_map_ids = 64, .map_ids = (__u64)(unsigned long)ids };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	for (i = 0; i < info.nr_map_ids && i < 64; i++) {
		struct bpf_map_info map = {};
		__u32 mlen = sizeof(map);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &map, &mlen) && !strcmp(map.name, name))
			return fd;
		close(fd);
	}
	return -ENOENT;
}

/*
 * cred_free is attached again after a time without it: creds freed then
 * did not advance their buckets, so a memo made before could outlive its
 * cred. Advance every bucket first: no memo made before is trusted again
 * (bpf/memo.bpf.h). Nothing writes the buckets meanwhile (no cred_free).
 */
static int memo_forget(int prog_fd)
{
	int fd = prog_map(prog_fd, "ug_cred_gen"), err = 0;
	__u32 key, gen;

	if (fd < 0)
		return fd;
	for (key = 0; key < UG_CRED_GEN_BUCKETS && !err; key++)
		if (bpf_map_lookup_elem(fd, &key, &gen) ||
		    (++gen, bpf_map_update_elem(fd, &key, &gen, BPF_ANY)))
			err = -errno;
	close(fd);
	return err;
}

/* Attach pinned program @name and pin its link; the old pin goes after. */
static int attach_one(const char *name)
{
	char path[256];
	int prog_fd, link_fd, err = 0;

	pin_path(UG_PROG_DIR, name, path, sizeof(path));
	prog_fd = bpf_obj_get(path);
	if (prog_fd < 0)
		return -errno;
	if (!strcmp(name, "ug_cred_free"))
		err = memo_forget(prog_fd);
	/* lsm/, fexit/ and tp_btf/ alike: the target was fixed at load. */
	link_fd = err ? err : bpf_raw_tracepoint_open(NULL, prog_fd);
	if (link_fd < 0) {
		err = link_fd; /* libbpf 1.x: -errno */
		ug_err("attaching %s: %s", name, strerror(-err));
		close(prog_fd);
		return err;
	}
	pin_path(UG_LINK_DIR, name, path, sizeof(path));
	err = pin_fd(link_fd, path);
	if (err)
		ug_err("pinning %s: %s", path, strerror(-err));
	close(link_fd);
	close(prog_fd);
	return err;
}

int ug_attach_needed(struct bpf_object *obj, unsigned int needs, bool fresh)
{
	struct bpf_program *prog;
	int err;

	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog);

		if (!pinned(UG_PROG_DIR, name) || !ug_prog_needed(name, needs) ||
		    (!fresh && pinned(UG_LINK_DIR, name)))
			continue;
		err = attach_one(name);
		if (err)
			return err;
	}
	return 0;
}

int ug_detach_unneeded(struct bpf_object *obj, unsigned int needs)
{
	struct dirent *de;
	char path[512];
	int err = 0;
	DIR *d;

	d = opendir(UG_LINK_DIR);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		bool known = bpf_object__find_program_by_name(obj, de->d_name) != NULL;

		if (de->d_name[0] == '.' || ug_prog_sticky(de->d_name) ||
		    (known && ug_prog_needed(de->d_name, needs)))
			continue;
		ug_fmt(path, sizeof(path), "%s/%s", UG_LINK_DIR, de->d_name);
		if (unlink(path) && errno != ENOENT && !err)
			err = -errno;
	}
	closedir(d);
	return err;
}
