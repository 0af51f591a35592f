#!/usr/bin/env python3
"""Generates big YAML lockfiles for the YAML reader throughput figures
(docs: yaml_fast.h; measured by YamlFast.DISABLED_Throughput):

  OUT/pnpm-lock.yaml   a pnpm 9 lockfile of about MB megabytes
  OUT/yarn.lock        a yarn berry (v4) lockfile of about MB megabytes

Both are the real fixtures (tests/lockfile/testdata) with their package
entries replicated under renamed packages (name -> name-cN), so every line
has the shape the real tools write: quoted and plain keys, flow mappings
with integrity hashes, flow sequences, block sequences, comments.

  python3 bench/gen_yaml_lockfiles.py /tmp/yaml-bench --mb 30
"""
import argparse, os, re

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--mb", type=int, default=30)
a = ap.parse_args()
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lockfile", "testdata")


def renamer(names):
    # A package name as a whole token: not inside a longer name or a path.
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    pat = re.compile(r"(?<![\w@/.-])(" + alt + r")(?=[@:])")
    return lambda text, n: pat.sub(lambda m: m.group(1) + f"-c{n}", text)


def grow(head, body, tail, names, target):
    rename = renamer(names)
    out = [head, body]
    size, n = len(head) + len(body) + len(tail), 0
    while size < target:
        n += 1
        copy = rename(body, n)
        out.append(copy)
        size += len(copy)
    out.append(tail)
    return "".join(out), n


def pnpm(target):
    text = open(os.path.join(root, "pnpm", "app-pnpm9.pnpm-lock.yaml")).read()
    p = text.index("\npackages:\n") + 1
    s = text.index("\nsnapshots:\n") + 1
    head, packages, snapshots = text[:p], text[p:s], text[s:]
    names = set()
    for m in re.finditer(r"^  '?(@?[^@'\s]+)@", packages, re.M):
        names.add(m.group(1))
    # Each top-level section appears once (a YAML mapping has unique keys),
    # so the two sections grow separately, to half the target each.
    pk_body = packages[len("packages:\n"):]
    sn_body = snapshots[len("snapshots:\n"):]
    half = (target - len(head)) // 2
    pk, n = grow("packages:\n", pk_body, "", names, half)
    sn, _ = grow("snapshots:\n", sn_body, "", names, half)
    return head + pk + sn, n


def berry(target):
    text = open(os.path.join(root, "yarn-berry", "app-yarn4.yarn.lock")).read()
    first = text.index('\n"') + 1
    head, body = text[:first], text[first:]
    names = set(m.group(1) for m in re.finditer(r'^"(@?[^@"]+)@', body, re.M))
    return grow(head, body, "", names, target)


os.makedirs(a.out, exist_ok=True)
target = a.mb * 1024 * 1024
for fname, gen in (("pnpm-lock.yaml", pnpm), ("yarn.lock", berry)):
    data, copies = gen(target)
    with open(os.path.join(a.out, fname), "w") as f:
        f.write(data)
    print(f"{a.out}/{fname}: {len(data) / 1e6:.1f} MB, {copies} renamed copies")
