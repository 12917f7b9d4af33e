// SPDX-License-Identifier: GPL-2.0-only
#include "status.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "loader.h"
#include "policy.h"
#include "policy_maps.h"
#include "util.h"

/* The kernel function a link's trampoline sits on, from vmlinux BTF. */
static const char *link_hook(const struct btf *vmlinux, const struct bpf_link_info *info)
{
	const struct btf_type *t;

	if (!vmlinux || info->type != BPF_LINK_TYPE_TRACING || !info->tracing.target_btf_id)
		return "?";
	t = btf__type_by_id(vmlinux, info->tracing.target_btf_id);
	return t ? btf__name_by_offset(vmlinux, t->name_off) : "?";
}

static int print_links(void)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct dirent *de;
	int count = 0;
	DIR *d;

	d = opendir(UG_LINK_DIR);
	if (!d) {
		btf__free(vmlinux);
		return 0;
	}
	printf("programs:\n");
	while ((de = readdir(d))) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);
		char path[512];
		int fd;

		if (de->d_name[0] == '.')
			continue;
		ug_fmt(path, sizeof(path), "%s/%s", UG_LINK_DIR, de->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
			printf("  %-24s (unreadable: %s)\n", de->d_name, strerror(errno));
			if (fd >= 0)
				close(fd);
			continue;
		}
		printf("  %-24s hook %-32s prog id %u, link id %u\n", de->d_name,
		       link_hook(vmlinux, &info), info.prog_id, info.id);
		close(fd);
		count++;
	}
	closedir(d);
	btf__free(vmlinux);
	return count;
}

int ug_status(void)
{
	char sha[65], when[64];
	struct ug_map_fds fds;
	struct ug_policy policy;
	__u32 slot;
	int err, r;

	err = ug_maps_open_pinned(&fds);
	if (err) {
		printf("usernsguard: not loaded (%s: %s)\n", UG_PIN_DIR, strerror(-err));
		return UG_EXIT_NOT_LOADED;
	}
	err = ug_policy_current(&fds, &policy, &slot);
	if (err) {
		ug_err("reading the policy in force: %s", strerror(-err));
		ug_maps_close(&fds);
		return UG_EXIT_INVALID;
	}
	ug_hex(policy.sha256, sizeof(policy.sha256), sha);
	ug_rfc3339(policy.loaded_at_ns, when, sizeof(when));
	printf("usernsguard: loaded\n");
	printf("policy:     %s\n", policy.source[0] ? policy.source : "(none yet)");
	printf("sha256:     %s\n", sha);
	printf("loaded at:  %s (generation %llu, slot %u)\n", when,
	       (unsigned long long)policy.generation, slot);
	printf("overflow:   uid %u, gid %u\n", policy.overflow_uid, policy.overflow_gid);
	printf("rules:\n");
	for (r = 0; r < UG_RULE_COUNT; r++) {
		struct ug_counters c = {};
		const struct ug_rule_config *rc = &policy.rules[r];

		ug_counters_read(&fds, (__u32)r, &c);
		printf("  %-22s %-8s", ug_rule_name((enum ug_rule)r),
		       ug_mode_name((enum ug_mode)rc->mode));
		if (r == UG_RULE_OVERFLOW_TRANSITIONS)
			printf(" on-deny %-5s", rc->on_deny == UG_ON_DENY_KILL ? "kill" : "errno");
		if (r == UG_RULE_MOST_RESTRICTIVE)
			printf(" scope %-5s", policy.scoped[r] ? "some" : "all");
		if (r == UG_RULE_SHIFT_MARKS)
			printf(" marks %u  unmarked %s ", policy.n_marks,
			       policy.shift_default_allow ? "allow" : "deny");
		printf(" exemptions %u  denied %llu  audited %llu  lost %llu  rate-limited %llu\n",
		       policy.exemptions[r], (unsigned long long)c.denied,
		       (unsigned long long)c.audited, (unsigned long long)c.lost,
		       (unsigned long long)c.ratelimited);
	}
	ug_maps_close(&fds);
	print_links();
	return UG_EXIT_OK;
}
