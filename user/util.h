/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef UG_UTIL_H
#define UG_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* Documented in usernsguard(8); scripts depend on them. */
enum ug_exit {
	UG_EXIT_OK = 0,
	UG_EXIT_INVALID = 1,    /* invalid input, or the kernel refused */
	UG_EXIT_USAGE = 2,      /* bad command line */
	UG_EXIT_NOT_ROOT = 3,   /* needs root */
	UG_EXIT_UNREADABLE = 4, /* policy file cannot be read */
	UG_EXIT_NO_BPF_LSM = 5, /* "bpf" missing from the active LSM list */
	UG_EXIT_NO_BTF = 6,     /* no /sys/kernel/btf/vmlinux */
	UG_EXIT_NO_BPFFS = 7,   /* bpffs not mounted and not mountable */
	UG_EXIT_NOT_LOADED = 8, /* status/events/unload: nothing is loaded */
	UG_EXIT_SELFCHECK = 9,  /* load: the new policy judged a host task; taken back */
	UG_EXIT_BUSY = 10,      /* events: another reader holds the ring */
};

extern bool ug_debug;

void ug_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ug_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ug_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* snprintf into a fixed buffer, never overflowing, always terminated. */
void ug_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Append a formatted line to a growing array of lines (*@lines, *@n). A
 * report's notes: on out of memory the line is dropped, never the report.
 */
void ug_lines_add(char ***lines, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Read a whole file (at most max bytes); returns 0 or -errno. */
int ug_read_file(const char *path, size_t max, char **data, size_t *len);

/* Strict decimal u32 below 2^32-1 ((u32)-1 is never an id); 0 or -EINVAL/-ERANGE. */
int ug_parse_id(const char *s, __u32 *out);

/*
 * Replace @path with @len bytes of @data atomically: a reader (a textfile
 * collector) sees the old file or the new one, never a partial one. Mode
 * 0644. 0 or -errno.
 */
int ug_write_atomic(const char *path, const char *data, size_t len);

void ug_hex(const __u8 *bytes, size_t n, char *out);

/* RFC 3339 UTC time with nanoseconds from CLOCK_REALTIME nanoseconds. */
void ug_rfc3339(__u64 realtime_ns, char *out, size_t len);

#endif
