// SPDX-License-Identifier: GPL-2.0-only
#include "policy_maps.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "util.h"

int ug_open_pinned(const char *name)
{
	char path[256];
	int fd;

	ug_fmt(path, sizeof(path), "%s/%s", UG_PIN_DIR, name);
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

int ug_maps_open_pinned(struct ug_map_fds *fds)
{
	fds->policy = ug_open_pinned("ug_policy");
	fds->state = ug_open_pinned("ug_state");
	fds->exempt = ug_open_pinned("ug_match");
	fds->counters = ug_open_pinned("ug_counters");
	fds->marks = ug_open_pinned("ug_marks");
	fds->names = ug_open_pinned("ug_cgroup_names");
	if (fds->names < 0)
		fds->names = -1;
	fds->files = ug_open_pinned("ug_policy_files");
	if (fds->files < 0)
		fds->files = -1;
	if (fds->policy < 0 || fds->state < 0 || fds->exempt < 0 || fds->counters < 0 ||
	    fds->marks < 0) {
		int err = fds->policy < 0 ? fds->policy :
			  fds->state < 0 ? fds->state :
			  fds->exempt < 0 ? fds->exempt :
			  fds->counters < 0 ? fds->counters : fds->marks;

		ug_maps_close(fds);
		return err;
	}
	return 0;
}

void ug_maps_close(struct ug_map_fds *fds)
{
	int *all[] = { &fds->policy, &fds->state, &fds->exempt, &fds->counters, &fds->marks,
			&fds->names, &fds->files };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (*all[i] >= 0)
			close(*all[i]);
		*all[i] = -1;
	}
}

/*
 * Updating an entry of a map-in-map makes the kernel call synchronize_rcu()
 * before returning (maybe_wait_bpf_programs()), and non-sleepable BPF-LSM
 * programs run inside RCU read-side sections: a throwaway map-in-map is a
 * portable "wait for every running program".
 */
int ug_sync_programs(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	int inner, outer, err = 0;
	__u32 zero = 0;

	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ug_sync_inner", 4, 4, 1, NULL);
	if (inner < 0)
		return -errno;
	opts.inner_map_fd = inner;
	outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "ug_sync", 4, 4, 1, &opts);
	if (outer < 0) {
		err = -errno;
		close(inner);
		return err;
	}
	if (bpf_map_update_elem(outer, &zero, &inner, BPF_ANY))
		err = -errno;
	close(outer);
	close(inner);
	return err;
}

/*
 * Delete every entry of @fd whose key starts with slot number @slot (both
 * ug_exempt_key and ug_mark_key do). Keys are collected first: deleting
 * while iterating would restart the walk.
 */
static int clear_slot(int fd, size_t key_size, __u32 slot)
{
	unsigned char key[512], next[512], *doomed = NULL;
	size_t n = 0, cap = 0, i;
	void *prev = NULL;
	int err = 0;

	if (key_size > sizeof(key))
		return -EINVAL;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		__u32 key_slot;

		memcpy(&key_slot, next, sizeof(key_slot));
		if (key_slot == slot) {
			if (n == cap) {
				unsigned char *grown;

				cap = cap ? cap * 2 : 64;
				grown = realloc(doomed, cap * key_size);
				if (!grown) {
					free(doomed);
					return -ENOMEM;
				}
				doomed = grown;
			}
			memcpy(doomed + n++ * key_size, next, key_size);
		}
		memcpy(key, next, key_size);
		prev = key;
	}
	for (i = 0; i < n && !err; i++)
		if (bpf_map_delete_elem(fd, doomed + i * key_size) && errno != ENOENT)
			err = -errno;
	free(doomed);
	return err;
}

int ug_policy_current(const struct ug_map_fds *fds, struct ug_policy *out, __u32 *slot)
{
	struct ug_state state;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(fds->state, &zero, &state))
		return -errno;
	state.active_slot &= 1;
	if (bpf_map_lookup_elem(fds->policy, &state.active_slot, out))
		return -errno;
	if (slot)
		*slot = state.active_slot;
	return 0;
}

