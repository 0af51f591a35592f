// Rule documents come from a shared repository anyone on the team pushes to:
// hostile or broken JSON must yield errors, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rules/load.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gv::RuleSet rs;
  gv::Errors errs;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool ok = gv::parse_rule_document(text, "fuzz.json", &rs, &errs);
  // Invariant: success exactly when no problem was reported.
  if (ok != errs.empty()) __builtin_trap();
  return 0;
}
