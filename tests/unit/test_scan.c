// SPDX-License-Identifier: GPL-2.0-only
/*
 * The idmap lint (`usernsguard scan`): every problem kind with the exact
 * finding for a planted case, next to its clean twin; the subid and passwd
 * parsers; the collector on a fixture /proc tree; the JSON report.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idmap_lint.h"
#include "scan_format.h"
#include "userns_scan.h"
#include "util.h"

#define INIT_INO 4026531837ULL

static struct ug_scan_ns ns[4];
static struct ug_subid subuid[4], subgid[4];
static struct ug_scan_input in;
static struct ug_scan_report report;

/* A namespace @ino owned by @owner with these maps (NULL: unreadable). */
static struct ug_scan_ns *mkns(size_t i, __u64 ino, __u32 owner, const char *uid_map,
			       const char *gid_map)
{
	const char *maps[2] = { uid_map, gid_map };
	char err[128];

	memset(&ns[i], 0, sizeof(ns[i]));
	ns[i].ino = ino;
	ns[i].owner_uid = owner;
	ns[i].owner_gid = owner; /* as if passwd gave each user a group of the same number */
	ns[i].ancestors_known = true;
	ns[i].n_ancestors = 1;
	ns[i].ancestors[0] = INIT_INO;
	for (int t = 0; t < 2; t++) {
		if (!maps[t])
			continue;
		cr_assert_eq(ug_idmap_parse(maps[t], &ns[i].map[t], err, sizeof(err)), 0, "%s", err);
		ns[i].have_map[t] = true;
	}
	if (in.n_ns <= i)
		in.n_ns = i + 1;
	return &ns[i];
}

static struct ug_subid *mksub(struct ug_subid *v, size_t i, const char *owner, __u32 uid,
			      __u64 start, __u64 count)
{
	struct ug_subid_list *list = v == subuid ? &in.subid[UG_UID] : &in.subid[UG_GID];

	memset(&v[i], 0, sizeof(v[i]));
	snprintf(v[i].owner, sizeof(v[i].owner), "%s", owner);
	v[i].uid = uid;
	v[i].start = start;
	v[i].count = count;
	v[i].line = (unsigned int)i + 1;
	if (list->n <= i)
		list->n = i + 1;
	return &v[i];
}

static void setup(void)
{
	memset(&in, 0, sizeof(in));
	in.ns = ns;
	in.subid[UG_UID] = (struct ug_subid_list){ .path = "/etc/subuid", .v = subuid };
	in.subid[UG_GID] = (struct ug_subid_list){ .path = "/etc/subgid", .v = subgid };
	in.overflow[UG_UID] = in.overflow[UG_GID] = 65534;
	memset(&report, 0, sizeof(report));
}

static void teardown(void)
{
	ug_scan_report_free(&report);
}

static void lint(void)
{
	cr_assert_eq(ug_idmap_lint(&in, &report), 0);
}

static void expect_clean(void)
{
	lint();
	cr_assert_eq(report.n, 0, "expected no problem, first: %s",
		     report.n ? report.problems[0].message : "");
	cr_assert_eq(ug_scan_exit_code(&report), UG_EXIT_OK);
}

/* Exactly one problem, and it is this one. */
static const struct ug_problem *expect_one(enum ug_problem_kind kind, enum ug_id_type type,
					   __u64 first, __u64 count, const char *message)
{
	const struct ug_problem *p;

	lint();
	cr_assert_eq(report.n, 1, "expected one problem, got %zu (first: %s)", report.n,
		     report.n ? report.problems[0].message : "");
	p = &report.problems[0];
	cr_assert_str_eq(ug_problem_kind_name(p->kind), ug_problem_kind_name(kind));
	cr_assert_eq(p->type, type);
	cr_assert_eq(p->first, first, "first %llu", (unsigned long long)p->first);
	cr_assert_eq(p->count, count, "count %llu", (unsigned long long)p->count);
	cr_assert_str_eq(p->message, message);
	cr_assert_eq(ug_scan_exit_code(&report), UG_EXIT_INVALID);
	return p;
}

