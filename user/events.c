// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reader of the ug_events ring buffer. The buffer is pinned, so events
 * outlive the loader and a new reader starts where the last one stopped.
 * Losses (buffer full, rate limit) are counted in BPF and reported here as
 * events of their own: nothing disappears silently.
 */
#include "events.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cgroup_resolve.h"
#include "ocsf_format.h"
#include "policy.h"
#include "policy_maps.h"
#include "util.h"

/* How long an event can wait in a quiet ring before it is read. */
#define UG_EVENTS_POLL_MS 100

struct reader {
	enum ug_format format;
	__s64 boot_to_real_ns;
	struct ug_map_fds fds;
	int reported_fd; /* ug_reported: what earlier readers reported */
	int sources_fd;  /* ug_sources, ug_sources_reported: -1 when not there */
	int sources_reported_fd;
	__u64 sources_at_ns; /* when sources were last reported */
	bool started;
	char hostname[65]; /* OCSF's device.hostname, printable ASCII */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static __u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct ug_event *ev = data;
	const struct ug_event_who *who;
	struct reader *r = ctx;
	char line[4096];

	if (size < sizeof(struct ug_event))
		return 0;
	who = ug_cgroup_who(ev->cgroup_id);

	if (r->format == UG_FORMAT_OCSF ?
		    ug_ocsf_format(ev, who, r->hostname, r->boot_to_real_ns, line, sizeof(line)) < 0 :
		    ug_event_format_who(ev, who, r->boot_to_real_ns, r->format, line, sizeof(line)) < 0)
		return 0;
	puts(line);
	return 0;
}

/* Report every loss the counters show beyond what was reported already. */
static void report_lost(struct reader *r)
{
	__u32 rule;

	for (rule = 0; rule < UG_RULE_COUNT; rule++) {
		struct ug_lost_report lost = { .rule = rule, .initial = !r->started };
		struct ug_reported done = {};
		struct ug_counters now;
		char line[1024];

		if (ug_counters_read(&r->fds, rule, &now) ||
		    bpf_map_lookup_elem(r->reported_fd, &rule, &done))
			continue;
		lost.ring_full = now.lost - done.lost;
		lost.rate_limited = now.ratelimited - done.ratelimited;
		if (!lost.ring_full && !lost.rate_limited)
			continue;
		done.lost = now.lost;
		done.ratelimited = now.ratelimited;
		bpf_map_update_elem(r->reported_fd, &rule, &done, BPF_ANY);
		if (r->format == UG_FORMAT_OCSF) {
			char message[128];

			snprintf(message, sizeof(message),
				 "%s events lost: ring full %llu, held back %llu",
				 ug_rule_name((enum ug_rule)rule), (unsigned long long)lost.ring_full,
				 (unsigned long long)lost.rate_limited);
			if (ug_ocsf_summary(message, lost.ring_full + lost.rate_limited,
					    clock_ns(CLOCK_REALTIME), r->hostname, line, sizeof(line)) >= 0)
				puts(line);
		} else if (ug_lost_format(&lost, clock_ns(CLOCK_REALTIME), r->format, line,
					  sizeof(line)) >= 0) {
			puts(line);
		}
	}
	r->started = true;
}

/*
 * One held-back summary per source whose budget held events back since
 * the last report (bpf/fairness.bpf.h), at most once a second. A source
 * the LRU map dropped and saw again counts from 0: its reported counts
 * restart with it.
 */
