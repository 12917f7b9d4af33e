/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Shared by the BPF programs and the loader: every map key, map value and
 * constant that crosses the kernel/user boundary lives here, as plain
 * structs of fixed-width types so both compilers agree on the layout and
 * bpftool can print them with field names from BTF.
 */
#ifndef USERNSGUARD_H
#define USERNSGUARD_H

#define UG_PIN_DIR "/sys/fs/bpf/usernsguard"

/*
 * The policy is double-buffered: the loader fills the slot that is not
 * active, then flips ug_state.active_slot with one aligned 32-bit store.
 * Programs read the active slot once per call, so every decision is made
 * against one complete policy, old or new.
 */
#define UG_POLICY_SLOTS 2
#define UG_MAX_EXEMPTIONS 1024
#define UG_SOURCE_MAX 256
/* Cgroup exemptions cover a subtree: ancestors are checked this deep. */
#define UG_CGROUP_MAX_DEPTH 16
/* (u32)-1 is never a valid id: the kernel's "unmapped" answer. */
#define UG_INVALID_ID 0xffffffffu

enum ug_rule {
	UG_RULE_OVERFLOW_TRANSITIONS = 0,
	UG_RULE_MOST_RESTRICTIVE = 1,
	UG_RULE_SHIFT_MARKS = 2,
	UG_RULE_COUNT = 3,
};

enum ug_mode {
	UG_MODE_OFF = 0,
	UG_MODE_ENFORCE = 1,
	UG_MODE_AUDIT = 2,
};

/*
 * What a refused credential change does to the task. errno leaves a task
 * that ignores the error running with its old (often root) ids; kill ends
 * it the way SafeSetID does. fs-id changes are always killed: setfsuid()
 * and setfsgid() cannot report failure at all.
 */
enum ug_on_deny {
	UG_ON_DENY_ERRNO = 0,
	UG_ON_DENY_KILL = 1,
};

struct ug_rule_config {
	__u32 mode;       /* enum ug_mode */
	__u32 on_deny;    /* enum ug_on_deny */
	__u32 rate_limit; /* events per second per source; 0: no limit */
	__u32 _pad;
};

/* Value of ug_policy, one per slot. */
struct ug_policy {
	__u32 overflow_uid;
	__u32 overflow_gid;
	struct ug_rule_config rules[UG_RULE_COUNT];
	/* Exemption entries per rule: a rule with none skips every lookup. */
	__u32 exemptions[UG_RULE_COUNT];
	/* Scope entries per rule: 0 means every non-initial user namespace. */
	__u32 scoped[UG_RULE_COUNT];
	/* Rule 3: what an idmapped mount of an unmarked tree gets. */
	__u32 shift_default_allow;
	__u32 n_marks;
	/* overflow-ids auto: rule 1 reads the kernel's sysctls live (ug_live_ids). */
	__u32 overflow_live;
	__u32 _pad;
	/* Read by `status` only; the programs never look below this line. */
	__u64 generation;
	__u64 loaded_at_ns; /* CLOCK_REALTIME */
	/*
	 * Of the file; with drop-ins, of the lines `sha256sum FILE...` prints
	 * for the files merged, in order (ug_policy_files has each file's).
	 */
	__u8 sha256[32];
	char source[UG_SOURCE_MAX]; /* the main file */
};

/*
 * Value of ug_policy_files, one per slot like ug_policy: the files the
 * policy of that slot was merged from (policy.conf, then its drop-ins in
 * byte order), each with its SHA-256. Written by `load` before the flip
 * with the generation of the slot's ug_policy entry, read by `status`
 * only (a list whose generation differs is not the policy in force's);
 * no program reads it.
 */
#define UG_POLICY_FILES_MAX 32
struct ug_policy_file {
	__u8 sha256[32];
	char path[UG_SOURCE_MAX];
};

struct ug_policy_files {
	__u64 generation;
	__u32 n;
	__u32 _pad;
	struct ug_policy_file file[UG_POLICY_FILES_MAX];
};

