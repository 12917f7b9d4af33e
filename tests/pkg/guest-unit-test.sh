#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside a Debian 12 guest booted with systemd as PID 1 and the .deb
# installed (tests/pkg/systemd_guest.sh), as a unit ordered after
# usernsguard.service. Checks the unit as systemd runs it, hardening
# included: started at boot before sysinit.target, reload, a rejected
# reload, stop that leaves enforcement on, start, and removal of the
# package unloading. With ug.expect=skip (a kernel without BPF LSM) the
# unit must be skipped, not failed. Prints "N passed, N failed".
set -uo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
policy=/etc/usernsguard/policy.conf
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }
expect_eq() { # NAME WANT GOT
	if [ "$2" == "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi
}
prop() { systemctl show -p "$2" --value "$1"; }
counter() { # RULE WORD: a counter from usernsguard status
	usernsguard status 2>/dev/null | awk -v r="$1" -v w="$2" \
		'$1 == r { for (i = 1; i < NF; i++) if ($i == w) print $(i + 1) }'
}
mode_of() { usernsguard status 2>/dev/null | awk -v r="$1" '$1 == r { print $2 }'; }
links() { usernsguard status 2>/dev/null | sed -n '/^programs:/,$p'; }
generation() { usernsguard status 2>/dev/null | sed -n 's/.*(generation \([0-9]*\),.*/\1/p'; }
# A privilege drop to the overflow uid; 137 when rule 1 kills it.
become_nobody() { setpriv --reuid=65534 true; echo $?; }
# usernsguard-events.service's entries (journalctl -t usernsguard; its own messages have
# no MESSAGE_ID): kills are PRIORITY 3, the MESSAGE is the text line without its time.
kills() { journalctl -q -t usernsguard -p err -o cat; }
# Wait (20 s at most) until CMD prints more than N lines; print its last line.
new_line() { # N CMD...
	local n=$1 i
	shift
	for i in $(seq 100); do
		[ "$("$@" | wc -l)" -gt "$n" ] && break
		sleep 0.2
	done
	"$@" | tail -n 1
}
# The fields of the journal entry of the event of process PID, as FIELD=value lines.
entry_of() { # PID
	local i out
	for i in $(seq 100); do
		# Captured, not piped into grep -q: under pipefail journalctl's SIGPIPE would fail it.
		# Text fields only: a restarted service's _SELINUX_CONTEXT ("unconfined\n", AppArmor's
		# label) is exported in binary form, NUL bytes included.
		out=$(journalctl -q -t usernsguard "USERNSGUARD_PROCESS_PID=$1" -o export | grep -a '^[A-Z0-9_]*=')
		grep -q '^MESSAGE_ID=' <<<"$out" && break
		sleep 0.2
	done
	printf '%s\n' "$out"
}
# Every rule's denied + audited counts added up.
judged() {
	usernsguard status 2>/dev/null | awk '{ for (i = 1; i < NF; i++)
		if ($i == "denied" || $i == "audited") n += $(i + 1) } END { print n + 0 }'
}
# SECONDS of what a host does: reads, execs, a directory walk, names made
# and removed; then a package built, installed and removed with dpkg.
# Prints "ok" when every step worked.
host_busy() {
	local end=$((SECONDS + $1)) rc=0
	while [ $SECONDS -lt $end ]; do
		cat /etc/passwd /etc/os-release >/dev/null || rc=1
		ls -lR /usr/lib/systemd >/dev/null || rc=1
		/bin/true || rc=1
		mkdir -p /tmp/busy && touch /tmp/busy/f && mv /tmp/busy/f /tmp/busy/g &&
			chmod 0600 /tmp/busy/g && rm -r /tmp/busy || rc=1
	done
	rm -rf /tmp/ug-probe && mkdir -p /tmp/ug-probe/DEBIAN /tmp/ug-probe/usr/share/ug-probe
	printf 'Package: ug-probe\nVersion: 1\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: probe\n' \
		>/tmp/ug-probe/DEBIAN/control
	echo probe >/tmp/ug-probe/usr/share/ug-probe/file
	{ dpkg-deb --build /tmp/ug-probe /tmp/ug-probe.deb && dpkg -i /tmp/ug-probe.deb &&
		[ -f /usr/share/ug-probe/file ] && dpkg -r ug-probe; } >/tmp/busy.log 2>&1 || rc=1
	[ "$rc" -eq 0 ] && echo ok || { echo "failed:"; tail -n 5 /tmp/busy.log; }
}
# What rule 2 adds to the counters when a container (uid 1000's user
# namespace) reads a root-owned 0707 file, less what starting the same
# container adds by itself. 1: the container was judged, exactly once.
container_judged() {
	local a b c
	a=$(judged)
	setpriv --reuid=1000 --regid=1000 --clear-groups unshare --user --map-root-user true
	b=$(judged)
	setpriv --reuid=1000 --regid=1000 --clear-groups unshare --user --map-root-user \
		cat /tmp/r-0707 >/dev/null
	c=$(judged)
	echo $(((c - b) - (b - a)))
}

