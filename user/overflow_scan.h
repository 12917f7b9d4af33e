/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `usernsguard scan overflow`: what rule 1 would refuse or kill on this
 * host, before it is enforced (issue 16). Processes that hold an id that
 * reads as the overflow id (the host's, or their own namespace's), set-id
 * files owned by it, and systemd services configured to run as it; each
 * with the exemption line that would let it be.
 */
#ifndef UG_OVERFLOW_SCAN_H
#define UG_OVERFLOW_SCAN_H

#include <stdio.h>

/* Exit 0: nothing would break; 1: findings; 2: usage; 4: /proc unreadable. */
int ug_overflow_scan_command(int argc, char **argv, void (*usage)(FILE *out));

#endif
