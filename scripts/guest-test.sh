#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the guest suites and print one combined summary line. For each
# kernel series given (default: 6.1 6.12 6.18 stable): the test boot, and a
# boot whose lsm= list leaves out bpf. On the last series (by default the
# newest kernel), a boot with the loader built with ASan and UBSan. After
# the 6.12 test boot, promtool lints the metrics it printed. Any failure
# fails the run.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
series=("$@")
[ ${#series[@]} -gt 0 ] || series=(6.1 6.12 6.18 stable)
asan_series=${series[${#series[@]}-1]}

runs=()
for s in "${series[@]}"; do
	runs+=("$s test" "$s nolsm lsm=lockdown,capability,yama")
done
runs+=("$asan_series asan")

status=0
passed=0
failed=0
results=()
for run in "${runs[@]}"; do
	read -r s mode extra <<<"$run"
	result=${UG_GUEST_RUN_DIR:-$build/guest-run}/result-$s-$mode
	rm -f "$result"
	# shellcheck disable=SC2086 # extra is a kernel argument or empty
	"$top/scripts/run-guest.sh" "$s" "$mode" $extra || status=1
	if [ -f "$result" ]; then
		line=$(cat "$result")
		passed=$((passed + $(sed -E 's/^[^:]+: ([0-9]+) passed.*/\1/' <<<"$line")))
		failed=$((failed + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")))
	else
		line="$s $mode: did not finish"
		failed=$((failed + 1))
	fi
	results+=("$line")
	# The metrics test_metrics.c printed in the guest, linted here with promtool.
	if [ "$s" = 6.12 ] && [ "$mode" = test ]; then
		if "$top/scripts/check-guest-metrics.sh" "${UG_GUEST_RUN_DIR:-$build/guest-run}/test-6.12.log"; then
			passed=$((passed + 1))
			results+=("6.12 metrics: promtool check passed")
		else
			failed=$((failed + 1))
			status=1
			results+=("6.12 metrics: promtool check FAILED")
		fi
	fi
done
echo
printf '%s\n' "${results[@]}"
echo "guest: $passed passed, $failed failed"
exit $status
