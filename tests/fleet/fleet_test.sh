#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make fleet-test: the Ansible role (ansible/roles/usernsguard) rolls a
# policy out to a fleet of two Debian 12 systemd guests over ssh, as an
# operator would, and every host's state is then read back over ssh:
#  1. a policy (policy.conf and two drop-ins) reaches both hosts: each
#     reports a new generation and the SHA-256 of what was sent;
#  2. a broken one (a drop-in exempting a binary only one host has) is
#     stopped by validation on that host, and no host changes: same
#     generation, same files;
#  3. the fix reaches both.
# The guests boot Debian's own kernel (UG_FLEET_SERIES, default 6.12) under
# QEMU with user-mode networking; each one's sshd is forwarded to a port
# of 127.0.0.1 only. Their root is the minbase root of `make pkg-test`
# plus systemd, openssh-server and python3 from Debian; the role installs
# the .deb built here.
# Needs root (debootstrap, chroot), QEMU, ansible-core and ssh.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
series=${UG_FLEET_SERIES:-6.12}
cache=${UG_PKG_CACHE:-$top/.cache/pkg}
passed=0
failed=0

if [ "$(id -u)" -ne 0 ]; then
	echo "fleet-test: needs root (debootstrap, chroot, apt in the chroot)" >&2
	exit 1
fi
for tool in dpkg-buildpackage debootstrap qemu-system-x86_64 cpio ansible-playbook ssh ssh-keygen; do
	command -v "$tool" >/dev/null ||
		{ echo "fleet-test: $tool is missing: run scripts/install-deps.sh" >&2; exit 1; }
done

work=$(mktemp -d /tmp/ug-fleet-test.XXXXXX)
root=$work/root
pids=()
cleanup() {
	local pid
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	if mountpoint -q "$root/proc" 2>/dev/null; then umount "$root/proc"; fi
	[ -n "${UG_FLEET_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }
expect_eq() { # NAME WANT GOT
	if [ "$2" == "$3" ]; then ok "$1"; else fail "$1" "$(printf 'want:\n%s\ngot:\n%s' "$2" "$3")"; fi
}

echo "== the .deb (dpkg-buildpackage -b of the tracked files, as staged)"
t0=$SECONDS
src=$work/src
mkdir -p "$src"
git -C "$top" checkout-index -a --prefix="$src/"
version=$(cd "$src" && dpkg-parsechangelog -S Version)
deb=$work/usernsguard_${version}_amd64.deb
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 ||
	{ tail -n 40 "$work/build.log"; echo "fleet-test: dpkg-buildpackage failed" >&2; exit 1; }
echo "     built $(basename "$deb"): $((SECONDS - t0))s"

echo "== the fleet's root: minbase + systemd, openssh-server, python3 and the package's dependencies"
t0=$SECONDS
tarball=$("$top/tests/pkg/minbase.sh" "$cache")
mkdir -p "$root"
tar -C "$root" -xzf "$tarball"
# What the package depends on is installed here, so that the role's
# `apt: deb=` needs no network in the guest; the package itself is not.
depends=$(dpkg-deb -f "$deb" Depends)
mount -t proc proc "$root/proc"
chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive sh -c "
	apt-get update -qq &&
	apt-get install -y -qq --no-install-recommends systemd systemd-sysv openssh-server \
		python3 python3-apt kmod iproute2 &&
	apt-get satisfy -y -qq --no-install-recommends '$depends'" \
	>"$work/apt.log" 2>&1 || { tail -n 30 "$work/apt.log" >&2; exit 1; }
umount "$root/proc"
expect_eq "the fleet root has no usernsguard before the role runs" "absent" \
	"$([ -e "$root/usr/sbin/usernsguard" ] && echo present || echo absent)"

# The controller's key, for root (sshd's default: keys only).
ssh-keygen -q -t ed25519 -N '' -f "$work/id" -C fleet-test
install -d -m 0700 "$root/root/.ssh"
install -m 0600 "$work/id.pub" "$root/root/.ssh/authorized_keys"

# The network: virtio-net (a module in Debian's cloud kernels) and the
# address QEMU's user-mode network forwards to (10.0.2.15, gateway
# 10.0.2.2), set before sshd starts. Static: minbase has no udev, which
# systemd-networkd would wait for.
kdir=${UG_KERNEL_CACHE:-$top/.cache/kernels}/$series
"$top/scripts/fetch-kernels.sh" "$series" >&2
mkdir -p "$root/usr/lib/ug-modules"
for m in net/core/failover drivers/net/net_failover drivers/net/virtio_net; do
	f=$(ls "$kdir/modules/kernel/$m.ko"* | head -n 1)
	case "$f" in
	*.xz) xz -dc "$f" >"$root/usr/lib/ug-modules/${m##*/}.ko" ;;
	*.zst) zstd -qdc "$f" >"$root/usr/lib/ug-modules/${m##*/}.ko" ;;
	*) cp "$f" "$root/usr/lib/ug-modules/${m##*/}.ko" ;;
	esac
