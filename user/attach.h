/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Attaching the programs a policy needs, and only those (issue 19). Every
 * program is loaded once and pinned under UG_PROG_DIR; a later load
 * attaches from those pins, so all programs share one set of maps, the
 * unpinned ones (taint, hints, memo) included.
 */
#ifndef UG_ATTACH_H
#define UG_ATTACH_H

#include <stdbool.h>

#include <bpf/libbpf.h>

#define UG_PROG_DIR UG_PIN_DIR "/progs"

/*
 * Before a load: whether every program this kernel takes is pinned. If
 * so, the object needs no program loaded (the caller turns autoload off).
 */
bool ug_progs_pinned(struct bpf_object *obj);

/* After loading @obj's programs: pin each (replacing older pins). */
int ug_progs_pin(struct bpf_object *obj);

/*
 * Attach every pinned program @needs calls for that has no live link
 * (every one, with @fresh: a new load's programs replace an older load's
 * links). Before the policy that needs them is in force.
 */
int ug_attach_needed(struct bpf_object *obj, unsigned int needs, bool fresh);

/*
 * Detach every link @needs does not call for (and any of a program this
 * object does not have), once the policy that no longer needs them is in
 * force. Sticky programs stay. Returns 0 or -errno (a pin left is only
 * cost, never a wrong decision).
 */
int ug_detach_unneeded(struct bpf_object *obj, unsigned int needs);

#endif
