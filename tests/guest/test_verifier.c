// SPDX-License-Identifier: GPL-2.0-only
/*
 * Verifier headroom: every program must load, and the verifier must
 * process well under its 1,000,000-instruction limit for each, so that a
 * later kernel's stricter or costlier analysis does not tip one over.
 * Deterministic for a given kernel and object: no timing involved.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_test.h"

/*
 * Per program: a quarter of the kernel's 1,000,000. It was 600,000 until
 * session 11, when rule 3's judgement became global subprograms
 * (ug_shift_judge(), ug_idmap_conforms(), ug_shift_refuse()) checked once
 * per program instead of at every call site: path_rename went from
 * 553,373 to about 12,000 on 6.18, and the largest program is now
 * inode_permission (108,035 on 6.18, 84,485 on 6.12, 33,365 on 7.3.4).
 */
#define HEADROOM_LIMIT 250000
/*
 * All programs together: what a load costs. 6.18 processed 4,831,690
 * before the change (281 s of verifying in a TCG guest) and
 * 626,435 after it; the limit is about twice that, so that a change
 * which makes every hook pay for rule 3 again fails here.
 */
#define TOTAL_LIMIT 1200000

int main(void)
{
	static char out[1 << 20];
	char *p, name[64];

	int rc, programs = 0;
	long total = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sh("usernsguard unload >/dev/null 2>&1");
	write_file("/tmp/policy.conf", "rule overflow-transitions on\nrule most-restrictive on\n"
					 "rule shift-marks on\n");
	/* The full debug log is megabytes of relocations: keep the statistics. */
	rc = sh_capture(out, sizeof(out),
			"usernsguard -d load /tmp/policy.conf >/tmp/verifier.log 2>&1; rc=$?; "
			"grep -E 'PROG LOAD LOG|^processed ' /tmp/verifier.log; exit $rc");
	expect(rc == 0, "load with verifier statistics", "exit %d", rc);
	/* A refused program: the verifier's last words say why. */
	if (rc)
		sh("grep -B 14 'failed to load: ' /tmp/verifier.log | head -n 14");
	/* libbpf: prog 'NAME': -- BEGIN PROG LOAD LOG -- ... processed N insns ... */
	for (p = strstr(out, "-- BEGIN PROG LOAD LOG --"); p;
	     p = strstr(p + 1, "-- BEGIN PROG LOAD LOG --")) {
		char *line = p, *end = strstr(p, "-- END PROG LOAD LOG --"), *processed;
		long insns;

		while (line > out && line[-1] != '\n')
			line--;
		processed = strstr(p, "processed ");
		if (!end || !processed || processed > end ||
		    sscanf(line, "libbpf: prog '%63[^']'", name) != 1)
			continue;
		insns = strtol(processed + strlen("processed "), NULL, 10);
		programs++;
		total += insns;
		printf("     %-28s %7ld instructions processed\n", name, insns);
		expect(insns > 0 && insns < HEADROOM_LIMIT, name, "%ld instructions processed", insns);
	}
	expect(programs >= 17, "statistics seen for every program", "%d programs", programs);
	expect(total > 0 && total < TOTAL_LIMIT, "instructions processed by the whole load",
	       "%ld in all", total);
	sh("usernsguard unload >/dev/null 2>&1");
	return summary();
}
