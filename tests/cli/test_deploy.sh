#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The fleet files, checked on the build host with what Debian offers (no
# cluster runs here; `make fleet-test` runs the Ansible role for real):
# yamllint on the manifest and the role, the manifest's structure
# (tests/cli/check_manifests.py) with a twin for each property, the
# ConfigMap's policy through `usernsguard check` (drop-ins merged), and
# ansible-playbook --syntax-check of the playbook.
# Usage: tests/cli/test_deploy.sh BINARY
set -u
bin=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
manifest=$top/deploy/kubernetes/usernsguard.yaml
# shellcheck source=tests/cli/expect.sh
. "$(dirname "$0")/expect.sh"

lint='{extends: default, rules: {line-length: {max: 110}, document-start: disable, truthy: {check-keys: false}}}'
expect "yamllint: the Kubernetes manifest" 0 "" yamllint -s -d "$lint" "$manifest"
expect "yamllint: the Ansible role and playbook" 0 "" yamllint -s -d "$lint" "$top/ansible"
expect "yamllint twin: a tab in the manifest is an error" 1 "syntax error" \
	yamllint -s -d "$lint" <(sed '0,/^  name: usernsguard$/s//\tname: usernsguard/' "$manifest")

expect "manifest: objects, links, check before load, nothing unloads" 0 "" \
	"$top/tests/cli/check_manifests.py" "$manifest" "$tmp/cm"
twin() { # NAME WANT_TEXT SED_SCRIPT: the manifest changed so, refused naming it
	sed "$3" "$manifest" >"$tmp/twin.yaml"
	expect "manifest twin: $1" 1 "$2" "$top/tests/cli/check_manifests.py" "$tmp/twin.yaml" "$tmp/twin"
}
twin "load before check" "must run \`usernsguard check\` before" \
	's|usernsguard check /var|usernsguard status /var|'
twin "a preStop hook that unloads" "'unload' found" \
	's|^          securityContext:$|          lifecycle: {preStop: {exec: {command: [usernsguard, unload]}}}\n&|'
twin "no hostPID" "hostPID is needed" 's|hostPID: true|hostPID: false|'
twin "the wrong ConfigMap" "not the ConfigMap" '/configMap:/{n;s|name: usernsguard-policy|name: other|}'
twin "events not followed" "events --follow --wait" 's|- --follow|- --once|'

expect "the ConfigMap's policy and drop-in pass usernsguard check" 0 ": ok: 3 rules on" \
	"$bin" check "$tmp/cm/policy.conf"
expect "the ConfigMap held one drop-in, merged by check" 0 "" test -f "$tmp/cm/policy.d/10-kubelet.conf"

expect "ansible-playbook --syntax-check ansible/site.yml" 0 "playbook: " \
	env ANSIBLE_ROLES_PATH="$top/ansible/roles" ANSIBLE_LOCAL_TEMP="$tmp/ansible" \
	ansible-playbook --syntax-check -i localhost, "$top/ansible/site.yml"
expect "the role validates every file it writes with usernsguard check" 0 "" \
	test "$(grep -c 'validate: usernsguard check --as' "$top/ansible/roles/usernsguard/tasks/main.yml")" -eq 2

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
