#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The command-line contract, on the build host (nothing here loads BPF):
# --help for every command, documented exit codes, `check` unprivileged.
# Usage: tests/cli/test_cli.sh BINARY
set -u
bin=$1
# shellcheck source=tests/cli/expect.sh
. "$(dirname "$0")/expect.sh"

for cmd in load unload status check events scan probe version help; do
	expect "$cmd --help: exit 0 and usage" 0 "usage: usernsguard [-d] $cmd" "$bin" "$cmd" --help
done
expect "--help lists every command" 0 "events" "$bin" --help
expect "--help documents exit codes" 0 "8 not loaded" "$bin" --help
expect "--version" 0 "usernsguard 0." "$bin" --version
expect "no command: exit 2" 2 "usage:" "$bin"
expect "unknown command: exit 2" 2 "unknown command 'frob'" "$bin" frob
expect "unknown option: exit 2" 2 "unknown option '-x'" "$bin" -x status
expect "check without a file: exit 2" 2 "check: expected 1 argument, got 0" "$bin" check
expect "check with two files: exit 2" 2 "expected 1 argument, got 2" "$bin" check a b
expect "events with an argument: exit 2" 2 "unexpected argument 'now'" "$bin" events now
expect "events with a bad format: exit 2" 2 "unknown format 'yaml'" "$bin" events --format yaml
expect "events with a bad output: exit 2" 2 "unknown output 'file' (stdout or journal)" \
	"$bin" events --output file
expect "events --format with --output journal: exit 2" 2 "--format applies to stdout" \
	"$bin" events --format text --output journal
expect "events --wait without --follow: exit 2" 2 "--wait needs --follow" "$bin" events --wait
expect "status --stats=0: exit 2" 2 "--stats=0: a window of 1 to 3600 seconds" "$bin" status --stats=0
expect "status --stats=5s: exit 2" 2 "--stats=5s: a window of 1 to 3600 seconds" "$bin" status --stats=5s
# The journal catalog parses and explains every MESSAGE_ID the reader writes: three rules by
# four verdicts (most-restrictive reports nothing), the two summaries.
catalog=$(dirname "$0")/../../systemd/usernsguard.catalog
mkdir -p "$tmp/cat/usr/lib/systemd/catalog" "$tmp/cat/var/lib/systemd/catalog"
cp "$catalog" "$tmp/cat/usr/lib/systemd/catalog/"
journalctl --root="$tmp/cat" --update-catalog 2>"$tmp/cat.err"
want=$(for id in 01 02 03 04 11 12 13 21 22 23 24 f1 f2; do echo "c89beb645f5d4217b669a1e00dca4d$id"; done)
got=$(journalctl --root="$tmp/cat" --list-catalog 2>&1 | awk '{ print $1 }')
if [ "$got" = "$want" ] && [ ! -s "$tmp/cat.err" ]; then
	passed=$((passed + 1))
	echo "ok   journal catalog: 13 MESSAGE_IDs, parsed without complaint"
else
	failed=$((failed + 1))
	echo "FAIL journal catalog: got $got, errors $(cat "$tmp/cat.err")"
fi

printf 'mode enforce\nrule overflow-transitions on on-deny errno\nrule most-restrictive on\n' >"$tmp/good.conf"
printf 'rule overflow-transitions on\nrule overflow-transitions off\n' >"$tmp/dup.conf"
chmod 0755 "$tmp"
chmod 0644 "$tmp/good.conf" "$tmp/dup.conf"
expect "check of a valid file: exit 0" 0 "ok: 2 rules on" "$bin" check "$tmp/good.conf"
expect "check of a duplicate rule: exit 1, file:line:col" 1 \
	"$tmp/dup.conf:2:6: duplicate rule 'overflow-transitions' (first set at line 1)" \
	"$bin" check "$tmp/dup.conf"
