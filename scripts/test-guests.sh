#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The two guest-booting suites of `make test`, side by side: the package
# suite (tests/pkg, its own copy of the tree) and the guest suites
# (scripts/guest-test.sh). Each QEMU guest keeps about one of the host's
# cores busy, so on a two-core machine the pair finishes in the time of the
# longer one instead of the sum (CI: about 40 minutes in series). The
# kernels are fetched first, once, so the two never update the private apt
# state at the same time. The package suite's output is kept in a file and
# printed after the guest suites' own; either failing fails the run.
# Usage: scripts/test-guests.sh [SERIES...]   (default: 6.1 6.12 6.18 stable)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
series=("$@")
[ ${#series[@]} -gt 0 ] || series=(6.1 6.12 6.18 stable)

# The package suite boots every series of the matrix, whatever was asked.
"$top/scripts/fetch-kernels.sh" 6.1 6.12 6.18 stable "${series[@]}" || exit 1

mkdir -p "$build"
pkg_log=$build/pkg-test.log
start=$SECONDS
setsid "$top/tests/pkg/test_package.sh" >"$pkg_log" 2>&1 </dev/null &
pkg_pid=$!
# A Ctrl-C or a CI timeout must not leave the package suite's guest behind.
trap 'kill -- -$pkg_pid 2>/dev/null; kill $pkg_pid 2>/dev/null' EXIT

guest_rc=0
"$top/scripts/guest-test.sh" "${series[@]}" || guest_rc=$?
echo "guest suites: $((SECONDS - start))s"

pkg_rc=0
wait "$pkg_pid" || pkg_rc=$?
trap - EXIT
echo
echo "===== package suite (tests/pkg/test_package.sh, $pkg_log)"
cat "$pkg_log"
echo "both suites: $((SECONDS - start))s; guest exit $guest_rc, package exit $pkg_rc"
[ "$guest_rc" -eq 0 ] && [ "$pkg_rc" -eq 0 ]
