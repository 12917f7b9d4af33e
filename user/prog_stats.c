// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-program cost. The kernel counts runs and run time only while
 * statistics are enabled (they cost two clock reads per run themselves),
 * so this turns them on for a measurement window and reads each attached
 * program's counters at both ends of it.
 */
#include "prog_stats.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "attach.h"
#include "loader.h"
#include "util.h"

/*
 * Every attached program's name and counters now: a link's name is its
 * program's, pinned under UG_PROG_DIR (no program ids, which would take
 * CAP_SYS_ADMIN to open).
 */
static int sample(struct ug_prog_stat *out, int max)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(UG_LINK_DIR);

	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < max) {
		struct bpf_prog_info prog = {};
		__u32 len = sizeof(prog);
		char path[512];
		int fd;

		if (de->d_name[0] == '.')
			continue;
		ug_fmt(path, sizeof(path), "%s/%s", UG_PROG_DIR, de->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &prog, &len)) {
			snprintf(out[n].name, sizeof(out[n].name), "%.63s", de->d_name);
			out[n].runs = prog.run_cnt;
			out[n].ns = prog.run_time_ns;
			n++;
		}
		close(fd);
	}
	closedir(d);
	return n;
}

int ug_prog_stats(unsigned int seconds, struct ug_prog_stat *out, int max)
{
	struct ug_prog_stat before[UG_STATS_MAX];
	int stats_fd, n, m, i, j;

	if (max > UG_STATS_MAX)
		max = UG_STATS_MAX;
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0)
		return stats_fd;
	n = sample(before, max);
	if (n >= 0)
		sleep(seconds);
	m = n < 0 ? n : sample(out, max);
	close(stats_fd);
	if (m < 0)
		return m;
	/* A program detached in the window is left out; one attached in it counts from 0. */
	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++)
			if (!strcmp(out[i].name, before[j].name) && out[i].runs >= before[j].runs) {
				out[i].runs -= before[j].runs;
				out[i].ns -= before[j].ns;
			}
	return m;
}

int ug_prog_stats_format(const struct ug_prog_stat *s, int n, unsigned int seconds,
			 bool prometheus, char *buf, size_t len)
{
	size_t used = 0;
	int i, w;

#define PUT(...)                                                                       \
	do {                                                                           \
		w = snprintf(buf + used, len - used, __VA_ARGS__);                     \
		if (w < 0 || (size_t)w >= len - used)                                  \
			return -ENOSPC;                                                \
		used += (size_t)w;                                                     \
	} while (0)

	buf[0] = '\0';
	if (!prometheus) {
		PUT("program cost over %u s (BPF statistics on for this window only):\n", seconds);
		for (i = 0; i < n; i++)
			PUT("  %-24s %12llu runs  %8llu ns a run\n", s[i].name,
			    (unsigned long long)s[i].runs,
			    (unsigned long long)(s[i].runs ? s[i].ns / s[i].runs : 0));
		return (int)used;
	}
	PUT("# HELP usernsguard_stats_window_seconds Length of the window the program "
	    "statistics cover.\n# TYPE usernsguard_stats_window_seconds gauge\n"
	    "usernsguard_stats_window_seconds %u\n", seconds);
	PUT("# HELP usernsguard_program_runs Runs of each attached program in the window.\n"
	    "# TYPE usernsguard_program_runs gauge\n");
	for (i = 0; i < n; i++)
		PUT("usernsguard_program_runs{program=\"%s\"} %llu\n", s[i].name,
		    (unsigned long long)s[i].runs);
	PUT("# HELP usernsguard_program_run_seconds Run time of each attached program in the "
	    "window, summed.\n# TYPE usernsguard_program_run_seconds gauge\n");
	for (i = 0; i < n; i++)
		PUT("usernsguard_program_run_seconds{program=\"%s\"} %llu.%09llu\n", s[i].name,
		    (unsigned long long)(s[i].ns / 1000000000ULL),
		    (unsigned long long)(s[i].ns % 1000000000ULL));
	return (int)used;
#undef PUT
}