TestSuite(scan, .init = setup, .fini = teardown);

Test(scan, two_namespaces_overlapping_by_one_uid)
{
	const struct ug_problem *p;

	mkns(0, 4026532201, 0, "0 100000 10\n", "0 300000 10\n");
	mkns(1, 4026532202, 0, "0 100009 10\n", "0 300010 10\n");
	p = expect_one(UG_PROBLEM_NS_OVERLAP, UG_UID, 100009, 1,
		       "user namespaces 4026532201 and 4026532202 both map host uid 100009");
	cr_assert_eq(p->n_ns, 2);
	cr_assert_eq(p->ns[0], 0);
	cr_assert_eq(p->ns[1], 1);
	cr_assert_eq(p->n_subid, 0);
}

Test(scan, adjacent_ranges_do_not_overlap)
{
	mkns(0, 4026532201, 0, "0 100000 10\n", "0 300000 10\n");
	mkns(1, 4026532202, 0, "0 100010 10\n", "0 300010 10\n");
	expect_clean();
}

Test(scan, gid_only_overlap)
{
	mkns(0, 4026532201, 0, "0 100000 10\n", "0 300000 10\n");
	mkns(1, 4026532202, 0, "0 100010 10\n", "0 300005 10\n");
	expect_one(UG_PROBLEM_NS_OVERLAP, UG_GID, 300005, 5,
		   "user namespaces 4026532201 and 4026532202 both map host gids 300005-300009");
}

Test(scan, each_intersecting_extent_pair_is_one_problem)
{
	mkns(0, 4026532201, 0, "0 100000 10\n10 200000 10\n", "0 300000 1\n");
	mkns(1, 4026532202, 0, "0 100005 1\n1 200009 5\n", "0 400000 1\n");
	lint();
	cr_assert_eq(report.n, 2);
	cr_assert_str_eq(report.problems[0].message,
			 "user namespaces 4026532201 and 4026532202 both map host uid 100005");
	cr_assert_str_eq(report.problems[1].message,
			 "user namespaces 4026532201 and 4026532202 both map host uid 200009");
}

Test(scan, the_initial_namespace_overlaps_nothing)
{
	mkns(0, INIT_INO, 0, "0 0 4294967295\n", "0 0 4294967295\n")->initial = true;
	ns[0].ancestors_known = true;
	ns[0].n_ancestors = 0;
	mkns(1, 4026532202, 0, "0 100000 65536\n", "0 100000 65536\n");
	expect_clean();
}

Test(scan, a_nested_namespace_does_not_overlap_its_ancestor)
{
	struct ug_scan_ns *child;

	mkns(0, 4026532201, 0, "0 100000 65536\n", "0 100000 65536\n");
	child = mkns(1, 4026532300, 100000, "0 101000 1000\n", "0 101000 1000\n");
	child->n_ancestors = 2;
	child->ancestors[0] = 4026532201;
	child->ancestors[1] = INIT_INO;
	expect_clean();
}

Test(scan, nested_siblings_do_overlap)
{
	struct ug_scan_ns *a, *b;

	mkns(0, 4026532201, 0, "0 100000 65536\n", "0 100000 65536\n");
	a = mkns(1, 4026532300, 100000, "0 101000 1000\n", "0 101000 1000\n");
	b = mkns(2, 4026532301, 100000, "0 101999 1\n", "0 102000 1\n");
	a->n_ancestors = b->n_ancestors = 2;
	a->ancestors[0] = b->ancestors[0] = 4026532201;
	a->ancestors[1] = b->ancestors[1] = INIT_INO;
	expect_one(UG_PROBLEM_NS_OVERLAP, UG_UID, 101999, 1,
		   "user namespaces 4026532300 and 4026532301 both map host uid 101999");
}

