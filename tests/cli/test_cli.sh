#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The command-line contract, on the build host (nothing here loads BPF):
# --help for every command, documented exit codes, `check` unprivileged.
# Usage: tests/cli/test_cli.sh BINARY
set -u
bin=$1
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect() { # NAME WANT_EXIT WANT_TEXT COMMAND...
	local name=$1 want=$2 text=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$want" ] && { [ -z "$text" ] || grep -qF -- "$text" <<<"$out"; }; then
		passed=$((passed + 1))
		echo "ok   $name"
	else
		failed=$((failed + 1))
		echo "FAIL $name: exit $rc (want $want), output: $out"
	fi
}

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
	expect "status --format prometheus unprivileged: exit 3" 3 "not root" \
		setpriv --reuid=4242 --regid=4242 --clear-groups "$bin" status --format prometheus
	expect "scan unprivileged: says it cannot see everything" 0 "run as root to see every user namespace" \
		setpriv --reuid=4242 --regid=4242 --clear-groups "$bin" scan --no-policy
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
