# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the CLI test scripts: counters, a temporary directory removed
# on exit, and expect().
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
