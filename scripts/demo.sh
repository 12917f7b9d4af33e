#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make demo`: boot Debian's 6.12 kernel in QEMU, load a policy, show the
# denials and the counters. UG_DEMO_KERNEL picks another kernel series:
# 6.1, 6.18, stable (any that scripts/fetch-kernels.sh knows).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
exec "$top/scripts/run-guest.sh" "${UG_DEMO_KERNEL:-6.12}" demo quiet
