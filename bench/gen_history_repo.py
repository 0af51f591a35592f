#!/usr/bin/env python3
"""Generates a git repository for the history-index benchmark (deterministic,
seeded), through one `git fast-import` stream (no git process per commit):

  --commits N          commits on main, merges included (default 20,000)
  --lockfile-commits L of them change package-lock.json (default 2,000; the
                       root commit, which adds it, counts as one)

The shape follows an npm application's history:
  - src/file_K.js: most commits change one of them;
  - package-lock.json (lockfileVersion 3, ~800 packages, nested node_modules,
    resolved, integrity, dependency maps) and package.json: a lockfile commit
    bumps one to three versions ("Bump x from a to b (#N)", a squash merge),
    now and then adds or drops a package, and sometimes reverts to an earlier
    state, so the same blob recurs (the walker must not parse it again);
    package.json follows when a direct dependency moves;
  - packages/app/package-lock.json: a workspace folder's own lockfile, changed
    by a few of the lockfile commits (always together with the root one);
  - about 10% of the history comes from pull requests merged with a merge
    commit ("Merge pull request #N from org/branch", two parents): one to three
    commits on a side branch, sometimes with main moving meanwhile.
Authors, committers and dates are fixed; dates increase along the stream.

Blobs of each lockfile are written first, one after another, so fast-import
stores each as a delta of the previous version (as a packed clone would).
Prints what it made, including the numbers the walker should report.
"""
import argparse, base64, hashlib, os, random, shutil, subprocess, sys, zlib

ap = argparse.ArgumentParser()
ap.add_argument("--out", required=True, help="directory to create (replaced if it exists)")
ap.add_argument("--commits", type=int, default=20_000)
ap.add_argument("--lockfile-commits", type=int, default=2_000)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--packages", type=int, default=800, help="packages in the root lockfile")
a = ap.parse_args()
if a.commits < 1 or not 1 <= a.lockfile_commits <= a.commits:
    sys.exit("need 1 <= --lockfile-commits <= --commits")
rnd = random.Random(a.seed)

ORG = "acme"
SRC_FILES = 200
AUTHORS = [("Alice Martin", "alice@example.com"), ("Bruno Diaz", "bruno@example.com"),
           ("Chen Wei", "chen@example.com"), ("Dana Scott", "dana@example.com"),
           ("Emeka Obi", "emeka@example.com"), ("Fatima Zahra", "fatima@example.com")]
BOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
GITHUB = ("GitHub", "noreply@github.com")
T0, DT = 1_577_836_800, 600  # 2020-01-01, ten minutes apart

# ---- package names ----------------------------------------------------------
POPULAR = ("debug ms lodash chalk semver commander minimist glob inherits once wrappy "
           "supports-color has-flag ansi-styles color-convert color-name escape-string-regexp "
           "safe-buffer readable-stream string_decoder util-deprecate isarray core-util-is "
           "mkdirp rimraf yargs yargs-parser cliui wrap-ansi strip-ansi ansi-regex "
           "string-width emoji-regex is-fullwidth-code-point y18n get-caller-file "
           "require-directory escalade uuid qs mime mime-types mime-db depd statuses "
           "http-errors setprototypeof toidentifier iconv-lite safer-buffer bytes "
           "content-type type-is media-typer raw-body on-finished ee-first unpipe "
           "express body-parser cookie cookie-signature etag fresh range-parser send "
           "serve-static vary accepts negotiator finalhandler encodeurl escape-html "
           "parseurl merge-descriptors methods path-to-regexp proxy-addr forwarded "
           "ipaddr.js array-flatten content-disposition utils-merge axios follow-redirects "
           "form-data asynckit combined-stream delayed-stream tslib picomatch micromatch "
           "braces fill-range to-regex-range is-number anymatch normalize-path chokidar "
           "readdirp is-glob is-extglob glob-parent fsevents minimatch brace-expansion "
           "balanced-match concat-map fs.realpath inflight path-is-absolute signal-exit "
           "cross-spawn which isexe path-key shebang-command shebang-regex lru-cache "
           "yallist source-map buffer-from source-map-support js-tokens loose-envify "
           "react react-dom scheduler object-assign prop-types react-is").split()
SCOPES = ("babel types jest eslint typescript-eslint rollup vitest testing-library "
          "emotion octokit aws-sdk sentry").split()
