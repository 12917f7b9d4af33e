// SPDX-License-Identifier: GPL-2.0-only
/*
 * usernsguard BPF-LSM programs: one object, CO-RE relocated at load, so the
 * same build enforces on every kernel with BPF LSM and BTF (tested: 6.1,
 * 6.12). Each rule lives in its own header; this unit only gathers them.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "rule_shift.bpf.h"
#include "rule_overflow.bpf.h"
#include "rule_restrictive.bpf.h"
#include "hooks_path.bpf.h"
#include "hooks_meta.bpf.h"
#include "exempt_taint.bpf.h"
#include "cgroup_names.bpf.h"
#include "exempt_follow.bpf.h"
#include "map_write.bpf.h"

char LICENSE[] SEC("license") = "GPL";
