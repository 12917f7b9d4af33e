/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef UG_LOADER_H
#define UG_LOADER_H

#include "resolve.h"

#define UG_LINK_DIR UG_PIN_DIR "/links"
#define UG_LOCK_FILE "/run/usernsguard.lock"

/*
 * Attach the programs if they are not attached yet, then make @kp the
 * policy in force in one step. Returns an enum ug_exit code.
 */
int ug_load(const struct ug_kernel_policy *kp, const char *source);

/* Switch enforcement off, wait until no program still enforces, unpin all. */
int ug_unload(void);

/* Serialize loaders: returns a held lock fd, or -errno. */
int ug_lock(void);

#endif
