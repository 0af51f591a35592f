#!/usr/bin/env bash
# Regenerates the installed-package fixtures under tests/scan/testdata/installed/
# with the REAL package managers: what npm, pnpm 9 and 10, yarn 1 and 4, and
# bun write into node_modules, into global install folders and into their
# caches, for one small dependency set.
#
# Every tool comes from the npm registry with `npm pack` (unpacked, never
# installed, so no install script of the tools runs): pnpm, yarn (classic),
# @yarnpkg/cli-dist (yarn 4) and @oven/bun-linux-x64 (bun's binary, the
# package `npm i -g bun` would fetch through its postinstall). Every install
# runs with scripts off (--ignore-scripts, YARN_ENABLE_SCRIPTS=0; pnpm 10 and
# bun do not run dependency scripts by default anyway): no package code runs.
#
# HOME points at $WORK/home and every cache location is pinned inside it, so
# the tools write the default per-user layout there: ~/.npm/_cacache,
# ~/.local/share/pnpm/{store,global}, ~/.cache/yarn/v6 (YARN_CACHE_FOLDER:
# as root, yarn 1 would otherwise use /usr/local/share/.cache/yarn),
# ~/.yarn/berry/cache, ~/.bun/install/{cache,global}, and an nvm-style prefix
# ~/.nvm/versions/node/<v>/lib/node_modules for `npm i -g`; and what npx,
# pnpm dlx and bunx install to run a command (the command run is `node -e 0`).
#
# The dependency set: is-number@7.0.0, ms@2.1.3, debug@4.3.4 (which wants
# ms@2.1.2: a nested node_modules with npm), @types/ms@0.7.34 (scoped) and
# utf-8-validate@6.0.5 (an "install" script; needs node-gyp-build). Yarn 4
# adds node-gyp and its dependencies to it (its install script names
# node-gyp-build, which yarn takes for a node-gyp call).
#
# Only what the reader needs is copied: package.json files, pnpm's
# .modules.yaml, the folder structure and its symlinks; npm's index-v5
# bucket files and pnpm's store index files verbatim (content files left
# out); yarn berry cache zips as empty files with their real names, except
# one whose name is ambiguous (@isaacs-fs-minipass-...: @isaacs/fs-minipass
# or @isaacs-fs/minipass?), trimmed to its folder entries and package.json so
# the reader can look inside. bun's cache holds absolute symlinks
# (<name>/<version>@@@1 -> <cache>/<name>@<version>@@@1); they are rewritten
# relative so the fixture does not point into /tmp.
#
# Usage: scripts/gen-installed-fixtures.sh     (from anywhere)
set -euo pipefail
shopt -s nullglob

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/tests/scan/testdata/installed
WORK=/tmp/gv-installed-fixtures
PNPM10=${PNPM10:-pnpm@10}
PNPM9=${PNPM9:-pnpm@9}
YARN1=${YARN1:-yarn@1}
YARN4=${YARN4:-@yarnpkg/cli-dist@4}
BUN=${BUN:-@oven/bun-linux-x64@1}

log() { printf '== %s\n' "$*" >&2; }

rm -rf "$WORK"
mkdir -p "$WORK/tools" "$WORK/home"

# fetch_tool <spec> <dir>: unpack an npm package (no install, no scripts).
# Runs with the real HOME so it does not land in the fixture's npm cache.
fetch_tool() {
  local spec=$1 dir=$2
  mkdir -p "$dir"
  (cd "$WORK/tools" && npm pack "$spec" --silent >"$WORK/tools/pack.out")
  tar -xzf "$WORK/tools/$(tail -1 "$WORK/tools/pack.out")" -C "$dir" --strip-components=1
}
log "fetching tools"
fetch_tool "$PNPM10" "$WORK/tools/pnpm10"
fetch_tool "$PNPM9" "$WORK/tools/pnpm9"
fetch_tool "$YARN1" "$WORK/tools/yarn1"
fetch_tool "$YARN4" "$WORK/tools/yarn4"
fetch_tool "$BUN" "$WORK/tools/bun"

# From here on the tools see only the fixture home.
export HOME=$WORK/home
unset XDG_CACHE_HOME XDG_DATA_HOME XDG_CONFIG_HOME NPM_CONFIG_PREFIX npm_config_prefix npm_config_cache \
  PNPM_HOME BUN_INSTALL BUN_INSTALL_CACHE_DIR NVM_DIR VOLTA_HOME FNM_DIR YARN_GLOBAL_FOLDER || true
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
export YARN_CACHE_FOLDER=$HOME/.cache/yarn YARN_ENABLE_TELEMETRY=0 YARN_ENABLE_SCRIPTS=0 YARN_IGNORE_PATH=1
export PNPM_HOME=$HOME/.local/share/pnpm DO_NOT_TRACK=1
export PATH=$PNPM_HOME:$PATH
NODE_V=$(node --version)

