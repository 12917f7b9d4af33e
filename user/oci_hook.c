// SPDX-License-Identifier: GPL-2.0-only
/*
 * `usernsguard oci-hook`: an OCI hook (podman, CRI-O: hooks.d) that gives a
 * container with its own user namespace runtime marks for exactly the
 * trees it sees shifted and exactly its root, at createRuntime, and takes
 * them back at poststop. The whole plan is read and checked before any
 * mark is made, and a mark that cannot be made takes back those made
 * before it: a container gets all its marks or none (then the runtime's
 * idmapped mount is refused, and the container does not start).
 */
#include "oci_hook.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "oci_config.h"
#include "policy.h"
#include "runtime_marks.h"
#include "usernsguard.h"
#include "util.h"

#define UG_OCI_MAX_INPUT (4 << 20)

static char *read_stdin(void)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap + 1);
	size_t n;

	while (buf && (n = fread(buf + len, 1, cap - len, stdin)) > 0) {
		len += n;
		if (len == cap) {
			char *grown = cap < UG_OCI_MAX_INPUT ? realloc(buf, cap * 2 + 1) : NULL;

			if (!grown) {
				free(buf);
				return NULL;
			}
			buf = grown;
			cap *= 2;
		}
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* Whether this task is in the initial user namespace (its uid_map maps everything). */
static bool in_initial_userns(void)
{
	unsigned long long first, lower, count;
	FILE *f = fopen("/proc/self/uid_map", "r");
	bool initial = false;

	if (f) {
		initial = fscanf(f, "%llu %llu %llu", &first, &lower, &count) == 3 && first == 0 &&
			  lower == 0 && count == 4294967295ULL;
		fclose(f);
	}
	return initial;
}

static int add_marks(const struct ug_oci_state *st, const struct ug_oci_plan *plan)
{
	char tag[80], root[16], origin[16], range[16];
	size_t i;
	int ret = 0;

	ug_fmt(tag, sizeof(tag), "oci:%s", st->id);
	for (i = 0; i < plan->n && !ret; i++) {
		const struct ug_oci_mark *m = &plan->marks[i];
		char *argv[] = { (char *)"add", (char *)m->path, (char *)"shiftable-by", root,
				 (char *)"origin", origin, (char *)"range", range,
				 m->ro ? (char *)"ro" : NULL, NULL };

		ug_fmt(root, sizeof(root), "%u", m->root);
		ug_fmt(origin, sizeof(origin), "%u", m->origin);
		ug_fmt(range, sizeof(range), "%u", m->range);
		ret = ug_runtime_mark_add(m->ro ? 9 : 8, argv, tag);
	}
	if (ret) {
		/* All or none: take back what this hook marked (its tag only). */
		while (i-- > 1)
			ug_runtime_mark_remove(plan->marks[i - 1].path, true, tag);
		ug_err("oci-hook: container %s: no marks made", st->id);
	}
	return ret;
}

int ug_oci_hook_command(int argc, char **argv)
{
	struct ug_oci_state st;
	struct ug_oci_plan plan;
	char err[UG_ERR_MAX], path[PATH_MAX + 16], tag[80];
	char *state_text, *config = NULL;
	size_t len, i;
	bool create;
	int ret;

	if (argc != 2 || (strcmp(argv[1], "createRuntime") && strcmp(argv[1], "poststop"))) {
		ug_err("usage: usernsguard oci-hook createRuntime|poststop (the OCI state on stdin)");
		return UG_EXIT_USAGE;
	}
	create = !strcmp(argv[1], "createRuntime");
	ret = ug_env_require_root();
	if (ret)
		return ret;
	/*
	 * Rootless podman runs its hooks as root of the user's namespace: the
	 * host's pins are not its to read, and what it mounts is its own.
	 */
	if (!in_initial_userns()) {
		fprintf(stderr, "usernsguard: oci-hook: not the host's root (a rootless "
				"runtime): nothing to mark\n");
		return UG_EXIT_OK;
	}
	state_text = read_stdin();
	if (!state_text) {
		ug_err("oci-hook: reading the state from stdin: %s", strerror(errno ? errno : EFBIG));
		return UG_EXIT_INVALID;
	}
	ret = ug_oci_state_parse(state_text, &st, err, sizeof(err));
	free(state_text);
	if (ret) {
		ug_err("oci-hook: %s", err);
		return UG_EXIT_INVALID;
	}
	ug_fmt(path, sizeof(path), "%s/config.json", st.bundle);
	ret = ug_read_file(path, UG_OCI_MAX_INPUT, &config, &len);
	if (ret) {
		ug_err("oci-hook: %s: %s", path, strerror(-ret));
		return UG_EXIT_UNREADABLE;
	}
	ret = ug_oci_config_plan(config, st.bundle, &plan, err, sizeof(err));
	free(config);
	if (ret) {
		ug_err("oci-hook: %s: %s", path, err);
		return UG_EXIT_INVALID;
	}
	if (!plan.n)
		return UG_EXIT_OK;
	/* Nothing enforces without the pins: no mark is needed, and the container may start. */
	if (access(UG_PIN_DIR "/ug_marks", F_OK) && errno == ENOENT) {
		fprintf(stderr, "usernsguard: oci-hook: not loaded: container %s needs no mark\n",
			st.id);
		return UG_EXIT_OK;
	}
	if (create)
		return add_marks(&st, &plan);
	ug_fmt(tag, sizeof(tag), "oci:%s", st.id);
	for (i = 0; i < plan.n; i++)
		ug_runtime_mark_remove(plan.marks[i].path, true, tag);
	return UG_EXIT_OK;
}
