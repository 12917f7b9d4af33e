/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every map the programs use. All are pinned by name under UG_PIN_DIR, so a
 * later `usernsguard load` reuses them and bpftool finds them; all have BTF
 * keys and values from include/usernsguard.h, so dumps carry field names.
 */
#ifndef UG_MAPS_BPF_H
#define UG_MAPS_BPF_H

#include "usernsguard.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, UG_POLICY_SLOTS);
	__type(key, __u32);
	__type(value, struct ug_policy);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ug_policy SEC(".maps");

/* The files each slot's policy was merged from: written by `load`, read by `status`. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, UG_POLICY_SLOTS);
	__type(key, __u32);
	__type(value, struct ug_policy_files);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ug_policy_files SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ug_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ug_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ug_selfcheck);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ug_selfcheck SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	/* Both slots can be full while a new policy is being written. */
	__uint(max_entries, UG_MAX_EXEMPTIONS * UG_POLICY_SLOTS);
	__type(key, struct ug_exempt_key);
	__type(value, struct ug_exempt_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ug_match SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, UG_MAX_EXEMPTIONS * UG_POLICY_SLOTS);
	__type(key, struct ug_cgroup_name_key);
	__type(value, struct ug_cgroup_name_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ug_cgroup_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, (UG_MAX_EXEMPTIONS + UG_MAX_MARK_ANCESTORS) * UG_POLICY_SLOTS);
	__type(key, struct ug_mark_key);
	__type(value, struct ug_mark);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ug_marks SEC(".maps");

/* Runtime marks and the directories above them; no slot (see include/). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, UG_MAX_RUNTIME_MARKS + UG_MAX_MARK_ANCESTORS);
	__type(key, struct ug_mark_key);
	__type(value, struct ug_mark);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ug_runtime_marks SEC(".maps");

/* The path and author of each runtime mark: written and read by userspace only. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, UG_MAX_RUNTIME_MARKS);
	__type(key, struct ug_mark_key);
	__type(value, struct ug_runtime_mark_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ug_runtime_paths SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ug_live_ids);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ug_live_ids SEC(".maps");

/* Audited uses already reported (ug_first_report()); the programs' own, not pinned. */
struct ug_report_key {
	__u64 what;
	__u64 ns;
	__u64 tag; /* policy generation << 16 | rule << 8 | reason */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct ug_report_key);
	__type(value, __u8);
} ug_reported_uses SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, UG_RULE_COUNT);
	__type(key, __u32);
	__type(value, struct ug_counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ug_counters SEC(".maps");

/* Each event source's budget (bpf/fairness.bpf.h); the least recent goes first. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, UG_SOURCES_MAX);
	__type(key, __u64);
	__type(value, struct ug_source);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ug_sources SEC(".maps");

/* Written by `usernsguard events` only: what it reported of each source. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, UG_SOURCES_MAX);
	__type(key, __u64);
	__type(value, struct ug_source_reported);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ug_sources_reported SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, UG_RULE_COUNT);
	__type(key, __u32);
	__type(value, struct ug_reported);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ug_reported SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, UG_EVENTS_RING_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ug_events SEC(".maps");

#endif /* UG_MAPS_BPF_H */
