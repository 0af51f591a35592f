#!/usr/bin/env bash
# Whole-process cost of the egress recorder (issue #8), medians of one run,
# plain and recorded runs interleaved so both see the same machine load:
#   - gv_connect_loop (bench/connect_loop.cpp): 2,000 loopback connects, plain
#     and under `gouvernante run`: the time added per connect as the client
#     sees it (its own clock around the loop), and as the job sees it (the
#     whole run's wall time: start, the loop, saving 2,000 events to SQLite);
#   - `npm ci` of scripts/fixtures/npm-ci-app (about 220 packages) from a warm
#     cache, plain, under `gouvernante run` (audit) and under block mode
#     allowing the registry and loopback: the wall-time overhead in %.
# The npm part is skipped, saying so, without npm or the registry.
# Usage: bench/egress_whole.sh BUILD/gouvernante [BUILD/bench/gv_connect_loop]
set -euo pipefail
bin=$(realpath "$1")
loop=$(realpath "${2:-$(dirname "$bin")/bench/gv_connect_loop}")
here=$(cd "$(dirname "$0")" && pwd)
reps=${REPS:-9}
npm_reps=${NPM_REPS:-5}
connects=2000
work=${TMPDIR:-/tmp}/gouvernante-bench-egress
rm -rf "$work"
mkdir -p "$work"

source "$here/timing.sh"

