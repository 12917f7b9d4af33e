// SPDX-License-Identifier: GPL-2.0-only
/*
 * Rule 3, shift-marks, in the guest on ext4 images (6.1's tmpfs has no
 * idmapped mounts). The seed's example: /mnt/s/group1 is shiftable by
 * host uid 200000 with on-disk 100000 appearing as that root. Every way to
 * make or use a shifted view, each refusal next to its allowed twin, and
 * the bypasses: parent trees, "..", symlinks, relative paths, another
 * filesystem with the same inode number, detached tree fds, binds into
 * another namespace, and read-only marks made writable after the fact.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/fs.h>
#include <linux/mount.h>

#include "guest_test.h"

#define GOOD "100000 200000 65536\n"       /* on disk 100000.. -> host 200000.. */
#define SUBRANGE "100000 200000 1000\n"    /* a part of the marked shift */
#define WRONG_TARGET "100000 300000 65536\n"
#define WRONG_ORIGIN "0 200000 65536\n"
#define EXTRA "100000 200000 1000\n0 201000 1\n" /* also shows on-disk root */
#define TENANT "0 200000 65536\n"          /* the namespace the mark names */
#define OTHER_TENANT "0 300000 65536\n"

static const char policy[] = "rule shift-marks on\n"
			     "mark /mnt/s/group1 shiftable-by 200000 origin 100000\n"
			     "mark /mnt/s/rotree shiftable-by 200000 origin 100000 ro\n";

/* Whether the running kernel is at least @major.@minor. */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	return !uname(&u) && sscanf(u.release, "%d.%d", &ma, &mi) == 2 &&
	       (ma > major || (ma == major && mi >= minor));
}

/* Clone @src with @map and try to attach it at @dst. 0 or errno. */
static int attach(const char *src, const char *map, bool rdonly, const char *dst)
{
	int tree = idmapped_tree(src, map, rdonly), err;

	if (tree < 0)
		return -tree;
	err = attach_tree(tree, dst);
	close(tree);
	if (!err)
		umount2(dst, MNT_DETACH);
	return err;
}

static void expect_attach(const char *name, const char *src, const char *map, bool rdonly,
			  int want)
{
	int err = attach(src, map, rdonly, "/mnt/view");

	expect(err == want, name, "move_mount: %s, expected %s", err ? strerrorname_np(err) : "ok",
	       want ? strerrorname_np(want) : "ok");
}

static int setup(void)
{
	return sh("grep -q '^loop ' /proc/modules || insmod /lib/modules/loop.ko; "
		  "mkdir -p /mnt/s /mnt/t /mnt/view /mnt/g1 /mnt/ro && "
		  "dd if=/dev/zero of=/tmp/s.img bs=1M count=16 2>/dev/null && "
		  "dd if=/dev/zero of=/tmp/t.img bs=1M count=16 2>/dev/null && "
		  "mke2fs -F /tmp/s.img >/dev/null && mke2fs -F /tmp/t.img >/dev/null && "
		  "mount -t ext4 -o loop /tmp/s.img /mnt/s && mount -t ext4 -o loop /tmp/t.img /mnt/t && "
		  /* group1 first on both: the same inode number on two filesystems */
		  "mkdir /mnt/s/group1 /mnt/t/group1 && mkdir /mnt/s/group1/sub /mnt/s/rotree /mnt/s/other && "
		  "mkdir -p /mnt/s/nest/inner && touch /mnt/s/other/f && "
		  "touch /mnt/s/group1/file1 /mnt/s/rotree/file1 && "
		  "chown -R 100000:100000 /mnt/s/group1 /mnt/s/rotree && "
		  "chmod 0777 /mnt/s/group1 && "
		  "ln -s /mnt/s /mnt/s/alias-parent && ln -s /mnt/s/group1 /mnt/s/alias-group1");
}

static void test_attach(void)
{
	struct stat a = {}, b = {};

	expect(stat("/mnt/s/group1", &a) == 0 && stat("/mnt/t/group1", &b) == 0 &&
		       a.st_ino == b.st_ino && a.st_dev != b.st_dev,
	       "two filesystems, same inode number for group1", "ino %lu vs %lu",
	       (unsigned long)a.st_ino, (unsigned long)b.st_ino);
	expect(load_policy(policy) == 0, "load shift-marks policy", "load failed");

	expect_attach("marked tree, idmap origin->shiftable-by: attached", "/mnt/s/group1", GOOD,
		      false, 0);
	expect_attach("marked tree, sub-range of the shift: attached", "/mnt/s/group1", SUBRANGE,
		      false, 0);
	expect_attach("marked tree, idmap to another root: EPERM", "/mnt/s/group1", WRONG_TARGET,
		      false, EPERM);
	expect_attach("marked tree, idmap from another origin: EPERM", "/mnt/s/group1",
		      WRONG_ORIGIN, false, EPERM);
	expect_attach("marked tree, idmap also showing on-disk root: EPERM", "/mnt/s/group1", EXTRA,
		      false, EPERM);
	expect_attach("subdirectory of a marked tree: attached", "/mnt/s/group1/sub", GOOD, false,
		      0);
	expect_attach("parent of a marked tree: EPERM", "/mnt/s", GOOD, false, EPERM);
	expect_attach("unmarked tree: EPERM (shift-default deny)", "/mnt/s/other", GOOD, false,
		      EPERM);
	expect_attach("symlink to the marked tree: attached", "/mnt/s/alias-group1", GOOD, false, 0);
	expect_attach("symlink to the parent: EPERM", "/mnt/s/alias-parent", GOOD, false, EPERM);
	expect_attach("'..' out of the marked tree: EPERM", "/mnt/s/group1/..", GOOD, false, EPERM);
	expect(chdir("/mnt/s") == 0, "chdir /mnt/s", "chdir failed");
	expect_attach("relative 'group1/..': EPERM", "group1/..", GOOD, false, EPERM);
	expect_attach("relative 'group1': attached", "group1", GOOD, false, 0);
	expect(chdir("/") == 0, "chdir /", "chdir failed");
	expect_attach("other filesystem, same inode number: EPERM", "/mnt/t/group1", GOOD, false,
		      EPERM);

	expect(load_policy("rule shift-marks on\nshift-default allow\n"
			   "mark /mnt/s/group1 shiftable-by 200000 origin 100000\n") == 0,
	       "load shift-default allow", "load failed");
	expect_attach("unmarked tree with shift-default allow: attached", "/mnt/s/other", GOOD,
		      false, 0);
	expect_attach("marked tree still checked: idmap to another root: EPERM", "/mnt/s/group1",
		      WRONG_TARGET, false, EPERM);
	/* A view rooted above a mark would show the marked tree to anyone (issue 15). */
	expect_attach("shift-default allow: parent of a marked tree: EPERM (contains the mark)",
		      "/mnt/s", GOOD, false, EPERM);
	expect(load_policy("rule shift-marks on\nshift-default allow\n"
			   "mark /mnt/s/nest/inner shiftable-by 200000 origin 100000\n") == 0,
	       "load shift-default allow, a mark two levels down", "load failed");
	expect_attach("shift-default allow: grandparent of a marked tree: EPERM", "/mnt/s", GOOD,
		      false, EPERM);
	expect_attach("shift-default allow: parent of a marked tree: EPERM", "/mnt/s/nest", GOOD,
		      false, EPERM);
	expect_attach("twin: shift-default allow, a sibling with no mark below: attached",
		      "/mnt/s/other", GOOD, false, 0);
	expect_attach("twin: the marked tree itself, authorized idmap: attached",
		      "/mnt/s/nest/inner", GOOD, false, 0);
}

