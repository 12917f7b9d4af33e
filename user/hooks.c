// SPDX-License-Identifier: GPL-2.0-only
/*
 * Optional hooks (issue 15). One object serves every kernel of the matrix,
 * but some hooks came later or changed their arguments: file_truncate and
 * the POSIX ACL hooks appeared in 6.2, and inode_setattr was given the
 * mount's idmap in 6.9. Such a program is left unloaded where the kernel
 * lacks its hook as the program expects it; what it would judge is listed
 * as not judged on that kernel (README, rule 3). Every other hook must be
 * there: its absence fails the load, as before.
 */
#include "hooks.h"

#include <errno.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "util.h"

struct ug_optional_hook {
	const char *hook;
	unsigned int nargs; /* the arguments the program expects */
	const char *since;
};

static const struct ug_optional_hook optional_hooks[] = {
	{ "file_truncate", 1, "6.2" },
	{ "inode_set_acl", 4, "6.2" },
	{ "inode_remove_acl", 3, "6.2" },
	{ "inode_setattr", 3, "6.9" },
};

const char *ug_prog_hook(const struct bpf_program *prog)
{
	const char *section = bpf_program__section_name(prog);
	const char *hook = strchr(section, '/');

	return hook ? hook + 1 : section;
}

enum ug_hook_state ug_hook_state(const struct btf *vmlinux, const struct bpf_program *prog,
				 const char **since)
{
	const char *hook = ug_prog_hook(prog);
	const struct ug_optional_hook *opt = NULL;
	const struct btf_type *func, *proto;
	char name[96];
	size_t i;
	int id;

	for (i = 0; i < sizeof(optional_hooks) / sizeof(optional_hooks[0]); i++)
		if (!strcmp(optional_hooks[i].hook, hook))
			opt = &optional_hooks[i];
	if (since)
		*since = opt ? opt->since : NULL;
	/* A tracepoint (tp_btf/) is described by its btf_trace_ typedef. */
	if (!strncmp(bpf_program__section_name(prog), "tp_btf/", 7)) {
		ug_fmt(name, sizeof(name), "btf_trace_%s", hook);
		id = btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF);
		return id > 0 ? UG_HOOK_PRESENT : UG_HOOK_MISSING;
	}
	/* A traced kernel function (fexit/) by its own name. */
	if (!strncmp(bpf_program__section_name(prog), "fexit/", 6)) {
		id = btf__find_by_name_kind(vmlinux, hook, BTF_KIND_FUNC);
		return id > 0 ? UG_HOOK_PRESENT : UG_HOOK_MISSING;
	}
	ug_fmt(name, sizeof(name), "bpf_lsm_%s", hook);
	id = btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC);
	if (id <= 0)
		return opt ? UG_HOOK_ABSENT_OPTIONAL : UG_HOOK_MISSING;
	if (!opt)
		return UG_HOOK_PRESENT;
	func = btf__type_by_id(vmlinux, id);
	proto = func ? btf__type_by_id(vmlinux, func->type) : NULL;
	if (!proto || !btf_is_func_proto(proto) || btf_vlen(proto) != opt->nargs)
		return UG_HOOK_ABSENT_OPTIONAL;
	return UG_HOOK_PRESENT;
}

int ug_hooks_select(struct bpf_object *obj)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct bpf_program *prog;
	int err;

	if (!vmlinux) {
		err = -errno;
		ug_err("reading the kernel's BTF: %s", strerror(-err));
		return err;
	}
	bpf_object__for_each_program(prog, obj)
		if (ug_hook_state(vmlinux, prog, NULL) == UG_HOOK_ABSENT_OPTIONAL)
			bpf_program__set_autoload(prog, false);
	btf__free(vmlinux);
	return 0;
}
