// SPDX-License-Identifier: GPL-2.0-only
/*
 * `usernsguard status --format prometheus` of a loaded policy: drive
 * exactly three rule-1 denials (and an allowed neighbour) and read them
 * back from the metrics; --output replaces the file atomically; after
 * unload the metrics still parse and say loaded 0. Each exposition is
 * printed between marker lines so the host can lint it with promtool
 * (scripts/check-guest-metrics.sh): the guest has no promtool.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "guest_test.h"

#define OUT_DIR "/tmp/metrics"
#define OUT_FILE OUT_DIR "/usernsguard.prom"

static char out[65536], file[65536], again[65536];

static int op_setuid(void *arg)
{
	return setuid((uid_t)(uintptr_t)arg) ? errno : 0;
}

static bool read_whole(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return true;
}

/* The exposition, line by line under a prefix the host extracts. */
static void print_block(const char *name, const char *text)
{
	const char *p = text;

	printf("UG-METRICS-BEGIN %s\n", name);
	while (*p) {
		size_t n = strcspn(p, "\n");

		printf("UG-METRICS %s: %.*s\n", name, (int)n, p);
		p += n + (p[n] == '\n');
	}
	printf("UG-METRICS-END %s\n", name);
	fflush(stdout);
}

static int dir_entries(const char *path)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(path);

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_loaded(void)
{
	double when = 0;
	const char *p;
	struct stat st;
	int rc, i;

	expect(load_policy("mode enforce\nrule overflow-transitions on on-deny errno\n"
			   "rule most-restrictive on mode audit\n") == 0,
	       "load: rule 1 enforcing with errno, rule 2 in audit", "see above");
	for (i = 0; i < 3; i++)
		expect_outcome("setuid(65534) denied", in_child(op_setuid, (void *)(uintptr_t)65534),
			       ERR(EPERM));
	expect_outcome("setuid(65533) allowed (not counted)",
		       in_child(op_setuid, (void *)(uintptr_t)65533), OK);

	mkdir(OUT_DIR, 0755);
	rc = sh_capture(out, sizeof(out), "usernsguard status --format prometheus --output %s",
			OUT_FILE);
	expect(rc == 0 && !out[0], "--output: exit 0, nothing on stdout", "exit %d: %s", rc, out);
	expect(read_whole(OUT_FILE, file, sizeof(file)), "the file exists", "%s", strerror(errno));
	expect(stat(OUT_FILE, &st) == 0 && (st.st_mode & 07777) == 0644,
	       "the file is 0644 (node_exporter reads it)", "mode %o", st.st_mode & 07777);
	expect(dir_entries(OUT_DIR) == 1, "no temporary file left", "%d entries",
	       dir_entries(OUT_DIR));
	print_block("loaded", file);

	expect(strstr(file, "\nusernsguard_loaded 1\n") != NULL, "usernsguard_loaded 1", "%s", file);
	expect(strstr(file, "\nusernsguard_denials_total{rule=\"overflow-transitions\"} 3\n") != NULL,
	       "exactly the 3 denials driven", "%s", file);
	expect(strstr(file, "\nusernsguard_denials_total{rule=\"most-restrictive\"} 0\n") != NULL &&
	       strstr(file, "\nusernsguard_audits_total{rule=\"overflow-transitions\"} 0\n") != NULL,
	       "other counters 0", "%s", file);
	expect(strstr(file, "\nusernsguard_rule_mode{rule=\"overflow-transitions\",mode=\"enforce\"} 1\n") &&
	       strstr(file, "\nusernsguard_rule_mode{rule=\"most-restrictive\",mode=\"audit\"} 1\n") &&
	       strstr(file, "\nusernsguard_rule_mode{rule=\"shift-marks\",mode=\"off\"} 1\n"),
	       "rule modes", "%s", file);
	expect(strstr(file, "\nusernsguard_policy_generation 1\n") != NULL,
	       "generation 1 after a fresh load", "%s", file);
	p = strstr(file, "\nusernsguard_policy_loaded_timestamp_seconds ");
	if (p)
		when = strtod(p + strlen("\nusernsguard_policy_loaded_timestamp_seconds "), NULL);
	expect(when > (double)time(NULL) - 120 && when <= (double)time(NULL) + 1,
	       "load time is wall-clock seconds since the epoch, within the last 2 minutes",
	       "%f, now %ld", when, (long)time(NULL));

	rc = sh_capture(again, sizeof(again), "usernsguard status --format prometheus");
	expect(rc == 0 && !strcmp(again, file), "stdout gives the same exposition", "exit %d: %s",
	       rc, again);
	rc = sh_capture(out, sizeof(out), "usernsguard status --format text");
	sh_capture(again, sizeof(again), "usernsguard status");
	expect(rc == 0 && !strcmp(out, again) && strstr(out, "denied 3"),
	       "--format text is the default text", "exit %d: %s", rc, out);
}

static void test_unloaded(void)
{
	static const char want[] =
		"# HELP usernsguard_loaded Whether usernsguard's programs and policy are pinned (1) or not (0).\n"
		"# TYPE usernsguard_loaded gauge\n"
		"usernsguard_loaded 0\n";
	int rc;

	sh("usernsguard unload >/dev/null 2>&1; mkdir -p " OUT_DIR);
	write_file(OUT_FILE, "usernsguard_loaded 1\n");
	rc = sh_capture(out, sizeof(out), "usernsguard status --format prometheus --output %s",
			OUT_FILE);
	read_whole(OUT_FILE, file, sizeof(file));
	expect(rc == 0 && !strcmp(file, want),
	       "not loaded: exit 0, the file is replaced and says loaded 0", "exit %d: %s", rc,
	       file);
	print_block("unloaded", file);
	rc = sh_capture(out, sizeof(out), "usernsguard status");
	expect(rc == 8, "text status when not loaded: still exit 8", "exit %d: %s", rc, out);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Unloaded first: test_loaded's exact counts need a fresh load anyway. */
	test_unloaded();
	test_loaded();
	return summary();
}