expect "check of a missing file: exit 4" 4 "cannot read policy" "$bin" check "$tmp/none.conf"
mkdir -p "$tmp/t1" "$tmp/t2"
printf 'rule shift-marks on\nmark %s shiftable-by 200000 origin 100000\nmark %s shiftable-by 210000 origin 100000\n' \
	"$tmp/t1" "$tmp/t2" >"$tmp/overlap.conf"
expect "check reports overlapping shiftable-by ranges" 0 \
	"shifts into ids 210000-275535, overlapping line 2" "$bin" check "$tmp/overlap.conf"
printf 'mark %s shiftable-by 200000\nmark %s/ shiftable-by 300000\n' "$tmp/t1" "$tmp/t1" >"$tmp/twice.conf"
expect "check refuses two marks on one tree" 1 "names the same tree as line 1" \
	"$bin" check "$tmp/twice.conf"
# Drop-ins: policy.d/*.conf merged after policy.conf in byte order, one parse across them.
expect_exact() { # NAME WANT_EXIT WANT_OUTPUT COMMAND...: stdout and stderr, every line
	local name=$1 want=$2 text=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$want" ] && [ "$out" = "$text" ]; then
		passed=$((passed + 1))
		echo "ok   $name"
	else
		failed=$((failed + 1))
		echo "FAIL $name: exit $rc (want $want)"
		echo " got: $out"
		echo "want: $text"
	fi
}
e=$tmp/etc
mkdir -p "$e/policy.d"
printf 'overflow-ids uid 60000 gid 60001\nrule overflow-transitions on\n' >"$e/policy.conf"
printf 'rule most-restrictive on\nscope most-restrictive owner 1000\n' >"$e/policy.d/20-b.conf"
printf 'exempt overflow-transitions exec /bin/sh\n' >"$e/policy.d/10-a.conf"
printf 'mode audit\n' >"$e/policy.d/.10-a.conf.swp.conf"
printf 'mode audit\n' >"$e/policy.d/README"
expect_exact "check merges drop-ins in order, skipping dotfiles and other names" 0 \
	"$e/policy.conf: ok: 2 rules on, 2 exemptions, overflow ids 60000/60001
  merged: $e/policy.conf
  merged: $e/policy.d/10-a.conf
  merged: $e/policy.d/20-b.conf" "$bin" check "$e/policy.conf"
printf '# later\nmode audit\n' >"$e/policy.d/30-c.conf"
expect_exact "a drop-in's mode is allowed when policy.conf sets none" 0 \
	"$e/policy.conf: ok: 2 rules on, 2 exemptions, overflow ids 60000/60001
  merged: $e/policy.conf
  merged: $e/policy.d/10-a.conf
  merged: $e/policy.d/20-b.conf
  merged: $e/policy.d/30-c.conf" "$bin" check "$e/policy.conf"
printf '# later\noverflow-ids auto\n' >"$e/policy.d/30-c.conf"
expect_exact "a drop-in cannot override policy.conf: exit 1, both file:lines" 1 \
	"usernsguard: $e/policy.d/30-c.conf:2:1: duplicate 'overflow-ids' (first set at $e/policy.conf:1)" \
	"$bin" check "$e/policy.conf"
printf 'rule overflow-transitions off\n' >"$e/policy.d/30-c.conf"
expect_exact "a rule twice across files: exit 1, both file:lines" 1 \
	"usernsguard: $e/policy.d/30-c.conf:1:6: duplicate rule 'overflow-transitions' (first set at $e/policy.conf:2)" \
	"$bin" check "$e/policy.conf"
printf 'exempt overflow-transitions exec /nonexistent\n' >"$e/policy.d/30-c.conf"
expect_exact "a resolution error in a drop-in names the drop-in's file:line:col" 1 \
	"usernsguard: $e/policy.d/30-c.conf:1:34: exec '/nonexistent': No such file or directory" \
	"$bin" check "$e/policy.conf"
