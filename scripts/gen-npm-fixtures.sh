#!/usr/bin/env bash
# Regenerates the npm lockfile fixtures under tests/lockfile/testdata/npm/ with
# the REAL npm, so the parser is tested against what npm actually writes.
#
# Only lockfiles are produced: every install runs with --package-lock-only
# --ignore-scripts, so no package code ever runs and no node_modules is built.
# Needs network access to the npm registry (GitHub is not needed: the git
# dependency is a local bare repository).
#
# For every lockfile it also records npm's own reading of it as ground truth:
# expected-<name>.txt holds the sorted "name@version" of every package npm
# (arborist, via `npm query '*' --package-lock-only`) places under a
# node_modules/ folder, with aliases resolved to the real package name. The
# tests compare the parser's full output to that list.
#
# Usage: scripts/gen-npm-fixtures.sh            (from anywhere)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/tests/lockfile/testdata/npm
# A fixed work dir (not mktemp) so the git URL recorded in the lockfiles is
# stable across regenerations: git+file:///tmp/gv-npm-fixtures/git/tiny-git.git
WORK=/tmp/gv-npm-fixtures
NPM=${NPM:-npm}
NPM_LATEST=${NPM_LATEST:-npm@latest}
NPM6=${NPM6:-npm@6}
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"

log() { printf '== %s\n' "$*" >&2; }

# --- the fixture projects (shared by every gen-*-fixtures.sh) -----------------
# shellcheck source=fixtures/projects.sh
source "$ROOT/scripts/fixtures/projects.sh"

# expected <lockfile dir> <name>: npm's own view of the lockfile in that dir.
expected() {
  local dir=$1 name=$2
  (cd "$dir" && $NPM query '*' --package-lock-only) >"$WORK/query.json"
  node "$ROOT/scripts/fixtures/expected-from-query.js" "$WORK/query.json" >"$OUT/expected-$name.txt"
}

copy_lock() {  # copy_lock <dir> <file-in-dir> <fixture name>
  cp "$1/$2" "$OUT/$3"
  log "wrote $OUT/$3 ($(wc -c <"$OUT/$3") bytes)"
}

make_git_dep

# v3 with the npm on PATH, plus its npm-shrinkwrap.json
log "app v3 with npm $($NPM --version)"
$NPM --version >"$OUT/npm-version.txt"
make_app "$WORK/app-v3"
(cd "$WORK/app-v3" && $NPM install --package-lock-only --ignore-scripts >/dev/null)
copy_lock "$WORK/app-v3" package-lock.json app-v3.package-lock.json
expected "$WORK/app-v3" app-v3

log "app v2"
make_app "$WORK/app-v2"
(cd "$WORK/app-v2" && $NPM install --package-lock-only --ignore-scripts --lockfile-version 2 >/dev/null)
copy_lock "$WORK/app-v2" package-lock.json app-v2.package-lock.json
expected "$WORK/app-v2" app-v2

log "app shrinkwrap"
cp -r "$WORK/app-v3" "$WORK/app-shrinkwrap"
(cd "$WORK/app-shrinkwrap" && $NPM shrinkwrap --ignore-scripts >/dev/null 2>&1)
copy_lock "$WORK/app-shrinkwrap" npm-shrinkwrap.json app.npm-shrinkwrap.json
expected "$WORK/app-shrinkwrap" app-shrinkwrap

log "app v3 with $NPM_LATEST"
make_app "$WORK/app-latest"
# npm 12 refuses git and non-registry URL dependencies unless allowed
# (allow-git / allow-remote default to "none"); "root" allows the ones our
# package.json declares. Older npm ignores unknown flags with a warning.
(cd "$WORK/app-latest" && npx -y "$NPM_LATEST" install --package-lock-only --ignore-scripts \
  --allow-git=root --allow-remote=root --allow-file=root --allow-directory=root >/dev/null)
copy_lock "$WORK/app-latest" package-lock.json app-latest.package-lock.json
expected "$WORK/app-latest" app-latest
npx -y "$NPM_LATEST" --version >"$OUT/app-latest.npm-version.txt"

log "app v1 with $NPM6"
make_app "$WORK/app-v1"
if (cd "$WORK/app-v1" && npx -y "$NPM6" install --package-lock-only --ignore-scripts >"$WORK/npm6.log" 2>&1); then
  copy_lock "$WORK/app-v1" package-lock.json app-v1.package-lock.json
  expected "$WORK/app-v1" app-v1
  npx -y "$NPM6" --version >"$OUT/app-v1.npm-version.txt"
else
  log "npm 6 failed (see $WORK/npm6.log); no v1 fixture written"
  tail -20 "$WORK/npm6.log" >&2
fi

log "monorepo v3"
make_monorepo "$WORK/mono"
(cd "$WORK/mono" && $NPM install --package-lock-only --ignore-scripts >/dev/null)
copy_lock "$WORK/mono" package-lock.json monorepo.package-lock.json
expected "$WORK/mono" monorepo
cp "$WORK/app-v3/package.json" "$OUT/app.package.json"
sed -i "s#$WORK#/tmp/gv-npm-fixtures#g" "$OUT/app.package.json"

log "npm versions: default $(cat "$OUT/npm-version.txt"), latest $(cat "$OUT/app-latest.npm-version.txt"), v1 $(cat "$OUT/app-v1.npm-version.txt" 2>/dev/null)"
