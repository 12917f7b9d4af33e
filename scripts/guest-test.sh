#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the guest test suite on each kernel series given (default: 6.1 6.12)
# and print one combined summary line. Any failure fails the run.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
series=("$@")
[ ${#series[@]} -gt 0 ] || series=(6.1 6.12)

status=0
passed=0
failed=0
for s in "${series[@]}"; do
	rm -f "$build/guest-run/result-$s"
	if ! "$top/scripts/run-guest.sh" "$s" test; then
		status=1
	fi
	line=$(cat "$build/guest-run/result-$s" 2>/dev/null || true)
	rm -f "$build/guest-run/result-$s"
	# A second boot with BPF LSM left out of lsm=: load must refuse cleanly.
	if ! "$top/scripts/run-guest.sh" "$s" nolsm lsm=lockdown,capability,yama; then
		status=1
	fi
	if [ -n "$line" ] && [ -f "$build/guest-run/result-$s" ]; then
		extra=$(cat "$build/guest-run/result-$s")
		p1=$(echo "$line" | sed -E 's/^[^:]+: ([0-9]+) passed.*/\1/')
		f1=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
		p2=$(echo "$extra" | sed -E 's/^[^:]+: ([0-9]+) passed.*/\1/')
		f2=$(echo "$extra" | sed -E 's/.* ([0-9]+) failed.*/\1/')
		echo "$s: $((p1 + p2)) passed, $((f1 + f2)) failed" >"$build/guest-run/result-$s"
	else
		rm -f "$build/guest-run/result-$s"
	fi
	if [ -f "$build/guest-run/result-$s" ]; then
		line=$(cat "$build/guest-run/result-$s")
		p=$(echo "$line" | sed -E 's/^[^:]+: ([0-9]+) passed.*/\1/')
		f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
		passed=$((passed + p))
		failed=$((failed + f))
	else
		failed=$((failed + 1))
	fi
done
# The loader's userspace under ASan and UBSan, on the newest kernel.
asan_series=${series[${#series[@]}-1]}
rm -f "$build/guest-run/result-$asan_series.asan"
if "$top/scripts/run-guest.sh" "$asan_series" asan; then
	mv "$build/guest-run/result-$asan_series" "$build/guest-run/result-asan" 2>/dev/null
else
	status=1
	mv "$build/guest-run/result-$asan_series" "$build/guest-run/result-asan" 2>/dev/null ||
		echo "asan: 0 passed, 1 failed" >"$build/guest-run/result-asan"
fi
line=$(cat "$build/guest-run/result-asan")
passed=$((passed + $(echo "$line" | sed -E 's/^[^:]+: ([0-9]+) passed.*/\1/')))
failed=$((failed + $(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')))
echo
echo "asan ($asan_series): ${line#*: }"
for s in "${series[@]}"; do
	cat "$build/guest-run/result-$s" 2>/dev/null || echo "$s: did not finish"
done
echo "guest: $passed passed, $failed failed"
exit $status
