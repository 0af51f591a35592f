#!/usr/bin/env bash
# Measures the false-positive rate of the bundled heuristic (YARA) rules on
# real, popular packages: installs the list below into a scratch project
# with scripts off (--ignore-scripts: no package code runs, not even
# install scripts) and runs the heuristic pass over its node_modules.
#
# Every package here is trusted, so every finding is a false positive (or,
# one day, news). The figures go to docs/heuristics.md.
#
# The scan runs through the HeuristicFalsePositives test of scan_test
# (tests/scan/heuristic_test.cpp, active only when GV_FP_DIR is set), which
# prints files scanned, files matched, the rate, every finding by rule and
# the time against a read-only pass; then, when the build has it, through
# `gouvernante -heuristic -dir` for the end-to-end summary.
#
# Usage: scripts/heuristic-fp.sh [BUILD_DIR]     (default /work/build-heur)
#   GV_FP_DIR=/some/dir  reuse (or keep) the install there instead of a temp dir
#   GV_FP_STRICT=1       exit 1 when the binary reports any match (CI: `make fp`);
#                        an install that fails (registry unreachable) is reported
#                        as "not run", loudly, and exits 0: nothing was measured.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-/work/build-heur}
TEST_BIN=$BUILD/tests/scan_test

# Popular packages across the usual kinds: web servers and middleware,
# front-end frameworks, build tools and compilers, linters, HTTP clients,
# database drivers, CLI helpers, utility belts. Kept to a few thousand
# JavaScript files so the run stays short.
PACKAGES=(
  express body-parser cors helmet morgan cookie-parser multer
  react react-dom prop-types classnames redux
  lodash underscore async bluebird moment dayjs uuid
  axios node-fetch got superagent ws
  commander yargs minimist chalk debug ora inquirer
  dotenv semver glob rimraf mkdirp fs-extra
  js-yaml yaml ajv zod jsonwebtoken bcryptjs
  pg mysql2 ioredis
  winston pino nodemailer cheerio jquery
  typescript @babel/core webpack eslint prettier esbuild
)

DIR=${GV_FP_DIR:-}
CLEANUP=0
if [ -z "$DIR" ]; then
  DIR=$(mktemp -d /tmp/gv-heuristic-fp.XXXXXX)
  CLEANUP=1
fi
trap '[ "$CLEANUP" = 1 ] && rm -rf "$DIR"' EXIT

if [ ! -d "$DIR/node_modules" ]; then
  echo "Installing ${#PACKAGES[@]} packages into $DIR (scripts off)..." >&2
  if ! (cd "$DIR" && npm init -y >/dev/null &&
    npm install --ignore-scripts --no-audit --no-fund --loglevel=error "${PACKAGES[@]}" >&2); then
    echo "HEURISTIC FALSE-POSITIVE CHECK NOT RUN: npm install failed (is the npm registry reachable?)" >&2
    exit 0
  fi
fi

count() { find "$DIR/node_modules" -type f \( -name '*.js' -o -name '*.cjs' -o -name '*.mjs' \) | wc -l; }
echo "Packages requested: ${#PACKAGES[@]}; installed package folders: $(find "$DIR/node_modules" -name package.json -not -path '*/test*' | wc -l); JavaScript files: $(count)" >&2
echo "Package list: ${PACKAGES[*]}" >&2
(cd "$DIR" && npm ls --all --parseable 2>/dev/null | wc -l | xargs echo "npm ls entries:") >&2

cd "$ROOT"
if [ -x "$TEST_BIN" ]; then
  GV_FP_DIR="$DIR" "$TEST_BIN" --gtest_filter='HeuristicFalsePositives.*' --gtest_color=no | grep -v '^\[' || true
else
  echo "($TEST_BIN not built: per-rule breakdown skipped)" >&2
fi
if [ -x "$BUILD/gouvernante" ]; then
  echo "--- gouvernante -heuristic -dir $DIR"
  rc=0
  "$BUILD/gouvernante" -heuristic -dir "$DIR" > "$DIR/gouvernante-heuristic.txt" 2>&1 || rc=$?
  grep -E '^Heuristic scan|heuristic:|^(CLEAN|FOUND|INCOMPLETE)' "$DIR/gouvernante-heuristic.txt" || true
  echo "exit code $rc (0 = no match; 2 = matches, listed in $DIR/gouvernante-heuristic.txt)"
fi
if [ "${GV_FP_STRICT:-0}" = 1 ] && [ "${rc:-1}" != 0 ]; then
  echo "FALSE POSITIVES: the bundled heuristic rules matched trusted packages (or the scan failed); see above" >&2
  exit 1
fi
