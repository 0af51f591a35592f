#include "scan/finding.h"

#include <algorithm>

namespace gv {

std::string_view finding_type_name(FindingType t) {
  return t == FindingType::kDropper ? "dropper" : "package";
}

std::string_view finding_origin_name(FindingOrigin o) {
  return o == FindingOrigin::kInstalled ? "installed" : "lockfile";
}

size_t HostResult::count(CheckStatus s) const {
  return static_cast<size_t>(
      std::count_if(checks.begin(), checks.end(), [s](const HostCheck& c) { return c.status == s; }));
}

size_t HostResult::incomplete() const {
  return unreadable_packages + static_cast<size_t>(std::count_if(checks.begin(), checks.end(), [](const HostCheck& c) {
                                 return c.status == CheckStatus::kSkipped && c.applicable;
                               }));
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
  if (!r.findings.empty() || r.host.count(CheckStatus::kFound) > 0 || !r.heuristic.result.findings.empty()) return 2;
  if (!r.errors.empty() || !r.heuristic.result.errors.empty() || r.host.incomplete() > 0) return 1;
  // With -host or -heuristic, a folder without lockfiles is still a scan.
  if (r.lockfiles.empty() && !r.host.ran && !r.heuristic.ran) return 1;
  if (r.count(LockfileStatus::kNotScanned) + r.count(LockfileStatus::kError) > 0) return 1;
  return 0;
}

}  // namespace gv
