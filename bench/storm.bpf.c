// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reference points for the event-throughput benchmark: a chown(2) denial
 * that does nothing else, and one that also sends the cheapest event there
 * is (64 bytes reserved and submitted). usernsguard's own denial with its
 * event is measured against these in the same boot.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define EPERM 1

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024); /* as usernsguard's ug_events */
} bench_events SEC(".maps");

/* 0 (the kernel's adaptive wakeup) or BPF_RB_NO_WAKEUP; set before load. */
const volatile __u64 submit_flags = 0;

SEC("lsm/path_chown")
int storm_deny(void *ctx)
{
	return -EPERM;
}

SEC("lsm/path_chown")
int storm_bare_event(void *ctx)
{
	__u64 *rec = bpf_ringbuf_reserve(&bench_events, 64, 0);

	if (rec) {
		rec[0] = bpf_ktime_get_boot_ns();
		bpf_ringbuf_submit(rec, submit_flags);
	}
	return -EPERM;
}