rm "$e/policy.d/30-c.conf"
mkdir "$e/policy.d/40-d.conf"
expect_exact "a directory named like a drop-in: exit 1, naming it" 1 \
	"usernsguard: $e/policy.d/40-d.conf: not a regular file (a drop-in is a regular file whose name ends in .conf)" \
	"$bin" check "$e/policy.conf"
rmdir "$e/policy.d/40-d.conf"
for i in $(seq 52 80); do : >"$e/policy.d/$i.conf"; done
expect "32 files in all: exit 0" 0 "ok: 2 rules on" "$bin" check "$e/policy.conf"
: >"$e/policy.d/81.conf"
expect_exact "33 files: exit 1" 1 \
	"usernsguard: too many policy files: $e/policy.conf and 32 drop-ins in $e/policy.d (at most 32 files in all)" \
	"$bin" check "$e/policy.conf"
rm -f "$e"/policy.d/[5-8]?.conf
mv "$e/policy.d" "$e/policy.d.away"
: >"$e/policy.d"
expect_exact "a drop-in directory that is a file: exit 4" 4 \
	"usernsguard: cannot read policy drop-ins $e/policy.d: Not a directory" \
	"$bin" check "$e/policy.conf"
rm "$e/policy.d"
mv "$e/policy.d.away" "$e/policy.d"
# check --as TARGET CANDIDATE: what config management validates before it writes TARGET.
printf 'rule shift-marks on\n' >"$tmp/candidate"
expect_exact "check --as a drop-in that exists: the candidate replaces it" 0 \
	"$tmp/candidate: ok: 3 rules on, 1 exemption, overflow ids 60000/60001
  merged: $e/policy.conf
  merged: $tmp/candidate as $e/policy.d/10-a.conf
  merged: $e/policy.d/20-b.conf" "$bin" check --as "$e/policy.d/10-a.conf" "$tmp/candidate"
expect_exact "check --as a new drop-in: inserted in its place" 0 \
	"$tmp/candidate: ok: 3 rules on, 2 exemptions, overflow ids 60000/60001
  merged: $e/policy.conf
  merged: $e/policy.d/10-a.conf
  merged: $tmp/candidate as $e/policy.d/15-new.conf
  merged: $e/policy.d/20-b.conf" "$bin" check --as "$e/policy.d/15-new.conf" "$tmp/candidate"
printf 'mode audit\nrule overflow-transitions on\n' >"$tmp/candidate"
expect_exact "check --as a drop-in: the candidate's lines are named by its own path" 1 \
	"usernsguard: $tmp/candidate:2:6: duplicate rule 'overflow-transitions' (first set at $e/policy.conf:2)" \
	"$bin" check --as "$e/policy.d/15-new.conf" "$tmp/candidate"
printf 'overflow-ids uid 60000 gid 60001\nrule most-restrictive off\n' >"$tmp/candidate"
expect_exact "check --as the policy: the drop-ins are checked against the candidate" 1 \
	"usernsguard: $e/policy.d/20-b.conf:1:6: duplicate rule 'most-restrictive' (first set at $tmp/candidate:2)" \
	"$bin" check --as "$e/policy.conf" "$tmp/candidate"
printf 'overflow-ids uid 60000 gid 60001\nrule overflow-transitions off\n' >"$tmp/candidate"
expect_exact "check --as the policy: ok, the candidate first" 0 \
	"$tmp/candidate: ok: 1 rule on, 2 exemptions, overflow ids 60000/60001
  merged: $tmp/candidate as $e/policy.conf
  merged: $e/policy.d/10-a.conf
  merged: $e/policy.d/20-b.conf" "$bin" check --as "$e/policy.conf" "$tmp/candidate"
expect "check --as a file in policy.d that is no drop-in: exit 2" 2 \
	"usernsguard: --as $e/policy.d/README: in the drop-in directory of $e/policy.conf, but not a drop-in's name (NAME.conf, not starting with '.')" \
	"$bin" check --as "$e/policy.d/README" "$tmp/candidate"
