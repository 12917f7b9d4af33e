// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runtime marks (issue 17). Runtimes that pick a container's ids at run
 * time (an OCI hook, an administrator's script) mark that container's tree
 * for exactly its root while it runs, without touching the policy file.
 *
 * A mark is resolved like a file's (the same parser, no symlinks, the
 * directories above it recorded) and written to ug_runtime_marks, which
 * the programs search after the file policy's marks. The directories
 * above go in first, so a view rooted above the tree is refused from the
 * moment the mark exists. One lookup-then-update under the loader's lock:
 * a concurrent `load` or `mark` waits. The file's `load` leaves these
 * maps alone; `unload` removes them with every other pin.
 */
#include "runtime_marks.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <bpf/bpf.h>
#include <json-c/json.h>

#include "env.h"
#include "loader.h"
#include "policy.h"
#include "policy_maps.h"
#include "resolve.h"
#include "util.h"

struct runtime_fds {
	int marks; /* ug_runtime_marks */
	int paths; /* ug_runtime_paths */
	int file;  /* ug_marks: the file policy's, for conflicts */
	__u32 slot; /* the file policy's active slot */
};

static void close_fds(struct runtime_fds *f)
{
	if (f->marks >= 0)
		close(f->marks);
	if (f->paths >= 0)
		close(f->paths);
	if (f->file >= 0)
		close(f->file);
}

/* The pinned maps, or an exit code with the reason printed. */
static int open_fds(struct runtime_fds *f)
{
	struct ug_map_fds fds;
	struct ug_policy current;
	int err;

	f->marks = ug_open_pinned("ug_runtime_marks");
	f->paths = ug_open_pinned("ug_runtime_paths");
	f->file = ug_open_pinned("ug_marks");
	if (f->marks < 0 || f->paths < 0 || f->file < 0) {
		err = f->file < 0 ? f->file : f->marks < 0 ? f->marks : f->paths;
		close_fds(f);
		if (err == -ENOENT && f->file == -ENOENT) {
			ug_err("mark: not loaded (%s: no pins): load a policy first", UG_PIN_DIR);
			return UG_EXIT_NOT_LOADED;
		}
		ug_err("mark: opening the runtime marks: %s%s", strerror(-err),
		       err == -ENOENT ? " (the programs attached are an older version's: "
					"unload, then load)" : "");
		return UG_EXIT_INVALID;
	}
	err = ug_maps_open_pinned(&fds);
	if (!err) {
		err = ug_policy_current(&fds, &current, &f->slot);
		ug_maps_close(&fds);
	}
	if (err) {
		ug_err("mark: reading the policy in force: %s", strerror(-err));
		close_fds(f);
		return UG_EXIT_INVALID;
	}
	return UG_EXIT_OK;
}

/* Take the loader's lock and open the maps: an exit code, and *@lock set on success. */
static int begin(struct runtime_fds *f, int *lock)
{
	int ret;

	*lock = ug_lock();
	if (*lock < 0) {
		ug_err("locking %s: %s", UG_LOCK_FILE, strerror(-*lock));
		return UG_EXIT_INVALID;
	}
	ret = open_fds(f);
	if (ret)
		close(*lock);
	return ret;
}

/*
 * Resolve "mark DIR ARGS..." as a policy line would be: the same parser
 * and resolver, so a runtime mark means what a file's mark means.
 */
static int resolve_line(int argc, char **argv, struct ug_policy_src *src,
			struct ug_kernel_policy *kp, bool quiet)
{
	char text[4096], err[UG_ERR_MAX];
	size_t n = 0;
	int i;

