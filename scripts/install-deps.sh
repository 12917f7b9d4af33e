#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Install every Debian package the build, the tests and the demo need.
# Debian 12 (bookworm). Run as root. Why each one is needed: README.md.
set -euo pipefail

packages=(
	make gcc pkg-config file         # userspace build
	clang llvm                       # BPF compiler, llvm-strip
	libclang-rt-14-dev               # libFuzzer and sanitizer runtimes
	bpftool                          # skeleton generation, vmlinux.h
	libbpf-dev libelf-dev zlib1g-dev # BPF loader library and its dependencies
	libmd-dev                        # SHA-256 of the policy file
	libjson-c-dev                    # JSON event lines
	libsystemd-dev                   # events --output journal (sd-journal)
	libcriterion-dev                 # unit tests
	liburing-dev                     # guest test: io_uring through idmapped mounts
	qemu-system-x86                  # guest tests (software emulation)
	busybox-static cpio xz-utils     # guest initramfs
	prometheus                       # promtool: lints status --format prometheus (19 MB .deb)
	dpkg-dev debhelper fakeroot      # make pkg-test: build the .deb
	lintian blhc                     # make pkg-test: package checks, hardening flags
	debootstrap                      # make pkg-test: clean Debian 12 chroot
	systemd                          # make pkg-test: systemd-analyze verify
	ansible-core openssh-client      # make fleet-test: the Ansible role over ssh
	yamllint python3-yaml            # CLI tests: the Kubernetes manifests
)

export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: run as root (sudo $0)" >&2
	exit 1
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# Only promtool is wanted from the prometheus package: a developer's host
# running systemd must not keep a Prometheus server listening on :9090.
if [ -d /run/systemd/system ]; then
	systemctl disable --now prometheus.service >/dev/null 2>&1 || true
fi
echo "install-deps: ${#packages[@]} packages present"
