/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few settings of a systemd service unit that decide which ids its
 * processes are started as (systemd.exec(5)): User=, Group=, DynamicUser=,
 * and where it runs (Slice=). Pure text parsing for `scan overflow`: the
 * unit file, then its drop-ins in order, later assignments winning, as
 * systemd reads them.
 */
#ifndef UG_UNIT_FILE_H
#define UG_UNIT_FILE_H

#include <stdbool.h>
#include <stddef.h>

struct ug_unit_ids {
	char user[64];  /* "" when unset */
	char group[64];
	char slice[128]; /* "" means system.slice */
	bool dynamic_user;
	unsigned int user_line, group_line, dynamic_line; /* in the file that set it last */
	const char *user_file, *group_file, *dynamic_file;
};

/*
 * Apply one unit file or drop-in (@name, for the *_file fields; it must
 * outlive @ids) to @ids. Only the [Service] section counts; an empty
 * assignment resets the setting, as in systemd.
 */
void ug_unit_apply(struct ug_unit_ids *ids, const char *name, const char *text);

/*
 * The cgroup of unit @unit (e.g. "x.service", "getty@tty1.service") with
 * @slice ("" for system.slice): "/system.slice/x.service". A template's
 * instances share "/system.slice/system-getty.slice"; with @unit a
 * template ("getty@.service") that slice is what is written.
 */
void ug_unit_cgroup(const char *unit, const char *slice, char *out, size_t len);

#endif
