// SPDX-License-Identifier: GPL-2.0-only
/*
 * Run in a guest booted with an lsm= list that leaves out bpf: load must
 * fail with exit 5 and one line naming the problem, and leave nothing.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guest_test.h"

int main(void)
{
	static char out[1 << 16];
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	write_file("/tmp/a.conf", "rule overflow-transitions on\n");
	rc = sh_capture(out, sizeof(out), "usernsguard load /tmp/a.conf");
	expect(rc == 5 && strstr(out, "BPF LSM is not active: /sys/kernel/security/lsm is '") &&
		       strstr(out, "add bpf to the lsm= boot parameter"),
	       "BPF LSM inactive: load exits 5 with one line", "exit %d: %s", rc, out);
	expect(access("/sys/fs/bpf/usernsguard", F_OK) != 0, "nothing pinned", "pins exist");
	rc = sh_capture(out, sizeof(out), "usernsguard probe");
	expect(rc == 5 && strstr(out, "BPF LSM active") && strstr(out, " NO "),
	       "probe: exit 5 and says why", "exit %d: %s", rc, out);
	rc = sh_capture(out, sizeof(out), "usernsguard check /tmp/a.conf");
	expect(rc == 0, "check still works (it touches no kernel state)", "exit %d: %s", rc, out);
	return summary();
}