expect=load
grep -q 'ug.expect=skip' /proc/cmdline && expect=skip
grep -q 'ug.expect=off' /proc/cmdline && expect=off
echo "GUEST: systemd $(systemctl --version | awk 'NR == 1 { print $2 }'), kernel $(uname -r), expect $expect"

if [ "$expect" = skip ]; then
	expect_eq "no BPF LSM: unit inactive" "inactive" "$(prop usernsguard.service ActiveState)"
	expect_eq "no BPF LSM: skipped by ExecCondition, not failed" "exec-condition" \
		"$(prop usernsguard.service Result)"
	if journalctl -b -u usernsguard.service | grep -qF "BPF LSM active                 NO"; then
		ok "no BPF LSM: the journal has probe's reason"
	else
		fail "no BPF LSM: the journal has probe's reason" "$(journalctl -b -u usernsguard.service)"
	fi
	expect_eq "no BPF LSM: nothing pinned" "absent" \
		"$([ -e /sys/fs/bpf/usernsguard ] && echo present || echo absent)"
	expect_eq "no BPF LSM: the events service is skipped too" "inactive exec-condition" \
		"$(prop usernsguard-events.service ActiveState) $(prop usernsguard-events.service Result)"
	echo "$passed passed, $failed failed"
	exit 0
fi

# The documented way back from a policy that locks a host out: boot with
# usernsguard=off on the kernel command line; the unit is skipped and
# nothing is loaded; the administrator fixes the policy and starts it.
if [ "$expect" = off ]; then
	expect_eq "usernsguard=off: unit inactive" "inactive" "$(prop usernsguard.service ActiveState)"
	expect_eq "usernsguard=off: skipped by its condition" "no" \
		"$(prop usernsguard.service ConditionResult)"
	expect_eq "usernsguard=off: nothing pinned" "absent" \
		"$([ -e /sys/fs/bpf/usernsguard ] && echo present || echo absent)"
	expect_eq "usernsguard=off: dropping to 65534 works" "0" "$(become_nobody)"
	expect_eq "usernsguard=off: the events service is skipped too" "inactive no" \
		"$(prop usernsguard-events.service ActiveState) $(prop usernsguard-events.service ConditionResult)"
	expect_eq "usernsguard=off: a manual load still works" "0" \
		"$(usernsguard load "$policy" >/dev/null 2>&1; echo $?)"
	expect_eq "usernsguard=off: and its unload" "0" "$(usernsguard unload >/dev/null 2>&1; echo $?)"
	echo "$passed passed, $failed failed"
	exit 0
fi

# --- boot -------------------------------------------------------------------
expect_eq "boot: unit active" "active" "$(prop usernsguard.service ActiveState)"
expect_eq "boot: ExecStart exited 0" "0" "$(prop usernsguard.service ExecMainStatus)"
ug=$(prop usernsguard.service ActiveEnterTimestampMonotonic)
si=$(prop sysinit.target ActiveEnterTimestampMonotonic)
if [ "$ug" -gt 0 ] && [ "$ug" -le "$si" ]; then
	ok "boot: policy in force before sysinit.target"
else
	fail "boot: policy in force before sysinit.target" "usernsguard $ug, sysinit.target $si"
fi
expect_eq "boot: the installed policy is in force" "policy:     $policy" \
	"$(usernsguard status | grep '^policy:')"
expect_eq "boot: every rule audits" "audit audit audit" \
	"$(mode_of overflow-transitions) $(mode_of most-restrictive) $(mode_of shift-marks)"
before=$(counter overflow-transitions audited)
expect_eq "audit: dropping to 65534 works" "0" "$(become_nobody)"
expect_eq "audit: counted as audited" "$((before + 1))" "$(counter overflow-transitions audited)"
systemd-analyze security usernsguard.service 2>/dev/null | tail -n 1 | sed 's/^/     /'

# --- events in the journal, shipped by rsyslog (issue 18) ----------------------------
# usernsguard-events.service, enabled by the package, streams the ring into the journal;
# rsyslog ships the entries on with the example configuration the package installs, set up
# as the README says (copy it, restart rsyslog).
expect_eq "events service: active from boot" "active" "$(prop usernsguard-events.service ActiveState)"
[ "$(prop usernsguard-events.service ActiveState)" = active ] ||
	journalctl -b -q -u usernsguard-events.service | tail -n 12 | sed 's/^/     | /'
systemd-analyze security usernsguard-events.service 2>/dev/null | tail -n 1 | sed 's/^/     events service: /'
expect_eq "journal catalog: the package's 13 MESSAGE_IDs explained (journalctl -x)" "13" \
	"$(journalctl --list-catalog 2>/dev/null | grep -c '^c89beb645f5d4217b669a1e00dca4d')"
cp /usr/share/doc/usernsguard/examples/rsyslog-usernsguard.conf /etc/rsyslog.d/usernsguard.conf
expect_eq "rsyslog: restarted with the example configuration" "0 active" \
	"$(systemctl restart rsyslog.service; echo $?) $(prop rsyslog.service ActiveState)"
