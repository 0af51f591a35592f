#include "rules/rule.h"

namespace gv {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "critical";
}

}  // namespace gv
