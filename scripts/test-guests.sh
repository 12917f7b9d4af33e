#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The guest-booting part of `make test`: the package suite (tests/pkg) and
# every guest boot of scripts/guest-test.sh, as one queue of jobs taken by
# two workers, longest first. Each QEMU guest keeps about one of the host's
# cores busy; the package suite alone takes about 23 minutes and each test
# boot 7 to 12 (session 11), so the queue gives the package suite one lane
# and the test boots the other; the whole of `make test` took 34.5 minutes.
# Each job's output goes to its own file and is printed, whole, when the
# job ends; the summary lists every job with its time. Any failure fails
# the run. The kernels are fetched first, once, so no two jobs update the
# private apt state at the same time.
# Usage: scripts/test-guests.sh [SERIES...]   (default: 6.1 6.12 6.18 stable)
#        UG_GUEST_JOBS=N sets the number of workers (default 2).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
jobdir=$build/guest-jobs

# One job: "pkg", or "SERIES MODE [KERNEL ARG]" as scripts/run-guest.sh
# takes it. Writes $jobdir/NAME.result ("LABEL: P passed, F failed, Ts").
run_job() {
	local job=$1 name s mode extra rc=0 t0=$SECONDS line p f
	name=${job// /-}
	name=${name//[^A-Za-z0-9.-]/_}
	local log=$jobdir/$name.log
	if [ "$job" = pkg ]; then
		"$top/tests/pkg/test_package.sh" >"$log" 2>&1 </dev/null || rc=$?
		line=$(grep -aE '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
		p=${line%% passed*}
		f=${line#*passed, }
		f=${f%% failed*}
		label="package suite"
	else
		read -r s mode extra <<<"$job"
		local rundir=$build/guest-run/$s-$mode
		# shellcheck disable=SC2086 # extra is a kernel argument or empty
		UG_GUEST_RUN_DIR=$rundir "$top/scripts/run-guest.sh" "$s" "$mode" $extra \
			>"$log" 2>&1 </dev/null || rc=$?
		line=$(cat "$rundir/result-$s-$mode" 2>/dev/null || true)
		p=$(sed -nE 's/^[^:]+: ([0-9]+) passed.*/\1/p' <<<"$line")
		f=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")
		label="$s $mode"
		# The metrics test_metrics.c printed in the guest, linted here.
		if [ "$s" = 6.12 ] && [ "$mode" = test ] && [ -n "$line" ]; then
			if "$top/scripts/check-guest-metrics.sh" "$rundir/test-6.12.log" >>"$log" 2>&1; then
				p=$((p + 1))
				echo "6.12 metrics: promtool check passed" >>"$log"
			else
				f=$((f + 1))
				rc=1
				echo "6.12 metrics: promtool check FAILED" >>"$log"
			fi
		fi
	fi
	[ -n "$p" ] || p=0
	if [ -z "$f" ] || { [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; }; then
		f=$((${f:-0} + 1))
		label="$label (did not finish: exit $rc)"
	fi
	echo "$label: $p passed, $f failed, $((SECONDS - t0))s" >"$jobdir/$name.result"
	# One job's output at a time, whole.
	{
		flock 9
		echo
		echo "===== $label ($((SECONDS - t0))s, $log)"
		cat "$log"
	} 9>"$jobdir/.print-lock"
}

if [ "${1:-}" = --job ]; then
	run_job "$2"
	exit 0
fi

series=("$@")
[ ${#series[@]} -gt 0 ] || series=(6.1 6.12 6.18 stable)
asan_series=${series[${#series[@]}-1]}

# The package suite boots every series of the matrix, whatever was asked.
"$top/scripts/fetch-kernels.sh" 6.1 6.12 6.18 stable "${series[@]}" || exit 1

rm -rf "$jobdir"
mkdir -p "$jobdir"
# Longest first (package suite about 23 minutes, a test boot 7 to 12, ASan
# about 2, a boot without BPF LSM under 1).
jobs=(pkg)
for s in 6.12 6.18 stable 6.1; do
	for want in "${series[@]}"; do
		[ "$s" = "$want" ] && jobs+=("$s test")
	done
done
for s in "${series[@]}"; do
	case " ${jobs[*]} " in *" $s test "*) ;; *) jobs+=("$s test") ;; esac
done
jobs+=("$asan_series asan")
# Without BPF LSM the loader takes one path on every kernel (probe, refuse,
# leave nothing): the oldest and the newest series boot it.
jobs+=("${series[0]} nolsm lsm=lockdown,capability,yama")
[ ${#series[@]} -gt 1 ] && jobs+=("$asan_series nolsm lsm=lockdown,capability,yama")

start=$SECONDS
printf '%s\n' "${jobs[@]}" |
	xargs -d '\n' -P "${UG_GUEST_JOBS:-2}" -I{} bash "$0" --job {}

echo
echo "===== guest jobs ($((SECONDS - start))s with ${UG_GUEST_JOBS:-2} workers)"
passed=0
failed=0
failed_jobs=()
for job in "${jobs[@]}"; do
	name=${job// /-}
	name=${name//[^A-Za-z0-9.-]/_}
	line=$(cat "$jobdir/$name.result" 2>/dev/null || echo "$job: 0 passed, 1 failed (no result)")
	echo "$line"
	p=$(sed -nE 's/^.*: ([0-9]+) passed.*/\1/p' <<<"$line")
	f=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-1}))
	[ "${f:-1}" -eq 0 ] || failed_jobs+=("$job|$name")
done
# Why each failed job failed, last, where a CI log's tail shows it: the
# runner's own FAIL lines and the guest's failed tests ("FAIL ..." in
# the suites' output), from the job's log.
for entry in "${failed_jobs[@]}"; do
	job=${entry%|*}
	name=${entry##*|}
	echo
	echo "===== why \"$job\" failed ($jobdir/$name.log)"
	grep -aE '^guest [^ ]+: FAIL|^  [|] |^(not ok |FAIL[ :])' "$jobdir/$name.log" | head -n 80 ||
		tail -n 40 "$jobdir/$name.log"
done
echo "guest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