sleep 2 # imjournal starts at the journal's end: let it get there before the event
setpriv --reuid=65534 true &
pid=$!
wait "$pid"
entry=$(entry_of "$pid")
for field in "MESSAGE=audited overflow-transitions setuid pid=$pid comm=setpriv uid=0 gid=0 source=user:0 target=65534" \
	MESSAGE_ID=c89beb645f5d4217b669a1e00dca4d02 PRIORITY=5 SYSLOG_FACILITY=10 \
	USERNSGUARD_RULE=overflow-transitions USERNSGUARD_VERDICT=audited USERNSGUARD_EVENT_ACTION=setuid \
	USERNSGUARD_TARGET_ID=65534 USERNSGUARD_PROCESS_NAME=setpriv "USERNSGUARD_CGROUP_PATH=/system.slice/ug-unit-test.service" \
	USERNSGUARD_UNIT=ug-unit-test.service; do
	expect_eq "journal: the audited drop's entry has ${field%%=*}" "$field" "$(grep -xF -- "$field" <<<"$entry")"
done
# rsyslog's line: "FIELD": "value" pairs of one JSON object, read back as FIELD=value.
for i in $(seq 100); do
	grep -qF "\"USERNSGUARD_PROCESS_PID\": \"$pid\"" /var/log/usernsguard/events.json 2>/dev/null && break
	sleep 0.2
done
line=$(grep -F "\"USERNSGUARD_PROCESS_PID\": \"$pid\"" /var/log/usernsguard/events.json 2>/dev/null)
expect_eq "rsyslog: one JSON line for the event in /var/log/usernsguard/events.json" "1" \
	"$(printf '%s' "$line" | grep -c '^{.*}$')"
shipped=$(printf '%s\n' "$line" | grep -o '"[A-Z_]*": "[^"]*"' | sed 's/^"\([A-Z_]*\)": "\(.*\)"$/\1=\2/')
for field in MESSAGE_ID=c89beb645f5d4217b669a1e00dca4d02 PRIORITY=5 USERNSGUARD_RULE=overflow-transitions \
	USERNSGUARD_TARGET_ID=65534 USERNSGUARD_SOURCE=user:0 USERNSGUARD_UNIT=ug-unit-test.service; do
	expect_eq "rsyslog: the line has ${field%%=*}" "$field" "$(grep -xF -- "$field" <<<"$shipped")"
done
[ -n "$line" ] || tail -n 3 /var/log/usernsguard/events.json 2>&1 | sed 's/^/     | /'
# One reader at a time: a second is refused, named the first.
out=$(usernsguard events 2>&1)
expect_eq "events beside the service: exit 10, naming the service's pid" "10 1" \
	"$(usernsguard events >/dev/null 2>&1; echo $?) $(grep -c "another reader is running (pid $(prop usernsguard-events.service MainPID)" <<<"$out")"
# A restart resumes from the pinned ring: what happened while it was stopped arrives.
systemctl stop usernsguard-events.service
setpriv --reuid=65534 true &
pid=$!
wait "$pid"
systemctl start usernsguard-events.service
expect_eq "events service: an event made while it was stopped arrives after its start" \
	"MESSAGE_ID=c89beb645f5d4217b669a1e00dca4d02" "$(entry_of "$pid" | grep '^MESSAGE_ID=')"
# The checks until rule 1 read the ring themselves (usernsguard events).
systemctl stop usernsguard-events.service

# --- host tasks are never judged (issue 12) --------------------------------------
# The unit runs without CAP_SYSLOG, so /proc/kallsyms reads as zeros to the
# loader: nothing it loads may depend on a kernel symbol's address.
busy=60
for arg in $(cat /proc/cmdline); do case "$arg" in ug.busy=*) busy=${arg#ug.busy=} ;; esac; done
# probe runs as the unit's ExecCondition, under the same privileges.
expect_eq "host: the unit's loader could not read kernel addresses (probe in the journal)" "1" \
	"$(journalctl -b -u usernsguard.service | grep -c 'kallsyms reads as zeros (not needed: no kernel symbol is used)')"
expect_eq "host: load's self-check passed at boot" "1" \
	"$(journalctl -b -u usernsguard.service | grep -c 'loaded; self-check passed: host tasks untouched')"
# The host uses a view of a marked tree, as container tooling does when it
# sets a container up. On 6.12+ the kallsyms bug refused the host here as a
# "wrong namespace". On a tmpfs: the initramfs root (rootfs) cannot be
# idmapped, and 6.1's tmpfs cannot either (not applicable there).
mount -t tmpfs -o mode=0755 srv /srv && mkdir -p /srv/tree /mnt/view && echo data >/srv/tree/file &&
	chown -R 100000:100000 /srv/tree
printf 'mark /srv/tree shiftable-by 200000 origin 100000\n' >>"$policy"
rc=0
systemctl reload usernsguard.service || rc=$?
expect_eq "host: a mark added by reload" "0" "$rc"
[ "$rc" -eq 0 ] || journalctl -b -u usernsguard.service | tail -n 5 | sed 's/^/     /'
before=$(judged)
view=$(/usr/local/sbin/ug-view /srv/tree "100000 200000 65536" /mnt/view file 2>&1)
case "$view" in
*"mount_setattr(MOUNT_ATTR_IDMAP): Invalid argument"*)
	echo "     host view: tmpfs has no idmapped mounts before 6.3: not applicable" ;;
