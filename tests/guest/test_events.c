// SPDX-License-Identifier: GPL-2.0-only
/*
 * The event stream end to end: the exact JSON line `usernsguard events`
 * prints for a denial of each rule, the text format, a reader picking up
 * where the last stopped, --follow, a flood that overruns the ring buffer
 * (events seen + events reported lost == operations denied), the rate
 * limit, and bpftool dumps of every pinned map with field names.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest_test.h"

#define NOBODY 65534

static char out[1 << 20];

static int op_setuid(void *arg)
{
	return setuid((uid_t)(uintptr_t)arg) ? errno : 0;
}

/* Deny @n setuid(65534) calls in one child; returns how many were refused. */
static int storm(void *arg)
{
	long n = (long)(intptr_t)arg, refused = 0, i;

	for (i = 0; i < n; i++)
		refused += setuid(NOBODY) != 0;
	return refused == n ? 0 : 1;
}

static int read_0707(void *arg)
{
	int fd;

	(void)arg;
	if (setgid(1000) || setuid(1000))
		return 220;
	fd = open("/tmp/ev/root-0707", O_RDONLY);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/*
 * A user namespace made by @arg's uid (0 or 1000), with its own uid_map
 * and gid_map written from inside (NULL: left alone). Exit status: 0, or
 * the errno of the failed step; the namespace's inode goes to /tmp/ev/mapns.
 */
struct map_write {
	uid_t as; /* 0: stays root */
	const char *uid_map, *gid_map;
};

static int write_own_maps(void *arg)
{
	const struct map_write *w = arg;
	struct stat st;
	char text[32];

	if (w->as && (setgid(w->as) || setuid(w->as)))
		return 220;
	/* A set-id change makes /proc/self root's: the user's own again. */
	if (prctl(PR_SET_DUMPABLE, 1))
		return errno;
	if (unshare(CLONE_NEWUSER))
		return errno;
	if (stat("/proc/self/ns/user", &st))
		return errno;
	snprintf(text, sizeof(text), "%lu", (unsigned long)st.st_ino);
	unlink("/tmp/ev/mapns");
	write_file("/tmp/ev/mapns", text);
	if (w->uid_map && write_proc(getpid(), "uid_map", w->uid_map))
		return errno;
	if (w->gid_map && (write_proc(getpid(), "setgroups", "deny") ||
			   write_proc(getpid(), "gid_map", w->gid_map)))
		return errno;
	return 0;
}

static unsigned long ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (unsigned long)st.st_ino;
}

/* Replace the @timestamp value with "T" after checking its form and age. */
static bool mask_timestamp(char *line, char *masked, size_t len)
{
	const char *p = strstr(line, "\"@timestamp\":\""), *end;
	struct tm tm = {};
	time_t when;

	if (!p)
		return false;
	p += strlen("\"@timestamp\":\"");
	end = strchr(p, '"');
	/* 2026-11-22T21:00:00.123456789Z: 30 characters, nanoseconds, UTC. */
	if (!end || end - p != 30 || p[19] != '.' || p[29] != 'Z' || !strptime(p, "%Y-%m-%dT%H:%M:%S", &tm))
		return false;
	when = timegm(&tm);
	if (when < time(NULL) - 120 || when > time(NULL) + 5)
		return false;
	snprintf(masked, len, "%.*sT%s", (int)(p - line), line, end);
	return true;
}

/* Replace the number or string after each @key with '#'. */
static void mask_field(char *s, const char *key)
{
	char *p = s;

	while ((p = strstr(p, key))) {
		char *v = p + strlen(key), *end = v;

		if (*end == '"')
			end = strchr(end + 1, '"') + 1;
		else
			while (*end >= '0' && *end <= '9')
				end++;
		*v = '#';
		memmove(v + 1, end, strlen(end) + 1);
		p = v + 1;
	}
}

