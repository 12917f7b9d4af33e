#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the guest for `make demo`: load a policy, show denials.
step() { printf '\n\033[1m## %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; sh -c "$*"; echo "(exit $?)"; }

step "the policy"
cat /policies/demo.conf
step "load it; the loader exits, the programs stay attached"
run usernsguard load /policies/demo.conf
touch /tmp/report.txt
step "hand a file to the overflow uid: refused"
run chown 65534 /tmp/report.txt
step "the neighbouring uid is fine"
run chown 65533 /tmp/report.txt
step "a privilege drop to nobody: refused, and the task is killed instead of running on as root"
run "su -s /bin/sh nobody -c 'echo I am nobody now'"
step "an ordinary drop works"
run "/tests/test_overflow --setuid 1000 && echo setuid 1000 ok"
step "status: attached hooks, policy in force, counters"
run usernsguard status
step "unload: enforcement is off when it returns"
run usernsguard unload
run chown 65534 /tmp/report.txt
