#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make bench`: boot each kernel twice with the benchmark initramfs, once
# with -icount shift=0 (the guest clock counts instructions: ratios repeat)
# on one vCPU (6.1 hangs bringing up a second CPU in that mode), once on
# two vCPUs by the wall clock as a cross-check, then write bench/results.md.
# Usage: scripts/bench.sh [SERIES...]   (default: 6.1 6.12; any series
# scripts/fetch-kernels.sh knows, e.g. 6.18 or stable)
# BENCH_REPS, BENCH_SCALE and BENCH_WALL_REPS size the runs; BENCH_MODES
# ("icount wall") picks the boots. The report uses the latest lines of each
# boot, so the two kinds of boot may run at different times.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
series=("$@")
[ ${#series[@]} -gt 0 ] || series=(6.1 6.12)
reps=${BENCH_REPS:-5}
scale=${BENCH_SCALE:-0.5}
wall_reps=${BENCH_WALL_REPS:-3}
out=${BENCH_OUT:-$top/bench/results.md}
modes=${BENCH_MODES:-icount wall}
runs=$build/bench-run

mkdir -p "$runs"
# An instruction-count boot reaches init far later than a normal one (the
# guest clock counts instructions): give run-guest's boot watchdog time.
export UG_GUEST_BOOT_DEADLINE=${UG_GUEST_BOOT_DEADLINE:-1200}
failed=0
for s in "${series[@]}"; do
	case " $modes " in *" icount "*) ;; *) continue ;; esac
	echo "=== bench $s: instruction-count boot (1 vCPU, -icount shift=0)"
	UG_GUEST_SMP=1 UG_GUEST_TIMEOUT=5400 UG_GUEST_RUN_DIR=$runs/icount \
		UG_GUEST_QEMU_ARGS="-icount shift=0,sleep=off" \
		"$top/scripts/run-guest.sh" "$s" bench "ug.bench=--reps,$reps,--scale,$scale" |
		grep -E '^BENCH-(DONE|ERROR)' || failed=1
	sed -n "s/^BENCH/$s icount BENCH/p" "$runs/icount/bench-$s.log" >"$runs/lines-icount-$s"
done
for s in "${series[@]}"; do
	case " $modes " in *" wall "*) ;; *) continue ;; esac
	echo "=== bench $s: wall-clock boot (2 vCPUs)"
	UG_GUEST_SMP=2 UG_GUEST_TIMEOUT=5400 UG_GUEST_RUN_DIR=$runs/wall \
		"$top/scripts/run-guest.sh" "$s" bench "ug.bench=--reps,$wall_reps,--scale,$scale" |
		grep -E '^BENCH-(DONE|ERROR)' || failed=1
	sed -n "s/^BENCH/$s wall BENCH/p" "$runs/wall/bench-$s.log" >"$runs/lines-wall-$s"
done

kcache=${UG_KERNEL_CACHE:-$top/.cache/kernels}
{
	echo "date $(date -u +%Y-%m-%d)"
	echo "qemu $(qemu-system-x86_64 --version | head -n 1)"
	for s in "${series[@]}"; do
		echo "kernel $s $(cat "$kcache/$s/package" 2>/dev/null || echo unknown)"
	done
	echo "reps $reps scale $scale wallreps $wall_reps"
	for s in "${series[@]}"; do
		cat "$runs/lines-icount-$s" "$runs/lines-wall-$s" 2>/dev/null || true
	done
} | awk -f "$top/scripts/bench-report.awk" >"$out.tmp"
mv "$out.tmp" "$out"
echo "bench: wrote $out ($(tail -n 1 "$out"))"
# A boot that failed or reported a wrong outcome fails the run; a missed
# target is a result, reported in the file.
exit $failed