done
cat >"$root/etc/systemd/system/ug-net.service" <<'EOF'
[Unit]
Description=virtio-net and QEMU's user-mode address for the fleet test
DefaultDependencies=no
Before=network.target ssh.service
Wants=network.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -ec 'for m in failover net_failover virtio_net; do insmod /usr/lib/ug-modules/$m.ko; done; \
	ip link set lo up; ip link set eth0 up; ip addr add 10.0.2.15/24 dev eth0; \
	ip route add default via 10.0.2.2'

[Install]
WantedBy=multi-user.target
EOF
ln -s /etc/systemd/system/ug-net.service "$root/etc/systemd/system/multi-user.target.wants/"
ln -sf /dev/null "$root/etc/systemd/system/serial-getty@ttyS0.service"
ln -sf /dev/null "$root/etc/systemd/system/getty@tty1.service"
echo fleet >"$root/etc/hostname"
rm -rf "$root"/usr/share/man/* "$root"/usr/share/locale/* "$root"/var/lib/apt/lists/* \
	"$root"/var/cache/apt/*.bin
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$work/initrd.gz"
echo "     fleet initramfs: $((SECONDS - t0))s"

# A free port of 127.0.0.1 for each guest's sshd.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

hosts=(alpha beta)
files1=()
declare -A port
echo "== two guests ($series, one vCPU each, TCG)"
t0=$SECONDS
for h in "${hosts[@]}"; do
	port[$h]=$(free_port)
	qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m 1536 \
		-nographic -no-reboot -monitor none -serial "file:$work/console-$h.log" \
		-kernel "$kdir/vmlinuz" -initrd "$work/initrd.gz" \
		-netdev "user,id=n0,hostname=$h,hostfwd=tcp:127.0.0.1:${port[$h]}-:22" \
		-device virtio-net-pci,netdev=n0 \
		-append "console=ttyS0 rdinit=/sbin/init panic=-1 oops=panic loglevel=4 systemd.show_status=1 systemd.hostname=$h" \
		</dev/null >"$work/qemu-$h.log" 2>&1 &
	pids+=($!)
done

ssh_opts=(-i "$work/id" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
	-o LogLevel=ERROR -o ConnectTimeout=20)
on() { # HOST COMMAND: run COMMAND as root on HOST
	local h=$1
	shift
	ssh "${ssh_opts[@]}" -p "${port[$h]}" root@127.0.0.1 "$@"
}
for h in "${hosts[@]}"; do
	deadline=$((SECONDS + ${UG_FLEET_BOOT_DEADLINE:-600}))
	until on "$h" true 2>/dev/null; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "fleet-test: $h: no ssh after ${UG_FLEET_BOOT_DEADLINE:-600}s; console tail:" >&2
			tail -n 40 "$work/console-$h.log" >&2
			exit 1
		fi
		sleep 5
	done
done
ok "both guests answer ssh on 127.0.0.1 ($((SECONDS - t0))s)"
expect_eq "BPF LSM on both guests" "bpf bpf" \
	"$(for h in "${hosts[@]}"; do on "$h" 'grep -o bpf /sys/kernel/security/lsm'; done | xargs)"

cat >"$work/inventory.ini" <<EOF
[fleet]
alpha ansible_host=127.0.0.1 ansible_port=${port[alpha]}
beta ansible_host=127.0.0.1 ansible_port=${port[beta]}

[fleet:vars]
ansible_user=root
ansible_python_interpreter=/usr/bin/python3
ansible_ssh_private_key_file=$work/id
ansible_ssh_common_args=-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=60
EOF
export ANSIBLE_ROLES_PATH=$top/ansible/roles ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 \
	ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_TIMEOUT=120 \
	ANSIBLE_LOCAL_TEMP=$work/ansible-local
play() { # VARS_FILE: roll out; the output is kept in $work/play.log
	ansible-playbook -i "$work/inventory.ini" -e "usernsguard_deb=$deb" -e "@$1" \
		"$top/ansible/site.yml" >"$work/play.log" 2>&1
}
# HOST: "generation SHA" as status reports them
state() {
	on "$1" usernsguard status | sed -n -E 's/^sha256: +([0-9a-f]+)$/\1/p; s/.*\(generation ([0-9]+),.*/\1/p' |
		tac | xargs
}
# HOST: the policy files' SHA-256 on disk, in merge order
files_sha() {
	on "$1" 'cd /etc/usernsguard && sha256sum policy.conf $(LC_ALL=C ls policy.d/*.conf 2>/dev/null)'
}
# VARS_FILE: what status must show, hashed here from the texts sent
expected_sha() {
	python3 - "$1" <<'EOF'
import hashlib, sys, yaml
v = yaml.safe_load(open(sys.argv[1]))
h = lambda t: hashlib.sha256(t.encode()).hexdigest()
d = "/etc/usernsguard"
names = sorted((k + ".conf" for k in v.get("usernsguard_dropins", {})), key=lambda s: s.encode())
if not names:
    print(h(v["usernsguard_policy"]))
else:
    m = f"{h(v['usernsguard_policy'])}  {d}/policy.conf\n"
    for n in names:
        m += f"{h(v['usernsguard_dropins'][n[:-5]])}  {d}/policy.d/{n}\n"
    print(h(m))
EOF
}