/*
 * Value of ug_live_ids, a single entry: where the kernel keeps
 * kernel.overflowuid and kernel.overflowgid (the sysctl table's data),
 * found at load by an ioctl of UG_IOCTL_CAPTURE on each /proc/sys file
 * while capture_tgid names the loader, and the values read there then.
 */
struct ug_live_ids {
	__u64 uid_addr;
	__u64 gid_addr;
	__u32 uid_seen;
	__u32 gid_seen;
	__u32 capture_tgid; /* nonzero only while a loader captures */
	__u32 _pad;
};

/* _IO('U', 0x47): an ioctl no sysctl file implements (ENOTTY after the hook). */
#define UG_IOCTL_CAPTURE 0x5547
/*
 * _IO('U', 0x4d): `usernsguard mark` reporting a runtime mark change on the
 * marked directory's fd (arg: enum ug_op, UG_OP_MARK_ADD or _REMOVE), so
 * that the change is an event in the stream like any other. Only a task
 * of the initial user namespace with euid 0 is heard, and only about a
 * directory that has a runtime mark (removal reports before it deletes).
 */
#define UG_IOCTL_MARK_EVENT 0x554d

/* Value of ug_state, a single entry. */
struct ug_state {
	__u32 active_slot;
	__u32 _pad;
};

/*
 * Value of ug_selfcheck, a single entry. `load` puts the pid of its
 * self-check child (a host task in the initial user namespace) in tgid;
 * every decision that finds a violation for that task adds to judged.
 * A policy that judges the host is taken back (usernsguard(8), "load").
 */
struct ug_selfcheck {
	__u32 tgid; /* 0: no self-check running */
	__u32 _pad;
	__u64 judged;
};

/* What an entry of ug_match selects. */
enum ug_match_kind {
	UG_EXEMPT_CGROUP = 1, /* id: cgroup id; covers descendants */
	UG_EXEMPT_EXEC = 2,   /* id: inode, dev: s_dev of the executable */
	UG_SCOPE_OWNER = 3,   /* id: kernel uid owning the user namespace */
	UG_SCOPE_CGROUP = 4,  /* id: cgroup id; covers descendants */
};

/* Key of ug_match. Slot is part of the key so both policies coexist. */
struct ug_exempt_key {
	__u32 slot;
	__u32 rule; /* enum ug_rule */
	__u32 kind; /* enum ug_match_kind */
	__u32 _pad;
	__u64 id;  /* cgroup id, or the executable's inode number */
	__u64 dev; /* executable's s_dev as the kernel encodes it; 0 for cgroups */
};

/*
 * Value of ug_match: where the entry came from, for status and events; for
 * an executable, also its inode's generation (FS_IOC_GETVERSION at load, or
 * i_generation where a rename carried the exemption to a new file). A freed
 * inode's number is reused, its generation (random on ext4, xfs) is not:
 * an entry matches only the inode it was made for. 0: not known (the
 * filesystem has no FS_IOC_GETVERSION; tmpfs never reuses numbers).
 */
struct ug_exempt_value {
	__u32 policy_line;
	__u32 generation;
};

/*
 * Key of ug_cgroup_names: a cgroup exemption or scope by its path below the
 * cgroup2 root, as the kernel prints it ("/system.slice/x.service"),
 * zero-padded. A cgroup made later under that path (every restart of a
 * service makes a new one, with a new id) is entered into ug_match when it
 * is made (tp_btf/cgroup_mkdir), and taken out when it is removed.
 */
#define UG_CGROUP_PATH_MAX 256
struct ug_cgroup_name_key {
	__u32 slot;
	__u32 _pad;
	char path[UG_CGROUP_PATH_MAX];
};

/* Value of ug_cgroup_names: the policy line per (rule, kind), 0 where none. */
#define UG_CGROUP_NAME_SLOTS (UG_RULE_COUNT * 2)
struct ug_cgroup_name_value {
	__u32 line[UG_CGROUP_NAME_SLOTS]; /* [rule * 2 + (kind == UG_SCOPE_CGROUP)] */
};

