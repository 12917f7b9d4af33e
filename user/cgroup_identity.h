/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Who a cgroup belongs to, as its path says: the container and runtime
 * (docker, containerd, cri-o, podman, lxc, systemd-nspawn), the Kubernetes
 * pod, the systemd unit. Pure parsing, unit-tested on the path shapes the
 * runtimes make; cgroup_resolve.c turns an event's cgroup id into a path.
 */
#ifndef UG_CGROUP_IDENTITY_H
#define UG_CGROUP_IDENTITY_H

struct ug_cgroup_identity {
	char runtime[16];  /* "docker", "containerd", "cri-o", "podman", "lxc", "systemd-nspawn"; "" */
	char id[72];       /* the runtime's container id (hex), "" when it has none */
	char name[64];     /* a container's name (lxc, nspawn), "" */
	char pod_uid[40];  /* Kubernetes pod UID, "" */
	char unit[128];    /* the systemd unit or scope the cgroup is in, "" */
};

/* Fill @out from @path (cgroup v2, from the hierarchy's root); "" where it says nothing. */
void ug_cgroup_identify(const char *path, struct ug_cgroup_identity *out);

#endif
