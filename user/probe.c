// SPDX-License-Identifier: GPL-2.0-only
#include "probe.h"

#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/magic.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "env.h"
#include "hooks.h"
#include "usernsguard.skel.h"
#include "util.h"

static void line(const char *what, bool ok, const char *detail)
{
	printf("  %-30s %-3s %s\n", what, ok ? "ok" : "NO", detail);
}

/*
 * Whether /proc/kallsyms shows this process kernel addresses (it needs
 * CAP_SYSLOG; the unit has none). Reported only: the object uses no kernel
 * symbol's address, so a load works either way (README, "Privileges").
 */
static bool kallsyms_shows_addresses(void)
{
	char text[128];
	bool shown = false;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return false;
	if (fgets(text, sizeof(text), f))
		shown = strspn(text, "0") < 16;
	fclose(f);
	return shown;
}

int ug_probe(void)
{
	struct usernsguard_bpf *skel;
	struct btf *vmlinux = NULL;
	struct utsname uts;
	struct statfs sfs;
	int verdict = 0, r;
	char detail[256];

	uname(&uts);
	printf("kernel %s\n", uts.release);

	r = access("/sys/kernel/btf/vmlinux", R_OK) ? UG_EXIT_NO_BTF : 0;
	line("kernel BTF", !r, "/sys/kernel/btf/vmlinux");
	verdict = verdict ? verdict : r;
	if (!r)
		vmlinux = btf__load_vmlinux_btf();

	r = ug_env_require_bpf_lsm() ? UG_EXIT_NO_BPF_LSM : 0;
	line("BPF LSM active", !r, "/sys/kernel/security/lsm lists bpf");
	verdict = verdict ? verdict : r;

	r = !statfs("/sys/fs/bpf", &sfs) && sfs.f_type == BPF_FS_MAGIC;
	line("bpffs", true, r ? "mounted at /sys/fs/bpf" : "not mounted (load mounts it)");

	line("kernel addresses", true, kallsyms_shows_addresses() ?
		     "/proc/kallsyms shows them (not needed)" :
		     "/proc/kallsyms reads as zeros (not needed: no kernel symbol is used)");

	r = geteuid() == 0;
	line("root", r, r ? "" : "load, unload, status and events need root");
	if (!r && !verdict)
		verdict = UG_EXIT_NOT_ROOT;

	/* Every hook of the embedded object, from its section names ("lsm/HOOK"). */
	skel = vmlinux ? usernsguard_bpf__open() : NULL;
	if (skel) {
		struct bpf_program *prog;

		bpf_object__for_each_program(prog, skel->obj) {
			const char *since;
			enum ug_hook_state state = ug_hook_state(vmlinux, prog, &since);
			char why[96];

			ug_fmt(detail, sizeof(detail), "hook %s", ug_prog_hook(prog));
			if (state == UG_HOOK_PRESENT) {
				line(detail, true, "");
			} else if (state == UG_HOOK_ABSENT_OPTIONAL) {
				ug_fmt(why, sizeof(why), "optional: not on this kernel (as used: %s+)",
				       since);
				printf("  %-30s %-3s %s\n", detail, "--", why);
			} else {
				line(detail, false, "missing: load would fail");
				if (!verdict)
					verdict = UG_EXIT_INVALID;
			}
		}
		usernsguard_bpf__destroy(skel);
	}
	if (vmlinux) {
		bool idmap = btf__find_by_name_kind(vmlinux, "mnt_idmap", BTF_KIND_STRUCT) > 0;

		line("mount idmaps", true, idmap ? "vfsmount.mnt_idmap (6.3+ layout)" :
						   "vfsmount.mnt_userns (older layout)");
	}
	btf__free(vmlinux);
	printf("%s\n", verdict ? "a load would fail: see the NO lines" : "a load would work");
	return verdict;
}
