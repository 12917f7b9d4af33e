// SPDX-License-Identifier: GPL-2.0-only
/*
 * Rule 2, most-restrictive, in the guest. A table of accesses from a task
 * inside a user namespace ("0 100000 65536", acting as namespace user 1000
 * = host 101000 unless a row says otherwise): owner or group unmapped or
 * not, read/write/exec, file open versus directory search, nested and
 * many-extent namespaces, audit mode, scope, and tasks in the initial
 * namespace. Then idmapped mounts on an ext4 image: the same inode is
 * judged by its owner as each path shows it.
 */
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/sched.h>
#include <signal.h>

#include <liburing.h>

#include "guest_test.h"

#define SELF "/tests/test_restrictive"
#define MAP "0 100000 65536\n"

enum op {
	READ, WRITE, EXEC, SEARCH, CREATE, URING_READ, MKDIR, UNLINK, RENAME, SYMLINK,
	/* DAC checks the kernel makes after the path walk has ended (issue 14) */
	TRUNCATE, TOUCH, SETXATTR, GETXATTR, INOTIFY, CONNECT, TMPFILE, MOVEDIR, CHDIR, ACCESS,
	PROC_OWN_FD, /* opendir /proc/self/fd */
};

struct access {
	uid_t uid; /* inside the namespace */
	gid_t gid;
	enum op op;
	const char *path;
};

/* Open @path with IORING_OP_OPENAT; the open runs in io_uring's context. */
static int uring_open(const char *path)
{
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int ret;

	if (io_uring_queue_init(4, &ring, 0))
		return 250;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, path, O_RDONLY, 0);
	/* Force the async worker, which has no syscall context of its own. */
	sqe->flags |= IOSQE_ASYNC;
	if (io_uring_submit(&ring) != 1 || io_uring_wait_cqe(&ring, &cqe)) {
		io_uring_queue_exit(&ring);
		return 251;
	}
	ret = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	if (ret < 0)
		return -ret;
	close(ret);
	return 0;
}

