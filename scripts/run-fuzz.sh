#!/usr/bin/env bash
# Short libFuzzer run of every fuzz target in BUILD/fuzz: SECS seconds each,
# seeded from fuzz/corpus/<target>/ and the committed test fixtures. A crash,
# leak, sanitizer report or timeout fails the run and leaves the reproducer
# in BUILD/fuzz-artifacts/.
set -euo pipefail
build=${1:-build-fuzz}
secs=${2:-15}
root=$(cd "$(dirname "$0")/.." && pwd)
art="$build/fuzz-artifacts"
mkdir -p "$art"
shopt -s nullglob
targets=("$build"/fuzz/*_fuzz)
[ ${#targets[@]} -gt 0 ] || { echo "run-fuzz: no fuzz targets in $build/fuzz"; exit 1; }
fails=0
for t in "${targets[@]}"; do
  name=$(basename "$t")
  work=$(mktemp -d)
  seeds=()
  [ -d "$root/fuzz/corpus/$name" ] && seeds+=("$root/fuzz/corpus/$name")
  case $name in
    rules*) seeds+=("$root/rules" "$root/examples/runbook/rules") ;;
    npm*|package_json*|lockfile*|pnpm*|yarn*|bun*|yaml*) [ -d "$root/tests/lockfile/testdata" ] && seeds+=("$root/tests/lockfile/testdata") ;;
    cacache*) seeds+=("$root/tests/scan/testdata/installed/home/.npm/_cacache/index-v5") ;;
    installed_manifest*) seeds+=("$root/tests/scan/testdata/installed") ;;
  esac
  echo "== $name for ${secs}s (seeds: ${seeds[*]:-none})"
  # -rss_limit_mb guards the "1 GB input" class of bugs; -timeout catches hangs.
  if ! "$t" "$work" "${seeds[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
       -max_len=65536 -artifact_prefix="$art/$name-" -print_final_stats=1 >"$art/$name.log" 2>&1; then
    echo "FAIL: $name (see $art/$name.log)"; tail -30 "$art/$name.log"; fails=$((fails + 1))
  else
    grep -E "stat::number_of_executed_units|Done" "$art/$name.log" | tail -2
  fi
  rm -rf "$work"
done
[ $fails -eq 0 ] && echo "fuzz: ${#targets[@]} targets, no crashes" || { echo "fuzz: $fails target(s) failed"; exit 1; }
