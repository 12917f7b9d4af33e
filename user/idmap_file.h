/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User namespace id maps in userspace: parse /proc/PID/uid_map and
 * gid_map as the kernel validates them, translate ids with the same code
 * the BPF programs use (include/idmap.h), and split a requested extent so
 * that each part fits one extent of the parent map (seed 002).
 */
#ifndef UG_IDMAP_FILE_H
#define UG_IDMAP_FILE_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#include "idmap.h"

struct ug_idmap {
	__u32 n;
	struct ug_extent extent[UG_IDMAP_MAX_EXTENTS];   /* in the order written */
	struct ug_extent by_lower[UG_IDMAP_MAX_EXTENTS]; /* sorted by lower_first */
	struct ug_extent by_first[UG_IDMAP_MAX_EXTENTS]; /* sorted by first */
};

/*
 * Parse map text ("first lower_first count" per line). Refuses what
 * map_write() refuses: more than 340 lines, a zero count, a range that
 * wraps past 2^32-1, overlapping ranges on either side. 0 or -EINVAL with
 * @err naming the line.
 */
int ug_idmap_parse(const char *text, struct ug_idmap *map, char *err, size_t errlen);

/* Read /proc/@pid/uid_map (@gid false) or gid_map. 0 or -errno. */
int ug_idmap_read(pid_t pid, int gid, struct ug_idmap *map, char *err, size_t errlen);
/* Read a map file by path (a --proc tree other than /proc). 0 or -errno. */
int ug_idmap_read_path(const char *path, struct ug_idmap *map, char *err, size_t errlen);

/* map_id_up(): kernel id -> namespace id, UG_INVALID_ID if unmapped. */
__u32 ug_idmap_up(const struct ug_idmap *map, __u32 kid);
/* map_id_down(): namespace id -> kernel id, UG_INVALID_ID if unmapped. */
__u32 ug_idmap_down(const struct ug_idmap *map, __u32 id);

/*
 * Split @want, whose lower_first is an id of the parent namespace, into
 * parts that each fall inside one extent of @parent. 0 with *@n parts, or
 * -ERANGE naming (in @err) the first id the parent does not map, or
 * -E2BIG if more than @max parts would be needed.
 */
int ug_idmap_split(const struct ug_idmap *parent, const struct ug_extent *want,
		   struct ug_extent *out, size_t max, size_t *n, char *err, size_t errlen);

#endif
