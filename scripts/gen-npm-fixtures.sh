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

# --- a local git repository standing in for a GitHub dependency -------------
# Fixed author/committer dates make the commit sha (recorded in the lockfile)
# identical on every run.
make_git_dep() {
  local src=$WORK/git/tiny-git-src bare=$WORK/git/tiny-git.git
  mkdir -p "$src"
  cat >"$src/package.json" <<'JSON'
{ "name": "tiny-git", "version": "0.3.1", "description": "fixture git dependency", "dependencies": { "ms": "2.1.3" } }
JSON
  (
    cd "$src"
    export GIT_AUTHOR_NAME=fixture GIT_AUTHOR_EMAIL=fixture@example.invalid
    export GIT_COMMITTER_NAME=fixture GIT_COMMITTER_EMAIL=fixture@example.invalid
    export GIT_AUTHOR_DATE='2024-01-01T00:00:00Z' GIT_COMMITTER_DATE='2024-01-01T00:00:00Z'
    git init -q -b main . && git add package.json && git commit -q -m fixture
  )
  git clone -q --bare "$src" "$bare"
}

# --- project (a): a realistic app ---------------------------------------------
make_app() {
  local dir=$1
  mkdir -p "$dir/local-lib"
  cat >"$dir/local-lib/package.json" <<'JSON'
{ "name": "local-lib", "version": "1.0.0", "dependencies": { "is-odd": "3.0.1" } }
JSON
  cat >"$dir/package.json" <<JSON
{
  "name": "fixture-app",
  "version": "1.0.0",
  "private": true,
  "dependencies": {
    "express": "^4.21.0",
    "lodash": "^4.17.21",
    "react": "^18.3.1",
    "axios": "1.7.9",
    "debug": "^4.3.7",
    "chalk": "^4.1.2",
    "my-lodash": "npm:lodash@4.17.20",
    "is-number": "https://registry.npmjs.org/is-number/-/is-number-7.0.0.tgz",
    "local-lib": "file:./local-lib",
    "tiny-git": "git+file://$WORK/git/tiny-git.git"
  },
  "devDependencies": {
    "typescript": "^5.6.0",
    "mocha": "^10.7.0"
  },
  "optionalDependencies": {
    "fsevents": "^2.3.3"
  }
}
JSON
}

# --- project (b): a workspace monorepo ----------------------------------------
make_monorepo() {
  local dir=$1
  mkdir -p "$dir/packages/app" "$dir/packages/util"
  cat >"$dir/package.json" <<'JSON'
{
  "name": "fixture-monorepo",
  "version": "0.0.0",
  "private": true,
  "workspaces": ["packages/*"],
  "devDependencies": { "semver": "^7.6.0" }
}
JSON
  cat >"$dir/packages/util/package.json" <<'JSON'
{
  "name": "@fixture/util",
  "version": "1.2.0",
  "dependencies": { "ms": "^2.1.3", "semver": "^6.3.1", "old-debug": "npm:debug@2.6.9" }
}
JSON
  cat >"$dir/packages/app/package.json" <<'JSON'
{
  "name": "@fixture/app",
  "version": "2.0.0",
  "dependencies": { "@fixture/util": "^1.2.0", "express": "^4.21.0", "debug": "^4.3.7" }
}
JSON
}

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