/* Rule 3: a directory tree the host marked shiftable. Key of ug_marks. */
struct ug_mark_key {
	__u32 slot;
	__u32 _pad;
	__u64 dev; /* s_dev of the tree's filesystem, as the kernel encodes it */
	__u64 ino; /* inode of the marked directory */
};

#define UG_MARK_RO 1u
/*
 * Not a mark: a directory above one (on the same filesystem), stored so
 * that a view rooted there, which would contain the marked tree, is
 * refused under every shift-default. shiftable_by, origin and range are 0;
 * policy_line is the line of the mark below it.
 */
#define UG_MARK_ANCESTOR 2u
/* Directories above marks, per policy, at most (ug_marks holds both). */
#define UG_MAX_MARK_ANCESTORS 4096

/*
 * Runtime marks (`usernsguard mark add`, issue 17): made by a runtime or an
 * administrator while a policy is in force, kept in ug_runtime_marks apart
 * from the file's (keys with slot 0, whatever the active slot), so that a
 * `load` of the file leaves them alone; `unload` removes them with every
 * pin. The directories above them are stored there too (UG_MARK_ANCESTOR).
 */
#define UG_MAX_RUNTIME_MARKS 256
/* Directories above a runtime mark, at most (the kubelet's volumes are 8 deep). */
#define UG_RUNTIME_MARK_DEPTH 32

/* Value of ug_runtime_paths (key: the mark's ug_mark_key): who marked what. */
struct ug_runtime_mark_info {
	char path[256];   /* as given, resolved without symlinks */
	__u32 by_uid;     /* the caller's uid (root) */
	__u32 by_pid;
	__u64 added_ns;   /* CLOCK_REALTIME */
	char tag[80];     /* who for: "oci:CONTAINER-ID" from the OCI hook, else empty */
	/* The directories above it when it was made: released with it, gone or not. */
	__u32 n_above;
	__u32 _pad;
	struct {
		__u64 dev;
		__u64 ino;
	} above[UG_RUNTIME_MARK_DEPTH];
};

/*
 * A pool of roots (issue 17): runtimes that pick a 65536-id block per
 * container at run time (the kubelet, nspawn's "pick") cannot name the
 * root in advance. Any root R = shiftable_by + k * block with
 * R + range <= shiftable_by + pool_size may stand for shiftable_by, one
 * R per view, for uids and gids alike.
 */
#define UG_MARK_POOL 4u

/*
 * Value of ug_marks: on-disk [origin, origin+range) may appear only as
 * [shiftable_by, +range), or as [R, R+range) for one root R of a pool.
 */
struct ug_mark {
	__u32 shiftable_by; /* host uid/gid of the namespace root allowed to see the shift; a pool's first */
	__u32 origin;       /* on-disk id that appears as that root */
	__u32 range;
	__u32 flags;        /* UG_MARK_RO: shifted views must be read-only; UG_MARK_POOL */
	__u32 policy_line;
	__u32 pool_size;    /* UG_MARK_POOL: ids in the pool, from shiftable_by */
	__u32 block;        /* UG_MARK_POOL: roots are this far apart */
};

/*
 * A mark is searched for from a view's root (or a written inode) up through
 * this many parents, by bpf_loop(); a walk that does not reach the
 * filesystem's root is refused (fail closed).
 */
#define UG_MARK_MAX_DEPTH 2048

/* Value of the per-CPU ug_counters array, indexed by enum ug_rule. */
struct ug_counters {
	__u64 denied;
	__u64 audited;
	__u64 lost;        /* events not delivered: ring buffer full */
	__u64 ratelimited; /* events not sent: over the rule's rate-limit */
	__u64 reported;    /* done where no hook can refuse: map writes (rule 1) */
};

/*
 * Value of ug_reported, indexed by enum ug_rule: the losses some reader
 * has already reported, so a restarted reader reports only new ones.
 * Written by `usernsguard events` only; no program reads it.
 */