/* Runs inside the namespace: become uid/gid, then try the access. */
static int do_access(void *arg)
{
	const struct access *a = arg;
	struct stat st;
	int fd;

	if (setgid(a->gid) || setuid(a->uid))
		return 220;
	switch (a->op) {
	case READ:
		fd = open(a->path, O_RDONLY);
		break;
	case WRITE:
		fd = open(a->path, O_WRONLY);
		break;
	case CREATE:
		fd = open(a->path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		break;
	case SEARCH:
		return stat(a->path, &st) ? errno : 0;
	case EXEC:
		execl(a->path, a->path, "--true", (char *)NULL);
		return errno;
	case URING_READ:
		return uring_open(a->path);
	case MKDIR:
		return mkdir(a->path, 0755) ? errno : 0;
	case UNLINK:
		return unlink(a->path) ? errno : 0;
	case RENAME: {
		char to[256];

		snprintf(to, sizeof(to), "%s.renamed", a->path);
		return rename(a->path, to) ? errno : 0;
	}
	case SYMLINK:
		return symlink("/tmp", a->path) ? errno : 0;
	case TRUNCATE:
		return truncate(a->path, 0) ? errno : 0;
	case TOUCH:
		return utimensat(AT_FDCWD, a->path, NULL, 0) ? errno : 0;
	case SETXATTR:
		return setxattr(a->path, "user.ug", "new", 3, 0) ? errno : 0;
	case GETXATTR: {
		char v[16];

		return getxattr(a->path, "user.ug", v, sizeof(v)) < 0 ? errno : 0;
	}
	case INOTIFY: {
		int in = inotify_init1(IN_CLOEXEC), wd;

		if (in < 0)
			return 222;
		wd = inotify_add_watch(in, a->path, IN_ACCESS);
		close(in);
		return wd < 0 ? errno : 0;
	}
	case CONNECT: {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		int sk = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), err;

		if (sk < 0)
			return 222;
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", a->path);
		err = connect(sk, (struct sockaddr *)&sun, sizeof(sun)) ? errno : 0;
		close(sk);
		return err;
	}
	case TMPFILE:
		fd = open(a->path, O_TMPFILE | O_RDWR, 0600);
		break;
	case MOVEDIR: {
		/* a->path is "FROM:TO": a directory moved to another parent */
		char from[256], *to;

		snprintf(from, sizeof(from), "%s", a->path);
		to = strchr(from, ':');
		if (!to)
			return 222;
		*to++ = 0;
		return rename(from, to) ? errno : 0;
	}
	case CHDIR:
		return chdir(a->path) ? errno : 0;
	case ACCESS:
		return faccessat(AT_FDCWD, a->path, R_OK, 0) ? errno : 0;
	case PROC_OWN_FD:
		fd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
		break;
	default:
		return 221;
	}
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static struct outcome try_in(const char *map, uid_t uid, enum op op, const char *path)
{
	struct access a = { uid, uid, op, path };

	return in_userns(map, map, do_access, &a);
}

static struct outcome try_as(uid_t uid, enum op op, const char *path)
{
	return try_in(MAP, uid, op, path);
}

/* A task of the initial namespace (uid 5000, no capabilities). */
static struct outcome try_host(uid_t uid, enum op op, const char *path)
{
	struct access a = { uid, uid, op, path };

	return in_child(do_access, &a);
}

static void make(const char *path, const char *owner, const char *mode)
{
	if (sh("rm -rf %s && cp " SELF " %s && chown %s %s && chmod %s %s", path, path, owner,
	       path, mode, path))
		printf("setup of %s failed\n", path);
}

static void make_dir(const char *path, const char *owner, const char *mode)
{
	if (sh("mkdir -p %s && chown %s %s && chmod %s %s", path, owner, path, mode, path))
		printf("setup of %s failed\n", path);
}

static const char enforce[] = "rule most-restrictive on\n";

/* system.posix_acl_access, the on-disk xattr form (little endian). */
struct acl_entry {
	__u16 tag;
	__u16 perm;
	__u32 id;
};

#define ACL_USER_OBJ 0x01
#define ACL_USER 0x02
#define ACL_GROUP_OBJ 0x04
#define ACL_GROUP 0x08
#define ACL_MASK 0x10
#define ACL_OTHER 0x20

static int set_acl(const char *path, const struct acl_entry *entries, int n)
{
	char buf[4 + 8 * 8];
	__u32 version = 2;

	memcpy(buf, &version, 4);
	memcpy(buf + 4, entries, (size_t)n * sizeof(*entries));
	return setxattr(path, "system.posix_acl_access", buf, 4 + (size_t)n * sizeof(*entries), 0);
}

static void setup_acls(void)
{
	/* user::rwx user:101000:r-- group::--- mask::r-- other::--- */
	static const struct acl_entry named_user[] = {
		{ ACL_USER_OBJ, 7, 0xffffffff }, { ACL_USER, 4, 101000 },
		{ ACL_GROUP_OBJ, 0, 0xffffffff }, { ACL_MASK, 4, 0xffffffff },
		{ ACL_OTHER, 0, 0xffffffff },
	};
	/* user::rwx group::--- group:101000:r-- mask::r-- other::--- */
	static const struct acl_entry named_group[] = {
		{ ACL_USER_OBJ, 7, 0xffffffff }, { ACL_GROUP_OBJ, 0, 0xffffffff },
		{ ACL_GROUP, 4, 101000 }, { ACL_MASK, 4, 0xffffffff },
		{ ACL_OTHER, 0, 0xffffffff },
	};

	make("/tmp/r2/acl-user", "0:0", "0700");
	make("/tmp/r2/acl-group", "0:0", "0700");
	if (set_acl("/tmp/r2/acl-user", named_user, 5) ||
	    set_acl("/tmp/r2/acl-group", named_group, 5))
		printf("setting ACLs failed: %s\n", strerror(errno));
}

static void test_acls(void)
{
	expect_outcome("ACL named-user entry for the caller, unmapped owner: allowed",
		       try_as(1000, READ, "/tmp/r2/acl-user"), OK);
	expect_outcome("ACL named-user entry for another user: DAC says EACCES",
		       try_as(1001, READ, "/tmp/r2/acl-user"), ERR(EACCES));
	expect_outcome("ACL named-group entry for the caller, unmapped owner: EACCES",
		       try_as(1000, READ, "/tmp/r2/acl-group"), ERR(EACCES));
	expect(load_policy("rule most-restrictive off\n") == 0, "load rule off", "load failed");
	expect_outcome("rule off: the same named-group grant is allowed",
		       try_as(1000, READ, "/tmp/r2/acl-group"), OK);
	expect(load_policy(enforce) == 0, "load enforce again", "load failed");
}

static void setup_tree(const char *top)
{
	char p[256];

	make_dir(top, "0:0", "0755");
#define AT(name) (snprintf(p, sizeof(p), "%s/%s", top, name), p)
	make(AT("root-0707"), "0:0", "0707");
	make(AT("root-0777"), "0:0", "0777");
	make(AT("root-0757"), "0:0", "0757");
	make(AT("root-0755"), "0:0", "0755");
	make(AT("ownmapped-grproot-0707"), "100000:0", "0707");
	make(AT("ownmapped-grpmapped-0707"), "100000:100000", "0707");
	make(AT("ownroot-grpmapped-0707"), "0:100000", "0707");
	make(AT("caller-grproot-0600"), "101000:0", "0600");
	make(AT("caller-grproot-0606"), "101000:0", "0606");
	make_dir(AT("wdir-0707"), "0:0", "0707");
	make_dir(AT("wdir-0777"), "0:0", "0777");
	make_dir(AT("wdir-0757"), "0:0", "0757");
	make(AT("wdir-0757/victim"), "0:0", "0644");
	make(AT("wdir-0757/victim2"), "0:0", "0644");
	make(AT("wdir-0707/victim"), "0:0", "0644");
	make(AT("wdir-0777/victim"), "0:0", "0644");
	make(AT("wdir-0707/victim2"), "0:0", "0644");
	make(AT("wdir-0777/victim2"), "0:0", "0644");
	make_dir(AT("dir-0701"), "0:0", "0701");
	make_dir(AT("dir-0711"), "0:0", "0711");
	make(AT("dir-0701/f"), "100000:100000", "0777");
	make(AT("dir-0711/f"), "100000:100000", "0777");
	make(AT("far-0707"), "600005:600005", "0707");
#undef AT
}

static void test_table(void)
{
	expect(load_policy(enforce) == 0, "load most-restrictive enforce", "load failed");

	/* Owner and group unmapped: 0707 acts as 0000, 0755 as 0555. */
	expect_outcome("unmapped owner, 0707, read: EACCES", try_as(1000, READ, "/tmp/r2/root-0707"),
		       ERR(EACCES));
	expect_outcome("unmapped owner, 0777, read: allowed", try_as(1000, READ, "/tmp/r2/root-0777"),
		       OK);
	expect_outcome("unmapped owner, 0757, write: EACCES", try_as(1000, WRITE, "/tmp/r2/root-0757"),
		       ERR(EACCES));
	expect_outcome("unmapped owner, 0777, write: allowed",
		       try_as(1000, WRITE, "/tmp/r2/root-0777"), OK);
	expect_outcome("unmapped owner, 0757, read: allowed (r in every triplet)",
		       try_as(1000, READ, "/tmp/r2/root-0757"), OK);
	expect_outcome("unmapped owner, 0707, exec: EACCES", try_as(1000, EXEC, "/tmp/r2/root-0707"),
		       ERR(EACCES));
	expect_outcome("unmapped owner, 0755, exec: allowed", try_as(1000, EXEC, "/tmp/r2/root-0755"),
		       OK);

	/* Only one of the two unmapped is enough. */
	expect_outcome("mapped owner, unmapped group, 0707, read: EACCES",
		       try_as(1000, READ, "/tmp/r2/ownmapped-grproot-0707"), ERR(EACCES));
	expect_outcome("mapped owner, mapped group, 0707, read: allowed",
		       try_as(1000, READ, "/tmp/r2/ownmapped-grpmapped-0707"), OK);
	expect_outcome("unmapped owner, mapped group, 0707, read: EACCES",
		       try_as(1000, READ, "/tmp/r2/ownroot-grpmapped-0707"), ERR(EACCES));

	/* The owner's access is decided by the owner triplet alone. */
	expect_outcome("owner itself, unmapped group, 0600, read: allowed",
		       try_as(1000, READ, "/tmp/r2/caller-grproot-0600"), OK);
	expect_outcome("another user, unmapped group, 0606, read: EACCES",
		       try_as(1001, READ, "/tmp/r2/caller-grproot-0606"), ERR(EACCES));

	/* Directory search is MAY_EXEC on the directory. */
	expect_outcome("search through unmapped-owner dir 0701: EACCES",
		       try_as(1000, SEARCH, "/tmp/r2/dir-0701/f"), ERR(EACCES));
	expect_outcome("search through unmapped-owner dir 0711: allowed",
		       try_as(1000, SEARCH, "/tmp/r2/dir-0711/f"), OK);

	/* Names added or removed: the parent directory is written and searched. */
	expect_outcome("mkdir in unmapped-owner dir 0707: EACCES",
		       try_as(1000, MKDIR, "/tmp/r2/wdir-0707/new"), ERR(EACCES));
	expect_outcome("mkdir in unmapped-owner dir 0777: allowed",
		       try_as(1000, MKDIR, "/tmp/r2/wdir-0777/new"), OK);
	expect_outcome("unlink in unmapped-owner dir 0707: EACCES",
		       try_as(1000, UNLINK, "/tmp/r2/wdir-0707/victim"), ERR(EACCES));
	expect_outcome("unlink in unmapped-owner dir 0777: allowed",
		       try_as(1000, UNLINK, "/tmp/r2/wdir-0777/victim"), OK);
	expect_outcome("rename in unmapped-owner dir 0707: EACCES",
		       try_as(1000, RENAME, "/tmp/r2/wdir-0707/victim2"), ERR(EACCES));
	expect_outcome("rename in unmapped-owner dir 0777: allowed",
		       try_as(1000, RENAME, "/tmp/r2/wdir-0777/victim2"), OK);
	expect_outcome("symlink in unmapped-owner dir 0707: EACCES",
		       try_as(1000, SYMLINK, "/tmp/r2/wdir-0707/link"), ERR(EACCES));
	expect_outcome("symlink in unmapped-owner dir 0777: allowed",
		       try_as(1000, SYMLINK, "/tmp/r2/wdir-0777/link"), OK);
	expect_outcome("open(O_CREAT) in unmapped-owner dir 0707: EACCES",
		       try_as(1000, CREATE, "/tmp/r2/wdir-0707/created"), ERR(EACCES));
	expect_outcome("open(O_CREAT) in unmapped-owner dir 0777: allowed",
		       try_as(1000, CREATE, "/tmp/r2/wdir-0777/created"), OK);
	/*
	 * In a 0707 directory the walk's search (x) of the parent is refused
	 * already; in a 0757 one every triplet grants x, and what is refused is
	 * the write the kernel checks after the walk.
	 */
	expect_outcome("mkdir in unmapped-owner dir 0757 (search granted): EACCES",
		       try_as(1000, MKDIR, "/tmp/r2/wdir-0757/new"), ERR(EACCES));
	expect_outcome("unlink in unmapped-owner dir 0757: EACCES",
		       try_as(1000, UNLINK, "/tmp/r2/wdir-0757/victim"), ERR(EACCES));
	expect_outcome("rename in unmapped-owner dir 0757: EACCES",
		       try_as(1000, RENAME, "/tmp/r2/wdir-0757/victim2"), ERR(EACCES));
	expect_outcome("symlink in unmapped-owner dir 0757: EACCES",
		       try_as(1000, SYMLINK, "/tmp/r2/wdir-0757/link"), ERR(EACCES));
	expect_outcome("open(O_CREAT) in unmapped-owner dir 0757: EACCES",
		       try_as(1000, CREATE, "/tmp/r2/wdir-0757/created"), ERR(EACCES));
	expect_outcome("initial namespace, uid 5000, mkdir in dir 0707: allowed",
		       try_host(5000, MKDIR, "/tmp/r2/wdir-0707/host-made"), OK);

	/* Tasks in the initial namespace are never affected. */
	expect_outcome("initial namespace, uid 5000, 0707, read: allowed",
		       try_host(5000, READ, "/tmp/r2/root-0707"), OK);
	expect_outcome("initial namespace, uid 5000, dir 0701 search: allowed",
		       try_host(5000, SEARCH, "/tmp/r2/dir-0701/f"), OK);

	/* More than five extents: the sorted arrays and binary search. */
	expect_outcome("6-extent namespace, unmapped owner, 0707: EACCES",
		       try_in("0 100000 2000\n2000 200000 10\n2010 300000 10\n2020 400000 10\n"
			      "2030 500000 10\n2040 600000 10\n",
			      1000, READ, "/tmp/r2/root-0707"),
		       ERR(EACCES));
	expect_outcome("6-extent namespace, owner in the 6th extent, 0707: allowed",
		       try_in("0 100000 2000\n2000 200000 10\n2010 300000 10\n2020 400000 10\n"
			      "2030 500000 10\n2040 600000 10\n",
			      1000, READ, "/tmp/r2/far-0707"),
		       OK);
}

/* ---- nested namespace, two levels ------------------------------------ */

struct nested {
	enum op op;
	const char *path;
};

/* Level 1 (ns root, host 100000) makes level 2 with "0 0 65536". */
static int level_one(void *arg)
{
	int ready[2], go[2], status;
	char c = 0;
	pid_t pid;

	/* Host root is unmapped here: become ns root, or unshare is refused. */
	if (setgid(0) || setuid(0))
		return 235;
	/* setuid() cleared dumpable: /proc/<child>/uid_map would be host root's. */
	if (prctl(PR_SET_DUMPABLE, 1))
		return 236;
	if (pipe(ready) || pipe(go))
		return 230;
	pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWUSER))
			_exit(231);
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(232);
		const struct nested *n = arg;
		struct access a = { 1000, 1000, n->op, n->path };

		_exit(do_access(&a));
	}
	if (read(ready[0], &c, 1) != 1 || write_proc(pid, "uid_map", "0 0 65536\n") ||
	    write_proc(pid, "gid_map", "0 0 65536\n"))
		c = 1;
	if (write(go[1], &c, 1) != 1 || c)
		return 233;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 234;
}

