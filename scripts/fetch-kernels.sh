#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Fetch Debian's cloud kernels with apt-get download and unpack them into
# the cache: .cache/kernels/<series>/{vmlinuz,modules/,version,package}
# (and config, when the packages ship one).
# Usage: scripts/fetch-kernels.sh [SERIES...]   (default: 6.1 6.12 6.18 stable)
#   6.1, 6.12  Debian 12's own kernels, through the host's apt as it is.
#   6.18       the newest 6.18 (LTS) cloud kernel of Debian's newer suites
#              (any other MAJOR.MINOR works the same way).
#   stable     the newest released cloud kernel of those suites, by version:
#              the next release is picked up without an edit.
# The newer suites (NEWER_SUITES below) are read through a private apt
# state under .cache/apt, made from the host's own Debian archive entry;
# the host's apt configuration and state are never changed.
# Fails loudly if a kernel cannot be fetched or lacks its image or modules:
# a missing kernel must never turn into a skipped test.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${UG_KERNEL_CACHE:-$top/.cache/kernels}
apt_dir=${UG_APT_DIR:-$top/.cache/apt}
series=("$@")
[ ${#series[@]} -gt 0 ] || series=(6.1 6.12 6.18 stable)

# Suites of the same archive that carry kernels newer than bookworm's.
NEWER_SUITES="trixie trixie-backports sid bookworm-backports"
# How old the private package lists may get before `apt-get update` runs
# again. run-guest.sh calls this script once per boot (a `make test` boots
# each kernel two or three times, a developer many times a day), while
# Debian uploads a kernel a few times a month: refreshing twice a day finds
# a new one the same day without fetching some 20 MB of indexes per boot.
# UG_APT_REFRESH=1 refreshes now.
max_age_min=$((${UG_APT_MAX_AGE_HOURS:-12} * 60))

die() { echo "fetch-kernels: $*" >&2; exit 1; }

# The meta-package that tracks each series on Debian 12.
bookworm_meta() {
	case "$1" in
	6.1) echo linux-image-cloud-amd64 ;;
	6.12) echo linux-image-6.12-cloud-amd64 ;;
	*) return 1 ;;
	esac
}

# --- the private apt state ---------------------------------------------------
apt_opts=(
	-o Dir::Etc::sourcelist=/dev/null
	-o Dir::Etc::sourceparts="$apt_dir/sources.list.d"
	-o Dir::State::Lists="$apt_dir/lists"
	-o Dir::State::status="$apt_dir/status"
	-o Dir::Cache="$apt_dir/cache"
	# The host may disable the binary cache (Docker images do); this one is
	# ours, and without it every apt-cache call parses all lists (~3 s).
	-o Dir::Cache::pkgcache=pkgcache.bin
	-o Dir::Cache::srcpkgcache=
	# Run as root, apt would otherwise hand the downloads to the _apt
	# user, who may not reach this tree.
	-o APT::Sandbox::User=root
)
papt_cache() { apt-cache "${apt_opts[@]}" "$@"; }

