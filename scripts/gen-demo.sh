#!/usr/bin/env bash
# Regenerates examples/demo-app and examples/runbook/ from lockfiles written by
# the real npm client (needs the npm registry; never runs package code).
#
# The compromised releases (axios 1.14.1, plain-crypto-js 4.2.1; the runbook's
# hypothetical example-utils 2.3.1) are no longer — or never were — on the
# registry, so npm cannot install them today. We let npm resolve the last good
# release and then rewrite the lockfile to the state it had during the attack
# window: the affected version, and the dropper as a dependency of it. The
# file stays exactly npm's format (v3), which is what the scanner must read.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

npm_lock() {  # dir
  (cd "$1" && npm install --package-lock-only --ignore-scripts --no-audit --no-fund >/dev/null)
}

# --- demo-app: axios hijack (SSC-2025-001 in rules/) --------------------------
mkdir -p "$tmp/demo"
cat > "$tmp/demo/package.json" <<'JSON'
{
  "name": "demo-app",
  "version": "1.0.0",
  "private": true,
  "description": "A small web service, as its lockfile stood on the day axios 1.14.1 was published by the attacker.",
  "dependencies": {
    "axios": "1.14.0",
    "debug": "^4.4.0",
    "express": "^4.21.2"
  },
  "devDependencies": {
    "typescript": "^5.7.0"
  }
}
JSON
npm_lock "$tmp/demo"
python3 - "$tmp/demo" <<'PY'
import json, sys, collections
d = sys.argv[1]
lock = json.load(open(f"{d}/package-lock.json"), object_pairs_hook=collections.OrderedDict)
pj = json.load(open(f"{d}/package.json"), object_pairs_hook=collections.OrderedDict)
pkgs = lock["packages"]
pj["dependencies"]["axios"] = "^1.14.0"
pkgs[""]["dependencies"]["axios"] = "^1.14.0"
ax = pkgs["node_modules/axios"]
ax["version"] = "1.14.1"
ax.pop("integrity", None); ax.pop("resolved", None)
ax.setdefault("dependencies", collections.OrderedDict())["plain-crypto-js"] = "^4.2.0"
items = list(pkgs.items())
items.append(("node_modules/plain-crypto-js", collections.OrderedDict(
    [("version", "4.2.1"), ("hasInstallScript", True), ("license", "MIT")])))
lock["packages"] = collections.OrderedDict(sorted(items, key=lambda kv: kv[0]))
json.dump(lock, open(f"{d}/package-lock.json", "w"), indent=2); open(f"{d}/package-lock.json", "a").write("\n")
json.dump(pj, open(f"{d}/package.json", "w"), indent=2); open(f"{d}/package.json", "a").write("\n")
PY
mkdir -p "$root/examples/demo-app"
cp "$tmp/demo/package.json" "$tmp/demo/package-lock.json" "$root/examples/demo-app/"

# --- runbook: example-utils 2.3.1 affected, 2.3.0 clean -----------------------
# example-utils is the runbook's hypothetical package; we take a real npm
# lockfile of a small app and add it at 2.3.1 (affected) or 2.3.0 (clean).
mkdir -p "$tmp/rb"
cat > "$tmp/rb/package.json" <<'JSON'
{ "name": "runbook-app", "version": "1.0.0", "private": true,
  "dependencies": { "chalk": "^4.1.2", "ms": "^2.1.3" } }
JSON
npm_lock "$tmp/rb"
python3 - "$tmp/rb" "$root/examples/runbook/test" <<'PY'
import json, sys, collections, os
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
for name, ver in (("affected-lockfile.json", "2.3.1"), ("clean-lockfile.json", "2.3.0")):
    lock = json.load(open(f"{src}/package-lock.json"), object_pairs_hook=collections.OrderedDict)
    lock["name"] = "runbook-app"
    lock["packages"][""]["dependencies"]["example-utils"] = "^2.3.0"
    items = list(lock["packages"].items()) + [("node_modules/example-utils",
        collections.OrderedDict([("version", ver), ("license", "MIT")]))]
    lock["packages"] = collections.OrderedDict(sorted(items, key=lambda kv: kv[0]))
    with open(f"{out}/{name}", "w") as f:
        json.dump(lock, f, indent=2); f.write("\n")
PY
echo "regenerated examples/demo-app and examples/runbook/test with npm $(npm --version)"
