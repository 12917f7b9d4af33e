#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Packaging and installation, on the build host (nothing here loads BPF):
#  (a) `make install` lays out exactly the expected files and modes and
#      `make uninstall` takes them away again, but never an edited policy;
#  (b) `systemd-analyze verify` passes on the installed unit, and fails on
#      broken copies of it;
#  (c) the .deb builds with dpkg-buildpackage from a copy of the tracked
#      files (as staged), with dpkg's hardening flags (blhc), and lintian reports no tag
#      that README.md does not explain;
#  (d) the .deb installs with apt into a clean Debian 12 minbase chroot, works
#      there, and dpkg -r / dpkg -P take it away again;
#  (e) the same install booted with systemd as init on Debian 12's 6.1 and
#      6.12 kernels and on Debian's 6.18 and newest stable ones
#      (tests/pkg/systemd_guest.sh): the unit loads at boot with its
#      hardening, reloads, survives a bad reload, stop leaves enforcement on,
#      removal unloads, host tasks are never judged (a busy minute, a dpkg
#      install, rule 3 enforced by reload) while containers are, a rescue
#      unload; without BPF LSM (on 6.12) and with usernsguard=off on the
#      kernel command line (on 6.1) the unit is skipped, not failed.
# Needs root (debootstrap, chroot), QEMU and the Debian mirror apt uses.
# Usage: tests/pkg/test_package.sh   (make pkg-test)
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${UG_PKG_CACHE:-$top/.cache/pkg}
start=$SECONDS
passed=0
failed=0

if [ "$(id -u)" -ne 0 ]; then
	echo "pkg-test: needs root (debootstrap, chroot, apt in the chroot)" >&2
	exit 1
fi
for tool in dpkg-buildpackage dh lintian blhc debootstrap systemd-analyze fakeroot qemu-system-x86_64 cpio; do
	command -v "$tool" >/dev/null ||
		{ echo "pkg-test: $tool is missing: run scripts/install-deps.sh" >&2; exit 1; }
done

work=$(mktemp -d /tmp/ug-pkg-test.XXXXXX)
chroot_dir=$work/chroot
cleanup() {
	# The chroot's /proc is mounted only while a check runs in it; make sure.
	if mountpoint -q "$chroot_dir/proc" 2>/dev/null; then umount "$chroot_dir/proc"; fi
	rm -rf "$work"
}
trap cleanup EXIT

ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }
expect_eq() { # NAME WANT GOT
	if [ "$2" == "$3" ]; then ok "$1"; else fail "$1" "$(printf 'want:\n%s\ngot:\n%s' "$2" "$3")"; fi
}
expect_rc() { # NAME WANT_EXIT COMMAND...: exit status and nothing else
	local name=$1 want=$2 rc=0
	shift 2
	"$@" >"$work/out" 2>&1 || rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$name"; else fail "$name" "exit $rc (want $want): $(cat "$work/out")"; fi
}
expect_grep() { # NAME FIXED_TEXT FILE
	if grep -qF -- "$2" "$3"; then ok "$1"; else fail "$1" "no '$2' in: $(cat "$3")"; fi
}
# "MODE PATH" for everything under a root, sorted by path.
listing() { (cd "$1" && find . -mindepth 1 -printf '%M %P\n' | sort -k2); }

echo "== copy of the tracked files (as staged)"
# The package is built from a copy, so its artefacts (build/,
# debian/usernsguard, ../*.deb) stay out of the repository. The copy is the
# git index: in CI's clean clone that is the tree; in a work tree shared
# with others it is what is staged, so their unfinished edits cannot break
# this build (stage yours with git add to test them).
src=$work/src
mkdir -p "$src"
git -C "$top" checkout-index -a --prefix="$src/"
version=$(cd "$src" && dpkg-parsechangelog -S Version)
deb=usernsguard_${version}_amd64.deb