/* The first line of @text, timestamp checked and masked, @keys masked. */
static bool first_line_masked(const char *text, char *masked, size_t len,
			      const char *const *keys)
{
	char line[4096];

	memcpy(line, text, sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	line[strcspn(line, "\n")] = '\0';
	if (!mask_timestamp(line, masked, len))
		return false;
	for (; keys && *keys; keys++)
		mask_field(masked, *keys);
	return true;
}

static void dev_of(const char *path, char out[32])
{
	struct stat st;

	if (stat(path, &st))
		snprintf(out, 32, "?");
	else
		snprintf(out, 32, "%u:%u", major(st.st_dev), minor(st.st_dev));
}

static int count_lines(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static long long lost_total(const char *text)
{
	long long total = 0;

	for (const char *p = text; (p = strstr(p, "\"lost\":{\"count\":")); p++)
		total += strtoll(p + strlen("\"lost\":{\"count\":"), NULL, 10);
	return total;
}

/* The held-back count the summaries give for @source ("user:0", "userns:N"). */
static long long held_back(const char *text, const char *source)
{
	char key[96];
	long long total = 0;

	snprintf(key, sizeof(key), "\"source\":\"%s\",\"held_back\":{\"count\":", source);
	for (const char *p = text; (p = strstr(p, key)); p++)
		total += strtoll(p + strlen(key), NULL, 10);
	return total;
}

/* Lines of @text that contain all of @a..@d ("" matches any line). */
static long long lines_with(const char *text, const char *a, const char *b, const char *c,
			    const char *d)
{
	long long n = 0;

	while (*text) {
		const char *end = strchr(text, '\n');
		size_t len = end ? (size_t)(end - text) : strlen(text);
		char *line = strndup(text, len);

		if (line && strstr(line, a) && strstr(line, b) && strstr(line, c) && strstr(line, d))
			n++;
		free(line);
		text += len + (end ? 1 : 0);
	}
	return n;
}

static void test_rule_one_line(void)
{
	char expected[4096], masked[4096], line[4096];
	struct outcome o;
	pid_t pid;
	int rc;

	sh("usernsguard events >/dev/null");
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(op_setuid((void *)(uintptr_t)NOBODY));
	waitpid(pid, &rc, 0);
	o = (struct outcome){ .err = WEXITSTATUS(rc) };
	expect_outcome("setuid(65534) denied", o, ERR(EPERM));
	rc = sh_capture(out, sizeof(out), "usernsguard events");
	expect(rc == 0 && count_lines(out, "\n") == 1, "exactly one event waiting", "exit %d: %s",
	       rc, out);
	memcpy(line, out, sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	line[strcspn(line, "\n")] = '\0';
	snprintf(expected, sizeof(expected),
		 "{\"@timestamp\":\"T\","
		 "\"event\":{\"kind\":\"alert\",\"category\":[\"iam\"],\"type\":[\"denied\"],"
		 "\"action\":\"setuid\",\"outcome\":\"failure\",\"module\":\"usernsguard\"},"
		 "\"error\":{\"code\":\"EPERM\"},"
		 "\"process\":{\"pid\":%d,\"thread\":{\"id\":%d},\"name\":\"test_events\"},"
		 "\"user\":{\"id\":\"0\"},\"group\":{\"id\":\"0\"},"
		 "\"usernsguard\":{\"rule\":\"overflow-transitions\",\"verdict\":\"denied\","
		 "\"namespace\":{\"user_inode\":%lu,\"mnt_inode\":%lu,\"uid\":0,\"gid\":0},"
		 "\"cgroup_id\":1,\"source\":\"user:0\",\"cgroup_path\":\"/\",\"target_id\":65534,"
		 "\"requested\":{\"uid\":[65534,65534,65534,65534],\"gid\":[null,null,null,null]}}}",
		 pid, pid, ino_of("/proc/self/ns/user"), ino_of("/proc/self/ns/mnt"));
	expect(mask_timestamp(line, masked, sizeof(masked)) && !strcmp(masked, expected),
	       "rule 1: the exact JSON line", "\n got: %s\nwant: %s", masked, expected);
}

static int deny_setgroups(void *arg)
{
	gid_t groups[2] = { 100, NOBODY };

	(void)arg;
	return setgroups(2, groups) ? errno : 0;
}

/* A refused setgroups names the groups it asked for (issue 18). */
static void test_setgroups_line(void)
{
	sh("usernsguard events >/dev/null");
	expect_outcome("setgroups({100,65534}) denied", in_child(deny_setgroups, NULL), ERR(EPERM));
	sh_capture(out, sizeof(out), "usernsguard events");
	expect(count_lines(out, "\n") == 1 &&
		       strstr(out, "\"action\":\"setgroups\"") &&
		       strstr(out, "\"target_id\":65534,\"requested\":{\"groups\":[100,65534],"
				   "\"groups_count\":2}}}"),
	       "setgroups: the event names both groups asked for", "%s", out);
}

static int noop(void *arg)
{
	(void)arg;
	return 0;
}

static unsigned long map_ns(void)
{
	char text[32] = "";
	FILE *f = fopen("/tmp/ev/mapns", "r");

	if (f) {
		if (!fgets(text, sizeof(text), f))
			text[0] = '\0';
		fclose(f);
	}
	return strtoul(text, NULL, 10);
}

/*
 * A map write that makes an id a task holds read as the overflow id
 * (issue 16, item 5): done (no hook can refuse it), and reported.
 */
static void test_map_write_line(void)
{
	char expected[4096], masked[4096], line[4096];
	struct outcome o;
	pid_t pid;
	int rc;

	/* The writers (uid 1000) leave their namespace's inode there. */
	sh("mkdir -p /tmp/ev && chmod 1777 /tmp/ev; usernsguard events >/dev/null");
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(write_own_maps(&(struct map_write){ 1000, "65534 1000 1", NULL }));
	waitpid(pid, &rc, 0);
	o = (struct outcome){ .err = WEXITSTATUS(rc) };
	expect_outcome("uid 1000 writes \"65534 1000 1\" to its namespace's uid_map: done", o, OK);
	rc = sh_capture(out, sizeof(out), "usernsguard events");
	expect(rc == 0 && count_lines(out, "\n") == 1, "map write: exactly one event waiting",
	       "exit %d: %s", rc, out);
	memcpy(line, out, sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	line[strcspn(line, "\n")] = '\0';
	snprintf(expected, sizeof(expected),
		 "{\"@timestamp\":\"T\","
		 "\"event\":{\"kind\":\"alert\",\"category\":[\"iam\"],\"type\":[\"change\"],"
		 "\"action\":\"uid-map\",\"outcome\":\"success\",\"module\":\"usernsguard\"},"
		 "\"process\":{\"pid\":%d,\"thread\":{\"id\":%d},\"name\":\"test_events\"},"
		 "\"user\":{\"id\":\"1000\"},\"group\":{\"id\":\"1000\"},"
		 "\"usernsguard\":{\"rule\":\"overflow-transitions\",\"verdict\":\"reported\","
		 "\"namespace\":{\"user_inode\":%lu,\"mnt_inode\":%lu,\"uid\":65534,\"gid\":null},"
		 "\"cgroup_id\":1,\"source\":\"user:1000\",\"cgroup_path\":\"/\",\"target_id\":1000,"
		 "\"map\":{\"user_inode\":%lu,\"id\":65534}}}",
		 pid, pid, map_ns(), ino_of("/proc/self/ns/mnt"), map_ns());
	expect(mask_timestamp(line, masked, sizeof(masked)) && !strcmp(masked, expected),
	       "map write: the exact JSON line", "\n got: %s\nwant: %s", masked, expected);

	/* The same for groups, and the text form names both namespaces' views. */
	sh("usernsguard events >/dev/null");
	o = in_child(write_own_maps, &(struct map_write){ 1000, NULL, "65534 1000 1" });
	expect_outcome("uid 1000 writes \"65534 1000 1\" to its gid_map: done", o, OK);
	rc = sh_capture(out, sizeof(out), "usernsguard events --format text");
	snprintf(expected, sizeof(expected),
		 " reported overflow-transitions gid-map pid=");
	expect(rc == 0 && count_lines(out, "\n") == 1 && strstr(out, expected) &&
		       strstr(out, " uid=1000 gid=1000 source=user:1000 target=1000 map_userns=") &&
		       strstr(out, " map_id=65534\n"),
	       "gid map write: one text line, target 1000, map id 65534", "exit %d: %s", rc, out);

	/* Twins: maps that make no held id read as the overflow id. */
	o = in_child(write_own_maps, &(struct map_write){ 1000, "0 1000 1", NULL });
	expect_outcome("uid 1000 writes \"0 1000 1\": done", o, OK);
	/* As newuidmap does: the parent writes the child's maps. */
	o = in_userns("0 100000 65536", "0 100000 65536", noop, NULL);
	expect_outcome("root writes a subordinate range (65534 -> 165534, held by none): done", o,
		       OK);
	rc = sh_capture(out, sizeof(out), "usernsguard events");
	expect(rc == 0 && out[0] == '\0', "no event for either map", "exit %d: %s", rc, out);
	sh_capture(out, sizeof(out), "usernsguard status");
	expect(strstr(out, "reported 2 (map writes") != NULL, "status: 2 map writes reported",
	       "%s", out);
}

static void test_rule_two_line(void)
{
	sh("mkdir -p /tmp/ev && touch /tmp/ev/root-0707 && chmod 0707 /tmp/ev/root-0707");
	sh("usernsguard events >/dev/null");
	expect_outcome("rule 2: unmapped owner, 0707 read: EACCES",
		       in_userns("0 100000 65536\n", "0 100000 65536\n", read_0707, NULL),
		       ERR(EACCES));
	sh_capture(out, sizeof(out), "usernsguard events");
	{
		/* The worker's pid and its namespace's inode are not known here. */
		static const char *const vary[] = { "\"pid\":", "\"thread\":{\"id\":",
						    "\"user_inode\":", "\"source\":", NULL };
		char masked[4096], expected[4096], dev[32];

		dev_of("/tmp/ev/root-0707", dev);
		snprintf(expected, sizeof(expected),
			 "{\"@timestamp\":\"T\","
			 "\"event\":{\"kind\":\"alert\",\"category\":[\"file\"],\"type\":[\"denied\"],"
			 "\"action\":\"access\",\"outcome\":\"failure\",\"module\":\"usernsguard\"},"
			 "\"error\":{\"code\":\"EACCES\"},"
			 "\"process\":{\"pid\":#,\"thread\":{\"id\":#},\"name\":\"test_events\"},"
			 "\"user\":{\"id\":\"101000\"},\"group\":{\"id\":\"101000\"},"
			 "\"file\":{\"device\":\"%s\",\"inode\":\"%lu\",\"mode\":\"0707\",\"uid\":\"0\","
			 "\"gid\":\"0\"},"
			 "\"usernsguard\":{\"rule\":\"most-restrictive\",\"verdict\":\"denied\","
			 "\"namespace\":{\"user_inode\":#,\"mnt_inode\":%lu,\"uid\":1000,\"gid\":1000},"
			 "\"cgroup_id\":1,\"source\":#,\"cgroup_path\":\"/\",\"access\":{\"requested\":\"r--\",\"path_uid\":0,"
			 "\"path_gid\":0}}}",
			 dev, ino_of("/tmp/ev/root-0707"), ino_of("/proc/self/ns/mnt"));
		expect(count_lines(out, "\n") == 1 &&
			       first_line_masked(out, masked, sizeof(masked), vary) &&
			       !strcmp(masked, expected),
		       "rule 2: the exact JSON line", "\n got: %s\nwant: %s", masked, expected);
	}
	{
		const char *ns = strstr(out, "\"user_inode\":"), *src = strstr(out, "\"source\":\"userns:");

		expect(ns && src &&
			       strtoul(ns + strlen("\"user_inode\":"), NULL, 10) ==
				       strtoul(src + strlen("\"source\":\"userns:"), NULL, 10),
		       "rule 2: the source is the container, its namespace made by host root",
		       "%s", out);
	}
}

static void test_rule_three_line(void)
{
	int tree, err;

	expect(sh("grep -q '^loop ' /proc/modules || insmod /lib/modules/loop.ko; "
		  "mkdir -p /mnt/e /mnt/eview && dd if=/dev/zero of=/tmp/e.img bs=1M count=8 2>/dev/null && "
		  "mke2fs -F /tmp/e.img >/dev/null && mount -t ext4 -o loop /tmp/e.img /mnt/e && "
		  "mkdir /mnt/e/unmarked") == 0,
	       "ext4 image", "setup failed");
	sh("usernsguard events >/dev/null");
	tree = idmapped_tree("/mnt/e/unmarked", "0 100000 65536\n", false);
	err = tree >= 0 ? attach_tree(tree, "/mnt/eview") : -tree;
	if (tree >= 0)
		close(tree);
	expect(err == EPERM, "rule 3: idmapped mount of an unmarked tree: EPERM", "errno %d", err);
	sh_capture(out, sizeof(out), "usernsguard events");
	{
		char masked[4096], expected[4096], dev[32];

		dev_of("/mnt/e/unmarked", dev);
		snprintf(expected, sizeof(expected),
			 "{\"@timestamp\":\"T\","
			 "\"event\":{\"kind\":\"alert\",\"category\":[\"file\"],\"type\":[\"denied\"],"
			 "\"action\":\"shift-attach\",\"outcome\":\"failure\",\"module\":\"usernsguard\"},"
			 "\"error\":{\"code\":\"EPERM\"},"
			 "\"process\":{\"pid\":%d,\"thread\":{\"id\":%d},\"name\":\"test_events\"},"
			 "\"user\":{\"id\":\"0\"},\"group\":{\"id\":\"0\"},"
			 "\"file\":{\"device\":\"%s\",\"inode\":\"%lu\",\"mode\":\"0755\",\"uid\":\"0\","
			 "\"gid\":\"0\"},"
			 "\"usernsguard\":{\"rule\":\"shift-marks\",\"verdict\":\"denied\","
			 "\"namespace\":{\"user_inode\":%lu,\"mnt_inode\":%lu,\"uid\":0,\"gid\":0},"
			 "\"cgroup_id\":1,\"source\":\"user:0\",\"cgroup_path\":\"/\",\"shift\":{\"reason\":\"unmarked\"}}}",
			 getpid(), getpid(), dev, ino_of("/mnt/e/unmarked"), ino_of("/proc/self/ns/user"),
			 ino_of("/proc/self/ns/mnt"));
		expect(count_lines(out, "\n") == 1 &&
			       first_line_masked(out, masked, sizeof(masked), NULL) &&
			       !strcmp(masked, expected),
		       "rule 3: the exact JSON line", "\n got: %s\nwant: %s", masked, expected);
	}
}

static void test_text_and_continuity(void)
{
	char want[256];
	int rc;

	sh("usernsguard events >/dev/null");
	in_child(op_setuid, (void *)(uintptr_t)NOBODY);
	in_child(op_setuid, (void *)(uintptr_t)NOBODY);
	rc = sh_capture(out, sizeof(out), "usernsguard events --format text");
	snprintf(want, sizeof(want), "denied overflow-transitions setuid pid=");
	expect(rc == 0 && count_lines(out, want) == 2 &&
		       count_lines(out, "comm=test_events uid=0 gid=0 source=user:0 target=65534 errno=EPERM") == 2,
	       "text format: two lines", "%s", out);
	in_child(op_setuid, (void *)(uintptr_t)NOBODY);
	sh_capture(out, sizeof(out), "usernsguard events");
	expect(count_lines(out, "\"action\":\"setuid\"") == 1,
	       "a new reader starts where the last stopped", "%s", out);

	/* --follow prints as events come and stops cleanly on SIGTERM. */
	rc = sh("usernsguard events --follow >/tmp/follow.out 2>&1 & pid=$!; sleep 1; "
		"/tests/test_events --deny; sleep 1; kill -TERM $pid; wait $pid");
	expect(rc == 0, "--follow exits 0 on SIGTERM", "exit %d", rc);
	sh_capture(out, sizeof(out), "cat /tmp/follow.out");
	expect(count_lines(out, "\"action\":\"setuid\"") == 1, "--follow printed the denial", "%s",
	       out);
	/*
	 * One reader at a time: a second would take part of the first one's
	 * batches. Refused with exit 10 naming the first; once it stops, allowed.
	 */
	rc = sh_capture(out, sizeof(out),
			"usernsguard events --follow >/dev/null 2>&1 & pid=$!; sleep 1; "
			"usernsguard events 2>&1; rc=$?; echo \"rc=$rc first=$pid\"; "
			"kill -TERM $pid; wait $pid");
	{
		char want[64];
		const char *first = strstr(out, "first=");

		snprintf(want, sizeof(want), "another reader is running (pid %s",
			 first ? first + 6 : "?");
		want[strcspn(want, "\n")] = '\0';
		expect(strstr(out, "rc=10 ") && strstr(out, want),
		       "a second reader beside a follower: exit 10, naming the follower's pid", "%s",
		       out);
	}
	rc = sh("usernsguard events >/dev/null 2>&1");
	expect(rc == 0, "once the follower stopped, a reader runs (exit 0)", "exit %d", rc);
	/* OCSF: the same kind of denial as Process Activity, Set User ID, denied. */
	sh("usernsguard events >/dev/null");
	in_child(op_setuid, (void *)(uintptr_t)NOBODY);
	rc = sh_capture(out, sizeof(out), "usernsguard events --format ocsf");
	expect(rc == 0 && count_lines(out, "\n") == 1 &&
		       strstr(out, "{\"time\":") == out &&
		       strstr(out, ",\"class_uid\":1007,\"class_name\":\"Process Activity\",\"activity_id\":5,"
				   "\"activity_name\":\"Set User ID\",\"type_uid\":100705,\"severity_id\":4,"
				   "\"status_id\":2,\"action_id\":2,\"action\":\"Denied\",\"disposition_id\":2,") &&
		       strstr(out, "\"device\":{\"type_id\":1,\"type\":\"Server\",\"hostname\":\"ug-guest\"}") &&
		       strstr(out, "\"process\":{\"pid\":") &&
		       strstr(out, "\"user\":{\"uid\":\"65534\"}}"),
	       "--format ocsf: one Process Activity line, Set User ID denied, target 65534", "exit %d: %s",
	       rc, out);
	rc = sh_capture(out, sizeof(out), "usernsguard events --format yaml");
	expect(rc == 2, "unknown format: exit 2", "exit %d: %s", rc, out);
}

static void test_flood(void)
{
	const long n = 3000;
	long long before, after, seen, lost;

	sh("usernsguard events >/dev/null");
	before = rule_counter("overflow-transitions", "denied ");
	expect_outcome("storm: 3000 denied setuid calls", in_child(storm, (void *)(intptr_t)n), OK);
	after = rule_counter("overflow-transitions", "denied ");
	sh_capture(out, sizeof(out), "usernsguard events");
	seen = count_lines(out, "\"action\":\"setuid\"");
	lost = lost_total(out);
	expect(after - before == n, "storm: the denied counter rose by 3000", "%lld", after - before);
	/* One source: it may fill half the ring and a share more; the rest is held back. */
	expect(lost > 0 && strstr(out, "\"ring_full\":0,") != NULL,
	       "storm: the source's share held the rest back before the ring filled",
	       "seen %lld lost %lld", seen, lost);
	expect(seen + lost == n, "storm: events seen + reported lost == operations denied",
	       "seen %lld + lost %lld != %ld", seen, lost, n);
	expect(held_back(out, "user:0") == lost,
	       "storm: one held-back summary names the source (host uid 0) and the count",
	       "held back %lld, lost %lld", held_back(out, "user:0"), lost);
}

/* Record the namespace's inode in @arg (a path), then fail setuid(65534) once. */
static int deny_once(void *arg)
{
	struct stat st;
	FILE *f = fopen(arg, "w");

	if (!f || stat("/proc/self/ns/user", &st) || fprintf(f, "%lu\n", st.st_ino) < 0 ||
	    fclose(f))
		return 1;
	return setuid(NOBODY) ? 0 : 2;
}

static unsigned long read_ulong(const char *path)
{
	unsigned long v = 0;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/*
 * Container A (a namespace host root made) floods; container B's single
 * denial right after must arrive whole: with no reader during the flood,
 * and with one.
 */
static void test_fairness(void)
{
	char source_a[48], source_b[48], mine[64];
	long long seen_a, held_a;
	unsigned long ns_a;
	struct outcome o;
	int with_reader;

	for (with_reader = 0; with_reader < 2; with_reader++) {
		const char *how = with_reader ? "a reader running" : "no reader";
		char name[160];

		sh("usernsguard events >/dev/null; rm -f /tmp/follow.out /tmp/ns-b");
		if (with_reader)
			sh("usernsguard events --follow >/tmp/follow.out 2>&1 & echo $! >/tmp/follow.pid");
		o = in_userns("0 100000 65536", "0 100000 65536", storm, (void *)(intptr_t)3000);
		snprintf(name, sizeof(name), "fairness (%s): container A, 3000 denied setuid(65534)",
			 how);
		expect_outcome(name, o, OK);
		o = in_userns("0 200000 65536", "0 200000 65536", deny_once, "/tmp/ns-b");
		snprintf(name, sizeof(name), "fairness (%s): container B, one denied setuid(65534)",
			 how);
		expect_outcome(name, o, OK);
		snprintf(source_b, sizeof(source_b), "\"source\":\"userns:%lu\"",
			 read_ulong("/tmp/ns-b"));
		/* The reader works through A's flood first: wait for B, then stop it. */
		if (with_reader)
			sh("for i in $(seq 120); do grep -qF '%s' /tmp/follow.out && break; sleep 0.5; "
			   "done; pid=$(cat /tmp/follow.pid); kill $pid; "
			   "while kill -0 $pid 2>/dev/null; do sleep 0.2; done; cp /tmp/follow.out "
			   "/tmp/fair.out", source_b);
		else
			sh("usernsguard events >/tmp/fair.out");
		/* A's thousands of lines stay in the file: only B's and the summaries are read. */
		sh_capture(out, sizeof(out), "grep -F '%s' /tmp/fair.out", source_b);
		snprintf(mine, sizeof(mine), "\"user_inode\":%lu,", read_ulong("/tmp/ns-b"));
		snprintf(name, sizeof(name),
			 "fairness (%s): B's denial arrives whole (its namespace, source, target)", how);
		/* B's 65534 is host 265534: the id that reads as the overflow id there. */
		expect(read_ulong("/tmp/ns-b") && lines_with(out, source_b, mine, "\"target_id\":265534",
							     "\"action\":\"setuid\"") == 1,
		       name, "%s", out);
		/* Twin: the flood itself was seen, and what was held back is accounted for. */
		sh_capture(mine, sizeof(mine), "grep -o '\"source\":\"userns:[0-9]*\"' /tmp/fair.out | "
					       "sort | uniq -c | sort -rn | head -n 1 | "
					       "sed 's/.*userns:\\([0-9]*\\).*/\\1/'");
		ns_a = strtoul(mine, NULL, 10);
		snprintf(source_a, sizeof(source_a), "\"source\":\"userns:%lu\"", ns_a);
		sh_capture(mine, sizeof(mine), "grep -F '\"action\":\"setuid\"' /tmp/fair.out | "
					       "grep -cF '%s'", source_a);
		seen_a = strtoll(mine, NULL, 10);
		sh_capture(out, sizeof(out), "grep -F '\"action\":\"held-back\"' /tmp/fair.out");
		snprintf(mine, sizeof(mine), "userns:%lu", ns_a);
		held_a = held_back(out, mine);
		snprintf(name, sizeof(name),
			 "fairness (%s): A is a source of its own, and its events seen + held back == 3000",
			 how);
		expect(ns_a && ns_a != read_ulong("/tmp/ns-b") && seen_a + held_a == 3000, name,
		       "A %lu: seen %lld + held back %lld", ns_a, seen_a, held_a);
		if (!with_reader) {
			expect(held_a > 0, "fairness (no reader): A's budget held events back",
			       "held back %lld", held_a);
		}
	}
}

static void test_rate_limit(void)
{
	long long seen, limited;
	char *p;

	expect(load_policy("rule overflow-transitions on on-deny errno rate-limit 10\n") == 0,
	       "load rate-limit 10", "load failed");
	sh("usernsguard events >/dev/null");
	in_child(storm, (void *)(intptr_t)200);
	sh_capture(out, sizeof(out), "usernsguard events");
	seen = count_lines(out, "\"action\":\"setuid\"");
	p = strstr(out, "\"rate_limited\":");
	limited = p ? strtoll(p + strlen("\"rate_limited\":"), NULL, 10) : -1;
	expect(limited > 0 && seen + limited == 200 && seen >= 10 && seen <= 10 * 3,
	       "rate limit: seen + rate-limited == 200, 10 a second for the one source",
	       "seen %lld limited %lld", seen, limited);
	/* Reported once: the next reader has nothing new to say. */
	sh_capture(out, sizeof(out), "usernsguard events");
	expect(strstr(out, "\"lost\"") == NULL && strstr(out, "held-back") == NULL,
	       "a restarted reader does not report losses twice", "%s", out);
	/* Another source's budget is its own: the host's storm leaves it whole. */
	in_child(storm, (void *)(intptr_t)200);
	expect_outcome("rate limit: a container's setuid(65534) right after the host's storm",
		       in_userns("0 100000 65536", "0 100000 65536", deny_once, "/tmp/ns-r"), OK);
	sh_capture(out, sizeof(out), "usernsguard events");
	{
		char source[48];

		snprintf(source, sizeof(source), "\"source\":\"userns:%lu\"",
			 read_ulong("/tmp/ns-r"));
		expect(lines_with(out, source, "\"action\":\"setuid\"", "", "") == 1,
		       "rate limit: the container's event is not held back by the host's limit",
		       "%s", source);
	}
}

static void test_bpftool(void)
{
	static const struct {
		const char *map, *field;
	} dumps[] = {
		{ "ug_policy", "\"overflow_uid\": 65534" },
		{ "ug_state", "\"active_slot\": " },
		{ "ug_match", "\"policy_line\": 2" },
		{ "ug_marks", "\"shiftable_by\": 200000" },
		{ "ug_cgroup_names", "\"path\": \"/ug-bpftool/x.service\"" },
		{ "ug_counters", "\"denied\": " },
		{ "ug_sources", "\"over_share\": " },
		{ "ug_reported", "\"ratelimited\": " },
	};
	size_t i;

	sh("mkdir -p /tmp/marked");
	expect(load_policy("rule overflow-transitions on\n"
			   "exempt overflow-transitions exec /bin/busybox\n"
			   "rule shift-marks on\n"
			   "mark /tmp/marked shiftable-by 200000 origin 100000\n"
			   "exempt overflow-transitions cgroup /ug-bpftool/x.service\n") == 0,
	       "load a policy with an exemption and a mark", "load failed");
	for (i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++) {
		char name[96];
		int rc = sh_capture(out, sizeof(out),
				    "bpftool map dump pinned /sys/fs/bpf/usernsguard/%s",
				    dumps[i].map);

		snprintf(name, sizeof(name), "bpftool dump of %s shows %s", dumps[i].map,
			 dumps[i].field);
		expect(rc == 0 && strstr(out, dumps[i].field), name, "exit %d: %.300s", rc, out);
		if (!strcmp(dumps[i].map, "ug_match") || !strcmp(dumps[i].map, "ug_marks"))
			printf("     %s:\n%s", dumps[i].map, out);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--deny"))
		return setuid(NOBODY) ? 0 : 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	sh("usernsguard unload >/dev/null 2>&1");
	expect(load_policy("rule overflow-transitions on on-deny errno\n"
			   "rule most-restrictive on\n"
			   "rule shift-marks on\n") == 0,
	       "load all three rules", "load failed");
	test_rule_one_line();
	test_setgroups_line();
	test_map_write_line();
	test_rule_two_line();
	test_rule_three_line();
	test_text_and_continuity();
	test_flood();
	test_fairness();
	test_rate_limit();
	test_bpftool();
	return summary();
}
