// Small output helpers every command shares: counted nouns and the JSON
// documents (two-space indent, invalid UTF-8 in hostile names replaced
// rather than aborting the output).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

namespace gv {

// "1 rule", "3 rules".
inline std::string count_of(size_t n, const char* singular, const char* plural) {
  return std::to_string(n) + " " + (n == 1 ? singular : plural);
}

// The document as printed, newline included.
inline std::string json_text(const nlohmann::ordered_json& j) {
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace gv