expect "check --as a directory: exit 2" 2 \
	"usernsguard: --as $e/policy.d: not a regular file (name the policy file, or the drop-in, that the candidate stands in for)" \
	"$bin" check --as "$e/policy.d" "$tmp/candidate"
expect "check --as without a candidate: exit 2" 2 "check: expected 1 argument, got 0" \
	"$bin" check --as "$e/policy.conf"
expect "check --as of a missing candidate: exit 4" 4 "cannot read policy $tmp/none.conf" \
	"$bin" check --as "$e/policy.conf" "$tmp/none.conf"
# scan against a fixture /proc tree: two namespaces overlapping by host uid 165545.
fixture_ns() { # DIR PID INODE COMM UID_MAP GID_MAP
	mkdir -p "$1/proc/$2/ns"
	ln -s "user:[$3]" "$1/proc/$2/ns/user"
	echo "$4" >"$1/proc/$2/comm"
	printf '%s\n' "$5" >"$1/proc/$2/uid_map"
	printf '%s\n' "$6" >"$1/proc/$2/gid_map"
}
for f in overlap clean; do
	d=$tmp/scan-$f
	mkdir -p "$d/proc/sys/kernel" "$d/etc"
	fixture_ns "$d" 1 4026531837 init "0 0 4294967295" "0 0 4294967295"
	fixture_ns "$d" 20 4026532220 sleep "0 165536 10" "0 165536 10"
	echo 65534 >"$d/proc/sys/kernel/overflowuid"
	echo 65534 >"$d/proc/sys/kernel/overflowgid"
	echo 'alice:x:1000:1000::/:/bin/sh' >"$d/etc/passwd"
	echo 'alice:100000:65536' >"$d/etc/subuid"
	echo 'alice:100000:65536' >"$d/etc/subgid"
done
fixture_ns "$tmp/scan-overlap" 30 4026532230 sh "0 165545 5" "0 200000 5"
fixture_ns "$tmp/scan-clean" 30 4026532230 sh "0 165546 5" "0 200000 5"
d=$tmp/scan-overlap
ns_json() { # INODE PID COMM ROOT UID_MAP GID_MAP
	printf '{"inode":%s,"initial":false,"owner_uid":null,"parent_inode":null,"root_host_uid":%s,"processes":1,"pids":[{"pid":%s,"comm":"%s"}],"uid_map":[%s],"gid_map":[%s],"marks":null}' \
		"$1" "$4" "$2" "$3" "$5" "$6"
}
want='{"complete":true,"overflow":{"uid":65534,"gid":65534},"policy":{"state":"skipped","source":null},"namespaces":['
want+='{"inode":4026531837,"initial":true,"owner_uid":null,"parent_inode":null,"root_host_uid":0,"processes":1,"pids":[{"pid":1,"comm":"init"}],"uid_map":[[0,0,4294967295]],"gid_map":[[0,0,4294967295]],"marks":null},'
want+="$(ns_json 4026532220 20 sleep 165536 '[0,165536,10]' '[0,165536,10]'),"
want+="$(ns_json 4026532230 30 sh 165545 '[0,165545,5]' '[0,200000,5]')],"
want+="\"subid\":{\"uid\":{\"path\":\"$d/etc/subuid\",\"allocations\":1},\"gid\":{\"path\":\"$d/etc/subgid\",\"allocations\":1}},"
want+='"problems":[{"kind":"ns-overlap","id_type":"uid","first":165545,"count":1,"namespaces":[4026532220,4026532230],"allocations":[],"message":"user namespaces 4026532220 and 4026532230 both map host uid 165545"}],"notes":[]}'
got=$("$bin" scan --proc "$d/proc" --etc "$d/etc" --no-policy --format json 2>&1)
rc=$?
if [ "$rc" -eq 1 ] && [ "$got" = "$want" ]; then
	passed=$((passed + 1))
	echo "ok   scan --format json of an overlap: exit 1 and the exact report"
else
	failed=$((failed + 1))
	echo "FAIL scan --format json of an overlap: exit $rc (want 1)"
	echo " got: $got"
	echo "want: $want"
