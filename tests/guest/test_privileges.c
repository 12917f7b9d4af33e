// SPDX-License-Identifier: GPL-2.0-only
/*
 * The loader under the privileges the packaged unit gives it (issue 12):
 * the capability bounding set is read from the shipped unit file, every
 * other capability is dropped (CAP_SYSLOG with them, so /proc/kallsyms
 * reads as zeros), and then, with every rule enforcing:
 *  - host tasks (initial user namespace) are never judged: opens, execs,
 *    names made and removed, an idmapped-free host keeps working and every
 *    counter stays 0;
 *  - a container is still judged;
 *  - a capability load needs and the unit lacks is a clear refusal (exit 3
 *    naming it) that leaves nothing loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "guest_test.h"

#define UNIT "/etc/usernsguard.service.in"
#define MAP "0 100000 65536\n"

static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};
#define N_CAPS ((int)(sizeof(cap_names) / sizeof(cap_names[0])))

/* Every rule enforcing, and a tree the host may use shifted (so may its tenant). */
static const char enforce_all[] = "rule overflow-transitions on\n"
				  "rule most-restrictive on\n"
				  "rule shift-marks on\n"
				  "mark /mnt/p/tree shiftable-by 200000 origin 100000\n";

/* The unit's CapabilityBoundingSet= as a set of capability numbers. */
static bool unit_caps[N_CAPS];

static int read_unit_caps(void)
{
	char line[1024], *tok;
	int found = 0, i;
	FILE *f = fopen(UNIT, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "CapabilityBoundingSet=", 22))
			continue;
		for (tok = strtok(line + 22, " \n"); tok; tok = strtok(NULL, " \n"))
			for (i = 0; i < N_CAPS; i++)
				if (!strcmp(tok, cap_names[i])) {
					unit_caps[i] = true;
					found++;
				}
	}
	fclose(f);
	return found;
}

struct run {
	int drop[2];     /* capabilities of the unit's set to leave out too, or -1 */
	const char *cmd; /* run by sh after the drop */
};

/* Keep only the unit's capabilities, less r->drop, in the bounding set; run r->cmd. */
static int run_restricted(void *arg)
{
	const struct run *r = arg;
	int i;

	for (i = 0; i <= CAP_LAST_CAP; i++)
		if ((i >= N_CAPS || !unit_caps[i] || i == r->drop[0] || i == r->drop[1]) &&
		    prctl(PR_CAPBSET_DROP, i, 0, 0, 0))
			return 200;
	execl("/bin/sh", "sh", "-c", r->cmd, (char *)NULL);
	return 201;
}

/* Exit status of @cmd run as root under the unit's bounding set less @drop1, @drop2. */
static int as_unit(int drop1, int drop2, const char *cmd)
{
	struct run r = { { drop1, drop2 }, cmd };

	return in_child(run_restricted, &r).err;
}

static long long all_counters(void)
{
	static const char *const rules[] = { "overflow-transitions", "most-restrictive",
					     "shift-marks" };
	long long sum = 0;
	size_t i;

	for (i = 0; i < 3; i++) {
		long long d = rule_counter(rules[i], "denied "), a = rule_counter(rules[i], "audited ");

		if (d < 0 || a < 0)
			return -1;
		sum += d + a;
	}
	return sum;
}

