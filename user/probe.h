/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef UG_PROBE_H
#define UG_PROBE_H

/*
 * Report what the running kernel offers: BTF, BPF LSM, bpffs, privileges,
 * every hook the programs attach to, and which mount-idmap layout CO-RE
 * will use. Returns the exit code `load` would fail with, or 0.
 */
int ug_probe(void);

#endif
