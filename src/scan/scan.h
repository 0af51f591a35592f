// The lockfile scan: find lockfiles, parse each on a worker thread, look every
// package up in the RuleIndex, and collect findings.
//
// Data flow: walk (one thread; cheap) -> list of paths -> N workers, each with
// its own read buffer, pull the next path from an atomic counter -> per-file
// results merged in path order, so output is deterministic whatever the
// thread timing.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "rules/index.h"
#include "scan/finding.h"

namespace gv {

struct ScanOptions {
  std::vector<std::string> lockfiles;  // explicit files (-lockfile): format sniffed by content too
  std::vector<std::string> dirs;       // -dir
  bool recursive = false;              // -recursive: descend (skipping node_modules, .git)
  unsigned threads = 0;                // 0 = all cores
  // -trace: called with progress lines (thread-safe: called under a lock).
  std::function<void(const std::string&)> trace;
};

// Files a -dir walk picks up, in sorted order, plus problems met on the way
// (unreadable folders, symlinks pointing out of the tree) as errors/skips.
struct WalkResult {
  std::vector<std::string> files;
  std::vector<LockfileResult> skipped;  // status kNotScanned, with the reason
  std::vector<Error> errors;
};
WalkResult find_lockfiles(const std::string& dir, bool recursive);

// Scans one lockfile's text already in memory. Appends to *out.
void scan_lockfile_text(const RuleIndex& index, const std::string& path, LockfileKind kind,
                        std::string_view text, LockfileResult* result,
                        std::vector<Finding>* findings, std::vector<Unevaluated>* unevaluated);

ScanReport scan(const RuleIndex& index, const ScanOptions& opts);

// Installed packages against the rules: Findings with origin kInstalled.
// Cache kinds are matched only by rules for their package manager (a rule's
// lockfile_ecosystems); node_modules and global installs by every rule.
void match_installed(const RuleIndex& index, const std::vector<InstalledPackage>& packages,
                     std::vector<Finding>* findings, std::vector<Unevaluated>* unevaluated);

}  // namespace gv