static int container_open(void *arg)
{
	int fd;

	(void)arg;
	if (setgid(0) || setuid(0))
		return 220;
	fd = open("/tmp/priv/r-0707", O_RDONLY);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static void test_unit_privileges(void)
{
	char out[4096];
	long long before, after;
	int rc, tree;

	expect(read_unit_caps() >= 3, "the shipped unit's CapabilityBoundingSet= is read",
	       "%s: no capabilities found", UNIT);
	expect(!unit_caps[CAP_SYSLOG], "the unit's bounding set has no CAP_SYSLOG", "it has");
	rc = as_unit(-1, -1, "awk '$3 == \"init_user_ns\" { print $1 }' /proc/kallsyms | "
			 "grep -qx 0000000000000000");
	expect(rc == 0, "under the unit's bounding set /proc/kallsyms reads as zeros",
	       "exit %d", rc);

	rc = sh("grep -q '^loop ' /proc/modules || insmod /lib/modules/loop.ko; mkdir -p /mnt/p /mnt/pview && "
		"dd if=/dev/zero of=/tmp/p.img bs=1M count=8 2>/dev/null && mke2fs -F /tmp/p.img >/dev/null && "
		"mount -t ext4 -o loop /tmp/p.img /mnt/p && mkdir /mnt/p/tree && touch /mnt/p/tree/file && "
		"chown -R 100000:100000 /mnt/p/tree");
	expect(rc == 0, "an ext4 image with a marked tree", "exit %d", rc);
	write_file("/tmp/priv.conf", enforce_all);
	sh("usernsguard unload >/dev/null 2>&1");
	rc = as_unit(-1, -1, "usernsguard load /tmp/priv.conf >/tmp/priv.out 2>&1");
	expect(rc == 0, "load under the unit's bounding set, every rule enforcing, self-check passed",
	       "exit %d", rc);
	before = all_counters();
	rc = sh("cat /etc/passwd >/dev/null && /bin/true && ls / >/dev/null && "
		"mkdir -p /tmp/priv && touch /tmp/priv/f && chmod 0600 /tmp/priv/f && "
		"mv /tmp/priv/f /tmp/priv/g && ln /tmp/priv/g /tmp/priv/h && rm /tmp/priv/g /tmp/priv/h && "
		"touch /tmp/priv/r-0707 && chmod 0707 /tmp/priv/r-0707 && cat /tmp/priv/r-0707");
	expect(rc == 0, "host tasks: reads, execs, names made and removed all work", "exit %d", rc);
	/* The host may use any view (on 6.12 a host taken for a namespace was refused here). */
	tree = idmapped_tree("/mnt/p/tree", "100000 200000 65536\n", false);
	rc = tree < 0 ? -tree : attach_tree(tree, "/mnt/pview");
	expect(rc == 0, "host: attaches an authorized view of the marked tree", "errno %d", rc);
	if (tree >= 0)
		close(tree);
	rc = sh("cat /mnt/pview/file && ls /mnt/pview >/dev/null");
	expect(rc == 0, "host: reads through the view", "exit %d", rc);
	umount2("/mnt/pview", MNT_DETACH);
	after = all_counters();
	expect(before == 0 && after == 0, "host tasks: no rule counted anything",
	       "before %lld, after %lld", before, after);
	before = rule_counter("most-restrictive", "denied ");
	expect_outcome("a container is still judged: 0707 file of an unmapped owner: EACCES",
		       in_userns(MAP, MAP, container_open, NULL), ERR(EACCES));
	after = rule_counter("most-restrictive", "denied ");
	expect(after == before + 1, "the container's denial is counted once", "%lld -> %lld",
	       before, after);
	sh("chmod 0777 /tmp/priv/r-0707");
	expect_outcome("twin: the same file at 0777 opens in the container",
		       in_userns(MAP, MAP, container_open, NULL), OK);

	/* Capabilities the loader needs, each missing in turn. */
	sh("usernsguard unload >/dev/null 2>&1");
	rc = as_unit(CAP_PERFMON, CAP_SYS_ADMIN, "usernsguard load /tmp/priv.conf >/tmp/priv.out 2>&1");
	sh_capture(out, sizeof(out), "cat /tmp/priv.out");
	expect(rc == 3 && strstr(out, "missing capability CAP_PERFMON"),
	       "without CAP_PERFMON (and CAP_SYS_ADMIN): exit 3 naming it",
	       "exit %d: %s", rc, out);
	rc = as_unit(CAP_PERFMON, -1, "usernsguard load /tmp/priv.conf >/tmp/priv.out 2>&1");
	sh_capture(out, sizeof(out), "cat /tmp/priv.out");
	expect(rc == 0, "twin: without CAP_PERFMON but with CAP_SYS_ADMIN: loads", "exit %d: %s",
	       rc, out);
	sh("usernsguard unload >/dev/null 2>&1");
	expect(access("/sys/fs/bpf/usernsguard", F_OK) != 0, "unloaded", "pins left");
	rc = as_unit(CAP_BPF, CAP_SYS_ADMIN, "usernsguard load /tmp/priv.conf >/tmp/priv.out 2>&1");
	sh_capture(out, sizeof(out), "cat /tmp/priv.out");
	expect(rc == 3 && strstr(out, "missing capability CAP_BPF"),
	       "without CAP_BPF and CAP_SYS_ADMIN: exit 3 naming CAP_BPF", "exit %d: %s", rc, out);
	expect(access("/sys/fs/bpf/usernsguard", F_OK) != 0,
	       "a refused load leaves nothing pinned", "pins exist");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	sh("usernsguard unload >/dev/null 2>&1");
	test_unit_privileges();
	sh("usernsguard unload >/dev/null 2>&1; umount /mnt/p");
	return summary();
}
