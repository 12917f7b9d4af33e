// SPDX-License-Identifier: GPL-2.0-only
/*
 * Load and pin the programs, attach those the policy needs (attach.c),
 * install policies; unload. Programs are loaded once; a later load
 * rewrites maps and attaches or detaches around the switch, so a rule in
 * force never lacks its programs.
 */
#include "loader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "hooks.h"
#include "prog_needs.h"
#include "live_ids.h"
#include "policy_maps.h"
#include "runtime_marks.h"
#include "selfcheck.h"
#include "usernsguard.skel.h"
#include "util.h"

int ug_lock(void)
{
	int fd;

	mkdir("/run", 0755);
	fd = open(UG_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !ug_debug)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int make_pin_dirs(void)
{
	const char *dirs[] = { UG_PIN_DIR, UG_LINK_DIR, UG_PROG_DIR };
	size_t i;

	for (i = 0; i < 3; i++) {
		if (mkdir(dirs[i], 0700) && errno != EEXIST) {
			ug_err("creating %s: %s", dirs[i], strerror(errno));
			return -errno;
		}
		/* Root only: the maps are the policy and the links are its switch. */
		if (chmod(dirs[i], 0700)) {
			ug_err("restricting %s: %s", dirs[i], strerror(errno));
			return -errno;
		}
	}
	return 0;
}

/*
 * The new policy is in force: a host task must be left alone by it. If it
 * is not, the policy in force before (rules off on a first load) comes
 * back with one flip, and load fails with UG_EXIT_SELFCHECK.
 */
static int check_or_restore(const struct ug_map_fds *fds, const char *source, __u32 previous_slot)
{
	char why[256];
	int ret, err;

	ret = ug_selfcheck(source, why, sizeof(why));
	if (!ret)
		return 0;
	ug_err("self-check of %s failed: %s", source, why);
	err = ug_policy_activate(fds, previous_slot);
	if (err) {
		ug_err("taking the new policy back: %s; it stays in force", strerror(-err));
		return err;
	}
	ug_err("the new policy was taken back: the policy in force before it is in force again");
	return UG_EXIT_SELFCHECK;
}

int ug_load(const struct ug_kernel_policy *kp, const char *source)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = UG_PIN_DIR);
	struct usernsguard_bpf *skel = NULL;
	struct ug_policy previous;
	struct ug_map_fds fds;
	struct bpf_program *prog;
	__u32 previous_slot;
	bool fresh, capture;
	int lock, err;

	libbpf_set_print(libbpf_print);
	lock = ug_lock();
	if (lock < 0) {
		ug_err("locking %s: %s", UG_LOCK_FILE, strerror(-lock));
		return UG_EXIT_INVALID;
	}
	err = make_pin_dirs();
	if (err)
		goto out;

	skel = usernsguard_bpf__open_opts(&opts);
	if (!skel) {
		err = -errno;
		ug_err("opening the BPF object: %s", strerror(-err));
		goto out;
	}
	/* -d: the verifier's statistics for every program (log level 4). */
	if (ug_debug)
		bpf_object__for_each_program(prog, skel->obj)
			bpf_program__set_log_level(prog, 4);
	err = ug_hooks_select(skel->obj);
	if (err)
		goto out;
	/* Loaded before: reuse the pinned programs and maps, load nothing twice. */
	fresh = !ug_progs_pinned(skel->obj);
	if (!fresh)
		bpf_object__for_each_program(prog, skel->obj)
			bpf_program__set_autoload(prog, false);

	err = usernsguard_bpf__load(skel);
	if (err) {
		ug_err("loading BPF programs and maps: %s%s", strerror(-err),
		       err == -EINVAL ? " (a different usernsguard version may be loaded: "
					"run 'usernsguard unload' first; -d shows details)" : "");
		goto out;
	}
	if (fresh)
		err = ug_progs_pin(skel->obj);
	/* Before the new policy is in force: what it needs is there when it is. */
	capture = kp->policy.overflow_live &&
		  kp->policy.rules[UG_RULE_OVERFLOW_TRANSITIONS].mode != UG_MODE_OFF;
	if (!err)
		err = ug_attach_needed(skel->obj, ug_policy_needs(kp, capture), fresh);
	if (err)
		goto out;

	err = ug_maps_open_pinned(&fds);
	if (!err)
		err = ug_policy_current(&fds, &previous, &previous_slot);
	if (err) {
		ug_err("opening pinned maps: %s", strerror(-err));
		ug_maps_close(&fds);
		goto out;
	}
	/* A file mark may not nest with a runtime mark in force; nothing changes then. */
	err = ug_runtime_marks_check(kp, source);
	if (err) {
		ug_maps_close(&fds);
		goto out;
	}
	/* Before the policy that reads them is in force; a failure only warns. */
	if (capture)
		ug_live_ids_capture(&kp->policy);
	err = ug_policy_install(&fds, kp, source);
	if (!err)
		err = check_or_restore(&fds, source, previous_slot);
	ug_maps_close(&fds);
	/*
	 * The new policy is in force (ug_policy_activate waited for programs
	 * running under the old one): what only the old one needed can go.
	 * Not after a self-check took it back: the old one is in force again.
	 */
	if (!err) {
		int detach = ug_detach_unneeded(skel->obj, ug_policy_needs(kp, false));

		if (detach)
			ug_err("warning: detaching programs the policy does not need: %s "
			       "(they stay attached, their rules off)", strerror(-detach));
	}
out:
	usernsguard_bpf__destroy(skel);
	close(lock);
	if (err == UG_EXIT_SELFCHECK)
		return err;
	return err ? UG_EXIT_INVALID : UG_EXIT_OK;
}

static int unpin_dir(const char *dir)
{
	struct dirent *de;
	char path[512];
	int err = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		ug_fmt(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR) {
			int sub = unpin_dir(path);

			err = err ? err : sub;
		} else if (unlink(path) && errno != ENOENT && !err) {
			err = -errno;
		}
	}
	closedir(d);
	if (rmdir(dir) && errno != ENOENT && !err)
		err = -errno;
	return err;
}

int ug_unload(void)
{
	struct ug_kernel_policy off = {};
	struct ug_map_fds fds;
	int lock, err;

	lock = ug_lock();
	if (lock < 0) {
		ug_err("locking %s: %s", UG_LOCK_FILE, strerror(-lock));
		return UG_EXIT_INVALID;
	}
	err = ug_maps_open_pinned(&fds);
	if (err == -ENOENT && access(UG_PIN_DIR, F_OK)) {
		ug_err("not loaded: %s does not exist", UG_PIN_DIR);
		close(lock);
		return UG_EXIT_NOT_LOADED;
	}
	/*
	 * Unpinning a link does not detach it at once (the last reference may
	 * drop an RCU grace period later), so first switch every rule off and
	 * wait for running programs: when unload returns, nothing enforces.
	 */
	if (!err) {
		err = ug_policy_install(&fds, &off, "(unloaded)");
		ug_maps_close(&fds);
		if (err) {
			close(lock);
			return UG_EXIT_INVALID;
		}
	}
	err = unpin_dir(UG_PIN_DIR);
	close(lock);
	if (err) {
		ug_err("removing pins under %s: %s", UG_PIN_DIR, strerror(-err));
		return UG_EXIT_INVALID;
	}
	return UG_EXIT_OK;
}
