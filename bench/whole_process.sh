#!/usr/bin/env bash
# Whole-process timing, quoted as medians of one run so the ratios compare
# like with like on a noisy machine:
#   - rule load: 100,000-entry feed against an empty lockfile
#   - rule scale (issue #5): 200,000-entry feed, same, with its max RSS (GNU time)
#   - recursive scan of the generated monorepo vs `cat` of the same files
#   - one 50 MB package-lock.json: MB/s
# Usage: bench/whole_process.sh BUILD/gouvernante [CORPUS_DIR]
set -euo pipefail
bin=$(realpath "$1")
corpus=${2:-${TMPDIR:-/tmp}/gouvernante-bench-corpus}
here=$(cd "$(dirname "$0")" && pwd)
reps=${REPS:-7}
[ -f "$corpus/big/package-lock.json" ] || python3 "$here/gen_corpus.py" "$corpus"
# One ~30 MB lockfile per format, grown from the real fixtures (scripts/fixtures/*-big*).
fx="$here/../scripts/fixtures"
td="$here/../tests/lockfile/testdata"
mkdir -p "$corpus/formats/yarn-classic" "$corpus/formats/bun" "$corpus/formats/pnpm" "$corpus/formats/yarn-berry"
[ -f "$corpus/formats/yarn-classic/yarn.lock" ] || python3 "$fx/yarn-classic-big.py" "$td/yarn-classic/app.yarn.lock" "$corpus/formats/yarn-classic/yarn.lock" 620
[ -f "$corpus/formats/bun/bun.lock" ] || python3 "$fx/bun-big-lock.py" "$corpus/formats/bun/bun.lock" 30
if [ ! -f "$corpus/formats/pnpm/pnpm-lock.yaml" ]; then
  python3 "$here/gen_yaml_lockfiles.py" "$corpus/yamlgen" --mb 30 >/dev/null
  mv "$corpus/yamlgen/pnpm-lock.yaml" "$corpus/formats/pnpm/"
  mv "$corpus/yamlgen/yarn.lock" "$corpus/formats/yarn-berry/"
fi
[ -f "$corpus/formats/npm/package-lock.json" ] || { mkdir -p "$corpus/formats/npm"; cp "$corpus/big/package-lock.json" "$corpus/formats/npm/"; }
[ -f "$corpus/rules200k/rules/feed.json" ] || python3 "$here/gen_corpus.py" "$corpus/rules200k" --rules 200000 --projects 0 --big-mb 1 >/dev/null
[ -f "$corpus/osv200k/rules/feed.json" ] || python3 "$here/gen_corpus.py" "$corpus/osv200k" --advisories 200000 --projects 0 --big-mb 1 >/dev/null

source "$here/timing.sh"

files=$(find "$corpus/monorepo" -name package-lock.json -o -name package.json | sort)
bytes=$(cat $files | wc -c)
nfiles=$(echo "$files" | wc -l)
big="$corpus/big/package-lock.json"
bigbytes=$(stat -c %s "$big")
empty=$(mktemp); echo '{"lockfileVersion":3,"packages":{"":{}}}' > "$empty"
trap 'rm -f "$empty"' EXIT

# Warm the page cache so both sides read from memory.
cat $files "$big" > /dev/null

