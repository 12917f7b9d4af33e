// SPDX-License-Identifier: GPL-2.0-only
/*
 * The OCI hook's input (issue 17): the state on stdin and config.json as
 * podman, CRI-O/containerd (Kubernetes user-namespaced pods) and runc's
 * rootless spec write them, and what is marked for each.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "oci_config.h"
#include "usernsguard.h"

static struct ug_oci_plan plan;
static char err[256];

#define MAPS(host, size)                                                                      \
	"\"uidMappings\":[{\"containerID\":0,\"hostID\":" #host ",\"size\":" #size "}],"        \
	"\"gidMappings\":[{\"containerID\":0,\"hostID\":" #host ",\"size\":" #size "}]"

static int plan_of(const char *config)
{
	return ug_oci_config_plan(config, "/run/containers/b1", &plan, err, sizeof(err));
}

Test(oci, state)
{
	struct ug_oci_state st;

	cr_assert_eq(ug_oci_state_parse("{\"ociVersion\":\"1.0.2\",\"id\":\"c0ffee\",\"status\":"
					"\"created\",\"pid\":4242,\"bundle\":\"/run/b1\","
					"\"annotations\":{}}", &st, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(st.id, "c0ffee");
	cr_assert_str_eq(st.bundle, "/run/b1");
	cr_assert_str_eq(st.status, "created");
	cr_assert_eq(ug_oci_state_parse("{\"id\":\"x\"}", &st, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "state: 'bundle' is missing, empty, too long or not a string");
	cr_assert_eq(ug_oci_state_parse("{\"id\":\"x\",\"bundle\":\"rel\"}", &st, err, sizeof(err)),
		     -EINVAL);
	cr_assert_str_eq(err, "state: bundle 'rel' is not an absolute path");
	cr_assert_eq(ug_oci_state_parse("{\"id\":", &st, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "state: not a JSON object ("), "%s", err);
	cr_assert_eq(ug_oci_state_parse("[1]", &st, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "state: not a JSON object (another JSON value)");
}

/* podman run --userns=auto -v /srv/data:/data:idmap (crun's "idmap" option). */
Test(oci, podman_idmap_volume)
{
	cr_assert_eq(plan_of("{\"ociVersion\":\"1.1.0\",\"root\":{\"path\":\"/var/lib/containers/"
			     "storage/overlay/abc/merged\"},\"mounts\":["
			     "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
			     "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv/data\","
			     "\"options\":[\"idmap\",\"rbind\",\"rw\"]},"
			     "{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":"
			     "\"/run/containers/hosts\",\"options\":[\"bind\",\"ro\"]}],"
			     "\"linux\":{" MAPS(100000, 65536) ",\"namespaces\":[{\"type\":\"user\"}]}}"),
		     0, "%s", err);
	cr_assert_eq(plan.root, 100000);
	cr_assert_eq(plan.n, 1);
	cr_assert_str_eq(plan.marks[0].path, "/srv/data");
	cr_assert_eq(plan.marks[0].root, 100000);
	cr_assert_eq(plan.marks[0].origin, 0);
	cr_assert_eq(plan.marks[0].range, 65536);
	cr_assert(!plan.marks[0].ro);
}

/* CRI-O / containerd 2.0 for a user-namespaced pod: each volume has mappings of its own. */
Test(oci, kubernetes_pod_volumes)
{
	cr_assert_eq(plan_of("{\"ociVersion\":\"1.1.0\",\"mounts\":["
			     "{\"destination\":\"/var/run/secrets/kubernetes.io/serviceaccount\","
			     "\"type\":\"bind\",\"source\":\"/var/lib/kubelet/pods/u1/volumes/token\","
			     "\"options\":[\"rbind\",\"rprivate\",\"ro\"],"
			     MAPS(1048576, 65536) "},"
			     "{\"destination\":\"/cache\",\"type\":\"bind\",\"source\":"
			     "\"/var/lib/kubelet/pods/u1/volumes/cache\",\"options\":[\"rbind\"],"
			     "\"uidMappings\":[{\"containerID\":1000,\"hostID\":1048576,\"size\":10}],"
			     "\"gidMappings\":[{\"containerID\":1000,\"hostID\":1048576,\"size\":10}]}],"
			     "\"linux\":{" MAPS(1048576, 65536) "}}"),
		     0, "%s", err);
	cr_assert_eq(plan.n, 2);
	cr_assert_str_eq(plan.marks[0].path, "/var/lib/kubelet/pods/u1/volumes/token");
	cr_assert(plan.marks[0].ro);
	cr_assert_eq(plan.marks[0].origin, 0);
	cr_assert_eq(plan.marks[1].origin, 1000);
	cr_assert_eq(plan.marks[1].range, 10);
	cr_assert_eq(plan.marks[1].root, 1048576);
}

