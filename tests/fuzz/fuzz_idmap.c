// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: the uid_map parser, and the invariants of what it
 * accepts: every extent translates both ways through the shared lookup
 * code (linear or binary search), and splitting stays inside the parent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "idmap_file.h"

static struct ug_idmap map;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ug_extent parts[UG_IDMAP_MAX_EXTENTS], want;
	char text[16384], err[256];
	size_t n, i;
	__u64 covered = 0;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ug_idmap_parse(text, &map, err, sizeof(err)))
		return 0;
	for (i = 0; i < map.n; i++) {
		const struct ug_extent *e = &map.extent[i];
		__u32 last = e->count - 1;

		if (ug_idmap_down(&map, e->first) != e->lower_first ||
		    ug_idmap_down(&map, e->first + last) != e->lower_first + last ||
		    ug_idmap_up(&map, e->lower_first) != e->first ||
		    ug_idmap_up(&map, e->lower_first + last) != e->first + last)
			abort();
	}
	/* Split the first extent's namespace range against the whole map. */
	if (map.n) {
		want = (struct ug_extent){ 0, map.extent[0].first, map.extent[0].count };
		if (ug_idmap_split(&map, &want, parts, UG_IDMAP_MAX_EXTENTS, &n, err, sizeof(err)))
			abort(); /* it is mapped by construction */
		for (i = 0; i < n; i++) {
			if (parts[i].first != want.first + covered ||
			    ug_idmap_down(&map, parts[i].lower_first) == UG_INVALID_ID)
				abort();
			covered += parts[i].count;
		}
		if (covered != want.count)
			abort();
	}
	return 0;
}
