#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside a Debian 12 guest booted with systemd as PID 1 and the .deb
# installed (tests/pkg/systemd_guest.sh), as a unit ordered after
# usernsguard.service. Checks the unit as systemd runs it, hardening
# included: started at boot before sysinit.target, reload, a rejected
# reload, stop that leaves enforcement on, start, and removal of the
# package unloading. With ug.expect=skip (a kernel without BPF LSM) the
# unit must be skipped, not failed. Prints "N passed, N failed".
set -uo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
policy=/etc/usernsguard/policy.conf
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }
expect_eq() { # NAME WANT GOT
	if [ "$2" == "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi
}
prop() { systemctl show -p "$2" --value "$1"; }
counter() { # RULE WORD: a counter from usernsguard status
	usernsguard status 2>/dev/null | awk -v r="$1" -v w="$2" \
		'$1 == r { for (i = 1; i < NF; i++) if ($i == w) print $(i + 1) }'
}
mode_of() { usernsguard status 2>/dev/null | awk -v r="$1" '$1 == r { print $2 }'; }
links() { usernsguard status 2>/dev/null | sed -n '/^programs:/,$p'; }
generation() { usernsguard status 2>/dev/null | sed -n 's/.*(generation \([0-9]*\),.*/\1/p'; }
# A privilege drop to the overflow uid; 137 when rule 1 kills it.
become_nobody() { setpriv --reuid=65534 true; echo $?; }

expect=load
grep -q 'ug.expect=skip' /proc/cmdline && expect=skip
echo "GUEST: systemd $(systemctl --version | awk 'NR == 1 { print $2 }'), kernel $(uname -r), expect $expect"

if [ "$expect" = skip ]; then
	expect_eq "no BPF LSM: unit inactive" "inactive" "$(prop usernsguard.service ActiveState)"
	expect_eq "no BPF LSM: skipped by ExecCondition, not failed" "exec-condition" \
		"$(prop usernsguard.service Result)"
	if journalctl -b -u usernsguard.service | grep -qF "BPF LSM active                 NO"; then
		ok "no BPF LSM: the journal has probe's reason"
	else
		fail "no BPF LSM: the journal has probe's reason" "$(journalctl -b -u usernsguard.service)"
	fi
	expect_eq "no BPF LSM: nothing pinned" "absent" \
		"$([ -e /sys/fs/bpf/usernsguard ] && echo present || echo absent)"
	echo "$passed passed, $failed failed"
	exit 0
fi

# --- boot -------------------------------------------------------------------
expect_eq "boot: unit active" "active" "$(prop usernsguard.service ActiveState)"
expect_eq "boot: ExecStart exited 0" "0" "$(prop usernsguard.service ExecMainStatus)"
ug=$(prop usernsguard.service ActiveEnterTimestampMonotonic)
si=$(prop sysinit.target ActiveEnterTimestampMonotonic)
if [ "$ug" -gt 0 ] && [ "$ug" -le "$si" ]; then
	ok "boot: policy in force before sysinit.target"
else
	fail "boot: policy in force before sysinit.target" "usernsguard $ug, sysinit.target $si"
fi
expect_eq "boot: the installed policy is in force" "policy:     $policy" \
	"$(usernsguard status | grep '^policy:')"
expect_eq "boot: every rule audits" "audit audit audit" \
	"$(mode_of overflow-transitions) $(mode_of most-restrictive) $(mode_of shift-marks)"
before=$(counter overflow-transitions audited)
expect_eq "audit: dropping to 65534 works" "0" "$(become_nobody)"
expect_eq "audit: counted as audited" "$((before + 1))" "$(counter overflow-transitions audited)"
systemd-analyze security usernsguard.service 2>/dev/null | tail -n 1 | sed 's/^/     /'

# --- reload -------------------------------------------------------------------
links_before=$(links)
gen=$(generation)
sed -i '/^rule overflow-transitions /s/mode audit/mode enforce/' "$policy"
expect_eq "reload: systemctl reload exits 0" "0" "$(systemctl reload usernsguard.service; echo $?)"
expect_eq "reload: rule 1 enforces" "enforce" "$(mode_of overflow-transitions)"
expect_eq "reload: one new generation" "$((gen + 1))" "$(generation)"
expect_eq "reload: same links" "$links_before" "$(links)"
expect_eq "reload: dropping to 65534 is killed" "137" "$(become_nobody)"
expect_eq "reload: dropping to 65533 works" "0" "$(setpriv --reuid=65533 true; echo $?)"

cp "$policy" /tmp/good.conf
echo "frobnicate yes" >>"$policy"
rc=0
systemctl reload usernsguard.service 2>/dev/null || rc=$?
if [ "$rc" -ne 0 ]; then ok "rejected reload: systemctl reload fails"; else fail "rejected reload: systemctl reload fails" "exit 0"; fi
expect_eq "rejected reload: unit still active" "active" "$(prop usernsguard.service ActiveState)"
expect_eq "rejected reload: policy unchanged" "$((gen + 1))" "$(generation)"
expect_eq "rejected reload: still enforcing" "137" "$(become_nobody)"
cp /tmp/good.conf "$policy"

# --- stop, start ----------------------------------------------------------------
expect_eq "stop: systemctl stop exits 0" "0" "$(systemctl stop usernsguard.service; echo $?)"
expect_eq "stop: unit inactive" "inactive" "$(prop usernsguard.service ActiveState)"
expect_eq "stop: still enforcing" "137" "$(become_nobody)"
expect_eq "stop: same links" "$links_before" "$(links)"
if journalctl -b -u usernsguard.service | grep -qF "unit stopped; the loaded policy stays in force"; then
	ok "stop: the journal says enforcement stays"
else
	fail "stop: the journal says enforcement stays" "$(journalctl -b -u usernsguard.service | tail -n 5)"
fi
expect_eq "start: systemctl start exits 0" "0" "$(systemctl start usernsguard.service; echo $?)"
expect_eq "start: unit active" "active" "$(prop usernsguard.service ActiveState)"
expect_eq "start: same links" "$links_before" "$(links)"

# --- removal ----------------------------------------------------------------------
rc=0
dpkg -r usernsguard >/tmp/remove.log 2>&1 || rc=$?
expect_eq "dpkg -r: exits 0" "0" "$rc"
expect_eq "dpkg -r: unloaded, no pins left" "absent" \
	"$([ -e /sys/fs/bpf/usernsguard ] && echo present || echo absent)"
expect_eq "dpkg -r: dropping to 65534 works again" "0" "$(become_nobody)"

echo "$passed passed, $failed failed"
