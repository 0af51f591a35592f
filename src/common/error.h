// Errors as values. Every problem a user can fix names the file, the line and
// column (1-based, 0 when unknown) and what is wrong, formatted the way
// compilers do so editors and CI logs can jump to it: "file:line:col: what".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gv {

struct Error {
  std::string file;
  uint32_t line = 0;
  uint32_t col = 0;
  std::string what;

  // "file:line:col: what", dropping the parts that are unknown.
  std::string str() const;
};

using Errors = std::vector<Error>;

// 1-based line and column of byte `offset` in `text` (column counts bytes).
struct LineCol {
  uint32_t line = 1;
  uint32_t col = 1;
};
LineCol line_col_at(std::string_view text, size_t offset);

}  // namespace gv
