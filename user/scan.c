// SPDX-License-Identifier: GPL-2.0-only
/*
 * `usernsguard scan`: the namespaces alive now (userns_scan.c), the marks
 * of the policy in force (pinned maps), the lint (idmap_lint.c), the
 * report (scan_format.c).
 */
#include "scan.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "idmap_lint.h"
#include "overflow_scan.h"
#include "policy.h"
#include "policy_files.h"
#include "policy_maps.h"
#include "scan_format.h"
#include "userns_scan.h"
#include "util.h"

/* The mark's path from the policy files it was loaded from, if they still say so. */
static void mark_path(const struct ug_policy_src *src, struct ug_scan_mark *m)
{
	for (size_t i = 0; src && i < src->n_marks; i++) {
		const struct ug_mark_src *s = &src->marks[i];

		/* A pool of a user's subids was resolved at load: the line says which. */
		if (s->where.line == m->line &&
		    (s->pool_user || s->shiftable_by == m->shiftable_by) &&
		    s->origin == m->origin && s->range == m->range) {
			ug_fmt(m->path, sizeof(m->path), "%s", s->path);
			return;
		}
	}
}

/* Runtime marks (`usernsguard mark add`) join the file's, named "runtime" (line 0). */
static void read_runtime_marks(struct ug_scan_policy *p)
{
	int marks = bpf_obj_get(UG_PIN_DIR "/ug_runtime_marks");
	int paths = bpf_obj_get(UG_PIN_DIR "/ug_runtime_paths");
	struct ug_mark_key key, next;
	bool first = true;

	while (marks >= 0 && paths >= 0 && p->n_marks < UG_MAX_EXEMPTIONS + UG_MAX_RUNTIME_MARKS &&
	       !bpf_map_get_next_key(paths, first ? NULL : &key, &next)) {
		struct ug_runtime_mark_info info;
		struct ug_scan_mark *grown, *m;
		struct ug_mark mark;

		first = false;
		key = next;
		if (bpf_map_lookup_elem(paths, &key, &info) || bpf_map_lookup_elem(marks, &key, &mark))
			continue;
		grown = realloc(p->marks, (p->n_marks + 1) * sizeof(*grown));
		if (!grown)
			break;
		p->marks = grown;
		m = &p->marks[p->n_marks++];
		memset(m, 0, sizeof(*m));
		m->shiftable_by = mark.shiftable_by;
		m->origin = mark.origin;
		m->range = mark.range;
		m->ro = mark.flags & UG_MARK_RO;
		if (mark.flags & UG_MARK_POOL) {
			m->pool_size = mark.pool_size;
			m->block = mark.block;
		}
		m->runtime = true;
		ug_fmt(m->path, sizeof(m->path), "%s", info.path);
	}
	if (marks >= 0)
		close(marks);
	if (paths >= 0)
		close(paths);
}

/*
 * The files the policy in force was merged from (the policy file alone
 * where the pins keep no list), parsed again as they are now: NULL if
 * they no longer parse.
 */
static struct ug_policy_src *parse_loaded(const struct ug_map_fds *fds, __u32 slot,
					  const struct ug_policy *policy, struct ug_policy_src *src)
{
	struct ug_policy_text texts[UG_POLICY_FILES_MAX];
	struct ug_file_list list = { .candidate = -1 };
	struct ug_policy_files files;
	char err[UG_ERR_MAX];
	int ret = 0;

	if (fds->files >= 0 && !bpf_map_lookup_elem(fds->files, &slot, &files) &&
	    files.generation == policy->generation && files.n <= UG_POLICY_FILES_MAX) {
		for (list.n = 0; list.n < files.n; list.n++) {
			list.path[list.n] = strndup(files.file[list.n].path, UG_SOURCE_MAX);
			if (!list.path[list.n])
				ret = -ENOMEM;
		}
	} else if (policy->source[0]) {
		list.path[list.n++] = strndup(policy->source, UG_SOURCE_MAX);
		ret = list.path[0] ? 0 : -ENOMEM;
	}
	if (!ret && list.n && !ug_policy_files_read(&list, texts, err, sizeof(err))) {
		ret = ug_policy_parse_files(texts, list.n, src, err, sizeof(err));
		ug_policy_texts_free(texts, list.n);
	} else {
		ret = -ENOENT;
	}
	ug_file_list_free(&list);
	return ret ? NULL : src;
}

