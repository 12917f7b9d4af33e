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
step "the audit stream a SIEM tails (usernsguard events --follow), as text and as JSON"
usernsguard events --format text
/tests/test_overflow --setuid 65534 2>/dev/null; true
run "usernsguard events | head -n 1"
step "the policy as bpftool shows it (BTF field names)"
slot=$(bpftool -j map lookup pinned /sys/fs/bpf/usernsguard/ug_state key 0 0 0 0 |
	sed 's/.*"active_slot":\([0-9]*\).*/\1/')
run "bpftool map lookup pinned /sys/fs/bpf/usernsguard/ug_policy key $slot 0 0 0 | head -n 32"
if [ -n "$UG_DEMO_DUMP_ALL" ] || grep -q ug.dumpall /proc/cmdline; then
	for m in ug_state ug_match ug_marks ug_counters ug_sources ug_reported; do
		run "bpftool map dump pinned /sys/fs/bpf/usernsguard/$m | head -n 30"
	done
fi
step "unload: enforcement is off when it returns"
run usernsguard unload
run chown 65534 /tmp/report.txt