# ---------------------------------------------------------------- (c) build
echo "== (c) dpkg-buildpackage -us -uc -b"
t0=$SECONDS
if (cd "$src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b ($((SECONDS - t0))s)"
else
	fail "dpkg-buildpackage -us -uc -b" "$(tail -n 40 "$work/build.log")"
	echo "$passed passed, $failed failed"
	exit 1
fi
expect_eq "exactly the binary package and its debug symbols were built" \
	"$(printf '%s\n' "usernsguard-dbgsym_${version}_amd64.deb" "$deb")" \
	"$(cd "$work" && ls -1 ./*.deb | sed 's|^\./||' | sort)"

# blhc reads the compiler lines (the package builds with V=1): every
# userspace compile and link carries dpkg-buildflags' hardening flags.
expect_rc "blhc: hardening flags on every compile and link" 0 blhc --debian --all "$work/build.log"
# Twin: the same log with the stack protector removed from one compile.
awk '!done && / -c user\/main\.c / { sub(/ -fstack-protector-strong/, ""); done = 1 } 1' \
	"$work/build.log" >"$work/build-weak.log"
expect_rc "blhc twin: a compile without -fstack-protector-strong is reported" 8 \
	blhc --debian --all "$work/build-weak.log"

# Tags README.md explains ("The Debian package"); anything else fails the test.
explained=(package-supports-alternative-init-but-no-init.d-script)
unexplained() { # LINTIAN_OUTPUT: every E/W/I/P/X tag not in the list
	local tag
	# "X: PACKAGE[ TYPE]: TAG [CONTEXT]"; TYPE is e.g. "source" or "changes".
	sed -n -E 's/^[EWIPX]: [^:]+: ([^ ]+).*/\1/p' "$1" | sort -u | while read -r tag; do
		printf '%s\n' "${explained[@]}" | grep -qxF "$tag" || echo "$tag"
	done
}
lintian --pedantic -I -E --display-experimental --fail-on none \
	"$work/usernsguard_${version}_amd64.changes" >"$work/lintian.out" 2>&1 || true
expect_eq "lintian (pedantic, experimental): no unexplained tag" "" "$(unexplained "$work/lintian.out")"
grep -E '^[EWIPX]: ' "$work/lintian.out" | sed 's/^/     lintian: /' || true
printf '%s\n' 'W: usernsguard: some-new-tag [usr/sbin/usernsguard]' \
	'E: usernsguard changes: bad-changes-tag' \
	'I: usernsguard: package-supports-alternative-init-but-no-init.d-script [x]' >"$work/lintian-twin.out"
expect_eq "lintian twin: unexplained tags of a package and of the .changes are caught" \
	"$(printf '%s\n' bad-changes-tag some-new-tag)" "$(unexplained "$work/lintian-twin.out")"

# -------------------------------------------------------------- (a) install
echo "== (a) make install DESTDIR=... PREFIX=/usr"
root=$work/root
expect_rc "make install exits 0" 0 make -C "$src" --no-print-directory install DESTDIR="$root" PREFIX=/usr
expect_eq "installed files and modes" "$(cat <<'EOF'
drwxr-xr-x etc
drwxr-xr-x etc/usernsguard
-rw-r--r-- etc/usernsguard/policy.conf
drwxr-xr-x usr
drwxr-xr-x usr/lib
drwxr-xr-x usr/lib/systemd
drwxr-xr-x usr/lib/systemd/catalog
-rw-r--r-- usr/lib/systemd/catalog/usernsguard.catalog
drwxr-xr-x usr/lib/systemd/system
-rw-r--r-- usr/lib/systemd/system/usernsguard-events.service
-rw-r--r-- usr/lib/systemd/system/usernsguard.service
drwxr-xr-x usr/sbin
-rwxr-xr-x usr/sbin/usernsguard
drwxr-xr-x usr/share
drwxr-xr-x usr/share/containers
drwxr-xr-x usr/share/containers/oci
drwxr-xr-x usr/share/containers/oci/hooks.d
-rw-r--r-- usr/share/containers/oci/hooks.d/usernsguard-createRuntime.json
-rw-r--r-- usr/share/containers/oci/hooks.d/usernsguard-poststop.json
drwxr-xr-x usr/share/doc
drwxr-xr-x usr/share/doc/usernsguard
drwxr-xr-x usr/share/doc/usernsguard/examples
-rw-r--r-- usr/share/doc/usernsguard/examples/rsyslog-usernsguard.conf
drwxr-xr-x usr/share/man
drwxr-xr-x usr/share/man/man5
-rw-r--r-- usr/share/man/man5/usernsguard.conf.5
drwxr-xr-x usr/share/man/man8
-rw-r--r-- usr/share/man/man8/usernsguard.8
EOF
)" "$(listing "$root")"
expect_eq "the unit runs the installed binary on the installed policy" \
	"$(printf '%s\n' 'ExecStart=/usr/sbin/usernsguard load /etc/usernsguard/policy.conf' \
		'ExecReload=/usr/sbin/usernsguard load /etc/usernsguard/policy.conf')" \
	"$(grep -E '^Exec(Start|Reload)=' "$root/usr/lib/systemd/system/usernsguard.service")"