struct ug_reported {
	__u64 lost;
	__u64 ratelimited;
};

/*
 * Who an event is charged to (bpf/fairness.bpf.h): a host user, for its
 * own tasks and every user namespace it made; or a container, the
 * outermost user namespace host root made, for everything nested in it.
 * Kind in the top byte, the uid or the namespace's inode below.
 */
#define UG_SOURCE_USER (1ULL << 56)
#define UG_SOURCE_USERNS (2ULL << 56)
#define UG_SOURCE_KIND(s) ((s) >> 56)
#define UG_SOURCE_VALUE(s) ((__u32)(s))

/* A source's events in one rule's one-second window. */
struct ug_rate_window {
	__u64 start_ns;
	__u64 sent;
};

/*
 * Value of ug_sources (LRU hash, key: the source): one source's budget.
 * Programs update it with atomic adds; `events` and `status` read it.
 */
struct ug_source {
	struct ug_rate_window window[UG_RULE_COUNT]; /* each rule's rate-limit */
	__u64 cons_pos;     /* the ring's reader position when share_sent restarted */
	__u64 share_sent;   /* events sent since, while the ring was over half full */
	__u64 sent;         /* events sent, held back: since the source was first seen */
	__u64 rate_limited; /* over the rule's rate-limit */
	__u64 over_share;   /* over the source's share of a filling ring */
};

/* Value of ug_sources_reported (key: the source): what readers reported. */
struct ug_source_reported {
	__u64 rate_limited;
	__u64 over_share;
};

/*
 * A filling ring (a reader that is slow or not running): once over half
 * full, a source may add this many events until a reader reads again, so
 * one flooding source leaves the other half to everyone else.
 */
#define UG_SOURCE_SHARE 4
#define UG_SOURCES_MAX 1024

/*
 * Value of the per-task ug_id_memo: the last uid and gid the task's own
 * user namespace was asked to show, with the answers. They hold for as
 * long as the task runs with the same cred: a cred never changes its user
 * namespace, and a namespace's maps, once written, never change. An
 * address can be reused by a new cred once the old one is freed, so each
 * memo also records the generation of the cred's address bucket, which
 * the cred_free hook advances (bpf/memo.bpf.h).
 */
struct ug_id_memo {
	__u64 cred;     /* address of the cred the answers hold for */
	__u32 cred_gen; /* its ug_cred_gen bucket's generation then */
	__u32 uid;      /* kernel uid asked about, UG_INVALID_ID: none */
	__u32 uid_ns;   /* what the namespace shows it as, UG_INVALID_ID: unmapped */
	__u32 gid;
	__u32 gid_ns;
	__u32 _pad;
};

/*
 * The event ring buffer, and how much of it fills before the reader is
 * woken (it also polls every 100 ms): about 160 events a wakeup in a storm.
 */
#define UG_EVENTS_RING_BYTES (256 * 1024)
#define UG_EVENTS_WAKEUP_BYTES (32 * 1024)

/* Generations of cred addresses, one per bucket (a power of two). */
#define UG_CRED_GEN_BUCKETS 4096

/* Which operation a rule was judged on. */
enum ug_op {
	UG_OP_SETUID = 1,
	UG_OP_SETGID = 2,
	UG_OP_SETGROUPS = 3,
	UG_OP_EXEC = 4,
	UG_OP_CHOWN = 5,
	UG_OP_ACCESS = 6,       /* inode_permission, or a parent directory change */
	UG_OP_SHIFT_ATTACH = 7, /* move_mount of an idmapped mount */
	UG_OP_SHIFT_USE = 8,    /* open or change through an idmapped mount */
	UG_OP_UID_MAP = 9,      /* a write to a namespace's uid_map (reported) */
	UG_OP_GID_MAP = 10,     /* a write to a namespace's gid_map (reported) */
	UG_OP_MARK_ADD = 11,    /* a runtime mark made (rule 3, reported) */
	UG_OP_MARK_REMOVE = 12, /* a runtime mark removed */
};

