// Rules back to JSON: the one writer behind `rules new` and `rules import`,
// so whatever we write is what the loader reads (a test round-trips it).
// Output is deterministic (fixed key order, 2-space indent, trailing newline),
// which makes re-imports idempotent and diffs in a rules repository small.
#pragma once

#include <string>
#include <vector>

#include "rules/rule.h"

namespace gv {

// {"schema_version":"1.0.0","rules":[...]} with empty optional fields left out.
std::string rule_document_json(const std::vector<Rule>& rules);

// The same through one nlohmann DOM of the whole document: the reference the
// streamed writer is tested against.
std::string rule_document_json_dom(const std::vector<Rule>& rules);

}  // namespace gv