static void test_nested(void)
{
	struct nested deny = { READ, "/tmp/r2/root-0707" };
	struct nested allow = { READ, "/tmp/r2/root-0777" };

	expect_outcome("nested namespace (2 levels), unmapped owner, 0707: EACCES",
		       in_userns(MAP, MAP, level_one, &deny), ERR(EACCES));
	expect_outcome("nested namespace (2 levels), unmapped owner, 0777: allowed",
		       in_userns(MAP, MAP, level_one, &allow), OK);
}

/*
 * As namespace user 1000, clone3(CLONE_INTO_CGROUP) a child into the cgroup
 * @arg; the child reads the root-owned 0707 file. The child's errno, or
 * 100 + clone3's errno when the kernel refuses the move.
 */
static int clone_into(void *arg)
{
	struct clone_args ca = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD };
	int cg, status;
	long pid;

	if (setgid(1000) || setuid(1000))
		return 220;
	cg = open(arg, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0)
		return 221;
	ca.cgroup = (__u64)cg;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0)
		return 100 + errno;
	if (pid == 0) {
		int fd = open("/tmp/r2/root-0707", O_RDONLY);

		_exit(fd < 0 ? errno : 0);
	}
	if (waitpid((pid_t)pid, &status, 0) != pid || !WIFEXITED(status))
		return 222;
	return WEXITSTATUS(status);
}

