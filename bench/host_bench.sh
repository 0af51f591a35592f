#!/usr/bin/env bash
# Whole-process timing of -host's installed-tree walk and -heuristic's YARA
# pass over a real node_modules of ~1,000 packages, against the time `cat`
# takes to read the same bytes (the issue's target: heuristic within 3x).
# The tree is installed once from the npm registry with --ignore-scripts
# (no package code runs) and reused.
# Usage: bench/host_bench.sh BUILD/gouvernante [DIR]
set -euo pipefail
bin=$(realpath "$1")
dir=${2:-${TMPDIR:-/tmp}/gouvernante-bench-nm1k}
here=$(cd "$(dirname "$0")" && pwd)
reps=${REPS:-5}
if [ ! -d "$dir/node_modules" ]; then
  mkdir -p "$dir"
  echo '{"name":"nm1k","version":"1.0.0","private":true}' > "$dir/package.json"
  (cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
    jest eslint webpack webpack-cli @babel/core @babel/preset-env typescript react react-dom \
    express axios lodash moment rxjs >/dev/null
   npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
    mocha chai gulp karma nodemon sequelize mongoose socket.io tailwindcss postcss vite rollup sass \
    prettier @nestjs/core @nestjs/common puppeteer-core grunt >/dev/null)  # ~950 packages in all
fi
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
time_cmd() {
  local s e
  s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
  echo "$e - $s" | bc -l
}
runs() { local i; for ((i = 0; i < reps; i++)); do time_cmd "$@"; done | median; }

nm="$dir/node_modules"
pkgs=$(find "$nm" -name package.json -path '*/node_modules/*/package.json' -not -path '*/node_modules/*/*/*/package.json' | wc -l)
files=$(find "$nm" -type f | wc -l)
bytes=$(find "$nm" -type f -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
# The files the heuristic pass reads (code, package.json, scripts), for the 3x target.
code_list=$(mktemp)
trap 'rm -f "$code_list"' EXIT
find "$nm" -type f \( -name '*.js' -o -name '*.cjs' -o -name '*.mjs' -o -name '*.jsx' -o -name '*.ts' -o -name package.json -o -name '*.sh' -o -name '*.py' -o -name '*.yml' -o -name '*.yaml' \) -not -name '*.d.ts' -print0 > "$code_list"
code_files=$(tr -cd '\0' < "$code_list" | wc -c)
code_bytes=$(du -cb --files0-from="$code_list" | tail -1 | cut -f1)
xargs -0 cat < "$code_list" > /dev/null  # warm the page cache

t_cat=$(runs sh -c "xargs -0 cat < '$code_list' > /dev/null")
t_cat_all=$(runs sh -c "find '$nm' -type f -print0 | xargs -0 cat > /dev/null")
t_host=$(runs "$bin" -rules "$here/../rules" -dir "$dir" -host)
t_heur=$(runs "$bin" -heuristic -dir "$dir")
t_heur1=$(runs "$bin" -heuristic -dir "$dir" -threads 1)
rate() { echo "scale=0; $1 / $2" | bc -l; }
mb() { echo "scale=1; $1 / 1000000 / $2" | bc -l; }
echo "gouvernante host benchmark ($(nproc) cores, median of $reps runs)"
echo "  tree: $pkgs top-level packages, $files files, $(mb "$bytes" 1) MB; code files: $code_files, $(mb "$code_bytes" 1) MB"
echo "  cat of the code files:        ${t_cat} s   (all files: ${t_cat_all} s)"
echo "  -host (walk + match, bundled rules): ${t_host} s"
echo "  -heuristic, all cores:        ${t_heur} s  => $(rate "$code_files" "$t_heur") files/s, $(mb "$code_bytes" "$t_heur") MB/s, ratio to cat $(echo "scale=2; $t_heur / $t_cat" | bc -l)"
echo "  -heuristic, one thread:       ${t_heur1} s  => $(rate "$code_files" "$t_heur1") files/s, $(mb "$code_bytes" "$t_heur1") MB/s, ratio to cat $(echo "scale=2; $t_heur1 / $t_cat" | bc -l)"