	/*
	 * Each word stays one word: a path with a blank or '#' (an OCI bundle's
	 * mount source is anyone's to write) would otherwise add words or cut
	 * the line, and mark another tree for another root.
	 */
	for (i = 0; i < argc; i++)
		if (!argv[i][0] || strpbrk(argv[i], " \t\r\n\v\f#")) {
			if (!quiet)
				ug_err("mark: '%s' is not one word (a blank or '#' in a path cannot "
				       "be marked at run time)", argv[i]);
			return UG_EXIT_USAGE;
		}
	n += (size_t)snprintf(text, sizeof(text), "rule shift-marks on\nmark");
	for (i = 0; i < argc && n < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " %s", argv[i]);
	if (n >= sizeof(text) - 1) {
		ug_err("mark: the command line is too long");
		return UG_EXIT_USAGE;
	}
	text[n++] = '\n';
	text[n] = '\0';
	/* Line 2 of "the command line": its columns count from "mark". */
	if (ug_policy_parse("command line", text, n, src, err, sizeof(err))) {
		if (!quiet)
			ug_err("%s", err);
		return UG_EXIT_USAGE;
	}
	if (ug_policy_resolve(src, &ug_host_system, kp, err, sizeof(err))) {
		if (!quiet)
			ug_err("%s", err);
		ug_policy_free(src);
		return UG_EXIT_INVALID;
	}
	return UG_EXIT_OK;
}

/*
 * Report a change of the runtime mark on @path to the event stream: the
 * file_ioctl program builds the event from the mark (mark_event.bpf.h).
 * The ioctl itself answers ENOTTY, after the hook: that is expected.
 */
static void report(const char *path, enum ug_op op)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	(void)!ioctl(fd, UG_IOCTL_MARK_EVENT, (unsigned long)op);
	close(fd);
}

static bool lookup_mark(int fd, struct ug_mark_key key, __u32 slot, struct ug_mark *out)
{
	key.slot = slot;
	return !bpf_map_lookup_elem(fd, &key, out);
}

