// SPDX-License-Identifier: GPL-2.0-only
#include "policy_files.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* A name the drop-in directory's listing takes: editors' and tools' dotfiles are not. */
static bool dropin_name(const char *name)
{
	return name[0] != '.' && ends_with(name, ".conf");
}

int ug_dropin_dir(const char *path, char *out, size_t len)
{
	size_t n = strlen(path);

	if (ends_with(path, ".conf"))
		n -= strlen(".conf");
	if (n + sizeof(".d") > len)
		return -ENAMETOOLONG;
	memcpy(out, path, n);
	memcpy(out + n, ".d", sizeof(".d"));
	return 0;
}

static int by_bytes(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	while (n)
		free(names[--n]);
	free(names);
}

/*
 * The drop-in names in @dir, all but @skip, in byte order: *@names (*@n,
 * malloc'd). No directory: none. 0, or -errno with @err set.
 */
static int list_names(const char *dir, const char *skip, char ***names, size_t *n, char *err,
		      size_t errlen)
{
	char **list = NULL, **grown;
	struct dirent *de;
	size_t count = 0;
	int ret = 0;
	DIR *d;

	*names = NULL;
	*n = 0;
	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		ret = -errno;
		ug_fmt(err, errlen, "cannot read policy drop-ins %s: %s", dir, strerror(-ret));
		return ret;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			ret = -errno;
			break;
		}
		if (!dropin_name(de->d_name) || (skip && !strcmp(de->d_name, skip)))
			continue;
		grown = realloc(list, (count + 1) * sizeof(*list));
		if (!grown) {
			ret = -ENOMEM;
			break;
		}
		list = grown;
		list[count] = strdup(de->d_name);
		if (!list[count]) {
			ret = -ENOMEM;
			break;
		}
		count++;
	}
	closedir(d);
	if (ret) {
		ug_fmt(err, errlen, "cannot read policy drop-ins %s: %s", dir, strerror(-ret));
		free_names(list, count);
		return ret;
	}
	if (count)
		qsort(list, count, sizeof(*list), by_bytes);
	*names = list;
	*n = count;
	return 0;
}

static int add(struct ug_file_list *out, char *path, char *err, size_t errlen)
{
	if (!path) {
		ug_fmt(err, errlen, "out of memory");
		return -ENOMEM;
	}
	out->path[out->n++] = path;
	return 0;
}

/* A drop-in is a regular file, or a symlink to one. */
static int check_dropin(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int ret;

	if (stat(path, &st)) {
		ret = -errno;
		ug_fmt(err, errlen, "cannot read policy %s: %s", path, strerror(-ret));
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		ug_fmt(err, errlen, "%s: not a regular file (a drop-in is a regular file whose name "
		       "ends in .conf)", path);
		return -EINVAL;
	}
	return 0;
}

/*
 * @first, then the drop-ins of @dir; @skip is left out and, with
 * @insert, @insert takes its place in the order.
 */
static int collect(const char *first, const char *dir, const char *skip, const char *insert,
		   struct ug_file_list *out, char *err, size_t errlen)
{
	bool inserted = !insert;
	char **names, *path;
	size_t n, i;
	int ret;

	memset(out, 0, sizeof(*out));
	out->candidate = -1;
	ret = list_names(dir, skip, &names, &n, err, errlen);
	if (ret)
		return ret;
	if (1 + n + !inserted > UG_POLICY_FILES_MAX) {
		ug_fmt(err, errlen, "too many policy files: %s and %zu drop-ins in %s (at most %d "
		       "files in all)", first, n + !inserted, dir, UG_POLICY_FILES_MAX);
		free_names(names, n);
		return -E2BIG;
	}
	ret = add(out, strdup(first), err, errlen);
	for (i = 0; !ret && i <= n; i++) {
		if (!inserted && (i == n || strcmp(skip, names[i]) < 0)) {
			out->candidate = (int)out->n;
			ret = add(out, strdup(insert), err, errlen);
			inserted = true;
		}
		if (ret || i == n)
			break;
		if (asprintf(&path, "%s/%s", dir, names[i]) < 0)
			path = NULL;
		ret = add(out, path, err, errlen);
		if (!ret)
			ret = check_dropin(path, err, errlen);
	}
	free_names(names, n);
	if (ret)
		ug_file_list_free(out);
	return ret;
}

