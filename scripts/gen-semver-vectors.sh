#!/bin/sh
# Regenerates tests/semver/vectors.json from the real node-semver package.
#
# The vectors are node-semver's own answers (satisfies/validRange/valid/
# intersects/compare with {includePrerelease: true}) for the cases listed in
# gen-semver-vectors.mjs; tests/semver/semver_test.cpp checks our
# implementation against every one of them.
#
# Usage: scripts/gen-semver-vectors.sh [semver-version-spec]   (default: 7)
# Needs node and npm (the npm registry); writes nothing outside the repo but a
# temporary directory, which it removes.
set -eu
spec="${1:-7}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT INT TERM
npm install --silent --no-audit --no-fund --prefix "$tmp" "semver@$spec" >/dev/null
SEMVER_DIR="$tmp/node_modules/semver" node "$here/gen-semver-vectors.mjs" \
  > "$root/tests/semver/vectors.json.tmp"
mv "$root/tests/semver/vectors.json.tmp" "$root/tests/semver/vectors.json"
echo "wrote tests/semver/vectors.json" >&2