Test(scan, one_owner_mapping_its_own_id_twice_is_not_an_overlap)
{
	mkns(0, 4026532201, 1000, "0 1000 1\n", "0 1000 1\n");
	mkns(1, 4026532202, 1000, "0 1000 1\n", "0 1000 1\n");
	expect_clean();
}

Test(scan, two_owners_mapping_one_id_is_an_overlap)
{
	mkns(0, 4026532201, 1000, "0 1000 1\n", "0 3000 1\n");
	mkns(1, 4026532202, 0, "0 1000 1\n", "0 4000 1\n");
	expect_one(UG_PROBLEM_NS_OVERLAP, UG_UID, 1000, 1,
		   "user namespaces 4026532201 and 4026532202 both map host uid 1000");
}

Test(scan, namespace_range_in_another_users_subuid_allocation)
{
	const struct ug_problem *p;

	mkns(0, 4026532201, 1000, "0 200000 100\n", "0 1000 1\n");
	mksub(subuid, 0, "alice", 1000, 200000, 50);
	mksub(subuid, 1, "bob", 1001, 200050, 100);
	p = expect_one(UG_PROBLEM_SUBID_OVERLAP, UG_UID, 200050, 50,
		       "user namespace 4026532201 (owner uid 1000) maps host uids 200050-200099, "
		       "allocated to bob in /etc/subuid:2");
	cr_assert_eq(p->n_ns, 1);
	cr_assert_eq(p->n_subid, 1);
	cr_assert_eq(p->subid[0], 1);
}

Test(scan, namespace_range_in_its_owners_allocation)
{
	mkns(0, 4026532201, 1000, "0 200000 100\n", "0 1000 1\n");
	mksub(subuid, 0, "alice", 1000, 200000, 150);
	expect_clean();
}

Test(scan, subgid_overlap_is_checked_against_gid_maps)
{
	mkns(0, 4026532201, 1000, "0 200000 100\n", "0 200000 100\n");
	mksub(subuid, 0, "alice", 1000, 200000, 100);
	mksub(subgid, 0, "bob", 1001, 200099, 100);
	expect_one(UG_PROBLEM_SUBID_OVERLAP, UG_GID, 200099, 1,
		   "user namespace 4026532201 (owner uid 1000) maps host gid 200099, allocated "
		   "to bob in /etc/subgid:1");
}

Test(scan, a_nested_namespace_is_judged_through_its_ancestor)
{
	struct ug_scan_ns *child;

	mkns(0, 4026532201, 1000, "0 200000 100\n", "0 1000 1\n");
	child = mkns(1, 4026532300, 200000, "0 200010 10\n", "0 1000 1\n");
	child->n_ancestors = 2;
	child->ancestors[0] = 4026532201;
	child->ancestors[1] = INIT_INO;
	mksub(subuid, 0, "alice", 1000, 200000, 100);
	expect_clean();
}

Test(scan, overlapping_allocations)
{
	const struct ug_problem *p;

	mksub(subuid, 0, "alice", 1000, 100000, 65536);
	mksub(subuid, 1, "bob", 1001, 165535, 65536);
	p = expect_one(UG_PROBLEM_SUBID_ALLOCATION_OVERLAP, UG_UID, 165535, 1,
		       "/etc/subuid:1 (alice) and /etc/subuid:2 (bob) both allocate uid 165535");
	cr_assert_eq(p->n_subid, 2);
	cr_assert_eq(p->subid[0], 0);
	cr_assert_eq(p->subid[1], 1);
}

Test(scan, adjacent_allocations)
{
	mksub(subuid, 0, "alice", 1000, 100000, 65536);
	mksub(subuid, 1, "bob", 1001, 165536, 65536);
	expect_clean();
}

Test(scan, one_users_overlapping_allocations)
{
	mksub(subuid, 0, "alice", 1000, 100000, 65536);
	mksub(subuid, 1, "1000", 1000, 100000, 10);
	expect_clean();
}

