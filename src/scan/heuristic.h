// -heuristic: YARA rules over the code of installed packages, looking for what
// malware does rather than which package it hides in (no gouvernante rule
// needed): decoded payloads handed to eval, download-and-execute, install
// scripts that fetch or decode, credential harvesting, and the traits of
// known campaigns (Shai-Hulud, the chalk/debug wallet drainer, Nx
// s1ngularity, the axios/plain-crypto-js dropper). Package code is only ever
// read, never run.
//
// Data flow: compile the bundled rules (rules/yara/*.yar, compiled into the
// binary) plus the user's (-yara DIR, rules' "yara_rules") once -> walk each
// root with walk_tree (no symlinks followed, skips reported) keeping code
// files, package.json files and scripts, and counting the rest in one line
// -> N workers, each with its own YR_SCANNER and read buffer, pull the next
// file from an atomic counter -> findings sorted by (file, offset).
//
// Limits are reported, never silent: files above max_file_bytes, files
// whose scan hits the per-file YARA timeout, unreadable files and walker
// skips all land in `skipped` with a reason.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"

namespace gv {

struct HeuristicFinding {
  std::string file;             // path of the scanned file
  uint64_t offset = 0;          // byte offset of the first match of the rule
  uint32_t line = 0;            // 1-based line of that offset (SARIF locates results by line)
  std::string rule;             // YARA rule identifier
  std::string rule_source;      // "bundled:decoded-exec.yar", or the user's .yar path
  std::string description;      // meta.description
  std::string severity;         // meta.severity (low|medium|high|critical; "medium" if absent)
  std::string excerpt;          // up to ~120 bytes around the match, raw (writers escape)
  std::string package;          // "name@version" of the nearest enclosing package.json, "" if none
  std::string reference;        // meta.reference, "" when absent
  bool install_script = false;  // the file is run by its package's pre/post/install script
};

struct HeuristicOptions {
  std::vector<std::string> roots;       // folders to scan (node_modules, or a project: then its node_modules)
  std::vector<std::string> yara_paths;  // extra .yar files or folders of them (-yara DIR, rules' yara_rules)
  bool bundled = true;                  // include rules/yara
  uint64_t max_file_bytes = 8u << 20;   // larger files: skipped with reason "larger than 8 MiB"
  unsigned threads = 0;                 // 0 = all cores (at most 32: libyara's limit per rule set)
  int timeout_seconds = 5;              // per file; a scan that takes longer is skipped "YARA timeout (5 s)"
  std::function<void(const std::string&)> trace;
  // Called at most ~10×/s from the workers (one at a time), and once at the end with the totals.
  std::function<void(uint64_t files, uint64_t bytes, const std::string& current_dir)> progress;
};

struct HeuristicResult {
  std::vector<HeuristicFinding> findings;  // sorted by file, offset
  // (path, reason) — large files, unreadable, timeouts, walker skips, sorted by path; last,
  // one line per root: (root, "N files of other types not scanned").
  std::vector<std::pair<std::string, std::string>> skipped;
  // YARA compile errors (file:line: message), missing -yara paths or roots: then nothing is
  // scanned and the caller exits 1.
  std::vector<Error> errors;
  uint64_t files_scanned = 0, bytes_scanned = 0, rules_loaded = 0;
  uint64_t files_other = 0;                // files not scanned because of their type (images, .d.ts, .map, ...)
  std::vector<std::string> scanned_roots;  // the folders actually walked (a project's node_modules)
};

HeuristicResult scan_heuristics(const HeuristicOptions& opts);

// Which YARA files a -yara path names: the file itself, or every *.yar and
// *.yara under a folder (recursive, sorted, hidden entries and symlinked
// folders skipped). Problems (missing path, folder without rules) go to
// *errors.
std::vector<std::string> list_yara_files(const std::string& path, Errors* errors);

}  // namespace gv
