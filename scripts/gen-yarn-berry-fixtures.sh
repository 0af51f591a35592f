#!/usr/bin/env bash
# Regenerates the yarn berry (yarn 2/3/4) lockfile fixtures under
# tests/lockfile/testdata/yarn-berry/ with the REAL yarn, fetched from the npm
# registry as @yarnpkg/cli-dist (a self-contained bundle run with node; no
# corepack, no global install).
#
# Only lockfiles are wanted: yarn 3/4 run `yarn install --mode=update-lockfile`
# (resolve and fetch, no link step, no node_modules, no scripts); yarn 2 has no
# such mode and runs `--mode=skip-build` (links but never runs a build script).
# enableScripts is off everywhere, so no package code runs.
#
# Ground truth: scripts/fixtures/yarn-berry-expected.js reads each lockfile
# with yarn's own parser (@yarnpkg/parsers' parseSyml) and writes
# expected-<name>.txt, the sorted unique "name@version" of every entry that is
# not the project's own code (workspace:, portal:, link:), the name taken from
# `resolution`.
#
# Usage: scripts/gen-yarn-berry-fixtures.sh     (from anywhere)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/tests/lockfile/testdata/yarn-berry
# Fixed work dir so the git URL recorded in the lockfiles is stable.
WORK=/tmp/gv-yarn-berry-fixtures
YARN4=${YARN4:-@yarnpkg/cli-dist@4}
YARN3=${YARN3:-@yarnpkg/cli-dist@3}
YARN2=${YARN2:-@yarnpkg/cli-dist@2}
PARSERS=${PARSERS:-@yarnpkg/parsers@3}
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

rm -rf "$WORK"
mkdir -p "$WORK/tools" "$OUT"

log() { printf '== %s\n' "$*" >&2; }

# Yarn settings as environment: a private cache, no telemetry, no scripts.
# Yarn 3 and 2 reject unknown YARN_* variables too, so the set grows with the
# version (see gen()).
export YARN_CACHE_FOLDER=$WORK/cache YARN_ENABLE_TELEMETRY=0 YARN_ENABLE_SCRIPTS=0
export YARN_NODE_LINKER=node-modules YARN_ENABLE_IMMUTABLE_INSTALLS=0 YARN_IGNORE_PATH=1

# fetch_tool <spec> <dir>: unpack an npm package (no install, no scripts).
fetch_tool() {
  local spec=$1 dir=$2
  mkdir -p "$dir"
  (cd "$WORK/tools" && npm pack "$spec" --silent >"$WORK/tools/pack.out")
  tar -xzf "$WORK/tools/$(tail -1 "$WORK/tools/pack.out")" -C "$dir" --strip-components=1
}

# --- the fixture projects (shared by every gen-*-fixtures.sh) -----------------
# make_git_dep comes from there; make_app / make_monorepo are redefined below
# because yarn berry cannot lock parts of the shared projects as they are.
# shellcheck source=fixtures/projects.sh
source "$ROOT/scripts/fixtures/projects.sh"

