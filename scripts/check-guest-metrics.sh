#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Lint with promtool the Prometheus expositions a guest printed
# (tests/guest/test_metrics.c: "UG-METRICS-BEGIN NAME", lines prefixed
# "UG-METRICS NAME: ", "UG-METRICS-END NAME"). The guest has no promtool.
# Usage: scripts/check-guest-metrics.sh GUEST_LOG
set -euo pipefail

log=$1
fail() { echo "check-guest-metrics: $*" >&2; exit 1; }

command -v promtool >/dev/null || fail "promtool not found (Debian package prometheus, scripts/install-deps.sh)"
[ -r "$log" ] || fail "cannot read $log"
names=$(sed -n 's/^UG-METRICS-BEGIN \([a-z0-9-]*\)$/\1/p' "$log" | sort -u)
[ -n "$names" ] || fail "$log: no metrics printed between UG-METRICS-BEGIN and UG-METRICS-END"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
n=0
for name in $names; do
	grep -qx "UG-METRICS-END $name" "$log" || fail "$log: metrics '$name' end without UG-METRICS-END"
	sed -n "s/^UG-METRICS $name: //p" "$log" >"$tmp"
	[ -s "$tmp" ] || fail "$log: metrics '$name' are empty"
	if ! out=$(promtool check metrics <"$tmp" 2>&1); then
		fail "$log: metrics '$name' fail promtool: $(tr '\n' ' ' <<<"$out")"
	fi
	n=$((n + 1))
done
echo "guest metrics: $n exposition(s) pass promtool check metrics:" $names