int ug_policy_install(const struct ug_map_fds *fds, const struct ug_kernel_policy *kp,
		      const char *source)
{
	struct ug_policy current, next_policy = kp->policy;
	struct timespec now;
	__u32 active, next;
	size_t i;
	int err;

	err = ug_policy_current(fds, &current, &active);
	if (err) {
		ug_err("reading the policy in force: %s", strerror(-err));
		return err;
	}
	next = !active;

	/* A loader killed after its flip may have skipped its final wait. */
	err = ug_sync_programs();
	if (err) {
		ug_err("waiting for running programs: %s", strerror(-err));
		return err;
	}
	if (fds->names < 0) {
		ug_err("the pinned map ug_cgroup_names is missing (programs of an older version?)");
		return -ENOENT;
	}
	/* Paths first: a cgroup made from here on is entered by the mkdir program. */
	err = clear_slot(fds->names, sizeof(struct ug_cgroup_name_key), next);
	if (!err)
		err = clear_slot(fds->exempt, sizeof(struct ug_exempt_key), next);
	if (!err)
		err = clear_slot(fds->marks, sizeof(struct ug_mark_key), next);
	if (err) {
		ug_err("clearing the inactive policy slot: %s", strerror(-err));
		return err;
	}
	for (i = 0; i < kp->n_names; i++) {
		struct ug_cgroup_name_key key = kp->name_keys[i];

		key.slot = next;
		if (bpf_map_update_elem(fds->names, &key, &kp->name_values[i], BPF_NOEXIST)) {
			err = -errno;
			ug_err("writing cgroup path '%s': %s", key.path, strerror(errno));
			return err;
		}
	}
	for (i = 0; i < kp->n_exempt; i++) {
		struct ug_exempt_key key = kp->keys[i];

		key.slot = next;
		if (bpf_map_update_elem(fds->exempt, &key, &kp->values[i], BPF_NOEXIST)) {
			err = -errno;
			ug_err("writing exemption from line %u: %s", kp->values[i].policy_line,
			       strerror(errno));
			return err;
		}
	}

	for (i = 0; i < kp->n_marks; i++) {
		struct ug_mark_key key = kp->mark_keys[i];

		key.slot = next;
		if (bpf_map_update_elem(fds->marks, &key, &kp->marks[i], BPF_NOEXIST)) {
			err = -errno;
			ug_err("writing the mark from line %u: %s", kp->marks[i].policy_line,
			       strerror(errno));
			return err;
		}
	}
	for (i = 0; i < kp->n_ancestors; i++) {
		struct ug_mark_key key = kp->ancestor_keys[i];
		struct ug_mark above = { .flags = UG_MARK_ANCESTOR,
					 .policy_line = kp->ancestor_lines[i] };

		key.slot = next;
		if (bpf_map_update_elem(fds->marks, &key, &above, BPF_NOEXIST)) {
			err = -errno;
			ug_err("writing a directory above the mark of line %u: %s",
			       kp->ancestor_lines[i], strerror(errno));
			return err;
		}
	}

	clock_gettime(CLOCK_REALTIME, &now);
	next_policy.generation = current.generation + 1;
	next_policy.loaded_at_ns = (__u64)now.tv_sec * 1000000000ULL + (__u64)now.tv_nsec;
	ug_fmt(next_policy.source, sizeof(next_policy.source), "%s", source);
	/*
	 * The slot's file list, tagged with the generation it belongs to.
	 * Missing only where the pins predate it; a load made it (libbpf pins
	 * a map it does not find), so only unload meets that, which lists none.
	 */
	if (fds->files >= 0) {
		struct ug_policy_files files = kp->files;

		files.generation = next_policy.generation;
		if (bpf_map_update_elem(fds->files, &next, &files, BPF_ANY)) {
			err = -errno;
			ug_err("writing the policy's file list: %s", strerror(errno));
			return err;
		}
	}
	if (bpf_map_update_elem(fds->policy, &next, &next_policy, BPF_ANY)) {
		err = -errno;
		ug_err("writing the policy: %s", strerror(errno));
		return err;
	}

	err = ug_policy_activate(fds, next);
	if (err)
		ug_err("switching to the new policy: %s", strerror(-err));
	return err;
}

int ug_policy_activate(const struct ug_map_fds *fds, __u32 slot)
{
	struct ug_state state = { .active_slot = slot & 1 };
	__u32 zero = 0;

	/*
	 * The flip. Only the low byte of active_slot ever changes, so even a
	 * byte-wise copy in the kernel shows readers 0 or 1, never a mix.
	 */
	if (bpf_map_update_elem(fds->state, &zero, &state, BPF_ANY))
		return -errno;
	return ug_sync_programs();
}

int ug_marks_read(const struct ug_map_fds *fds, __u32 slot, struct ug_mark_key **keys,
		  struct ug_mark **marks, size_t *n)
{
	struct ug_mark_key key, next, *k = NULL;
	struct ug_mark *m = NULL;
	size_t cap = 0;
	void *prev = NULL;

	*n = 0;
	while (!bpf_map_get_next_key(fds->marks, prev, &next)) {
		key = next;
		prev = &key;
		if (next.slot != slot)
			continue;
		if (*n == cap) {
			size_t bigger = cap ? cap * 2 : 16;
			struct ug_mark_key *nk = realloc(k, bigger * sizeof(*nk));
			struct ug_mark *nm;

			if (nk)
				k = nk;
			nm = nk ? realloc(m, bigger * sizeof(*nm)) : NULL;
			if (nm)
				m = nm;
			if (!nk || !nm) {
				free(k);
				free(m);
				return -ENOMEM;
			}
			cap = bigger;
		}
		/* A mark deleted by a concurrent load between the two calls is skipped. */
		if (bpf_map_lookup_elem(fds->marks, &next, &m[*n]))
			continue;
		/* A directory above a mark is not a mark. */
		if (m[*n].flags & UG_MARK_ANCESTOR)
			continue;
		k[(*n)++] = next;
	}
	*keys = k;
	*marks = m;
	return 0;
}

int ug_counters_read(const struct ug_map_fds *fds, __u32 rule, struct ug_counters *out)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct ug_counters *per_cpu;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	per_cpu = calloc((size_t)ncpu, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fds->counters, &rule, per_cpu)) {
		int err = -errno;

		free(per_cpu);
		return err;
	}
	memset(out, 0, sizeof(*out));
	for (i = 0; i < ncpu; i++) {
		out->denied += per_cpu[i].denied;
		out->audited += per_cpu[i].audited;
		out->lost += per_cpu[i].lost;
		out->ratelimited += per_cpu[i].ratelimited;
		out->reported += per_cpu[i].reported;
	}
	free(per_cpu);
	return 0;
}