WORDS = ("core util parse fast json stream http tiny color type node web async cli config "
         "plugin loader string path micro data date form query cache hash event queue "
         "store graph schema proxy tree view").split()

def synthetic(i):
    w = f"{WORDS[i % len(WORDS)]}-{WORDS[(i // len(WORDS)) % len(WORDS)]}"
    if i % 5 == 0:
        return f"@{SCOPES[i % len(SCOPES)]}/{w}"
    return f"{w}-{i // (len(WORDS) * len(WORDS))}" if i >= len(WORDS) ** 2 else w

def name_of(key):
    return key[key.rfind("node_modules/") + len("node_modules/"):]

def stable(s):  # a per-string constant that does not depend on PYTHONHASHSEED
    return zlib.crc32(s.encode())

def new_version():
    return f"{rnd.randint(0, 9)}.{rnd.randint(0, 25)}.{rnd.randint(0, 30)}"

def bump(v):
    major, minor, patch = (int(x) for x in v.split("."))
    r = rnd.random()
    if r < 0.7:
        return f"{major}.{minor}.{patch + 1}"
    if r < 0.95:
        return f"{major}.{minor + 1}.0"
    return f"{major + 1}.0.0"

def lock_keys(count, offset):
    """`count` install paths: popular and synthetic names, ~5% nested."""
    names, i = list(POPULAR[: min(len(POPULAR), count // 2)]), offset
    while len(names) < count * 95 // 100:
        n = synthetic(i)
        i += 7
        if n not in names:
            names.append(n)
    keys = [f"node_modules/{n}" for n in names]
    for k in range(count - len(keys)):  # an older copy under a dependent's own node_modules
        keys.append(f"node_modules/{names[(k * 13 + 5) % len(names)]}/node_modules/{names[k % 40]}")
    return sorted(set(keys)), i

# ---- lockfile text ----------------------------------------------------------
class Lockfile:
    """A lockfile's history: install path -> version now, and every distinct
    state seen (as a tuple aligned with self.keys, so a state costs a few KB)."""

    def __init__(self, name, keys, direct):
        self.name, self.keys = name, list(keys)
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.now = {k: new_version() for k in self.keys}
        self.direct = direct  # names the project's package.json declares
        self.states, self.state_id, self.entry_cache = [], {}, {}
        self.snapshot()

    def state(self):
        t = [None] * len(self.keys)
        for k, v in self.now.items():
            t[self.index[k]] = v
        while t and t[-1] is None:
            t.pop()
        return tuple(t)

    def snapshot(self):
        """The id of the current state, recording it when new."""
        s = self.state()
        if s not in self.state_id:
            self.state_id[s] = len(self.states)
            self.states.append(s)
        return self.state_id[s]

    def restore(self, sid):
        s = self.states[sid]
        self.now = {self.keys[i]: v for i, v in enumerate(s) if v is not None}

    def add_key(self, key):
        if key not in self.index:
            self.index[key] = len(self.keys)
            self.keys.append(key)
        self.now[key] = new_version()

    def direct_versions(self):
        return {n: self.now[f"node_modules/{n}"] for n in self.direct if f"node_modules/{n}" in self.now}

    def entry(self, key, v):
        e = self.entry_cache.get((key, v))
        if e is None:
            n, h = name_of(key), stable(key)
            lines = [f'"version": "{v}"',
                     f'"resolved": "https://registry.npmjs.org/{n}/-/{n.split("/")[-1]}-{v}.tgz"',
                     '"integrity": "sha512-' +
                     base64.b64encode(hashlib.sha512(f"{key}@{v}".encode()).digest()).decode() + '"']
            if h % 3 == 0:
                lines.append('"dev": true')
            lines.append('"license": "MIT"' if h % 7 else '"license": "ISC"')
            deps = sorted({name_of(self.keys[(h >> s) % len(self.keys)]) for s in (3, 9, 15)[: h % 4]} - {n})
            if deps:
                lines.append('"dependencies": {\n' + ",\n".join(
                    f'        "{d}": "^{(h >> 4) % 5}.{(h >> 8) % 10}.0"' for d in deps) + "\n      }")
            if h % 11 == 0:
                lines.append('"engines": {\n        "node": ">=14"\n      }')
            e = f'    "{key}": {{\n      ' + ",\n      ".join(lines) + "\n    }"
            self.entry_cache[(key, v)] = e
        return e

    def text(self, sid):
        s = self.states[sid]
        now = {self.keys[i]: v for i, v in enumerate(s) if v is not None}
        deps = {n: now[f"node_modules/{n}"] for n in self.direct if f"node_modules/{n}" in now}
        root = (f'    "": {{\n      "name": "{self.name}",\n      "version": "1.0.0",\n'
                '      "dependencies": {\n' +
                ",\n".join(f'        "{n}": "^{v}"' for n, v in sorted(deps.items())) + "\n      }\n    }")
        body = ",\n".join([root] + [self.entry(k, now[k]) for k in sorted(now)])
        return (f'{{\n  "name": "{self.name}",\n  "version": "1.0.0",\n  "lockfileVersion": 3,\n'
                f'  "requires": true,\n  "packages": {{\n{body}\n  }}\n}}\n').encode()

def package_json(name, deps):
    d = ",\n".join(f'    "{n}": "^{v}"' for n, v in sorted(deps.items()))
    return (f'{{\n  "name": "{name}",\n  "version": "1.0.0",\n  "private": true,\n'
            f'  "scripts": {{\n    "test": "jest",\n    "build": "tsc -p ."\n  }},\n'
            f'  "dependencies": {{\n{d}\n  }}\n}}\n').encode()

def src_text(k, n):
    return (f"// src/file_{k}.js\n'use strict';\n\nmodule.exports = function file{k}() {{\n"
            f"  return {n};\n}};\n").encode()

# ---- the commit graph -------------------------------------------------------
# kinds: root, main (on main, one parent), side (a PR branch's commit),
# between (main moving while a PR is open), merge (two parents).
def topology():
    kinds, blocks = ["root"], []
    left = a.commits - 1
    while left > 0:
        if left >= 2 and rnd.random() < 0.033:
            k = rnd.randint(1, min(3, left - 1))
            m = 1 if left - k - 1 >= 1 and rnd.random() < 0.3 else 0
            blocks.append((len(kinds), k, m))
            kinds += ["side"] * k + ["between"] * m + ["merge"]
            left -= k + m + 1
        else:
            kinds.append("main")
            left -= 1
    return kinds, blocks

kinds, blocks = topology()
candidates = [i for i, k in enumerate(kinds) if k in ("main", "side")]
if a.lockfile_commits - 1 > len(candidates):
    sys.exit(f"only {len(candidates)} commits can change the lockfile")
lock_at = set(rnd.sample(candidates, a.lockfile_commits - 1)) | {0}

root_keys, nxt = lock_keys(a.packages, 0)
root = Lockfile("bench-app", root_keys,
                direct=[name_of(k) for k in root_keys if k.count("node_modules/") == 1][::19][:40])
app = Lockfile("app", lock_keys(120, nxt + 3)[0], direct=["debug", "ms", "lodash"])
pool = [synthetic(i) for i in range(nxt + 5000, nxt + 5400)]  # names a later commit may add
pkg_states, pkg_id = [], {}  # package.json: one state per distinct set of direct versions

def pkg_snapshot():
    s = tuple(sorted(root.direct_versions().items()))
    if s not in pkg_id:
        pkg_id[s] = len(pkg_states)
        pkg_states.append(s)
    return pkg_id[s]

class Commit:
    def __init__(self, kind):
        self.kind, self.parents, self.changes = kind, [], {}  # path -> ("src", bytes) | (group, id)
        self.subject, self.body, self.author, self.committer = "", "", None, None

history = []  # (root id, app id, package.json id) after each lockfile commit
pr_no = [100]

def next_pr():
    pr_no[0] += 1
    return pr_no[0]

def lockfile_change(c):
    """Bumps (or reverts) the lockfiles; returns a subject without PR number."""
    before = (root.snapshot(), app.snapshot(), pkg_snapshot())
    if len(history) > 5 and rnd.random() < 0.08:
        target = next(h for h in (rnd.choice(history) for _ in range(100)) if h[0] != before[0])
        root.restore(target[0])
        app.restore(target[1])
        subject = 'Revert "Bump dependencies"'
    else:
        r = rnd.random()
        if r < 0.05:
            key = f"node_modules/{pool.pop(rnd.randrange(len(pool)))}"
            root.add_key(key)
            subject = f"Add {name_of(key)} {root.now[key]}"
        elif r < 0.08 and len(root.now) > 700:
            key = rnd.choice(sorted(k for k in root.now if name_of(k) not in root.direct))
            del root.now[key]
            subject = f"Remove {name_of(key)}"
        else:
            keys = sorted(root.now)
            picked = sorted({keys[min(int(rnd.paretovariate(1.2)) * 7 + rnd.randrange(7), len(keys) - 1)]
                             if rnd.random() < 0.5 else rnd.choice(keys) for _ in range(rnd.randint(1, 3))})
            old = {k: root.now[k] for k in picked}
            for k in picked:
                root.now[k] = bump(root.now[k])
            k0 = picked[0]
            subject = f"Bump {name_of(k0)} from {old[k0]} to {root.now[k0]}"
            if len(picked) > 1:
                subject = f"Bump {name_of(k0)} and {len(picked) - 1} other dependencies"
        if rnd.random() < 0.02:
            k = rnd.choice(sorted(app.now))
            app.now[k] = bump(app.now[k])
    after = (root.snapshot(), app.snapshot(), pkg_snapshot())
    if after[0] == before[0]:  # cannot happen with a bump; keep the count exact anyway
        k = sorted(root.now)[0]
        root.now[k] = bump(root.now[k])
        after = (root.snapshot(), app.snapshot(), pkg_snapshot())
    history.append(after)
    c.changes["package-lock.json"] = ("root", after[0])
    if after[1] != before[1]:
        c.changes["packages/app/package-lock.json"] = ("app", after[1])
    if after[2] != before[2]:
        c.changes["package.json"] = ("pkg", after[2])
    return subject

src_count = [0] * SRC_FILES

def src_change(c, k):
    src_count[k] += 1
    c.changes[f"src/file_{k}.js"] = ("src", src_text(k, src_count[k]))
    verb = rnd.choice(["Fix", "Refactor", "Update", "Tidy", "Speed up"])
    return f"{verb} file_{k}.js"

def fill(i, kind, busy):
    """Content and subject of commit i; `busy` holds source files a concurrent
    branch changes (a merge must not conflict)."""
    c = Commit(kind)
    c.author = AUTHORS[rnd.randrange(len(AUTHORS))]
    if i in lock_at:
        c.author = BOT if rnd.random() < 0.6 else c.author
        c.subject = lockfile_change(c)
    else:
        k = rnd.choice([f for f in range(SRC_FILES) if f not in busy])
        busy.add(k)
        c.subject = src_change(c, k)
    if kind == "main" and (i in lock_at or rnd.random() < 0.3):
        c.subject += f" (#{next_pr()})"  # a squash merge names its PR
    c.committer = c.author if kind != "main" or " (#" not in c.subject else GITHUB
    return c

def build():
    commits = []
    root_c = Commit("root")
    root_c.author = root_c.committer = AUTHORS[0]
    root_c.subject = "Initial commit"
    for k in range(SRC_FILES):
        root_c.changes[f"src/file_{k}.js"] = ("src", src_text(k, 0))
    history.append((root.snapshot(), app.snapshot(), pkg_snapshot()))
    root_c.changes.update({"package-lock.json": ("root", 0), "package.json": ("pkg", 0),
                           "packages/app/package-lock.json": ("app", 0),
                           "packages/app/package.json": ("static", "app-package.json"),
                           "README.md": ("static", "README.md")})
    commits.append(root_c)
    tip, block_at = 0, {b[0]: b for b in blocks}
    i = 1
    while i < len(kinds):
        if i not in block_at:
            c = fill(i, "main", set())
            c.parents = [tip]
            commits.append(c)
            tip = i
            i += 1
            continue
        _, k, m = block_at[i]
        busy, side_tip, main_tip, touched = set(), tip, tip, {}
        for j in range(i, i + k):
            c = fill(j, "side", busy)
            c.parents = [side_tip]
            touched.update(c.changes)
            commits.append(c)
            side_tip = j
        for j in range(i + k, i + k + m):
            c = fill(j, "between", busy)
            c.parents = [main_tip]
            commits.append(c)
            main_tip = j
        merge = Commit("merge")
        merge.parents = [main_tip, side_tip]
        merge.changes = touched  # the side branch's final content of each path it changed
        n = next_pr()
        first = commits[i].subject
        branch = (f"dependabot/npm_and_yarn/{first.split()[1].lstrip('@')}" if first.startswith("Bump ")
                  else f"{commits[i].author[0].split()[0].lower()}/change-{n}")
        merge.subject = f"Merge pull request #{n} from {ORG}/{branch}"
        merge.body = first + "\n"
        merge.author, merge.committer = commits[i].author, GITHUB
        commits.append(merge)
        tip = i + k + m
        i = tip + 1
    return commits

commits = build()

# ---- the fast-import stream -------------------------------------------------
def data(out, payload):
    out.write(b"data %d\n" % len(payload))
    out.write(payload)
    out.write(b"\n")

def emit(out):
    marks, next_mark = {}, [1]
    def blob(key, payload):
        marks[key] = next_mark[0]
        out.write(b"blob\nmark :%d\n" % next_mark[0])
        data(out, payload)
        next_mark[0] += 1
    # Each lockfile's versions in a row: fast-import deltas a blob against the previous one.
    for sid in range(len(root.states)):
        blob(("root", sid), root.text(sid))
    for sid in range(len(app.states)):
        blob(("app", sid), app.text(sid))
    for sid, s in enumerate(pkg_states):
        blob(("pkg", sid), package_json("bench-app", dict(s)))
    blob(("static", "app-package.json"), package_json("app", {n: "1.0.0" for n in app.direct}))
    blob(("static", "README.md"), b"# bench-app\n\nGenerated by bench/gen_history_repo.py.\n")
    commit_mark = lambda i: next_mark[0] + i  # commits follow the blobs
    for i, c in enumerate(commits):
        t = T0 + i * DT
        out.write(b"commit refs/heads/main\nmark :%d\n" % commit_mark(i))
        out.write(f"author {c.author[0]} <{c.author[1]}> {t} +0000\n".encode())
        out.write(f"committer {c.committer[0]} <{c.committer[1]}> {t} +0000\n".encode())
        data(out, (c.subject + "\n" + ("\n" + c.body if c.body else "")).encode())
        if c.parents:
            out.write(b"from :%d\n" % commit_mark(c.parents[0]))
        for p in c.parents[1:]:
            out.write(b"merge :%d\n" % commit_mark(p))
        for path, (group, ref) in sorted(c.changes.items()):
            if group == "src":
                out.write(f"M 100644 inline {path}\n".encode())
                data(out, ref)
            else:
                out.write(f"M 100644 :{marks[(group, ref)]} {path}\n".encode())
    out.write(b"done\n")

if os.path.exists(a.out):
    shutil.rmtree(a.out)
subprocess.run(["git", "init", "-q", "-b", "main", a.out], check=True)
env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1")
fi = subprocess.Popen(["git", "-C", a.out, "fast-import", "--quiet", "--done"], stdin=subprocess.PIPE, env=env)
emit(fi.stdin)
fi.stdin.close()
if fi.wait() != 0:
    sys.exit("git fast-import failed")
subprocess.run(["git", "-C", a.out, "reset", "-q", "--hard", "main"], check=True)

# What the walker should find: one change per (commit, indexed file) on a
# one-parent commit (merges carry none of their own), and each distinct blob
# of an indexed file parsed once.
own = [c for c in commits if c.kind != "merge"]
changes = sum(1 for c in own for p in c.changes if not p.startswith(("src/", "README")))
app_commits = sum(1 for c in own if "packages/app/package-lock.json" in c.changes)
blobs = len(root.states) + len(app.states) + len(pkg_states) + 1  # + packages/app/package.json
print(f"repository {a.out}: {len(commits)} commits ({len(commits) - len(own)} merges), "
      f"{sum(1 for c in own if 'package-lock.json' in c.changes)} changing package-lock.json "
      f"({app_commits} also packages/app/package-lock.json); indexed-file changes {changes}; "
      f"distinct indexed blobs {blobs} (package-lock.json {len(root.states)}, packages/app/package-lock.json "
      f"{len(app.states)}, package.json {len(pkg_states)}, packages/app/package.json 1); "
      f"lockfile {len(root.text(len(root.states) - 1)) // 1024} KB, {len(root.now)} packages")