/* Rule 3: why a shifted view was refused (ug_event.reason). */
enum ug_shift_reason {
	UG_SHIFT_UNMARKED = 1,    /* no mark on the tree or above it, shift-default deny */
	UG_SHIFT_BAD_IDMAP = 2,   /* the idmap is not origin+k -> shiftable_by+k inside range */
	UG_SHIFT_WRONG_NS = 3,    /* the caller's namespace root is not shiftable_by */
	UG_SHIFT_NOT_RDONLY = 4,  /* ro mark, but the mount is writable */
	UG_SHIFT_WRITE = 5,       /* ro mark, and the use would write */
	UG_SHIFT_TOO_DEEP = 6,    /* the view is deeper than the mark walk reaches: fail closed */
	UG_SHIFT_CONTAINS_MARK = 7, /* the view's root is above a marked tree */
};

enum ug_verdict {
	UG_VERDICT_DENIED = 1,
	UG_VERDICT_AUDITED = 2,
	UG_VERDICT_KILLED = 3,
	UG_VERDICT_REPORTED = 4, /* done, no hook can refuse it: a map write */
};

/* One record in the ug_events ring buffer per denial or audit hit. */
struct ug_event {
	__u64 boot_ns; /* bpf_ktime_get_boot_ns(); the reader converts */
	__u64 source;  /* who it is charged to: UG_SOURCE_* */
	/* Narrow, so the source costs no stack (6.1: 512 bytes along a chain). */
	__u8 rule;     /* enum ug_rule */
	__u8 verdict;  /* enum ug_verdict */
	__u16 op;      /* enum ug_op */
	__u32 pid;     /* thread id */
	__u32 tgid;    /* process id */
	__u32 uid;     /* kernel ids of the acting task */
	__u32 gid;
	__u32 ns_uid; /* the same ids as the task's own namespace shows them */
	__u32 ns_gid;
	__u32 userns_ino;
	__u32 mntns_ino;
	__u32 map_userns_ino; /* map writes: the namespace whose map was written */
	__u64 cgroup_id;
	char comm[16];
	/*
	 * Rule 1: the ids requested, (u32)-1 where a slot is unchanged; for
	 * setgroups, req_uid[0] is how many groups and req_gid the first four. Rule 3
	 * uses the same bytes (an event's size is paid on 6.1's 512-byte stack
	 * by every hook that can report): how many extents the mount's uid map
	 * has, and the first one the mark does not allow (bad_count 0: none).
	 * A map has up to 340 extents: an event names the two that explain it.
	 */
	union {
		struct {
			__u32 req_uid[4]; /* real, effective, saved, fs */
			__u32 req_gid[4];
		};
		struct {
			__u32 idmap_nr;
			__u32 bad_first;
			__u32 bad_lower;
			__u32 bad_count;
		};
	};
	__u32 target_id;  /* the id that reads as the overflow id */
	__u32 errno_val;  /* positive errno returned, 0 in audit mode */
	/* Files involved (chown target, exec binary). */
	__u64 dev;
	__u64 ino;
	__u32 mode;
	__u32 owner_uid; /* kernel ids on the inode */
	__u32 owner_gid;
	__u32 mask;      /* rule 2: MAY_READ 4, MAY_WRITE 2, MAY_EXEC 1 requested */
	__u32 path_uid;  /* rule 2: owner as the access path shows it (mount idmap applied) */
	__u32 path_gid;
	__u32 reason;    /* rule 3: enum ug_shift_reason; mark-add/-remove: 1 if ro */
	/* Rule 3: the mark that applied (dev/ino above are the mount's root). */
	__u32 mark_shiftable_by;
	__u32 mark_origin;
	__u32 mark_range;
	/* Rule 3: the mount's first uid extent; mark-add/-remove of a pool: block, -, size. */
	__u32 idmap_first;
	__u32 idmap_lower;
	__u32 idmap_count;
	__u32 map_id; /* map writes: the id that namespace shows target_id as */
};

#endif /* USERNSGUARD_H */