int ug_policy_files(const char *policy, struct ug_file_list *out, char *err, size_t errlen)
{
	char dir[PATH_MAX];

	memset(out, 0, sizeof(*out));
	out->candidate = -1;
	if (ug_dropin_dir(policy, dir, sizeof(dir))) {
		ug_fmt(err, errlen, "cannot read policy %s: %s", policy, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	return collect(policy, dir, NULL, NULL, out, err, errlen);
}

/* The policy file whose drop-in directory is @dir, into @main: true if there is one. */
static bool policy_of_dir(const char *dir, char *main, size_t len)
{
	size_t n = strlen(dir);
	struct stat st;

	if (!ends_with(dir, ".d") || n + sizeof(".conf") > len)
		return false;
	/* X.d is the directory of X.conf, and of X if X does not end in ".conf". */
	ug_fmt(main, len, "%.*s.conf", (int)(n - 2), dir);
	if (!stat(main, &st) && S_ISREG(st.st_mode))
		return true;
	ug_fmt(main, len, "%.*s", (int)(n - 2), dir);
	return !ends_with(main, ".conf") && !stat(main, &st) && S_ISREG(st.st_mode);
}

int ug_policy_files_as(const char *target, const char *candidate, struct ug_file_list *out,
		       char *err, size_t errlen)
{
	char dir[PATH_MAX], main[PATH_MAX];
	const char *slash = strrchr(target, '/'), *base = slash ? slash + 1 : target;
	struct stat st;
	int ret;

	memset(out, 0, sizeof(*out));
	out->candidate = -1;
	if (!*base) {
		ug_fmt(err, errlen, "--as '%s': not a file's name (name the policy file, or the "
		       "drop-in, that the candidate stands in for)", target);
		return -EDOM;
	}
	if (!stat(target, &st) && !S_ISREG(st.st_mode)) {
		ug_fmt(err, errlen, "--as %s: not a regular file (name the policy file, or the "
		       "drop-in, that the candidate stands in for)", target);
		return -EDOM;
	}
	if ((size_t)(base - target) >= sizeof(dir)) {
		ug_fmt(err, errlen, "--as %s: %s", target, strerror(ENAMETOOLONG));
		return -EDOM;
	}
	if (!slash)
		ug_fmt(dir, sizeof(dir), ".");
	else if (slash == target)
		ug_fmt(dir, sizeof(dir), "/");
	else
		ug_fmt(dir, sizeof(dir), "%.*s", (int)(slash - target), target);

	if (policy_of_dir(dir, main, sizeof(main))) {
		if (!dropin_name(base)) {
			ug_fmt(err, errlen, "--as %s: in the drop-in directory of %s, but not a "
			       "drop-in's name (NAME.conf, not starting with '.')", target, main);
			return -EDOM;
		}
		return collect(main, dir, base, candidate, out, err, errlen);
	}
	/* Not in a drop-in directory: the policy file itself. */
	if (ug_dropin_dir(target, dir, sizeof(dir))) {
		ug_fmt(err, errlen, "--as %s: %s", target, strerror(ENAMETOOLONG));
		return -EDOM;
	}
	ret = collect(candidate, dir, NULL, NULL, out, err, errlen);
	if (!ret)
		out->candidate = 0;
	return ret;
}

void ug_file_list_absolute(struct ug_file_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++) {
		char *abs = realpath(list->path[i], NULL);

		if (abs) {
			free(list->path[i]);
			list->path[i] = abs;
		}
	}
}

int ug_policy_files_read(const struct ug_file_list *list, struct ug_policy_text *texts,
			 char *err, size_t errlen)
{
	size_t i;
	int ret;

	memset(texts, 0, list->n * sizeof(*texts));
	for (i = 0; i < list->n; i++) {
		char *text;

		ret = ug_read_file(list->path[i], UG_POLICY_MAX_BYTES, &text, &texts[i].len);
		if (ret) {
			ug_fmt(err, errlen, "cannot read policy %s: %s", list->path[i],
			       strerror(-ret));
			ug_policy_texts_free(texts, i);
			return ret;
		}
		texts[i].path = list->path[i];
		texts[i].text = text;
	}
	return 0;
}

void ug_policy_texts_free(struct ug_policy_text *texts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((char *)texts[i].text);
		texts[i].text = NULL;
	}
}

void ug_file_list_free(struct ug_file_list *list)
{
	while (list->n)
		free(list->path[--list->n]);
}
