/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef UG_OCI_HOOK_H
#define UG_OCI_HOOK_H

/* `usernsguard oci-hook createRuntime|poststop`: argv[0] is "oci-hook". */
int ug_oci_hook_command(int argc, char **argv);

#endif
