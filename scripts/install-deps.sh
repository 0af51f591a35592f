#!/usr/bin/env bash
# Installs the Debian (bookworm) packages gouvernante builds, tests and benchmarks with.
# Idempotent: skips apt-get entirely when everything is already present.
set -euo pipefail

PKGS=(
  build-essential cmake make pkg-config git
  clang llvm                       # libFuzzer targets and the fuzz smoke run
  libsimdjson-dev                  # large JSON lockfiles (on-demand parsing)
  nlohmann-json3-dev               # rule documents, JSON output
  libyaml-dev                      # pnpm-lock.yaml and yarn berry (event API)
  libcli11-dev                     # subcommand CLI
  libfmt-dev                       # formatting
  libssl-dev                       # file hashes for host IOCs (md5, sha1, sha256, sha512; streamed EVP)
  libyara-dev                      # -heuristic: YARA rules over package code
  libzip-dev                       # rules import: zipped OSV feeds, read in memory (never extracted)
  libgit2-dev                      # history index: walks git history without a git subprocess
  libsqlite3-dev                   # history index store (default, zero setup)
  libpq-dev postgresql             # history index store at org scale; tests start a server on loopback
  libseccomp-dev                   # egress recorder: seccomp user-notification filter (gouvernante run)
  libcurl4-openssl-dev             # alert sinks: webhook POST and S3 PUT (CURLOPT_AWS_SIGV4)
  curl                             # egress recorder tests: a real client
  busybox-static                   # egress recorder tests: a statically linked client (wget)
  libgtest-dev libgmock-dev googletest
  libbenchmark-dev                 # bench/
  bc                               # bench/whole_process.sh arithmetic
  time                             # bench/whole_process.sh: GNU /usr/bin/time -f %M for max RSS
  python3 python3-jsonschema       # validates our JSON output against docs/schema in tests
  nodejs npm                       # only for regenerating fixtures/vectors (scripts/), never while scanning
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs/npm may come from elsewhere on a developer machine; do not fight it.
if command -v node >/dev/null 2>&1; then
  tmp=(); for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || tmp+=("$p"); done; missing=("${tmp[@]}")
fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
