#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The cached Debian 12 minbase root every package and fleet guest starts
# from: debootstrap once, from the mirror apt on this host already uses for
# bookworm, then reuse the tarball. Prints the tarball's path.
# Usage: tests/pkg/minbase.sh CACHE_DIR
set -euo pipefail

cache=$1
tarball=$cache/bookworm-minbase.tar.gz
mkdir -p "$cache"
if [ ! -s "$tarball" ]; then
	mirror=$(apt-get indextargets --format '$(REPO_URI) $(CODENAME)' 2>/dev/null |
		awk '$2 == "bookworm" && $1 !~ /security/ { print $1; exit }')
	if [ -z "$mirror" ]; then
		echo "minbase: apt on this host has no bookworm source to bootstrap from" >&2
		exit 1
	fi
	work=$(mktemp -d /tmp/ug-minbase.XXXXXX)
	trap 'rm -rf "$work"' EXIT
	t0=$SECONDS
	debootstrap --variant=minbase bookworm "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$work/debootstrap.log" >&2; echo "minbase: debootstrap failed" >&2; exit 1; }
	rm -f "$work/root"/var/cache/apt/archives/*.deb
	tar -C "$work/root" -cf - . | gzip -1 >"$tarball.tmp"
	mv "$tarball.tmp" "$tarball"
	echo "minbase: debootstrap --variant=minbase bookworm: $((SECONDS - t0))s (cached in $tarball)" >&2
fi
echo "$tarball"
