// Ranges: node-semver's desugaring pipeline, then interval arithmetic.
//
// node-semver turns a range into comparators by a fixed series of string
// rewrites (classes/range.js): collapse whitespace, split on "||", strip build
// metadata, expand a hyphen range, glue operators to their versions, expand
// carets, tildes, x-ranges and stars, then parse each word as a comparator.
// Which strings are valid ranges, and what odd ones mean ("*1.2.3" is
// "1.2.3", "1.2.3 ||" is "*"), falls out of that order, so we follow the same
// steps with hand-written linear scanners instead of regular expressions.
// Each step below names the node-semver step it reproduces.
//
// Once parsed, each comparator set is intersected into one interval of the
// total order of versions and the union is sorted and merged. satisfies() and
// intersects() are then plain interval tests that allocate nothing.
// Intervals are treated as dense, as node-semver's Comparator.intersects
// does: ">1.0.0 <1.0.1-0" intersects other ranges even though no version lies
// strictly between 1.0.0 and 1.0.1-0.
#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

#include "semver/semver.h"
#include "semver/text.h"

namespace gv::semver {
namespace {

using detail::is_digit;
using detail::is_ident_char;
using detail::is_letter;

bool is_space(char c) { return c == ' '; }  // whitespace is collapsed to ' ' first
bool is_x(std::string_view id) { return id.empty() || id == "x" || id == "X" || id == "*"; }
bool is_version_prefix(char c) { return c == 'v' || c == '=' || is_space(c); }
bool is_version_start(char c) { return is_digit(c) || c == 'x' || c == 'X' || c == '*'; }

std::vector<std::string_view> split_spaces(std::string_view s) {
  // JavaScript's s.trim().split(/\s+/): "" gives {""}.
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && !is_space(s[i])) continue;
    if (i > start || out.empty()) out.push_back(s.substr(start, i - start));
    start = i + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += ' ';
    out += parts[i];
  }
  return out;
}

// `+M + 1` in node-semver. Components above MAX_SAFE_INTEGER make the range
// invalid there, so anything that would overflow becomes a number the final
// comparator parse rejects.
std::string inc(std::string_view digits) {
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || n >= detail::kMaxSafeInteger) {
    return std::to_string(detail::kMaxSafeInteger + 1);
  }
  return std::to_string(n + 1);
}

// ---------------------------------------------------------------------------
// The XRANGEPLAIN grammar: M(.m(.p(-pre)?(+build)?)?)? where each part is a
// strict number or x/X/*. Used by carets, tildes, x-ranges and hyphens.
struct XPlain {
  std::string_view major, minor, patch, pre;  // empty = absent
};

// Strict prerelease "-a.b" at s[i]; returns the end or i when absent.
std::size_t scan_prerelease_strict(std::string_view s, std::size_t i);

std::size_t scan_build(std::string_view s, std::size_t i) {
  if (i >= s.size() || s[i] != '+') return i;
  std::size_t end = i + 1;
  while (end < s.size() && is_ident_char(s[end])) ++end;
  if (end == i + 1) return i;
  while (end < s.size() && s[end] == '.') {
    std::size_t next = end + 1;
    while (next < s.size() && is_ident_char(s[next])) ++next;
    if (next == end + 1) break;
    end = next;
  }
  return end;
}

// One strict prerelease identifier: alphanumeric (has a letter or '-') or a
// number without leading zero. Returns the end, or i when none.
std::size_t scan_pre_ident_strict(std::string_view s, std::size_t i) {
  std::size_t d = i;
  while (d < s.size() && is_digit(s[d])) ++d;
  if (d < s.size() && (is_letter(s[d]) || s[d] == '-')) {
    ++d;
    while (d < s.size() && is_ident_char(s[d])) ++d;
    return d;
  }
  if (d == i) return i;
  return s[i] == '0' ? i + 1 : d;
}

std::size_t scan_prerelease_strict(std::string_view s, std::size_t i) {
  if (i >= s.size() || s[i] != '-') return i;
  std::size_t end = scan_pre_ident_strict(s, i + 1);
  if (end == i + 1) return i;
  while (end < s.size() && s[end] == '.') {
    std::size_t next = scan_pre_ident_strict(s, end + 1);
    if (next == end + 1) break;
    end = next;
  }
  return end;
}

