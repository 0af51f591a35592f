#!/usr/bin/env bash
# Whole-process timing of the history commands (issue #6), medians of one run:
#   - gouvernante index of the generated 20,000-commit repository into a fresh
#     SQLite file: commits/s as a user sees them;
#   - gouvernante search / blast-radius over the 1,000-repository store.
# Both inputs are made by gv_bench (bench/history_bench.cpp) under
# /tmp/gouvernante-bench-history; run it first (make bench does).
# Usage: bench/history_whole.sh BUILD/gouvernante
set -euo pipefail
bin=$(realpath "$1")
dir=/tmp/gouvernante-bench-history
here=$(cd "$(dirname "$0")" && pwd)
reps=${REPS:-7}
repo=$dir/repo-20000
store=$dir/org1000.db
[ -d "$repo" ] && [ -f "$store" ] || { echo "history_whole.sh: run gv_bench first (it makes $repo and $store)" >&2; exit 1; }

source "$here/timing.sh"

commits=$(git -C "$repo" rev-list --count HEAD)
index_once() { rm -f "$dir/whole.db" "$dir/whole.db-wal" "$dir/whole.db-shm"; "$bin" index "$repo" --db "$dir/whole.db"; }
t_index=$(for ((i = 0; i < reps; i++)); do time_cmd index_once; done | median)
# The store migrates once on first open by a newer binary; not part of a search.
version=$({ "$bin" search debug --db "$store" --json || true; } | python3 -c 'import json,sys; print(json.load(sys.stdin)["matches"][0]["version"])')
t_popular=$(runs "$bin" search debug --db "$store")
t_popular_json=$(runs "$bin" search debug --db "$store" --json)
t_version=$(runs "$bin" search "debug@$version" --db "$store")
t_rare=$(runs "$bin" search pkg-4000 --db "$store")
t_rules=$(runs "$bin" search --rules "$here/../rules" --db "$store")
t_blast=$(runs "$bin" blast-radius --rules "$here/../rules" --db "$store")

printf '%s\n' "gouvernante history whole-process benchmark ($(nproc) cores, median of $reps runs)" \
  "  index: $commits commits into a fresh SQLite file: $(printf '%.2f' "$t_index") s = $(echo "$commits / $t_index" | bc -l | xargs printf '%.0f') commits/s" \
  "  search over 1,000 repositories: debug (in 986 of them, every version, text) $(printf '%.0f' "$(echo "$t_popular * 1000" | bc -l)") ms," \
  "    same as --json $(printf '%.0f' "$(echo "$t_popular_json * 1000" | bc -l)") ms, debug@$version $(printf '%.0f' "$(echo "$t_version * 1000" | bc -l)") ms, a rare package $(printf '%.0f' "$(echo "$t_rare * 1000" | bc -l)") ms" \
  "  search --rules rules/ $(printf '%.0f' "$(echo "$t_rules * 1000" | bc -l)") ms, blast-radius --rules rules/ $(printf '%.0f' "$(echo "$t_blast * 1000" | bc -l)") ms"
