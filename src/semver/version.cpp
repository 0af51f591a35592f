// Versions: strict SemVer 2.0.0 as node-semver's valid() reads it, and
// node-semver's compare(). Build metadata is kept but never compared.
#include <algorithm>
#include <charconv>

#include "semver/semver.h"
#include "semver/text.h"

namespace gv::semver {
namespace detail {
namespace {

// A numeric main component: "0" or a digit string without leading zero,
// no larger than MAX_SAFE_INTEGER.
bool parse_component(std::string_view s, uint64_t* out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  if (!std::all_of(s.begin(), s.end(), is_digit)) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size() && *out <= kMaxSafeInteger;
}

// A dot-separated list of non-empty [0-9A-Za-z-] identifiers.
bool valid_identifier_list(std::string_view s) {
  if (s.empty()) return false;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      if (i == start) return false;
      start = i + 1;
    } else if (!is_ident_char(s[i])) {
      return false;
    }
  }
  return true;
}

bool parse_prerelease(std::string_view s, std::vector<Identifier>* out) {
  if (!valid_identifier_list(s)) return false;
  while (true) {
    std::size_t dot = s.find('.');
    std::string_view id = s.substr(0, dot);
    Identifier ident;
    if (std::all_of(id.begin(), id.end(), is_digit)) {
      // SemVer forbids leading zeros in numeric identifiers ("01").
      if (id.size() > 1 && id[0] == '0') return false;
      ident.numeric = true;
      auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), ident.number);
      if (ec != std::errc() || ptr != id.data() + id.size()) {
        // Too big for 64 bits: keep the digits; compare() orders them by value.
        ident.number = UINT64_MAX;
        ident.text = std::string(id);
      }
    } else {
      ident.text = std::string(id);
    }
    out->push_back(std::move(ident));
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return true;
}

}  // namespace

bool parse_plain(std::string_view text, Version* out) {
  if (text.size() > kMaxLength) return false;
  if (!text.empty() && text.front() == 'v') text.remove_prefix(1);
  std::string_view build, pre;
  if (auto plus = text.find('+'); plus != std::string_view::npos) {
    build = text.substr(plus + 1);
    text = text.substr(0, plus);
    if (!valid_identifier_list(build)) return false;
  }
  if (auto dash = text.find('-'); dash != std::string_view::npos) {
    pre = text.substr(dash + 1);
    text = text.substr(0, dash);
    if (pre.empty()) return false;
  }
  auto dot1 = text.find('.');
  if (dot1 == std::string_view::npos) return false;
  auto dot2 = text.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return false;
  Version v;
  if (!parse_component(text.substr(0, dot1), &v.major) ||
      !parse_component(text.substr(dot1 + 1, dot2 - dot1 - 1), &v.minor) ||
      !parse_component(text.substr(dot2 + 1), &v.patch)) {
    return false;
  }
  if (!pre.empty() && !parse_prerelease(pre, &v.prerelease)) return false;
  v.build = std::string(build);
  *out = std::move(v);
  return true;
}

}  // namespace detail

std::optional<Version> parse_version(std::string_view text) {
  // node-semver checks the length before trimming.
  if (text.size() > detail::kMaxLength) return std::nullopt;
  text = detail::trim(text);
  // Deliberate extension over node-semver's valid(): a leading "=" as in
  // "=1.2.3", which rule authors copy from ranges (loose mode allows it).
  if (!text.empty() && text.front() == '=') text = detail::trim(text.substr(1));
  Version v;
  if (!detail::parse_plain(text, &v)) return std::nullopt;
  return v;
}

namespace {

std::size_t digit_count(uint64_t n) {
  std::size_t d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

// node-semver's compareIdentifiers: numeric < alphanumeric, numbers by value,
// text by ASCII order.
int compare_identifier(const Identifier& a, const Identifier& b) {
  if (a.numeric != b.numeric) return a.numeric ? -1 : 1;
  if (!a.numeric) return a.text < b.text ? -1 : (a.text == b.text ? 0 : 1);
  bool abig = !a.text.empty(), bbig = !b.text.empty();
  if (!abig && !bbig) return a.number < b.number ? -1 : (a.number == b.number ? 0 : 1);
  // At least one exceeds 64 bits; neither has leading zeros, so more digits
  // means larger, and equal lengths compare as text.
  std::size_t alen = abig ? a.text.size() : digit_count(a.number);
  std::size_t blen = bbig ? b.text.size() : digit_count(b.number);
  if (alen != blen) return alen < blen ? -1 : 1;
  return a.text < b.text ? -1 : (a.text == b.text ? 0 : 1);
}

int cmp3(uint64_t a, uint64_t b) { return a < b ? -1 : (a == b ? 0 : 1); }

}  // namespace

int compare(const Version& a, const Version& b) {
  if (int c = cmp3(a.major, b.major)) return c;
  if (int c = cmp3(a.minor, b.minor)) return c;
  if (int c = cmp3(a.patch, b.patch)) return c;
  // A release sorts after all of its prereleases.
  if (a.prerelease.empty() || b.prerelease.empty()) {
    return a.prerelease.empty() == b.prerelease.empty() ? 0 : (a.prerelease.empty() ? 1 : -1);
  }
  std::size_t n = std::min(a.prerelease.size(), b.prerelease.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (int c = compare_identifier(a.prerelease[i], b.prerelease[i])) return c;
  }
  // A shorter prefix sorts first: 1.0.0-alpha < 1.0.0-alpha.1.
  return cmp3(a.prerelease.size(), b.prerelease.size());
}

std::string Version::str() const {
  std::string s = std::to_string(major) + '.' + std::to_string(minor) + '.' + std::to_string(patch);
  for (std::size_t i = 0; i < prerelease.size(); ++i) {
    s += i == 0 ? '-' : '.';
    const Identifier& id = prerelease[i];
    s += id.numeric && id.text.empty() ? std::to_string(id.number) : id.text;
  }
  return s;
}

}  // namespace gv::semver