// An x-range component at s[i]: "0", [1-9][0-9]*, x, X or *.
std::size_t scan_xid(std::string_view s, std::size_t i) {
  if (i >= s.size()) return i;
  if (s[i] == 'x' || s[i] == 'X' || s[i] == '*') return i + 1;
  if (s[i] == '0') return i + 1;
  std::size_t e = i;
  while (e < s.size() && is_digit(s[e])) ++e;
  return e;
}

// Matches all of `s` (after any [v=]* prefix already removed) as XRANGEPLAIN.
bool parse_xplain(std::string_view s, XPlain* out) {
  *out = {};
  std::size_t e = scan_xid(s, 0);
  if (e == 0) return false;
  out->major = s.substr(0, e);
  if (e == s.size()) return true;
  if (s[e] != '.') return false;
  std::size_t b = e + 1;
  e = scan_xid(s, b);
  if (e == b) return false;
  out->minor = s.substr(b, e - b);
  if (e == s.size()) return true;
  if (s[e] != '.') return false;
  b = e + 1;
  e = scan_xid(s, b);
  if (e == b) return false;
  out->patch = s.substr(b, e - b);
  std::size_t p = scan_prerelease_strict(s, e);
  if (p != e) out->pre = s.substr(e + 1, p - e - 1);
  return scan_build(s, p) == s.size();
}

std::string_view skip_prefix(std::string_view s) {
  while (!s.empty() && is_version_prefix(s.front())) s.remove_prefix(1);
  return s;
}

// ---------------------------------------------------------------------------
// Step: strip build metadata anywhere (BUILDSTRIPRE, applied globally).
std::string strip_build(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    std::size_t end = scan_build(s, i);
    if (end != i) {
      i = end;
    } else {
      out += s[i++];
    }
  }
  return out;
}

// Step: "1.2.3 - 2.3.4" => ">=1.2.3-0 <2.3.5-0" (HYPHENRANGE + hyphenReplace
// with includePrerelease). The whole comparator set must be the hyphen range.
bool expand_hyphen(std::string_view s, std::string* out) {
  std::size_t i = 0;
  if (i < s.size() && is_space(s[i])) ++i;
  std::size_t from_start = i;
  while (i < s.size() && is_version_prefix(s[i])) ++i;
  std::size_t body = i;
  while (i < s.size() && !is_space(s[i])) ++i;
  std::string_view from_text = s.substr(from_start, i - from_start);
  std::string_view from_body = s.substr(body, i - body);
  if (s.substr(i, 3) != " - ") return false;
  i += 3;
  while (i < s.size() && is_version_prefix(s[i])) ++i;
  body = i;
  while (i < s.size() && !is_space(s[i])) ++i;
  std::string_view to_body = s.substr(body, i - body);
  if (i < s.size() && is_space(s[i])) ++i;
  if (i != s.size()) return false;
  XPlain f, t;
  if (!parse_xplain(from_body, &f) || !parse_xplain(to_body, &t)) return false;

  std::string from, to;
  if (is_x(f.major)) {
  } else if (is_x(f.minor)) {
    from = ">=" + std::string(f.major) + ".0.0-0";
  } else if (is_x(f.patch)) {
    from = ">=" + std::string(f.major) + '.' + std::string(f.minor) + ".0-0";
  } else if (!f.pre.empty()) {
    from = ">=" + std::string(from_text);
  } else {
    from = ">=" + std::string(from_text) + "-0";
  }
  if (is_x(t.major)) {
  } else if (is_x(t.minor)) {
    to = "<" + inc(t.major) + ".0.0-0";
  } else if (is_x(t.patch)) {
    to = "<" + std::string(t.major) + '.' + inc(t.minor) + ".0-0";
  } else if (!t.pre.empty()) {
    to = "<=" + std::string(t.major) + '.' + std::string(t.minor) + '.' + std::string(t.patch) +
         '-' + std::string(t.pre);
  } else {
    to = "<" + std::string(t.major) + '.' + std::string(t.minor) + '.' + inc(t.patch) + "-0";
  }
  *out = from.empty() ? to : (to.empty() ? from : from + ' ' + to);
  return true;
}

