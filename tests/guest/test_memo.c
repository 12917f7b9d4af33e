// SPDX-License-Identifier: GPL-2.0-only
/*
 * Rule 2's per-task memo (bpf/memo.bpf.h) must never outlive the cred it
 * was made under. Namespaces with long maps (more than five extents, the
 * memo's domain): a task whose namespace maps a file's owner opens it,
 * twice so the second answer comes from the memo; then the same task
 * moves into a nested namespace that does not map that owner and must be
 * narrowed (its twin that does map it must not). A loop of fresh
 * namespaces alternating the two maps checks that recycled creds never
 * inherit an answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_test.h"

#define DIR_PATH "/tmp/memo"
#define FILE_NAME "owned-by-200000"
#define FILE_PATH DIR_PATH "/" FILE_NAME

/* Host 200000 is namespace id 100 in MAP_WITH, absent from MAP_WITHOUT. */
#define FILLERS                                                                \
	"1000 301000 5\n1010 301010 5\n1020 301020 5\n1030 301030 5\n1040 301040 5\n"
#define MAP_WITH "0 100000 1\n100 200000 1\n" FILLERS
#define MAP_WITHOUT "0 100000 1\n101 200001 1\n" FILLERS
/* Nested maps, in the ids of a MAP_WITH namespace: with and without its id 100. */
#define NESTED_WITH "0 0 1\n100 100 1\n1000 1000 5\n1010 1010 5\n1020 1020 5\n1030 1030 5\n"
#define NESTED_WITHOUT "0 0 1\n1000 1000 5\n1010 1010 5\n1020 1020 5\n1030 1030 5\n1040 1040 5\n"

static int become_root(void)
{
	return setgroups(0, NULL) || setresgid(0, 0, 0) || setresuid(0, 0, 0) ? 200 : 0;
}

/*
 * Relative to the working directory, which has the file's owner: every id
 * the lookup asks about is that owner, so a stale memo would answer.
 */
static int open_file(void)
{
	int fd = open(FILE_NAME, O_RDONLY);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* Open the file twice from the working directory; both outcomes must agree. */
static int open_twice_here(void)
{
	int first, second;

	first = open_file();
	second = open_file();
	return first == second ? first : 201;
}

/* Root of the namespace, in the file's directory. */
static int open_twice(void *arg)
{
	(void)arg;
	if (become_root() || chdir(DIR_PATH))
		return 200;
	return open_twice_here();
}

/*
 * In one task: root of a namespace that maps the owner opens the file
 * (its memo now says "mapped"), then the same task unshares a nested
 * namespace with @arg as its maps, written by a helper that stays in the
 * outer namespace, becomes its root and opens the file again.
 */
static int open_then_nest(void *arg)
{
	const char *map = arg;
	int ready[2], done[2], status;
	char ok = 0, c = 0;
	pid_t helper;

	if (become_root() || open_twice(NULL) != 0)
		return 202;
	/*
	 * Changing ids made the task non-dumpable, so its /proc files belong
	 * to host root, which this namespace does not map: the helper could
	 * not open uid_map (and rule 2 would narrow it anyway).
	 */
	if (prctl(PR_SET_DUMPABLE, 1))
		return 203;
	if (pipe(ready) || pipe(done))
		return 203;
	helper = fork();
	if (helper == 0) {
		pid_t task = getppid();

		ok = read(ready[0], &c, 1) != 1 ? 'r' : write_proc(task, "uid_map", map) ? 'u' :
		     write_proc(task, "gid_map", map) ? 'g' : 'y';
		if (ok != 'y')
			fprintf(stderr, "memo: helper: step %c: %s\n", ok, strerror(errno));
		_exit(write(done[1], &ok, 1) == 1 ? 0 : 1);
	}
	if (unshare(CLONE_NEWUSER)) {
		fprintf(stderr, "memo: unshare: %s\n", strerror(errno));
		return 205;
	}
	if (write(ready[1], &c, 1) != 1 || read(done[0], &ok, 1) != 1)
		ok = 0;
	waitpid(helper, &status, 0);
	if (ok != 'y')
		return 204;
	/* No path walk before the open: the first question is about the file's owner. */
	if (become_root())
		return 206;
	return open_twice_here();
}

int main(void)
{
	int i, wrong = 0;

	mkdir(DIR_PATH, 0755);
	write_file(FILE_PATH, "x\n");
	expect(!chown(DIR_PATH, 200000, 200000) && !chown(FILE_PATH, 200000, 200000) &&
	       !chmod(FILE_PATH, 0707), "setup", "a 0755 directory and a 0707 file owned by 200000");
	expect(load_policy("rule most-restrictive on\n") == 0, "load most-restrictive", " ");

	expect_outcome("long map with the owner: allowed, twice", in_userns(MAP_WITH, MAP_WITH, open_twice, NULL), OK);
	expect_outcome("long map without the owner: EACCES, twice",
		       in_userns(MAP_WITHOUT, MAP_WITHOUT, open_twice, NULL), ERR(EACCES));
	expect_outcome("same task, nested namespace without the owner, after its memo said mapped: EACCES",
		       in_userns(MAP_WITH, MAP_WITH, open_then_nest, NESTED_WITHOUT), ERR(EACCES));
	expect_outcome("same task, nested twin that maps the owner: allowed",
		       in_userns(MAP_WITH, MAP_WITH, open_then_nest, NESTED_WITH), OK);

	/* Fresh tasks and creds, recycled addresses: every answer must follow the map. */
	for (i = 0; i < 60; i++) {
		bool mapped = i % 2 == 0;
		struct outcome got = in_userns(mapped ? MAP_WITH : MAP_WITHOUT,
					       mapped ? MAP_WITH : MAP_WITHOUT, open_twice, NULL);

		wrong += got.killed || got.err != (mapped ? 0 : EACCES);
	}
	expect(wrong == 0, "60 alternating namespaces: every open follows its own map",
	       "%d wrong", wrong);

	sh("usernsguard unload >/dev/null");
	expect_outcome("unloaded: long map without the owner: allowed",
		       in_userns(MAP_WITHOUT, MAP_WITHOUT, open_twice, NULL), OK);
	return summary();
}