*)
	expect_eq "host: reads through an authorized shifted view" "data" "$view"
	expect_eq "host: using the view is not judged" "$before" "$(judged)" ;;
esac
before=$(judged)
expect_eq "host: ${busy}s of opens, execs, names and a dpkg install work" "ok" "$(host_busy "$busy")"
expect_eq "host: nothing judged (counters unchanged, every rule auditing)" "$before" "$(judged)"
touch /tmp/r-0707 && chmod 0707 /tmp/r-0707
expect_eq "container: judged by rule 2 (one audit for one read)" "1" "$(container_judged)"

# The README's way to enforce a rule: "mode audit" -> "mode enforce", reload.
sed -i '/^rule shift-marks /s/mode audit/mode enforce/' "$policy"
expect_eq "rule 3 enforce: systemctl reload exits 0" "0" "$(systemctl reload usernsguard.service; echo $?)"
expect_eq "rule 3 enforce: in force" "enforce" "$(mode_of shift-marks)"
before=$(judged)
expect_eq "rule 3 enforce: the host still works (20s busy, a dpkg install)" "ok" "$(host_busy 20)"
expect_eq "rule 3 enforce: nothing judged on the host" "$before" "$(judged)"
expect_eq "rule 3 enforce: exec still works" "0" "$(/bin/true; echo $?)"
expect_eq "rule 3 enforce: a container started afterwards is judged" "1" "$(container_judged)"

# --- rootless tools under rule 2 (issue 14) --------------------------------------
# The tools users run, as Debian ships them, with "rule most-restrictive" enforcing under
# the default scope: each maps itself, or has newuidmap map it, from inside a namespace
# where its own ids are not mapped yet, and must work. The same tool is still refused a
# root-owned 0707 file. The ID check inside each proves the namespace was really made.
as_tester() { setpriv --reuid=1000 --regid=1000 --init-groups env HOME=/home/tester "$@" 2>&1; }
# Rule 2's and rule 3's refusals: rule 3 enforces too here, with shift-default deny.
refused() { echo "$(counter most-restrictive denied) $(counter shift-marks denied)"; }
tool() { # NAME WANT CMD...: the output of CMD (stderr too), and its refusals
	local name=$1 want=$2 a got
	shift 2
	a=$(refused)
	out=$("$@" 2>&1)
	got=$(printf '%s\n' "$out" | tail -n 1)
	expect_eq "$name" "$want" "$got"
	expect_eq "$name: nothing refused by rule 2 or 3" "$a" "$(refused)"
	if [ "$got" != "$want" ] || [ "$a" != "$(refused)" ]; then
		printf '%s\n' "$out" | tail -n 12 | sed 's/^/     | /'
		usernsguard events --format text 2>&1 | tail -n 3 | sed 's/^/     | /'
	fi
}
sed -i '/^rule most-restrictive /s/mode audit/mode enforce/' "$policy"
expect_eq "rule 2 enforce: systemctl reload exits 0" "0" "$(systemctl reload usernsguard.service; echo $?)"
expect_eq "rule 2 enforce: in force" "enforce" "$(mode_of most-restrictive)"
tool "unshare -r (util-linux writes its own map)" "0" \
	as_tester unshare --user --map-root-user id -u
tool "unshare --map-auto (newuidmap from /etc/subuid)" "0 100000 65536" \
	as_tester unshare --user --map-auto sh -c 'set -- $(cat /proc/self/uid_map); echo "$@"'
tool "bwrap --unshare-user" "0" \
	as_tester bwrap --unshare-user --uid 0 --gid 0 --ro-bind / / --proc /proc --dev /dev id -u
tool "lxc-usernsexec (newuidmap, subordinate ids)" "0" as_tester lxc-usernsexec -- id -u
mkdir -p /var/lib/machines/ct/etc /var/lib/machines/ct/usr
cp -L /etc/os-release /var/lib/machines/ct/etc/os-release
for d in bin lib lib64 sbin; do ln -sfn "usr/$d" "/var/lib/machines/ct/$d"; done
tool "systemd-nspawn --private-users=pick" "ok" \
	systemd-nspawn -q --register=no --console=pipe --private-users=pick \
	--private-users-ownership=chown -D /var/lib/machines/ct --bind-ro=/usr \
	/usr/bin/sh -c 'set -- $(cat /proc/self/uid_map); [ "$1 $3" = "0 65536" ] && [ "$2" -ge 524288 ] && echo ok'
# A rootless container's own mounts are never shifted views (rule 3, issue 15).
tool "unshare -rm: its own tmpfs, written and read" "ok" \
	as_tester unshare --user --map-root-user --mount \
	sh -c 'mount -t tmpfs none /mnt && echo x >/mnt/f && cat /mnt/f >/dev/null && echo ok'
tool "bwrap --tmpfs: its own tmpfs, written and read" "ok" \
	as_tester bwrap --unshare-user --ro-bind / / --dev /dev --tmpfs /tmp \
	sh -c 'echo x >/tmp/f && cat /tmp/f >/dev/null && echo ok'