Test(scan, unresolved_owners_compare_by_name)
{
	mksub(subgid, 0, "ghost", UG_INVALID_ID, 100000, 10);
	mksub(subgid, 1, "spook", UG_INVALID_ID, 100005, 10);
	expect_one(UG_PROBLEM_SUBID_ALLOCATION_OVERLAP, UG_GID, 100005, 5,
		   "/etc/subgid:1 (ghost) and /etc/subgid:2 (spook) both allocate gids "
		   "100005-100009");
}

Test(scan, allocation_ending_at_4294967295)
{
	mksub(subuid, 0, "alice", 1000, 4294901760ULL, 65536);
	expect_one(UG_PROBLEM_RANGE_REACHES_MAX, UG_UID, 4294901760ULL, 65536,
		   "/etc/subuid:1 (alice) allocates uids 4294901760-4294967295, reaching "
		   "4294967295, which is no valid id");
}

Test(scan, allocation_ending_at_4294967294)
{
	mksub(subuid, 0, "alice", 1000, 4294901760ULL, 65535);
	expect_clean();
}

Test(scan, allocation_wrapping_past_4294967295)
{
	mksub(subgid, 0, "alice", 1000, 4294967000ULL, 1000);
	expect_one(UG_PROBLEM_RANGE_REACHES_MAX, UG_GID, 4294967000ULL, 1000,
		   "/etc/subgid:1 (alice) allocates gids 4294967000-4294967999, reaching "
		   "4294967295, which is no valid id");
}

Test(scan, namespace_extent_ending_at_4294967295)
{
	/* The kernel refuses such a map; built by hand to check the guard itself. */
	struct ug_scan_ns *n = mkns(0, 4026532201, 0, "0 100000 1\n", "0 100000 1\n");

	n->map[UG_UID].extent[0] = (struct ug_extent){ 0, 4294967200u, 96 };
	expect_one(UG_PROBLEM_RANGE_REACHES_MAX, UG_UID, 4294967200ULL, 96,
		   "user namespace 4026532201 maps host uids 4294967200-4294967295, reaching "
		   "4294967295, which is no valid id");
	ug_scan_report_free(&report);
	n->map[UG_UID].extent[0] = (struct ug_extent){ 0, 4294967200u, 95 };
	expect_clean();
}

Test(scan, host_root_mapped)
{
	mkns(0, 4026532201, 0, "0 100000 1000\n1000 0 1\n", "0 100000 1000\n");
	expect_one(UG_PROBLEM_MAPS_HOST_ROOT, UG_UID, 0, 1,
		   "user namespace 4026532201 maps host uid 0 (root) as uid 1000");
}

Test(scan, host_root_not_mapped)
{
	mkns(0, 4026532201, 0, "0 1 1000\n", "0 1 1000\n");
	expect_clean();
}

Test(scan, host_root_group_mapped)
{
	mkns(0, 4026532201, 0, "0 100000 1000\n", "0 0 1\n");
	expect_one(UG_PROBLEM_MAPS_HOST_ROOT, UG_GID, 0, 1,
		   "user namespace 4026532201 maps host gid 0 (root) as gid 0");
}

Test(scan, overflow_uid_mapped)
{
	mkns(0, 4026532201, 0, "0 65530 10\n", "0 100000 10\n");
	expect_one(UG_PROBLEM_MAPS_OVERFLOW_ID, UG_UID, 65534, 1,
		   "user namespace 4026532201 maps host uid 65534 (the overflow uid) as uid 4");
}

Test(scan, overflow_uid_not_mapped)
{
	mkns(0, 4026532201, 0, "0 65524 10\n1000 65535 10\n", "0 100000 10\n");
	expect_clean();
}

