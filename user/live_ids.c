// SPDX-License-Identifier: GPL-2.0-only
/*
 * The loader's half of following the overflow sysctls live: arm the
 * capture with our thread group id, ioctl each sysctl file, disarm, and
 * keep the addresses only when the values read there are the values the
 * policy was resolved with (a sysctl changed in between, or a layout the
 * program could not read, leaves the load-time values in force).
 */
#include "live_ids.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "util.h"

static void poke(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	/* The hook runs first; the file has no ioctl and answers ENOTTY. */
	(void)ioctl(fd, UG_IOCTL_CAPTURE, 0);
	close(fd);
}

int ug_live_ids_capture(const struct ug_policy *policy)
{
	struct ug_live_ids live = {};
	char path[256];
	__u32 zero = 0;
	int fd, err = 0;

	if (!policy->overflow_live)
		return 0;
	ug_fmt(path, sizeof(path), "%s/ug_live_ids", UG_PIN_DIR);
	fd = bpf_obj_get(path);
	/* Armed with the addresses kept: a policy in force that reads them goes on reading. */
	if (fd < 0 || bpf_map_lookup_elem(fd, &zero, &live)) {
		err = -errno;
		goto warn;
	}
	live.capture_tgid = (__u32)getpid();
	if (bpf_map_update_elem(fd, &zero, &live, BPF_ANY)) {
		err = -errno;
		goto warn;
	}
	poke("/proc/sys/kernel/overflowuid");
	poke("/proc/sys/kernel/overflowgid");
	if (bpf_map_lookup_elem(fd, &zero, &live)) {
		err = -errno;
		goto warn;
	}
	live.capture_tgid = 0;
	if (!live.uid_addr || !live.gid_addr || live.uid_seen != policy->overflow_uid ||
	    live.gid_seen != policy->overflow_gid) {
		live.uid_addr = live.gid_addr = 0;
		err = -ESRCH;
	}
	if (bpf_map_update_elem(fd, &zero, &live, BPF_ANY) && !err)
		err = -errno;
warn:
	if (fd >= 0)
		close(fd);
	if (err)
		ug_warn("overflow-ids auto: cannot follow kernel.overflowuid/overflowgid live (%s); "
			"rule 1 holds uid %u, gid %u until the next load",
			err == -ESRCH ? "the loaded programs did not find them" : strerror(-err),
			policy->overflow_uid, policy->overflow_gid);
	return err;
}

bool ug_live_ids_followed(void)
{
	struct ug_live_ids live = {};
	char path[256];
	__u32 zero = 0;
	int fd;

	ug_fmt(path, sizeof(path), "%s/ug_live_ids", UG_PIN_DIR);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	if (bpf_map_lookup_elem(fd, &zero, &live))
		live.uid_addr = 0;
	close(fd);
	return live.uid_addr && live.gid_addr;
}
