// SPDX-License-Identifier: GPL-2.0-only
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

bool ug_debug;

static void ug_vlog(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "usernsguard: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void ug_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ug_vlog("", fmt, ap);
	va_end(ap);
}

void ug_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ug_vlog("warning: ", fmt, ap);
	va_end(ap);
}

void ug_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
}

void ug_lines_add(char ***lines, size_t *n, const char *fmt, ...)
{
	char **bigger, *line;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	bigger = realloc(*lines, (*n + 1) * sizeof(*bigger));
	if (!bigger) {
		free(line);
		return;
	}
	*lines = bigger;
	(*lines)[(*n)++] = line;
}

void ug_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

int ug_read_file(const char *path, size_t max, char **data, size_t *len)
{
	size_t cap = 4096, used = 0;
	char *buf = NULL;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (!buf || used == cap) {
			char *grown;

			if (buf)
				cap *= 2;
			grown = realloc(buf, cap + 1);
			if (!grown) {
				err = -ENOMEM;
				break;
			}
			buf = grown;
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		used += n;
		if (used > max) {
			err = -EFBIG;
			break;
		}
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[used] = '\0';
	*data = buf;
	*len = used;
	return 0;
}

int ug_write_atomic(const char *path, const char *data, size_t len)
{
	size_t plen = strlen(path), done = 0;
	char *tmp;
	int fd, err = 0;

	/* Same directory, so rename() cannot cross filesystems; no .prom suffix, so collectors skip it. */
	tmp = malloc(plen + sizeof(".tmp-XXXXXX"));
	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp-XXXXXX", sizeof(".tmp-XXXXXX"));
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		free(tmp);
		return err;
	}
	while (!err && done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno != EINTR)
			err = -errno;
		else if (n > 0)
			done += (size_t)n;
	}
	if (!err && (fchmod(fd, 0644) || fsync(fd)))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}

int ug_parse_id(const char *s, __u32 *out)
{
	unsigned long long v = 0;
	size_t i;

	if (!s[0])
		return -EINVAL;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (i >= 10)
			return -ERANGE;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v >= 0xffffffffULL)
		return -ERANGE;
	*out = (__u32)v;
	return 0;
}

void ug_hex(const __u8 *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

void ug_rfc3339(__u64 realtime_ns, char *out, size_t len)
{
	time_t secs = (time_t)(realtime_ns / 1000000000ULL);
	struct tm tm;

	gmtime_r(&secs, &tm);
	ug_fmt(out, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09lluZ", tm.tm_year + 1900,
	       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	       (unsigned long long)(realtime_ns % 1000000000ULL));
}
