// SPDX-License-Identifier: GPL-2.0-only
/* Container identity from cgroup paths, in the shapes the runtimes make. */
#include <criterion/criterion.h>

#include "cgroup_identity.h"

#define ID64 "4c5a1e2f9b0d3c7e8a6f5b4d2c1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e"

static struct ug_cgroup_identity who(const char *path)
{
	struct ug_cgroup_identity id;

	ug_cgroup_identify(path, &id);
	return id;
}

Test(cgroup_identity, docker_systemd_and_cgroupfs_drivers)
{
	struct ug_cgroup_identity id = who("/system.slice/docker-" ID64 ".scope");

	cr_assert_str_eq(id.runtime, "docker");
	cr_assert_str_eq(id.id, ID64);
	cr_assert_str_eq(id.unit, "docker-" ID64 ".scope");
	id = who("/docker/" ID64);
	cr_assert_str_eq(id.runtime, "docker");
	cr_assert_str_eq(id.id, ID64);
	/* Twin: the daemon's own unit is no container. */
	id = who("/system.slice/docker.service");
	cr_assert_str_eq(id.runtime, "");
	cr_assert_str_eq(id.id, "");
	cr_assert_str_eq(id.unit, "docker.service");
}

Test(cgroup_identity, kubernetes_pods)
{
	struct ug_cgroup_identity id = who(
		"/kubepods.slice/kubepods-besteffort.slice/"
		"kubepods-besteffort-pod0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0.slice/"
		"cri-containerd-" ID64 ".scope");

	cr_assert_str_eq(id.runtime, "containerd");
	cr_assert_str_eq(id.id, ID64);
	cr_assert_str_eq(id.pod_uid, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
	/* Guaranteed QoS has no class slice; CRI-O names its scopes crio-. */
	id = who("/kubepods.slice/kubepods-pod0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0.slice/crio-" ID64
		 ".scope");
	cr_assert_str_eq(id.runtime, "cri-o");
	cr_assert_str_eq(id.pod_uid, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
	/* Its monitor is not the container. */
	id = who("/kubepods.slice/kubepods-pod0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0.slice/crio-conmon-" ID64
		 ".scope");
	cr_assert_str_eq(id.runtime, "");
	cr_assert_str_eq(id.id, "");
	cr_assert_str_eq(id.pod_uid, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
	/* cgroupfs driver: the pod and the id, the runtime unknown. */
	id = who("/kubepods/burstable/pod0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/" ID64);
	cr_assert_str_eq(id.pod_uid, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
	cr_assert_str_eq(id.id, ID64);
	cr_assert_str_eq(id.runtime, "");
}

Test(cgroup_identity, podman_rootful_and_rootless)
{
	struct ug_cgroup_identity id = who("/machine.slice/libpod-" ID64 ".scope");

	cr_assert_str_eq(id.runtime, "podman");
	cr_assert_str_eq(id.id, ID64);
	id = who("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID64
		 ".scope/container");
	cr_assert_str_eq(id.runtime, "podman");
	cr_assert_str_eq(id.id, ID64);
	id = who("/machine.slice/libpod-conmon-" ID64 ".scope");
	cr_assert_str_eq(id.runtime, "");
}

Test(cgroup_identity, lxc_and_nspawn_by_name)
{
	struct ug_cgroup_identity id = who("/lxc.payload.web1");

	cr_assert_str_eq(id.runtime, "lxc");
	cr_assert_str_eq(id.name, "web1");
	id = who("/lxc/old-style");
	cr_assert_str_eq(id.runtime, "lxc");
	cr_assert_str_eq(id.name, "old-style");
	/* The monitor process is not in the container. */
	id = who("/lxc.monitor.web1");
	cr_assert_str_eq(id.runtime, "");
	id = who("/machine.slice/systemd-nspawn@db\\x2d1.service/payload");
	cr_assert_str_eq(id.runtime, "systemd-nspawn");
	cr_assert_str_eq(id.name, "db-1");
	id = who("/machine.slice/machine-db\\x2d1.scope/payload/system.slice/nginx.service");
	cr_assert_str_eq(id.runtime, "systemd-nspawn");
	cr_assert_str_eq(id.name, "db-1");
	cr_assert_str_eq(id.unit, "nginx.service");
	/* libvirt's machines are not nspawn's. */
	id = who("/machine.slice/machine-qemu\\x2d1\\x2dvm.scope/libvirt/emulator");
	cr_assert_str_eq(id.runtime, "");
}

Test(cgroup_identity, plain_units_and_nothing)
{
	struct ug_cgroup_identity id = who("/system.slice/cron.service");

	cr_assert_str_eq(id.unit, "cron.service");
	cr_assert_str_eq(id.runtime, "");
	id = who("/");
	cr_assert_str_eq(id.unit, "");
	id = who("/user.slice/user-1000.slice/session-3.scope");
	cr_assert_str_eq(id.unit, "session-3.scope");
	/* Not 64 hex digits: not an id. */
	id = who("/system.slice/docker-abc.scope");
	cr_assert_str_eq(id.runtime, "");
}