fi
# scan overflow against fixtures: a proc tree, and a root with /etc, units and set-id files.
ov=$tmp/ov
ov_proc() { # PID COMM UIDS GIDS EXE CGROUP UID_MAP GID_MAP
	mkdir -p "$ov/proc/$1"
	printf 'Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t%s\nGid:\t%s\nGroups:\t\n' \
		"$2" "$3" "$4" >"$ov/proc/$1/status"
	ln -s "$5" "$ov/proc/$1/exe"
	printf '0::%s\n' "$6" >"$ov/proc/$1/cgroup"
	printf '%s\n' "$7" >"$ov/proc/$1/uid_map"
	printf '%s\n' "$8" >"$ov/proc/$1/gid_map"
}
init_map="0 0 4294967295"
mkdir -p "$ov/proc/sys/kernel" "$ov/root/etc/systemd/system/e.service.d" \
	"$ov/root/usr/lib/systemd/system" "$ov/root/usr/bin" "$ov/root/usr/sbin"
echo 65534 >"$ov/proc/sys/kernel/overflowuid"
echo 65534 >"$ov/proc/sys/kernel/overflowgid"
ov_proc 1 systemd "0	0	0	0" "0	0	0	0" /usr/lib/systemd/systemd /init.scope "$init_map" "$init_map"
ov_proc 40 legacy "65534	65534	65534	65534" "65534	65534	65534	65534" /usr/sbin/legacy \
	/system.slice/legacy.service "$init_map" "$init_map"
# A container's 65534 (host 165534), and a user who mapped 65534 onto the uid it holds.
ov_proc 50 app "165534	165534	165534	165534" "100000	100000	100000	100000" /usr/bin/app \
	/machine.slice/c1.scope "0 100000 65536" "0 100000 65536"
ov_proc 60 sh "1000	1000	1000	1000" "1000	1000	1000	1000" /usr/bin/sh \
	/user.slice/user-1000.slice/session-1.scope "65534 1000 1" "0 1000 1"
# Twins: uid 1000 in the initial namespace; a container root holding its root.
ov_proc 70 bash "1000	1000	1000	1000" "1000	1000	1000	1000" /usr/bin/bash \
	/user.slice/user-1000.slice/session-1.scope "$init_map" "$init_map"
ov_proc 80 init "100000	100000	100000	100000" "100000	100000	100000	100000" /sbin/init \
	/machine.slice/c1.scope "0 100000 65536" "0 100000 65536"
printf 'root:x:0:0::/:/bin/sh\nalice:x:1000:1000::/:/bin/sh\nnobody:x:65534:65534::/:/usr/sbin/nologin\n' \
	>"$ov/root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ov/root/etc/group"
