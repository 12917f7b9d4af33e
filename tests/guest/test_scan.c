// SPDX-License-Identifier: GPL-2.0-only
/*
 * `usernsguard scan` on real namespaces: plant known problems (two
 * namespaces sharing host uid 100009, one of them nested so its map is
 * written in its parent's ids, a gid-only overlap, a namespace using
 * another user's /etc/subuid allocation, host root and the overflow uid
 * mapped), check that each is reported exactly and nothing else is; then
 * the clean set exits 0. Also: nsfs owners and parents, the marks of the
 * policy in force, and what an unprivileged run says it could not see.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_test.h"

static char out[1 << 20];

struct holder {
	pid_t pid;
	pid_t nested; /* a child namespace's holder, or 0 */
	unsigned long ino;
	unsigned long nested_ino;
};

static unsigned long ns_ino(pid_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
	return stat(path, &st) ? 0 : (unsigned long)st.st_ino;
}

static bool rd(int fd)
{
	char c;

	return read(fd, &c, 1) == 1;
}

static bool wr(int fd)
{
	return write(fd, "x", 1) == 1;
}

/*
 * Body of a holder: unshare as @owner, wait for the maps, optionally make
 * a nested namespace and write its maps (in this namespace's ids), park.
 */
static void hold(uid_t owner, const char *nested_uid, const char *nested_gid, int up, int down)
{
	int nup[2], ndown[2];
	pid_t child;

	if (owner && (setgroups(0, NULL) || setresgid(owner, owner, owner) ||
		      setresuid(owner, owner, owner)))
		_exit(1);
	if (unshare(CLONE_NEWUSER) || !wr(up) || !rd(down))
		_exit(2);
	if (nested_uid) {
		signal(SIGCHLD, SIG_IGN); /* the nested holder is reaped when killed */
		/* A namespace can only be created by ids its parent maps: become this one's root. */
		if (setresgid(0, 0, 0) || setresuid(0, 0, 0) || pipe(nup) || pipe(ndown))
			_exit(3);
		/*
		 * Changing ids made this process undumpable, so the nested
		 * holder's /proc files would belong to host root, which this
		 * namespace cannot write to.
		 */
		prctl(PR_SET_DUMPABLE, 1);
		child = fork();
		if (child == 0) {
			close(up);
			close(nup[0]);
			close(ndown[1]);
			if (unshare(CLONE_NEWUSER) || !wr(nup[1]) || !rd(ndown[0]))
				_exit(4);
			pause();
			_exit(0);
		}
		close(nup[1]);
		close(ndown[0]);
		if (!rd(nup[0]) || write_proc(child, "uid_map", nested_uid) ||
		    write_proc(child, "gid_map", nested_gid))
			_exit(5);
		wr(ndown[1]);
		/* Tell the test the nested pid: it is the grandchild's. */
		if (write(up, &child, sizeof(child)) != sizeof(child))
			_exit(6);
	}
	wr(up);
	pause();
	_exit(0);
}

static struct holder spawn(uid_t owner, const char *uid_map, const char *gid_map,
			   const char *nested_uid, const char *nested_gid)
{
	struct holder h = {};
	int up[2], down[2];

	if (pipe(up) || pipe(down))
		return h;
	fflush(stdout);
	h.pid = fork();
	if (h.pid == 0) {
		close(up[0]);
		close(down[1]);
		hold(owner, nested_uid, nested_gid, up[1], down[0]);
	}
	close(up[1]);
	close(down[0]);
	if (!rd(up[0]) || write_proc(h.pid, "uid_map", uid_map) ||
	    write_proc(h.pid, "gid_map", gid_map) || !wr(down[1]) ||
	    (nested_uid && read(up[0], &h.nested, sizeof(h.nested)) != sizeof(h.nested)) ||
	    !rd(up[0])) {
		printf("FAIL setting up a namespace with uid_map %s", uid_map);
		kill(h.pid, SIGKILL);
		waitpid(h.pid, NULL, 0);
		h.pid = 0;
	} else {
		h.ino = ns_ino(h.pid);
		h.nested_ino = h.nested ? ns_ino(h.nested) : 0;
	}
	close(up[0]);
	close(down[1]);
	return h;
}