pnpm10() { node "$WORK/tools/pnpm10/bin/pnpm.cjs" "$@"; }
pnpm9() { node "$WORK/tools/pnpm9/bin/pnpm.cjs" "$@"; }
yarn1() { node "$WORK/tools/yarn1/bin/yarn.js" "$@"; }
yarn4() { node "$WORK/tools/yarn4/bin/yarn.js" "$@"; }
bun() { "$WORK/tools/bun/bin/bun" "$@"; }

# project <name>: a folder with the dependency set.
project() {
  mkdir -p "$WORK/$1"
  cat >"$WORK/$1/package.json" <<'JSON'
{
  "name": "fixture-installed",
  "version": "1.0.0",
  "private": true,
  "dependencies": {
    "is-number": "7.0.0",
    "ms": "2.1.3",
    "debug": "4.3.4",
    "@types/ms": "0.7.34",
    "utf-8-validate": "6.0.5"
  }
}
JSON
  cd "$WORK/$1"
}

run() {  # run <log name> <cmd...>: quiet unless it fails
  local name=$1
  shift
  "$@" >"$WORK/$name.log" 2>&1 || { tail -30 "$WORK/$name.log" >&2; return 1; }
}

log "npm $(npm --version)"
(project npm && run npm npm install --ignore-scripts)
(project npm-cache && run npm-cache-add npm cache add is-number@7.0.0)
# npm's global prefix under nvm is ~/.nvm/versions/node/<v>.
(cd "$WORK" && run npm-global npm install -g --ignore-scripts --prefix "$HOME/.nvm/versions/node/$NODE_V" \
  ms@2.1.3 @types/ms@0.7.34)
# npx's install (~/.npm/_npx/<hash>/node_modules); the command run is node itself.
(project npx && run npx npm exec --yes --package=ms@2.1.3 -- node -e 0)

log "pnpm $(pnpm10 --version) and $(pnpm9 --version)"
(project pnpm10 && run pnpm10 pnpm10 install --ignore-scripts)
(project pnpm9 && run pnpm9 pnpm9 install --ignore-scripts)
(cd "$WORK" && run pnpm10-global pnpm10 add -g --ignore-scripts is-number@7.0.0 debug@4.3.4)
# pnpm dlx's install (~/.cache/pnpm/dlx/<hash>/<stamp>/node_modules).
(project dlx && run pnpm10-dlx pnpm10 dlx --package=ms@2.1.3 node -e 0)

log "yarn $(yarn1 --version)"
(project yarn1 && run yarn1 yarn1 install --ignore-scripts --non-interactive --no-progress)
(cd "$WORK" && run yarn1-global yarn1 global add --ignore-scripts --non-interactive --no-progress \
  --global-folder "$HOME/.config/yarn/global" --prefix "$HOME/.yarn-prefix" ms@2.1.3)

log "yarn $(yarn4 --version)"
# pnp (the default linker) with the global cache (the default): ~/.yarn/berry/cache.
(project berry-pnp && : >yarn.lock && run berry-pnp yarn4 install)
# A project cache (.yarn/cache, zips named with their checksum) and the pnpm
# linker. YARN_CACHE_FOLDER is yarn berry's cacheFolder too (zips straight in
# it, beside yarn 1's v6/): unset, so the project's .yarn/cache is used.
(project berry-pnpm && : >yarn.lock && unset YARN_CACHE_FOLDER &&
  YARN_ENABLE_GLOBAL_CACHE=0 YARN_NODE_LINKER=pnpm run berry-pnpm yarn4 install)

log "bun $(bun --version)"
(project bun && run bun bun install --ignore-scripts --linker hoisted)
(project bun-isolated && run bun-isolated bun install --ignore-scripts --linker isolated)
(cd "$WORK" && run bun-global bun add -g --ignore-scripts is-number@7.0.0)
# bunx's install (bun 1.2+: <cache>/.bunx-<uid>/<spec>/node_modules).
(project bunx && mkdir -p "$WORK/tmp" && TMPDIR=$WORK/tmp run bunx bun x -p ms@2.1.3 node -e 0)

