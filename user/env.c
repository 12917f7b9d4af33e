// SPDX-License-Identifier: GPL-2.0-only
#include "env.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/magic.h>

#include "util.h"

#define SECURITYFS "/sys/kernel/security"
#define LSM_LIST SECURITYFS "/lsm"
#define BPFFS "/sys/fs/bpf"
#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

int ug_env_require_root(void)
{
	if (geteuid() != 0) {
		ug_err("not root: loading BPF-LSM programs and pinning maps needs root");
		return UG_EXIT_NOT_ROOT;
	}
	return 0;
}

/* Whether @cap is in this process's effective set (one capget(2), no library needed). */
static bool has_cap(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap);
}

/*
 * What `load` needs of the kernel (README, "Privileges"): maps, BTF and
 * programs need CAP_BPF, LSM programs and the probe reads they make need
 * CAP_PERFMON; CAP_SYS_ADMIN stands in for both. Checked before anything
 * is touched, so a unit whose CapabilityBoundingSet= lacks one fails with
 * this line instead of a bare EPERM from bpf(2) halfway through.
 */
int ug_env_require_caps(void)
{
	static const struct {
		int cap;
		const char *name;
	} needed[] = { { CAP_BPF, "CAP_BPF" }, { CAP_PERFMON, "CAP_PERFMON" } };
	size_t i;

	if (has_cap(CAP_SYS_ADMIN))
		return 0;
	for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		if (!has_cap(needed[i].cap)) {
			ug_err("missing capability %s (or CAP_SYS_ADMIN): loading BPF-LSM programs "
			       "needs it; a systemd unit must keep it in CapabilityBoundingSet=",
			       needed[i].name);
			return UG_EXIT_NOT_ROOT;
		}
	}
	return 0;
}

int ug_env_require_btf(void)
{
	if (access(VMLINUX_BTF, R_OK)) {
		ug_err("no kernel BTF: %s: %s (a kernel built with CONFIG_DEBUG_INFO_BTF=y is needed)",
		       VMLINUX_BTF, strerror(errno));
		return UG_EXIT_NO_BTF;
	}
	return 0;
}

static bool list_has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		bool start = p == list || p[-1] == ',';
		bool end = p[n] == '\0' || p[n] == ',' || p[n] == '\n';

		if (start && end)
			return true;
		p += n;
	}
	return false;
}

int ug_env_require_bpf_lsm(void)
{
	size_t len;
	char *lsm;
	int err;

	if (access(LSM_LIST, R_OK) && mount("securityfs", SECURITYFS, "securityfs", 0, NULL) &&
	    errno != EBUSY) {
		ug_err("cannot tell whether BPF LSM is active: %s missing and mounting securityfs "
		       "failed: %s", LSM_LIST, strerror(errno));
		return UG_EXIT_NO_BPF_LSM;
	}
	err = ug_read_file(LSM_LIST, 4096, &lsm, &len);
	if (err) {
		ug_err("cannot read %s: %s", LSM_LIST, strerror(-err));
		return UG_EXIT_NO_BPF_LSM;
	}
	while (len && lsm[len - 1] == '\n')
		lsm[--len] = '\0';
	if (!list_has_word(lsm, "bpf")) {
		ug_err("BPF LSM is not active: %s is '%s'; add bpf to the lsm= boot parameter",
		       LSM_LIST, lsm);
		free(lsm);
		return UG_EXIT_NO_BPF_LSM;
	}
	free(lsm);
	return 0;
}

int ug_env_require_bpffs(bool mount_if_missing)
{
	struct statfs sfs;

	if (!statfs(BPFFS, &sfs) && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	if (!mount_if_missing) {
		ug_err("bpffs is not mounted at %s", BPFFS);
		return UG_EXIT_NOT_LOADED;
	}
	mkdir(BPFFS, 0700);
	if (mount("bpf", BPFFS, "bpf", 0, "mode=0700")) {
		ug_err("bpffs is not mounted at %s and mounting it failed: %s", BPFFS,
		       strerror(errno));
		return UG_EXIT_NO_BPFFS;
	}
	return 0;
}

int ug_env_require_all(void)
{
	int ret;

	ret = ug_env_require_root();
	if (!ret)
		ret = ug_env_require_caps();
	if (!ret)
		ret = ug_env_require_btf();
	if (!ret)
		ret = ug_env_require_bpf_lsm();
	if (!ret)
		ret = ug_env_require_bpffs(true);
	return ret;
}
