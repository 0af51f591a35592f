// The yarn.lock (classic, v1) line scanner shared by the package parser (hot
// path) and dependency_paths() (slow path).
//
// yarn 1 writes its own indentation format, not YAML:
//
//   # yarn lockfile v1
//
//   "@babel/core@^7.0.0", "@babel/core@^7.1.0":      <- header: specifiers, ':'
//     version "7.1.2"                                 <- depth 1: key value
//     resolved "https://registry.yarnpkg.com/...#sha"
//     integrity sha512-...                            <- values may be unquoted
//     dependencies:                                   <- depth 1: block opener
//       debug "^4.1.0"                                <- depth 2: name range
//
// Two spaces per level; strings are quoted when they hold anything beyond
// [A-Za-z0-9/.@^~<>=*-] (scoped names, URLs, spaces). The scanner is one
// forward pass over the buffer, a line at a time (memchr for the newline),
// handing views into the buffer to a visitor; nothing is allocated per line
// or per entry except the specifier table used to refuse duplicates, which
// grows geometrically (amortised, not per package).
//
// Decisions (yarn's own tokenizer is looser; these refuse what yarn never
// writes, with a message that says where):
// - CRLF line endings are accepted (yarn accepts them too).
// - A tab in the indentation is an error: yarn 1 counts only spaces, so a
//   tab-indented file is hand-edited and its nesting is ambiguous.
// - Odd indentation, or a line nested deeper than the line above opens, is an
//   error.
// - A specifier (name@range) in two entries is an error naming both lines:
//   yarn would silently keep the last one, hiding a package from the scan.
// - An entry without "version" is an error at its header.
// - Bytes that are not UTF-8, and control characters inside tokens, are errors.
// - Quoted strings are handed over raw (escapes are skipped, not decoded):
//   npm names, ranges and versions never contain backslashes or quotes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gv::yarn_classic {

struct ScanError {
  size_t offset = 0;  // byte offset the message is about
  std::string what;
};

// One entry, handed to the visitor once its last field has been read.
struct Entry {
  std::string_view header;      // the header line without indentation, ':' and comment
  std::string_view first_spec;  // the first specifier, unquoted ("@s/x@^1.0.0")
  size_t offset = 0;            // byte offset of the header line
  uint32_t line = 0;            // 1-based line of the header
  std::string_view version;
  std::string_view resolved;
};

enum class Block : uint8_t { kNone, kDependencies, kOptionalDependencies, kOther };

// Splits "name@range" (name possibly scoped) at the version '@'. The scanner
// only accepts specifiers that have one.
inline void split_spec(std::string_view spec, std::string_view* name, std::string_view* range) {
  size_t at = spec.find('@', 1);
  if (at == std::string_view::npos) at = spec.size();
  *name = spec.substr(0, at);
  *range = at < spec.size() ? spec.substr(at + 1) : std::string_view{};
}

// Splits a header into its specifiers, unquoted. The header must have been
// accepted by the scanner (Entry::header). Calls fn(spec) for each.
template <class F>
void for_each_spec(std::string_view header, F&& fn) {
  size_t i = 0, n = header.size();
  while (i < n) {
    while (i < n && (header[i] == ' ' || header[i] == ',')) ++i;
    if (i >= n) break;
    if (header[i] == '"') {
      size_t j = i + 1;
      while (j < n && header[j] != '"') j += header[j] == '\\' ? 2 : 1;
      fn(header.substr(i + 1, std::min(j, n) - i - 1));
      i = j + 1;
    } else {
      size_t j = i;
      while (j < n && header[j] != ',' && header[j] != ' ') ++j;
      fn(header.substr(i, j - i));
      i = j;
    }
  }
}

// Open-addressing set of specifiers (views into the file) -> header line,
// used to refuse a specifier that appears in two entries.
class SpecTable {
 public:
  explicit SpecTable(size_t expected) {
    size_t cap = 64;
    while (cap < expected * 2) cap <<= 1;
    slots_.resize(cap);
  }
  // Returns 0 when inserted, else the line it was first seen on.
  uint32_t insert(std::string_view key, uint32_t line) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    size_t mask = slots_.size() - 1;
    for (size_t h = hash(key) & mask;; h = (h + 1) & mask) {
      Slot& s = slots_[h];
      if (s.line == 0) {
        s = Slot{key, line};
        ++size_;
        return 0;
      }
      if (s.key == key) return s.line;
    }
  }

 private:
  struct Slot {
    std::string_view key;
    uint32_t line = 0;  // 0 = empty (lines are 1-based)
  };
  static size_t hash(std::string_view s) {
    // FNV-1a: specifiers are short, a few dozen bytes.
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return static_cast<size_t>(h ^ (h >> 29));
  }
  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.resize(old.size() * 2);
    size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.line == 0) continue;
      size_t h = hash(s.key) & mask;
      while (slots_[h].line != 0) h = (h + 1) & mask;
      slots_[h] = s;
    }
  }
  std::vector<Slot> slots_;
  size_t size_ = 0;
};