/*
 * A cgroup scope holds while tenants are delegated cgroups at or below it:
 * moving a task needs write access to the common ancestor's cgroup.procs.
 */
static void test_cgroup_scope_delegation(void)
{
	sh("mkdir -p /sys/fs/cgroup/ug-tenant/a /sys/fs/cgroup/ug-tenant/b && "
	   "chown -R 101000:101000 /sys/fs/cgroup/ug-tenant/a /sys/fs/cgroup/ug-tenant/b");
	expect(load_policy("rule most-restrictive on\nscope most-restrictive cgroup /ug-tenant/a\n") ==
		       0,
	       "load scope cgroup /ug-tenant/a", "load failed");
	write_file("/sys/fs/cgroup/ug-tenant/a/cgroup.procs", "0\n");
	expect_outcome("delegated /ug-tenant/a only: clone3 into the sibling b is refused "
		       "by the kernel (EACCES), the task stays in scope",
		       in_userns(MAP, MAP, clone_into, "/sys/fs/cgroup/ug-tenant/b"),
		       ERR(100 + EACCES));
	expect_outcome("delegated /ug-tenant/a only: a child cloned into a itself is covered",
		       in_userns(MAP, MAP, clone_into, "/sys/fs/cgroup/ug-tenant/a"), ERR(EACCES));
	sh("chown 101000:101000 /sys/fs/cgroup/ug-tenant/cgroup.procs");
	expect_outcome("delegated /ug-tenant itself: clone3 into b leaves the scope (documented)",
		       in_userns(MAP, MAP, clone_into, "/sys/fs/cgroup/ug-tenant/b"), OK);
	write_file("/sys/fs/cgroup/cgroup.procs", "0\n");
	sh("chown 0:0 /sys/fs/cgroup/ug-tenant/cgroup.procs");
	expect(load_policy(enforce) == 0, "load enforce again", "load failed");
}

static void test_modes_and_scope(void)
{
	long long before, after;

	before = rule_counter("most-restrictive", "denied ");
	try_as(1000, READ, "/tmp/r2/root-0707");
	after = rule_counter("most-restrictive", "denied ");
	expect(before >= 0 && after == before + 1, "a denial adds exactly 1 to denied",
	       "before %lld after %lld", before, after);

	expect(load_policy("rule most-restrictive on mode audit\n") == 0, "load audit",
	       "load failed");
	before = rule_counter("most-restrictive", "audited ");
	expect_outcome("audit: unmapped owner, 0707, read: allowed",
		       try_as(1000, READ, "/tmp/r2/root-0707"), OK);
	after = rule_counter("most-restrictive", "audited ");
	expect(before >= 0 && after == before + 1, "audit: the hit adds exactly 1 to audited",
	       "before %lld after %lld", before, after);

	expect(load_policy("rule most-restrictive off\n") == 0, "load rule off", "load failed");
	expect_outcome("rule off: unmapped owner, 0707, read: allowed",
		       try_as(1000, READ, "/tmp/r2/root-0707"), OK);

	/* Namespaces owned by host uid 0 (the test creates them as root). */
	expect(load_policy("rule most-restrictive on\nscope most-restrictive owner 0\n") == 0,
	       "load scope owner 0", "load failed");
	expect_outcome("scope owner 0: namespace made by root is covered",
		       try_as(1000, READ, "/tmp/r2/root-0707"), ERR(EACCES));
	{
		struct nested deny = { READ, "/tmp/r2/root-0707" };

		/* Its own child's owner is the container's root (host 100000), not 0. */
		expect_outcome("scope owner 0: a namespace nested inside it is covered too",
			       in_userns(MAP, MAP, level_one, &deny), ERR(EACCES));
		expect(load_policy("rule most-restrictive on\nscope most-restrictive owner 4242\n") ==
			       0,
		       "load scope owner 4242 (nested)", "load failed");
		expect_outcome("scope owner 4242: the nested namespace is not covered either",
			       in_userns(MAP, MAP, level_one, &deny), OK);
	}
	expect(load_policy("rule most-restrictive on\nscope most-restrictive owner 4242\n") == 0,
	       "load scope owner 4242", "load failed");
	expect_outcome("scope owner 4242: namespace made by root is not covered",
		       try_as(1000, READ, "/tmp/r2/root-0707"), OK);

	/* Scope by cgroup: this test process moves itself; children follow. */
	sh("mkdir -p /sys/fs/cgroup/ug-scoped");
	expect(load_policy("rule most-restrictive on\nscope most-restrictive cgroup /ug-scoped\n") ==
		       0,
	       "load scope cgroup /ug-scoped", "load failed");
	expect_outcome("scope cgroup: task outside /ug-scoped is not covered",
		       try_as(1000, READ, "/tmp/r2/root-0707"), OK);
	write_file("/sys/fs/cgroup/ug-scoped/cgroup.procs", "0\n");
	expect_outcome("scope cgroup: task inside /ug-scoped is covered",
		       try_as(1000, READ, "/tmp/r2/root-0707"), ERR(EACCES));
	write_file("/sys/fs/cgroup/cgroup.procs", "0\n");
	expect(load_policy(enforce) == 0, "load enforce again", "load failed");
}

