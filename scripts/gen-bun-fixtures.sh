#!/usr/bin/env bash
# Regenerates the bun.lock fixtures under tests/lockfile/testdata/bun/ with the
# REAL bun, so the parser is tested against what bun actually writes.
#
# bun comes from the npm registry: `npm install bun --ignore-scripts` fetches
# the platform binary as the optional dependency @oven/bun-linux-x64 (no
# postinstall is needed: the binary is usable as shipped). Every project is
# installed with `bun install --lockfile-only --ignore-scripts`: no package
# code runs.
#
# Projects: the same realistic app and workspace monorepo as
# scripts/gen-npm-fixtures.sh (git dependency = a local bare repository).
#
# Ground truth: bun publishes no reference parser, so expected-<name>.txt is
# bun's own reading of the lockfile: `bun pm ls --all` (it reads bun.lock;
# scripts/fixtures/bun-expected-from-ls.js turns its tree into sorted unique
# "name@version", aliases resolved to the real package name, workspace
# members and links left out).
#
# Usage: scripts/gen-bun-fixtures.sh            (from anywhere)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/tests/lockfile/testdata/bun
# A fixed work dir so the git URL recorded in the lockfiles is stable.
WORK=/tmp/gv-bun-fixtures
BUN_VERSION=${BUN_VERSION:-latest}
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
export BUN_INSTALL_CACHE_DIR=$WORK/cache DO_NOT_TRACK=1

rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"

log() { printf '== %s\n' "$*" >&2; }

# --- bun itself ---------------------------------------------------------------
npm install --prefix "$WORK/tool" --ignore-scripts --no-save "bun@$BUN_VERSION" >/dev/null
BUN=$(ls "$WORK"/tool/node_modules/@oven/bun-linux-x64*/bin/bun | head -1)
"$BUN" --version >"$OUT/bun-version.txt"
log "bun $(cat "$OUT/bun-version.txt") at $BUN"

# --- the fixture projects (shared by every gen-*-fixtures.sh) -----------------
# shellcheck source=fixtures/projects.sh
source "$ROOT/scripts/fixtures/projects.sh"

expected() {  # expected <dir> <name>
  (cd "$1" && "$BUN" pm ls --all) >"$WORK/ls-$2.txt"
  # The project's own package.json files tell the converter which folder
  # names are npm: aliases.
  node "$ROOT/scripts/fixtures/bun-expected-from-ls.js" "$WORK/ls-$2.txt" \
    $(find "$1" -name package.json -not -path '*/node_modules/*') >"$OUT/expected-$2.txt"
}

copy_lock() {  # copy_lock <dir> <fixture name>
  cp "$1/bun.lock" "$OUT/$2"
  cp "$1/package.json" "$OUT/${2%.bun.lock}.package.json"
  log "wrote $OUT/$2 ($(wc -c <"$OUT/$2") bytes)"
}

make_git_dep

log "app"
make_app "$WORK/app"
(cd "$WORK/app" && "$BUN" install --lockfile-only --ignore-scripts >"$WORK/app.log" 2>&1) || {
  tail -20 "$WORK/app.log" >&2; exit 1; }
copy_lock "$WORK/app" app.bun.lock
expected "$WORK/app" app

log "monorepo"
make_monorepo "$WORK/mono"
(cd "$WORK/mono" && "$BUN" install --lockfile-only --ignore-scripts >"$WORK/mono.log" 2>&1) || {
  tail -20 "$WORK/mono.log" >&2; exit 1; }
copy_lock "$WORK/mono" monorepo.bun.lock
expected "$WORK/mono" monorepo