// Index of the first byte that is not valid UTF-8, or npos.
size_t first_invalid_utf8(std::string_view text);

// Visitor interface (duck-typed, so the hot path inlines):
//   void spec(std::string_view spec);                 each header specifier,
//   unquoted void dep(Block b, std::string_view name, std::string_view range);
//                                                     a depth-2 scalar inside a
//                                                     block of the entry
//   bool entry(const Entry& e, ScanError* err);       the entry is complete;
//   false stops
template <class Visitor>
class Scanner {
 public:
  Scanner(std::string_view text, Visitor& v)
      : text_(text), p_(text.data()), v_(v), specs_(text.size() / 160) {}

  std::optional<ScanError> run() {
    if (size_t bad = first_invalid_utf8(text_); bad != std::string_view::npos)
      return ScanError{bad, "not UTF-8: invalid byte sequence (a yarn.lock is UTF-8 text)"};
    size_t pos = 0, n = text_.size();
    if (text_.starts_with("\xEF\xBB\xBF")) pos = 3;  // a BOM from an editor
    while (pos < n) {
      ++line_;
      const void* nl = std::memchr(p_ + pos, '\n', n - pos);
      size_t end = nl != nullptr ? static_cast<size_t>(static_cast<const char*>(nl) - p_) : n;
      size_t next = nl != nullptr ? end + 1 : n;
      if (end > pos && p_[end - 1] == '\r') --end;
      line_start_ = pos;
      if (!scan_line(pos, end)) return std::move(err_);
      pos = next;
    }
    if (in_entry_ && !finish_entry()) return std::move(err_);
    return std::nullopt;
  }

 private:
  bool fail(size_t off, std::string what) {
    err_ = ScanError{off, std::move(what)};
    return false;
  }
  static bool is_space(char c) { return c == ' ' || c == '\t'; }
  size_t skip_spaces(size_t i, size_t e) const {
    while (i < e && is_space(p_[i])) ++i;
    return i;
  }
  // After the last token: only spaces and a comment may follow.
  bool expect_end(size_t i, size_t e, const char* after) {
    i = skip_spaces(i, e);
    if (i < e && p_[i] != '#') return fail(i, std::string("unexpected text after ") + after);
    return true;
  }

  // A quoted or bare string starting at i; on success i is past it.
  bool token(size_t& i, size_t e, std::string_view* out, const char* what) {
    if (i >= e) return fail(i, std::string("expected ") + what + ", found the end of the line");
    if (p_[i] == '"') {
      size_t j = i + 1;
      for (;;) {
        if (j >= e)
          return fail(i, std::string("unterminated string (") + what + "): no closing '\"' on this line");
        unsigned char c = static_cast<unsigned char>(p_[j]);
        if (c == '"') break;
        if (c == '\\') {
          j += 2;
          continue;
        }
        if (c < 0x20 && c != '\t') return fail(j, "control character in a string");
        ++j;
      }
      *out = std::string_view(p_ + i + 1, j - i - 1);
      i = j + 1;
      return true;
    }
    size_t j = i;
    while (j < e) {
      unsigned char c = static_cast<unsigned char>(p_[j]);
      if (c == ':' || c == ' ' || c == ',' || c == '#' || c < 0x20) break;
      ++j;
    }
    if (j == i) {
      unsigned char c = static_cast<unsigned char>(p_[i]);
      if (c < 0x20 && c != '\t')
        return fail(i, "control character where " + std::string(what) + " was expected");
      return fail(i, std::string("expected ") + what + ", found '" + p_[i] + "'");
    }
    *out = std::string_view(p_ + i, j - i);
    i = j;
    return true;
  }

