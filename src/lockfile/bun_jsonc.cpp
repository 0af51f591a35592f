// One linear pass: outside strings only '"', ',' and '/' matter; inside a
// string only the closing quote does (memchr finds it; a quote preceded by
// an odd run of backslashes is escaped). A comma is remembered and blanked
// when the next significant byte (comments skipped) closes an object or an
// array.
#include "lockfile/bun_jsonc.h"

#include <array>
#include <cstring>

namespace gv {
namespace {

// Bytes the scanner must look at outside strings; everything else is copied.
constexpr std::array<bool, 256> kSpecial = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : {'"', ',', '/', '}', ']'}) t[c] = true;
  return t;
}();

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

StrictJson jsonc_to_json(std::string_view text, size_t padding) {
  StrictJson out;
  out.size = text.size();
  out.buf.reset(new char[text.size() + padding]);
  char* b = out.buf.get();
  std::memcpy(b, text.data(), text.size());
  std::memset(b + text.size(), 0, padding);

  const char* s = text.data();
  const size_t n = text.size();
  size_t comma = SIZE_MAX;  // a comma not yet followed by a significant byte
  size_t i = 0;
  while (i < n) {
    auto c = static_cast<unsigned char>(s[i]);
    if (!kSpecial[c]) {
      if (comma != SIZE_MAX && !is_space(static_cast<char>(c))) comma = SIZE_MAX;
      ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && (s[i + 1] == '/' || s[i + 1] == '*')) {
      size_t end;
      if (s[i + 1] == '/') {
        const void* nl = std::memchr(s + i + 2, '\n', n - i - 2);
        end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - s) : n;
      } else {
        end = n;
        for (size_t j = i + 2; j + 1 < n; ++j)
          if (s[j] == '*' && s[j + 1] == '/') {
            end = j + 2;
            break;
          }
      }
      // Newlines inside a block comment are kept (harmless whitespace).
      for (size_t j = i; j < end; ++j)
        if (b[j] != '\n' && b[j] != '\r') b[j] = ' ';
      i = end;
      continue;
    }
    if ((c == '}' || c == ']') && comma != SIZE_MAX) b[comma] = ' ';
    comma = c == ',' ? i : SIZE_MAX;
    if (c == '"') {
      size_t j = i + 1;
      for (;;) {
        const void* q = j < n ? std::memchr(s + j, '"', n - j) : nullptr;
        if (q == nullptr) return out;  // unterminated: the parser says so
        size_t k = static_cast<size_t>(static_cast<const char*>(q) - s);
        size_t bs = 0;
        while (k - bs > i + 1 && s[k - bs - 1] == '\\') ++bs;
        j = k + 1;
        if (bs % 2 == 0) break;
      }
      i = j;
      continue;
    }
    ++i;
  }
  return out;
}

}  // namespace gv