u=$ov/root/usr/lib/systemd/system
printf '[Unit]\nDescription=a\n[Service]\nUser=nobody\nExecStart=/usr/bin/a\n' >"$u/a.service"
printf '[Service]\nUser=alice\n' >"$u/b.service"
printf '[Service]\nDynamicUser=yes\n' >"$u/c.service"
printf '[Service]\nUser=nobody\n' >"$u/d.service"
ln -s /dev/null "$ov/root/etc/systemd/system/d.service"
printf '[Service]\nUser=alice\n' >"$u/e.service"
printf '# local\n[Service]\nUser=\nUser=65534\n' >"$ov/root/etc/systemd/system/e.service.d/10-nobody.conf"
printf '[Service]\nGroup=nogroup\n' >"$u/getty@.service"
printf '[Unit]\nUser=nobody\n' >"$u/f.service"
cp "$bin" "$ov/root/usr/bin/suid-nobody"
cp "$bin" "$ov/root/usr/bin/suid-root"
if [ "$(id -u)" = 0 ]; then
	chown 65534:0 "$ov/root/usr/bin/suid-nobody"
	chmod 4755 "$ov/root/usr/bin/suid-nobody" "$ov/root/usr/bin/suid-root"
	ovw='{"overflow":{"uid":65534,"gid":65534,"from":"sysctl"},"complete":true,"findings":['
	ovw+='{"kind":"process","pid":40,"comm":"legacy","exe":"/usr/sbin/legacy","cgroup":"/system.slice/legacy.service","what":"uid 65534 (real, effective, saved, fs)","exemption":"exempt overflow-transitions cgroup /system.slice/legacy.service"},'
	ovw+='{"kind":"process","pid":50,"comm":"app","exe":"/usr/bin/app","cgroup":"/machine.slice/c1.scope","what":"uid 165534 (real, effective, saved, fs), which its user namespace shows as 65534","exemption":"exempt overflow-transitions exec /usr/bin/app"},'
	ovw+='{"kind":"process","pid":60,"comm":"sh","exe":"/usr/bin/sh","cgroup":"/user.slice/user-1000.slice/session-1.scope","what":"uid 1000 (real, effective, saved, fs), which its user namespace shows as 65534","exemption":"exempt overflow-transitions exec /usr/bin/sh"},'
	ovw+='{"kind":"setid-file","path":"/usr/bin/suid-nobody","what":"set-user-id, owned by uid 65534","exemption":"exempt overflow-transitions exec /usr/bin/suid-nobody"},'
	ovw+='{"kind":"unit","unit":"a.service","set_at":"/usr/lib/systemd/system/a.service:4","cgroup":"/system.slice/a.service","what":"User=nobody (uid 65534)","exemption":"exempt overflow-transitions exec /usr/lib/systemd/systemd"},'
	ovw+='{"kind":"unit","unit":"e.service","set_at":"/etc/systemd/system/e.service.d/10-nobody.conf:4","cgroup":"/system.slice/e.service","what":"User=65534 (uid 65534)","exemption":"exempt overflow-transitions exec /usr/lib/systemd/systemd"},'
	ovw+='{"kind":"unit","unit":"getty@.service","set_at":"/usr/lib/systemd/system/getty@.service:2","cgroup":"/system.slice/system-getty.slice","what":"Group=nogroup (gid 65534)","exemption":"exempt overflow-transitions exec /usr/lib/systemd/systemd"}],'
	ovw+='"exemptions":["exempt overflow-transitions cgroup /system.slice/legacy.service","exempt overflow-transitions exec /usr/bin/app","exempt overflow-transitions exec /usr/bin/sh","exempt overflow-transitions exec /usr/bin/suid-nobody","exempt overflow-transitions exec /usr/lib/systemd/systemd"],"notes":[]}'
	got=$("$bin" scan overflow --proc "$ov/proc" --root "$ov/root" --format json 2>&1)
	rc=$?
	if [ "$rc" -eq 1 ] && [ "$got" = "$ovw" ]; then
		passed=$((passed + 1))
		echo "ok   scan overflow --format json: exit 1 and the exact findings"
	else
		failed=$((failed + 1))
		echo "FAIL scan overflow --format json: exit $rc (want 1)"
		echo " got: $got"
		echo "want: $ovw"
	fi
fi
expect "scan overflow text: a service's line to exempt it" 1 \
	"  exempt overflow-transitions cgroup /system.slice/legacy.service" \
	"$bin" scan overflow --proc "$ov/proc" --root "$ov/root"
expect "scan overflow text: a map written onto a held id" 1 \
	"process 60 (sh) holds uid 1000 (real, effective, saved, fs), which its user namespace shows as 65534" \
	"$bin" scan overflow --proc "$ov/proc" --root "$ov/root"
# The clean twin: the same tree without what would break.
rm -rf "$ov/proc/40" "$ov/proc/50" "$ov/proc/60" "$u/a.service" "$u/e.service" "$u/getty@.service" \
	"$ov/root/usr/bin/suid-nobody"
expect "scan overflow of the clean twin: exit 0" 0 "nothing found that rule 1 would refuse" \
	"$bin" scan overflow --proc "$ov/proc" --root "$ov/root"
