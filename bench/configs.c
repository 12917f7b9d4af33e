// SPDX-License-Identifier: GPL-2.0-only
/*
 * The three configurations compared in one boot. The floor is an empty
 * program on each hook usernsguard uses (generated from its object), so
 * "usernsguard / floor" is what the rules themselves cost; usernsguard is
 * loaded through its own command line, exactly as an administrator would.
 */
#include <stdio.h>
#include <stdlib.h>

#include <bpf/libbpf.h>

#include "bench.h"
#include "floor.skel.h"

const char *const bench_config_names[CONFIG_COUNT] = {
	[CONFIG_NONE] = "none",
	[CONFIG_FLOOR] = "floor",
	[CONFIG_UG] = "usernsguard",
};

static struct floor_bpf *floor_skel;

int bench_attach(enum bench_config config)
{
	switch (config) {
	case CONFIG_NONE:
		return 0;
	case CONFIG_FLOOR:
		floor_skel = floor_bpf__open_and_load();
		if (!floor_skel || floor_bpf__attach(floor_skel)) {
			fprintf(stderr, "bench: cannot attach the floor programs\n");
			floor_bpf__destroy(floor_skel);
			floor_skel = NULL;
			return -1;
		}
		return 0;
	case CONFIG_UG:
		if (system("usernsguard load /bench-policy.conf >/dev/null")) {
			fprintf(stderr, "bench: usernsguard load failed\n");
			return -1;
		}
		return 0;
	default:
		return -1;
	}
}

void bench_detach(enum bench_config config)
{
	if (config == CONFIG_FLOOR) {
		floor_bpf__destroy(floor_skel);
		floor_skel = NULL;
	} else if (config == CONFIG_UG && system("usernsguard unload >/dev/null")) {
		fprintf(stderr, "bench: usernsguard unload failed\n");
		bench_errors++;
	}
}
