// SPDX-License-Identifier: GPL-2.0-only
/*
 * usernsguard: command-line front end. One table of subcommands, each with
 * its own options and --help; exit codes are enum ug_exit (usernsguard(8)).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "events.h"
#include "loader.h"
#include "policy.h"
#include "policy_files.h"
#include "probe.h"
#include "oci_hook.h"
#include "runtime_marks.h"
#include "resolve.h"
#include "scan.h"
#include "status.h"
#include "util.h"

#define UG_VERSION "0.1.0"

struct ug_command {
	const char *name;
	const char *args;
	const char *summary;
	int (*run)(int argc, char **argv);
};

static const struct ug_command *current;

static void usage_of(const struct ug_command *cmd, FILE *out)
{
	fprintf(out, "usage: usernsguard [-d] %s %s\n  %s\n", cmd->name, cmd->args, cmd->summary);
}

/* Common option parsing: -h/--help only; returns optind or -1 after help. */
static int parse_no_options(const struct ug_command *cmd, int argc, char **argv, int nargs)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			usage_of(cmd, stdout);
			return -1;
		}
		usage_of(cmd, stderr);
		return -2;
	}
	if (argc - optind != nargs) {
		ug_err("%s: expected %d argument%s, got %d", cmd->name, nargs, nargs == 1 ? "" : "s",
		       argc - optind);
		usage_of(cmd, stderr);
		return -2;
	}
	return optind;
}

#define PARSE_OR_RETURN(argc, argv, nargs)                                      \
	({                                                                      \
		int _i = parse_no_options(current, argc, argv, nargs);          \
		if (_i == -1)                                                   \
			return UG_EXIT_OK;                                      \
		if (_i < 0)                                                     \
			return UG_EXIT_USAGE;                                   \
		_i;                                                             \
	})

/*
 * Read, parse and resolve the policy of @list (the policy file, then its
 * drop-ins); returns an exit code. Nothing is written anywhere.
 */
static int read_policy(const struct ug_file_list *list, struct ug_policy_src *src,
		       struct ug_kernel_policy *kp)
{
	struct ug_policy_text texts[UG_POLICY_FILES_MAX];
	char err[UG_ERR_MAX];
	int ret;

	ret = ug_policy_files_read(list, texts, err, sizeof(err));
	if (ret) {
		ug_err("%s", err);
		return UG_EXIT_UNREADABLE;
	}
	ret = ug_policy_parse_files(texts, list->n, src, err, sizeof(err));
	ug_policy_texts_free(texts, list->n);
	if (ret) {
		ug_err("%s", err);
		return UG_EXIT_INVALID;
	}
	ret = ug_policy_resolve(src, &ug_host_system, kp, err, sizeof(err));
	if (ret) {
		ug_err("%s", err);
		ug_policy_free(src);
		return UG_EXIT_INVALID;
	}
	ug_warn_named_overflow_ids(&ug_host_system, &kp->policy);
	ug_warn_overlapping_marks(src);
	return UG_EXIT_OK;
}

/*
 * The files of policy @path, or with @as, of the policy @as belongs to
 * with @path standing in for it. An exit code; the error printed.
 */
static int policy_files(const char *path, const char *as, struct ug_file_list *list)
{
	char err[UG_ERR_MAX];
	int ret;

	ret = as ? ug_policy_files_as(as, path, list, err, sizeof(err)) :
		   ug_policy_files(path, list, err, sizeof(err));
	if (!ret)
		return UG_EXIT_OK;
	ug_err("%s", err);
	if (ret == -EDOM) {
		usage_of(current, stderr);
		return UG_EXIT_USAGE;
	}
	return ret == -E2BIG || ret == -EINVAL ? UG_EXIT_INVALID : UG_EXIT_UNREADABLE;
}

