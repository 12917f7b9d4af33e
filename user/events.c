// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reader of the ug_events ring buffer. The buffer is pinned, so events
 * outlive the loader and a new reader starts where the last one stopped.
 * Losses (buffer full, rate limit) are counted in BPF and reported here as
 * events of their own: nothing disappears silently. One reader at a time:
 * the consumer position is shared, so two would each see part of the stream.
 */
#include "events.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cgroup_resolve.h"
#include "journal_output.h"
#include "ocsf_format.h"
#include "policy.h"
#include "policy_maps.h"
#include "util.h"

/* How long an event can wait in a quiet ring before it is read. */
#define UG_EVENTS_POLL_MS 100
/* How often a follower checks that the pins are still the ones it reads. */
#define UG_EVENTS_PIN_CHECK_NS 1000000000ULL

struct reader {
	const struct ug_events_opts *opts;
	__s64 boot_to_real_ns;
	struct ug_map_fds fds;
	int events_fd;
	int reported_fd; /* ug_reported: what earlier readers reported */
	int sources_fd;  /* ug_sources, ug_sources_reported: -1 when not there */
	int sources_reported_fd;
	dev_t events_dev; /* the pin read, to notice an unload or a new load */
	ino_t events_ino;
	__u64 sources_at_ns; /* when sources were last reported */
	__u64 pins_at_ns;    /* when the pin was last checked */
	bool started;
	bool journal_failed; /* said once */
	char hostname[65];   /* OCSF's device.hostname, printable ASCII */
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

/*
 * One entry out: @line (in the chosen format) to stdout, or for the
 * journal @line as ECS JSON (the fields) and @text (the MESSAGE).
 */
static void emit(struct reader *r, struct ug_journal_kind kind, const char *line, const char *text)
{
	static struct ug_journal_entry entry;
	int err;

	if (r->opts->output == UG_OUTPUT_STDOUT) {
		puts(line);
		return;
	}
	err = ug_journal_entry_build(&entry, kind, line, text);
	if (!err)
		err = ug_journal_send(&entry);
	/* Said once, not per event: a storm must not become a storm on stderr. */
	if (err && !r->journal_failed) {
		r->journal_failed = true;
		ug_err("events: writing to the journal: %s (further failures not shown)",
		       strerror(-err));
	}
}

static bool to_journal(const struct reader *r)
{
	return r->opts->output == UG_OUTPUT_JOURNAL;
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct ug_event *ev = data;
	const struct ug_event_who *who;
	struct reader *r = ctx;
	char line[4096], text[1024] = "";
	int n;

	if (size < sizeof(struct ug_event))
		return 0;
	who = ug_cgroup_who(ev->cgroup_id);

	if (r->opts->format == UG_FORMAT_OCSF && !to_journal(r))
		n = ug_ocsf_format(ev, who, r->hostname, r->boot_to_real_ns, line, sizeof(line));
	else
		n = ug_event_format_who(ev, who, r->boot_to_real_ns,
					to_journal(r) ? UG_FORMAT_JSON : r->opts->format, line,
					sizeof(line));
	if (n >= 0 && to_journal(r))
		n = ug_event_format(ev, r->boot_to_real_ns, UG_FORMAT_TEXT, text, sizeof(text));
	if (n >= 0)
		emit(r, ug_journal_event_kind((enum ug_rule)ev->rule, (enum ug_verdict)ev->verdict),
		     line, text);
	return 0;
}

/*
 * A summary (losses, held-back counts) in the reader's format: OCSF has
 * one class for both, with @message saying which; ECS and text have their
 * own lines, made by @format_fn.
 */
#define EMIT_SUMMARY(r, kind, message, count, format_fn, report)                              \
	do {                                                                                   \
		char line_[1024], text_[512] = "";                                             \
		__u64 now_ = clock_ns(CLOCK_REALTIME);                                         \
		int n_;                                                                        \
                                                                                               \
		if ((r)->opts->format == UG_FORMAT_OCSF && !to_journal(r))                     \
			n_ = ug_ocsf_summary(message, count, now_, (r)->hostname, line_,       \
					     sizeof(line_));                                   \
		else                                                                           \
			n_ = format_fn(report, now_,                                           \
				       to_journal(r) ? UG_FORMAT_JSON : (r)->opts->format,     \
				       line_, sizeof(line_));                                  \
		if (n_ >= 0 && to_journal(r))                                                  \
			n_ = format_fn(report, now_, UG_FORMAT_TEXT, text_, sizeof(text_));    \
		if (n_ >= 0)                                                                   \
			emit(r, kind, line_, text_);                                           \
	} while (0)

/* Report every loss the counters show beyond what was reported already. */
static void report_lost(struct reader *r)
{
	__u32 rule;

	for (rule = 0; rule < UG_RULE_COUNT; rule++) {
		struct ug_lost_report lost = { .rule = rule, .initial = !r->started };
		struct ug_reported done = {};
		struct ug_counters now;
		char message[128];

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
		snprintf(message, sizeof(message), "%s events lost: ring full %llu, held back %llu",
			 ug_rule_name((enum ug_rule)rule), (unsigned long long)lost.ring_full,
			 (unsigned long long)lost.rate_limited);
		EMIT_SUMMARY(r, ug_journal_lost_kind(), message, lost.ring_full + lost.rate_limited,
			     ug_lost_format, &lost);
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

	if (r->sources_fd < 0 || r->sources_reported_fd < 0 ||
	    (!now && t - r->sources_at_ns < 1000000000ULL))
		return;
	r->sources_at_ns = t;
	while (!bpf_map_get_next_key(r->sources_fd, prev, &key)) {
		struct ug_held_back_report held = { .source = key, .initial = !r->started };
		char message[128], name[32];

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
		snprintf(message, sizeof(message),
			 "events held back from source %s: rate-limited %llu, over its share %llu",
			 ug_source_string(key, name), (unsigned long long)held.rate_limited,
			 (unsigned long long)held.over_share);
		EMIT_SUMMARY(r, ug_journal_held_back_kind(), message,
			     held.rate_limited + held.over_share, ug_held_back_format, &held);
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void reader_close(struct reader *r)
{
	close_fd(&r->events_fd);
	close_fd(&r->reported_fd);
	close_fd(&r->sources_fd);
	close_fd(&r->sources_reported_fd);
	ug_maps_close(&r->fds);
}

/* Open the pins: 0, or -errno when nothing is loaded (@path names what was missing). */
static int reader_open(struct reader *r, char *path, size_t len)
{
	struct stat st;
	int err;

	r->events_fd = r->reported_fd = r->sources_fd = r->sources_reported_fd = -1;
	err = ug_maps_open_pinned(&r->fds);
	ug_fmt(path, len, "%s/ug_reported", UG_PIN_DIR);
	if (!err && (r->reported_fd = bpf_obj_get(path)) < 0)
		err = -errno;
	ug_fmt(path, len, "%s/ug_events", UG_PIN_DIR);
	/*
	 * The pin's own inode, taken before the map is opened: if the pin is
	 * replaced in between, the next check sees a change and reopens.
	 */
	if (!err && stat(path, &st))
		err = -errno;
	if (!err && (r->events_fd = bpf_obj_get(path)) < 0)
		err = -errno;
	if (err) {
		reader_close(r);
		return err;
	}
	r->events_dev = st.st_dev;
	r->events_ino = st.st_ino;
	r->sources_fd = ug_open_pinned("ug_sources");
	r->sources_reported_fd = ug_open_pinned("ug_sources_reported");
	return 0;
}

/*
 * Whether the pin is still the ring being read: an unload removes it, and
 * a load after that pins a new one. A follower that missed it would read
 * an orphaned ring forever and report nothing.
 */
static bool pins_moved(struct reader *r)
{
	__u64 t = clock_ns(CLOCK_MONOTONIC);
	struct stat st;

	if (t - r->pins_at_ns < UG_EVENTS_PIN_CHECK_NS)
		return false;
	r->pins_at_ns = t;
	return stat(UG_PIN_DIR "/ug_events", &st) || st.st_dev != r->events_dev ||
	       st.st_ino != r->events_ino;
}

/*
 * Read until stopped (or once, without follow). Returns 1 when the pins
 * moved under a follower, else an enum ug_exit code.
 */
static int reader_run(struct reader *r)
{
	struct ring_buffer *rb;
	int err;

	rb = ring_buffer__new(r->events_fd, on_event, r, NULL);
	if (!rb) {
		ug_err("reading %s/ug_events: %s", UG_PIN_DIR, strerror(errno));
		return UG_EXIT_INVALID;
	}
	do {
		/* Event times are boot-relative: the offset moves when the clock is set. */
		r->boot_to_real_ns = (__s64)(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME));
		/*
		 * The programs wake the reader only once a batch has built up
		 * (bpf/policy.bpf.h): a quiet ring is read when the poll times
		 * out, so an event waits at most UG_EVENTS_POLL_MS.
		 */
		err = r->opts->follow ? ring_buffer__poll(rb, UG_EVENTS_POLL_MS) : 0;
		if (err >= 0 || err == -EINTR)
			err = ring_buffer__consume(rb);
		if (err < 0 && err != -EINTR) {
			ug_err("reading events: %s", strerror(-err));
			break;
		}
		err = 0;
		report_held_back(r, !r->opts->follow || stop);
		report_lost(r);
		fflush(stdout);
		if (r->opts->follow && !stop && pins_moved(r)) {
			err = 1;
			break;
		}
	} while (r->opts->follow && !stop);
	ring_buffer__free(rb);
	return err < 0 ? UG_EXIT_INVALID : err;
}

/*
 * Take the reader's lock, or say who holds it; with @wait, wait for it
 * (a service waits out an administrator's reader instead of failing). The
 * lock file is in /run: where /run cannot be written there is no lock.
 */
static int reader_lock(bool wait)
{
	bool said = false;
	char pid[16];
	ssize_t n;
	int fd;

	fd = open(UG_EVENTS_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (!stop) {
		if (!flock(fd, LOCK_EX | LOCK_NB)) {
			if (!ftruncate(fd, 0))
				dprintf(fd, "%d\n", (int)getpid());
			return fd;
		}
		if (!said) {
			n = pread(fd, pid, sizeof(pid) - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			ug_err("events: another reader is running (pid %s%s); a second would take "
			       "part of its events: %s",
			       pid[0] ? pid : "?", wait ? "" : ", usernsguard-events.service?",
			       wait ? "waiting until it stops" :
				      "read them where it writes them (journalctl -t usernsguard) "
				      "or stop it");
			said = true;
		}
		if (!wait)
			break;
		sleep(1);
	}
	close(fd);
	return -EBUSY;
}

int ug_events(const struct ug_events_opts *opts)
{
	struct reader r = { .opts = opts };
	bool waiting = false;
	char path[256];
	int lock, ret;

	if (opts->output == UG_OUTPUT_JOURNAL && !ug_journal_built_in()) {
		ug_err("events: this build has no journal output (a static build: Debian has no "
		       "static libsystemd); the packaged binary has it");
		return UG_EXIT_USAGE;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	lock = reader_lock(opts->follow && opts->wait);
	if (lock == -EBUSY)
		return stop ? UG_EXIT_OK : UG_EXIT_BUSY;
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
	for (;;) {
		int err = reader_open(&r, path, sizeof(path));

		if (err && !(opts->follow && opts->wait)) {
			ug_err("not loaded: cannot open %s: %s", path, strerror(-err));
			ret = UG_EXIT_NOT_LOADED;
			break;
		}
		if (err) {
			if (!waiting)
				ug_err("events: not loaded (%s: %s); waiting for usernsguard load",
				       path, strerror(-err));
			waiting = true;
			sleep(1);
			if (stop) {
				ret = UG_EXIT_OK;
				break;
			}
			continue;
		}
		if (waiting)
			ug_err("events: loaded; reading");
		waiting = false;
		ret = reader_run(&r);
		reader_close(&r);
		if (ret != 1)
			break;
		if (!opts->wait) {
			ug_err("events: the programs were unloaded or loaded anew; stopped");
			ret = UG_EXIT_NOT_LOADED;
			break;
		}
		/* A new ring: its losses and sources are reported from 0 again. */
		r.started = false;
	}
	if (lock >= 0)
		close(lock);
	return ret;
}