expect "scan overflow with a relative --setid-path: exit 2" 2 \
	"scan overflow: --setid-path 'usr': must be absolute" "$bin" scan overflow --setid-path usr
expect "scan overflow of a missing proc tree: exit 4" 4 \
	"scan overflow: cannot read $tmp/none/sys/kernel/overflowuid and overflowgid" \
	"$bin" scan overflow --proc "$tmp/none"
expect "scan overflow --help lists its options" 0 "--setid-path DIR" "$bin" scan overflow --help
expect "scan of the clean twin: exit 0" 0 "problems: none" \
	"$bin" scan --proc "$tmp/scan-clean/proc" --etc "$tmp/scan-clean/etc" --no-policy
expect "scan text names the overlap" 1 \
	"ns-overlap: user namespaces 4026532220 and 4026532230 both map host uid 165545" \
	"$bin" scan --proc "$d/proc" --etc "$d/etc" --no-policy
printf 'bob:165540:10\n' >"$tmp/subuid-bob"
expect "scan --subuid: another user's allocation" 1 \
	"user namespace 4026532230 (owner unknown) maps host uids 165546-165549, allocated to bob in $tmp/subuid-bob:1" \
	"$bin" scan --proc "$tmp/scan-clean/proc" --etc "$tmp/scan-clean/etc" --subuid "$tmp/subuid-bob" --no-policy
expect "scan says what it could not read" 0 "note: $tmp/none/subuid: not present, no uid allocations to check" \
	"$bin" scan --proc "$tmp/scan-clean/proc" --etc "$tmp/none" --no-policy
expect "scan --help lists its options" 0 "--proc DIR" "$bin" scan --help
expect "scan with a bad option: exit 2" 2 "unrecognized option '--frob'" "$bin" scan --frob
expect "scan with a bad format: exit 2" 2 "scan: unknown format 'yaml'" "$bin" scan --format yaml
expect "scan with an argument: exit 2" 2 "scan: unexpected argument 'now'" "$bin" scan now
expect "scan of a missing proc tree: exit 4" 4 "cannot list $tmp/none: No such file or directory" \
	"$bin" scan --proc "$tmp/none"
# mark and oci-hook: usage errors, and what they do with nothing loaded.
expect "mark with no subcommand: exit 2" 2 "usage: usernsguard mark add|remove|list" "$bin" mark
expect "mark with an unknown subcommand: exit 2" 2 "mark: unknown subcommand 'move'" \
	"$bin" mark move /srv
expect "mark remove with no directory: exit 2" 2 "usage: usernsguard mark remove DIR" \
	"$bin" mark remove
expect "mark add with a bad word: exit 2, naming it" 2 \
	"command line:2:23: unexpected 'sideways': expected 'origin', 'range' or 'ro'" \
	"$bin" mark add / shiftable-by 1 sideways
expect "mark add of a path with a blank: exit 2, one word each" 2 \
	"mark: '/srv/a b' is not one word (a blank or '#' in a path cannot be marked at run time)" \
	"$bin" mark add "/srv/a b" shiftable-by 1
expect "mark add of a path with '#': exit 2" 2 "mark: '/srv/x#' is not one word" \
	"$bin" mark add "/srv/x#" shiftable-by 1
expect "mark list with nothing loaded: exit 8" 8 "mark: not loaded" "$bin" mark list
expect "oci-hook with no stage: exit 2" 2 "usage: usernsguard oci-hook createRuntime|poststop" \
	"$bin" oci-hook
mkdir -p "$tmp/bundle"
printf '{"linux":{"uidMappings":[{"containerID":0,"hostID":100000,"size":65536}],"gidMappings":[{"containerID":0,"hostID":100000,"size":65536}]},"mounts":[{"destination":"/d","type":"bind","source":"/srv","options":["idmap"]}]}' \
	>"$tmp/bundle/config.json"