static int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "as", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct ug_file_list list;
	struct ug_kernel_policy kp;
	struct ug_policy_src src;
	const char *as = NULL;
	int c, ret, r, on = 0;
	size_t i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			as = optarg;
			break;
		case 'h':
			usage_of(current, stdout);
			return UG_EXIT_OK;
		default:
			usage_of(current, stderr);
			return UG_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		ug_err("check: expected 1 argument, got %d", argc - optind);
		usage_of(current, stderr);
		return UG_EXIT_USAGE;
	}
	ret = policy_files(argv[optind], as, &list);
	if (ret)
		return ret;
	ret = read_policy(&list, &src, &kp);
	if (ret) {
		ug_file_list_free(&list);
		return ret;
	}
	/* As root on the target: a mark nesting with a runtime mark in force fails load too. */
	if (geteuid() == 0 && ug_runtime_marks_check(&kp, argv[optind]))
		ret = UG_EXIT_INVALID;
	for (r = 0; !ret && r < UG_RULE_COUNT; r++)
		on += kp.policy.rules[r].mode != UG_MODE_OFF;
	if (!ret)
		printf("%s: ok: %d rule%s on, %zu exemption%s, overflow ids %u/%u\n", argv[optind],
		       on, on == 1 ? "" : "s", kp.n_exempt, kp.n_exempt == 1 ? "" : "s",
		       kp.policy.overflow_uid, kp.policy.overflow_gid);
	/* What was merged, in order; the candidate with what it stands in for. */
	for (i = 0; !ret && list.n > 1 && i < list.n; i++)
		printf("  merged: %s%s%s\n", list.path[i], (int)i == list.candidate ? " as " : "",
		       (int)i == list.candidate ? as : "");
	ug_kernel_policy_free(&kp);
	ug_policy_free(&src);
	ug_file_list_free(&list);
	return ret;
}

static int cmd_load(int argc, char **argv)
{
	int i = PARSE_OR_RETURN(argc, argv, 1);
	struct ug_file_list list;
	struct ug_kernel_policy kp;
	struct ug_policy_src src;
	int ret;

	ret = policy_files(argv[i], NULL, &list);
	if (ret)
		return ret;
	/* status names and hashes the files by the absolute paths read. */
	ug_file_list_absolute(&list);
	ret = read_policy(&list, &src, &kp);
	if (ret) {
		ug_file_list_free(&list);
		return ret;
	}
	ret = ug_env_require_all();
	if (!ret)
		ret = ug_load(&kp, list.path[0]);
	if (!ret)
		printf("usernsguard: policy %s loaded; self-check passed: host tasks untouched\n",
		       list.path[0]);
	ug_kernel_policy_free(&kp);
	ug_policy_free(&src);
	ug_file_list_free(&list);
	return ret;
}

static int cmd_unload(int argc, char **argv)
{
	int ret;

	PARSE_OR_RETURN(argc, argv, 0);
	ret = ug_env_require_root();
	if (!ret)
		ret = ug_env_require_bpffs(false);
	if (!ret)
		ret = ug_unload();
	if (!ret)
		printf("usernsguard: unloaded, nothing enforces\n");
	return ret;
}


static int cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "wait", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct ug_events_opts o = { .format = UG_FORMAT_JSON, .output = UG_OUTPUT_STDOUT };
	bool format_given = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+fF:o:wh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o.follow = true;
			break;
		case 'w':
			o.wait = true;
			break;
		case 'F':
			format_given = true;
			if (!strcmp(optarg, "ocsf")) {
				o.format = UG_FORMAT_OCSF;
			} else if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				ug_err("events: unknown format '%s' (json, text or ocsf)", optarg);
				return UG_EXIT_USAGE;
			} else if (ug_format_parse("events", optarg, &o.format)) {
				return UG_EXIT_USAGE;
			}
			break;
		case 'o':
			if (!strcmp(optarg, "journal")) {
				o.output = UG_OUTPUT_JOURNAL;
			} else if (strcmp(optarg, "stdout")) {
				ug_err("events: unknown output '%s' (stdout or journal)", optarg);
				return UG_EXIT_USAGE;
			}
			break;
		case 'h':
			usage_of(current, stdout);
			return UG_EXIT_OK;
		default:
			usage_of(current, stderr);
			return UG_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		ug_err("events: unexpected argument '%s'", argv[optind]);
		return UG_EXIT_USAGE;
	}
	/* The journal's fields are the JSON line's: one schema, no choice to make. */
	if (format_given && o.output == UG_OUTPUT_JOURNAL) {
		ug_err("events: --format applies to stdout; the journal takes every JSON field "
		       "as USERNSGUARD_*");
		return UG_EXIT_USAGE;
	}
	if (o.wait && !o.follow) {
		ug_err("events: --wait needs --follow");
		return UG_EXIT_USAGE;
	}
	ret = ug_env_require_root();
	if (!ret)
		ret = ug_env_require_bpffs(false);
	return ret ? ret : ug_events(&o);
}

