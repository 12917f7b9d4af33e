/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef UG_STATUS_H
#define UG_STATUS_H

#include <stdio.h>

/* Print what is attached, the policy in force and the counters. */
int ug_status(void);

/*
 * `usernsguard status [--format text|prometheus] [--output FILE]`.
 * Prometheus output exits 0 whether or not anything is loaded
 * (usernsguard_loaded says which); text exits 8 when nothing is.
 */
int ug_status_command(int argc, char **argv, void (*usage)(FILE *out));

#endif