static void end(struct holder *h)
{
	if (h->nested > 0)
		kill(h->nested, SIGKILL);
	if (h->pid > 0) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, NULL, 0);
	}
	h->pid = h->nested = 0;
}

/* The JSON "problems" array of a scan report, or "" if absent. */
static const char *problems_of(const char *json, char *buf, size_t len)
{
	const char *p = strstr(json, "\"problems\":["), *e;

	buf[0] = '\0';
	if (!p)
		return buf;
	e = strstr(p, "],\"notes\":");
	if (e)
		snprintf(buf, len, "%.*s", (int)(e - p + 1), p);
	return buf;
}

static int count(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void pair(char *buf, size_t len, unsigned long a, unsigned long b)
{
	snprintf(buf, len, "%lu,%lu", a < b ? a : b, a < b ? b : a);
}

static void expect_problem(const char *problems, const char *name, const char *want)
{
	expect(strstr(problems, want) != NULL, name, "\nwant: %s\nin:   %s", want, problems);
}

/* The JSON object of namespace @ino in a scan report. */
static void ns_object(const char *json, unsigned long ino, char *buf, size_t len)
{
	char key[64];
	const char *p, *e;

	snprintf(key, sizeof(key), "{\"inode\":%lu,", ino);
	buf[0] = '\0';
	p = strstr(json, key);
	if (!p)
		return;
	e = strstr(p + 1, "{\"inode\":");
	if (!e)
		e = strstr(p, "],\"subid\":");
	if (e)
		snprintf(buf, len, "%.*s", (int)(e - p), p);
}

static void setup_etc(void)
{
	mkdir("/tmp/scan-etc", 0755);
	write_file("/tmp/scan-etc/passwd", "root:x:0:0::/root:/bin/sh\n"
					   "alice:x:1000:1000::/home/alice:/bin/sh\n"
					   "bob:x:1001:1001::/home/bob:/bin/sh\n");
	write_file("/tmp/scan-etc/subuid", "alice:700000:10\nbob:400005:2\n");
	write_file("/tmp/scan-etc/subgid", "alice:700000:10\n");
	mkdir("/tmp/scanmark", 0755);
	/* Debian's switch for unprivileged user namespaces; alice's namespace needs it. */
	if (access("/proc/sys/kernel/unprivileged_userns_clone", F_OK) == 0)
		write_file("/proc/sys/kernel/unprivileged_userns_clone", "1\n");
}

static void test_scan(void)
{
	char problems[16384], want[1024], ab[64], obj[4096];
	struct holder a, b, c, d, f, g;
	int rc;

	/* Exact counts below need a guest where no earlier test left a namespace behind. */
	rc = sh_capture(out, sizeof(out), "usernsguard scan --format json --etc /tmp/scan-etc");
	expect(rc == 0 && count(out, "{\"inode\":") == 1 && strstr(out, "\"initial\":true"),
	       "before planting: only the initial namespace, no problem", "exit %d: %s", rc, out);

	/* A maps 100000-100009; its child maps A's uid 9, host uid 100009, which B maps too. */
	a = spawn(0, "0 100000 10\n", "0 100000 10\n", "0 9 1\n", "0 9 1\n");
	b = spawn(0, "0 100009 10\n", "0 300000 10\n", NULL, NULL);
	c = spawn(0, "0 400000 10\n", "0 500000 10\n", NULL, NULL);
	d = spawn(0, "0 600000 10\n", "0 500005 10\n", NULL, NULL);
	f = spawn(1000, "0 700000 10\n", "0 700000 10\n", NULL, NULL);
	g = spawn(0, "0 800000 10\n10 0 1\n11 65534 1\n", "0 800000 10\n", NULL, NULL);
	expect(a.pid > 0 && a.nested > 0 && b.pid > 0 && c.pid > 0 && d.pid > 0 && f.pid > 0 &&
	       g.pid > 0, "six namespaces and a nested one planted", "a %d/%d b %d c %d d %d f %d g %d",
	       a.pid, a.nested, b.pid, c.pid, d.pid, f.pid, g.pid);

	rc = sh_capture(out, sizeof(out),
			"usernsguard scan --format json --etc /tmp/scan-etc");
	problems_of(out, problems, sizeof(problems));
	expect(rc == 1, "planted problems: exit 1", "exit %d: %s", rc, out);
	expect(count(problems, "{\"kind\":") == 6, "exactly six problems", "%s", problems);

	pair(ab, sizeof(ab), a.ino, b.ino);
	snprintf(want, sizeof(want),
		 "{\"kind\":\"ns-overlap\",\"id_type\":\"uid\",\"first\":100009,\"count\":1,"
		 "\"namespaces\":[%s],\"allocations\":[],", ab);
	expect_problem(problems, "ns-overlap: A and B share host uid 100009", want);

	pair(ab, sizeof(ab), a.nested_ino, b.ino);
	snprintf(want, sizeof(want),
		 "{\"kind\":\"ns-overlap\",\"id_type\":\"uid\",\"first\":100009,\"count\":1,"
		 "\"namespaces\":[%s],\"allocations\":[],", ab);
	expect_problem(problems, "ns-overlap: a nested map is resolved to host ids", want);

	pair(ab, sizeof(ab), c.ino, d.ino);
	snprintf(want, sizeof(want),
		 "{\"kind\":\"ns-overlap\",\"id_type\":\"gid\",\"first\":500005,\"count\":5,"
		 "\"namespaces\":[%s],\"allocations\":[],", ab);
	expect_problem(problems, "ns-overlap: gids only", want);

	snprintf(want, sizeof(want),
		 "{\"kind\":\"subid-overlap\",\"id_type\":\"uid\",\"first\":400005,\"count\":2,"
		 "\"namespaces\":[%lu],\"allocations\":[{\"path\":\"/tmp/scan-etc/subuid\",\"line\":2,"
		 "\"owner\":\"bob\",\"uid\":1001,\"start\":400005,\"count\":2}],"
		 "\"message\":\"user namespace %lu (owner uid 0) maps host uids 400005-400006, "
		 "allocated to bob in /tmp/scan-etc/subuid:2\"}", c.ino, c.ino);
	expect_problem(problems, "subid-overlap: root's namespace in bob's allocation", want);

	snprintf(want, sizeof(want),
		 "{\"kind\":\"maps-host-root\",\"id_type\":\"uid\",\"first\":0,\"count\":1,"
		 "\"namespaces\":[%lu],\"allocations\":[],"
		 "\"message\":\"user namespace %lu maps host uid 0 (root) as uid 10\"}", g.ino, g.ino);
	expect_problem(problems, "maps-host-root", want);

	snprintf(want, sizeof(want),
		 "{\"kind\":\"maps-overflow-id\",\"id_type\":\"uid\",\"first\":65534,\"count\":1,"
		 "\"namespaces\":[%lu],\"allocations\":[],\"message\":\"user namespace %lu maps host "
		 "uid 65534 (the overflow uid) as uid 11\"}", g.ino, g.ino);
	expect_problem(problems, "maps-overflow-id", want);

	/* nsfs: owners and parents. */
	ns_object(out, f.ino, obj, sizeof(obj));
	expect(strstr(obj, "\"owner_uid\":1000,") != NULL, "alice's namespace: owner 1000",
	       "%s", obj);
	snprintf(want, sizeof(want), "\"parent_inode\":%lu,", a.ino);
	ns_object(out, a.nested_ino, obj, sizeof(obj));
	expect(strstr(obj, want) && strstr(obj, "\"owner_uid\":100000,") &&
	       strstr(obj, "\"uid_map\":[[0,100009,1]]"),
	       "the nested namespace: parent A, owner A's root, map in host ids", "%s", obj);
	expect(strstr(out, "\"complete\":true") != NULL, "root sees every process", "%s", out);

	rc = sh_capture(out, sizeof(out), "usernsguard scan --etc /tmp/scan-etc");
	expect(rc == 1 && strstr(out, "problems: 6\n"), "text: exit 1, six problems",
	       "exit %d: %s", rc, out);

	end(&b);
	end(&c);
	end(&d);
	end(&g);
	rc = sh_capture(out, sizeof(out), "usernsguard scan --format json --etc /tmp/scan-etc");
	expect(rc == 0 && strstr(out, "\"problems\":[]"),
	       "the clean twin (A, its child, alice in her own allocation): exit 0",
	       "exit %d: %s", rc, out);

	/* Marks usable by the namespace whose root is shiftable-by. */
	rc = load_policy("rule shift-marks on\nmark /tmp/scanmark shiftable-by 100000 origin 5000\n");
	expect(rc == 0, "policy with a mark loaded", "exit %d", rc);
	sh_capture(out, sizeof(out), "usernsguard scan --format json --etc /tmp/scan-etc");
	ns_object(out, a.ino, obj, sizeof(obj));
	expect(strstr(obj, "\"marks\":[{\"path\":\"/tmp/scanmark\",\"line\":2,\"runtime\":false,\"shiftable_by\":100000,"
			   "\"origin\":5000,\"range\":65536,\"ro\":false}]") != NULL,
	       "A (root 100000) may use the mark", "%s", obj);
	ns_object(out, f.ino, obj, sizeof(obj));
	expect(strstr(obj, "\"marks\":[]") != NULL, "alice's namespace may not", "%s", obj);
	expect(strstr(out, "\"policy\":{\"state\":\"loaded\",\"source\":\"/tmp/policy.conf\"}") != NULL,
	       "the policy in force is named", "%s", out);
	/* A runtime pool mark is listed for the namespaces rooted in the pool (issue 17). */
	rc = sh("mkdir -p /tmp/scanrt && usernsguard mark add /tmp/scanrt shiftable-by pool 100000 "
		"131072 >/dev/null");
	expect(rc == 0, "a runtime pool mark", "exit %d", rc);
	sh_capture(out, sizeof(out), "usernsguard scan --etc /tmp/scan-etc");
	expect(strstr(out, "      mark    /tmp/scanrt (runtime) origin 0 range 65536 "
			   "(pool 100000+131072, block 65536)\n") != NULL,
	       "scan: the runtime pool mark, for A", "%s", out);
	sh_capture(out, sizeof(out), "usernsguard scan --format json --etc /tmp/scan-etc");
	ns_object(out, f.ino, obj, sizeof(obj));
	expect(strstr(obj, "\"marks\":[]") != NULL, "alice's namespace (root 1000) may not use it",
	       "%s", obj);
	sh("usernsguard unload >/dev/null 2>&1");
	sh_capture(out, sizeof(out), "usernsguard scan --etc /tmp/scan-etc");
	expect(strstr(out, "policy: usernsguard is not loaded, marks not listed") != NULL,
	       "not loaded: said so", "%s", out);

	/* Unprivileged: only its own processes; says what it could not see. */
	rc = sh_capture(out, sizeof(out),
			"/tests/test_scan --as 4242 usernsguard scan --format json --etc /tmp/scan-etc");
	expect(rc == 0 && strstr(out, "\"complete\":false") &&
	       strstr(out, "could not be inspected (permission denied): run as root to see every "
			   "user namespace"),
	       "unprivileged: incomplete, and says so", "exit %d: %s", rc, out);
	end(&a);
	end(&f);
}

int main(int argc, char **argv)
{
	/* --as UID CMD...: run CMD as UID (busybox setpriv lacks --reuid). */
	if (argc > 3 && !strcmp(argv[1], "--as")) {
		uid_t id = (uid_t)atoi(argv[2]);

		if (setgroups(0, NULL) || setgid(id) || setuid(id))
			return 125;
		execvp(argv[3], argv + 3);
		return 127;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	rules_off();
	setup_etc();
	test_scan();
	return summary();
}
