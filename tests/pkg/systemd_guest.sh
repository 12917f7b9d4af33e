#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Boot a Debian 12 guest whose init is systemd, with the .deb installed the
# way a host gets it (apt-get install in the cached minbase chroot), and run
# tests/pkg/guest-unit-test.sh there as a unit. The build host cannot load
# LSM programs and runs no systemd, so this is where the unit's ordering,
# hardening, reload and stop semantics meet the real thing.
# Usage: tests/pkg/systemd_guest.sh build DEB MINBASE_TARBALL INITRD
#        tests/pkg/systemd_guest.sh boot INITRD SERIES load|skip [KERNEL ARGS...]
# The rootless tools users run (uidmap's newuidmap, bubblewrap, lxc,
# systemd-nspawn) and the log shipper (rsyslog) come from Debian too, with user "tester" (uid 1000,
# subordinate ids 100000-165535) to run them.
# boot prints the guest's check lines and ends with its "N passed, N failed".
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/ug-systemd-guest.XXXXXX)
root=$work/root
cleanup() {
	if mountpoint -q "$root/proc" 2>/dev/null; then umount "$root/proc"; fi
	rm -rf "$work"
}
trap cleanup EXIT

if [ "$1" = boot ]; then
	initrd=$2
	series=$3
	expect=$4
	shift 4
	"$top/scripts/fetch-kernels.sh" "$series" >&2
	kdir=${UG_KERNEL_CACHE:-$top/.cache/kernels}/$series
	# The series' loop module (ext4 images: the runtimes' idmapped rootfs), in
	# a cpio appended to the initramfs; the kernel unpacks both. Under /usr:
	# an entry for lib/ would replace the merged-usr /lib symlink.
	mkdir -p "$work/mods/usr/lib/ug-modules"
	loop=$(ls "$kdir"/modules/kernel/drivers/block/loop.ko* | head -n 1)
	case "$loop" in
	*.xz) xz -dc "$loop" >"$work/mods/usr/lib/ug-modules/loop.ko" ;;
	*.zst) zstd -qdc "$loop" >"$work/mods/usr/lib/ug-modules/loop.ko" ;;
	*) cp "$loop" "$work/mods/usr/lib/ug-modules/loop.ko" ;;
	esac
	(cd "$work/mods" && find . | cpio -o -H newc --quiet) | gzip -1 | cat "$initrd" - >"$work/initrd.gz"
	initrd=$work/initrd.gz
	set +e
	# One vCPU. Once, on 7.3.4 under TCG with two, the guest died inside a
	# hook's entry while `dpkg -r` unloaded (RIP bpf_lsm_file_open+0x5, the
	# middle of the 5-byte nop text_poke_bp() rewrites at detach): a vCPU
	# ran code the other was patching, which TCG does not keep coherent the
	# way a CPU does. The concurrency tests (scripts/run-guest.sh) keep two.
	# A guard against a hung guest, not a measure: 6.18's run takes about
	# 600 s beside another guest (one vCPU, TCG), so twice and a half that.
	timeout --foreground "${UG_GUEST_TIMEOUT:-1500}" qemu-system-x86_64 \
		-accel tcg -cpu max -smp 1 -m 1536 \
		-nographic -no-reboot -monitor none -serial stdio \
		-kernel "$kdir/vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 rdinit=/usr/local/sbin/ug-init panic=-1 oops=panic loglevel=3 systemd.show_status=0 ug.expect=$expect $*" \
		</dev/null 2>&1 | tr -d '\r' >"$work/console.log"
	status=${PIPESTATUS[0]}
	set -e
	[ -z "${UG_SYSTEMD_GUEST_LOG:-}" ] || cp "$work/console.log" "$UG_SYSTEMD_GUEST_LOG"
	# The first line may follow the firmware's terminal escapes.
	sed -n -E 's/.*(GUEST: .*)/\1/p; /^(ok|FAIL|     )|^[0-9]+ passed, [0-9]+ failed/p' "$work/console.log"
	if [ "$status" -eq 124 ]; then
		echo "systemd guest $series: timed out" >&2
		exit 1
	fi
	if ! grep -qE '^[0-9]+ passed, [0-9]+ failed' "$work/console.log"; then
		# No summary: the guest died or hung; show how it ended.
		echo "systemd guest $series: no summary (qemu exit $status); console tail:" >&2
		# From the first kernel report on, when there is one: its header says what it was.
		first=$(grep -nE -m 1 '(BUG|Oops|int3|invalid opcode|general protection|Kernel panic)' \
			"$work/console.log" | cut -d: -f1)
		if [ -n "$first" ]; then
			sed -n "$((first > 5 ? first - 5 : 1)),\$p" "$work/console.log" | head -n 120 >&2
		else
			tail -n 40 "$work/console.log" >&2
		fi
		exit 1
	fi
	grep -qE '^[0-9]+ passed, 0 failed' "$work/console.log"
	exit