/* runc spec --rootless: a one-id map and no idmapped mount: nothing to mark. */
Test(oci, runc_rootless_spec)
{
	cr_assert_eq(plan_of("{\"ociVersion\":\"1.0.2-dev\",\"root\":{\"path\":\"rootfs\","
			     "\"readonly\":true},\"mounts\":[{\"destination\":\"/sys\",\"type\":"
			     "\"none\",\"source\":\"/sys\",\"options\":[\"rbind\",\"nosuid\",\"ro\"]}],"
			     "\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],"
			     "\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]}}"),
		     0, "%s", err);
	cr_assert_eq(plan.root, 1000);
	cr_assert_eq(plan.n, 0);
}

/* The rootfs, when the annotation says it is idmapped; relative to the bundle. */
Test(oci, rootfs_by_annotation)
{
	cr_assert_eq(plan_of("{\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
			     "\"annotations\":{\"org.usernsguard.rootfs\":\"idmap\"},"
			     "\"linux\":{" MAPS(524288, 65536) "}}"),
		     0, "%s", err);
	cr_assert_eq(plan.n, 1);
	cr_assert_str_eq(plan.marks[0].path, "/run/containers/b1/rootfs");
	cr_assert(plan.marks[0].ro);
	cr_assert_eq(plan.marks[0].root, 524288);
}

Test(oci, no_user_namespace)
{
	cr_assert_eq(plan_of("{\"mounts\":[{\"destination\":\"/d\",\"type\":\"bind\","
			     "\"source\":\"/srv/d\",\"options\":[\"idmap\"]}]}"), 0, "%s", err);
	cr_assert_eq(plan.root, UG_INVALID_ID);
	cr_assert_eq(plan.n, 0);
}

Test(oci, malformed_marks_nothing)
{
	cr_assert_eq(plan_of("{\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":1}]}}"),
		     -EINVAL);
	cr_assert_str_eq(err, "config.json: linux.uidMappings[0]: expected containerID, hostID and "
			      "size within 0-4294967294");
	cr_assert_eq(plan_of("{\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,"
			     "\"size\":65536}],\"gidMappings\":[{\"containerID\":0,\"hostID\":"
			     "200000,\"size\":65536}]}}"), -EINVAL);
	cr_assert_str_eq(err, "config.json: linux.gidMappings: gid 0 must map like uid 0 (host "
			      "100000, 65536 ids): a mark's root is one id for both");
	cr_assert_eq(plan_of("{\"mounts\":[{\"destination\":\"/d\",\"type\":\"bind\",\"source\":"
			     "\"/srv/d\",\"options\":[\"idmap\"]},{\"destination\":\"/e\",\"type\":"
			     "\"bind\",\"source\":\"/srv/e\",\"uidMappings\":[{\"containerID\":0,"
			     "\"hostID\":300000,\"size\":65536}]}],\"linux\":{" MAPS(100000, 65536) "}}"),
		     -EINVAL);
	cr_assert_str_eq(err, "config.json: mounts[1].uidMappings: no entry shows the container's "
			      "root (host 100000)");
	cr_assert_eq(plan.n, 0, "an error marks nothing, not the first mount either");
	cr_assert_eq(plan_of("{\"mounts\":[{\"destination\":\"/d\",\"type\":\"bind\","
			     "\"options\":[\"idmap\"]}],\"linux\":{" MAPS(100000, 65536) "}}"),
		     -EINVAL);
	cr_assert_str_eq(err, "config.json: mounts[0]: an idmapped bind without a source");
	cr_assert_eq(plan_of("{\"annotations\":{\"org.usernsguard.rootfs\":\"yes\"},\"root\":"
			     "{\"path\":\"/r\"},\"linux\":{" MAPS(100000, 65536) "}}"), -EINVAL);
	cr_assert_str_eq(err, "config.json: annotations.org.usernsguard.rootfs: 'yes', expected "
			      "'idmap'");
	cr_assert_eq(plan_of("{\"linux\":"), -EINVAL);
	cr_assert(strstr(err, "config.json: not a JSON object ("), "%s", err);
}

/* One source mounted twice alike is one mark (a second "mark add" would be refused). */
Test(oci, same_source_twice)
{
	cr_assert_eq(plan_of("{\"mounts\":[{\"destination\":\"/a\",\"type\":\"bind\",\"source\":"
			     "\"/srv/d\",\"options\":[\"idmap\",\"ro\"]},{\"destination\":\"/b\","
			     "\"type\":\"bind\",\"source\":\"/srv/d\",\"options\":[\"idmap\"]}],"
			     "\"linux\":{" MAPS(100000, 65536) "}}"), 0, "%s", err);
	cr_assert_eq(plan.n, 1);
	cr_assert(!plan.marks[0].ro, "read-write somewhere: not an ro mark");
	cr_assert_eq(plan_of("{\"mounts\":[{\"destination\":\"/a\",\"type\":\"bind\",\"source\":"
			     "\"/srv/d\",\"options\":[\"idmap\"]},{\"destination\":\"/b\","
			     "\"type\":\"bind\",\"source\":\"/srv/d\",\"uidMappings\":[{\"containerID\":"
			     "7,\"hostID\":100000,\"size\":1}]}],\"linux\":{" MAPS(100000, 65536) "}}"),
		     -EINVAL);
	cr_assert_str_eq(err, "config.json: mounts[1]: '/srv/d' is mounted twice with different "
			      "mappings");
}