a=$(counter most-restrictive denied)
expect_eq "bwrap: a root-owned 0707 file stays refused inside (EACCES)" "refused" \
	"$(as_tester bwrap --unshare-user --uid 0 --gid 0 --ro-bind / / cat /tmp/r-0707 >/dev/null 2>&1 &&
		echo read || echo refused)"
expect_eq "bwrap: that refusal is rule 2's" "$((a + 1))" "$(counter most-restrictive denied)"
expect_eq "unshare -r: the same file stays refused" "refused" \
	"$(as_tester unshare --user --map-root-user cat /tmp/r-0707 >/dev/null 2>&1 && echo read || echo refused)"
sed -i '/^rule most-restrictive /s/mode enforce/mode audit/' "$policy"
expect_eq "rule 2 back to audit: systemctl reload exits 0" "0" \
	"$(systemctl reload usernsguard.service; echo $?)"

# --- rule 3 for a real runtime (issue 17) -------------------------------------------
# systemd-nspawn --private-users=pick --private-users-ownership=map idmaps the container's
# root directory to a 65536-id block it picks at run time (524288-1879048191), with a
# second extent for itself (on-disk 2147483646 -> host root). Rule 3 enforces, shift-default
# deny. The tree is on ext4 (a loop image): every kernel of the matrix idmaps ext4.
shift_events() { # REASON: the refused shift-attach events waiting, with that reason
	usernsguard events 2>/dev/null | grep '"action":"shift-attach"' | grep -c "\"reason\":\"$1\""
}
nspawn_map() {
	systemd-nspawn -q --register=no --console=pipe --private-users=pick \
		--private-users-ownership=map -D /srv/ct --bind-ro=/usr \
		/usr/bin/sh -c 'touch /root/made-by-root; set -- $(cat /proc/self/uid_map); echo "root-at $2"' 2>&1
}
insmod /usr/lib/ug-modules/loop.ko 2>/dev/null
rm -f /var/tmp/ct.img && truncate -s 64M /var/tmp/ct.img && mkfs.ext4 -q -F /var/tmp/ct.img &&
	mkdir -p /srv/ct && mount -o loop /var/tmp/ct.img /srv/ct &&
	mkdir -p /srv/ct/etc /srv/ct/usr /srv/ct/root && cp -L /etc/os-release /srv/ct/etc/ &&
	for d in bin lib lib64 sbin; do ln -sfn "usr/$d" "/srv/ct/$d"; done
expect_eq "nspawn: an ext4 container tree" "ext4" "$(findmnt -n -o FSTYPE /srv/ct)"
usernsguard events >/dev/null 2>&1
out=$(nspawn_map)
expect_eq "nspawn pick+map, no mark: refused (nspawn fails)" "refused" \
	"$(case "$out" in *root-at*) echo started ;; *) echo refused ;; esac)"
printf '%s\n' "$out" | grep -v '^$' | tail -n 2 | sed 's/^/     nspawn: /'
expect_eq "nspawn, no mark: the event says the tree is unmarked" "1" "$(shift_events unmarked)"
printf 'mark /srv/ct shiftable-by pool 524288 1878523904\n' >>"$policy"
expect_eq "pool mark (nspawn's range): reload exits 0" "0" \
	"$(systemctl reload usernsguard.service; echo $?)"
out=$(nspawn_map)
root=$(printf '%s\n' "$out" | sed -n 's/^root-at \([0-9]*\)$/\1/p')
expect_eq "nspawn pick+map with the pool mark: the container runs" "started" \
	"$( [ -n "$root" ] && echo started || echo "not started: $out")"
expect_eq "nspawn: its root is a block of the pool" "yes" \
	"$( [ -n "$root" ] && [ "$root" -ge 524288 ] && [ $(((root - 524288) % 65536)) -eq 0 ] && echo yes || echo "no: $root")"
expect_eq "nspawn: a file made as container root lands on disk as root" "0:0" \
	"$(stat -c %u:%g /srv/ct/root/made-by-root 2>&1)"
sed -i 's|^mark /srv/ct shiftable-by pool 524288 1878523904$|mark /srv/ct shiftable-by pool 100000 65536|' "$policy"
expect_eq "pool mark outside nspawn's range: reload exits 0" "0" \
	"$(systemctl reload usernsguard.service; echo $?)"
usernsguard events >/dev/null 2>&1
out=$(nspawn_map)
expect_eq "nspawn with a pool its range is not in: refused" "refused" \
	"$(case "$out" in *root-at*) echo started ;; *) echo refused ;; esac)"
expect_eq "nspawn, wrong pool: the event says idmap-outside-mark" "1" \
	"$(shift_events idmap-outside-mark)"
sed -i '\|^mark /srv/ct |d' "$policy"
systemctl reload usernsguard.service
umount /srv/ct

