/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef UG_HOOKS_H
#define UG_HOOKS_H

#include <stdbool.h>

struct bpf_object;
struct bpf_program;
struct btf;

enum ug_hook_state {
	UG_HOOK_PRESENT,
	UG_HOOK_ABSENT_OPTIONAL, /* an optional hook this kernel lacks, or has with other arguments */
	UG_HOOK_MISSING,         /* a hook every kernel must have: a load would fail */
};

/* The LSM hook a program attaches to ("file_open" for "lsm/file_open"). */
const char *ug_prog_hook(const struct bpf_program *prog);
/* Whether @vmlinux has @prog's hook as the program expects it; *since: the kernel that added it. */
enum ug_hook_state ug_hook_state(const struct btf *vmlinux, const struct bpf_program *prog,
				 const char **since);
/* Leave every optional program this kernel cannot take unloaded. 0 or -errno. */
int ug_hooks_select(struct bpf_object *obj);

#endif /* UG_HOOKS_H */
