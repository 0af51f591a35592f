#!/bin/sh
# Validates real -json output against docs/schema/report.schema.json, and
# checks the validator rejects a report that breaks the schema (so this test
# can fail). Uses Debian's python3-jsonschema; run from the repository root.
set -eu
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
set +e
"$GV_BIN" -rules ./rules -dir examples/demo-app -json > "$tmp/findings.json"; c1=$?
"$GV_BIN" -rules examples/runbook/rules -lockfile examples/runbook/test/clean-lockfile.json -json > "$tmp/clean.json"; c2=$?
"$GV_BIN" -rules ./rules -lockfile /nonexistent/package-lock.json -json > "$tmp/error.json"; c3=$?
"$GV_BIN" -rules ./rules -dir examples/demo-app -sarif > "$tmp/findings.sarif"; c4=$?
# -host and -heuristic sections: an installed affected package, a found file
# indicator, and the malicious samples laid out as a node_modules.
mkdir -p "$tmp/home" "$tmp/proj/node_modules/example-utils"
echo '{"name":"example-utils","version":"2.3.1"}' > "$tmp/proj/node_modules/example-utils/package.json"
cp -r tests/scan/testdata/heuristic/malicious/. "$tmp/proj/node_modules/"
HOME="$tmp/home" "$GV_BIN" -rules examples/runbook/rules -dir "$tmp/proj" -host -heuristic -json > "$tmp/host.json"; c5=$?
HOME="$tmp/home" "$GV_BIN" -heuristic -dir "$tmp/proj" -sarif > "$tmp/heuristic.sarif"; c6=$?
set -e
[ "$c1" = 2 ] && [ "$c2" = 0 ] && [ "$c3" = 1 ] && [ "$c4" = 2 ] && [ "$c5" = 2 ] && [ "$c6" = 2 ] || { echo "unexpected exit codes $c1 $c2 $c3 $c4 $c5 $c6"; exit 1; }
"$PY" - "$tmp" <<'PYEOF'
import json, sys, copy
from jsonschema import Draft202012Validator
schema = json.load(open("docs/schema/report.schema.json"))
Draft202012Validator.check_schema(schema)
v = Draft202012Validator(schema)
d = sys.argv[1]
for name in ("findings.json", "clean.json", "error.json", "host.json"):
    doc = json.load(open(f"{d}/{name}"))
    errs = sorted(v.iter_errors(doc), key=lambda e: e.path)
    for e in errs:
        print(f"{name}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
    if errs:
        sys.exit(1)
    print(f"{name}: valid ({len(doc['findings'])} findings)")
host = json.load(open(f"{d}/host.json"))
assert host["findings"] and host["findings"][0]["origin"] == "installed", "expected an installed finding"
assert host["host"]["checks"], "expected the rule's host check"
assert host["heuristic"]["findings"], "expected heuristic matches on the malicious samples"
doc = json.load(open(f"{d}/findings.json"))
assert doc["findings"], "expected findings in the demo report"
bad = copy.deepcopy(doc); del bad["findings"][0]["rule_id"]
assert not v.is_valid(bad), "schema accepted a finding without rule_id"
bad = copy.deepcopy(doc); bad["findings"][0]["severity"] = "severe"
assert not v.is_valid(bad), "schema accepted an unknown severity"
print("schema rejects broken reports: ok")

sarif_schema = json.load(open("docs/schema/sarif-github-subset.schema.json"))
Draft202012Validator.check_schema(sarif_schema)
sv = Draft202012Validator(sarif_schema)
hs = json.load(open(f"{d}/heuristic.sarif"))
errs = list(sv.iter_errors(hs))
for e in errs:
    print(f"heuristic.sarif: {'/'.join(map(str, e.absolute_path))}: {e.message}")
if errs:
    sys.exit(1)
assert hs["runs"][0]["results"], "expected heuristic SARIF results"
print(f"heuristic.sarif: valid ({len(hs['runs'][0]['results'])} results)")
sarif = json.load(open(f"{d}/findings.sarif"))
errs = list(sv.iter_errors(sarif))
for e in errs:
    print(f"findings.sarif: {'/'.join(map(str, e.absolute_path))}: {e.message}")
if errs:
    sys.exit(1)
assert len(sarif["runs"][0]["results"]) == 2, "expected 2 SARIF results for the demo"
bad = copy.deepcopy(sarif); bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
assert not sv.is_valid(bad), "SARIF subset schema accepted startLine 0"
print("findings.sarif: valid against the GitHub SARIF subset")
PYEOF
