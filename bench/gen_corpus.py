#!/usr/bin/env python3
"""Generates the benchmark corpus (deterministic, seeded):

  OUT/rules/feed.json      one rule file with N package entries (default 100,000:
                           the size of the public malicious-package feeds)
  OUT/monorepo/...         M projects, each a package-lock.json v3 of P packages
                           (with nested node_modules, dependency maps and
                           integrity hashes, shaped like npm's output) plus a
                           package.json; every 10th project carries one
                           affected package so the scan has findings to report
  OUT/big/package-lock.json one lockfile of about BIG_MB megabytes

With --advisories N, OUT/rules/feed.json is instead shaped as `rules import osv`
writes an OSV feed: one rule per advisory (id, title, alias, reference,
remediation, dates distinct per rule), one package and one version each.

Shapes follow real npm v3 lockfiles (see tests/lockfile/testdata/npm).
"""
import argparse, base64, hashlib, json, os, random

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--rules", type=int, default=100_000)
ap.add_argument("--projects", type=int, default=200)
ap.add_argument("--packages", type=int, default=1500)
ap.add_argument("--big-mb", type=int, default=50)
ap.add_argument("--advisories", type=int, default=0)
a = ap.parse_args()
rnd = random.Random(42)

WORDS = ("core util react lodash parse fast json stream http tiny color type node web async "
         "cli config babel plugin loader eslint string path micro data date form query").split()

def name(i):
    w = WORDS[i % len(WORDS)] + "-" + WORDS[(i // len(WORDS)) % len(WORDS)] + f"-{i}"
    return f"@scope{i % 50}/{w}" if i % 7 == 0 else w

def mal(i):  # a malicious look-alike of name(i), keeping its scope
    n = name(i)
    return n.replace("/", "/mal-", 1) if n.startswith("@") else "mal-" + n

def version():
    return f"{rnd.randint(0, 12)}.{rnd.randint(0, 30)}.{rnd.randint(0, 40)}"

def integrity(s):
    return "sha512-" + base64.b64encode(hashlib.sha512(s.encode()).digest()).decode()

os.makedirs(f"{a.out}/rules", exist_ok=True)
rules = []
per_rule = 100
for r in range(0, a.rules, per_rule):
    prs = [{"package_name": mal(i), "affected_versions": ["=" + version()]}
           for i in range(r, min(r + per_rule, a.rules))]
    rules.append({"id": f"MAL-BENCH-{r // per_rule:05d}", "title": "bench feed chunk", "kind": "malicious-package",
                  "ecosystem": "npm", "severity": "critical", "package_rules": prs})
if a.advisories:
    rules = []
    for i in range(a.advisories):
        adv = f"MAL-2025-{i}"
        day, minute = 1 + i % 28, i % 1440
        rules.append({"id": adv, "title": f"Malicious code in {mal(i)} (npm)", "kind": "malicious-package",
                      "ecosystem": "npm", "severity": "critical",
                      "aliases": [{"type": "other", "value": adv}],
                      "references": [{"type": "advisory", "url": f"https://osv.dev/vulnerability/{adv}"}],
                      "package_rules": [{"package_name": mal(i), "affected_versions": ["=" + version()]}],
                      "remediation": {"summary": "Remove the package and rotate secrets.", "steps": []},
                      "metadata": {"published_at": f"2025-03-{day:02d}T{minute // 60:02d}:{minute % 60:02d}:00Z",
                                   "last_updated_at": f"2025-04-{day:02d}T{minute // 60:02d}:{minute % 60:02d}:{i % 60:02d}Z"}})
# One rule that hits the monorepo: 'hit-pkg' 1.0.1.
rules.append({"id": "SSC-BENCH-HIT", "title": "bench hit", "kind": "compromised-release", "ecosystem": "npm",
              "severity": "critical", "package_rules": [{"package_name": "hit-pkg", "affected_versions": ["=1.0.1"]}]})
with open(f"{a.out}/rules/feed.json", "w") as f:
    json.dump({"schema_version": "1.0.0", "rules": rules}, f, indent=2)

def lockfile(proj, npk, hit):
    pkgs = {"": {"name": proj, "version": "1.0.0", "license": "MIT", "dependencies": {}}}
    # A name pool a few times larger than the lockfile keeps collisions (and
    # so the file size) predictable at any size.
    names = [name(rnd.randint(0, max(50_000, 4 * npk))) for _ in range(npk)]
    for k, n in enumerate(names[: max(1, npk // 20)]):
        pkgs[""]["dependencies"][n] = "^1.0.0"
    for k, n in enumerate(names):
        key = f"node_modules/{n}"
        if k % 9 == 0 and k > 0:
            key = f"node_modules/{names[k - 1]}/node_modules/{n}"
        v = version()
        e = {"version": v, "resolved": f"https://registry.npmjs.org/{n}/-/{n.split('/')[-1]}-{v}.tgz",
             "integrity": integrity(key + v), "license": "MIT"}
        if k % 3 == 0:
            e["dev"] = True
        deps = {names[(k + j) % npk]: "^" + version() for j in range(1, rnd.randint(1, 6))}
        if deps:
            e["dependencies"] = deps
        if k % 11 == 0:
            e["engines"] = {"node": ">=14"}
        pkgs[key] = e
    if hit:  # reached like a real transitive dependency: root -> names[0] -> hit-pkg
        pkgs[f"node_modules/{names[0]}"].setdefault("dependencies", {})["hit-pkg"] = "^1.0.0"
        pkgs["node_modules/hit-pkg"] = {"version": "1.0.1", "integrity": integrity("hit"), "license": "MIT"}
    return {"name": proj, "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": pkgs}

for p in range(a.projects):
    d = f"{a.out}/monorepo/team{p % 10}/svc{p}"
    os.makedirs(d, exist_ok=True)
    lock = lockfile(f"svc{p}", a.packages, p % 10 == 0)
    with open(f"{d}/package-lock.json", "w") as f:
        json.dump(lock, f, indent=2)
    with open(f"{d}/package.json", "w") as f:
        json.dump({"name": f"svc{p}", "dependencies": lock["packages"][""]["dependencies"]}, f, indent=2)

os.makedirs(f"{a.out}/big", exist_ok=True)
# Size one sample, then generate once at the scaled package count.
sample = len(json.dumps(lockfile("big", 2000, True), indent=2))
npk = int(2000 * a.big_mb * 1_000_000 / sample * 1.01)
s = json.dumps(lockfile("big", npk, True), indent=2)
with open(f"{a.out}/big/package-lock.json", "w") as f:
    f.write(s)
print(f"corpus in {a.out}: {len(rules)} rules / {a.advisories or a.rules} entries, {a.projects} projects x {a.packages} packages, big lockfile {len(s)/1e6:.1f} MB ({npk} packages)")
