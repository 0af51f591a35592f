#!/usr/bin/env bash
# Regenerates the pnpm lockfile fixtures under tests/lockfile/testdata/pnpm/
# with the REAL pnpm (7, 8, 9, 10 and latest), so the parser is tested against
# what pnpm actually writes: lockfileVersion 5.4 (pnpm 7), 6.0 (pnpm 8) and
# 9.0 (pnpm 9, 10, latest).
#
# Only lockfiles are produced: every install runs with --lockfile-only
# --ignore-scripts, so no package code runs and no node_modules is built.
# Needs the npm registry (GitHub is not needed: the git dependency is a local
# bare repository at a fixed path, committed with fixed dates, as in
# gen-npm-fixtures.sh, whose two projects are reused here).
#
# Ground truth: expected-<name>.txt is pnpm's own reading of each lockfile
# (@pnpm/lockfile-file + @pnpm/lockfile-utils from the registry, see
# scripts/fixtures/pnpm-expected.js): sorted "name@version" of every entry.
#
# Usage: scripts/gen-pnpm-fixtures.sh            (from anywhere)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/tests/lockfile/testdata/pnpm
WORK=/tmp/gv-pnpm-fixtures
REF=/tmp/gv-pnpm-fixtures-ref
PNPM_VERSIONS=${PNPM_VERSIONS:-"7 8 9 10 latest"}
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"
log() { printf '== %s\n' "$*" >&2; }

# --- pnpm's own lockfile readers (ground truth) ------------------------------
# @pnpm/lockfile-file 8 (pnpm 8) reads lockfile 5.4 and 6.0; 9 (pnpm 9) reads
# 9.0. The newest readers (@pnpm/lockfile.fs 1100.x) need node >= 22.
install_ref() {  # install_ref <dir> <packages...>
  local d=$1; shift
  [ -d "$d/node_modules/@pnpm/lockfile-file" ] && return 0
  mkdir -p "$d"
  (cd "$d" && echo '{"private":true}' >package.json && npm install --ignore-scripts --no-package-lock "$@" >/dev/null)
}
install_ref "$REF/v8" @pnpm/lockfile-file@8 @pnpm/lockfile-utils@8
install_ref "$REF/v9" @pnpm/lockfile-file@9 @pnpm/lockfile-utils@11

# --- the fixture projects (shared by every gen-*-fixtures.sh) -----------------
# make_git_dep comes from there; make_app / make_monorepo are redefined below
# because pnpm cannot lock parts of the shared projects as they are.
# shellcheck source=fixtures/projects.sh
source "$ROOT/scripts/fixtures/projects.sh"

# --- project (a): the app of gen-npm-fixtures.sh ------------------------------
make_app() {
  local dir=$1 git_dep=",
    \"tiny-git\": \"git+file://$WORK/git/tiny-git.git\""
  # pnpm 8 cannot write a git+file: dependency ("... is an invalid relative
  # dependency path" while converting to lockfile 6.0): its app goes without.
  [ "${NO_GIT_DEP:-}" = 1 ] && git_dep=""
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
    "react-dom": "^18.3.1",
    "axios": "1.7.9",
    "debug": "^4.3.7",
    "chalk": "^4.1.2",
    "my-lodash": "npm:lodash@4.17.20",
    "is-number": "https://registry.npmjs.org/is-number/-/is-number-7.0.0.tgz",
    "local-lib": "file:./local-lib"$git_dep
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

# --- project (b): the monorepo, as a pnpm workspace -----------------------------
make_monorepo() {
  local dir=$1
  mkdir -p "$dir/packages/app" "$dir/packages/util"
  printf 'packages:\n  - "packages/*"\n' >"$dir/pnpm-workspace.yaml"
  cat >"$dir/package.json" <<'JSON'
{ "name": "fixture-monorepo", "version": "0.0.0", "private": true, "devDependencies": { "semver": "^7.6.0" } }
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
  "dependencies": { "@fixture/util": "workspace:*", "express": "^4.21.0", "debug": "^4.3.7" },
  "devDependencies": { "react-dom": "^18.3.1", "react": "^18.3.1" }
}
JSON
}

# gen <pnpm version> <fixture suffix> <reader>
gen() {
  local v=$1 name=$2 ref=$3 pv
  pv=$(npx -y "pnpm@$v" --version)
  log "pnpm $v ($pv)"
  for proj in app monorepo; do
    local dir=$WORK/$proj-$name
    "make_$proj" "$dir"
    if (cd "$dir" && npx -y "pnpm@$v" install --lockfile-only --ignore-scripts >"$dir.log" 2>&1); then
      cp "$dir/pnpm-lock.yaml" "$OUT/$proj-$name.pnpm-lock.yaml"
      node "$ROOT/scripts/fixtures/pnpm-expected.js" "$REF/$ref" "$dir" >"$OUT/expected-$proj-$name.txt"
      log "wrote $proj-$name.pnpm-lock.yaml ($(wc -c <"$dir/pnpm-lock.yaml") bytes, $(head -1 "$dir/pnpm-lock.yaml"))"
    else
      log "pnpm $v failed on $proj (see $dir.log)"; tail -20 "$dir.log" >&2
    fi
  done
  echo "$pv" >"$OUT/$name.pnpm-version.txt"
}

make_git_dep
for v in $PNPM_VERSIONS; do
  case $v in
    7) gen 7 pnpm7 v8 ;;
    8) NO_GIT_DEP=1 gen 8 pnpm8 v8 ;;
    *) gen "$v" "pnpm$v" v9 ;;
  esac
done
log "done: $(ls "$OUT" | wc -l) files, $(du -sh "$OUT" | cut -f1)"
