// Report writers: the same ScanReport rendered for a person (text), a program
// (JSON, schema in docs/schema/report.schema.json) or GitHub code scanning
// (SARIF 2.1.0). Writers never see parsers; they read records only.
#pragma once

#include <string>

#include "scan/finding.h"

namespace gv {

inline constexpr const char* kToolName = "gouvernante";
inline constexpr const char* kToolVersion = "0.1.0";

enum class OutputFormat { kText, kJson, kSarif };
std::string_view output_extension(OutputFormat f);  // "txt", "json", "sarif"

struct TextOptions {
  bool color = false;  // ANSI colours (only on a TTY, and never with NO_COLOR)
};

std::string render_text(const ScanReport& r, const TextOptions& opts);
std::string render_json(const ScanReport& r);
std::string render_sarif(const ScanReport& r);

}  // namespace gv