expect_eq "the example policy is the tree's" "" \
	"$(cmp "$top/etc/usernsguard/policy.conf" "$root/etc/usernsguard/policy.conf" 2>&1)"
expect_rc "the installed example passes usernsguard check" 0 \
	"$root/usr/sbin/usernsguard" check "$root/etc/usernsguard/policy.conf"
expect_grep "check: every rule of the example is on" ": ok: 3 rules on, 0 exemptions" "$work/out"

# Default PREFIX: /usr/local, policy still in /etc.
expect_rc "make install with the default PREFIX exits 0" 0 \
	make -C "$src" --no-print-directory install DESTDIR="$work/local"
expect_eq "default PREFIX: binary, man pages and unit under /usr/local" "$(cat <<'EOF'
etc/usernsguard/policy.conf
usr/local/lib/systemd/catalog/usernsguard.catalog
usr/local/lib/systemd/system/usernsguard-events.service
usr/local/lib/systemd/system/usernsguard.service
usr/local/sbin/usernsguard
usr/local/share/containers/oci/hooks.d/usernsguard-createRuntime.json
usr/local/share/containers/oci/hooks.d/usernsguard-poststop.json
usr/local/share/doc/usernsguard/examples/rsyslog-usernsguard.conf
usr/local/share/man/man5/usernsguard.conf.5
usr/local/share/man/man8/usernsguard.8
EOF
)" "$(cd "$work/local" && find . -type f -printf '%P\n' | sort)"
expect_eq "default PREFIX: the unit runs /usr/local/sbin/usernsguard" \
	"ExecStart=/usr/local/sbin/usernsguard load /etc/usernsguard/policy.conf" \
	"$(grep -E '^ExecStart=' "$work/local/usr/local/lib/systemd/system/usernsguard.service")"

# An administrator's policy survives a reinstall and an uninstall.
echo "rule overflow-transitions on mode enforce" >"$work/edited.conf"
cp "$work/edited.conf" "$work/local/etc/usernsguard/policy.conf"
expect_rc "reinstall over an edited policy exits 0" 0 \
	make -C "$src" --no-print-directory install DESTDIR="$work/local"
expect_grep "reinstall says it kept the policy" "install: kept the existing" "$work/out"
expect_eq "reinstall left the edited policy as it was" "" \
	"$(cmp "$work/edited.conf" "$work/local/etc/usernsguard/policy.conf" 2>&1)"
expect_rc "uninstall with an edited policy exits 0" 0 \
	make -C "$src" --no-print-directory uninstall DESTDIR="$work/local"
expect_grep "uninstall says it kept the edited policy" "uninstall: kept the edited" "$work/out"
expect_eq "uninstall removed every file but the edited policy" "etc/usernsguard/policy.conf" \
	"$(cd "$work/local" && find . -type f -printf '%P\n')"

