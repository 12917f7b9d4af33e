/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef UG_STATUS_H
#define UG_STATUS_H

/* Print what is attached, the policy in force and the counters. */
int ug_status(void);

#endif
