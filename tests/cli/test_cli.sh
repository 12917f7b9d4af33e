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

for cmd in load unload status check events probe version help; do
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
if command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; then
	expect "check works unprivileged (uid 4242)" 0 "ok: 2 rules on" \
		setpriv --reuid=4242 --regid=4242 --clear-groups "$bin" check "$tmp/good.conf"
	expect "load unprivileged: exit 3 (not root)" 3 "not root" \
		setpriv --reuid=4242 --regid=4242 --clear-groups "$bin" load "$tmp/good.conf"
	expect "unload unprivileged: exit 3" 3 "not root" \
		setpriv --reuid=4242 --regid=4242 --clear-groups "$bin" unload
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