# The host's Debian archive entry (Suites has bookworm, the URI is not the
# security archive; other repositories are ignored), written to stdout with
# NEWER_SUITES as its suites. The first line says the format: "sources"
# (deb822) or "list" (one-line). Files are read in apt's own order.
host_debian_entry() {
	local sl sp files=()
	eval "$(apt-config shell sl Dir::Etc::sourcelist/f sp Dir::Etc::sourceparts/d)"
	[ -f "$sl" ] && files+=("$sl")
	if [ -d "$sp" ]; then
		while IFS= read -r f; do files+=("$f"); done < <(
			find "$sp" -maxdepth 1 -type f \( -name '*.list' -o -name '*.sources' \) | LC_ALL=C sort)
	fi
	[ ${#files[@]} -gt 0 ] || return 1
	awk -v suites="$NEWER_SUITES" '
	function word(list, w) { return (" " list " ") ~ ("[ \t]" w "[ \t]") }
	function flush(  i) {
		if (n && !done && enabled && word(types, "deb") && word(stanza_suites, "bookworm") &&
		    uris !~ /-security/) {
			print "sources"
			for (i = 1; i <= n; i++) print out[i]
			done = 1
		}
		n = 0; types = stanza_suites = uris = cur = ""; enabled = 1
	}
	FNR == 1 { flush(); deb822 = FILENAME ~ /\.sources$/ }
	done { next }
	deb822 && /^[ \t]*#/ { next }
	deb822 && /^[ \t]*$/ { flush(); next }
	deb822 && /^[ \t]/ {			# continuation line
		if (cur == "suites") stanza_suites = stanza_suites " " $0
		else { if (cur == "uris") uris = uris " " $0; if (cur != "types") out[++n] = $0 }
		next
	}
	deb822 {
		cur = tolower($0); sub(/:.*/, "", cur)
		value = $0; sub(/^[^:]*:[ \t]*/, "", value)
		if (cur == "types") { types = value; out[++n] = "Types: deb"; next }
		if (cur == "suites") { stanza_suites = value; out[++n] = "Suites: " suites; next }
		if (cur == "uris") uris = value
		if (cur == "enabled") enabled = tolower(value) !~ /^(no|false)/
		out[++n] = $0
		next
	}
	{					# one-line: deb [options] uri suite components
		line = $0; sub(/^[ \t]+/, "", line); sub(/[ \t]*#.*/, "", line)
		nw = split(line, w, /[ \t]+/)
		if (w[1] != "deb") next
		i = 2; opts = ""
		if (w[2] ~ /^\[/) {
			while (i <= nw) { opts = opts (opts == "" ? "" : " ") w[i]; if (w[i++] ~ /\]$/) break }
			opts = opts " "
		}
		if (i + 1 > nw || w[i + 1] != "bookworm" || w[i] ~ /-security/) next
		comps = ""
		for (j = i + 2; j <= nw; j++) comps = comps " " w[j]
		print "list"
		ns = split(suites, s, " ")
		for (j = 1; j <= ns; j++) print "deb " opts w[i] " " s[j] comps
		done = 1
	}
	END { flush(); exit !done }' "${files[@]}"
}

# Make the private apt state current: the sources rewritten from the host's
# entry, and package lists younger than max_age_min.
private_apt_ready=
private_apt() {
	[ -z "$private_apt_ready" ] || return 0
	local entry fmt want
	entry=$(host_debian_entry) ||
		die "no Debian archive entry for bookworm in the host's apt sources (sources.list, sources.list.d)"
	fmt=${entry%%$'\n'*}
	want=$apt_dir/sources.list.d/debian.$fmt
	mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache"
	[ -e "$apt_dir/status" ] || : >"$apt_dir/status"
	(
		# One writer at a time: boots run concurrently from one tree.
		flock 9
		if [ "$(cat "$want" 2>/dev/null)" != "${entry#*$'\n'}" ]; then
			# A new mirror or format: the old lists describe another archive.
			rm -f "$apt_dir"/sources.list.d/* "$apt_dir/updated"
			printf '%s\n' "${entry#*$'\n'}" >"$want"
		fi
		if [ "${UG_APT_REFRESH:-0}" = 1 ] || [ ! -f "$apt_dir/updated" ] ||
			[ -n "$(find "$apt_dir/updated" -mmin +"$max_age_min")" ]; then
			echo "fetch-kernels: apt-get update of the private lists ($NEWER_SUITES)" >&2
			apt-get "${apt_opts[@]}" -q --error-on=any update >"$apt_dir/update.log" 2>&1 ||
				{ tail -n 20 "$apt_dir/update.log" >&2; die "apt-get update of $want failed"; }
			touch "$apt_dir/updated"
		fi
	) 9>"$apt_dir/lock"
	private_apt_ready=1
}

# Choose the packages of SERIES from the newer suites. Prints one line:
# "KERNEL_PKG=VERSION [MODULES_PKG=VERSION] [BASE_PKG=VERSION]".
# 6.18 and older: linux-image-REL-cloud-amd64 holds /boot/vmlinuz-* and the
# modules. Later kernels are split: linux-binary-REL (vmlinuz in
# usr/lib/modules/REL/), linux-modules-REL, and linux-base-REL (config,
# modules.builtin); linux-image-REL is then an empty meta-package.
choose_newer() {
	local s=$1 rels rel kpkg mpkg bpkg ver best='' best_ver='' line skipped=()
	rels=$(papt_cache search --names-only '^linux-(image|binary)-[0-9].*-cloud-amd64$' |
		sed -nE 's/^linux-(image|binary)-([0-9][^ ]*)-cloud-amd64 .*/\2/p' | sort -u)
	case "$s" in
	# Released kernels only: no release candidates (experimental's -rc).
	stable) rels=$(grep -v -i 'rc' <<<"$rels" || true) ;;
	*) rels=$(grep -E "^${s//./\\.}\\.[0-9]+\\+" <<<"$rels" || true) ;;
	esac
	[ -n "$rels" ] || die "$s: no linux-image or linux-binary cloud kernel in $NEWER_SUITES"
	# The newest version of every package that might make up each release,
	# in one call (a name may be in several suites).
	declare -A have=()
	while read -r name ver; do
		if [ -z "${have[$name]:-}" ] || dpkg --compare-versions "$ver" gt "${have[$name]}"; then
			have[$name]=$ver
		fi
	done < <(
		# shellcheck disable=SC2046 # one package name per word
		papt_cache madison $(for rel in $rels; do
			printf 'linux-%s-cloud-amd64\n' "image-$rel" "binary-$rel" "modules-$rel" "base-$rel"
		done) | awk -F' *[|] *' '{ sub(/^ +/, "", $1); print $1, $2 }')
	# linux-image packages that are only the meta-package of a split kernel.
	declare -A meta=()
	while read -r name; do meta[$name]=1; done < <(
		# shellcheck disable=SC2046 # one package name per word
		papt_cache show $(for rel in $rels; do
			[ -z "${have[linux-image-$rel-cloud-amd64]:-}" ] || echo "linux-image-$rel-cloud-amd64"
		done) | awk '/^Package:/ { p = $2 } /^Depends:.*linux-binary-/ { print p }')
	for rel in $rels; do
		kpkg=linux-binary-$rel-cloud-amd64
		mpkg=linux-modules-$rel-cloud-amd64
		if [ -z "${have[$kpkg]:-}" ]; then
			kpkg=linux-image-$rel-cloud-amd64
			mpkg=
		fi
		ver=${have[$kpkg]:-}
		[ -n "$ver" ] || continue
		# The archive keeps split kernels whose binary or modules are gone:
		# unusable.
		if [ -n "$mpkg" ] && [ -z "${have[$mpkg]:-}" ]; then
			skipped+=("$kpkg=$ver (no $mpkg)")
			continue
		fi
		if [ -n "${meta[$kpkg]:-}" ]; then
			skipped+=("$kpkg=$ver (no linux-binary-$rel-cloud-amd64)")
			continue
		fi
		if [ -z "$best" ] || dpkg --compare-versions "$ver" gt "$best_ver"; then
			best=$rel best_ver=$ver
			line="$kpkg=$ver"
			[ -z "$mpkg" ] || line+=" $mpkg=${have[$mpkg]}"
			bpkg=linux-base-$rel-cloud-amd64
			[ -z "${have[$bpkg]:-}" ] || line+=" $bpkg=${have[$bpkg]}"
		fi
	done
	[ -n "$best" ] || die "$s: no complete kernel (image and modules) in $NEWER_SUITES: ${skipped[*]}"
	for k in "${skipped[@]}"; do
		ver=${k#*=}
		if dpkg --compare-versions "${ver%% *}" gt "$best_ver"; then
			echo "fetch-kernels: $s: passing over newer ${k}" >&2
		fi
	done
	echo "$line"
}

# Unpack the .deb files in DIR into DIR/root and fill the cache entry DEST.
unpack() { # TMPDIR DEST PACKAGE_LINE
	local tmp=$1 dest=$2 line=$3 root=$1/root vmlinuz='' moddir='' rel config
	for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$root"; done
	# Modules: lib/modules (bookworm) or usr/lib/modules (merged /usr).
	for d in "$root"/lib/modules/* "$root"/usr/lib/modules/*; do
		[ -d "$d/kernel" ] || continue
		[ -z "$moddir" ] || die "$line: more than one modules tree: $moddir $d"
		moddir=$d
	done
	[ -n "$moddir" ] || die "$line: no modules (lib/modules/*/kernel) in the packages"
	rel=${moddir##*/}
	# The image: /boot/vmlinuz-REL (up to 6.18) or usr/lib/modules/REL/vmlinuz.
	for v in "$root/boot/vmlinuz-$rel" "$moddir/vmlinuz"; do
		[ -f "$v" ] && { vmlinuz=$v; break; }
	done
	[ -n "$vmlinuz" ] || die "$line: no vmlinuz for $rel (boot/vmlinuz-$rel, $moddir/vmlinuz)"
	config=
	for c in "$root/boot/config-$rel" "$moddir/config"; do
		[ -f "$c" ] && { config=$c; break; }
	done
	# The tests insert loop (ext4 images); mkinitramfs.sh takes it from
	# modules/kernel/drivers/block/ and tolerates its absence for a kernel
	# that builds it in. Make sure absence means exactly that.
	if ! ls "$moddir"/kernel/drivers/block/loop.ko* >/dev/null 2>&1 &&
		! grep -qs '^kernel/drivers/block/loop\.ko$' "$moddir/modules.builtin" &&
		! grep -qs '^CONFIG_BLK_DEV_LOOP=y$' "$config"; then
		die "$line: loop is neither a module in $moddir/kernel/drivers/block nor built in"
	fi
	rm -rf "$dest"
	mkdir -p "$dest"
	cp "$vmlinuz" "$dest/vmlinuz"
	[ -z "$config" ] || cp "$config" "$dest/config"
	rm -f "$moddir/vmlinuz" "$moddir/config" "$moddir/System.map"
	mv "$moddir" "$dest/modules"
	echo "$rel" >"$dest/version"
}

for s in "${series[@]}"; do
	dir=$cache/$s
	if meta=$(bookworm_meta "$s"); then
		pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
		[ -n "$pkg" ] || die "no package for $s: '$meta' unknown to apt (run apt-get update)"
		want=$pkg
		get=("$pkg")
		run_apt=(apt-get)
	else
		[[ "$s" = stable || "$s" =~ ^[0-9]+\.[0-9]+$ ]] ||
			die "unknown series '$s' (known: 6.1 6.12 stable, or MAJOR.MINOR such as 6.18)"
		private_apt
		line=$(choose_newer "$s")
		read -ra get <<<"$line"
		# What the cache records and the boots print: the kernel package and
		# its version (a rebuild under the same name is a new kernel too).
		want=${get[0]}
		echo "fetch-kernels: $s: $line" >&2
		run_apt=(apt-get "${apt_opts[@]}")
	fi
	if [ -f "$dir/package" ] && [ "$(cat "$dir/package")" = "$want" ] && [ -f "$dir/vmlinuz" ]; then
		continue
	fi
	echo "fetch-kernels: $s: downloading ${get[*]}"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && "${run_apt[@]}" download -q -o APT::Sandbox::User=root "${get[@]}" >/dev/null)
	unpack "$tmp" "$dir" "${get[*]}"
	echo "$want" >"$dir/package"
	rm -rf "$tmp"
	trap - EXIT
done