// Where a version that starts at s[i] ends, the way node-semver's
// COMPARATORTRIM match would consume it: a loose full version
// (\d+.\d+.\d+, loose prerelease, build) if there is one, else a partial
// x-range. `digits_end[j]` is the end of the digit run at j (precomputed so
// that runs of digits are never rescanned: linear time on hostile input).
std::size_t scan_pre_ident_loose(std::string_view s, std::size_t i,
                                 const std::vector<std::size_t>& digits_end) {
  std::size_t d = i < s.size() ? digits_end[i] : i;
  if (d < s.size() && (is_letter(s[d]) || s[d] == '-')) {
    ++d;
    while (d < s.size() && is_ident_char(s[d])) ++d;
    return d;
  }
  return d;
}

std::size_t version_end(std::string_view s, std::size_t i, const std::vector<std::size_t>& digits_end) {
  std::size_t e = i;
  bool full = true;
  for (int part = 0; part < 3 && full; ++part) {
    std::size_t next = e < s.size() ? digits_end[e] : e;
    if (next == e) full = false;
    e = next;
    if (full && part < 2) {
      if (e >= s.size() || s[e] != '.') full = false;
      ++e;
    }
  }
  if (full) {
    // Loose prerelease: optional '-', identifiers may have leading zeros.
    bool hyphen = e < s.size() && s[e] == '-';
    std::size_t id = e + (hyphen ? 1 : 0);
    std::size_t end = scan_pre_ident_loose(s, id, digits_end);
    if (end == id && hyphen) end = scan_pre_ident_loose(s, e, digits_end);
    if (end != id) {
      while (end < s.size() && s[end] == '.') {
        std::size_t next = scan_pre_ident_loose(s, end + 1, digits_end);
        if (next == end + 1) break;
        end = next;
      }
      e = end;
    }
    return scan_build(s, e);
  }
  auto component = [&](std::size_t j) -> std::size_t {
    if (j >= s.size()) return j;
    if (is_digit(s[j])) return s[j] == '0' ? j + 1 : digits_end[j];
    return is_version_start(s[j]) ? j + 1 : j;
  };
  e = component(i);
  for (int part = 0; part < 2; ++part) {
    if (e >= s.size() || s[e] != '.') return e;
    std::size_t next = component(e + 1);
    if (next == e + 1) return e;
    e = next;
  }
  return scan_build(s, scan_prerelease_strict(s, e));
}

// Step: "> 1.2.3" => ">1.2.3" (COMPARATORTRIM). Removes the one space
// between an operator and the version it governs.
std::string trim_comparator_spaces(std::string_view s) {
  if (s.find(' ') == std::string_view::npos) return std::string(s);  // nothing to remove
  std::vector<std::size_t> digits_end(s.size() + 1, s.size());
  for (std::size_t j = s.size(); j-- > 0;) digits_end[j] = is_digit(s[j]) ? digits_end[j + 1] : j;
  std::vector<bool> drop(s.size(), false);
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t start = i;
    if (s[i] == '<' || s[i] == '>') {
      ++i;
    } else if (!is_version_prefix(s[i]) && !is_version_start(s[i])) {
      ++i;
      continue;
    }
    while (i < s.size() && is_version_prefix(s[i])) ++i;
    if (i >= s.size() || !is_version_start(s[i])) continue;
    std::size_t p = start;
    if (p < s.size() && is_space(s[p])) ++p;
    if (p < s.size() && (s[p] == '<' || s[p] == '>')) ++p;
    if (p < s.size() && s[p] == '=') ++p;
    if (p < s.size() && is_space(s[p])) drop[p] = true;
    i = version_end(s, i, digits_end);
  }
  std::string out;
  out.reserve(s.size());
  for (std::size_t j = 0; j < s.size(); ++j) {
    if (!drop[j]) out += s[j];
  }
  return out;
}

// Steps: "~ 1.2.3" / "~> 1.2.3" => "~1.2.3" (TILDETRIM, which also drops the
// '>'), and "^ 1.2.3" => "^1.2.3" (CARETTRIM).
std::string trim_tilde_caret_spaces(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    out += s[i];
    if (s[i] == '~') {
      std::size_t j = i + 1;
      if (j < s.size() && s[j] == '>') ++j;
      if (j < s.size() && is_space(s[j])) i = j;
    } else if (s[i] == '^' && i + 1 < s.size() && is_space(s[i + 1])) {
      ++i;
    }
  }
  return out;
}