  bool scan_line(size_t pos, size_t e) {
    size_t i = pos;
    while (i < e && p_[i] == ' ') ++i;
    if (i == e) return true;  // blank line
    char c = p_[i];
    if (c == '#') return true;  // comment
    if (c == '\t') {
      // Whitespace-only lines are harmless; tabs before content are not.
      size_t k = skip_spaces(i, e);
      if (k == e) return true;
      return fail(i,
                  "tab in indentation: yarn.lock is indented with two "
                  "spaces per level");
    }
    size_t spaces = i - pos;
    if ((spaces & 1) != 0)
      return fail(i, "odd indentation (" + std::to_string(spaces) +
                         " spaces): yarn.lock is indented with two spaces per level");
    size_t depth = spaces / 2;
    if (depth > max_depth_) {
      if (max_depth_ == 0 && !in_entry_) return fail(i, "indented line before the first entry header");
      return fail(i, "unexpected indentation: nested deeper than the line above opens");
    }
    if (depth == 0) return header(i, e);
    return field(depth, i, e);
  }

  bool header(size_t i, size_t e) {
    if (in_entry_ && !finish_entry()) return false;
    size_t start = i;
    cur_ = Entry{};
    cur_.offset = start;
    cur_.line = line_;
    have_version_ = false;
    block_ = Block::kNone;
    bool first = true;
    for (;;) {
      size_t tok = i;
      std::string_view spec;
      if (!token(i, e, &spec, "a specifier (name@range)")) return false;
      size_t at = spec.find('@', 1);
      if (at == std::string_view::npos || at == 0)
        return fail(tok, "specifier \"" + std::string(spec) +
                             "\" is not name@range (an entry header lists the "
                             "specifiers it resolves)");
      if (uint32_t prev = specs_.insert(spec, line_); prev != 0)
        return fail(tok, "duplicate specifier \"" + std::string(spec) + "\": also in the entry on line " +
                             std::to_string(prev) + " (yarn would keep only one of them)");
      if (first) cur_.first_spec = spec;
      first = false;
      v_.spec(spec);
      i = skip_spaces(i, e);
      if (i < e && p_[i] == ',') {
        i = skip_spaces(i + 1, e);
        continue;
      }
      if (i < e && p_[i] == ':') {
        cur_.header = std::string_view(p_ + start, i - start);
        ++i;
        break;
      }
      if (i >= e) return fail(i, "entry header does not end with ':'");
      return fail(i, std::string("expected ',' or ':' after a specifier, found '") + p_[i] + "'");
    }
    if (!expect_end(i, e, "the entry header's ':'")) return false;
    in_entry_ = true;
    max_depth_ = 1;
    return true;
  }

  bool field(size_t depth, size_t i, size_t e) {
    std::string_view key, value;
    size_t key_off = i;
    if (!token(i, e, &key, "a field name")) return false;
    i = skip_spaces(i, e);
    bool block = false;
    if (i < e && p_[i] == ':') {
      i = skip_spaces(i + 1, e);
      block = i >= e || p_[i] == '#';
    } else if (i >= e || p_[i] == '#') {
      return fail(key_off, "field \"" + std::string(key) + "\" has no value");
    }
    if (!block) {
      if (!token(i, e, &value, "a value")) return false;
      if (!expect_end(i, e, "the value")) return false;
      max_depth_ = depth;
    } else {
      max_depth_ = depth + 1;
    }
    if (depth == 1) {
      block_ = Block::kNone;
      if (block) {
        block_ = key == "dependencies"           ? Block::kDependencies
                 : key == "optionalDependencies" ? Block::kOptionalDependencies
                                                 : Block::kOther;
        if (key == "version" || key == "resolved")
          return fail(key_off, "field \"" + std::string(key) + "\" must be a string, not a block");
      } else if (key == "version") {
        cur_.version = value;
        have_version_ = true;
      } else if (key == "resolved") {
        cur_.resolved = value;
      }
    } else if (depth == 2 && !block &&
               (block_ == Block::kDependencies || block_ == Block::kOptionalDependencies)) {
      v_.dep(block_, key, value);
    }
    return true;
  }

  bool finish_entry() {
    in_entry_ = false;
    if (!have_version_)
      return fail(cur_.offset, "entry \"" + std::string(cur_.first_spec) +
                                   "\" has no \"version\" field (is the file truncated?)");
    return v_.entry(cur_, &err_);
  }

  std::string_view text_;
  const char* p_;
  Visitor& v_;
  SpecTable specs_;
  Entry cur_;
  Block block_ = Block::kNone;
  bool in_entry_ = false;
  bool have_version_ = false;
  size_t max_depth_ = 0;
  size_t line_start_ = 0;
  uint32_t line_ = 0;
  ScanError err_;
};

}  // namespace gv::yarn_classic