Test(scan, overflow_ids_are_the_kernels_not_a_constant)
{
	in.overflow[UG_GID] = 70000;
	mkns(0, 4026532201, 0, "0 100000 10\n", "0 65534 1\n5 70000 1\n");
	expect_one(UG_PROBLEM_MAPS_OVERFLOW_ID, UG_GID, 70000, 1,
		   "user namespace 4026532201 maps host gid 70000 (the overflow gid) as gid 5");
}

Test(scan, unreadable_maps_are_skipped)
{
	mkns(0, 4026532201, 0, NULL, NULL);
	mkns(1, 4026532202, 0, "0 0 1\n", NULL);
	expect_one(UG_PROBLEM_MAPS_HOST_ROOT, UG_UID, 0, 1,
		   "user namespace 4026532202 maps host uid 0 (root) as uid 0");
}

Test(scan, namespace_root)
{
	struct ug_scan_ns *n = mkns(0, 4026532201, 0, "5 300 1\n0 200000 5\n", "0 1 1\n");

	cr_assert_eq(ug_scan_ns_root(n), 200000);
	n->have_map[UG_UID] = false;
	cr_assert_eq(ug_scan_ns_root(n), UG_INVALID_ID);
}

/* ---- parsers ----------------------------------------------------------- */

Test(scan_parse, passwd_and_subuid)
{
	static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
				     "alice:x:1000:1000::/home/alice:/bin/sh\n"
				     "broken line\n"
				     "bob:x:1001:100:::\n";
	static const char text[] = "# comment\n"
				   "alice:100000:65536\n"
				   "\n"
				   "1001:165536:65536\n"
				   "carol:231072:65536\n"
				   "bad:1:2:3\n"
				   "bad:x:2\n"
				   "bad:1:0\n"
				   "big:4294967295:4294967295";
	struct ug_account *acc;
	struct ug_subid *v;
	size_t n_acc, n, n_bad;
	char bad[160];

	cr_assert_eq(ug_passwd_parse(passwd, &acc, &n_acc), 0);
	cr_assert_eq(n_acc, 3);
	cr_assert_eq(ug_account_by_name(acc, n_acc, "bob")->gid, 100);
	cr_assert_str_eq(ug_account_by_uid(acc, n_acc, 1000)->name, "alice");
	cr_assert_null(ug_account_by_name(acc, n_acc, "carol"));

	cr_assert_eq(ug_subid_parse(text, acc, n_acc, &v, &n, bad, sizeof(bad), &n_bad), 0);
	cr_assert_eq(n, 4);
	cr_assert_eq(n_bad, 3);
	cr_assert_str_eq(bad, "line 6: expected NAME:START:COUNT with a count of 1 to 4294967295");
	cr_assert_str_eq(v[0].owner, "alice");
	cr_assert_eq(v[0].uid, 1000);
	cr_assert_eq(v[0].line, 2);
	cr_assert_eq(v[0].start, 100000);
	cr_assert_eq(v[0].count, 65536);
	cr_assert_eq(v[1].uid, 1001); /* numeric owner */
	cr_assert_eq(v[2].uid, UG_INVALID_ID); /* unknown name */
	cr_assert_eq(v[3].line, 9);
	cr_assert_eq(v[3].start + v[3].count, 8589934590ULL);
	free(v);
	free(acc);
}

/* ---- collector on a fixture tree --------------------------------------- */

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[256], cmd[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	cr_assert_eq(system(cmd), 0);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void ns_link(const char *pid, const char *target)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/proc/%s/ns", root, pid);
	mkdir(path, 0755);
	strcat(path, "/user");
	cr_assert_eq(symlink(target, path), 0, "%s: %s", path, strerror(errno));
}

