/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The OCI hook's reading of its input (issue 17): the container state on
 * stdin and the bundle's config.json, turned into the runtime marks that
 * container's shifted views need. Pure parsing (json-c); unit-tested on
 * the shapes podman, CRI-O and containerd write.
 */
#ifndef UG_OCI_CONFIG_H
#define UG_OCI_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define UG_OCI_MAX_MARKS 32

/* The annotation a runtime or operator sets when it idmaps the rootfs (OCI has no field). */
#define UG_OCI_ROOTFS_ANNOTATION "org.usernsguard.rootfs"

struct ug_oci_state {
	char id[128];
	char bundle[PATH_MAX];
	char status[32];
};

struct ug_oci_mark {
	char path[PATH_MAX];
	__u32 root;   /* the container's root: host uid of its uid 0 */
	__u32 origin; /* on-disk id shown as root */
	__u32 range;
	bool ro;
};

struct ug_oci_plan {
	__u32 root; /* UG_INVALID_ID: the container has no user namespace mapping */
	struct ug_oci_mark marks[UG_OCI_MAX_MARKS];
	size_t n;
};

/* 0, or -EINVAL with @err saying what is wrong ("state: ..."). */
int ug_oci_state_parse(const char *text, struct ug_oci_state *out, char *err, size_t errlen);

/*
 * The marks a container needs, from its config.json @text (bundle
 * @bundle, for relative paths): each idmapped bind mount's source (option
 * "idmap"/"ridmap" or its own uidMappings), and the rootfs when annotated
 * UG_OCI_ROOTFS_ANNOTATION = "idmap". 0 (plan->n may be 0), or -EINVAL
 * with @err naming the field ("config.json: mounts[2].uidMappings: ...").
 */
int ug_oci_config_plan(const char *text, const char *bundle, struct ug_oci_plan *plan, char *err,
		       size_t errlen);

#endif
