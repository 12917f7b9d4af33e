// SPDX-License-Identifier: GPL-2.0-only
#include "status.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "env.h"
#include "live_ids.h"
#include "loader.h"
#include "metrics_format.h"
#include "policy.h"
#include "event_format.h"
#include "policy_maps.h"
#include "prog_needs.h"
#include "prog_stats.h"
#include "attach.h"
#include "sources.h"
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

/* The sources whose event budget held events back (bpf/fairness.bpf.h), most first. */
static void print_sources(void)
{
	struct ug_source_held held[5];
	unsigned int seen;
	char name[32];
	int n, i;

	n = ug_sources_held(held, 5, &seen);
	if (n < 0) {
		printf("sources:    none (the attached programs predate them)\n");
		return;
	}
	printf("sources:    %u seen, %s\n", seen, n ? "events held back from:" : "none held back");
	for (i = 0; i < n; i++)
		printf("  %-22s rate-limited %llu  over-share %llu\n",
		       ug_source_string(held[i].source, name),
		       (unsigned long long)held[i].rate_limited,
		       (unsigned long long)held[i].over_share);
}

/* How many runtime marks (`usernsguard mark add`) are in force beside the file's. */
static void print_runtime_marks(void)
{
	int fd = bpf_obj_get(UG_PIN_DIR "/ug_runtime_paths");
	struct ug_mark_key key, next;
	unsigned int n = 0;

	if (fd < 0) {
		printf("runtime marks: none (the attached programs predate them)\n");
		return;
	}
	while (n < UG_MAX_RUNTIME_MARKS * 2 && !bpf_map_get_next_key(fd, n ? &key : NULL, &next)) {
		key = next;
		n++;
	}
	close(fd);
	printf("runtime marks: %u of %d (usernsguard mark list)\n", n, UG_MAX_RUNTIME_MARKS);
}

/* The attached programs, each with what it is there for; then the pinned ones left out. */
static int print_links(void)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct dirent *de;
	int count = 0, idle = 0;
	DIR *d;

	d = opendir(UG_LINK_DIR);
	if (!d) {
		btf__free(vmlinux);
		return 0;
	}
	printf("programs:   attached for the policy in force (the others' rules are off)\n");
	while ((de = readdir(d))) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);
		char path[512], tp[64] = "";
		const char *hook;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		ug_fmt(path, sizeof(path), "%s/%s", UG_LINK_DIR, de->d_name);
		info.raw_tracepoint.tp_name = (__u64)(unsigned long)tp;
		info.raw_tracepoint.tp_name_len = sizeof(tp);
		fd = bpf_obj_get(path);
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
			printf("  %-24s (unreadable: %s)\n", de->d_name, strerror(errno));
			if (fd >= 0)
				close(fd);
			continue;
		}
		hook = info.type == BPF_LINK_TYPE_RAW_TRACEPOINT && tp[0] ? tp :
									    link_hook(vmlinux, &info);
		printf("  %-24s hook %-22s prog id %u, link id %u: %s\n", de->d_name, hook,
		       info.prog_id, info.id, ug_prog_role(de->d_name));
		close(fd);
		count++;
	}
	closedir(d);
	btf__free(vmlinux);
	d = opendir(UG_PROG_DIR);
	while (d && (de = readdir(d))) {
		char path[512];

		ug_fmt(path, sizeof(path), "%s/%s", UG_LINK_DIR, de->d_name);
		if (de->d_name[0] == '.' || !access(path, F_OK))
			continue;
		if (!idle++)
			printf("not attached (loaded, not needed by the policy in force):\n ");
		printf(" %s", de->d_name);
	}
	if (idle)
		printf("\n");
	if (d)
		closedir(d);
	return count;
}

/*
 * The files the policy in force was merged from, each with its SHA-256 as
 * `sha256sum` prints it. Only a list of the policy's own generation: pins
 * older than the list, or a load by an older version, leave none to show.
 */
static void print_files(const struct ug_map_fds *fds, __u32 slot, __u64 generation)
{
	struct ug_policy_files files;
	char sha[65];
	__u32 i;

	if (fds->files < 0 || bpf_map_lookup_elem(fds->files, &slot, &files) ||
	    files.generation != generation || !files.n || files.n > UG_POLICY_FILES_MAX)
		return;
	printf("files:\n");
	for (i = 0; i < files.n; i++) {
		ug_hex(files.file[i].sha256, sizeof(files.file[i].sha256), sha);
		printf("  %s  %.*s\n", sha, (int)sizeof(files.file[i].path), files.file[i].path);
	}
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
	print_files(&fds, slot, policy.generation);
	printf("loaded at:  %s (generation %llu, slot %u)\n", when,
	       (unsigned long long)policy.generation, slot);
	printf("overflow:   uid %u, gid %u%s\n", policy.overflow_uid, policy.overflow_gid,
	       !policy.overflow_live ? "" :
	       ug_live_ids_followed() ? " (auto: follows the sysctls live)" :
					" (auto: the values at load; not followed live)");
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
		if (r == UG_RULE_OVERFLOW_TRANSITIONS)
			printf("  %-22s reported %llu (map writes: no hook can refuse them)\n", "",
			       (unsigned long long)c.reported);
	}
	ug_maps_close(&fds);
	print_sources();
	print_runtime_marks();
	print_links();
	return UG_EXIT_OK;
}

