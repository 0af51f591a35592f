#include "rules/json_text.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace gv {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_escaped(std::string* out, unsigned char c) {
  *out += "\\x";
  *out += kHex[c >> 4];
  *out += kHex[c & 15];
}

// nlohmann's message without its "[json.exception...] parse error at line 1,
// column 2: syntax error while parsing object - " preamble (we print our own
// position), with raw bytes it quotes made printable.
std::string parse_error_message(const std::string& what) {
  std::string_view m = what;
  if (size_t p = m.find(": "); p != std::string_view::npos) m.remove_prefix(p + 2);
  if (m.starts_with("syntax error while parsing ")) {
    if (size_t p = m.find(" - "); p != std::string_view::npos) m.remove_prefix(p + 3);
  }
  std::string out;
  for (char c : m) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F)
      append_escaped(&out, u);
    else
      out += c;
  }
  return out;
}

// nlohmann as a validating SAX parser with no DOM: it decides what is JSON
// (and where it is not), the position tree carries the values.
class SyntaxCheck final : public nlohmann::json::json_sax_t {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t byte, const std::string&, const nlohmann::detail::exception& e) override {
    byte_ = byte;
    message_ = parse_error_message(e.what());
    return false;
  }
  size_t byte() const { return byte_; }
  const std::string& message() const { return message_; }

 private:
  size_t byte_ = 0;
  std::string message_;
};

// The number of `len` digits at `pos` if within [lo, hi], else -1.
int number_at(std::string_view s, size_t pos, size_t len, int lo, int hi) {
  if (pos + len > s.size()) return -1;
  int v = 0;
  for (size_t k = 0; k < len; ++k) {
    const char c = s[pos + k];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v >= lo && v <= hi ? v : -1;
}

}  // namespace

std::optional<Error> check_json_syntax(std::string_view text, const std::string& file, const JsonPositions& pos) {
  if (pos.known_valid()) return std::nullopt;
  SyntaxCheck syntax;
  if (nlohmann::json::sax_parse(text.data(), text.data() + text.size(), &syntax)) return std::nullopt;
  // `byte` counts from 1 and points at the offending character, or one past
  // the end of the text for a truncated document.
  LineCol lc = line_col_at(text, syntax.byte() > 0 ? syntax.byte() - 1 : 0);
  return Error{file, lc.line, lc.col, "invalid JSON: " + syntax.message()};
}

bool is_date(std::string_view s) {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
  const int year = number_at(s, 0, 4, 0, 9999), month = number_at(s, 5, 2, 1, 12), day = number_at(s, 8, 2, 1, 31);
  if (year < 0 || month < 0 || day < 0) return false;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] && !(month == 2 && day == 29 && !leap);
}

bool is_rfc3339(std::string_view s) {
  if (s.size() < 20 || !is_date(s)) return false;
  if ((s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':') return false;
  if (number_at(s, 11, 2, 0, 23) < 0 || number_at(s, 14, 2, 0, 59) < 0 || number_at(s, 17, 2, 0, 60) < 0) return false;
  size_t i = 19;
  if (s[i] == '.') {
    const size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  if (i == s.size()) return false;
  if (s[i] == 'Z' || s[i] == 'z') return i + 1 == s.size();
  if (s[i] != '+' && s[i] != '-') return false;
  return i + 6 == s.size() && number_at(s, i + 1, 2, 0, 23) >= 0 && s[i + 3] == ':' &&
         number_at(s, i + 4, 2, 0, 59) >= 0;
}

std::string shown(std::string_view s) {
  constexpr size_t kMax = 80;
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F)
      append_escaped(&out, c);
    else
      out += static_cast<char>(c);
  }
  if (s.size() > kMax) out += "...";
  out += "'";
  return out;
}

}  // namespace gv
