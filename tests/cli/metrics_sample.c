// SPDX-License-Identifier: GPL-2.0-only
/*
 * Prints what `status --format prometheus` would for a sample state, so
 * the CLI test can lint the formatter's output with promtool on a host
 * that cannot load the programs. Usage: metrics_sample loaded|unloaded
 */
#include <stdio.h>
#include <string.h>

#include "metrics_format.h"

int main(int argc, char **argv)
{
	struct ug_metrics m = {
		.loaded = argc > 1 && !strcmp(argv[1], "loaded"),
		.generation = 2,
		.loaded_at_ns = 1795381200123456789ULL,
		.mode = { UG_MODE_ENFORCE, UG_MODE_AUDIT, UG_MODE_OFF },
		.counters = { { .denied = 3, .lost = 1 }, { .audited = 5, .ratelimited = 4 } },
	};
	char buf[8192];

	if (ug_metrics_format(&m, buf, sizeof(buf)) < 0)
		return 1;
	fputs(buf, stdout);
	return 0;
}
