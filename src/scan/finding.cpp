#include "scan/finding.h"

#include <algorithm>

namespace gv {

std::string_view finding_type_name(FindingType t) {
  return t == FindingType::kDropper ? "dropper" : "package";
}

std::string_view lockfile_status_name(LockfileStatus s) {
  switch (s) {
    case LockfileStatus::kScanned: return "scanned";
    case LockfileStatus::kCovered: return "covered";
    case LockfileStatus::kNotScanned: return "not_scanned";
    case LockfileStatus::kError: return "error";
  }
  return "error";
}

size_t ScanReport::count(LockfileStatus s) const {
  return static_cast<size_t>(std::count_if(lockfiles.begin(), lockfiles.end(),
                                           [s](const LockfileResult& l) { return l.status == s; }));
}

int exit_code_for(const ScanReport& r) {
  if (!r.findings.empty()) return 2;
  if (!r.errors.empty() || r.lockfiles.empty()) return 1;
  if (r.count(LockfileStatus::kNotScanned) + r.count(LockfileStatus::kError) > 0) return 1;
  return 0;
}

}  // namespace gv
