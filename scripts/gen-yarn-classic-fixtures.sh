#!/usr/bin/env bash
# Regenerates the yarn.lock (classic, v1) fixtures under
# tests/lockfile/testdata/yarn-classic/ with the REAL yarn 1, for the same
# projects as scripts/gen-npm-fixtures.sh (its make_app / make_monorepo and
# the local bare git repository are reused, not copied).
#
# yarn 1 has no lockfile-only mode (and `--frozen-lockfile=false` is read as
# `install false`, which yarn 1 rejects), so each project is installed into a
# throw-away directory with --ignore-scripts (no package code runs; packages
# are only unpacked) and a private cache folder. Needs the npm registry.
#
# Ground truth: expected-<name>.txt is the reference parser's reading of each
# lockfile (@yarnpkg/lockfile, installed into a temp dir), reduced by
# scripts/fixtures/yarn-classic-expected.js to sorted "name@version" lines
# with aliases resolved to the real package name.
#
# Usage: scripts/gen-yarn-classic-fixtures.sh            (from anywhere)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/tests/lockfile/testdata/yarn-classic
YARN_PKG=${YARN_PKG:-yarn@1.22.22}
# The same fixed dir as the npm script: the git URL in the lockfile is then
# git+file:///tmp/gv-npm-fixtures/git/tiny-git.git in both fixture sets.
WORK=/tmp/gv-npm-fixtures
REF=/tmp/gv-yarn-classic-ref
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
export YARN_IGNORE_PATH=1 YARN_ENABLE_TELEMETRY=0 YARN_CACHE_FOLDER=/tmp/gv-yarn-classic-cache

# The fixture projects (shared by every gen-*-fixtures.sh).
# shellcheck source=fixtures/projects.sh
source "$ROOT/scripts/fixtures/projects.sh"

log() { printf '== %s\n' "$*" >&2; }
yarn1() { npx -y "$YARN_PKG" "$@"; }

rm -rf "$WORK" "$REF"
mkdir -p "$WORK" "$OUT" "$REF"
make_git_dep

log "reference parser @yarnpkg/lockfile"
(cd "$REF" && npm init -y >/dev/null && npm install --ignore-scripts @yarnpkg/lockfile >/dev/null)
(cd "$REF" && node -p 'require("@yarnpkg/lockfile/package.json").version') >"$OUT/reference-version.txt"

install() {  # install <dir> <fixture name>
  local dir=$1 name=$2
  (cd "$dir" && yarn1 install --ignore-scripts --no-progress --non-interactive --ignore-engines \
     >"$WORK/yarn-$name.log" 2>&1) || { tail -30 "$WORK/yarn-$name.log" >&2; exit 1; }
  cp "$dir/yarn.lock" "$OUT/$name.yarn.lock"
  node "$ROOT/scripts/fixtures/yarn-classic-expected.js" "$REF" "$OUT/$name.yarn.lock" >"$OUT/expected-$name.txt"
  log "wrote $OUT/$name.yarn.lock ($(wc -c <"$OUT/$name.yarn.lock") bytes, $(wc -l <"$OUT/expected-$name.txt") packages)"
}

yarn1 --version >"$OUT/yarn-version.txt"
log "yarn $(cat "$OUT/yarn-version.txt")"

make_app "$WORK/yarn-app"
install "$WORK/yarn-app" app
make_monorepo "$WORK/yarn-mono"
install "$WORK/yarn-mono" monorepo
cp "$WORK/yarn-app/package.json" "$OUT/app.package.json"
cp "$WORK/yarn-mono/package.json" "$OUT/monorepo.package.json"
for m in app util; do cp "$WORK/yarn-mono/packages/$m/package.json" "$OUT/monorepo-$m.package.json"; done
rm -rf "$WORK"/yarn-app/node_modules "$WORK"/yarn-mono/node_modules
log "done"
