// SPDX-License-Identifier: GPL-2.0-only
#include "metrics_format.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "event_format.h"
#include "policy.h"

struct out {
	char *buf;
	size_t len, used;
	bool full;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->used) {
		o->full = true;
		return;
	}
	o->used += (size_t)n;
}

static void header(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One counter family, one sample per rule. */
static void per_rule(struct out *o, const struct ug_metrics *m, const char *name,
		     const char *help, size_t offset)
{
	header(o, name, "counter", help);
	for (int r = 0; r < UG_RULE_COUNT; r++) {
		const __u64 *v = (const __u64 *)((const char *)&m->counters[r] + offset);

		put(o, "%s{rule=\"%s\"} %llu\n", name, ug_rule_name((enum ug_rule)r),
		    (unsigned long long)*v);
	}
}

int ug_metrics_format(const struct ug_metrics *m, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len };

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	/*
	 * Written even when nothing is loaded: a textfile collector then
	 * exports a fresh 0 instead of the last file's stale numbers.
	 */
	header(&o, "usernsguard_loaded", "gauge",
	       "Whether usernsguard's programs and policy are pinned (1) or not (0).");
	put(&o, "usernsguard_loaded %d\n", m->loaded ? 1 : 0);
	if (!m->loaded)
		return o.full ? -ENOSPC : (int)o.used;

	header(&o, "usernsguard_policy_generation", "gauge",
	       "Policy loads since the programs were attached.");
	put(&o, "usernsguard_policy_generation %llu\n", (unsigned long long)m->generation);
	/* No policy was ever installed (a load killed before its first flip): no time to give. */
	if (m->generation) {
		header(&o, "usernsguard_policy_loaded_timestamp_seconds", "gauge",
		       "When the policy in force was loaded, in seconds since the epoch.");
		put(&o, "usernsguard_policy_loaded_timestamp_seconds %llu.%09llu\n",
		    (unsigned long long)(m->loaded_at_ns / 1000000000ULL),
		    (unsigned long long)(m->loaded_at_ns % 1000000000ULL));
	}
	header(&o, "usernsguard_rule_mode", "gauge",
	       "The mode each rule runs in: 1 for the mode it is in, 0 for the others.");
	for (int r = 0; r < UG_RULE_COUNT; r++)
		for (int mode = UG_MODE_OFF; mode <= UG_MODE_AUDIT; mode++)
			put(&o, "usernsguard_rule_mode{rule=\"%s\",mode=\"%s\"} %d\n",
			    ug_rule_name((enum ug_rule)r), ug_mode_name((enum ug_mode)mode),
			    m->mode[r] == (__u32)mode);
	per_rule(&o, m, "usernsguard_denials_total",
		 "Operations a rule refused (including tasks killed), since the programs were attached.",
		 offsetof(struct ug_counters, denied));
	per_rule(&o, m, "usernsguard_audits_total",
		 "Operations a rule in audit mode would have refused, and allowed.",
		 offsetof(struct ug_counters, audited));
	per_rule(&o, m, "usernsguard_events_lost_total",
		 "Events not delivered because the ring buffer was full.",
		 offsetof(struct ug_counters, lost));
	per_rule(&o, m, "usernsguard_events_ratelimited_total",
		 "Events not sent because a source's budget held them back (its rate limit or its share of a filling ring).",
		 offsetof(struct ug_counters, ratelimited));
	per_rule(&o, m, "usernsguard_reports_total",
		 "Changes a rule reports because no hook can refuse them (rule 1: map writes).",
		 offsetof(struct ug_counters, reported));
	header(&o, "usernsguard_event_sources", "gauge",
	       "Event sources (host users, containers) with a budget in the kernel.");
	put(&o, "usernsguard_event_sources %u\n", m->sources_seen);
	header(&o, "usernsguard_source_events_held_back_total", "counter",
	       "Events a source's budget held back, by source and reason (the sources with the most).");
	for (int i = 0; i < m->n_held; i++) {
		char name[32];

		ug_source_string(m->held[i].source, name);
		put(&o, "usernsguard_source_events_held_back_total{source=\"%s\",reason=\"rate-limit\"} %llu\n",
		    name, (unsigned long long)m->held[i].rate_limited);
		put(&o, "usernsguard_source_events_held_back_total{source=\"%s\",reason=\"over-share\"} %llu\n",
		    name, (unsigned long long)m->held[i].over_share);
	}
	return o.full ? -ENOSPC : (int)o.used;
}
