// Character classes and the strict version grammar shared by version.cpp and
// range.cpp. Internal to the semver layer; not part of its API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "semver/semver.h"

namespace gv::semver::detail {

// node-semver refuses versions longer than this (constants.js MAX_LENGTH)...
inline constexpr std::size_t kMaxLength = 256;
// ...and main components above JavaScript's Number.MAX_SAFE_INTEGER.
inline constexpr uint64_t kMaxSafeInteger = 9007199254740991ULL;

// ASCII whitespace as JavaScript's \s sees it. JavaScript also counts Unicode
// spaces (U+00A0, U+2028, ...); we do not, see docs/semver.md.
inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_ident_char(char c) { return is_digit(c) || is_letter(c) || c == '-'; }

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Parses node-semver's strict FULLPLAIN grammar, `v?M.m.p(-pre)?(+build)?`,
// the whole of `text` (no surrounding spaces, no '='). Enforces the length and
// MAX_SAFE_INTEGER limits node-semver's SemVer constructor applies.
bool parse_plain(std::string_view text, Version* out);

}  // namespace gv::semver::detail