# ------------------------------------------------------- (b) unit verified
echo "== (b) systemd-analyze verify"
# --root (systemd 252) resolves the unit and its Exec binaries inside the
# root; /bin/sh and /bin/grep (ExecCondition) and /bin/echo (ExecStop) come
# from the host.
# MANPATH makes the Documentation= check look at the installed man pages.
verify_root() { # ROOT UNIT_DIR: verify that root's two units
	local vroot=$1 t
	mkdir -p "$vroot/bin" "$vroot/usr/lib/systemd/system"
	cp -L /bin/sh /bin/echo /bin/grep "$vroot/bin/"
	# The events service has default dependencies: the targets they name, from the host.
	for t in sysinit basic shutdown multi-user; do
		cp /lib/systemd/system/$t.target "$vroot/usr/lib/systemd/system/"
	done
	MANPATH=$vroot/usr/share/man systemd-analyze verify --root="$vroot" usernsguard.service \
		usernsguard-events.service \
		>"$work/verify.out" 2>&1
}
vroot=$work/vroot
cp -a "$root" "$vroot"
rc=0
verify_root "$vroot" || rc=$?
expect_eq "verify of the installed unit: exit 0, no message" "0:" "$rc:$(cat "$work/verify.out")"
debroot=$work/debroot
dpkg-deb -x "$work/$deb" "$debroot"
rc=0
verify_root "$debroot" || rc=$?
expect_eq "verify of the unit in the .deb: exit 0, no message" "0:" "$rc:$(cat "$work/verify.out")"
# Twins: a broken copy fails.
unit=$vroot/usr/lib/systemd/system/usernsguard.service
cp "$unit" "$work/unit.good"
sed -i 's|^ExecStart=/usr/sbin/usernsguard |ExecStart=/usr/sbin/usernsguard-missing |' "$unit"
rc=0
verify_root "$vroot" || rc=$?
if [ "$rc" -ne 0 ] && grep -qF "Command /usr/sbin/usernsguard-missing is not executable" "$work/verify.out"; then
	ok "verify twin: ExecStart of a missing binary fails"
else
	fail "verify twin: ExecStart of a missing binary fails" "exit $rc: $(cat "$work/verify.out")"
fi
cp "$work/unit.good" "$unit"
sed -i 's|^Type=oneshot|Type=oneshoot|' "$unit"
rc=0
verify_root "$vroot" || rc=$?
if grep -qF "Failed to parse service type, ignoring: oneshoot" "$work/verify.out"; then
	ok "verify twin: an invalid Type= is reported (and fails the no-message check)"
else
	fail "verify twin: an invalid Type= is reported" "exit $rc: $(cat "$work/verify.out")"
fi

# ------------------------------------------------------------ (a) uninstall
expect_rc "make uninstall exits 0" 0 make -C "$src" --no-print-directory uninstall DESTDIR="$root" PREFIX=/usr
# Shared directories (usr/sbin, man5, ...) stay: other packages own them.
expect_eq "uninstall leaves no file, and no /etc/usernsguard" "$(cat <<'EOF'
drwxr-xr-x etc
drwxr-xr-x usr
drwxr-xr-x usr/lib
drwxr-xr-x usr/lib/systemd
drwxr-xr-x usr/lib/systemd/catalog
drwxr-xr-x usr/lib/systemd/system
drwxr-xr-x usr/sbin
drwxr-xr-x usr/share
drwxr-xr-x usr/share/containers
drwxr-xr-x usr/share/containers/oci
drwxr-xr-x usr/share/containers/oci/hooks.d
drwxr-xr-x usr/share/doc
drwxr-xr-x usr/share/man
drwxr-xr-x usr/share/man/man5
drwxr-xr-x usr/share/man/man8
EOF
)" "$(listing "$root")"