// Step: replaceCaret with includePrerelease.
std::string replace_caret(std::string_view c) {
  if (c.empty() || c[0] != '^') return std::string(c);
  XPlain x;
  if (!parse_xplain(skip_prefix(c.substr(1)), &x)) return std::string(c);
  std::string M(x.major), m(x.minor), p(x.patch);
  if (is_x(M)) return "";
  if (is_x(m)) return ">=" + M + ".0.0-0 <" + inc(M) + ".0.0-0";
  if (is_x(p)) {
    if (M == "0") return ">=" + M + '.' + m + ".0-0 <" + M + '.' + inc(m) + ".0-0";
    return ">=" + M + '.' + m + ".0-0 <" + inc(M) + ".0.0-0";
  }
  std::string lo = ">=" + M + '.' + m + '.' + p + (x.pre.empty() ? "" : "-" + std::string(x.pre));
  if (M == "0" && m == "0") return lo + " <" + M + '.' + m + '.' + inc(p) + "-0";
  if (M == "0") return lo + " <" + M + '.' + inc(m) + ".0-0";
  return lo + " <" + inc(M) + ".0.0-0";
}

// Step: replaceTilde with includePrerelease ("~" and "~>").
std::string replace_tilde(std::string_view c) {
  if (c.empty() || c[0] != '~') return std::string(c);
  std::string_view rest = c.substr(1);
  if (!rest.empty() && rest[0] == '>') rest.remove_prefix(1);
  XPlain x;
  if (!parse_xplain(skip_prefix(rest), &x)) return std::string(c);
  std::string M(x.major), m(x.minor), p(x.patch);
  if (is_x(M)) return "";
  if (is_x(m)) return ">=" + M + ".0.0-0 <" + inc(M) + ".0.0-0";
  if (is_x(p)) return ">=" + M + '.' + m + ".0-0 <" + M + '.' + inc(m) + ".0-0";
  return ">=" + M + '.' + m + '.' + p + (x.pre.empty() ? "" : "-" + std::string(x.pre)) + " <" + M +
         '.' + inc(m) + ".0-0";
}

// Step: replaceXRange with includePrerelease ("1.x", ">1.2", "<=1", "*").
std::string replace_xrange(std::string_view c) {
  std::size_t g = 0;
  if (g < c.size() && (c[g] == '<' || c[g] == '>')) ++g;
  if (g < c.size() && c[g] == '=') ++g;
  std::string gtlt(c.substr(0, g));
  XPlain x;
  if (!parse_xplain(skip_prefix(c.substr(g)), &x)) return std::string(c);
  bool xM = is_x(x.major), xm = xM || is_x(x.minor), xp = xm || is_x(x.patch);
  // "1.x.3" and "x.2" are not x-ranges; left alone they fail to parse later.
  if ((xM && !is_x(x.minor)) || (is_x(x.minor) && !x.patch.empty() && !is_x(x.patch))) {
    return std::string(c);
  }
  if (!xp) return std::string(c);
  if (gtlt == "=") gtlt.clear();
  if (xM) return gtlt == ">" || gtlt == "<" ? "<0.0.0-0" : "*";
  std::string M(x.major), m(xm ? "0" : x.minor);
  if (!gtlt.empty()) {
    if (gtlt == ">") {
      // >1 => >=2.0.0-0, >1.2 => >=1.3.0-0
      gtlt = ">=";
      if (xm) {
        M = inc(M);
      } else {
        m = inc(m);
      }
    } else if (gtlt == "<=") {
      // <=1.2 => <1.3.0-0: every 1.2.x passes.
      gtlt = "<";
      if (xm) {
        M = inc(M);
      } else {
        m = inc(m);
      }
    }
    return gtlt + M + '.' + m + ".0-0";
  }
  if (xm) return ">=" + M + ".0.0-0 <" + inc(M) + ".0.0-0";
  return ">=" + M + '.' + m + ".0-0 <" + M + '.' + inc(m) + ".0-0";
}

// Step: replaceStars: removes the first `[<>]?=?\s?\*` of a word.
std::string replace_first_star(std::string s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::size_t j = i;
    if (s[j] == '<' || s[j] == '>') ++j;
    if (j < s.size() && s[j] == '=') ++j;
    if (j < s.size() && is_space(s[j])) ++j;
    if (j < s.size() && s[j] == '*') {
      s.erase(i, j + 1 - i);
      break;
    }
  }
  // JavaScript trims before replacing; the caller re-splits on spaces.
  return s;
}