static void read_policy(struct ug_scan_policy *p)
{
	struct ug_policy_src src, *parsed = NULL;
	struct ug_mark_key *keys = NULL;
	struct ug_mark *marks = NULL;
	struct ug_policy policy;
	struct ug_map_fds fds;
	size_t n = 0;
	__u32 slot;
	int ret;

	ret = ug_maps_open_pinned(&fds);
	if (ret == -ENOENT) {
		p->state = UG_SCAN_POLICY_NOT_LOADED;
		return;
	}
	if (!ret)
		ret = ug_policy_current(&fds, &policy, &slot);
	if (!ret)
		ret = ug_marks_read(&fds, slot, &keys, &marks, &n);
	if (!ret)
		parsed = parse_loaded(&fds, slot, &policy, &src);
	if (fds.policy >= 0)
		ug_maps_close(&fds);
	if (ret) {
		p->state = UG_SCAN_POLICY_UNREADABLE;
		ug_fmt(p->error, sizeof(p->error), "%s", strerror(-ret));
		return;
	}
	p->state = UG_SCAN_POLICY_LOADED;
	ug_fmt(p->source, sizeof(p->source), "%s", policy.source);
	p->marks = calloc(n ? n : 1, sizeof(*p->marks));
	for (size_t i = 0; p->marks && i < n; i++) {
		struct ug_scan_mark *m = &p->marks[p->n_marks++];

		m->shiftable_by = marks[i].shiftable_by;
		m->origin = marks[i].origin;
		m->range = marks[i].range;
		m->ro = marks[i].flags & UG_MARK_RO;
		if (marks[i].flags & UG_MARK_POOL) {
			m->pool_size = marks[i].pool_size;
			m->block = marks[i].block;
		}
		m->line = marks[i].policy_line;
		mark_path(parsed, m);
	}
	if (parsed)
		ug_policy_free(parsed);
	free(keys);
	free(marks);
	read_runtime_marks(p);
}

static const char HELP[] =
	"options:\n"
	"  --format json|text  output format (default text)\n"
	"  --proc DIR          the proc tree to walk (default /proc)\n"
	"  --etc DIR           where subuid, subgid and passwd are (default /etc)\n"
	"  --subuid FILE       the subordinate uid file (default DIR/subuid)\n"
	"  --subgid FILE       the subordinate gid file (default DIR/subgid)\n"
	"  --no-policy         do not read the policy in force (no marks listed)\n"
	"Run as root to see every user namespace. Exit 0: no problem; 1: problems found;\n"
	"2: usage; 4: the proc tree cannot be listed.\n";

int ug_scan_command(int argc, char **argv, void (*usage)(FILE *out))
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "proc", required_argument, NULL, 'p' },
		{ "etc", required_argument, NULL, 'e' },
		{ "subuid", required_argument, NULL, 'u' },
		{ "subgid", required_argument, NULL, 'g' },
		{ "no-policy", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char subuid[4096] = "", subgid[4096] = "", passwd[4096];
	struct ug_scan_sources src = { .proc = "/proc" };
	struct ug_scan_policy policy = {};
	enum ug_format format = UG_FORMAT_TEXT;
	struct ug_scan_report report;
	struct ug_scan_data data;
	const char *etc = "/etc";
	bool use_policy = true;
	int c, ret;

	if (argc > 1 && !strcmp(argv[1], "overflow"))
		return ug_overflow_scan_command(argc - 1, argv + 1, usage);
	optind = 1;
	while ((c = getopt_long(argc, argv, "+F:h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (ug_format_parse("scan", optarg, &format))
				return UG_EXIT_USAGE;
			break;
		case 'p':
			src.proc = optarg;
			break;
		case 'e':
			etc = optarg;
			break;
		case 'u':
			ug_fmt(subuid, sizeof(subuid), "%s", optarg);
			break;
		case 'g':
			ug_fmt(subgid, sizeof(subgid), "%s", optarg);
			break;
		case 'n':
			use_policy = false;
			break;
		case 'h':
			usage(stdout);
			fputs(HELP, stdout);
			return UG_EXIT_OK;
		default:
			usage(stderr);
			return UG_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		ug_err("scan: unexpected argument '%s'", argv[optind]);
		return UG_EXIT_USAGE;
	}
	if (!subuid[0])
		ug_fmt(subuid, sizeof(subuid), "%s/subuid", etc);
	if (!subgid[0])
		ug_fmt(subgid, sizeof(subgid), "%s/subgid", etc);
	ug_fmt(passwd, sizeof(passwd), "%s/passwd", etc);
	src.subid[UG_UID] = subuid;
	src.subid[UG_GID] = subgid;
	src.passwd = passwd;

	if (ug_scan_collect(&src, &data))
		return UG_EXIT_UNREADABLE;
	if (use_policy)
		read_policy(&policy);
	if (ug_idmap_lint(&data.in, &report)) {
		ug_err("scan: out of memory");
		ug_scan_data_free(&data);
		free(policy.marks);
		return UG_EXIT_INVALID;
	}
	ret = ug_scan_format(stdout, format, &data, &report, &policy);
	if (!ret && fflush(stdout))
		ret = -errno;
	if (ret)
		ug_err("scan: writing the report: %s", strerror(-ret));
	ret = ret ? UG_EXIT_INVALID : ug_scan_exit_code(&report);
	ug_scan_report_free(&report);
	ug_scan_data_free(&data);
	free(policy.marks);
	return ret;
}