static void fixture(void)
{
	snprintf(root, sizeof(root), "/tmp/ug-scan-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	put("proc/1/comm", "init\n");
	put("proc/1/uid_map", "0 0 4294967295\n");
	put("proc/1/gid_map", "0 0 4294967295\n");
	ns_link("1", "user:[4026531837]");
	put("proc/300/comm", "sleep\n");
	put("proc/300/uid_map", "0 100000 10\n");
	put("proc/300/gid_map", "0 100000 10\n");
	ns_link("300", "user:[4026532300]");
	put("proc/200/comm", "sh\n");
	put("proc/200/uid_map", "0 100009 10\n");
	put("proc/200/gid_map", "bad\n");
	ns_link("200", "user:[4026532200]");
	put("proc/201/comm", "sleep\n");
	ns_link("201", "user:[4026532200]");
	put("proc/self/uid_map", "0 0 4294967295\n");
	put("proc/sys/kernel/overflowuid", "65534\n");
	put("proc/sys/kernel/overflowgid", "70000\n");
	put("etc/passwd", "alice:x:1000:1000::/:/bin/sh\n");
	put("etc/subuid", "alice:100000:65536\n");
}

static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	cr_assert_eq(system(cmd), 0);
}

Test(scan_collect, fixture_tree, .init = fixture, .fini = cleanup)
{
	char proc[128], subuid[128], subgid[128], passwd[128];
	struct ug_scan_sources src = { proc, { subuid, subgid }, passwd };
	struct ug_scan_data d;

	snprintf(proc, sizeof(proc), "%s/proc", root);
	snprintf(subuid, sizeof(subuid), "%s/etc/subuid", root);
	snprintf(subgid, sizeof(subgid), "%s/etc/subgid", root);
	snprintf(passwd, sizeof(passwd), "%s/etc/passwd", root);
	cr_assert_eq(ug_scan_collect(&src, &d), 0);
	cr_assert_eq(d.in.n_ns, 3);
	/* Sorted by inode; the initial one is PID 1's. */
	cr_assert_eq(d.in.ns[0].ino, 4026531837ULL);
	cr_assert(d.in.ns[0].initial);
	cr_assert_eq(d.in.ns[1].ino, 4026532200ULL);
	cr_assert_not(d.in.ns[1].initial);
	cr_assert_eq(d.in.ns[1].n_tasks, 2);
	cr_assert(d.in.ns[1].have_map[UG_UID]);
	cr_assert_not(d.in.ns[1].have_map[UG_GID]);
	cr_assert_eq(d.in.ns[1].map[UG_UID].extent[0].lower_first, 100009);
	cr_assert_eq(d.in.ns[2].tasks[0].pid, 300);
	cr_assert_str_eq(d.in.ns[2].tasks[0].comm, "sleep");
	/* Plain symlinks are not nsfs: owner and parent stay unknown. */
	cr_assert_eq(d.in.ns[2].owner_uid, UG_INVALID_ID);
	cr_assert_not(d.in.ns[2].ancestors_known);
	cr_assert_eq(d.in.overflow[UG_UID], 65534);
	cr_assert_eq(d.in.overflow[UG_GID], 70000);
	cr_assert_eq(d.in.subid[UG_UID].n, 1);
	cr_assert_eq(d.in.subid[UG_UID].v[0].uid, 1000);
	cr_assert(d.complete);
	cr_assert_eq(d.n_notes, 2);
	cr_assert(strstr(d.notes[0], "user namespace 4026532200: no readable gid_map ("),
		  "%s", d.notes[0]);
	cr_assert(strstr(d.notes[0], "gid_map: line 1: expected three numbers)"), "%s", d.notes[0]);
	cr_assert(strstr(d.notes[1], "etc/subgid: not present, no gid allocations to check"),
		  "%s", d.notes[1]);
	ug_scan_data_free(&d);
}

Test(scan_collect, missing_proc_dir)
{
	struct ug_scan_sources src = { "/nonexistent/proc", { "/x", "/y" }, "/z" };
	struct ug_scan_data d;

	cr_assert_eq(ug_scan_collect(&src, &d), -ENOENT);
}

/* ---- the JSON report --------------------------------------------------- */