enum class Op { kAny, kEq, kGt, kGe, kLt, kLe };
struct Comparator {
  Op op = Op::kAny;
  Version v;
};

// The final COMPARATOR grammar: [<>]?=? then a strict version, or "".
bool parse_comparator(std::string_view c, Comparator* out) {
  if (c.empty()) {
    out->op = Op::kAny;
    return true;
  }
  std::size_t g = 0;
  if (c[g] == '<' || c[g] == '>') ++g;
  if (g < c.size() && c[g] == '=') ++g;
  std::string_view op = c.substr(0, g);
  out->op = op == ">" ? Op::kGt : op == ">=" ? Op::kGe : op == "<" ? Op::kLt : op == "<=" ? Op::kLe : Op::kEq;
  return detail::parse_plain(c.substr(g), &out->v);
}

std::string quote(std::string_view s) {
  constexpr std::size_t kMax = 64;
  std::string q = "'" + std::string(s.substr(0, kMax));
  if (s.size() > kMax) q += "...";
  return q + "'";
}

// One comparator set (the text between "||"), as node-semver's parseRange.
bool parse_set(std::string_view part, std::vector<Comparator>* out, std::string* err) {
  out->clear();
  if (part.empty()) return true;  // "" is "*"; "||" repeated is common in hostile input
  std::string s = strip_build(part);
  std::string hyphen;
  if (expand_hyphen(s, &hyphen)) s = std::move(hyphen);
  s = trim_tilde_caret_spaces(trim_comparator_spaces(s));

  std::vector<std::string> words;
  std::string_view rest = s;
  while (true) {
    std::size_t sp = rest.find(' ');
    std::string_view piece = rest.substr(0, sp);
    // parseComparator: carets, then tildes, then x-ranges on each word the
    // previous step produced, then one star removal for the whole piece.
    std::vector<std::string> a, b, c;
    for (auto w : split_spaces(piece)) a.push_back(replace_caret(w));
    std::string ja = join(a);
    for (auto w : split_spaces(ja)) b.push_back(replace_tilde(w));
    std::string jb = join(b);
    for (auto w : split_spaces(jb)) c.push_back(replace_xrange(w));
    std::string done = replace_first_star(join(c));
    for (auto w : split_spaces(done)) words.emplace_back(w);
    if (sp == std::string_view::npos) break;
    rest.remove_prefix(sp + 1);
  }

  for (const std::string& w : words) {
    // replaceGTE0: ">=0.0.0-0" admits everything.
    if (w.empty() || w == ">=0.0.0-0") continue;
    Comparator comp;
    if (!parse_comparator(w, &comp)) {
      if (err) *err = "invalid comparator " + quote(w);
      return false;
    }
    out->push_back(std::move(comp));
  }
  return true;
}

// --- intervals --------------------------------------------------------------

using Bound = Range::Bound;
using Interval = Range::Interval;

// Lower bounds ordered by where they start: -inf, then by version, an
// inclusive bound before an exclusive one at the same version.
bool lower_before(const Bound& a, const Bound& b) {
  if (a.unbounded || b.unbounded) return a.unbounded && !b.unbounded;
  int c = compare(a.v, b.v);
  return c != 0 ? c < 0 : (a.inclusive && !b.inclusive);
}
// Upper bounds ordered by where they end: an exclusive bound before an
// inclusive one at the same version, +inf last.
bool upper_before(const Bound& a, const Bound& b) {
  if (a.unbounded || b.unbounded) return !a.unbounded && b.unbounded;
  int c = compare(a.v, b.v);
  return c != 0 ? c < 0 : (!a.inclusive && b.inclusive);
}

bool is_lowest_version(const Version& v) {
  // 0.0.0-0 sorts below every other version.
  return v.major == 0 && v.minor == 0 && v.patch == 0 && v.prerelease.size() == 1 &&
         v.prerelease[0].numeric && v.prerelease[0].number == 0 && v.prerelease[0].text.empty();
}

bool empty_between(const Bound& lo, const Bound& hi) {
  if (!hi.unbounded && !hi.inclusive && is_lowest_version(hi.v)) return true;  // "<0.0.0-0"
  if (lo.unbounded || hi.unbounded) return false;
  int c = compare(lo.v, hi.v);
  return c > 0 || (c == 0 && !(lo.inclusive && hi.inclusive));
}