/* The state for the metrics; 0 or an exit code (error printed). */
static int gather_metrics(struct ug_metrics *m)
{
	struct ug_map_fds fds;
	struct ug_policy policy;
	int err, r;

	memset(m, 0, sizeof(*m));
	err = ug_maps_open_pinned(&fds);
	if (err == -ENOENT)
		return UG_EXIT_OK; /* not loaded, which the metrics say */
	if (err) {
		ug_err("opening the pinned maps in %s: %s", UG_PIN_DIR, strerror(-err));
		return UG_EXIT_INVALID;
	}
	err = ug_policy_current(&fds, &policy, NULL);
	for (r = 0; !err && r < UG_RULE_COUNT; r++) {
		m->mode[r] = policy.rules[r].mode;
		err = ug_counters_read(&fds, (__u32)r, &m->counters[r]);
	}
	ug_maps_close(&fds);
	if (err) {
		ug_err("reading the policy in force and its counters: %s", strerror(-err));
		return UG_EXIT_INVALID;
	}
	m->loaded = true;
	m->n_held = ug_sources_held(m->held, UG_METRICS_SOURCES, &m->sources_seen);
	if (m->n_held < 0)
		m->n_held = 0; /* programs that predate sources: none to name */
	m->generation = policy.generation;
	m->loaded_at_ns = policy.loaded_at_ns;
	return UG_EXIT_OK;
}

/* status --stats: the attached programs' cost over @seconds, appended to @buf at @n. */
static int append_stats(unsigned int seconds, bool prometheus, char *buf, size_t len, int n)
{
	struct ug_prog_stat stats[UG_STATS_MAX];
	int count, w;

	count = ug_prog_stats(seconds, stats, UG_STATS_MAX);
	if (count < 0) {
		ug_err("status --stats: %s", strerror(-count));
		return -1;
	}
	w = ug_prog_stats_format(stats, count, seconds, prometheus, buf + n, len - (size_t)n);
	if (w < 0) {
		ug_err("formatting the statistics: %s", strerror(-w));
		return -1;
	}
	return n + w;
}

static int status_prometheus(const char *output, unsigned int stats)
{
	struct ug_metrics m;
	char buf[16384];
	int ret, n;

	ret = gather_metrics(&m);
	if (ret)
		return ret;
	n = ug_metrics_format(&m, buf, sizeof(buf));
	if (n < 0) {
		ug_err("formatting the metrics: %s", strerror(-n));
		return UG_EXIT_INVALID;
	}
	if (stats && m.loaded && (n = append_stats(stats, true, buf, sizeof(buf), n)) < 0)
		return UG_EXIT_INVALID;
	if (!output) {
		fputs(buf, stdout);
		return fflush(stdout) ? UG_EXIT_INVALID : UG_EXIT_OK;
	}
	ret = ug_write_atomic(output, buf, (size_t)n);
	if (ret) {
		ug_err("writing metrics to %s: %s", output, strerror(-ret));
		return UG_EXIT_INVALID;
	}
	return UG_EXIT_OK;
}

int ug_status_command(int argc, char **argv, void (*usage)(FILE *out))
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "stats", optional_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *output = NULL;
	bool prometheus = false;
	unsigned int stats = 0;
	char *end;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+F:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			stats = optarg ? (unsigned int)strtoul(optarg, &end, 10) : 5;
			if (optarg && (*end || !stats || stats > 3600)) {
				ug_err("status: --stats=%s: a window of 1 to 3600 seconds", optarg);
				return UG_EXIT_USAGE;
			}
			break;
		case 'F':
			if (!strcmp(optarg, "prometheus")) {
				prometheus = true;
			} else if (!strcmp(optarg, "text")) {
				prometheus = false;
			} else {
				ug_err("status: unknown format '%s' (text or prometheus)", optarg);
				return UG_EXIT_USAGE;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			usage(stdout);
			return UG_EXIT_OK;
		default:
			usage(stderr);
			return UG_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		ug_err("status: unexpected argument '%s'", argv[optind]);
		return UG_EXIT_USAGE;
	}
	if (output && !prometheus) {
		ug_err("status: --output needs --format prometheus");
		return UG_EXIT_USAGE;
	}
	ret = ug_env_require_root();
	if (ret)
		return ret;
	/* Without bpffs nothing can be pinned: for the metrics that is "not loaded". */
	if (prometheus)
		return status_prometheus(output, stats);
	ret = ug_env_require_bpffs(false);
	if (!ret)
		ret = ug_status();
	if (!ret && stats) {
		char buf[8192];
		int n = append_stats(stats, false, buf, sizeof(buf), 0);

		if (n < 0)
			return UG_EXIT_INVALID;
		fputs(buf, stdout);
	}
	return ret;
}
