#include "lockfile/json_error.h"

namespace gv {
namespace {

// Offset of the first byte that is not valid UTF-8 (simdjson says only that
// there is one). Cold path: runs once per rejected file.
size_t first_invalid_utf8(std::string_view s) {
  size_t i = 0;
  auto cont = [&](size_t j) { return j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80; };
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 && c >= 0xC2 ? 2 : (c & 0xF0) == 0xE0 ? 3
             : (c & 0xF8) == 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0) return i;
    for (size_t k = 1; k < n; ++k)
      if (!cont(i + k)) return i;
    i += n;
  }
  return s.size();
}

size_t end_of_content(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == '\t')) --n;
  return n;
}

}  // namespace

std::string json_pointer_token(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

Error invalid_json(const std::string& path, std::string_view text, simdjson::error_code e,
                   const char* where) {
  Error err{path, 0, 0, std::string("invalid JSON: ") + simdjson::error_message(e)};
  if (e == simdjson::EMPTY) {
    err.what = "invalid JSON: the file is empty";
    return err;
  }
  size_t off = std::string_view::npos;
  if (where != nullptr && where >= text.data() && where <= text.data() + text.size()) {
    off = static_cast<size_t>(where - text.data());
  } else if (e == simdjson::UTF8_ERROR) {
    off = first_invalid_utf8(text);
  } else if (e == simdjson::INCOMPLETE_ARRAY_OR_OBJECT || e == simdjson::TAPE_ERROR ||
             e == simdjson::UNCLOSED_STRING || e == simdjson::OUT_OF_BOUNDS) {
    off = end_of_content(text);
    err.what += " (the file looks truncated)";
  }
  if (off != std::string_view::npos) {
    LineCol lc = line_col_at(text, off);
    err.line = lc.line;
    err.col = lc.col;
  }
  return err;
}

Error shape_error(const std::string& path, std::string_view text, size_t offset,
                  std::string_view pointer, std::string_view expected) {
  LineCol lc = line_col_at(text, offset);
  std::string what(pointer.empty() ? "/" : pointer);
  what += ": expected ";
  what += expected;
  return Error{path, lc.line, lc.col, std::move(what)};
}

simdjson::ondemand::parser& thread_ondemand_parser() {
  thread_local simdjson::ondemand::parser parser;
  return parser;
}

}  // namespace gv