/* ---- use of views: detached trees, binds, namespaces --------------------- */

struct use {
	int dirfd;        /* a tree fd, or AT_FDCWD */
	const char *path;
	int flags;        /* open flags; O_DIRECTORY|O_CREAT means mkdir */
};

/* Runs as the root of a user namespace (become it first). */
static int do_use(void *arg)
{
	const struct use *u = arg;
	int fd;

	if (setgid(0) || setuid(0))
		return 220;
	if (u->flags == (O_DIRECTORY | O_CREAT))
		return mkdirat(u->dirfd, u->path, 0755) ? errno : 0;
	fd = openat(u->dirfd, u->path, u->flags, 0644);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static struct outcome use_as(const char *map, int dirfd, const char *path, int flags)
{
	struct use u = { dirfd, path, flags };

	return in_userns(map, map, do_use, &u);
}

static void test_detached(void)
{
	int good, bad;
	struct stat st;

	expect(load_policy(policy) == 0, "load shift-marks policy", "load failed");
	good = idmapped_tree("/mnt/s/group1", GOOD, false);
	bad = idmapped_tree("/mnt/s/group1", WRONG_TARGET, false);
	expect(good >= 0 && bad >= 0, "two detached idmapped trees", "%d %d", good, bad);

	expect_outcome("detached authorized tree: open file1 by fd", use_as(TENANT, good, "file1",
		       O_RDONLY), OK);
	expect_outcome("detached unauthorized tree: open file1 by fd: EPERM",
		       use_as(OTHER_TENANT, bad, "file1", O_RDONLY), ERR(EPERM));
	expect_outcome("detached authorized tree: create by fd",
		       use_as(TENANT, good, "made-by-tenant", O_WRONLY | O_CREAT | O_EXCL), OK);
	expect(stat("/mnt/s/group1/made-by-tenant", &st) == 0 && st.st_uid == 100000 &&
		       st.st_gid == 100000,
	       "a file the namespace root creates lands on disk as the origin 100000",
	       "owner %u:%u", st.st_uid, st.st_gid);
	expect_outcome("detached unauthorized tree: create by fd: EPERM",
		       use_as(OTHER_TENANT, bad, "made-by-other", O_WRONLY | O_CREAT | O_EXCL),
		       ERR(EPERM));
	expect(access("/mnt/s/group1/made-by-other", F_OK) != 0,
	       "the refused create left no file behind", "file exists");
	expect_outcome("detached unauthorized tree: mkdir by fd: EPERM",
		       use_as(OTHER_TENANT, bad, "dir-by-other", O_DIRECTORY | O_CREAT),
		       ERR(EPERM));
	expect_outcome("detached authorized tree: mkdir by fd",
		       use_as(TENANT, good, "dir-by-tenant", O_DIRECTORY | O_CREAT), OK);
	close(good);
	close(bad);
}

/* The number of shift-use events with @reason since the last read. */
static int shift_events(const char *reason)
{
	char out[64];

	if (sh_capture(out, sizeof(out), "usernsguard events | grep '\"action\":\"shift-use\"' | "
		       "grep -c '\"reason\":\"%s\"'", reason) > 1)
		return -1;
	return atoi(out);
}

/* A detached view rooted above a mark: nothing is used through it, under any default. */
static void test_contains(void)
{
	int parent, sibling, n;

	expect(load_policy("rule shift-marks on\nshift-default allow\n"
			   "mark /mnt/s/group1 shiftable-by 200000 origin 100000\n") == 0,
	       "load shift-default allow", "load failed");
	parent = idmapped_tree("/mnt/s", GOOD, false);
	sibling = idmapped_tree("/mnt/s/other", GOOD, false);
	expect(parent >= 0 && sibling >= 0, "detached views of /mnt/s and /mnt/s/other", "%d %d",
	       parent, sibling);
	sh("usernsguard events >/dev/null");
	expect_outcome("detached view above a mark: open an unmarked file through it: EPERM",
		       use_as(TENANT, parent, "other/f", O_RDONLY), ERR(EPERM));
	expect_outcome("detached view above a mark: open the marked tree's file: EPERM",
		       use_as(TENANT, parent, "group1/file1", O_RDONLY), ERR(EPERM));
	n = shift_events("view-contains-mark");
	expect(n == 2, "both refusals say view-contains-mark", "%d events", n);
	expect_outcome("twin: detached view of the sibling: open its file",
		       use_as(TENANT, sibling, "f", O_RDONLY), OK);
	close(parent);
	close(sibling);
}

/* A file handle's mount fd is a view: the file is judged by its own tree (issue 15). */
static void test_handle(void)
{
	struct { struct file_handle fh; unsigned char bytes[MAX_HANDLE_SZ]; } other, marked;
	int view, mnt_id, fd;

	expect(load_policy(policy) == 0, "load shift-marks policy", "load failed");
	other.fh.handle_bytes = marked.fh.handle_bytes = MAX_HANDLE_SZ;
	expect(name_to_handle_at(AT_FDCWD, "/mnt/s/other/f", &other.fh, &mnt_id, 0) == 0 &&
		       name_to_handle_at(AT_FDCWD, "/mnt/s/group1/file1", &marked.fh, &mnt_id, 0) == 0,
	       "handles of an unmarked file and a marked one", "%s", strerror(errno));
	/* The mount fd: a real open of the view's root (an O_PATH tree fd is EBADF here). */
	fd = idmapped_tree("/mnt/s/group1", GOOD, false);
	view = openat(fd, ".", O_RDONLY | O_DIRECTORY);
	close(fd);
	expect(view >= 0, "the authorized view's root opened as the mount fd", "%s",
	       strerror(errno));
	fd = open_by_handle_at(view, &other.fh, O_RDONLY);
	expect(fd < 0 && errno == EPERM,
	       "open_by_handle_at, authorized view as mount fd, file of an unmarked tree: EPERM",
	       "%s", fd < 0 ? strerror(errno) : "opened");
	if (fd >= 0)
		close(fd);
	fd = open_by_handle_at(view, &marked.fh, O_RDONLY);
	expect(fd >= 0, "twin: the same view, a file of the marked tree: opened", "%s",
	       strerror(errno));
	if (fd >= 0)
		close(fd);
	close(view);
}

struct repeat {
	int dirfd[2];
	int times[2];
	bool keep; /* leave a process behind in the namespace */
};

/* The process keeping the first namespace alive (test_audit_once()). */
#define KEEPER "/tmp/ug-ns-keeper"


/* As the namespace's root, open "f" under each tree its number of times. */
static int open_repeatedly(void *arg)
{
	const struct repeat *r = arg;
	int i, j, fd;

	if (setgid(0) || setuid(0))
		return 220;
	for (j = 0; j < 2; j++)
		for (i = 0; i < r->times[j]; i++) {
			fd = openat(r->dirfd[j], "f", O_RDONLY);
			if (fd < 0)
				return errno;
			close(fd);
		}
	/*
	 * A namespace is known to the programs by its address: keep this one
	 * alive, so that the next one the test makes cannot take its place.
	 */
	if (r->keep) {
		pid_t pid = fork();

		if (pid == 0) {
			pause();
			_exit(0);
		}
		if (pid < 0)
			return 221;
		sh("echo %d >" KEEPER, (int)pid);
	}
	return 0;
}

/*
 * Audit mode reports a use of a view once per view and namespace, and
 * counts every use (issue 15: vfstest made 120,844 events for 143 refusals).
 */
static void test_audit_once(void)
{
	int a = idmapped_tree("/mnt/s/other", GOOD, false);
	int b = idmapped_tree("/mnt/s/other", GOOD, false);
	struct repeat both = { { a, b }, { 20, 20 }, true }, again = { { a, b }, { 5, 0 }, false };
	long long before, after;
	int n;

	expect(load_policy("rule shift-marks on mode audit\n"
			   "mark /mnt/s/group1 shiftable-by 200000 origin 100000\n") == 0,
	       "load audit", "load failed");
	sh("usernsguard events >/dev/null");
	before = rule_counter("shift-marks", "audited ");
	expect_outcome("audit: one namespace opens through two unmarked views, 20 times each",
		       in_userns(TENANT, TENANT, open_repeatedly, &both), OK);
	after = rule_counter("shift-marks", "audited ");
	expect(after == before + 40, "audit: all 40 uses counted", "%lld -> %lld", before, after);
	n = shift_events("unmarked");
	expect(n == 2, "audit: one event per view", "%d events", n);
	expect_outcome("audit: another namespace, the first view, 5 times",
		       in_userns(TENANT, TENANT, open_repeatedly, &again), OK);
	n = shift_events("unmarked");
	expect(n == 1, "audit: one event for the new namespace", "%d events", n);
	sh("kill $(cat " KEEPER ") 2>/dev/null; rm -f " KEEPER);
	close(a);
	close(b);
	/* The tests after this one expect the enforcing policy. */
	expect(load_policy(policy) == 0, "load shift-marks policy again", "load failed");
}

/*
 * As the namespace's user 1000, make a namespace of one's own (what
 * `unshare -r` does: map one's own id, before any map exists) and open
 * @arg from it.
 */
static int nested_use(void *arg)
{
	const char *path = arg;
	int fd;

	if (setgid(1000) || setuid(1000) || prctl(PR_SET_DUMPABLE, 1) || unshare(CLONE_NEWUSER))
		return 220;
	fd = open("/proc/self/setgroups", O_WRONLY);
	if (fd < 0 || write(fd, "deny", 4) != 4)
		return 221;
	close(fd);
	fd = open("/proc/self/uid_map", O_WRONLY);
	if (fd < 0 || write(fd, "0 1000 1\n", 9) != 9)
		return 222;
	close(fd);
	fd = open("/proc/self/gid_map", O_WRONLY);
	if (fd < 0 || write(fd, "0 1000 1\n", 9) != 9)
		return 223;
	close(fd);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static void test_bind_and_namespace(void)
{
	int tree = idmapped_tree("/mnt/s/group1", GOOD, false);

	expect(tree >= 0 && attach_tree(tree, "/mnt/g1") == 0, "authorized view attached at /mnt/g1",
	       "attach failed");
	if (tree >= 0)
		close(tree);
	expect(sh("mount --bind /mnt/g1 /mnt/view") == 0, "bind of the view elsewhere",
	       "bind failed");
	expect_outcome("the namespace the mark names reads through the view",
		       use_as(TENANT, AT_FDCWD, "/mnt/g1/file1", O_RDONLY), OK);
	expect_outcome("a namespace with another root, same view: EPERM",
		       use_as(OTHER_TENANT, AT_FDCWD, "/mnt/g1/file1", O_RDONLY), ERR(EPERM));
	expect_outcome("a namespace with another root, through the bind: EPERM",
		       use_as(OTHER_TENANT, AT_FDCWD, "/mnt/view/file1", O_RDONLY), ERR(EPERM));
	expect_outcome("the named namespace through the bind",
		       use_as(TENANT, AT_FDCWD, "/mnt/view/file1", O_RDONLY), OK);
	expect_outcome("a namespace nested in the named one (its user's unshare -r) reads",
		       in_userns(TENANT, TENANT, nested_use, "/mnt/g1/file1"), OK);
	expect_outcome("a namespace nested in another one: EPERM",
		       in_userns(OTHER_TENANT, OTHER_TENANT, nested_use, "/mnt/g1/file1"),
		       ERR(EPERM));
	umount2("/mnt/view", MNT_DETACH);
	umount2("/mnt/g1", MNT_DETACH);
}

static void test_read_only(void)
{
	struct mount_attr rw = { .attr_clr = MOUNT_ATTR_RDONLY };
	int tree;

	expect_attach("ro mark, writable view: EPERM", "/mnt/s/rotree", GOOD, false, EPERM);
	expect_attach("ro mark, read-only view: attached", "/mnt/s/rotree", GOOD, true, 0);

	tree = idmapped_tree("/mnt/s/rotree", GOOD, true);
	expect(tree >= 0 && attach_tree(tree, "/mnt/ro") == 0, "read-only view at /mnt/ro",
	       "attach failed");
	if (tree >= 0)
		close(tree);
	expect_outcome("ro view: the tenant reads", use_as(TENANT, AT_FDCWD, "/mnt/ro/file1",
		       O_RDONLY), OK);
	/* mount_setattr() has no LSM hook: the view becomes writable... */
	expect(syscall(SYS_mount_setattr, AT_FDCWD, "/mnt/ro", 0, &rw, sizeof(rw)) == 0,
	       "mount_setattr clears MOUNT_ATTR_RDONLY (no hook can stop it)", "%s",
	       strerror(errno));
	/* ...but every write through it is judged at use. */
	expect_outcome("ro mark, view made writable: open for write: EROFS",
		       use_as(TENANT, AT_FDCWD, "/mnt/ro/file1", O_WRONLY), ERR(EROFS));
	expect_outcome("ro mark, view made writable: create: EROFS",
		       use_as(TENANT, AT_FDCWD, "/mnt/ro/new", O_WRONLY | O_CREAT), ERR(EROFS));
	expect_outcome("ro mark, view made writable: read still works",
		       use_as(TENANT, AT_FDCWD, "/mnt/ro/file1", O_RDONLY), OK);
	expect(sh("mount -o remount,bind,rw /mnt/ro") == 0, "legacy remount,bind,rw",
	       "remount failed");
	expect_outcome("ro mark, after remount rw: open for write: EROFS",
		       use_as(TENANT, AT_FDCWD, "/mnt/ro/file1", O_WRONLY), ERR(EROFS));
	umount2("/mnt/ro", MNT_DETACH);
}

/*
 * tmpfs gained idmapped mounts in 6.3: on 6.12 the same rule holds there;
 * on 6.1 mount_setattr() refuses with EINVAL before any hook runs.
 */
/* ---- metadata written through a view (issue 15) ----------------------- */

enum meta { XATTR, ACL, TIMES, FLAGS, TRUNC };

struct meta_use {
	int dirfd; /* fchdir() here first (a detached tree), or -1 */
	const char *path;
	enum meta op;
};

/* Runs as the namespace's root: one metadata write to @path. */
static int do_meta(void *arg)
{
	/* system.posix_acl_access: user::rwx group::rwx other::rwx, a chmod 0777 */
	static const unsigned char acl[] = { 2, 0, 0, 0, 1, 0, 7, 0, 0xff, 0xff, 0xff, 0xff,
					     4, 0, 7, 0, 0xff, 0xff, 0xff, 0xff,
					     0x20, 0, 7, 0, 0xff, 0xff, 0xff, 0xff };
	const struct meta_use *m = arg;
	struct timespec times[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	int fd, flags, err = 0;

	if (setgid(0) || setuid(0))
		return 220;
	if (m->dirfd >= 0 && fchdir(m->dirfd))
		return 221;
	switch (m->op) {
	case XATTR:
		return setxattr(m->path, "user.ug", "v", 1, 0) ? errno : 0;
	case ACL:
		return setxattr(m->path, "system.posix_acl_access", acl, sizeof(acl), 0) ? errno : 0;
	case TIMES:
		return utimensat(AT_FDCWD, m->path, times, 0) ? errno : 0;
	case FLAGS:
		fd = open(m->path, O_RDONLY);
		if (fd < 0)
			return errno;
		if (ioctl(fd, FS_IOC_GETFLAGS, &flags) || ioctl(fd, FS_IOC_SETFLAGS, &flags))
			err = errno;
		close(fd);
		return err;
	case TRUNC:
		fd = open(m->path, O_RDONLY | O_TRUNC);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	}
	return 222;
}

static struct outcome meta_as(const char *map, int dirfd, const char *path, enum meta op)
{
	struct meta_use m = { dirfd, path, op };

	return in_userns(map, map, do_meta, &m);
}

static void test_metadata(void)
{
	static const struct {
		enum meta op;
		const char *what;
		int since_major, since_minor; /* the kernel whose hook judges it */
	} ops[] = {
		{ XATTR, "setxattr user.*", 6, 1 },
		{ ACL, "a POSIX ACL (setxattr system.posix_acl_access)", 6, 1 },
		{ TIMES, "utimensat with times", 6, 9 },
		{ FLAGS, "FS_IOC_SETFLAGS on an O_RDONLY fd", 6, 1 },
		{ TRUNC, "open(O_RDONLY|O_TRUNC)", 6, 1 },
	};
	struct mount_attr rw = { .attr_clr = MOUNT_ATTR_RDONLY };
	char name[160];
	unsigned int i;
	int tree, other, good;

	expect(load_policy(policy) == 0, "load shift-marks policy (metadata)", "load failed");
	tree = idmapped_tree("/mnt/s/rotree", GOOD, true);
	expect(tree >= 0 && attach_tree(tree, "/mnt/ro") == 0 &&
		       syscall(SYS_mount_setattr, AT_FDCWD, "/mnt/ro", 0, &rw, sizeof(rw)) == 0,
	       "ro mark's view at /mnt/ro, made writable by mount_setattr", "setup failed");
	if (tree >= 0)
		close(tree);
	tree = idmapped_tree("/mnt/s/group1", GOOD, false);
	expect(tree >= 0 && attach_tree(tree, "/mnt/g1") == 0, "authorized view at /mnt/g1",
	       "attach failed");
	if (tree >= 0)
		close(tree);
	sh("touch /mnt/s/other/f");
	other = idmapped_tree("/mnt/s/other", OTHER_TENANT, false);
	good = idmapped_tree("/mnt/s/group1", GOOD, false);
	expect(other >= 0 && good >= 0, "detached trees: unmarked /mnt/s/other, marked group1",
	       "%d %d", other, good);

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		bool judged = kernel_at_least(ops[i].since_major, ops[i].since_minor);

		snprintf(name, sizeof(name), "ro mark, view made writable: %s: %s", ops[i].what,
			 judged ? "EROFS" : "not judged before 6.9, allowed");
		expect_outcome(name, meta_as(TENANT, -1, "/mnt/ro/file1", ops[i].op),
			       judged ? ERR(EROFS) : OK);
		snprintf(name, sizeof(name), "authorized writable view: %s: allowed", ops[i].what);
		expect_outcome(name, meta_as(TENANT, -1, "/mnt/g1/file1", ops[i].op), OK);
		snprintf(name, sizeof(name), "unmarked detached tree via fchdir: %s: %s",
			 ops[i].what, judged ? "EPERM" : "not judged before 6.9, allowed");
		expect_outcome(name, meta_as(OTHER_TENANT, other, "f", ops[i].op),
			       judged ? ERR(EPERM) : OK);
		snprintf(name, sizeof(name), "marked detached tree via fchdir: %s: allowed",
			 ops[i].what);
		expect_outcome(name, meta_as(TENANT, good, "file1", ops[i].op), OK);
	}
	if (other >= 0)
		close(other);
	if (good >= 0)
		close(good);
	umount2("/mnt/ro", MNT_DETACH);
	umount2("/mnt/g1", MNT_DETACH);
}

/*
 * A view rooted deeper than the mark walk reaches (2048 levels) cannot be
 * told marked or not: refused even under shift-default allow; its twin at
 * 100 levels is attached. The chain is made with relative steps (PATH_MAX).
 */
static void test_deep(void)
{
	int top = open(".", O_RDONLY | O_DIRECTORY), i, ok = 1;

	expect(load_policy("rule shift-marks on\nshift-default allow\n") == 0,
	       "load shift-default allow (deep views)", "load failed");
	if (chdir("/mnt/t") || mkdir("deep", 0755) || chdir("deep"))
		ok = 0;
	for (i = 1; ok && i <= 2100; i++) {
		if (mkdir("d", 0755) || chdir("d"))
			ok = 0;
		if (i == 100)
			expect_attach("a view 100 levels deep, unmarked, shift-default allow: attached",
				      ".", GOOD, false, 0);
	}
	expect(ok, "a chain of 2100 directories", "mkdir/chdir failed at %d", i);
	expect_attach("a view 2100 levels deep: EPERM (too deep to judge, fail closed)", ".", GOOD,
		      false, EPERM);
	if (top >= 0) {
		if (fchdir(top))
			printf("fchdir back failed\n");
		close(top);
	}
}

static void test_tmpfs(void)
{
	struct stat st;
	int tree, err;

	sh("mkdir -p /mnt/tm && mount -t tmpfs tmpfs /mnt/tm && mkdir /mnt/tm/group1 /mnt/tm/other && "
	   "chown 100000:100000 /mnt/tm/group1");
	expect(load_policy("rule shift-marks on\nmark /mnt/tm/group1 shiftable-by 200000 origin 100000\n") ==
		       0,
	       "load a mark on tmpfs", "load failed");
	tree = idmapped_tree("/mnt/tm/group1", GOOD, false);
	if (tree == -EINVAL) {
		printf("     tmpfs has no idmapped mounts on this kernel (before 6.3): not applicable\n");
		return;
	}
	err = tree >= 0 ? attach_tree(tree, "/mnt/view") : -tree;
	if (tree >= 0)
		close(tree);
	expect(err == 0, "tmpfs: marked tree, authorized idmap: attached", "errno %d", err);
	expect_outcome("tmpfs: the tenant creates through the view",
		       use_as(TENANT, AT_FDCWD, "/mnt/view/made", O_WRONLY | O_CREAT | O_EXCL), OK);
	expect(stat("/mnt/tm/group1/made", &st) == 0 && st.st_uid == 100000,
	       "tmpfs: the file lands on disk as the origin 100000", "owner %u", st.st_uid);
	expect_outcome("tmpfs: a namespace with another root: EPERM",
		       use_as(OTHER_TENANT, AT_FDCWD, "/mnt/view/made", O_RDONLY), ERR(EPERM));
	umount2("/mnt/view", MNT_DETACH);
	expect_attach("tmpfs: idmap to another root: EPERM", "/mnt/tm/group1", WRONG_TARGET, false,
		      EPERM);
	expect_attach("tmpfs: unmarked tree: EPERM", "/mnt/tm/other", GOOD, false, EPERM);
}

/*
 * A rootless container's own mounts are not shifted views: on 6.1 every
 * mount made inside a user namespace carries that namespace in
 * mnt_userns, the superblock's own (issue 15). Under shift-default deny
 * its tmpfs and a bind of it must work; an idmapped view of an unmarked
 * tree next to it stays refused (test_attach, test_tmpfs).
 */
static int own_mounts(void *arg)
{
	const char *dir = arg;
	char a[128], b[128], path[160];
	int fd;

	if (setgid(0) || setuid(0))
		return 220;
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return 100 + errno;
	if (mount("tmpfs", dir, "tmpfs", 0, NULL))
		return 110 + errno;
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	if (mkdir(a, 0700) || mkdir(b, 0700))
		return 120 + errno;
	snprintf(path, sizeof(path), "%s/own", a);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return errno;
	close(fd);
	if (mount(a, b, NULL, MS_BIND, NULL))
		return 130 + errno;
	snprintf(path, sizeof(path), "%s/own", b);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/*
 * A rootless container idmaps a tmpfs it mounted itself (6.3+; 6.1's tmpfs
 * cannot be idmapped: 199). Nothing on it is the host's.
 */
static int own_idmapped(void *arg)
{
	const char *dir = arg;
	char path[160];
	int fd, tree;

	/* Dumpable again after setuid: the idmap's namespace is made by writing its maps. */
	if (setgid(0) || setuid(0) || prctl(PR_SET_DUMPABLE, 1))
		return 220;
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("tmpfs", dir, "tmpfs", 0, NULL))
		return 221;
	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return 222;
	close(fd);
	tree = idmapped_tree(dir, "0 1000 1000\n", false);
	if (tree == -EINVAL)
		return 199;
	if (tree < 0)
		return 223;
	fd = openat(tree, "file", O_RDONLY);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static void test_rootless_mounts(void)
{
	int tree;

	expect(load_policy(policy) == 0, "load shift-marks policy (shift-default deny)",
	       "load failed");
	mkdir("/mnt/own", 0777);
	expect_outcome("rootless container: its own tmpfs and a bind of it are usable",
		       in_userns(OTHER_TENANT, OTHER_TENANT, own_mounts, "/mnt/own"), OK);
	expect_outcome("rootless container: an idmapped view of a tmpfs it mounted itself",
		       in_userns(OTHER_TENANT, OTHER_TENANT, own_idmapped, "/mnt/own"),
		       kernel_at_least(6, 3) ? OK : ERR(199));
	tree = idmapped_tree("/mnt/s/other", OTHER_TENANT, false);
	expect(tree >= 0, "an idmapped view of the unmarked /mnt/s/other", "errno %d", -tree);
	if (tree < 0)
		return;
	expect_outcome("rootless container: an idmapped view of an unmarked tree: EPERM",
		       use_as(OTHER_TENANT, tree, ".", O_RDONLY | O_DIRECTORY), ERR(EPERM));
	close(tree);
}

/*
 * load's self-check (issue 12): on a host whose /run is an idmapped view
 * of an unmarked tree, shift-default deny would refuse every host task
 * there. Such a policy is taken back (exit 9) and the one before stays in
 * force; with shift-default allow the same load passes.
 */
static int load_with_idmapped_run(void *arg)
{
	char cmd[256];
	int tree;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return 100;
	tree = idmapped_tree("/mnt/s/other", "0 0 65536\n", false);
	if (tree < 0 || attach_tree(tree, "/run"))
		return 101;
	snprintf(cmd, sizeof(cmd), "usernsguard load %s >/tmp/selfcheck.out 2>&1", (const char *)arg);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	return 102;
}

static long long generation(void)
{
	char out[4096], *p;

	if (sh_capture(out, sizeof(out), "usernsguard status"))
		return -1;
	p = strstr(out, "(generation ");
	return p ? strtoll(p + 12, NULL, 10) : -1;
}

static void test_selfcheck(void)
{
	char out[4096];
	long long gen;
	struct outcome o;

	write_file("/tmp/sc-allow.conf", "rule shift-marks on\nshift-default allow\n");
	write_file("/tmp/sc-deny.conf", "rule shift-marks on\nshift-default deny\n");
	expect(load_policy("rule shift-marks on\nshift-default allow\n") == 0,
	       "load shift-default allow", "load failed");
	gen = generation();
	o = in_child(load_with_idmapped_run, "/tmp/sc-deny.conf");
	sh_capture(out, sizeof(out), "cat /tmp/selfcheck.out");
	expect(o.err == 9 && strstr(out, "self-check of /tmp/sc-deny.conf failed: a host task") &&
		       strstr(out, "taken back"),
	       "self-check: a policy that refuses host tasks is taken back, exit 9",
	       "exit %d: %s", o.err, out);
	expect(generation() == gen, "self-check: the policy before stays in force",
	       "generation %lld -> %lld", gen, generation());
	expect_attach("self-check: shift-default allow still in force", "/mnt/s/other",
		      WRONG_TARGET, false, 0);
	o = in_child(load_with_idmapped_run, "/tmp/sc-allow.conf");
	sh_capture(out, sizeof(out), "cat /tmp/selfcheck.out");
	expect(o.err == 0, "self-check twin: shift-default allow on the same host loads",
	       "exit %d: %s", o.err, out);
	expect(generation() == gen + 1, "self-check twin: a new generation", "%lld -> %lld", gen,
	       generation());
}

/* Marks a tenant cannot steer (issue 15): no symlink in a mark's path, no mark inside another. */
static void expect_load_refused(const char *name, const char *text, const char *message)
{
	char out[4096];
	int rc;

	write_file("/tmp/steer.conf", text);
	rc = sh_capture(out, sizeof(out), "usernsguard load /tmp/steer.conf 2>&1 | grep -v warning");
	expect(strstr(out, message) != NULL, name, "exit %d: %s", rc, out);
}

static void test_mark_resolution(void)
{
	long long gen;

	expect(load_policy(policy) == 0, "load shift-marks policy", "load failed");
	gen = generation();
	expect_load_refused("a mark through a symlink to the tree: refused",
			    "rule shift-marks on\nmark /mnt/s/alias-group1 shiftable-by 200000\n",
			    "/tmp/steer.conf:2:6: mark '/mnt/s/alias-group1': a symlink in the path");
	expect_load_refused("a mark inside another: refused",
			    "rule shift-marks on\nmark /mnt/s/group1 shiftable-by 200000\n"
			    "mark /mnt/s/group1/sub shiftable-by 300000\n",
			    "/tmp/steer.conf:3:6: mark '/mnt/s/group1/sub' is inside the mark "
			    "'/mnt/s/group1' of line 2");
	expect(generation() == gen, "refused loads change nothing", "generation %lld -> %lld", gen,
	       generation());
	expect(load_policy("rule shift-marks on\nmark /mnt/s/group1 shiftable-by 200000\n"
			   "mark /mnt/s/rotree shiftable-by 300000\n") == 0,
	       "twin: two disjoint marks, named directly: loaded", "refused");
}

/* ---- pools of roots and runtime-shaped idmaps (issue 17) ---------------- */

#define POOL_ROOT(k) (524288 + (k) * 65536)
#define NSPAWN_EXTRA "2147483646 0 1\n" /* nspawn 252's --private-users-ownership=map */

static void pool_attach(const char *name, const char *map, int want)
{
	expect_attach(name, "/mnt/s/group1", map, false, want);
}

static void test_pool(void)
{
	char map[256], other[256];
	struct stat st;
	int tree;

	/* Four roots, 524288 + k * 65536 (k < 4): nspawn's "pick" layout. */
	expect(load_policy("rule shift-marks on\n"
			   "mark /mnt/s/group1 shiftable-by pool 524288 262144 origin 100000\n") == 0,
	       "load a pool mark of 4 roots", "load failed");
	pool_attach("pool: idmap to its first root: attached", "100000 524288 65536\n", 0);
	pool_attach("pool: idmap to its last root: attached", "100000 720896 65536\n", 0);
	pool_attach("pool: two extents of one root: attached",
		    "100000 589824 1000\n101000 590824 1000\n", 0);
	pool_attach("pool: a root between blocks (530000): EPERM", "100000 530000 65536\n", EPERM);
	pool_attach("pool: a root past the pool (786432): EPERM", "100000 786432 65536\n", EPERM);
	pool_attach("pool: a root below the pool (458752): EPERM", "100000 458752 65536\n", EPERM);
	pool_attach("pool: two extents implying two roots: EPERM",
		    "100000 589824 1000\n101000 656360 1000\n", EPERM);
	pool_attach("pool: uid and gid maps to two roots: EPERM",
		    "100000 524288 65536\n|100000 589824 65536\n", EPERM);
	pool_attach("pool: idmap from another origin: EPERM", "0 524288 65536\n", EPERM);

	/* Only the namespace rooted at the view's root may use it. */
	tree = idmapped_tree("/mnt/s/group1", "100000 655360 65536\n", false);
	expect(tree >= 0, "a detached view to pool root 655360", "%d", tree);
	snprintf(map, sizeof(map), "0 %d 65536\n", POOL_ROOT(2));
	snprintf(other, sizeof(other), "0 %d 65536\n", POOL_ROOT(0));
	expect_outcome("pool: the namespace rooted at 655360 creates a file",
		       use_as(map, tree, "made-in-pool", O_WRONLY | O_CREAT | O_EXCL), OK);
	expect(stat("/mnt/s/group1/made-in-pool", &st) == 0 && st.st_uid == 100000 &&
		       st.st_gid == 100000,
	       "pool: it lands on disk as the origin 100000", "owner %u:%u", st.st_uid, st.st_gid);
	expect_outcome("pool: another root of the same pool (524288) opens it: EPERM",
		       use_as(other, tree, "file1", O_RDONLY), ERR(EPERM));
	close(tree);

	/* nspawn's extra extent: a foreign on-disk id shown as host root, only that. */
	pool_attach("pool + nspawn's 2147483646 -> host root extent: attached",
		    "100000 589824 65536\n" NSPAWN_EXTRA, 0);
	sh("usernsguard events >/dev/null");
	pool_attach("pool + on-disk root shown as host root: EPERM",
		    "100000 589824 65536\n0 0 1\n", EPERM);
	{
		char out[8192];

		sh_capture(out, sizeof(out), "usernsguard events");
		expect(strstr(out, "\"reason\":\"idmap-outside-mark\",\"mark\":{\"shiftable_by\":524288,") &&
			       strstr(out, "\"idmap\":{\"first\":100000,\"lower_first\":589824,"
					   "\"count\":65536,\"extents\":2,\"outside_mark\":{\"first\":0,"
					   "\"lower_first\":0,\"count\":1}}"),
		       "the event names the extent the mark does not allow", "%s", out);
	}
	pool_attach("pool + a foreign id shown as host uid 5: EPERM",
		    "100000 589824 65536\n2147483646 5 1\n", EPERM);
	pool_attach("pool + two foreign ids shown as host root: EPERM",
		    "100000 589824 65536\n2147483645 0 2\n", EPERM);
	pool_attach("pool + only the host-root extent: EPERM (the origin is not shown)",
		    NSPAWN_EXTRA, EPERM);
	expect(load_policy("rule shift-marks on\n"
			   "mark /mnt/s/group1 shiftable-by 200000 origin 100000\n") == 0,
	       "load a one-root mark", "load failed");
	expect_attach("one root + nspawn's extent: attached", "/mnt/s/group1", GOOD NSPAWN_EXTRA,
		      false, 0);
	expect_attach("one root: a pool's root is not it: EPERM", "/mnt/s/group1",
		      "100000 589824 65536\n", false, EPERM);
}

/* ---- runtime marks (issue 17) -------------------------------------------- */

static int mark_cmd(char *out, size_t len, const char *args)
{
	return sh_capture(out, len, "usernsguard mark %s 2>&1", args);
}

static void test_runtime_marks(void)
{
	char out[8192];
	int rc;

	expect(load_policy(policy) == 0, "load shift-marks policy", "load failed");
	expect_attach("runtime: unmarked tree, no runtime mark: EPERM", "/mnt/s/other", GOOD, false,
		      EPERM);
	sh("usernsguard events >/dev/null");
	rc = mark_cmd(out, sizeof(out), "add /mnt/s/other shiftable-by 200000 origin 100000");
	expect(rc == 0 && strstr(out, "usernsguard: marked /mnt/s/other (dev "),
	       "mark add /mnt/s/other: exit 0", "exit %d: %s", rc, out);
	rc = sh_capture(out, sizeof(out), "usernsguard events");
	expect(rc == 0 && strstr(out, "\"event\":{\"kind\":\"alert\",\"category\":[\"configuration\"],"
				      "\"type\":[\"creation\"],\"action\":\"mark-add\",\"outcome\":\"success\"") &&
		       strstr(out, "\"user\":{\"id\":\"0\"}") &&
		       strstr(out, "\"rule\":\"shift-marks\",\"verdict\":\"reported\"") &&
		       strstr(out, "\"shift\":{\"mark\":{\"shiftable_by\":200000,\"origin\":100000,"
				   "\"range\":65536,\"ro\":false}}"),
	       "mark add: one event, who marked what for whom", "exit %d: %s", rc, out);
	/* Only root of the host is heard: a user's ioctl on the marked tree is no event. */
	sh("/tests/test_hardening --as-1000 /tests/test_shift --mark-event /mnt/s/other");
	rc = sh_capture(out, sizeof(out), "usernsguard events");
	expect(rc == 0 && out[0] == '\0', "uid 1000 cannot forge a mark event", "%s", out);
	sh("/tests/test_shift --mark-event /mnt/s/other");
	rc = sh_capture(out, sizeof(out), "usernsguard events | grep -c '\"action\":\"mark-add\"'");
	expect(rc == 0 && atoi(out) == 1, "twin: root's ioctl is heard", "%s", out);
	expect_attach("runtime mark: authorized idmap attached", "/mnt/s/other", GOOD, false, 0);
	expect_attach("runtime mark: idmap to another root: EPERM", "/mnt/s/other", WRONG_TARGET,
		      false, EPERM);
	expect_outcome("runtime mark: the namespace it names opens through a view",
		       use_as(TENANT, idmapped_tree("/mnt/s/other", GOOD, false), "f", O_RDONLY),
		       OK);
	expect(load_policy(policy) == 0, "reload the policy file", "load failed");
	expect_attach("runtime mark kept across a load of the file", "/mnt/s/other", GOOD, false,
		      0);
	/* A file whose marks would nest with it is refused, and changes nothing. */
	write_file("/tmp/nest.conf", "rule shift-marks on\nmark /mnt/s shiftable-by 300000\n");
	rc = sh_capture(out, sizeof(out), "usernsguard load /tmp/nest.conf 2>&1 | grep -v warning");
	expect(strstr(out, "/tmp/nest.conf:2: the mark contains a runtime-marked tree: marks do not "
			   "nest") != NULL,
	       "load of a file mark above a runtime mark: refused", "%s", out);
	expect_attach("and the policy in force is unchanged", "/mnt/s/other", GOOD, false, 0);
	rc = mark_cmd(out, sizeof(out), "list");
	expect(rc == 0 && strstr(out, "/mnt/s/other shiftable-by 200000 origin 100000 range 65536  "
				      "(dev ") && strstr(out, ", by uid 0, "),
	       "mark list names it, with who", "exit %d: %s", rc, out);
	rc = mark_cmd(out, sizeof(out), "list --format json");
	expect(rc == 0 && strstr(out, "[{\"path\":\"/mnt/s/other\",\"device\":\"") &&
		       strstr(out, "\"shiftable_by\":200000,\"origin\":100000,\"range\":65536,"
				   "\"ro\":false,\"by_uid\":0,\"for\":null,\"added\":\""),
	       "mark list --format json", "exit %d: %s", rc, out);

	/* Resolved and checked as a file's mark is. */
	rc = mark_cmd(out, sizeof(out), "add /mnt/s/group1/sub shiftable-by 300000");
	expect(rc == 1 && strstr(out, "mark add: '/mnt/s/group1/sub' is inside a tree the policy "
				      "file marks: marks do not nest"),
	       "runtime mark inside a file mark: refused", "exit %d: %s", rc, out);
	rc = mark_cmd(out, sizeof(out), "add /mnt/s/group1 shiftable-by 300000");
	expect(rc == 1 && strstr(out, "is a tree the policy file marks"),
	       "runtime mark on a file-marked tree: refused", "exit %d: %s", rc, out);
	rc = mark_cmd(out, sizeof(out), "add /mnt/s/other shiftable-by 300000");
	expect(rc == 1 && strstr(out, "is marked already (mark remove it first)"),
	       "a second runtime mark on one tree: refused", "exit %d: %s", rc, out);
	rc = mark_cmd(out, sizeof(out), "add /mnt/s/alias-group1 shiftable-by 300000");
	expect(rc == 1 && strstr(out, "command line:2:6: mark '/mnt/s/alias-group1': a symlink in "
				      "the path"),
	       "runtime mark through a symlink: refused", "exit %d: %s", rc, out);
	rc = mark_cmd(out, sizeof(out), "add /mnt/s/other shiftable-by nobody");
	expect(rc == 2 && strstr(out, "command line:2:"),
	       "runtime mark with a bad id: usage error naming the word", "exit %d: %s", rc, out);
	rc = sh_capture(out, sizeof(out), "/tests/test_hardening --as-1000 usernsguard mark list 2>&1");
	expect(rc == 3, "mark as uid 1000: exit 3 (root only)", "exit %d: %s", rc, out);

	/* The directories above a runtime mark: a view rooted there contains it. */
	expect(load_policy("rule shift-marks on\nshift-default allow\n") == 0,
	       "load shift-default allow, no file marks", "load failed");
	rc = mark_cmd(out, sizeof(out), "add /mnt/t/group1 shiftable-by 200000 origin 100000");
	expect(rc == 0, "mark add /mnt/t/group1", "exit %d: %s", rc, out);
	expect_attach("shift-default allow: view of /mnt/t contains a runtime mark: EPERM", "/mnt/t",
		      GOOD, false, EPERM);
	rc = mark_cmd(out, sizeof(out), "remove /mnt/t/group1");
	expect(rc == 0 && strstr(out, "usernsguard: unmarked /mnt/t/group1"), "mark remove /mnt/t/group1",
	       "exit %d: %s", rc, out);
	expect_attach("twin: after the remove, view of /mnt/t: attached", "/mnt/t", GOOD, false, 0);
	rc = mark_cmd(out, sizeof(out), "remove /mnt/t/group1");
	expect(rc == 1 && strstr(out, "'/mnt/t/group1' has no runtime mark"),
	       "removing it again: refused", "exit %d: %s", rc, out);

	/* A pool, at run time. */
	expect(load_policy(policy) == 0, "load shift-marks policy", "load failed");
	rc = mark_cmd(out, sizeof(out), "remove /mnt/s/other");
	expect(rc == 0, "mark remove /mnt/s/other", "exit %d: %s", rc, out);
	expect_attach("removed: unmarked again: EPERM", "/mnt/s/other", GOOD, false, EPERM);
	rc = mark_cmd(out, sizeof(out), "add /mnt/s/other shiftable-by pool 524288 262144 origin 100000");
	expect(rc == 0, "mark add a pool", "exit %d: %s", rc, out);
	expect_attach("runtime pool mark: a pool root attached", "/mnt/s/other",
		      "100000 655360 65536\n", false, 0);
	expect_attach("runtime pool mark: a root off the blocks: EPERM", "/mnt/s/other",
		      "100000 655361 65536\n", false, EPERM);
	sh("usernsguard events >/dev/null");
	rc = mark_cmd(out, sizeof(out), "remove /mnt/s/other");
	expect(rc == 0 && strstr(out, "unmarked"), "mark remove the pool", "exit %d: %s", rc, out);
	rc = sh_capture(out, sizeof(out), "usernsguard events");
	expect(rc == 0 && strstr(out, "\"type\":[\"deletion\"],\"action\":\"mark-remove\"") &&
		       strstr(out, "\"mark\":{\"shiftable_by\":524288,\"origin\":100000,"
				   "\"range\":65536,\"ro\":false,\"pool\":{\"size\":262144,"
				   "\"block\":65536}}"),
	       "mark remove: the event describes the pool removed", "exit %d: %s", rc, out);
	rc = mark_cmd(out, sizeof(out), "list");
	expect(rc == 0 && !strcmp(out, "no runtime marks\n"), "mark list: none left", "exit %d: %s",
	       rc, out);

	/* A marked directory removed: its mark goes by the path recorded for it. */
	rc = mark_cmd(out, sizeof(out), "add /mnt/t/gone shiftable-by 200000 2>&1 || "
			"{ mkdir /mnt/t/gone && usernsguard mark add /mnt/t/gone shiftable-by 200000; }");
	expect(rc == 0, "mark add /mnt/t/gone", "exit %d: %s", rc, out);
	sh("rmdir /mnt/t/gone");
	rc = mark_cmd(out, sizeof(out), "remove /mnt/t/gone");
	expect(rc == 0 && strstr(out, "usernsguard: unmarked /mnt/t/gone"),
	       "a removed directory's mark is removed by its recorded path", "exit %d: %s", rc, out);

	/* The cap: 256, and a clear refusal past it. */
	rc = sh("mkdir -p /mnt/t/cap && i=0; while [ $i -lt 256 ]; do mkdir -p /mnt/t/cap/d$i && "
		"usernsguard mark add /mnt/t/cap/d$i shiftable-by 200000 >/dev/null || exit 1; "
		"i=$((i + 1)); done");
	expect(rc == 0, "256 runtime marks", "exit %d", rc);
	sh_capture(out, sizeof(out), "usernsguard status");
	expect(strstr(out, "runtime marks: 256 of 256 (usernsguard mark list)\n") != NULL,
	       "status counts them", "%s", out);
	rc = sh_capture(out, sizeof(out), "mkdir -p /mnt/t/x && "
			"usernsguard mark add /mnt/t/x shiftable-by 200000 2>&1");
	expect(rc == 1 && strstr(out, "mark add: 256 runtime marks already (the most there can be): "
				      "remove one first"),
	       "the 257th: refused", "exit %d: %s", rc, out);
	expect(load_policy("rule shift-marks on\nshift-default allow\n") == 0,
	       "load shift-default allow", "load failed");
	expect_attach("256 marks below /mnt/t: a view of it contains them: EPERM", "/mnt/t", GOOD,
		      false, EPERM);
	rc = sh("i=0; while [ $i -lt 256 ]; do usernsguard mark remove /mnt/t/cap/d$i >/dev/null || "
		"exit 1; i=$((i + 1)); done");
	expect(rc == 0, "all 256 removed", "exit %d", rc);
	expect_attach("twin: the directories above them are released: /mnt/t attaches", "/mnt/t",
		      GOOD, false, 0);
}

/* The OCI hook on a podman-shaped bundle (issue 17): marks at createRuntime, none after poststop. */
static void test_oci_hook(void)
{
	static const char state[] =
		"{\"ociVersion\":\"1.1.0\",\"id\":\"c0ffee\",\"status\":\"creating\","
		"\"pid\":0,\"bundle\":\"/tmp/bundle\"}";
	char out[8192];
	int rc;

	expect(load_policy(policy) == 0, "load shift-marks policy", "load failed");
	sh("mkdir -p /tmp/bundle");
	write_file("/tmp/bundle/state.json", state);
	/* podman run --userns=auto -v /mnt/s/other:/data:idmap, container root 200000. */
	write_file("/tmp/bundle/config.json",
		   "{\"ociVersion\":\"1.1.0\",\"root\":{\"path\":\"rootfs\"},\"mounts\":["
		   "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
		   "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/mnt/s/other\","
		   "\"options\":[\"idmap\",\"rbind\",\"rw\"],"
		   "\"uidMappings\":[{\"containerID\":100000,\"hostID\":200000,\"size\":65536}],"
		   "\"gidMappings\":[{\"containerID\":100000,\"hostID\":200000,\"size\":65536}]}],"
		   "\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":200000,\"size\":65536}],"
		   "\"gidMappings\":[{\"containerID\":0,\"hostID\":200000,\"size\":65536}],"
		   "\"namespaces\":[{\"type\":\"user\"},{\"type\":\"mount\"}]}}");
	expect_attach("oci: before the hook, the volume is unmarked: EPERM", "/mnt/s/other", GOOD,
		      false, EPERM);
	rc = sh_capture(out, sizeof(out),
			"usernsguard oci-hook createRuntime </tmp/bundle/state.json 2>&1");
	expect(rc == 0, "oci-hook createRuntime: exit 0", "exit %d: %s", rc, out);
	rc = sh_capture(out, sizeof(out), "usernsguard mark list");
	expect(rc == 0 && strstr(out, "/mnt/s/other shiftable-by 200000 origin 100000 range 65536") &&
		       strstr(out, ", for oci:c0ffee)"),
	       "oci: the volume is marked for the container's root", "exit %d: %s", rc, out);
	expect_attach("oci: the container's idmapped volume attaches", "/mnt/s/other", GOOD, false,
		      0);
	expect_outcome("oci: another root cannot use it",
		       use_as(OTHER_TENANT, idmapped_tree("/mnt/s/other", GOOD, false), "f",
			      O_RDONLY), ERR(EPERM));
	rc = sh_capture(out, sizeof(out), "usernsguard oci-hook poststop </tmp/bundle/state.json 2>&1");
	expect(rc == 0, "oci-hook poststop: exit 0", "exit %d: %s", rc, out);
	rc = sh_capture(out, sizeof(out), "usernsguard mark list");
	expect(rc == 0 && !strcmp(out, "no runtime marks\n"), "oci: poststop took the mark back",
	       "exit %d: %s", rc, out);
	expect_attach("oci: after poststop, unmarked again: EPERM", "/mnt/s/other", GOOD, false,
		      EPERM);

	/* The hook takes back only its own: another's mark on the same tree stays. */
	rc = mark_cmd(out, sizeof(out), "add /mnt/s/other shiftable-by 200000 origin 100000");
	expect(rc == 0, "an administrator's mark on the volume's tree", "exit %d: %s", rc, out);
	rc = sh_capture(out, sizeof(out),
			"usernsguard oci-hook createRuntime </tmp/bundle/state.json 2>&1");
	expect(rc == 1 && strstr(out, "is marked already") &&
		       strstr(out, "oci-hook: container c0ffee: no marks made"),
	       "oci: a tree marked by someone else: the hook fails", "exit %d: %s", rc, out);
	sh("usernsguard oci-hook poststop </tmp/bundle/state.json");
	rc = sh_capture(out, sizeof(out), "usernsguard mark list");
	expect(rc == 0 && strstr(out, "/mnt/s/other shiftable-by 200000") && !strstr(out, "for oci:"),
	       "oci: poststop left the administrator's mark alone", "exit %d: %s", rc, out);
	mark_cmd(out, sizeof(out), "remove /mnt/s/other");

	/* Malformed input: a clear error, and nothing marked. */
	write_file("/tmp/bundle/config.json",
		   "{\"mounts\":[{\"destination\":\"/data\",\"type\":\"bind\",\"source\":"
		   "\"/mnt/s/other\",\"options\":[\"idmap\"]}],\"linux\":{\"uidMappings\":"
		   "[{\"containerID\":0,\"hostID\":200000,\"size\":65536}],\"gidMappings\":"
		   "[{\"containerID\":0,\"hostID\":300000,\"size\":65536}]}}");
	rc = sh_capture(out, sizeof(out),
			"usernsguard oci-hook createRuntime </tmp/bundle/state.json 2>&1");
	expect(rc == 1 && strstr(out, "usernsguard: oci-hook: /tmp/bundle/config.json: config.json: "
				      "linux.gidMappings: gid 0 must map like uid 0"),
	       "oci: gid 0 mapped elsewhere: refused, naming the field", "exit %d: %s", rc, out);
	rc = sh_capture(out, sizeof(out), "echo '{\"id\":' | usernsguard oci-hook createRuntime 2>&1");
	expect(rc == 1 && strstr(out, "usernsguard: oci-hook: state: not a JSON object"),
	       "oci: a broken state: refused", "exit %d: %s", rc, out);
	rc = sh_capture(out, sizeof(out), "usernsguard mark list");
	expect(rc == 0 && !strcmp(out, "no runtime marks\n"), "oci: the refused inputs marked nothing",
	       "exit %d: %s", rc, out);
}

static void test_modes(void)
{
	long long before, after;

	expect(load_policy(policy) == 0, "load shift-marks policy", "load failed");
	before = rule_counter("shift-marks", "denied ");
	attach("/mnt/s/group1", WRONG_TARGET, false, "/mnt/view");
	after = rule_counter("shift-marks", "denied ");
	expect(before >= 0 && after == before + 1, "a refused attach adds exactly 1 to denied",
	       "before %lld after %lld", before, after);

	expect(load_policy("rule shift-marks on mode audit\n"
			   "mark /mnt/s/group1 shiftable-by 200000 origin 100000\n") == 0,
	       "load audit", "load failed");
	before = rule_counter("shift-marks", "audited ");
	expect_attach("audit: idmap to another root is attached", "/mnt/s/group1", WRONG_TARGET,
		      false, 0);
	after = rule_counter("shift-marks", "audited ");
	expect(before >= 0 && after == before + 1, "audit: the attach adds exactly 1 to audited",
	       "before %lld after %lld", before, after);

	expect(load_policy("rule shift-marks off\n") == 0, "load rule off", "load failed");
	expect_attach("rule off: unmarked tree attached", "/mnt/s/other", WRONG_TARGET, false, 0);
}

int main(int argc, char **argv)
{
	/* --mark-event DIR: the ioctl `usernsguard mark` reports a change with. */
	if (argc == 3 && !strcmp(argv[1], "--mark-event")) {
		int fd = open(argv[2], O_RDONLY | O_DIRECTORY);

		return fd < 0 || ioctl(fd, 0x554d, 11UL) != -1 ? 1 : 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	rules_off();
	expect(setup() == 0, "two ext4 images with marked and unmarked trees", "setup failed");
	test_attach();
	test_detached();
	test_contains();
	test_handle();
	test_audit_once();
	test_bind_and_namespace();
	test_read_only();
	test_metadata();
	test_deep();
	test_tmpfs();
	test_rootless_mounts();
	test_selfcheck();
	test_mark_resolution();
	test_pool();
	test_runtime_marks();
	test_oci_hook();
	test_modes();
	return summary();
}