t_rules=$(runs "$bin" -rules "$corpus/rules" -lockfile "$empty")
t_rules200k=$(runs "$bin" -rules "$corpus/rules200k/rules" -lockfile "$empty")
rss_file=$(mktemp)
rss_rules200k=$(for ((i = 0; i < reps; i++)); do /usr/bin/time -f %M -o "$rss_file" "$bin" -rules "$corpus/rules200k/rules" -lockfile "$empty" >/dev/null 2>&1 || true; tail -1 "$rss_file"; done | median)
t_osv200k=$(runs "$bin" -rules "$corpus/osv200k/rules" -lockfile "$empty")
rss_osv200k=$(for ((i = 0; i < reps; i++)); do /usr/bin/time -f %M -o "$rss_file" "$bin" -rules "$corpus/osv200k/rules" -lockfile "$empty" >/dev/null 2>&1 || true; tail -1 "$rss_file"; done | median)
rm -f "$rss_file"
t_cat=$(runs sh -c "cat $(echo $files | tr '\n' ' ') > /dev/null")
t_scan=$(runs "$bin" -rules "$corpus/rules" -dir "$corpus/monorepo" -recursive)
t_scan_small=$(runs "$bin" -rules "$here/../rules" -dir "$corpus/monorepo" -recursive)
t_cat_big=$(runs cat "$big")
t_big_small=$(runs "$bin" -rules "$here/../rules" -lockfile "$big")
t_big=$(runs "$bin" -rules "$corpus/rules" -lockfile "$big")
# Per format: whole process with the bundled rules, against cat of the same file.
fmt_lines=()
for f in "$corpus"/formats/*/*; do
  case $f in *.txt) continue ;; esac
  fb=$(stat -c %s "$f")
  tc=$(runs cat "$f")
  tg=$(runs "$bin" -rules "$here/../rules" -lockfile "$f")
  fmt_lines+=("    $(basename "$(dirname "$f")"): $(echo "$fb/1000000" | bc -l | xargs printf '%.1f') MB, cat $(printf '%.3f' "$tc") s, gouvernante $(printf '%.3f' "$tg") s => $(echo "$fb / $tg / 1000000" | bc -l | xargs printf '%.0f') MB/s whole process")
done
# Every format in one tree: one recursive scan vs cat of the same files.
mixed=$(find "$corpus/formats" -type f ! -name '*.txt' | sort)
t_cat_mixed=$(runs sh -c "cat $(echo $mixed | tr '\n' ' ') > /dev/null")
t_mixed=$(runs "$bin" -rules "$here/../rules" -dir "$corpus/formats" -recursive)
fmt_lines+=("    all formats in one tree (-recursive): cat $(printf '%.3f' "$t_cat_mixed") s, gouvernante $(printf '%.3f' "$t_mixed") s => ratio to cat $(echo "$t_mixed / $t_cat_mixed" | bc -l | xargs printf '%.2f')")
# The big file's parse alone: subtract the rule load measured above.
printf '%s\n' \
  "gouvernante whole-process benchmark ($(nproc) cores, median of $reps runs)" \
  "  rules: 100,000-entry feed, load + index + empty scan: $(printf '%.3f' "$t_rules") s" \
  "  monorepo: $nfiles files, $(echo "$bytes/1000000" | bc -l | xargs printf '%.1f') MB" \
  "    cat:              $(printf '%.3f' "$t_cat") s" \
  "    gouvernante -recursive, bundled rules: $(printf '%.3f' "$t_scan_small") s  => ratio to cat $(echo "$t_scan_small / $t_cat" | bc -l | xargs printf '%.2f'), $(echo "$bytes / $t_scan_small / 1000000" | bc -l | xargs printf '%.0f') MB/s" \
  "    gouvernante -recursive, 100k feed: $(printf '%.3f' "$t_scan") s  (includes the rule load)" \
  "    ratio scan/cat:   $(echo "$t_scan / $t_cat" | bc -l | xargs printf '%.2f')" \
  "    ratio (scan - rule load)/cat: $(echo "($t_scan - $t_rules) / $t_cat" | bc -l | xargs printf '%.2f')" \
  "  one $(echo "$bigbytes/1000000" | bc -l | xargs printf '%.1f') MB package-lock.json:" \
  "    cat:              $(printf '%.3f' "$t_cat_big") s" \
  "    gouvernante, bundled rules (no finding): $(printf '%.3f' "$t_big_small") s  => $(echo "$bigbytes / $t_big_small / 1000000" | bc -l | xargs printf '%.0f') MB/s whole process" \
  "    gouvernante, 100k feed (one finding: the dependency-path pass runs): $(printf '%.3f' "$t_big") s  => $(echo "$bigbytes / ($t_big - $t_rules) / 1000000" | bc -l | xargs printf '%.0f') MB/s excluding the rule load"
printf '%s\n' "  per format, one file each, bundled rules:" "${fmt_lines[@]}"
printf '%s\n' "  rule scale: 200,000 advisories, one rule each as 'rules import osv' writes them ($(echo "$(stat -c %s "$corpus/osv200k/rules/feed.json")/1000000" | bc -l | xargs printf '%.1f') MB), load + index + empty scan: $(printf '%.3f' "$t_osv200k") s, max RSS $(echo "$rss_osv200k/1024" | bc -l | xargs printf '%.0f') MB"
printf '%s\n' "  rule scale: 200,000-entry feed ($(echo "$(stat -c %s "$corpus/rules200k/rules/feed.json")/1000000" | bc -l | xargs printf '%.1f') MB), load + index + empty scan: $(printf '%.3f' "$t_rules200k") s, max RSS $(echo "$rss_rules200k/1024" | bc -l | xargs printf '%.0f') MB"