/* ---- idmapped mounts --------------------------------------------------- */

struct link_args {
	const char *from, *to;
};

static int do_link(void *arg)
{
	const struct link_args *l = arg;

	if (setgid(0) || setuid(0))
		return 220;
	return link(l->from, l->to) ? errno : 0;
}

static struct outcome try_link(const char *from, const char *to)
{
	struct link_args l = { from, to };

	return in_userns(MAP, MAP, do_link, &l);
}

/* Attach an idmapped view of @src at @dst. 0 or errno. */
static int idmapped_mount(const char *src, const char *dst, const char *map)
{
	int tree = idmapped_tree(src, map, false), err;

	if (tree < 0)
		return -tree;
	err = attach_tree(tree, dst);
	close(tree);
	return err;
}

static int setup_ext4(void)
{
	return sh("grep -q '^loop ' /proc/modules || insmod /lib/modules/loop.ko; mkdir -p /mnt/ext /mnt/idm && "
		  "dd if=/dev/zero of=/tmp/ext.img bs=1M count=16 2>/dev/null && "
		  "mke2fs -F /tmp/ext.img >/dev/null && mount -t ext4 -o loop /tmp/ext.img /mnt/ext");
}

static void test_idmapped(void)
{
	int err;

	expect(setup_ext4() == 0, "ext4 image mounted", "setup failed");
	rules_off();
	make("/mnt/ext/root-0707", "0:0", "0707");
	make("/mnt/ext/suid-1000", "1000:1000", "4755");
	make_dir("/mnt/ext/shared", "0:0", "0755");
	err = idmapped_mount("/mnt/ext", "/mnt/idm", MAP);
	expect(err == 0, "idmapped mount of the ext4 tree (0 -> 100000)", "errno %d", err);
	expect(load_policy(enforce) == 0, "load most-restrictive enforce", "load failed");

	/* One inode, two paths: the owner as each path shows it decides. */
	expect_outcome("raw path: owner 0 unmapped, 0707 read: EACCES",
		       try_as(1000, READ, "/mnt/ext/root-0707"), ERR(EACCES));
	expect_outcome("idmapped path: owner shown as 100000 (ns 0), 0707 read: allowed",
		       try_as(1000, READ, "/mnt/idm/root-0707"), OK);

	/* The namespace's root creates through its mount and reopens. */
	expect_outcome("ns root creates /mnt/idm/shared/new (0600) through its mount",
		       try_as(0, CREATE, "/mnt/idm/shared/new"), OK);
	expect(sh("stat -c %%u:%%g /mnt/ext/shared/new | grep -qx 0:0") == 0,
	       "on disk the new file belongs to 0:0 (the origin)", "wrong owner");
	expect_outcome("ns root reopens its own 0600 file through the idmapped mount",
		       try_as(0, WRITE, "/mnt/idm/shared/new"), OK);
	sh("chmod 0707 /mnt/ext/shared/new");
	expect_outcome("that file, 0707, ns user 1000 via the raw path: EACCES",
		       try_as(1000, READ, "/mnt/ext/shared/new"), ERR(EACCES));
	expect_outcome("that file, 0707, ns user 1000 via the idmapped path: allowed",
		       try_as(1000, READ, "/mnt/idm/shared/new"), OK);

	/* io_uring opens through the same path walk. */
	expect_outcome("io_uring open via idmapped path, 0707: allowed",
		       try_as(1000, URING_READ, "/mnt/idm/root-0707"), OK);
	expect_outcome("io_uring open via raw path, 0707: EACCES",
		       try_as(1000, URING_READ, "/mnt/ext/root-0707"), ERR(EACCES));

	/* Hard links through the idmapped mount (no path walk for the check). */
	expect_outcome("ns root hard-links its file through the idmapped mount",
		       try_link("/mnt/idm/shared/new", "/mnt/idm/shared/new-link"), OK);

	/* A set-uid binary on an idmapped mount still elevates. */
	expect_outcome("set-uid binary via idmapped mount runs as its owner (ns 1000)",
		       try_as(2000, EXEC, "/mnt/idm/suid-1000"), OK);
	expect(sh("umount /mnt/idm") == 0, "unmount idmapped view", "umount failed");
}

/* ---- DAC checks made after the path walk (issue 14) -------------------- */

#define NW "/mnt/ext/nw"
#define NWI "/mnt/idm/nw"

/* A listening unix socket at @path, mode @mode, owned by @owner. */
static int listen_at(const char *path, const char *owner, const char *mode)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int sk = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	unlink(path);
	if (sk < 0 || bind(sk, (struct sockaddr *)&sun, sizeof(sun)) || listen(sk, 64) ||
	    sh("chown %s %s && chmod %s %s", owner, path, mode, path)) {
		printf("socket setup at %s failed\n", path);
		return -1;
	}
	return sk;
}

static void setup_outside_walk(void)
{
	static const char *const files[] = { "f-0707", "f-0777", "f-0757", "far-0707" };
	static const char *const modes[] = { "0707", "0777", "0757", "0707" };
	unsigned int i;

	sh("rm -rf " NW);
	make_dir(NW, "0:0", "0755");
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char p[128];

		snprintf(p, sizeof(p), NW "/%s", files[i]);
		if (sh("echo data > %s", p) || setxattr(p, "user.ug", "old", 3, 0) ||
		    sh("chown %s %s && chmod %s %s", i == 3 ? "70000:70000" : "0:0", p, modes[i], p))
			printf("setup of %s failed\n", p);
	}
	make_dir(NW "/d-0707", "0:0", "0707");
	make_dir(NW "/d-0777", "0:0", "0777");
	make_dir(NW "/d-0757", "0:0", "0757");
	make_dir(NW "/d-0701", "0:0", "0701");
	make_dir(NW "/d-0711", "0:0", "0711");
	make_dir(NW "/pa", "0:0", "0777");
	make_dir(NW "/pb", "0:0", "0777");
	make_dir(NW "/pa/m-0707", "0:0", "0707");
	make_dir(NW "/pa/m-0777", "0:0", "0777");
	make_dir(NW "/pa/mi-0707", "0:0", "0707");
}

