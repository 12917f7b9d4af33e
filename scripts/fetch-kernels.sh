#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Fetch Debian's cloud kernels with apt-get download and unpack them into
# the cache: .cache/kernels/<series>/{vmlinuz,modules/,version}.
# Usage: scripts/fetch-kernels.sh [SERIES...]   (default: 6.1 6.12)
# Fails loudly if a kernel cannot be fetched: a missing kernel must never
# turn into a skipped test.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${UG_KERNEL_CACHE:-$top/.cache/kernels}
series=("$@")
[ ${#series[@]} -gt 0 ] || series=(6.1 6.12)

# The meta-package that tracks each series on Debian 12.
meta_for() {
	case "$1" in
	6.1) echo linux-image-cloud-amd64 ;;
	6.12) echo linux-image-6.12-cloud-amd64 ;;
	*) echo "fetch-kernels: unknown series '$1' (known: 6.1 6.12)" >&2; return 1 ;;
	esac
}

for s in "${series[@]}"; do
	meta=$(meta_for "$s")
	pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	if [ -z "$pkg" ]; then
		echo "fetch-kernels: no package for $s: '$meta' unknown to apt (run apt-get update)" >&2
		exit 1
	fi
	dir=$cache/$s
	if [ -f "$dir/package" ] && [ "$(cat "$dir/package")" = "$pkg" ] && [ -f "$dir/vmlinuz" ]; then
		continue
	fi
	echo "fetch-kernels: $s: downloading $pkg"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null)
	dpkg-deb -x "$tmp"/"$pkg"_*.deb "$tmp/root"
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$tmp"/root/boot/vmlinuz-* "$dir/vmlinuz"
	cp "$tmp"/root/boot/config-* "$dir/config"
	mv "$tmp"/root/lib/modules/* "$dir/modules"
	basename "$tmp"/root/boot/vmlinuz-* | sed 's/^vmlinuz-//' >"$dir/version"
	echo "$pkg" >"$dir/package"
	rm -rf "$tmp"
	trap - EXIT
done