# --- project (a): the realistic app of gen-npm-fixtures.sh --------------------
# make_app <dir> <with-git: 0|1>
make_app() {
  local dir=$1 git=$2 gitdep=""
  [[ $git == 1 ]] && gitdep=",
    \"tiny-git\": \"git+file://$WORK/git/tiny-git.git\""
  mkdir -p "$dir/local-lib"
  : >"$dir/yarn.lock"
  cat >"$dir/local-lib/package.json" <<'JSON'
{ "name": "local-lib", "version": "1.0.0", "dependencies": { "is-odd": "3.0.1" } }
JSON
  cat >"$dir/package.json" <<JSON
{
  "name": "fixture-app",
  "version": "1.0.0",
  "private": true,
  "dependencies": {
    ${EXPRESS}"lodash": "^4.17.21",
    "react": "^18.3.1",
    "axios": "1.7.9",
    "debug": "^4.3.7",
    "chalk": "^4.1.2",
    "my-lodash": "npm:lodash@4.17.20",
    "is-number": "https://registry.npmjs.org/is-number/-/is-number-7.0.0.tgz",
    "local-lib": "file:./local-lib"$gitdep
  },
  "devDependencies": {
    "typescript": "${TYPESCRIPT:-^5.6.0}",
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
  mkdir -p "$dir/packages/app" "$dir/packages/util" "$dir/tools/portal-pkg" "$dir/tools/link-dir"
  : >"$dir/yarn.lock"
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
  cat >"$dir/packages/app/package.json" <<JSON
{
  "name": "@fixture/app",
  "version": "2.0.0",
  "dependencies": {
    "@fixture/util": "workspace:^",
    ${EXPRESS}    "debug": "^4.3.7",
    "portal-pkg": "portal:../../tools/portal-pkg",
    "link-dir": "link:../../tools/link-dir"
  }
}
JSON
  cat >"$dir/tools/portal-pkg/package.json" <<'JSON'
{ "name": "portal-pkg", "version": "0.1.0", "dependencies": { "is-odd": "^3.0.1" } }
JSON
}

# run_yarn <yarn dir> <project dir> <install args...>
run_yarn() {
  local yarn=$1 dir=$2
  shift 2
  (cd "$dir" && node "$yarn/bin/yarn.js" install "$@") >"$dir/yarn.log" 2>&1
}

expected() {  # expected <lockfile> <name>
  node "$ROOT/scripts/fixtures/yarn-berry-expected.js" "$WORK/parsers/node_modules/@yarnpkg/parsers" "$1" \
    >"$OUT/expected-$2.txt"
}

copy_lock() {  # copy_lock <dir> <fixture name>
  sed "s#$WORK#/tmp/gv-yarn-berry-fixtures#g" "$1/yarn.lock" >"$OUT/$2.yarn.lock"
  log "wrote $OUT/$2.yarn.lock ($(wc -c <"$OUT/$2.yarn.lock") bytes, __metadata $(grep -m1 -A1 '^__metadata' "$1/yarn.lock" | tail -1 | tr -d ' '))"
}

EXPRESS=${EXPRESS-'"express": "^4.21.0",'}
log "fetching tools"
fetch_tool "$YARN4" "$WORK/yarn4"
fetch_tool "$YARN3" "$WORK/yarn3"
fetch_tool "$YARN2" "$WORK/yarn2"
mkdir -p "$WORK/parsers"
(cd "$WORK/parsers" && echo '{"private":true}' >package.json &&
  npm install --ignore-scripts --no-package-lock --silent "$PARSERS" >/dev/null)
make_git_dep
: >"$OUT/yarn-versions.txt"

# gen <major> <mode...>: app (with git, else without) and monorepo.
gen() {
  local major=$1
  shift
  local yarn=$WORK/yarn$major v
  v=$(node "$yarn/bin/yarn.js" --version)
  log "yarn $v"
  echo "yarn$major $v" >>"$OUT/yarn-versions.txt"
  make_app "$WORK/app-yarn$major" 1
  if ! run_yarn "$yarn" "$WORK/app-yarn$major" "$@"; then
    log "yarn $v could not install the git dependency offline; app fixture without it"
    tail -5 "$WORK/app-yarn$major/yarn.log" >&2
    rm -rf "$WORK/app-yarn$major"
    make_app "$WORK/app-yarn$major" 0
    run_yarn "$yarn" "$WORK/app-yarn$major" "$@" || { tail -20 "$WORK/app-yarn$major/yarn.log" >&2; return 1; }
  fi
  copy_lock "$WORK/app-yarn$major" "app-yarn$major"
  expected "$OUT/app-yarn$major.yarn.lock" "app-yarn$major"
  make_monorepo "$WORK/mono-yarn$major"
  run_yarn "$yarn" "$WORK/mono-yarn$major" "$@" || { tail -20 "$WORK/mono-yarn$major/yarn.log" >&2; return 1; }
  copy_lock "$WORK/mono-yarn$major" "monorepo-yarn$major"
  expected "$OUT/monorepo-yarn$major.yarn.lock" "monorepo-yarn$major"
}

# The git dependency: yarn 4.18 fails on git+file:// URLs ("Invalid URL") and
# cannot reach a real git host here, so gen() falls back to the app without it.
export YARN_ENABLE_GLOBAL_CACHE=0
(export YARN_ENABLE_HARDENED_MODE=0 && gen 4 --mode=update-lockfile)
gen 3 --mode=update-lockfile || log "yarn 3 failed"
# yarn 2 has neither --mode=update-lockfile nor enableGlobalCache, and its
# semver crashes on express's registry metadata ("Invalid Version: 1.0.0beta",
# an old express release), so its projects leave express out; and its builtin
# typescript patch no longer applies to typescript 5 (YN0066), so it gets 4.1.
(unset YARN_ENABLE_GLOBAL_CACHE && EXPRESS='' TYPESCRIPT='~4.1.0' gen 2 --skip-builds) || log "yarn 2 failed"
log "done: $(tr '\n' ' ' <"$OUT/yarn-versions.txt")"
