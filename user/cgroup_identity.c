// SPDX-License-Identifier: GPL-2.0-only
#include "cgroup_identity.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* @s (of @len bytes) starts with @prefix: its length, else 0. */
static size_t starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(s, prefix, n) ? n : 0;
}

static bool ends(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

/* A container id: 64 hex digits (docker, containerd, cri-o, podman all use them). */
static bool is_id(const char *s, size_t len)
{
	size_t i;

	if (len != 64)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void copy(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* systemd's unit-name escaping (\x2d for '-' and the like) undone, for names. */
static void unescape(char *dst, size_t size, const char *src, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len && n + 1 < size; i++) {
		unsigned int c;

		if (src[i] == '\\' && i + 3 < len && src[i + 1] == 'x' &&
		    sscanf(src + i + 2, "%2x", &c) == 1) {
			dst[n++] = (char)c;
			i += 3;
		} else {
			dst[n++] = src[i];
		}
	}
	dst[n] = '\0';
}

/*
 * "<prefix><64 hex>.scope" (systemd's cgroup driver) or "<prefix><64 hex>"
 * (cgroupfs): the id, else false.
 */
static bool scoped_id(const char *c, size_t len, const char *prefix, struct ug_cgroup_identity *out)
{
	size_t p = starts(c, len, prefix), end = len;

	if (!p)
		return false;
	if (ends(c, len, ".scope"))
		end -= strlen(".scope");
	if (!is_id(c + p, end - p))
		return false;
	copy(out->id, sizeof(out->id), c + p, end - p);
	return true;
}

/* A pod UID from "pod<uid>" (cgroupfs) or "kubepods-<qos>-pod<uid_with_underscores>.slice". */
static void pod_uid(const char *c, size_t len, struct ug_cgroup_identity *out)
{
	const char *p = NULL;
	size_t i, n;

	if (starts(c, len, "kubepods") && ends(c, len, ".slice")) {
		for (i = 0; i + 3 < len; i++)
			if (!memcmp(c + i, "pod", 3) && (i == 0 || c[i - 1] == '-'))
				p = c + i + 3;
		if (!p)
			return;
		n = (size_t)(c + len - strlen(".slice") - p);
	} else if (starts(c, len, "pod") && len > 3) {
		p = c + 3;
		n = len - 3;
	} else {
		return;
	}
	if (n < 32 || n >= sizeof(out->pod_uid))
		return;
	/* A UID is hex and dashes (underscores in systemd's slice names). */
	for (i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') || p[i] == '-' ||
		      p[i] == '_'))
			return;
	copy(out->pod_uid, sizeof(out->pod_uid), p, n);
	for (i = 0; out->pod_uid[i]; i++)
		if (out->pod_uid[i] == '_')
			out->pod_uid[i] = '-';
}

void ug_cgroup_identify(const char *path, struct ug_cgroup_identity *out)
{
	const char *c = path, *prev = NULL;
	size_t prev_len = 0;
	bool under_kubepods = false;

	memset(out, 0, sizeof(*out));
	while (*c) {
		size_t len, p;

		while (*c == '/')
			c++;
		len = strcspn(c, "/");
		if (!len)
			break;
		if (starts(c, len, "kubepods"))
			under_kubepods = true;
		if (under_kubepods)
			pod_uid(c, len, out);
		/* The container a path is in is its deepest match. */
		if (scoped_id(c, len, "docker-", out)) {
			snprintf(out->runtime, sizeof(out->runtime), "docker");
		} else if (scoped_id(c, len, "cri-containerd-", out)) {
			snprintf(out->runtime, sizeof(out->runtime), "containerd");
		} else if (!starts(c, len, "crio-conmon-") && scoped_id(c, len, "crio-", out)) {
			snprintf(out->runtime, sizeof(out->runtime), "cri-o");
		} else if (!starts(c, len, "libpod-conmon-") && scoped_id(c, len, "libpod-", out)) {
			snprintf(out->runtime, sizeof(out->runtime), "podman");
		} else if (prev && prev_len == 6 && !memcmp(prev, "docker", 6) && is_id(c, len)) {
			copy(out->id, sizeof(out->id), c, len);
			snprintf(out->runtime, sizeof(out->runtime), "docker");
		} else if (under_kubepods && is_id(c, len)) {
			/* cgroupfs driver: the runtime is not in the path. */
			copy(out->id, sizeof(out->id), c, len);
		} else if ((p = starts(c, len, "lxc.payload.")) && len > p) {
			/* LXC 4 and later, and Incus: lxc.payload.NAME. */
			copy(out->name, sizeof(out->name), c + p, len - p);
			snprintf(out->runtime, sizeof(out->runtime), "lxc");
		} else if (prev && prev_len == 3 && !memcmp(prev, "lxc", 3)) {
			/* LXC before 4: lxc/NAME. */
			copy(out->name, sizeof(out->name), c, len);
			snprintf(out->runtime, sizeof(out->runtime), "lxc");
		} else if ((p = starts(c, len, "systemd-nspawn@")) && ends(c, len, ".service")) {
			unescape(out->name, sizeof(out->name), c + p, len - p - strlen(".service"));
			snprintf(out->runtime, sizeof(out->runtime), "systemd-nspawn");
		} else if ((p = starts(c, len, "machine-")) && ends(c, len, ".scope") &&
			   !starts(c + p, len - p, "qemu") && !starts(c + p, len - p, "lxc")) {
			/* A machine nspawn registered (libvirt's qemu-/lxc- machines are not nspawn's). */
			unescape(out->name, sizeof(out->name), c + p, len - p - strlen(".scope"));
			snprintf(out->runtime, sizeof(out->runtime), "systemd-nspawn");
		}
		if (ends(c, len, ".service") || ends(c, len, ".scope"))
			copy(out->unit, sizeof(out->unit), c, len);
		prev = c;
		prev_len = len;
		c += len;
	}
}