# --------------------------------------------------------- (d) the chroot
echo "== (d) apt-get install ./$deb in a Debian 12 minbase chroot"
mkdir -p "$chroot_dir"
t0=$SECONDS
tarball=$("$top/tests/pkg/minbase.sh" "$cache") || exit 1
[ $((SECONDS - t0)) -lt 5 ] || echo "     minbase root: $((SECONDS - t0))s (cached in $tarball)"
tar -C "$chroot_dir" -xzf "$tarball"
cp "$work/$deb" "$chroot_dir/tmp/"
# overflow-ids auto reads /proc/sys/kernel/overflowuid.
mount -t proc proc "$chroot_dir/proc"
in_chroot() { chroot "$chroot_dir" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }

expect_rc "before install: no usernsguard in the chroot" 127 in_chroot usernsguard version
t0=$SECONDS
in_chroot apt-get update -qq >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; exit 1; }
expect_rc "apt-get install ./$deb" 0 in_chroot sh -c "cd /tmp && apt-get install -y -q --no-install-recommends ./$deb"
cp "$work/out" "$work/apt-install.log"
echo "     apt-get update + install: $((SECONDS - t0))s"
expect_rc "usernsguard version in the chroot" 0 in_chroot usernsguard version
expect_eq "version output" "usernsguard $version" "$(cat "$work/out")"
expect_rc "usernsguard check /etc/usernsguard/policy.conf in the chroot" 0 \
	in_chroot usernsguard check /etc/usernsguard/policy.conf
expect_grep "check output" "/etc/usernsguard/policy.conf: ok: 3 rules on, 0 exemptions, overflow ids" "$work/out"
expect_eq "the policy is a conffile" "/etc/usernsguard/policy.conf" \
	"$(in_chroot dpkg-query -W -f='${Conffiles}\n' usernsguard | awk 'NF { print $1 }')"
expect_eq "man pages and unit in place" "$(cat <<'EOF'
lib/systemd/system/usernsguard.service
usr/share/man/man5/usernsguard.conf.5.gz
usr/share/man/man8/usernsguard.8.gz
EOF
)" "$(cd "$chroot_dir" && ls -1 lib/systemd/system/usernsguard.service \
	usr/share/man/man5/usernsguard.conf.5.gz usr/share/man/man8/usernsguard.8.gz 2>&1)"
expect_eq "the OCI hooks for podman and CRI-O run the installed binary" \
	"$(printf '%s\n' '"path": "/usr/sbin/usernsguard",' '"path": "/usr/sbin/usernsguard",')" \
	"$(cd "$chroot_dir/usr/share/containers/oci/hooks.d" &&
		grep -h '"path"' usernsguard-createRuntime.json usernsguard-poststop.json | tr -d '\t')"
expect_eq "enabled on install (sysinit.target wants it)" "/lib/systemd/system/usernsguard.service" \
	"$(readlink "$chroot_dir/etc/systemd/system/sysinit.target.wants/usernsguard.service" || true)"
expect_eq "the events service too (multi-user.target wants it)" "/lib/systemd/system/usernsguard-events.service" \
	"$(readlink "$chroot_dir/etc/systemd/system/multi-user.target.wants/usernsguard-events.service" || true)"

# prerm: an upgrade keeps enforcement (no unload) ...
mkdir -p "$chroot_dir/sys/fs/bpf/usernsguard"
expect_rc "reinstall (the upgrade path) exits 0" 0 \
	in_chroot sh -c "cd /tmp && apt-get install -y -q --reinstall ./$deb"
if grep -qF "bpffs is not mounted" "$work/out"; then
	fail "upgrade path: prerm does not unload" "$(cat "$work/out")"
else
	ok "upgrade path: prerm does not unload"
