// SPDX-License-Identifier: GPL-2.0-only
/*
 * The configurations compared in one boot. The floor is an empty program
 * on each hook usernsguard uses (generated from its object), so
 * "usernsguard / floor" is what the rules themselves cost; the needed
 * floor (bench/needed.bpf.c) adds, on the hooks the workloads cross, the
 * work the rules cannot decide without, so that a cell above 1.03 of the
 * empty floor shows how much of it is that work; usernsguard is
 * loaded through its own command line, exactly as an administrator would,
 * with three policies: rule 1 alone, rules 1 and 3, every rule. They are
 * measured in that order, each load replacing the last (programs a policy
 * does not need are detached by the load itself), and unloaded after the
 * last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "floor.skel.h"
#include "needed.skel.h"

const char *const bench_config_names[CONFIG_COUNT] = {
	[CONFIG_NONE] = "none",
	[CONFIG_FLOOR] = "floor",
	[CONFIG_NEEDED] = "needed",
	[CONFIG_UG_R1] = "ug-rule1",
	[CONFIG_UG_R13] = "ug-rules13",
	[CONFIG_UG] = "usernsguard",
};

static struct floor_bpf *floor_skel;
static struct needed_bpf *needed_skel;

/*
 * The floor has a program on every hook usernsguard's object names; the
 * hooks that came later (file_truncate and the ACL hooks in 6.2) are
 * absent on older kernels, where usernsguard leaves them out too
 * (user/hooks.c): so does the floor.
 */
static void skip_absent_hooks(struct bpf_object *obj)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct bpf_program *prog;
	char name[128];

	if (!vmlinux)
		return;
	bpf_object__for_each_program(prog, obj) {
		const char *sec = bpf_program__section_name(prog);
		const struct btf_type *fn, *proto;
		int id;

		if (strncmp(sec, "lsm/", 4))
			continue;
		snprintf(name, sizeof(name), "bpf_lsm_%s", sec + 4);
		id = btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC);
		fn = id > 0 ? btf__type_by_id(vmlinux, id) : NULL;
		proto = fn ? btf__type_by_id(vmlinux, fn->type) : NULL;
		/* inode_setattr took the mount's idmap in 6.9: before, usernsguard skips it. */
		if (!proto || (!strcmp(sec, "lsm/inode_setattr") && btf_vlen(proto) != 3))
			bpf_program__set_autoload(prog, false);
	}
	btf__free(vmlinux);
}

int bench_attach(enum bench_config config)
{
	switch (config) {
	case CONFIG_NONE:
		return 0;
	case CONFIG_FLOOR:
		floor_skel = floor_bpf__open();
		if (floor_skel)
			skip_absent_hooks(floor_skel->obj);
		if (!floor_skel || floor_bpf__load(floor_skel) || floor_bpf__attach(floor_skel)) {
			fprintf(stderr, "bench: cannot attach the floor programs\n");
			floor_bpf__destroy(floor_skel);
			floor_skel = NULL;
			return -1;
		}
		return 0;
	case CONFIG_NEEDED:
		needed_skel = needed_bpf__open();
		if (needed_skel) {
			struct bpf_map *map;

			skip_absent_hooks(needed_skel->obj);
			/* The product's headers declare its maps; the floor uses only its own. */
			bpf_object__for_each_map(map, needed_skel->obj)
				if (strncmp(bpf_map__name(map), "needed_", 7))
					bpf_map__set_autocreate(map, false);
		}
		if (!needed_skel || needed_bpf__load(needed_skel) || needed_bpf__attach(needed_skel)) {
			fprintf(stderr, "bench: cannot attach the needed floor\n");
			needed_bpf__destroy(needed_skel);
			needed_skel = NULL;
			return -1;
		}
		return 0;
	case CONFIG_UG_R1:
	case CONFIG_UG_R13:
	case CONFIG_UG:
		if (system(config == CONFIG_UG_R1    ? "usernsguard load /bench-policy-r1.conf >/dev/null" :
			   config == CONFIG_UG_R13   ? "usernsguard load /bench-policy-r13.conf >/dev/null" :
						       "usernsguard load /bench-policy.conf >/dev/null")) {
			fprintf(stderr, "bench: usernsguard load (%s) failed\n",
				bench_config_names[config]);
			return -1;
		}
		return 0;
	default:
		return -1;
	}
}

void bench_detach(enum bench_config config)
{
	/* The next policy's load replaces these; the last one unloads. */
	if (config == CONFIG_UG_R1 || config == CONFIG_UG_R13)
		return;
	if (config == CONFIG_FLOOR) {
		floor_bpf__destroy(floor_skel);
		floor_skel = NULL;
	} else if (config == CONFIG_NEEDED) {
		needed_bpf__destroy(needed_skel);
		needed_skel = NULL;
	} else if (config == CONFIG_UG && system("usernsguard unload >/dev/null")) {
		fprintf(stderr, "bench: usernsguard unload failed\n");
		bench_errors++;
	}
}