printf '{"id":"c1","bundle":"%s/bundle","status":"creating"}' "$tmp" >"$tmp/state.json"
expect "oci-hook, nothing loaded: exit 0, the container needs no mark" 0 \
	"oci-hook: not loaded: container c1 needs no mark" \
	sh -c "'$bin' oci-hook createRuntime <'$tmp/state.json'"
printf '{"id":"c1","bundle":"%s/none"}' "$tmp" >"$tmp/state.json"
expect "oci-hook, a bundle without config.json: exit 4" 4 \
	"oci-hook: $tmp/none/config.json: No such file or directory" \
	sh -c "'$bin' oci-hook createRuntime <'$tmp/state.json'"
# status --format prometheus. This host cannot load the programs, so nothing is loaded here.
expect "status with a bad format: exit 2" 2 "status: unknown format 'yaml' (text or prometheus)" \
	"$bin" status --format yaml
expect "status --output without prometheus: exit 2" 2 "status: --output needs --format prometheus" \
	"$bin" status --output "$tmp/m.prom"
expect "status with an argument: exit 2" 2 "status: unexpected argument 'now'" "$bin" status now
if [ "$(id -u)" -eq 0 ]; then
	expect "status --format prometheus, not loaded: exit 0, loaded 0" 0 \
		$'# TYPE usernsguard_loaded gauge\nusernsguard_loaded 0' "$bin" status --format prometheus
	expect "status --output writes the file" 0 "" "$bin" status --format prometheus --output "$tmp/m.prom"
	expect "status --output: the metrics, and no temporary file left" 0 "usernsguard_loaded 0" \
		sh -c "cat '$tmp/m.prom' && test -z \"\$(ls '$tmp' | grep 'm.prom.tmp')\""
	expect "status --output to a missing directory: exit 1, one line" 1 \
		"writing metrics to $tmp/none/m.prom: No such file or directory" \
		"$bin" status --format prometheus --output "$tmp/none/m.prom"
fi
# promtool (Debian's prometheus package) lints the formatter's output.
if [ -n "${UG_METRICS_SAMPLE:-}" ]; then
	if ! command -v promtool >/dev/null; then
		failed=$((failed + 1))
		echo "FAIL promtool is not installed (scripts/install-deps.sh installs prometheus)"
	else
		for state in loaded unloaded; do
			expect "promtool check metrics: sample, $state" 0 "" \
				sh -c "'$UG_METRICS_SAMPLE' $state | promtool check metrics"
		done
		if [ -f "$tmp/m.prom" ]; then
			expect "promtool check metrics: status --output of this host" 0 "" \
				sh -c "promtool check metrics <'$tmp/m.prom'"
		fi
	fi
fi
if command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; then
	expect "check works unprivileged (uid 4242)" 0 "ok: 2 rules on" \
		setpriv --reuid=4242 --regid=4242 --clear-groups "$bin" check "$tmp/good.conf"
	expect "load unprivileged: exit 3 (not root)" 3 "not root" \
		setpriv --reuid=4242 --regid=4242 --clear-groups "$bin" load "$tmp/good.conf"
	expect "unload unprivileged: exit 3" 3 "not root" \
		setpriv --reuid=4242 --regid=4242 --clear-groups "$bin" unload
	expect "mark unprivileged: exit 3" 3 "not root" \
		setpriv --reuid=4242 --regid=4242 --clear-groups "$bin" mark list
	expect "oci-hook unprivileged: exit 3" 3 "not root" \
		setpriv --reuid=4242 --regid=4242 --clear-groups "$bin" oci-hook poststop
	expect "status --format prometheus unprivileged: exit 3" 3 "not root" \
		setpriv --reuid=4242 --regid=4242 --clear-groups "$bin" status --format prometheus
	expect "scan unprivileged: says it cannot see everything" 0 "run as root to see every user namespace" \
		setpriv --reuid=4242 --regid=4242 --clear-groups "$bin" scan --no-policy
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