/*
 * Through a private mount namespace that holds only the idmapped view of
 * the ext4 filesystem, as a container whose rootfs is an idmapped mount.
 */
struct view_try {
	enum op op;
	const char *path;
};

static int in_idmapped_only(void *arg)
{
	const struct view_try *v = arg;
	struct outcome o;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    umount2("/mnt/ext", MNT_DETACH))
		return 240;
	o = try_as(1000, v->op, v->path);
	return o.killed ? 241 : o.err;
}

static struct outcome try_idmapped_only(enum op op, const char *path)
{
	struct view_try v = { op, path };

	return in_child(in_idmapped_only, &v);
}

static void test_outside_walk(void)
{
	static const struct {
		enum op op;
		const char *what, *deny, *allow, *deny_idm;
		int idm_err; /* what deny_idm gets; negative: the kernel's own refusal */
	} rows[] = {
		{ TRUNCATE, "truncate(2)", "f-0707", "f-0777", "far-0707", -EACCES },
		{ TOUCH, "utimensat(NULL) (touch)", "f-0707", "f-0777", "far-0707", -EACCES },
		/* The kernel itself refuses xattr writes to an inode the view cannot show. */
		{ SETXATTR, "setxattr user.*", "f-0707", "f-0777", "far-0707", EPERM },
		{ GETXATTR, "getxattr user.*", "f-0707", "f-0757", "far-0707", EACCES },
		{ INOTIFY, "inotify_add_watch", "f-0707", "f-0757", "far-0707", EACCES },
		{ CONNECT, "connect() to a unix socket", "s-0707", "s-0777", "s-far-0707", -EACCES },
		{ TMPFILE, "open(O_TMPFILE) in a directory", "d-0707", "d-0777", NULL, 0 },
		{ CHDIR, "chdir()", "d-0701", "d-0711", NULL, 0 },
		{ ACCESS, "faccessat(R_OK)", "f-0707", "f-0757", "far-0707", EACCES },
	};
	char name[256], p[128], q[128];
	long long before, after;
	unsigned int i;
	int sk[3], err;

	setup_outside_walk();
	sk[0] = listen_at(NW "/s-0707", "0:0", "0707");
	sk[1] = listen_at(NW "/s-0777", "0:0", "0777");
	sk[2] = listen_at(NW "/s-far-0707", "70000:70000", "0707");
	rules_off();
	err = idmapped_mount("/mnt/ext", "/mnt/idm", MAP);
	expect(err == 0, "idmapped view of the ext4 tree for the no-walk table", "errno %d", err);
	expect(load_policy(enforce) == 0, "load most-restrictive enforce", "load failed");

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(p, sizeof(p), NW "/%s", rows[i].deny);
		snprintf(name, sizeof(name), "%s, unmapped owner, %s: EACCES", rows[i].what,
			 rows[i].deny);
		expect_outcome(name, try_as(1000, rows[i].op, p), ERR(EACCES));
		snprintf(p, sizeof(p), NW "/%s", rows[i].allow);
		snprintf(name, sizeof(name), "%s, unmapped owner, %s (every triplet grants): allowed",
			 rows[i].what, rows[i].allow);
		expect_outcome(name, try_as(1000, rows[i].op, p), OK);
		snprintf(p, sizeof(p), NWI "/%s", rows[i].deny);
		snprintf(name, sizeof(name),
			 "%s via a container's only (idmapped) view, owner shown mapped, %s: allowed",
			 rows[i].what, rows[i].deny);
		expect_outcome(name, try_idmapped_only(rows[i].op, p), OK);
		if (!rows[i].deny_idm)
			continue;
		snprintf(p, sizeof(p), NWI "/%s", rows[i].deny_idm);
		snprintf(name, sizeof(name),
			 "%s via the idmapped view, owner the idmap cannot show, %s: %s",
			 rows[i].what, rows[i].deny_idm,
			 rows[i].idm_err == EPERM ? "the kernel's EPERM" :
			 rows[i].idm_err < 0	  ? "the kernel's EACCES" : "EACCES");
		expect_outcome(name, try_idmapped_only(rows[i].op, p),
			       ERR(rows[i].idm_err < 0 ? -rows[i].idm_err : rows[i].idm_err));
	}

	/* Moving a directory to another parent writes its "..". */
	snprintf(p, sizeof(p), NW "/pa/m-0707:" NW "/pb/m-0707");
	expect_outcome("rename() of an unmapped-owner 0707 directory to another parent: EACCES",
		       try_as(1000, MOVEDIR, p), ERR(EACCES));
	snprintf(p, sizeof(p), NW "/pa/m-0777:" NW "/pb/m-0777");
	expect_outcome("rename() of an unmapped-owner 0777 directory to another parent: allowed",
		       try_as(1000, MOVEDIR, p), OK);
	snprintf(p, sizeof(p), NWI "/pa/mi-0707:" NWI "/pb/mi-0707");
	expect_outcome("the same move of a 0707 directory through the idmapped view: allowed",
		       try_as(1000, MOVEDIR, p), OK);

	/*
	 * Both views in one mount namespace and no hook names the mount: the
	 * rule cannot tell which path was taken and fails closed.
	 */
	expect_outcome("truncate(2) through the idmapped view while the raw view is mounted "
		       "beside it: EACCES (fail closed)",
		       try_as(1000, TRUNCATE, NWI "/f-0707"), ERR(EACCES));
	/* A name change names its mount in a path hook first: the exact view decides. */
	expect_outcome("mkdir through the idmapped view beside the raw view: allowed",
		       try_as(1000, MKDIR, NWI "/d-0757/via-idm"), OK);
	expect_outcome("the same mkdir through the raw view: EACCES",
		       try_as(1000, MKDIR, NW "/d-0757/via-raw"), ERR(EACCES));

	/* The kernel's own refusal wins and is not reported as a rule-2 hit. */
	before = rule_counter("most-restrictive", "denied ");
	expect_outcome("mkdir in a root 0755 directory: the kernel's EACCES",
		       try_as(1000, MKDIR, NW "/new"), ERR(EACCES));
	after = rule_counter("most-restrictive", "denied ");
	expect(before >= 0 && after == before, "the kernel's own refusal adds no rule-2 denial",
	       "before %lld after %lld", before, after);
	expect_outcome("mkdir in a root 0757 directory: the rule's EACCES",
		       try_as(1000, MKDIR, NW "/d-0757/new"), ERR(EACCES));
	after = rule_counter("most-restrictive", "denied ");
	expect(before >= 0 && after == before + 1, "the rule's refusal adds exactly 1",
	       "before %lld after %lld", before, after);

	/*
	 * setuid() in the namespace made the task non-dumpable: procfs owns its
	 * fd directory (0500) by host root, and grants it to the task itself.
	 */
	expect_outcome("a task's own /proc/self/fd (0500, owner host root): allowed",
		       try_as(0, PROC_OWN_FD, "-"), OK);

	/* Tasks of the initial namespace are untouched by all of it. */
	snprintf(q, sizeof(q), NW "/f-0707");
	expect_outcome("initial namespace, uid 5000, truncate(2) of the 0707 file: allowed",
		       try_host(5000, TRUNCATE, q), OK);
	expect(sh("umount /mnt/idm") == 0, "unmount the idmapped view", "umount failed");
	for (i = 0; i < 3; i++)
		if (sk[i] >= 0)
			close(sk[i]);
}