# LXC with an idmapped rootfs (lxc.rootfs.options = idmap=container): lxc-start,
# already inside the container's user namespace, attaches the view of the rootfs
# shifted by the container's map. The tree is an ext4 image; its runtime mark is
# what an LXC hook or the administrator adds (usernsguard mark add). LXC writes the
# maps with newuidmap even as root, so root has the subordinate range.
lxc_run() { # prints "root-at N" and the on-disk owner of a file the container's root made
	rm -f /srv/lxc/c1/rootfs/root/result /srv/lxc/c1/rootfs/root/made-by-root
	lxc-start -n c1 -P /srv/lxc -d -o /var/tmp/lxc.log -l ERROR >/dev/null 2>&1 &&
		lxc-wait -n c1 -P /srv/lxc -s STOPPED -t 120
	cat /srv/lxc/c1/rootfs/root/result 2>/dev/null || echo "not started: $(tail -n 3 /var/tmp/lxc.log)"
}
echo root:100000:65536 >>/etc/subuid && echo root:100000:65536 >>/etc/subgid
rm -f /var/tmp/lxc.img && truncate -s 64M /var/tmp/lxc.img && mkfs.ext4 -q -F /var/tmp/lxc.img &&
	mkdir -p /srv/lxc/c1/rootfs && mount -o loop /var/tmp/lxc.img /srv/lxc/c1/rootfs &&
	(cd /srv/lxc/c1/rootfs && mkdir -p etc usr root proc sys dev tmp && cp -L /etc/os-release etc/ &&
		for d in bin lib lib64 sbin; do ln -sfn "usr/$d" "$d"; done)
cat >/srv/lxc/c1/rootfs/ct-init <<'EOS'
#!/bin/sh
touch /root/made-by-root
cat /usr/local/share/ug-probe-0707 >/dev/null 2>&1
set -- $(cat /proc/self/uid_map)
# Alive a moment: a reader resolves the cgroup of an event while it exists.
sleep 2
echo "root-at $2 $(stat -c %u:%g /root/made-by-root)" >/root/result
EOS
chmod 0755 /srv/lxc/c1/rootfs/ct-init
cat >/srv/lxc/c1/config <<'EOS'
lxc.uts.name = c1
lxc.rootfs.path = dir:/srv/lxc/c1/rootfs
lxc.rootfs.options = idmap=container
lxc.idmap = u 0 100000 65536
lxc.idmap = g 0 100000 65536
lxc.mount.entry = /usr usr none bind,ro 0 0
lxc.mount.auto = proc:mixed sys:mixed
lxc.autodev = 1
lxc.net.0.type = empty
lxc.apparmor.profile = unconfined
lxc.init.cmd = /ct-init
EOS
usernsguard events >/dev/null 2>&1
out=$(lxc_run)
expect_eq "lxc idmap=container, no mark: refused (lxc-start fails)" "refused" \
	"$(case "$out" in root-at*) echo started ;; *) echo refused ;; esac)"
expect_eq "lxc, no mark: the event says the tree is unmarked" "1" "$(shift_events unmarked)"
expect_eq "lxc: runtime mark of the rootfs for the container's root 100000" "0" \
	"$(usernsguard mark add /srv/lxc/c1/rootfs shiftable-by 100000 >/dev/null; echo $?)"
# Rule 2 (audit here) reports the container's read of a root-owned 0707 file, named by its
# cgroup: a reader that runs while the container does (a cgroup is gone once it stops).
install -m 0707 /dev/null /usr/local/share/ug-probe-0707
usernsguard events >/dev/null 2>&1
usernsguard events --follow >/var/tmp/lxc-events.json 2>&1 &
reader=$!
expect_eq "lxc with the runtime mark: runs as 100000; its root's file is 0:0 inside and on disk" \
	"root-at 100000 0:0 0:0" "$(lxc_run) $(stat -c %u:%g /srv/lxc/c1/rootfs/root/made-by-root 2>&1)"
kill "$reader"
wait "$reader" 2>/dev/null
evs=$(cat /var/tmp/lxc-events.json)
ev=$(printf '%s\n' "$evs" | grep '"action":"access"' | grep -m 1 '"container":')
[ -n "$ev" ] || printf '%s\n' "$evs" | grep -o '"cgroup_path":"[^"]*"' | sort | uniq -c | sed 's/^/     no container event; cgroups seen: /'
printf '%s\n' "$ev" | grep -o '"container":{[^}]*}\|"cgroup_path":"[^"]*"' | sed 's/^/     lxc event: /'
expect_eq "lxc: the container's event names it (ECS container.name, container.runtime)" \
	'"container":{"name":"c1","runtime":"lxc"}' "$(printf '%s\n' "$ev" | grep -o '"container":{[^}]*}')"
usernsguard mark remove /srv/lxc/c1/rootfs >/dev/null
usernsguard mark add /srv/lxc/c1/rootfs shiftable-by 200000 >/dev/null
usernsguard events >/dev/null 2>&1
out=$(lxc_run)
expect_eq "lxc, a mark for another root (200000): refused" "refused" \
	"$(case "$out" in root-at*) echo started ;; *) echo refused ;; esac)"
expect_eq "lxc, mark for another root: the event says idmap-outside-mark" "1" \
	"$(shift_events idmap-outside-mark)"
usernsguard mark remove /srv/lxc/c1/rootfs >/dev/null
umount /srv/lxc/c1/rootfs

