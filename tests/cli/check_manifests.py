#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""What deploy/kubernetes/usernsguard.yaml must keep, checked without a
cluster (none runs here): the objects and their links, validate before
load, nothing that unloads when the pod stops, events to stdout. Writes
the ConfigMap's files to OUT_DIR (policy.conf, policy.d/*.conf) so the
caller can run `usernsguard check` on them.
Usage: check_manifests.py MANIFEST OUT_DIR   (exit 1 and a line per problem)"""
import os
import sys

import yaml


def problems(docs):
    kinds = {d.get("kind"): d for d in docs if d}
    for kind in ("Namespace", "ConfigMap", "DaemonSet"):
        if kind not in kinds:
            yield f"no {kind}"
    if len(kinds) != 3:
        return
    ns = kinds["Namespace"]["metadata"]["name"]
    cm, ds = kinds["ConfigMap"], kinds["DaemonSet"]
    for obj in (cm, ds):
        if obj["metadata"].get("namespace") != ns:
            yield f"{obj['kind']} is not in namespace {ns}"
    if "policy.conf" not in cm.get("data", {}):
        yield "the ConfigMap has no policy.conf"
    spec = ds["spec"]["template"]["spec"]
    if ds["spec"]["selector"]["matchLabels"] != ds["spec"]["template"]["metadata"]["labels"]:
        yield "the selector does not match the pod's labels"
    if not spec.get("hostPID"):
        yield "hostPID is needed to enter the node's mount namespace"
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    if vols.get("policy", {}).get("configMap", {}).get("name") != cm["metadata"]["name"]:
        yield "the policy volume is not the ConfigMap"
    if vols.get("state", {}).get("hostPath", {}).get("path") != "/var/lib/usernsguard":
        yield "the state volume is not the node's /var/lib/usernsguard"
    inits = spec.get("initContainers", [])
    if len(inits) != 1:
        yield "expected one init container (validate, then load)"
        return
    script = "\n".join(inits[0]["command"])
    check = script.find("usernsguard check ")
    load = script.find("usernsguard load ")
    if check < 0 or load < 0 or check > load:
        yield "the init container must run `usernsguard check` before `usernsguard load`"
    if "-e" not in inits[0]["command"][1]:
        yield "the init script must stop at the first failure (sh -e)"
    everything = yaml.safe_dump_all(docs)
    for word in ("unload", "preStop", "postStop"):
        if word in everything:
            yield f"'{word}' found: enforcement must outlive the pod"
    main = spec.get("containers", [])
    if len(main) != 1 or main[0]["command"][-3:] != ["events", "--follow", "--wait"]:
        yield "the main container must run `events --follow --wait` (stdout)"
    images = {c["image"] for c in inits + main}
    if len(images) != 1:
        yield f"init and main containers run different images: {sorted(images)}"
    for c in inits + main:
        if not c.get("securityContext", {}).get("privileged"):
            yield f"container {c['name']} is not privileged (BPF, nsenter)"


def main():
    manifest, out = sys.argv[1], sys.argv[2]
    with open(manifest) as f:
        docs = list(yaml.safe_load_all(f))
    found = list(problems(docs))
    for p in found:
        print(f"{manifest}: {p}")
    if found:
        return 1
    data = next(d for d in docs if d and d["kind"] == "ConfigMap")["data"]
    os.makedirs(os.path.join(out, "policy.d"), exist_ok=True)
    for name, text in data.items():
        path = os.path.join(out, name if name == "policy.conf" else os.path.join("policy.d", name))
        with open(path, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