static void report_held_back(struct reader *r, bool now)
{
	struct ug_source_reported done;
	struct ug_source src;
	__u64 key, *prev = NULL, t = clock_ns(CLOCK_MONOTONIC);
	char line[1024];

	if (r->sources_fd < 0 || r->sources_reported_fd < 0 ||
	    (!now && t - r->sources_at_ns < 1000000000ULL))
		return;
	r->sources_at_ns = t;
	while (!bpf_map_get_next_key(r->sources_fd, prev, &key)) {
		struct ug_held_back_report held = { .source = key, .initial = !r->started };

		prev = &key;
		if (bpf_map_lookup_elem(r->sources_fd, &key, &src))
			continue;
		if (bpf_map_lookup_elem(r->sources_reported_fd, &key, &done) ||
		    done.rate_limited > src.rate_limited || done.over_share > src.over_share)
			memset(&done, 0, sizeof(done));
		held.rate_limited = src.rate_limited - done.rate_limited;
		held.over_share = src.over_share - done.over_share;
		if (!held.rate_limited && !held.over_share)
			continue;
		done.rate_limited = src.rate_limited;
		done.over_share = src.over_share;
		bpf_map_update_elem(r->sources_reported_fd, &key, &done, BPF_ANY);
		if (r->format == UG_FORMAT_OCSF) {
			char message[128], name[32];

			snprintf(message, sizeof(message),
				 "events held back from source %s: rate-limited %llu, over its share %llu",
				 ug_source_string(key, name), (unsigned long long)held.rate_limited,
				 (unsigned long long)held.over_share);
			if (ug_ocsf_summary(message, held.rate_limited + held.over_share,
					    clock_ns(CLOCK_REALTIME), r->hostname, line, sizeof(line)) >= 0)
				puts(line);
		} else if (ug_held_back_format(&held, clock_ns(CLOCK_REALTIME), r->format, line,
					       sizeof(line)) >= 0) {
			puts(line);
		}
	}
}

int ug_events(bool follow, enum ug_format format)
{
	struct reader r = { .format = format };
	struct ring_buffer *rb;
	char path[256];
	int fd, err;

	/*
	 * Block-buffered and flushed once per batch: a write per line would
	 * make the reader, not the ring, the limit in a denial storm.
	 */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (gethostname(r.hostname, sizeof(r.hostname) - 1))
		snprintf(r.hostname, sizeof(r.hostname), "localhost");
	for (char *p = r.hostname; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			*p = '?';
	err = ug_maps_open_pinned(&r.fds);
	ug_fmt(path, sizeof(path), "%s/ug_reported", UG_PIN_DIR);
	r.reported_fd = err ? -1 : bpf_obj_get(path);
	ug_fmt(path, sizeof(path), "%s/ug_events", UG_PIN_DIR);
	fd = err || r.reported_fd < 0 ? -1 : bpf_obj_get(path);
	if (fd < 0) {
		ug_err("not loaded: cannot open %s: %s", path, strerror(err ? -err : errno));
		if (r.reported_fd >= 0)
			close(r.reported_fd);
		ug_maps_close(&r.fds);
		return UG_EXIT_NOT_LOADED;
	}
	r.sources_fd = ug_open_pinned("ug_sources");
	r.sources_reported_fd = ug_open_pinned("ug_sources_reported");
	rb = ring_buffer__new(fd, on_event, &r, NULL);
	if (!rb) {
		ug_err("reading %s: %s", path, strerror(errno));
		if (r.sources_fd >= 0)
			close(r.sources_fd);
		if (r.sources_reported_fd >= 0)
			close(r.sources_reported_fd);
		close(fd);
		close(r.reported_fd);
		ug_maps_close(&r.fds);
		return UG_EXIT_INVALID;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	do {
		/* Event times are boot-relative: the offset moves when the clock is set. */
		r.boot_to_real_ns = (__s64)(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME));
		/*
		 * The programs wake the reader only once a batch has built up
		 * (bpf/policy.bpf.h): a quiet ring is read when the poll times
		 * out, so an event waits at most UG_EVENTS_POLL_MS.
		 */
		err = follow ? ring_buffer__poll(rb, UG_EVENTS_POLL_MS) : 0;
		if (err >= 0 || err == -EINTR)
			err = ring_buffer__consume(rb);
		if (err < 0 && err != -EINTR) {
			ug_err("reading events: %s", strerror(-err));
			break;
		}
		err = 0;
		report_held_back(&r, !follow || stop);
		report_lost(&r);
		fflush(stdout);
	} while (follow && !stop);
	ring_buffer__free(rb);
	close(fd);
	if (r.sources_fd >= 0)
		close(r.sources_fd);
	if (r.sources_reported_fd >= 0)
		close(r.sources_reported_fd);
	close(r.reported_fd);
	ug_maps_close(&r.fds);
	return err ? UG_EXIT_INVALID : UG_EXIT_OK;
}