bool below_upper(const Version& v, const Bound& hi) {
  if (hi.unbounded) return true;
  int c = compare(v, hi.v);
  return c < 0 || (c == 0 && hi.inclusive);
}
bool above_lower(const Version& v, const Bound& lo) {
  if (lo.unbounded) return true;
  int c = compare(v, lo.v);
  return c > 0 || (c == 0 && lo.inclusive);
}

Interval to_interval(std::vector<Comparator>& set) {
  Interval in;
  for (Comparator& c : set) {
    Bound b{c.v, c.op == Op::kGe || c.op == Op::kLe || c.op == Op::kEq, false};
    bool lower = c.op == Op::kGt || c.op == Op::kGe || c.op == Op::kEq;
    bool upper = c.op == Op::kLt || c.op == Op::kLe || c.op == Op::kEq;
    if (lower && lower_before(in.lo, b)) in.lo = b;
    if (upper && upper_before(b, in.hi)) in.hi = b;
  }
  return in;
}

}  // namespace

std::optional<Range> Range::parse(std::string_view text, std::string* err) {
  // Collapse whitespace runs to one space and trim, as node-semver does first.
  std::string s;
  s.reserve(text.size());
  for (char ch : text) {
    if (detail::is_space(ch)) {
      if (!s.empty() && s.back() != ' ') s += ' ';
    } else {
      s += ch;
    }
  }
  if (!s.empty() && s.back() == ' ') s.pop_back();

  std::vector<Interval> v;
  std::vector<Comparator> set;
  std::string_view rest = s;
  while (true) {
    std::size_t bar = rest.find("||");
    std::string_view part = detail::trim(rest.substr(0, bar));
    if (!parse_set(part, &set, err)) return std::nullopt;
    Interval in = to_interval(set);
    if (!empty_between(in.lo, in.hi)) v.push_back(std::move(in));
    if (bar == std::string_view::npos) break;
    rest.remove_prefix(bar + 2);
  }

  // Sort and merge into disjoint intervals: exact() and intersects() see the
  // union in its simplest form, and "||" repeated 50,000 times is one interval.
  std::sort(v.begin(), v.end(), [](const Interval& a, const Interval& b) { return lower_before(a.lo, b.lo); });
  std::size_t w = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (w > 0) {
      Interval& last = v[w - 1];
      const Bound& hi = last.hi;
      const Bound& lo = v[i].lo;
      bool touches = hi.unbounded || lo.unbounded || compare(lo.v, hi.v) < 0 ||
                     (compare(lo.v, hi.v) == 0 && (lo.inclusive || hi.inclusive));
      if (touches) {
        if (upper_before(last.hi, v[i].hi)) last.hi = std::move(v[i].hi);
        continue;
      }
    }
    if (w != i) v[w] = std::move(v[i]);
    ++w;
  }
  v.resize(w);
  Range r;
  if (!v.empty()) r.intervals_ = std::make_shared<const std::vector<Interval>>(std::move(v));
  return r;
}

const std::vector<Range::Interval>& Range::intervals() const {
  static const std::vector<Interval> kNone;
  return intervals_ ? *intervals_ : kNone;
}

bool Range::satisfies(const Version& v) const {
  for (const Interval& in : intervals()) {
    if (above_lower(v, in.lo) && below_upper(v, in.hi)) return true;
  }
  return false;
}

bool Range::satisfies(std::string_view version) const {
  auto v = parse_version(version);
  return v && satisfies(*v);
}

bool Range::intersects(const Range& other) const {
  for (const Interval& a : intervals()) {
    for (const Interval& b : other.intervals()) {
      const Bound& lo = lower_before(a.lo, b.lo) ? b.lo : a.lo;
      const Bound& hi = upper_before(a.hi, b.hi) ? a.hi : b.hi;
      if (!empty_between(lo, hi)) return true;
    }
  }
  return false;
}

std::optional<Version> Range::exact() const {
  const std::vector<Interval>& all = intervals();
  if (all.size() != 1) return std::nullopt;
  const Interval& in = all[0];
  if (in.lo.unbounded || in.hi.unbounded || !in.lo.inclusive || !in.hi.inclusive) return std::nullopt;
  if (compare(in.lo.v, in.hi.v) != 0) return std::nullopt;
  Version v = in.lo.v;
  v.build.clear();
  return v;
}

}  // namespace gv::semver
