// What the rule loader and the feed importers both need of untrusted JSON
// text: one syntax check with nlohmann's wording, RFC 3339 dates, and values
// quoted safely in messages. One copy, so both report the same way.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "rules/json_positions.h"

namespace gv {

// nullopt when `text` is JSON. `pos` (built over the same text) settles most
// documents by itself; nlohmann decides the rest and words the error,
// "file:line:col: invalid JSON: ...".
std::optional<Error> check_json_syntax(std::string_view text, const std::string& file, const JsonPositions& pos);

// YYYY-MM-DD with a day that exists.
bool is_date(std::string_view s);
// RFC 3339 section 5.6 date-time: 2026-04-01T12:00:00Z, with optional
// fraction and a numeric offset; 't'/'z' accepted as the RFC allows.
bool is_rfc3339(std::string_view s);

// Untrusted text quoted for a message: control bytes shown as \xNN so an
// error message cannot move the cursor of the terminal printing it, and
// long values cut so one bad 1 MB string does not flood the log.
std::string shown(std::string_view s);

}  // namespace gv
