#!/usr/bin/env bash
# Records the DNS questions of a REAL `npm ci` under the egress recorder, for
# the exfiltration heuristics' "zero suspects on the DNS of a normal npm ci"
# test (tests/egress/exfil_test.cpp, issue #8).
#
# The project is scripts/fixtures/npm-ci-app (about 220 packages, the one
# bench/egress_whole.sh times). Its lockfile is made with
# --package-lock-only, then `npm ci` runs with an empty cache, so every
# tarball comes from the registry, under `gouvernante run`; the run's DNS
# events (`net events --json`, kind dns) are written as recorded -- run id,
# time, pid, ppid, exe, argv, server address, name and type -- to
# tests/egress/testdata/npm-ci-dns.json, in the `net events` shape.
# Install scripts run, as in a real CI job. Needs the npm registry.
#
# Usage: scripts/gen-egress-fixtures.sh [BUILD/gouvernante]   (default build/gouvernante)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(realpath "${1:-$ROOT/build/gouvernante}")
OUT=$ROOT/tests/egress/testdata/npm-ci-dns.json
WORK=$(mktemp -d /tmp/gv-egress-fixtures.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

log() { printf '== %s\n' "$*" >&2; }

mkdir -p "$WORK/app" "$(dirname "$OUT")"
cp "$ROOT/scripts/fixtures/npm-ci-app/package.json" "$WORK/app/"
log "locking scripts/fixtures/npm-ci-app"
(cd "$WORK/app" && npm install --package-lock-only --cache "$WORK/lock-cache" >/dev/null)

log "npm ci with an empty cache under gouvernante run"
(cd "$WORK/app" && "$BIN" run --db "$WORK/egress.db" --repo npm-ci-app --job npm-ci --run-id npm-ci-cold -- \
  npm ci --cache "$WORK/cache" --no-audit --no-fund)

"$BIN" net events --db "$WORK/egress.db" --run-id npm-ci-cold --json >"$WORK/events.json"
python3 - "$WORK/events.json" "$OUT" <<'PY'
import json, sys
events = json.load(open(sys.argv[1]))["events"]
dns = [e for e in events if e["kind"] == "dns"]
kinds = {}
for e in events:
    kinds[e["kind"]] = kinds.get(e["kind"], 0) + 1
print("recorded:", kinds, file=sys.stderr)
if not dns:
    sys.exit("no DNS questions recorded: not writing a fixture (see docs/egress.md, what is not seen)")
# One event per line: a regenerated fixture diffs by question.
with open(sys.argv[2], "w") as f:
    f.write('{"events": [\n' + ",\n".join(json.dumps(e) for e in dns) + "\n]}\n")
names = sorted({e["domain"] for e in dns})
print(f"wrote {len(dns)} DNS questions for {len(names)} names: {', '.join(names)}", file=sys.stderr)
PY