# A binary only alpha has: the broken rollout exempts it, and beta's
# validation (which resolves exec paths as load does) refuses it.
on alpha 'cp /bin/true /usr/local/bin/fleet-tool'

cp "$top/tests/fleet/v1.yml" "$top/tests/fleet/v2-broken.yml" "$top/tests/fleet/v3.yml" "$work/"

echo "== 1. roll out v1 (policy.conf and two drop-ins)"
t0=$SECONDS
rc=0
play "$work/v1.yml" || rc=$?
expect_eq "ansible-playbook v1: exit 0 ($((SECONDS - t0))s)" 0 "$rc"
[ "$rc" -eq 0 ] || sed 's/^/     /' "$work/play.log" | tail -n 60
want=$(expected_sha "$work/v1.yml")
for h in "${hosts[@]}"; do
	st=$(state "$h")
	expect_eq "$h: status after v1: the SHA-256 of what was sent" "$want" "${st#* }"
	eval "gen1_$h=\${st%% *}"
	files1[${#files1[@]}]=$(files_sha "$h")
done
expect_eq "both hosts run the same policy generation count (a first load, then one reload)" \
	"$gen1_alpha" "$gen1_beta"
expect_eq "the play ran the validation on both hosts" 2 \
	"$(grep -cE '^ok: \[(alpha|beta)\]' <(sed -n '/Validate the whole candidate/,/^$/p' "$work/play.log"))"
expect_eq "v1: the drop-ins are in /etc/usernsguard/policy.d on alpha" \
	"$(printf '%s\n' 10-exempt.conf 20-marks.conf)" "$(on alpha 'ls /etc/usernsguard/policy.d')"

echo "== 2. roll out v2 (broken on beta only: exempts a binary beta lacks)"
t0=$SECONDS
rc=0
play "$work/v2-broken.yml" || rc=$?
expect_eq "ansible-playbook v2: fails ($((SECONDS - t0))s)" 2 "$rc"
if grep -qF "exec '/usr/local/bin/fleet-tool'" "$work/play.log" &&
	grep -qE 'fatal: \[beta\].*Validate|FAILED.*beta|fatal: \[beta\]' "$work/play.log"; then
	ok "v2: beta's validation names the drop-in's exec path"
else
	fail "v2: beta's validation names the drop-in's exec path" "$(tail -n 40 "$work/play.log")"
fi
expect_eq "v2: no task wrote policy.conf on any host" "" \
	"$(grep -A3 'TASK \[usernsguard : policy.conf\]' "$work/play.log" | grep -E '^(changed|ok):' || true)"
i=0
for h in "${hosts[@]}"; do
	st=$(state "$h")
	eval "g=\$gen1_$h"
	expect_eq "$h: after the refused v2: generation and SHA-256 unchanged" "$g $want" "$st"
	expect_eq "$h: after the refused v2: the files on disk unchanged" "${files1[$i]}" "$(files_sha "$h")"
	i=$((i + 1))
done

echo "== 3. roll out v3 (the fix)"
t0=$SECONDS
rc=0
play "$work/v3.yml" || rc=$?
expect_eq "ansible-playbook v3: exit 0 ($((SECONDS - t0))s)" 0 "$rc"
[ "$rc" -eq 0 ] || sed 's/^/     /' "$work/play.log" | tail -n 60
want3=$(expected_sha "$work/v3.yml")
for h in "${hosts[@]}"; do
	st=$(state "$h")
	eval "g=\$gen1_$h"
	expect_eq "$h: status after v3: generation $((g + 1)) and the SHA-256 of what was sent" \
		"$((g + 1)) $want3" "$st"
done
expect_eq "v3: the drop-in v3 no longer lists was removed (exclusive)" \
	"$(printf '%s\n' 10-exempt.conf 30-scope.conf)" "$(on beta 'ls /etc/usernsguard/policy.d')"
expect_eq "v3: the rule the new drop-in scopes is in force on beta" "most-restrictive enforce scope some" \
	"$(on beta usernsguard status | awk '$1 == "most-restrictive" { print $1, $2, $3, $4 }')"

echo "== 4. the same roll-out again changes nothing"
rc=0
play "$work/v3.yml" || rc=$?
expect_eq "ansible-playbook v3 again: exit 0" 0 "$rc"
expect_eq "the second run reports no change on either host" "changed=0 changed=0" \
	"$(sed -n -E 's/^(alpha|beta) +:.*(changed=[0-9]+).*/\2/p' "$work/play.log" | xargs)"
for h in "${hosts[@]}"; do
	st=$(state "$h")
	eval "g=\$gen1_$h"
	expect_eq "$h: no reload without a change" "$((g + 1)) $want3" "$st"
done

for h in "${hosts[@]}"; do on "$h" 'systemctl poweroff' >/dev/null 2>&1 || true; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