# --- reload -------------------------------------------------------------------
links_before=$(links)
gen=$(generation)
sed -i '/^rule overflow-transitions /s/mode audit/mode enforce/' "$policy"
expect_eq "reload: systemctl reload exits 0" "0" "$(systemctl reload usernsguard.service; echo $?)"
expect_eq "reload: rule 1 enforces" "enforce" "$(mode_of overflow-transitions)"
expect_eq "reload: one new generation" "$((gen + 1))" "$(generation)"
expect_eq "reload: same links" "$links_before" "$(links)"
expect_eq "reload: dropping to 65534 is killed" "137" "$(become_nobody)"
expect_eq "reload: dropping to 65533 works" "0" "$(setpriv --reuid=65533 true; echo $?)"

# --- rule 1 in operation (issue 16) ------------------------------------------------
# The tools a Debian host drops to nobody with: each is killed at its first id change to the
# overflow id, counted once, and the kill is in the journal (where the person who ran it
# looks: journalctl -t usernsguard -p err) naming the tool, the change and the target.
systemctl start usernsguard-events.service
drop() { # NAME COMM CMD...
	local name=$1 comm=$2 a n rc ev
	shift 2
	a=$(counter overflow-transitions denied)
	n=$(kills | wc -l)
	"$@" >/dev/null 2>&1
	rc=$?
	ev=$(new_line "$n" kills)
	expect_eq "rule 1: $name: killed (exit 137)" "137" "$rc"
	expect_eq "rule 1: $name: one denial counted" "$((a + 1))" "$(counter overflow-transitions denied)"
	if grep -qE "^killed overflow-transitions set[a-z]+ pid=[0-9]+ comm=$comm .*target=65534" <<<"$ev"; then
		ok "rule 1: $name: the journal's err line names it ($comm, target 65534)"
	else
		fail "rule 1: $name: the journal's err line names it" "last: $ev"
	fi
}
drop "runuser -u nobody" runuser runuser -u nobody -- true
drop "setpriv --reuid=nobody" setpriv setpriv --reuid=nobody --regid=nogroup --clear-groups true
drop "su nobody" su su -s /bin/sh nobody -c true
drop "start-stop-daemon --chuid nobody" start-stop-daem \
	start-stop-daemon --start --chuid nobody --exec /bin/true
# A unit that runs as nobody, like a stock one would: scan names it, with the line that
# exempts it; it fails to start; with that line it starts, and again after a restart. The
# line exempts systemd's own binary, not the unit's cgroup: systemd's forked child calls
# initgroups() (setgroups) before it joins the unit's cgroup (systemd 252, execute.c).
cat >/etc/systemd/system/ug-nobody.service <<'UNIT'
[Service]
Type=exec
User=nobody
ExecStart=/bin/sleep 600
UNIT
systemctl daemon-reload
scan=$(usernsguard scan overflow 2>&1)
rc=$?
echo "     usernsguard scan overflow on this host (stock units, /usr, /opt, processes):"
printf '%s\n' "$scan" | sed 's/^/     | /'
expect_eq "scan overflow: exit 1 (something would break)" "1" "$rc"
expect_eq "scan overflow: names the unit" "1" \
	"$(grep -c '^unit ug-nobody.service runs as User=nobody (uid 65534)' <<<"$scan")"
expect_eq "scan overflow: and the line that exempts it" "1" \
	"$(grep -cx '  exempt overflow-transitions exec /usr/lib/systemd/systemd' <<<"$scan")"
n=$(kills | wc -l)
systemctl start ug-nobody.service 2>/dev/null
expect_eq "rule 1: a User=nobody unit does not start" "failed signal" \
	"$(prop ug-nobody.service ActiveState) $(prop ug-nobody.service Result)"
ev=$(new_line "$n" kills)
if grep -qE '^killed overflow-transitions setgroups pid=[0-9]+ comm=\(sleep\) .*target=65534' <<<"$ev"; then
	ok "rule 1: its event: systemd's child killed at setgroups"
else
	fail "rule 1: its event: systemd's child killed at setgroups" "$ev"
fi
grep -x '  exempt .*' <<<"$scan" | sed 's/^  //' >>"$policy"
echo 'exempt overflow-transitions cgroup /ug-by-hand' >>"$policy"
expect_eq "rule 1: the suggested exemption, reload exits 0" "0" \
	"$(systemctl reload usernsguard.service; echo $?)"
# Cgroup exemptions by path under the programs the unit loaded: a cgroup made after the load.
mkdir /sys/fs/cgroup/ug-by-hand
expect_eq "rule 1: a task in a cgroup made after the reload, named by it, drops to 65534" "0" \
	"$(sh -c 'echo $$ >/sys/fs/cgroup/ug-by-hand/cgroup.procs && exec setpriv --reuid=65534 true'; echo $?)"