static void current_usage(FILE *out)
{
	usage_of(current, out);
}

static int cmd_status(int argc, char **argv)
{
	return ug_status_command(argc, argv, current_usage);
}

static int cmd_scan(int argc, char **argv)
{
	return ug_scan_command(argc, argv, current_usage);
}

static int cmd_mark(int argc, char **argv)
{
	return ug_mark_command(argc, argv);
}

static int cmd_oci_hook(int argc, char **argv)
{
	return ug_oci_hook_command(argc, argv);
}

static int cmd_probe(int argc, char **argv)
{
	PARSE_OR_RETURN(argc, argv, 0);
	return ug_probe();
}

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv)
{
	PARSE_OR_RETURN(argc, argv, 0);
	printf("usernsguard %s\n", UG_VERSION);
	return UG_EXIT_OK;
}

static const struct ug_command commands[] = {
	{ "load", "POLICY", "parse POLICY, attach the programs if needed and make it the policy "
			    "in force atomically", cmd_load },
	{ "unload", "", "switch enforcement off, then detach and remove every pin", cmd_unload },
	{ "status", "[--format text|prometheus] [--output FILE] [--stats[=SECONDS]]",
	  "show attached programs, the policy in force and per-rule counters", cmd_status },
	{ "check", "[--as TARGET] POLICY",
	  "validate POLICY and its drop-ins as load would; touches nothing in the kernel;\n"
	  "  --as TARGET: POLICY stands in for TARGET, a policy file or one of its drop-ins",
	  cmd_check },
	{ "events", "[--follow [--wait]] [--format json|text|ocsf] [--output stdout|journal]",
	  "print denials and audit hits as JSON lines (one per event; losses reported too);\n"
	  "  --output journal: native journal entries, every field as USERNSGUARD_*",
	  cmd_events },
	{ "scan", "[overflow] [--format json|text] [OPTIONS]",
	  "list live user namespaces and report overlapping or risky id maps (exit 1 if any);\n"
	  "  with 'overflow': what rule 1 would refuse on this host, and how to exempt it",
	  cmd_scan },
	{ "mark", "add DIR shiftable-by ...|remove DIR|list [--format json|text]",
	  "mark a tree shiftable at run time (rule 3), beside the policy file's marks;\n"
	  "  kept across loads, removed by unload",
	  cmd_mark },
	{ "oci-hook", "createRuntime|poststop",
	  "an OCI hook (state on stdin): runtime marks for a container's idmapped trees,\n"
	  "  for exactly its root, taken back at poststop",
	  cmd_oci_hook },
	{ "probe", "", "report what this kernel supports and why a load would fail", cmd_probe },
	{ "version", "", "print the version", cmd_version },
	{ "help", "[COMMAND]", "show help for all commands or one", cmd_help },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: usernsguard [-d|--debug] COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-8s %-34s %s\n", commands[i].name, commands[i].args,
			commands[i].summary);
	fprintf(out, "\nexit codes: 0 ok, 1 invalid input or refused, 2 usage, 3 not root,\n"
		     "  4 policy unreadable, 5 BPF LSM not active, 6 no kernel BTF,\n"
		     "  7 bpffs unavailable, 8 not loaded, 9 self-check failed,\n"
		     "  10 another events reader. See usernsguard(8).\n");
}

static const struct ug_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	const struct ug_command *cmd;

	if (argc < 2) {
		usage(stdout);
		return UG_EXIT_OK;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage_of(current, stdout);
		return UG_EXIT_OK;
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		ug_err("unknown command '%s'", argv[1]);
		return UG_EXIT_USAGE;
	}
	usage_of(cmd, stdout);
	return UG_EXIT_OK;
}

int main(int argc, char **argv)
{
	int i = 1;

	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-d") || !strcmp(argv[i], "--debug")) {
			ug_debug = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return UG_EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			printf("usernsguard %s\n", UG_VERSION);
			return UG_EXIT_OK;
		} else {
			ug_err("unknown option '%s'", argv[i]);
			usage(stderr);
			return UG_EXIT_USAGE;
		}
		i++;
	}
	if (i >= argc) {
		usage(stderr);
		return UG_EXIT_USAGE;
	}
	current = find_command(argv[i]);
	if (!current) {
		ug_err("unknown command '%s'", argv[i]);
		usage(stderr);
		return UG_EXIT_USAGE;
	}
	return current->run(argc - i, argv + i);
}