Test(scan, json_report, .init = setup, .fini = teardown)
{
	struct ug_scan_mark mark = { .shiftable_by = 100000, .origin = 5000, .range = 10,
				     .line = 3, .path = "/data/a" };
	struct ug_scan_policy policy = { .state = UG_SCAN_POLICY_LOADED, .source = "/p.conf",
					 .marks = &mark, .n_marks = 1 };
	char *notes[] = { "a note" };
	struct ug_scan_data d = { .notes = notes, .n_notes = 1, .complete = true };
	char *text;
	size_t len;
	FILE *f;

	mkns(0, 4026532201, 0, "0 100000 10\n", "0 100000 10\n");
	mkns(1, 4026532202, UG_INVALID_ID, "0 100009 1\n", NULL);
	ns[1].ancestors_known = false;
	ns[0].n_tasks = 1;
	ns[0].tasks[0] = (struct ug_scan_task){ 42, "sleep" };
	mksub(subuid, 0, "bob", 1001, 100009, 1);
	d.in = in;
	lint();
	f = open_memstream(&text, &len);
	cr_assert_eq(ug_scan_format(f, UG_FORMAT_JSON, &d, &report, &policy), 0);
	fclose(f);
	cr_assert_str_eq(text,
		"{\"complete\":true,\"overflow\":{\"uid\":65534,\"gid\":65534},"
		"\"policy\":{\"state\":\"loaded\",\"source\":\"/p.conf\"},"
		"\"namespaces\":["
		"{\"inode\":4026532201,\"initial\":false,\"owner_uid\":0,\"parent_inode\":4026531837,"
		"\"root_host_uid\":100000,\"processes\":1,\"pids\":[{\"pid\":42,\"comm\":\"sleep\"}],"
		"\"uid_map\":[[0,100000,10]],\"gid_map\":[[0,100000,10]],"
		"\"marks\":[{\"path\":\"/data/a\",\"line\":3,\"runtime\":false,\"shiftable_by\":100000,\"origin\":5000,"
		"\"range\":10,\"ro\":false}]},"
		"{\"inode\":4026532202,\"initial\":false,\"owner_uid\":null,\"parent_inode\":null,"
		"\"root_host_uid\":100009,\"processes\":0,\"pids\":[],"
		"\"uid_map\":[[0,100009,1]],\"gid_map\":null,\"marks\":[]}],"
		"\"subid\":{\"uid\":{\"path\":\"/etc/subuid\",\"allocations\":1},"
		"\"gid\":{\"path\":\"/etc/subgid\",\"allocations\":0}},"
		"\"problems\":["
		"{\"kind\":\"ns-overlap\",\"id_type\":\"uid\",\"first\":100009,\"count\":1,"
		"\"namespaces\":[4026532201,4026532202],\"allocations\":[],"
		"\"message\":\"user namespaces 4026532201 and 4026532202 both map host uid 100009\"},"
		"{\"kind\":\"subid-overlap\",\"id_type\":\"uid\",\"first\":100009,\"count\":1,"
		"\"namespaces\":[4026532201],\"allocations\":[{\"path\":\"/etc/subuid\",\"line\":1,"
		"\"owner\":\"bob\",\"uid\":1001,\"start\":100009,\"count\":1}],"
		"\"message\":\"user namespace 4026532201 (owner uid 0) maps host uid 100009, "
		"allocated to bob in /etc/subuid:1\"},"
		"{\"kind\":\"subid-overlap\",\"id_type\":\"uid\",\"first\":100009,\"count\":1,"
		"\"namespaces\":[4026532202],\"allocations\":[{\"path\":\"/etc/subuid\",\"line\":1,"
		"\"owner\":\"bob\",\"uid\":1001,\"start\":100009,\"count\":1}],"
		"\"message\":\"user namespace 4026532202 (owner unknown) maps host uid 100009, "
		"allocated to bob in /etc/subuid:1\"}],"
		"\"notes\":[\"a note\"]}\n");
	free(text);
}
