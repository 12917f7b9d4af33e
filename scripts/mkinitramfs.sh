#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the guest initramfs: busybox-static, the static usernsguard, the
# guest test programs and policies, and the modules the tests insert.
# Usage: scripts/mkinitramfs.sh SERIES OUTPUT
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
series=$1
out=$2
build=${BUILD:-$top/build}
kdir=${UG_KERNEL_CACHE:-$top/.cache/kernels}/$series

busybox=$(command -v busybox || true)
[ -x /bin/busybox ] && busybox=/bin/busybox
if [ -z "$busybox" ] || ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
	[ -x /bin/busybox ] || { echo "mkinitramfs: busybox-static is not installed" >&2; exit 1; }
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 0755 "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,tests,policies,lib/modules,etc,mnt}
cp /bin/busybox "$root/bin/busybox"
cp "$top/tests/guest/init" "$root/init"
chmod +x "$root/init"
cp "$build/static/usernsguard" "$root/bin/usernsguard"
for t in "$build"/guest/test_* "$build"/guest/nolsm_*; do
	case "$t" in *.d) continue ;; esac
	cp "$t" "$root/tests/"
done
cp "$top"/tests/guest/*.sh "$root/tests/" 2>/dev/null || true
cp "$top"/tests/guest/policies/*.conf "$root/policies/" 2>/dev/null || true
# The example the package installs as /etc/usernsguard/policy.conf.
cp "$top/etc/usernsguard/policy.conf" "$root/policies/example.conf"
# The unit as shipped: test_privileges reads its CapabilityBoundingSet=.
cp "$top/systemd/usernsguard.service.in" "$root/etc/usernsguard.service.in"
# The benchmark driver and its policies, when `make bench` built them.
if [ -x "$build/bench/bench" ]; then
	cp "$build/bench/bench" "$root/bin/bench"
	cp "$top/bench/policy.conf" "$root/bench-policy.conf"
	cp "$top/bench/policy-r1.conf" "$root/bench-policy-r1.conf"
	cp "$top/bench/policy-r13.conf" "$root/bench-policy-r13.conf"
	cp "$top/bench/storm.conf" "$root/bench-storm.conf"
fi
# A dynamic program with the shared libraries it needs.
add_dynamic() { # SOURCE DEST
	cp "$1" "$root$2"
	for lib in $(ldd "$1" | awk '/=> \//{print $3} /^\t\/lib/{print $1}'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
# bpftool for the map-dump tests; the ASan/UBSan loader for the asan boot.
if bpftool=$(command -v bpftool); then
	add_dynamic "$bpftool" /bin/bpftool
fi
if [ -x "$build/asan/usernsguard" ]; then
	add_dynamic "$build/asan/usernsguard" /bin/usernsguard-asan
fi
# A passwd with the usual Debian nobody entry, so the load warning shows.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

# Modules the tests insert (loop for ext4 images), decompressed for busybox.
for m in drivers/block/loop; do
	src=$(ls "$kdir/modules/kernel/$m".ko* 2>/dev/null | head -n 1 || true)
	[ -n "$src" ] || continue
	case "$src" in
	*.xz) xz -dc "$src" >"$root/lib/modules/${m##*/}.ko" ;;
	*.zst) zstd -qdc "$src" >"$root/lib/modules/${m##*/}.ko" ;;
	*) cp "$src" "$root/lib/modules/${m##*/}.ko" ;;
	esac
done

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
