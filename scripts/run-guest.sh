#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Boot one Debian kernel in QEMU (software emulation) with the test
# initramfs and turn the guest's verdict into this script's exit status.
# Usage: scripts/run-guest.sh SERIES [MODE] [EXTRA KERNEL ARGS...]
#   MODE: test (default), nolsm (the tests for a kernel without BPF LSM;
#   pass an lsm= list without bpf), asan (rule-1 and event tests with the
#   loader built with ASan and UBSan), demo or bench (UG_GUEST_QEMU_ARGS
#   adds QEMU options, e.g. -icount shift=0).
# A failing test, a guest that hangs (timeout), panics or prints no
# summary, or a kernel that cannot be fetched: all exit non-zero.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
series=$1
mode=${2:-test}
shift $(($# < 2 ? $# : 2))
build=${BUILD:-$top/build}
# A guard against a hung guest, not a measure: the longest suite (6.12)
# takes about 12 minutes beside the package suite's guests (session 11;
# 20 to 33 before the verifier's work per load was cut tenfold).
timeout=${UG_GUEST_TIMEOUT:-3000}
smp=${UG_GUEST_SMP:-2}

"$top/scripts/fetch-kernels.sh" "$series"
kdir=${UG_KERNEL_CACHE:-$top/.cache/kernels}/$series
# UG_GUEST_RUN_DIR keeps concurrent boots (several developers, one tree) apart.
rundir=${UG_GUEST_RUN_DIR:-$build/guest-run}
mkdir -p "$rundir"
initrd=$rundir/initrd-$series.gz
log=$rundir/$mode-$series.log
"$top/scripts/mkinitramfs.sh" "$series" "$initrd"

echo "=== guest $series ($(cat "$kdir/package")), mode $mode"
# A kernel that dies before our init says a word never ran anything of ours:
# under a loaded host, TCG occasionally trips over early-boot text patching
# (int3 in sched_clock_cpu on a second vCPU, seen once), or stops without a
# word after the firmware (7.3, seen once in ten boots). That, and only
# that, is booted once more: a boot whose init has not printed "GUEST: kernel"
# (anywhere on its line: the firmware's terminal escapes come first)
# after UG_GUEST_BOOT_DEADLINE seconds (default 240; a normal boot takes 5
# to 30, under a loaded host up to a minute) is
# stopped instead of waiting for the whole timeout.
# Any failure after "GUEST:" counts, but for one more, which is booted up to
# twice more: an "Oops: int3" whose breakpoint is no longer there, TCG
# running a breakpoint that the kernel's text patching had already replaced
# (the byte before the reported RIP, in the oops's Code: line, is not 0xcc).
# With two vCPUs one emulated CPU may run a stale translation of code the
# other is patching; on 7.3 it hit a BPF trampoline's patched jump in 3 of
# the 26 boots whose logs were kept (sessions 12 and 13); two in one boot of
# the stable kernel are the likely cause of a red CI run. A breakpoint still in place is a real
# int3 and fails the run.
deadline=${UG_GUEST_BOOT_DEADLINE:-240}
hung=$rundir/hung-$series-$mode
stop=$rundir/stop-$series-$mode
watchdog() {
	local waited=0
	while [ "$waited" -lt "$deadline" ]; do
		sleep 2
		waited=$((waited + 2))
		[ -e "$stop" ] && return
		grep -aq 'GUEST: kernel' "$log" 2>/dev/null && return
	done
	touch "$hung"
	pkill -f -- "-initrd $initrd " || true
}
# True if the log's first oops is an int3 whose breakpoint had already been
# patched away (see above).
stale_int3() {
	awk '/Oops: int3/ { seen = 1; next }
	seen && /Code: / {
		for (i = 2; i <= NF; i++)
			if ($i ~ /^</) { found = ($(i - 1) != "cc"); exit }
		exit
	}
	END { exit !found }' "$1"
}
for attempt in 1 2 3; do
	rm -f "$hung" "$stop"
	: >"$log"
	watchdog </dev/null >/dev/null 2>&1 &
	watchdog_pid=$!
	set +e
	# shellcheck disable=SC2086 # extra QEMU options, split on purpose
	timeout --foreground "$timeout" qemu-system-x86_64 \
		-accel tcg -cpu max -smp "$smp" -m 1024 \
		-nographic -no-reboot -monitor none -serial stdio \
		-kernel "$kdir/vmlinuz" -initrd "$initrd" ${UG_GUEST_QEMU_ARGS:-} \
		-append "console=ttyS0 panic=-1 oops=panic loglevel=4 ug.mode=$mode $*" \
		</dev/null 2>&1 | stdbuf -o0 tr -d '\r' | tee "$log"
	status=${PIPESTATUS[0]}
	set -e
	touch "$stop"
	wait "$watchdog_pid" 2>/dev/null || true
	if [ "$attempt" -lt 3 ] && stale_int3 "$log"; then
		echo "guest $series: int3 oops (TCG ran a breakpoint the kernel had already patched away); booting once more" >&2
		continue
	fi
	if [ "$attempt" -eq 1 ] && ! grep -aq 'GUEST: kernel' "$log"; then
		if [ -e "$hung" ]; then
			echo "guest $series: no word from init after ${deadline}s; booting once more" >&2
			continue
		fi
		if grep -aqE 'Kernel panic|BUG:|Oops:' "$log"; then
			echo "guest $series: the kernel died before init started; booting once more" >&2
			continue
		fi
	fi
	break
done
rm -f "$stop"
if [ -e "$hung" ]; then
	echo "guest $series: FAIL: init said nothing within ${deadline}s, twice" >&2
	exit 1
fi

if [ "$status" -eq 124 ]; then
	echo "guest $series: FAIL: timed out after ${timeout}s" >&2
	exit 1
fi
if grep -aqE 'Kernel panic|BUG:|Oops:' "$log"; then
	# The report itself, with the lines around it: a CI log shows only
	# its tail, and this must say what the kernel said.
	echo "guest $series: FAIL: the kernel reported a panic or oops:" >&2
	grep -anE -B3 -A12 'Kernel panic|BUG:|Oops:' "$log" | head -n 60 | sed 's/^/  | /' >&2
	exit 1
fi
if [ "$mode" = bench ]; then
	grep -aq '^BENCH-DONE 0$' "$log" || { echo "guest $series: FAIL: the benchmark reported errors or did not finish" >&2; exit 1; }
	exit 0
fi
if [ "$mode" = demo ]; then
	grep -aq '^GUEST-DONE' "$log" || { echo "guest $series: FAIL: demo did not finish" >&2; exit 1; }
	exit 0
fi
summary=$(grep -aE '^GUEST-SUMMARY: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
if [ -z "$summary" ]; then
	echo "guest $series: FAIL: no summary from the guest (exit $status); its last lines:" >&2
	tail -n 15 "$log" | sed 's/^/  | /' >&2
	exit 1
fi
failed=$(echo "$summary" | sed -E 's/.* ([0-9]+) failed.*/\1/')
passed=$(echo "$summary" | sed -E 's/^GUEST-SUMMARY: ([0-9]+) passed.*/\1/')
echo "$series $mode: $passed passed, $failed failed" >"$rundir/result-$series-$mode"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
