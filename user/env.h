/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the running kernel and this process must offer before anything is
 * loaded. Each check names exactly what is missing and returns the exit
 * code for it (enum ug_exit), so nothing is half-loaded on a bad host.
 */
#ifndef UG_ENV_H
#define UG_ENV_H

#include <stdbool.h>

int ug_env_require_root(void);
/* CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN) in the effective set. */
int ug_env_require_caps(void);
int ug_env_require_btf(void);
int ug_env_require_bpf_lsm(void);
int ug_env_require_bpffs(bool mount_if_missing);
/* Root, capabilities, BTF, BPF LSM, bpffs, in that order. */
int ug_env_require_all(void);

#endif
