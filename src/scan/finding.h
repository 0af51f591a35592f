// What a scan produces: plain records the report writers read.
//
// A Finding copies what it needs from the package and the rule (strings, not
// views) so reports never reach back into a lockfile buffer that is gone; it
// keeps a pointer to the Rule for the remediation text, valid while the
// RuleSet lives.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "lockfile/format.h"
#include "rules/rule.h"
#include "scan/heuristic.h"
#include "scan/host_ioc.h"
#include "scan/installed.h"

namespace gv {

enum class FindingType { kPackage, kDropper };
std::string_view finding_type_name(FindingType t);  // "package" | "dropper"

// Where the package was seen: a lockfile says what *should* be installed; an
// installed copy (node_modules, a global install, a package-manager cache)
// is what *did* land, and its install scripts may have run.
enum class FindingOrigin { kLockfile, kInstalled };
std::string_view finding_origin_name(FindingOrigin o);  // "lockfile" | "installed"

struct Finding {
  const Rule* rule = nullptr;
  FindingType type = FindingType::kPackage;
  std::string package;   // real package name
  std::string version;   // resolved version, or the declared range (declared == true)
  std::string alias;     // name it was installed/declared under, when aliased
  std::string matched;   // the rule's affected expression that matched ("*" for droppers)
  bool declared = false; // from package.json: a declared range that can resolve to an affected version
  std::string lockfile;  // path as given/found
  LockfileKind lockfile_kind = LockfileKind::kUnknown;
  size_t offset = 0;     // byte offset of the entry in the lockfile
  uint32_t line = 0;     // line of the entry in the lockfile (1-based; 0 unknown)
  uint32_t col = 0;
  std::string location;  // the entry's key, e.g. node_modules/a/node_modules/b
  std::vector<std::string> dependency_path;  // root's direct dependency first; empty = unknown
  uint8_t flags = 0;     // DepFlag bits
  SourceKind source = SourceKind::kRegistry;
  FindingOrigin origin = FindingOrigin::kLockfile;
  // kInstalled only: where (`lockfile` and `location` hold the package's
  // folder or cache entry) and whether its package.json declares install scripts.
  InstallKind install_kind = InstallKind::kNodeModules;
  bool install_scripts = false;
};

// A lockfile the scan looked at, and how that went.
// kCovered: a package.json whose folder (or an ancestor) has a lockfile that
// was scanned: the lockfile says what its ranges resolved to, so its ranges
// are not reported a second time (and a pinned-and-regenerated project scans
// clean, as the runbook's step 8 expects).
enum class LockfileStatus { kScanned, kCovered, kNotScanned, kError };
std::string_view lockfile_status_name(LockfileStatus s);  // scanned, covered, not_scanned, error
struct LockfileResult {
  std::string path;
  LockfileKind kind = LockfileKind::kUnknown;
  LockfileStatus status = LockfileStatus::kScanned;
  std::string reason;          // for kCovered / kNotScanned / kError: why
  uint32_t format_version = 0;
  size_t packages = 0;
  size_t findings = 0;
};

// A package whose name a rule names but whose version could not be evaluated
// (a git commit, a dist-tag like "latest", a file: path): the scanner cannot
// say clean or affected, so it says so.
struct Unevaluated {
  std::string lockfile;
  uint32_t line = 0;
  std::string package;
  std::string version;
  std::string rule_id;
  std::string reason;
  size_t offset = 0;  // byte offset of the entry; `line` is derived from it
};

// -host: the rules' host indicators, and the installed packages matched
// against the rules (those matches are Findings with origin kInstalled).
struct HostResult {
  bool ran = false;
  std::vector<HostCheck> checks;
  std::vector<std::string> roots_read;                            // node_modules, global folders, caches read
  std::vector<std::pair<std::string, std::string>> roots_absent;  // looked for, not there (path, why)
  std::vector<std::pair<std::string, std::string>> skipped;       // entries not read (path, why)
  size_t installed_packages = 0;
  size_t unreadable_packages = 0;  // package.json files in `skipped`: packages not checked
  uint64_t files_read = 0, dirs = 0;

  size_t count(CheckStatus s) const;
  // Checks that could apply to this host but could not be made (not the
  // ones for another OS), plus installed packages whose package.json could
  // not be read: they make a scan incomplete.
  size_t incomplete() const;
};

// -heuristic: YARA over installed package code.
struct HeuristicReport {
  bool ran = false;
  HeuristicResult result;
};

struct ScanReport {
  std::vector<Finding> findings;
  std::vector<LockfileResult> lockfiles;
  std::vector<Unevaluated> unevaluated;
  std::vector<Error> errors;     // problems outside any one lockfile (e.g. unreadable folder)
  HostResult host;
  HeuristicReport heuristic;
  std::vector<std::string> rule_files;
  size_t rules_loaded = 0;
  size_t packages_total = 0;
  double elapsed_ms = 0;

  size_t count(LockfileStatus s) const;
};

// Exit code contract: 2 when anything was found (a lockfile or installed
// finding, a host indicator, a heuristic match); otherwise 1 when the scan
// was incomplete or failed (an error, a lockfile not scanned, a host check
// that applied but could not be made, nothing to scan) because "clean" would
// be a lie; 0 only for a complete, clean scan.
int exit_code_for(const ScanReport& r);

}  // namespace gv