fi
# ... a removal unloads (here it finds no bpffs: "not loaded", exit 8, and
# the removal goes on).
expect_rc "dpkg -r usernsguard" 0 in_chroot dpkg -r usernsguard
expect_grep "removal: prerm ran usernsguard unload" "bpffs is not mounted at /sys/fs/bpf" "$work/out"
expect_eq "after dpkg -r: binary, man pages and unit gone, the conffile kept" "$(cat <<'EOF'
gone lib/systemd/system/usernsguard.service
kept etc/usernsguard/policy.conf
gone usr/sbin/usernsguard
gone usr/share/man/man5/usernsguard.conf.5.gz
gone usr/share/man/man8/usernsguard.8.gz
EOF
)" "$(cd "$chroot_dir" && for f in lib/systemd/system/usernsguard.service etc/usernsguard/policy.conf \
	usr/sbin/usernsguard usr/share/man/man5/usernsguard.conf.5.gz usr/share/man/man8/usernsguard.8.gz; do
	if [ -e "$f" ]; then echo "kept $f"; else echo "gone $f"; fi; done)"
expect_eq "after dpkg -r: state rc" "rc" "$(in_chroot dpkg-query -W -f='${db:Status-Abbrev}' usernsguard | tr -d ' ')"
expect_rc "dpkg -P usernsguard" 0 in_chroot dpkg -P usernsguard
expect_eq "after purge: no /etc/usernsguard, no enablement link, not known to dpkg" "gone gone 1" \
	"$( [ -e "$chroot_dir/etc/usernsguard" ] && echo kept || echo gone) $(
	[ -L "$chroot_dir/etc/systemd/system/sysinit.target.wants/usernsguard.service" ] && echo kept || echo gone) $(
	in_chroot dpkg-query -W usernsguard >/dev/null 2>&1; echo $?)"
umount "$chroot_dir/proc"

# ------------------------------------------------------ (e) systemd guests
# The unit under a real systemd, with BPF LSM: Debian 12's own 6.1 and 6.12,
# and Debian's newer 6.18 and stable kernels under the same userland; and
# its twin, a kernel without BPF LSM, where the unit must be skipped.
t0=$SECONDS
expect_rc "systemd guest: apt-get install systemd systemd-sysv ./$deb, initramfs" 0 \
	"$top/tests/pkg/systemd_guest.sh" build "$work/$deb" "$tarball" "$work/systemd-initrd.gz"
echo "     systemd guest initramfs: $((SECONDS - t0))s"
# One busy minute of host work on 6.12, 20 s on the others (each boot pays
# for it); the recovery boot: usernsguard=off skips the unit.
# UG_PKG_GUESTS="6.12" boots only the load runs of the series listed (while developing).
runs=("6.12 load ug.busy=60" "6.1 load ug.busy=20" "6.18 load ug.busy=20" "stable load ug.busy=20"
	"6.12 skip lsm=lockdown,capability,yama" "6.1 off usernsguard=off")
if [ -n "${UG_PKG_GUESTS:-}" ]; then
	wanted=()
	for run in "${runs[@]}"; do
		case " $UG_PKG_GUESTS " in *" ${run%% *} "*) [[ $run == *" load "* ]] && wanted+=("$run") ;; esac
	done
	runs=("${wanted[@]}")
fi
for run in "${runs[@]}"; do
	read -r series want extra <<<"$run"
	echo "== (e) systemd guest $series, expect $want"
	t0=$SECONDS
	rc=0
	# shellcheck disable=SC2086 # extra is one kernel argument or empty
	"$top/tests/pkg/systemd_guest.sh" boot "$work/systemd-initrd.gz" "$series" "$want" $extra \
		>"$work/guest.out" 2>&1 || rc=$?
	sed -E '/^[0-9]+ passed, [0-9]+ failed/d' "$work/guest.out"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$work/guest.out" | tail -n 1 || true)
	if [ -n "$line" ]; then
		passed=$((passed + ${line%% passed*}))
		f=${line#*passed, }
		failed=$((failed + ${f%% failed*}))
	fi
	if [ "$rc" -ne 0 ] && { [ -z "$line" ] || [ "${f%% failed*}" -eq 0 ]; }; then
		fail "systemd guest $series ($want)" "exit $rc, summary '${line:-none}'"
	fi
	echo "     systemd guest $series: $((SECONDS - t0))s"
done

echo "pkg-test: $((SECONDS - start))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