fi

[ "$1" = build ] || { echo "usage: $0 build|boot ..." >&2; exit 2; }
deb=$2
tarball=$3
initrd=$4
mkdir -p "$root"
tar -C "$root" -xzf "$tarball"
cp "$deb" "$root/tmp/"
mount -t proc proc "$root/proc"
chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive sh -c "
	apt-get update -qq &&
	apt-get install -y -qq --no-install-recommends systemd systemd-sysv ./tmp/${deb##*/} \
		uidmap bubblewrap lxc systemd-container kmod rsyslog &&
	useradd -m -u 1000 tester &&
	echo tester:100000:65536 >/etc/subuid && echo tester:100000:65536 >/etc/subgid" \
	>"$work/apt.log" 2>&1 || { tail -n 30 "$work/apt.log" >&2; exit 1; }
umount "$root/proc"

install -m 0755 "$top/tests/pkg/guest-unit-test.sh" "$root/usr/local/sbin/ug-unit-test"
# The initramfs root is rootfs, which pivot_root(2) refuses to move (bwrap,
# systemd-nspawn pivot into their new roots). Do what switch_root does, with
# a bind of rootfs instead of a disk: move it over / and chroot into it, then
# start systemd. The mount namespace's root is then that mount, so the tools
# see an ordinary root (and are not "chrooted" for CLONE_NEWUSER).
cat >"$root/usr/local/sbin/ug-init" <<'EOF'
#!/bin/sh
mkdir -p /newroot && mount --rbind / /newroot && cd /newroot && mount --move . / &&
	exec chroot . /sbin/init "$@"
exec /sbin/init "$@"
EOF
chmod 0755 "$root/usr/local/sbin/ug-init"
# A host task making and using a shifted view (util-linux 2.38 cannot).
${CC:-cc} -static -O2 -Wall -Wextra -Werror -o "$root/usr/local/sbin/ug-view" "$top/tests/pkg/ug-view.c"
cat >"$root/etc/systemd/system/ug-unit-test.service" <<'EOF'
[Unit]
Description=usernsguard unit test
After=usernsguard.service multi-user.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/ug-unit-test
ExecStopPost=/bin/systemctl --force --force poweroff
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
EOF
ln -s /etc/systemd/system/ug-unit-test.service "$root/etc/systemd/system/multi-user.target.wants/"
# Nothing in this guest needs a login prompt or the network.
ln -sf /dev/null "$root/etc/systemd/system/serial-getty@ttyS0.service"
ln -sf /dev/null "$root/etc/systemd/system/getty@tty1.service"
# The package's own documentation stays: the test follows its rsyslog example.
find "$root/usr/share/doc" -mindepth 1 -maxdepth 1 ! -name usernsguard -exec rm -rf {} +
rm -rf "$root"/usr/share/man/* "$root"/usr/share/locale/* \
	"$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/tmp/*.deb

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$initrd"