# --- connect loop -------------------------------------------------------------
# loop_once [gouvernante run args...] -> "wall_seconds connect_ns"
loop_once() {
  local s e out
  s=$(date +%s.%N)
  if [ $# -gt 0 ]; then out=$("$bin" run --db "$work/loop.db" "$@" -- "$loop" "$connects" 2>/dev/null); else out=$("$loop" "$connects"); fi
  e=$(date +%s.%N)
  echo "$(echo "$e - $s" | bc -l) $(sed -E 's/.*"connect_ns":([0-9.]+).*/\1/' <<<"$out")"
}
"$bin" run --db "$work/loop.db" -- "$loop" 10 >/dev/null 2>&1  # creates the database
declare -a pw pc rw rc bw bc_
for ((i = 0; i < reps; i++)); do
  read -r w c < <(loop_once); pw+=("$w"); pc+=("$c")
  read -r w c < <(loop_once --policy audit); rw+=("$w"); rc+=("$c")
  read -r w c < <(loop_once --policy block --allow loopback); bw+=("$w"); bc_+=("$c")
done
med() { printf '%s\n' "$@" | median; }
us() { printf '%.1f' "$(echo "$1" | bc -l)"; }
pc_m=$(med "${pc[@]}"); rc_m=$(med "${rc[@]}"); bc_m=$(med "${bc_[@]}")
pw_m=$(med "${pw[@]}"); rw_m=$(med "${rw[@]}"); bw_m=$(med "${bw[@]}")

printf '%s\n' "gouvernante egress whole-process benchmark ($(nproc) cores, median of $reps runs, $connects loopback connects per run)" \
  "  per connect, client's clock: plain $(us "$pc_m / 1000") us, recorded (audit) $(us "$rc_m / 1000") us = +$(us "($rc_m - $pc_m) / 1000") us," \
  "    block (allow loopback) $(us "$bc_m / 1000") us = +$(us "($bc_m - $pc_m) / 1000") us" \
  "  whole run: plain $(printf '%.0f' "$(echo "$pw_m * 1000" | bc -l)") ms, audit $(printf '%.0f' "$(echo "$rw_m * 1000" | bc -l)") ms = +$(us "($rw_m - $pw_m) * 1000000 / $connects") us per connect," \
  "    block $(printf '%.0f' "$(echo "$bw_m * 1000" | bc -l)") ms = +$(us "($bw_m - $pw_m) * 1000000 / $connects") us per connect (start, supervision, saving the events)"

# --- npm ci ---------------------------------------------------------------------
if ! command -v npm >/dev/null 2>&1; then
  echo "  npm ci: skipped (npm is not installed)"
  exit 0
fi
if ! timeout 30 npm ping --registry https://registry.npmjs.org/ >/dev/null 2>&1; then
  echo "  npm ci: skipped (registry.npmjs.org is unreachable)"
  exit 0
fi
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
proj=$work/npm-ci-app
cache=$work/npm-cache
mkdir -p "$proj"
cp "$here/../scripts/fixtures/npm-ci-app/package.json" "$proj/"
(cd "$proj" && npm install --package-lock-only --cache "$cache" >/dev/null 2>&1)
packages=$(python3 -c 'import json,sys; print(sum(1 for k in json.load(open(sys.argv[1]))["packages"] if k))' "$proj/package-lock.json")
# Block mode: the registry by name only -- its addresses are allowed because
# the tree resolved the name to them through the recorder's DNS relay.
allow=(--allow registry.npmjs.org:443 --allow loopback)
block=("$bin" run --db "$work/npm.db" --policy block "${allow[@]}" --)
audit=("$bin" run --db "$work/npm.db" --)
# npm_ci CACHE [gouvernante run ... --]: a fresh node_modules from CACHE.
npm_ci() {
  local c=$1
  shift
  rm -rf "$proj/node_modules"
  (cd "$proj" && "$@" npm ci --prefer-offline --no-audit --no-fund --cache "$c")
}
warm_ci() { npm_ci "$cache" "$@"; }
# An empty cache: every tarball from the registry, the connects and DNS
# questions of a CI job without a cache.
cold_ci() { rm -rf "$work/cold-cache"; npm_ci "$work/cold-cache" "$@"; }
# Block mode must install everything: it refuses nothing npm needs.
if ! cold_ci "${block[@]}" >"$work/check-block.log" 2>&1; then
  echo "  npm ci: under block mode it failed (see $work/check-block.log)" >&2
  exit 1
fi
count() { "$bin" net events --db "$work/npm.db" --json | python3 -c 'import json,sys; e=json.load(sys.stdin)["events"]; print(len(e), sum(x["action"]=="blocked" for x in e), sum(x["kind"]=="dns" for x in e))'; }
read -r check_events check_blocked check_dns < <(count)
warm_ci >/dev/null 2>&1  # fills the cache
declare -a np na nb cold_p cold_a cold_b
for ((i = 0; i < npm_reps; i++)); do
  np+=("$(time_cmd warm_ci)")
  na+=("$(time_cmd warm_ci "${audit[@]}")")
  nb+=("$(time_cmd warm_ci "${block[@]}")")
done
read -r warm_events _ _ < <(count)
cold_reps=${NPM_COLD_REPS:-3}
for ((i = 0; i < cold_reps; i++)); do
  cold_p+=("$(time_cmd cold_ci)")
  cold_a+=("$(time_cmd cold_ci "${audit[@]}")")
  cold_b+=("$(time_cmd cold_ci "${block[@]}")")
done
pct() { printf '%+.1f' "$(echo "($1 / $2 - 1) * 100" | bc -l)"; }
np_m=$(med "${np[@]}"); na_m=$(med "${na[@]}"); nb_m=$(med "${nb[@]}")
cp_m=$(med "${cold_p[@]}"); ca_m=$(med "${cold_a[@]}"); cb_m=$(med "${cold_b[@]}")
printf '%s\n' "  npm ci of $packages packages; block mode: ${allow[*]}" \
  "    warm cache, --prefer-offline (median of $npm_reps): plain $(printf '%.2f' "$np_m") s, audit $(printf '%.2f' "$na_m") s ($(pct "$na_m" "$np_m") %), block $(printf '%.2f' "$nb_m") s ($(pct "$nb_m" "$np_m") %)" \
  "      events recorded in those $((2 * npm_reps)) runs: $((warm_events - check_events)) (a warm cache needs no network)" \
  "    empty cache (median of $cold_reps): plain $(printf '%.2f' "$cp_m") s, audit $(printf '%.2f' "$ca_m") s ($(pct "$ca_m" "$cp_m") %), block $(printf '%.2f' "$cb_m") s ($(pct "$cb_m" "$cp_m") %)" \
  "      one empty-cache run under block mode: $check_events events, $check_dns DNS questions, $check_blocked blocked"
