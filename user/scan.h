/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef UG_SCAN_H
#define UG_SCAN_H

#include <stdio.h>

/*
 * `usernsguard scan [OPTIONS]`: collect, lint, print. Exit 0 when clean,
 * 1 when a problem was found, 2 on a usage error, 4 when the /proc tree
 * cannot be listed. @usage prints the command's usage line.
 */
int ug_scan_command(int argc, char **argv, void (*usage)(FILE *out));

#endif