/*
 * The no-walk check keeps its scan of a superblock's mounts for the next
 * check by the same task (issue 19) while the mount namespace is
 * unchanged. One task in the namespace truncates the same file three
 * times; between them a helper of the initial namespace attaches, then
 * detaches, an idmapped view of the filesystem in the shared mount
 * namespace. The file (0707, owner ns 2000) is shown mapped by the raw
 * view and unmapped by the idmapped one: a kept scan that outlived either
 * change would answer the second or third truncate wrongly.
 */
struct kept_pipes {
	int req[2], done[2], res[2];
};

static int kept_truncates(void *arg)
{
	const struct kept_pipes *k = arg;
	int err[3], i;
	char c;

	if (setgid(1000) || setuid(1000))
		return 220;
	for (i = 0; i < 3; i++) {
		err[i] = truncate(NW "/c-0707", 0) ? errno : 0;
		if (i == 2)
			break;
		c = i == 0 ? 'm' : 'u';
		if (write(k->req[1], &c, 1) != 1 || read(k->done[0], &c, 1) != 1 || c != '0')
			return 221;
	}
	return write(k->res[1], err, sizeof(err)) == sizeof(err) ? 0 : 222;
}

static void test_nowalk_kept_scan(void)
{
	struct kept_pipes k;
	struct outcome o;
	int err[3] = { -1, -1, -1 }, status;
	pid_t helper;
	char c;

	sh("echo data > " NW "/c-0707 && chown 102000:102000 " NW "/c-0707 && chmod 0707 " NW
	   "/c-0707");
	expect(load_policy(enforce) == 0, "load most-restrictive enforce (kept scans)",
	       "load failed");
	if (pipe(k.req) || pipe(k.done) || pipe(k.res)) {
		expect(false, "pipes for the kept-scan test", "%s", strerror(errno));
		return;
	}
	fflush(stdout);
	helper = fork();
	if (helper == 0) {
		close(k.req[1]); /* EOF once the test closes its end */
		while (read(k.req[0], &c, 1) == 1) {
			int rc = c == 'm' ? idmapped_mount("/mnt/ext", "/mnt/idm", MAP) :
					    (umount("/mnt/idm") ? errno : 0);

			c = rc ? '1' : '0';
			if (write(k.done[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	o = in_userns(MAP, MAP, kept_truncates, &k);
	close(k.req[1]);
	waitpid(helper, &status, 0);
	expect_outcome("one task truncates, an idmapped view comes and goes beside it", o, OK);
	if (read(k.res[0], err, sizeof(err)) != sizeof(err))
		err[0] = err[1] = err[2] = -1;
	expect(err[0] == 0, "truncate(2), the raw view alone shows the owner: allowed",
	       "errno %d", err[0]);
	expect(err[1] == EACCES,
	       "the same task after an idmapped view that cannot show the owner was attached: "
	       "EACCES (fail closed; the kept scan was dropped)",
	       "errno %d", err[1]);
	expect(err[2] == 0, "the same task after that view was detached: allowed again",
	       "errno %d", err[2]);
	close(k.req[0]);
	close(k.done[0]);
	close(k.done[1]);
	close(k.res[0]);
	close(k.res[1]);
}

/*
 * The no-walk check reads up to four mounts of a superblock inline and
 * answers at once when none is idmapped (6.18+, bpf/sb_mounts.bpf.h); more
 * mounts than that is "not known", and the task's note or a scan decides.
 * An idmapped view between four plain bind mounts on each side (whichever
 * end the kernel adds mounts at, it is fifth or later), ten mounts in all:
 * the truncate must still be refused. With the idmapped view gone, nine
 * plain mounts: allowed.
 */
static int truncate_as_1000(void *arg)
{
	if (setgid(1000) || setuid(1000))
		return 220;
	return truncate((const char *)arg, 0) ? errno : 0;
}

static void test_nowalk_many_mounts(void)
{
	int err, i, bound = 0;

	expect(load_policy(enforce) == 0, "load most-restrictive enforce (many mounts)",
	       "load failed");
	for (i = 1; i <= 8; i++) {
		if (i == 5) {
			err = idmapped_mount("/mnt/ext", "/mnt/idm", MAP);
			expect(err == 0, "an idmapped view between the bind mounts", "errno %d", err);
		}
		bound += sh("mkdir -p /mnt/b%d && mount --bind /mnt/ext /mnt/b%d", i, i) == 0;
	}
	expect(bound == 8, "eight plain bind mounts of the ext4 tree", "%d attached", bound);
	expect_outcome("truncate(2) with nine plain mounts and an idmapped one that cannot show "
		       "the owner: EACCES (more mounts than read inline)",
		       in_userns(MAP, MAP, truncate_as_1000, NW "/c-0707"), ERR(EACCES));
	expect(sh("umount /mnt/idm") == 0, "unmount the idmapped view (many mounts)",
	       "umount failed");
	expect_outcome("truncate(2) with nine plain mounts and no idmapped one: allowed",
		       in_userns(MAP, MAP, truncate_as_1000, NW "/c-0707"), OK);
	for (i = 1; i <= 8; i++)
		sh("umount /mnt/b%d", i);
}

/*
 * On kernels that list a superblock's mounts (up to 6.12) the no-walk
 * check settles a filesystem with a single mount from the task's working
 * directory when it is on that filesystem (bpf/sb_mounts.bpf.h); 6.18+
 * reads the chain. The task works in the directory and truncates by a
 * relative name. First the raw view alone: an owner the namespace does not
 * map is refused, a mapped one allowed. Then the idmapped view alone (the
 * raw one unmounted: one mount again, idmapped), seen from a namespace
 * that maps host 2000 and 100000-100999: a file owned by 2000 is shown by
 * the idmap as 102000, which the namespace does not map (refused, by rule
 * 2 alone: the kernel sees a valid owner), and one owned by 0 as 100000,
 * which it maps (allowed). Read as a plain view, both answers would flip.
 * Last in this file: /mnt/ext stays unmounted.
 */
#define MAP_SMALL "0 100000 1000\n1000 2000 1\n"

struct in_dir {
	const char *dir, *name;
	uid_t uid;
};

static int truncate_in_dir(void *arg)
{
	const struct in_dir *d = arg;

	if (chdir(d->dir) || setgid(d->uid) || setuid(d->uid))
		return 220;
	return truncate(d->name, 0) ? errno : 0;
}

static void test_nowalk_single_mount(void)
{
	struct in_dir raw_deny = { NW, "far-0707", 1000 }, raw_allow = { NW, "c-0707", 1000 };
	struct in_dir idm_deny = { NWI, "i-0707", 500 }, idm_allow = { NWI, "f-0707", 500 };
	int err;

	expect(load_policy(enforce) == 0, "load most-restrictive enforce (single mount)",
	       "load failed");
	expect_outcome("working in the raw view, its only mount: unmapped owner, 0707: EACCES",
		       in_userns(MAP, MAP, truncate_in_dir, &raw_deny), ERR(EACCES));
	expect_outcome("working in the raw view, its only mount: mapped owner, 0707: allowed",
		       in_userns(MAP, MAP, truncate_in_dir, &raw_allow), OK);
	sh("echo data > " NW "/i-0707 && chown 2000:2000 " NW "/i-0707 && chmod 0707 " NW
	   "/i-0707");
	err = idmapped_mount("/mnt/ext", "/mnt/idm", MAP);
	expect(err == 0, "idmapped view, then the raw view unmounted", "errno %d", err);
	expect(sh("umount /mnt/ext") == 0, "the idmapped view is the only mount", "umount failed");
	expect_outcome("working in the idmapped view, its only mount: an owner it shows as an id "
		       "the namespace does not map, 0707: EACCES",
		       in_userns(MAP_SMALL, MAP_SMALL, truncate_in_dir, &idm_deny), ERR(EACCES));
	expect_outcome("working in the idmapped view, its only mount: an owner it shows as a "
		       "mapped id, 0707: allowed",
		       in_userns(MAP_SMALL, MAP_SMALL, truncate_in_dir, &idm_allow), OK);
	sh("umount /mnt/idm");
}

/*
 * A task in a fresh user namespace whose maps are not written yet: its own
 * uid (host 1000) is unmapped there, yet it owns /proc/self/uid_map and
 * must be able to write it (what unshare -r, bwrap and every tool that
 * maps itself do). A root-owned 0707 file stays refused to it (issue 14).
 */
static int self_map(void *arg)
{
	const char *what = arg;
	char map[32];
	int fd;

	/* Dumpable again after setuid, as after an exec: /proc/self is then its own. */
	if (setgroups(0, NULL) || setgid(1000) || setuid(1000) || prctl(PR_SET_DUMPABLE, 1))
		return 220;
	if (unshare(CLONE_NEWUSER))
		return 221;
	if (!strcmp(what, "other")) {
		fd = open("/tmp/r2/root-0707", O_RDONLY);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	}
	fd = open("/proc/self/setgroups", O_WRONLY);
	if (fd < 0 || write(fd, "deny", 4) != 4)
		return fd < 0 ? errno : 230;
	close(fd);
	snprintf(map, sizeof(map), "0 1000 1\n");
	fd = open("/proc/self/uid_map", O_WRONLY);
	if (fd < 0 || write(fd, map, strlen(map)) != (ssize_t)strlen(map))
		return fd < 0 ? errno : 231;
	close(fd);
	return getuid() == 0 ? 0 : 232;
}

static void test_own_files_before_mapping(void)
{
	expect(load_policy("rule most-restrictive on\n") == 0, "load rule 2 (default scope)",
	       "load failed");
	sh("touch /tmp/r2/root-0707 && chmod 0707 /tmp/r2/root-0707");
	expect_outcome("unmapped task writes its own uid_map and setgroups (unshare -r)",
		       in_child(self_map, "own"), OK);
	expect_outcome("the same unmapped task: root-owned 0707 file: EACCES",
		       in_child(self_map, "other"), ERR(EACCES));
	expect(sh("/tests/test_restrictive --as-1000 unshare -r true") == 0,
	       "busybox unshare -r as uid 1000 under rule 2", "failed");
}

int main(int argc, char **argv)
{
	/* --as-1000 CMD...: run CMD as uid/gid 1000 without supplementary groups. */
	if (argc > 2 && !strcmp(argv[1], "--as-1000")) {
		if (setgroups(0, NULL) || setgid(1000) || setuid(1000))
			return 125;
		execvp(argv[2], argv + 2);
		return 127;
	}
	if (argc > 1) {
		/* Exec target: "--true" succeeds; a set-uid copy checks its euid. */
		if (strstr(argv[0], "suid-1000"))
			return geteuid() == 1000 ? 0 : 100;
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	rules_off();
	setup_tree("/tmp/r2");
	setup_acls();
	test_table();
	test_acls();
	test_nested();
	test_modes_and_scope();
	test_cgroup_scope_delegation();
	test_idmapped();
	test_outside_walk();
	test_nowalk_kept_scan();
	test_nowalk_many_mounts();
	test_own_files_before_mapping();
	test_nowalk_single_mount();
	return summary();
}
