// bun.lock is JSONC: bun writes a trailing comma after every object member and
// array element, and its reader also accepts // and /* */ comments. simdjson
// reads strict JSON only, so before parsing we copy the text and blank those
// commas and comments out with spaces. Every byte keeps its offset, so
// offsets into the copy are offsets into the file, and line numbers computed
// on the original text stay right.
#pragma once

#include <memory>
#include <string_view>

namespace gv {

// The text with trailing commas and comments replaced by spaces, followed by
// `padding` zero bytes (simdjson reads past the end). Commas, slashes and
// quotes inside strings are data and left alone. An unterminated string or
// comment simply runs to the end: the JSON parser then reports it.
struct StrictJson {
  std::unique_ptr<char[]> buf;
  size_t size = 0;
  std::string_view view() const { return {buf.get(), size}; }
};
StrictJson jsonc_to_json(std::string_view text, size_t padding);

}  // namespace gv
