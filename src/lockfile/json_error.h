// Turning simdjson failures into errors a user can act on: "invalid JSON"
// with the best line:col simdjson lets us know, and shape errors that name the
// offending field as a JSON pointer ("/packages/node_modules~1foo/version:
// expected a string") at the line of its key.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "common/error.h"
#include "common/file.h"

namespace gv {

// One JSON pointer reference token: '~' -> "~0", '/' -> "~1" (RFC 6901).
std::string json_pointer_token(std::string_view key);

// `where` is simdjson's current location when it could tell, else nullptr:
// then truncation errors point at the end of the text, UTF-8 errors at the
// first invalid byte, and anything else has no line.
Error invalid_json(const std::string& path, std::string_view text, simdjson::error_code e,
                   const char* where);

// `offset` is the byte offset of the field's key; `pointer` the JSON pointer.
Error shape_error(const std::string& path, std::string_view text, size_t offset,
                  std::string_view pointer, std::string_view expected);

// The parser reused by every on-demand parse on this thread: its buffers are
// sized to the largest document seen, so steady-state parsing allocates nothing.
simdjson::ondemand::parser& thread_ondemand_parser();

}  // namespace gv

// Callers hand parsers text inside a FileBuffer (common/file.h), padded for
// simdjson; the padding must be at least what simdjson reads past the end.
static_assert(gv::kReadPadding >= simdjson::SIMDJSON_PADDING, "FileBuffer padding too small for simdjson");
