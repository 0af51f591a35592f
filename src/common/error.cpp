#include "common/error.h"

#include <algorithm>
#include <cstring>

namespace gv {

std::string Error::str() const {
  std::string out = file;
  if (line > 0) {
    out += ':' + std::to_string(line);
    if (col > 0) out += ':' + std::to_string(col);
  }
  if (!out.empty()) out += ": ";
  out += what;
  return out;
}

LineCol line_col_at(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  LineCol lc;
  const char* p = text.data();
  const char* end = p + offset;
  const char* line_start = p;
  // memchr is vectorised by glibc; this runs only for findings and errors.
  while (const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p))) {
    ++lc.line;
    p = static_cast<const char*>(nl) + 1;
    line_start = p;
  }
  lc.col = static_cast<uint32_t>(end - line_start) + 1;
  return lc;
}

}  // namespace gv