# --- copy what the reader needs ------------------------------------------------
rm -rf "$OUT"
mkdir -p "$OUT"
# keep <src dir> <dst dir> <find predicates...>: copies matching files and every
# symlink, with their folders.
keep() {
  local src=$1 dst=$2
  shift 2
  mkdir -p "$dst"
  (cd "$src" && find . \( -type l -o \( -type f \( "$@" \) \) \) -print0 | xargs -0 -r cp -P --parents -t "$dst")
}
pkgjson() { keep "$1" "$2" -name package.json -o -name .modules.yaml; }

for p in npm pnpm10 pnpm9 yarn1 bun bun-isolated; do
  pkgjson "$WORK/$p/node_modules" "$OUT/$p/node_modules"
done
pkgjson "$WORK/berry-pnp/.yarn/unplugged" "$OUT/berry-pnp/.yarn/unplugged"
pkgjson "$WORK/berry-pnpm/node_modules" "$OUT/berry-pnpm/node_modules"
mkdir -p "$OUT/berry-pnpm/.yarn/cache"
zips=("$WORK"/berry-pnpm/.yarn/cache/*.zip)
((${#zips[@]})) || { log "yarn 4 wrote no project cache"; exit 1; }
for z in "${zips[@]}"; do : >"$OUT/berry-pnpm/.yarn/cache/$(basename "$z")"; done

H=$OUT/home
keep "$HOME/.npm/_cacache/index-v5" "$H/.npm/_cacache/index-v5" -name '*'
pkgjson "$HOME/.nvm" "$H/.nvm"
pkgjson "$HOME/.npm/_npx" "$H/.npm/_npx"
pkgjson "$HOME/.cache/pnpm/dlx" "$H/.cache/pnpm/dlx"
keep "$HOME/.local/share/pnpm/store/v10/index" "$H/.local/share/pnpm/store/v10/index" -name '*.json'
keep "$HOME/.local/share/pnpm/store/v3/files" "$H/.local/share/pnpm/store/v3/files" -name '*-index.json'
pkgjson "$HOME/.local/share/pnpm/global" "$H/.local/share/pnpm/global"
pkgjson "$HOME/.cache/yarn/v6" "$H/.cache/yarn/v6"
pkgjson "$HOME/.config/yarn/global/node_modules" "$H/.config/yarn/global/node_modules"
mkdir -p "$H/.yarn/berry/cache"
for z in "$HOME"/.yarn/berry/cache/*.zip; do : >"$H/.yarn/berry/cache/$(basename "$z")"; done
python3 - "$HOME/.yarn/berry/cache" "$H/.yarn/berry/cache" <<'PY'
import glob, os, sys, zipfile
src, dst = sys.argv[1:3]
for path in glob.glob(os.path.join(src, '@isaacs-fs-minipass-npm-*.zip')):
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(os.path.join(dst, os.path.basename(path)), 'w') as zout:
        for info in zin.infolist():
            parts = info.filename.rstrip('/').split('/')
            if info.is_dir() or (len(parts) == 4 and parts[3] == 'package.json'):
                zout.writestr(info, zin.read(info))
PY
pkgjson "$HOME/.bun/install/global/node_modules" "$H/.bun/install/global/node_modules"
pkgjson "$HOME/.bun/install/cache" "$H/.bun/install/cache"
for f in "$HOME"/.bun/install/cache/*.npm; do : >"$H/.bun/install/cache/$(basename "$f")"; done
# bun's absolute index links -> relative.
(cd "$H/.bun/install/cache" && find . -type l | while read -r l; do
  t=$(readlink "$l")
  case $t in
    "$HOME/.bun/install/cache/"*) ln -sfn "$(realpath --relative-to="$(dirname "$l")" "$H/.bun/install/cache/${t#"$HOME/.bun/install/cache/"}")" "$l" ;;
  esac
done)

# The repository ignores node_modules/; these are data.
printf '# Fixture data: installed trees written by real package managers.\n!node_modules/\n' >"$OUT/.gitignore"
{
  echo "node $NODE_V"
  echo "npm $(npm --version)"
  echo "pnpm $(pnpm10 --version)"
  echo "pnpm $(pnpm9 --version)"
  echo "yarn $(yarn1 --version)"
  echo "yarn $(yarn4 --version)"
  echo "bun $(bun --version)"
} >"$OUT/tool-versions.txt"
log "wrote $OUT ($(du -sb "$OUT" | cut -f1) bytes, $(find "$OUT" -type f | wc -l) files, $(find "$OUT" -type l | wc -l) links)"