rmdir /sys/fs/cgroup/ug-by-hand
systemctl reset-failed ug-nobody.service
# The main process's real, effective, saved and fs uids.
main_uids() { awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$(prop ug-nobody.service MainPID)/status" 2>/dev/null; }
expect_eq "rule 1: exempt as suggested, the unit starts as 65534" "0 active 65534 65534 65534 65534" \
	"$(systemctl start ug-nobody.service; echo $?) $(prop ug-nobody.service ActiveState) $(main_uids)"
expect_eq "rule 1: and again after a restart" "0 active 65534 65534 65534 65534" \
	"$(systemctl restart ug-nobody.service; echo $?) $(prop ug-nobody.service ActiveState) $(main_uids)"
systemctl stop ug-nobody.service
expect_eq "rule 1: still killed outside systemd" "137" "$(become_nobody)"

# An exemption is the exempt program's own code (issue 16): the dynamic loader, as Debian
# ships it, loading a preload that is not root's is the program running someone else's code.
install -m 0755 /usr/bin/setpriv /usr/local/bin/ug-setpriv
lib=$(ldd /usr/bin/setpriv | awk '/libc\.so/ { print $3 }')
install -m 0755 "$lib" /tmp/preload-root.so
install -m 0755 -o 1000 -g 1000 "$lib" /tmp/preload-user.so
echo 'exempt overflow-transitions exec /usr/local/bin/ug-setpriv' >>"$policy"
expect_eq "rule 1: an exec exemption, reload exits 0" "0" \
	"$(systemctl reload usernsguard.service; echo $?)"
nobody_via() { "$@" /usr/local/bin/ug-setpriv --reuid=65534 true >/dev/null 2>&1; echo $?; }
expect_eq "rule 1: the exempt binary drops to 65534" "0" "$(nobody_via env)"
expect_eq "rule 1: ... with a preload root owns (0755)" "0" \
	"$(nobody_via env LD_PRELOAD=/tmp/preload-root.so)"
expect_eq "rule 1: ... with a preload uid 1000 owns: killed" "137" \
	"$(nobody_via env LD_PRELOAD=/tmp/preload-user.so)"

gen=$(($(generation) - 1)) # the rejected reload below must leave this generation
cp "$policy" /tmp/good.conf
echo "frobnicate yes" >>"$policy"
rc=0
systemctl reload usernsguard.service 2>/dev/null || rc=$?
if [ "$rc" -ne 0 ]; then ok "rejected reload: systemctl reload fails"; else fail "rejected reload: systemctl reload fails" "exit 0"; fi
expect_eq "rejected reload: unit still active" "active" "$(prop usernsguard.service ActiveState)"
expect_eq "rejected reload: policy unchanged" "$((gen + 1))" "$(generation)"
expect_eq "rejected reload: still enforcing" "137" "$(become_nobody)"
cp /tmp/good.conf "$policy"

# --- stop, start ----------------------------------------------------------------
# The exemptions above attached their programs (issue 19): these links are the ones to keep.
links_before=$(links)
expect_eq "stop: systemctl stop exits 0" "0" "$(systemctl stop usernsguard.service; echo $?)"
expect_eq "stop: unit inactive" "inactive" "$(prop usernsguard.service ActiveState)"
expect_eq "stop: still enforcing" "137" "$(become_nobody)"
expect_eq "stop: same links" "$links_before" "$(links)"
if journalctl -b -u usernsguard.service | grep -qF "unit stopped; the loaded policy stays in force"; then
	ok "stop: the journal says enforcement stays"
else
	fail "stop: the journal says enforcement stays" "$(journalctl -b -u usernsguard.service | tail -n 5)"
fi
expect_eq "start: systemctl start exits 0" "0" "$(systemctl start usernsguard.service; echo $?)"
expect_eq "start: unit active" "active" "$(prop usernsguard.service ActiveState)"
expect_eq "start: same links" "$links_before" "$(links)"

# --- recovery from a shell ------------------------------------------------------------
expect_eq "rescue: usernsguard unload exits 0" "0" "$(usernsguard unload >/dev/null 2>&1; echo $?)"
expect_eq "rescue: nothing pinned" "absent" \
	"$([ -e /sys/fs/bpf/usernsguard ] && echo present || echo absent)"
expect_eq "rescue: dropping to 65534 works" "0" "$(become_nobody)"
expect_eq "rescue: systemctl restart loads the policy again" "0" \
	"$(systemctl restart usernsguard.service; echo $?)"
n=$(kills | wc -l)
expect_eq "rescue: enforcing again" "137" "$(become_nobody)"
# The events service waited through the unload (--wait) and reads the new load's ring.
if grep -qE '^killed overflow-transitions setuid pid=[0-9]+ comm=setpriv .*target=65534' <<<"$(new_line "$n" kills)"; then
	ok "rescue: the events service reads the new ring (the kill is in the journal)"
else
	fail "rescue: the events service reads the new ring" "$(journalctl -q -u usernsguard-events.service | tail -n 5)"
fi

# --- removal ----------------------------------------------------------------------
rc=0
dpkg -r usernsguard >/tmp/remove.log 2>&1 || rc=$?
expect_eq "dpkg -r: exits 0" "0" "$rc"
expect_eq "dpkg -r: unloaded, no pins left" "absent" \
	"$([ -e /sys/fs/bpf/usernsguard ] && echo present || echo absent)"
expect_eq "dpkg -r: dropping to 65534 works again" "0" "$(become_nobody)"

echo "$passed passed, $failed failed"