static unsigned int count_entries(int fd, size_t key_size)
{
	unsigned char key[64], next[64];
	unsigned int n = 0;
	void *prev = NULL;

	while (n < 1u << 20 && !bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

/* Why the new mark would conflict with a mark in force, or NULL. */
static const char *conflict(const struct runtime_fds *f, const struct ug_kernel_policy *kp)
{
	struct ug_mark m;
	size_t i;

	if (lookup_mark(f->file, kp->mark_keys[0], f->slot, &m))
		return m.flags & UG_MARK_ANCESTOR ? "contains a tree the policy file marks" :
						    "is a tree the policy file marks";
	if (lookup_mark(f->marks, kp->mark_keys[0], 0, &m))
		return m.flags & UG_MARK_ANCESTOR ? "contains a runtime-marked tree" :
						    "is marked already (mark remove it first)";
	for (i = 0; i < kp->n_ancestors; i++) {
		if (lookup_mark(f->file, kp->ancestor_keys[i], f->slot, &m) &&
		    !(m.flags & UG_MARK_ANCESTOR))
			return "is inside a tree the policy file marks";
		if (lookup_mark(f->marks, kp->ancestor_keys[i], 0, &m) &&
		    !(m.flags & UG_MARK_ANCESTOR))
			return "is inside a runtime-marked tree";
	}
	return NULL;
}

/*
 * The key of the runtime mark recorded for @dir as given: for a directory
 * that no longer resolves (removed, renamed), whose mark must still go,
 * or a new directory given its inode number would inherit it.
 */
static int key_by_path(const struct runtime_fds *f, const char *dir, struct ug_mark_key *out)
{
	struct ug_mark_key key, next;
	struct ug_runtime_mark_info info;
	bool first = true;

	while (!bpf_map_get_next_key(f->paths, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		if (!bpf_map_lookup_elem(f->paths, &key, &info) && !strcmp(info.path, dir)) {
			*out = key;
			return 0;
		}
	}
	return -ENOENT;
}

/* One runtime mark fewer below each directory it had above it: the last one removes it. */
static void release_ancestors(const struct runtime_fds *f, const struct ug_runtime_mark_info *info)
{
	for (__u32 i = 0; i < info->n_above && i < UG_RUNTIME_MARK_DEPTH; i++) {
		struct ug_mark_key above = { .dev = info->above[i].dev, .ino = info->above[i].ino };
		struct ug_mark m;

		if (bpf_map_lookup_elem(f->marks, &above, &m) || !(m.flags & UG_MARK_ANCESTOR))
			continue;
		if (m.policy_line > 1) {
			m.policy_line--;
			bpf_map_update_elem(f->marks, &above, &m, BPF_EXIST);
		} else {
			bpf_map_delete_elem(f->marks, &above);
		}
	}
}

int ug_runtime_marks_check(const struct ug_kernel_policy *kp, const char *source)
{
	int fd = ug_open_pinned("ug_runtime_marks");
	const char *why = NULL;
	struct ug_mark m;
	size_t i, at = 0;

	if (fd < 0)
		return 0;
	for (i = 0; i < kp->n_marks && !why; i++) {
		if (!lookup_mark(fd, kp->mark_keys[i], 0, &m))
			continue;
		why = m.flags & UG_MARK_ANCESTOR ? "contains a runtime-marked tree" :
						   "is a runtime-marked tree";
		at = i;
	}
	for (i = 0; i < kp->n_ancestors && !why; i++) {
		if (lookup_mark(fd, kp->ancestor_keys[i], 0, &m) && !(m.flags & UG_MARK_ANCESTOR)) {
			why = "is inside a runtime-marked tree";
			for (at = 0; at < kp->n_marks; at++)
				if (kp->marks[at].policy_line == kp->ancestor_lines[i])
					break;
		}
	}
	close(fd);
	if (!why)
		return 0;
	/* The mark's own file: the policy's or one of its drop-ins. */
	if (at < kp->n_marks && kp->mark_where && kp->mark_where[at].file)
		source = kp->mark_where[at].file;
	ug_err("%s:%u: the mark %s: marks do not nest (usernsguard mark list; mark remove it "
	       "first)", source, at < kp->n_marks ? kp->marks[at].policy_line : 0, why);
	return -EEXIST;
}

int ug_runtime_mark_add(int argc, char **argv, const char *tag)
{
	struct ug_policy_src src = {};
	struct ug_kernel_policy kp = {};
	struct runtime_fds f;
	struct ug_runtime_mark_info info = {};
	struct ug_mark_key key;
	struct timespec now;
	const char *why;
	int ret, lock;
	size_t i;

	if (argc < 3) {
		ug_err("usage: usernsguard mark add DIR shiftable-by UID|pool FIRST COUNT|subids USER "
		       "[block N] [origin UID] [range N] [ro]");
		return UG_EXIT_USAGE;
	}
	ret = resolve_line(argc - 1, argv + 1, &src, &kp, false);
	if (ret)
		return ret;
	ret = begin(&f, &lock);
	if (ret)
		goto out_free;
	why = conflict(&f, &kp);
	if (why) {
		ug_err("mark add: '%s' %s: marks do not nest", src.marks[0].path, why);
		ret = UG_EXIT_INVALID;
		goto out;
	}
	if (count_entries(f.paths, sizeof(struct ug_mark_key)) >= UG_MAX_RUNTIME_MARKS) {
		ug_err("mark add: %d runtime marks already (the most there can be): remove one first",
		       UG_MAX_RUNTIME_MARKS);
		ret = UG_EXIT_INVALID;
		goto out;
	}
	if (strlen(src.marks[0].path) >= sizeof(info.path)) {
		ug_err("mark add: '%s' is longer than %zu bytes", src.marks[0].path,
		       sizeof(info.path) - 1);
		ret = UG_EXIT_INVALID;
		goto out;
	}
	/* A mark recorded at this path for an earlier directory must go first. */
	if (!key_by_path(&f, src.marks[0].path, &key)) {
		ug_err("mark add: '%s' has a runtime mark already, made for the directory that was "
		       "there before (mark remove it first)", src.marks[0].path);
		ret = UG_EXIT_INVALID;
		goto out;
	}
	if (kp.n_ancestors > UG_RUNTIME_MARK_DEPTH) {
		ug_err("mark add: '%s' is %zu directories deep (a runtime mark may be %d)",
		       src.marks[0].path, kp.n_ancestors, UG_RUNTIME_MARK_DEPTH);
		ret = UG_EXIT_INVALID;
		goto out;
	}
	info.n_above = (__u32)kp.n_ancestors;
	for (i = 0; i < kp.n_ancestors; i++) {
		info.above[i].dev = kp.ancestor_keys[i].dev;
		info.above[i].ino = kp.ancestor_keys[i].ino;
	}
	/* Above first: a view rooted above the tree is refused once the mark exists. */
	for (i = 0; i < kp.n_ancestors; i++) {
		struct ug_mark above = { .flags = UG_MARK_ANCESTOR };

		key = kp.ancestor_keys[i];
		key.slot = 0;
		/* policy_line counts the runtime marks below a directory (0: the file's line). */
		if (!bpf_map_lookup_elem(f.marks, &key, &above))
			above.policy_line++;
		else
			above.policy_line = 1;
		if (bpf_map_update_elem(f.marks, &key, &above, BPF_ANY)) {
			ug_err("mark add: writing a directory above '%s': %s", src.marks[0].path,
			       strerror(errno));
			info.n_above = (__u32)i; /* count back what was counted */
			release_ancestors(&f, &info);
			ret = UG_EXIT_INVALID;
			goto out;
		}
	}
	key = kp.mark_keys[0];
	key.slot = 0;
	ug_fmt(info.path, sizeof(info.path), "%s", src.marks[0].path);
	info.by_uid = getuid();
	info.by_pid = (__u32)getpid();
	ug_fmt(info.tag, sizeof(info.tag), "%s", tag ? tag : "");
	clock_gettime(CLOCK_REALTIME, &now);
	info.added_ns = (__u64)now.tv_sec * 1000000000ULL + (__u64)now.tv_nsec;
	kp.marks[0].policy_line = 0; /* not the file's */
	if (bpf_map_update_elem(f.paths, &key, &info, BPF_NOEXIST) ||
	    bpf_map_update_elem(f.marks, &key, &kp.marks[0], BPF_NOEXIST)) {
		ug_err("mark add: writing the mark of '%s': %s", src.marks[0].path, strerror(errno));
		bpf_map_delete_elem(f.paths, &key);
		release_ancestors(&f, &info);
		ret = UG_EXIT_INVALID;
		goto out;
	}
	report(src.marks[0].path, UG_OP_MARK_ADD);
	printf("usernsguard: marked %s (dev %llu:%llu inode %llu)\n", src.marks[0].path,
	       (unsigned long long)(key.dev >> 20), (unsigned long long)(key.dev & 0xfffff),
	       (unsigned long long)key.ino);
out:
	close_fds(&f);
	close(lock);
out_free:
	ug_kernel_policy_free(&kp);
	ug_policy_free(&src);
	return ret;
}

int ug_runtime_mark_remove(const char *dir, bool quiet, const char *tag)
{
	char *line[] = { (char *)dir, (char *)"shiftable-by", (char *)"0" };
	struct ug_policy_src src = {};
	struct ug_kernel_policy kp = {};
	struct runtime_fds f;
	struct ug_mark_key key;
	struct ug_runtime_mark_info info;
	struct ug_mark m;
	bool resolved;
	int ret, lock;

	/* Quietly: a directory that is gone is looked up by the path recorded for it. */
	resolved = !resolve_line(3, line, &src, &kp, true);

	ret = begin(&f, &lock);
	if (ret)
		goto out_free;
	if (resolved) {
		key = kp.mark_keys[0];
		key.slot = 0;
	}
	/* Not marked as it is now: a mark made for the directory that was there before? */
	if (resolved && (bpf_map_lookup_elem(f.marks, &key, &m) || (m.flags & UG_MARK_ANCESTOR)))
		resolved = false;
	if ((!resolved && key_by_path(&f, dir, &key)) || bpf_map_lookup_elem(f.marks, &key, &m) ||
	    (m.flags & UG_MARK_ANCESTOR) ||
	    /* The OCI hook removes only what it made for that container. */
	    (tag && (bpf_map_lookup_elem(f.paths, &key, &info) || strcmp(info.tag, tag)))) {
		if (!quiet)
			ug_err("mark remove: '%s' has no runtime mark (usernsguard mark list shows "
			       "them)", dir);
		ret = quiet ? UG_EXIT_OK : UG_EXIT_INVALID;
		goto out;
	}
	/* Reported while the mark is there to describe; then the mark, then what only it needed. */
	report(dir, UG_OP_MARK_REMOVE);
	if (bpf_map_delete_elem(f.marks, &key)) {
		ug_err("mark remove: '%s': %s", dir, strerror(errno));
		ret = UG_EXIT_INVALID;
		goto out;
	}
	if (!bpf_map_lookup_elem(f.paths, &key, &info))
		release_ancestors(&f, &info);
	bpf_map_delete_elem(f.paths, &key);
	printf("usernsguard: unmarked %s\n", dir);
out:
	close_fds(&f);
	close(lock);
out_free:
	ug_kernel_policy_free(&kp);
	ug_policy_free(&src);
	return ret;
}

static int mark_list(int argc, char **argv)
{
	static const struct option opts[] = { { "format", required_argument, NULL, 'f' }, {} };
	struct json_object *arr = NULL;
	struct ug_mark_key key, next;
	struct runtime_fds f;
	bool json = false, first = true;
	unsigned int n = 0;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'f' && (!strcmp(optarg, "json") || !strcmp(optarg, "text"))) {
			json = !strcmp(optarg, "json");
			continue;
		}
		ug_err("usage: usernsguard mark list [--format json|text]");
		return UG_EXIT_USAGE;
	}
	if (optind != argc) {
		ug_err("mark list: unexpected '%s'", argv[optind]);
		return UG_EXIT_USAGE;
	}
	ret = open_fds(&f);
	if (ret)
		return ret;
	if (json)
		arr = json_object_new_array();
	while (!bpf_map_get_next_key(f.paths, first ? NULL : &key, &next)) {
		struct ug_runtime_mark_info info;
		struct ug_mark m;
		char when[64], dev[32];

		first = false;
		key = next;
		if (bpf_map_lookup_elem(f.paths, &key, &info) ||
		    bpf_map_lookup_elem(f.marks, &key, &m))
			continue;
		n++;
		ug_rfc3339(info.added_ns, when, sizeof(when));
		ug_fmt(dev, sizeof(dev), "%llu:%llu", (unsigned long long)(key.dev >> 20),
		       (unsigned long long)(key.dev & 0xfffff));
		if (json) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "path", json_object_new_string(info.path));
			json_object_object_add(o, "device", json_object_new_string(dev));
			json_object_object_add(o, "inode", json_object_new_int64((int64_t)key.ino));
			json_object_object_add(o, "shiftable_by",
					       json_object_new_int64(m.shiftable_by));
			if (m.flags & UG_MARK_POOL) {
				json_object_object_add(o, "pool_size",
						       json_object_new_int64(m.pool_size));
				json_object_object_add(o, "block", json_object_new_int64(m.block));
			}
			json_object_object_add(o, "origin", json_object_new_int64(m.origin));
			json_object_object_add(o, "range", json_object_new_int64(m.range));
			json_object_object_add(o, "ro",
					       json_object_new_boolean(m.flags & UG_MARK_RO));
			json_object_object_add(o, "by_uid", json_object_new_int64(info.by_uid));
			json_object_object_add(o, "for", info.tag[0] ? json_object_new_string(info.tag) :
								       NULL);
			json_object_object_add(o, "added", json_object_new_string(when));
			json_object_array_add(arr, o);
			continue;
		}
		printf("%s shiftable-by %s%u", info.path, m.flags & UG_MARK_POOL ? "pool " : "",
		       m.shiftable_by);
		if (m.flags & UG_MARK_POOL)
			printf(" %u block %u", m.pool_size, m.block);
		printf(" origin %u range %u%s  (dev %s inode %llu, by uid %u, %s%s%s)\n", m.origin,
		       m.range, m.flags & UG_MARK_RO ? " ro" : "", dev,
		       (unsigned long long)key.ino, info.by_uid, when, info.tag[0] ? ", for " : "",
		       info.tag);
	}
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
	} else if (!n) {
		printf("no runtime marks\n");
	}
	close_fds(&f);
	return UG_EXIT_OK;
}

int ug_mark_command(int argc, char **argv)
{
	int ret;

	if (argc < 2) {
		ug_err("usage: usernsguard mark add|remove|list ...");
		return UG_EXIT_USAGE;
	}
	ret = ug_env_require_root();
	if (ret)
		return ret;
	if (!strcmp(argv[1], "add"))
		return ug_runtime_mark_add(argc - 1, argv + 1, NULL);
	if (!strcmp(argv[1], "remove")) {
		if (argc != 3) {
			ug_err("usage: usernsguard mark remove DIR");
			return UG_EXIT_USAGE;
		}
		return ug_runtime_mark_remove(argv[2], false, NULL);
	}
	if (!strcmp(argv[1], "list"))
		return mark_list(argc - 1, argv + 1);
	ug_err("mark: unknown subcommand '%s' (add, remove or list)", argv[1]);
	return UG_EXIT_USAGE;
}
