#include "lockfile/yaml_fast.h"

#include <cstring>

namespace gv {
namespace {

// True if every character is one libyaml reads as itself: printable ASCII,
// '\n', and well-formed UTF-8 for U+00A0..U+10FFFF minus surrogates, U+FEFF
// (BOM), U+2028/U+2029 (line breaks to libyaml) and U+FFFE/U+FFFF. Tabs, CR,
// NEL and controls are left to libyaml (its errors, its line counting).
bool plain_text(std::string_view t, bool* multibyte) {
  const auto* s = reinterpret_cast<const unsigned char*>(t.data());
  const size_t n = t.size();
  size_t i = 0;
  *multibyte = false;
  while (i < n) {
    // Fast path: 16 bytes at a time with GCC/Clang vector extensions (SSE2
    // or NEON code, no intrinsics): every byte printable ASCII or '\n'.
    if (i + 16 <= n) {
      typedef unsigned char V16 __attribute__((vector_size(16)));
      V16 v;
      std::memcpy(&v, s + i, 16);
      const V16 bad = ((v < 0x20) & (v != '\n')) | (v >= 0x7F);
      uint64_t lanes[2];
      std::memcpy(lanes, &bad, 16);
      if ((lanes[0] | lanes[1]) == 0) {
        i += 16;
        continue;
      }
    }
    const unsigned char c = s[i];
    if (c < 0x80) {
      if ((c < 0x20 && c != '\n') || c == 0x7F) return false;
      ++i;
      continue;
    }
    *multibyte = true;
    uint32_t cp;
    size_t len;
    if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F, len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F, len = 3;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07, len = 4;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;
    if (cp < 0xA0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF || cp == 0xFEFF || cp == 0x2028 ||
        cp == 0x2029 || cp == 0xFFFE || cp == 0xFFFF)
      return false;
    i += len;
  }
  return true;
}

// Characters that may not start a plain scalar (or that start something else).
bool bad_plain_start(char c) {
  switch (c) {
    case ' ': case '-': case '?': case ':': case ',': case '[': case ']': case '{': case '}':
    case '#': case '&': case '*': case '!': case '|': case '>': case '\'': case '"': case '%':
    case '@': case '`':
      return true;
    default:
      return false;
  }
}

// libyaml drops a simple key whose ':' is more than 1024 characters away;
// bytes >= characters, so a byte distance within 1024 is always safe.
constexpr ptrdiff_t kMaxKeySpan = 1024;
constexpr size_t kMaxDepth = 256;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A plain scalar in block context starting at s: stops at ": "/":"EOL (*stop
// at the ':'), at " #" (*stop at the '#'), or at the end of the line (*stop ==
// eol). *content_end excludes trailing spaces.
void scan_plain_block(const char* s, const char* eol, const char** content_end, const char** stop) {
  const char* p = s;
  const char* ce = s;
  while (p < eol) {
    const char c = *p;
    if (c == ' ') {
      const char* r = p;
      while (r < eol && *r == ' ') ++r;
      if (r == eol || *r == '#') {
        p = r;
        break;
      }
      p = r;
      continue;
    }
    if (c == ':' && (p + 1 == eol || p[1] == ' ')) break;
    ++p;
    ce = p;
  }
  *content_end = ce;
  *stop = p;
}

// A plain scalar inside a one-line flow collection. Stops at ",[]{}" or ": "
// (*stop there). False for anything libyaml might read differently (':'
// before an indicator or the line end, '?', a comment, the line ending).
bool scan_plain_flow(const char* s, const char* eol, const char** content_end, const char** stop) {
  const char* p = s;
  const char* ce = s;
  while (p < eol) {
    const char c = *p;
    switch (c) {
      case ' ': {
        const char* r = p;
        while (r < eol && *r == ' ') ++r;
        if (r == eol || *r == '#') return false;
        p = r;
        continue;
      }
      case ',': case '[': case ']': case '{': case '}':
        *content_end = ce;
        *stop = p;
        return true;
      case '?':
        return false;
      case ':':
        if (p + 1 == eol) return false;
        if (p[1] == ' ') {
          *content_end = ce;
          *stop = p;
          return true;
        }
        switch (p[1]) {
          case ',': case '?': case '[': case ']': case '{': case '}': return false;
          default: break;
        }
        break;
      default: break;
    }
    ++p;
    ce = p;
  }
  return false;
}

}  // namespace

YamlFast::YamlFast(std::string_view text)
    : text_(text), p_(text.data()), end_(text.data() + text.size()), line_start_(text.data()) {
  usable_ = plain_text(text, &multibyte_);
  q_.reserve(64);
}

YamlFast::Mark YamlFast::mark(const char* pos) const {
  size_t col = static_cast<size_t>(pos - line_start_);
  if (multibyte_) {
    // Columns count characters. Marks move forward within a line, so count
    // continuation bytes incrementally (a long line stays linear).
    if (cont_line_ != line_start_ || cont_pos_ > pos) {
      cont_line_ = cont_pos_ = line_start_;
      cont_ = 0;
    }
    for (; cont_pos_ < pos; ++cont_pos_)
      if ((static_cast<unsigned char>(*cont_pos_) & 0xC0) == 0x80) ++cont_;
    col -= cont_;
  }
  return Mark{line_ + 1, static_cast<uint32_t>(col + 1), static_cast<size_t>(pos - text_.data())};
}

void YamlFast::push_at(YamlEvent::Kind kind, const Mark& m) {
  YamlEvent ev;
  ev.kind = kind;
  ev.line = m.line;
  ev.col = m.col;
  ev.offset = m.offset;
  q_.push_back(ev);
  ++queued_;
}

void YamlFast::push(YamlEvent::Kind kind, const char* pos) { push_at(kind, mark(pos)); }

void YamlFast::push_scalar(std::string_view value, bool plain, const char* pos) {
  push(YamlEvent::kScalar, pos);
  q_.back().value = value;
  q_.back().plain = plain;
}

void YamlFast::push_end(const Block& b, const char* pos) {
  push(b.seq ? YamlEvent::kSeqEnd : YamlEvent::kMapEnd, pos);
}

bool YamlFast::next(YamlEvent* ev) {
  if (head_ == ready_ && !fill()) return false;
  *ev = q_[head_++];
  ++handed_;
  return true;
}

bool YamlFast::fill() {
  // Everything before head_ has been handed out and the caller has asked
  // again, so those values may die now.
  q_.erase(q_.begin(), q_.begin() + static_cast<ptrdiff_t>(head_));
  ready_ -= head_;
  head_ = 0;
  while (!owned_.empty() && owned_.front().first < handed_) owned_.pop_front();
  if (!usable_) return false;
  while (ready_ == 0) {
    if (finished_) return false;  // unreachable: StreamEnd ends the caller's loop
    if (p_ == end_) {
      if (!finish()) return false;
      ready_ = q_.size();
      break;
    }
    line_start_ = p_;
    const char* eol = static_cast<const char*>(std::memchr(p_, '\n', static_cast<size_t>(end_ - p_)));
    if (eol == nullptr) eol = end_;
    const char* q = p_;
    while (q < eol && *q == ' ') ++q;
    if (q != eol && *q != '#') {
      const auto indent = static_cast<uint32_t>(q - p_);
      const size_t line_first = q_.size();
      if (indent == 0 && eol - q >= 3 && q[0] == '-' && q[1] == '-' && q[2] == '-') {
        // A bare "---" (pnpm 10 writes two documents when it keeps an env
        // lockfile); "--- value" and the like are libyaml's.
        const char* r = q + 3;
        if (r != eol && *r != ' ') return false;
        while (r < eol && *r == ' ') ++r;
        if (r != eol && *r != '#') return false;
        if (!doc_marker(q)) return false;
      } else if (indent == 0 && eol - q >= 3 && q[0] == '.' && q[1] == '.' && q[2] == '.') {
        return false;  // document end markers: libyaml's
      } else if (!parse_line(q, eol, indent)) {
        return false;
      }
      ready_ = line_first;
    } else if (eol == end_ && eol != line_start_) {
      tail_ = true;
      tail_mark_ = mark(eol);
    }
    // The last line may lack its '\n': libyaml's stream end then forces a
    // new line, which this increment mirrors.
    if (eol != end_ || eol != line_start_) ++line_;
    p_ = eol == end_ ? end_ : eol + 1;
  }
  return true;
}

// "---" at column 0: ends the current document (libyaml puts the ends of
// its blocks and the implicit document end at the marker) and starts one.
bool YamlFast::doc_marker(const char* q) {
  if (started_) {
    if (need_root_) return false;  // an empty document: libyaml's null scalar
    if (pending_) {
      push_at(YamlEvent::kScalar, pending_mark_);
      q_.back().plain = true;
      pending_ = false;
    }
    while (!stack_.empty()) {
      push_end(stack_.back(), q);
      stack_.pop_back();
    }
    push(YamlEvent::kDocEnd, q);
  }
  started_ = true;
  need_root_ = true;
  push(YamlEvent::kDocStart, q);
  return true;
}

bool YamlFast::finish() {
  if (need_root_) return false;  // "---" then nothing: a null document
  finished_ = true;
  line_start_ = end_;
  const Mark m{line_ + 1, 1, text_.size()};
  if (!started_) {
    push_at(YamlEvent::kStreamEnd, m);
    return true;
  }
  if (pending_) {
    push_at(YamlEvent::kScalar, pending_mark_);
    q_.back().plain = true;
    pending_ = false;
  }
  while (tail_ && !stack_.empty() && stack_.back().col + 1 > tail_mark_.col) {
    push_at(stack_.back().seq ? YamlEvent::kSeqEnd : YamlEvent::kMapEnd, tail_mark_);
    stack_.pop_back();
  }
  while (!stack_.empty()) {
    push_at(stack_.back().seq ? YamlEvent::kSeqEnd : YamlEvent::kMapEnd, m);
    stack_.pop_back();
  }
  push_at(YamlEvent::kDocEnd, m);
  push_at(YamlEvent::kStreamEnd, m);
  return true;
}

bool YamlFast::parse_line(const char* q, const char* eol, uint32_t indent) {
  const bool seq_entry = *q == '-' && (q + 1 == eol || q[1] == ' ');
  if (!started_ || need_root_) {
    if (seq_entry) return false;
    if (!started_) push(YamlEvent::kDocStart, q);
    started_ = true;
    need_root_ = false;
    push(YamlEvent::kMapStart, q);
    stack_.push_back(Block{indent, false});
    return parse_key_line(q, eol);
  }
  if (pending_) {
    pending_ = false;
    if (indent > stack_.back().col) {
      if (stack_.size() >= kMaxDepth) return false;
      if (seq_entry) {
        push(YamlEvent::kSeqStart, q);
        stack_.push_back(Block{indent, true});
        return parse_seq_line(q, eol);
      }
      push(YamlEvent::kMapStart, q);
      stack_.push_back(Block{indent, false});
      return parse_key_line(q, eol);
    }
    // "key:" followed by a sibling or a dedent: an empty (null) value at the
    // end of the ':' — where libyaml puts it.
    push_at(YamlEvent::kScalar, pending_mark_);
    q_.back().plain = true;
  }
  while (stack_.back().col > indent) {
    push_end(stack_.back(), q);
    stack_.pop_back();
    if (stack_.empty()) return false;  // content after the root node
  }
  if (stack_.back().col != indent) return false;
  if (stack_.back().seq) return seq_entry && parse_seq_line(q, eol);
  return !seq_entry && parse_key_line(q, eol);
}

bool YamlFast::parse_key_line(const char* q, const char* eol) {
  const char* colon;
  if (*q == '\'' || *q == '"') {
    std::string_view key;
    if (!scan_quoted(q, eol, &key, &colon)) return false;
    if (colon == eol || *colon != ':') return false;
    push_scalar(key, false, q);
  } else {
    if (bad_plain_start(*q)) return false;
    const char* content_end;
    scan_plain_block(q, eol, &content_end, &colon);
    if (colon == eol || *colon != ':') return false;
    push_scalar(std::string_view(q, static_cast<size_t>(content_end - q)), true, q);
  }
  if (colon - q > kMaxKeySpan) return false;
  const char* v = colon + 1;
  if (v != eol && *v != ' ') return false;
  while (v < eol && *v == ' ') ++v;
  if (v == eol || *v == '#') {
    pending_ = true;
    pending_mark_ = mark(colon + 1);
    return true;
  }
  return parse_value(v, eol);
}

bool YamlFast::parse_seq_line(const char* q, const char* eol) {
  const char* v = q + 1;
  if (v == eol || *v != ' ') return false;
  while (v < eol && *v == ' ') ++v;
  if (v == eol || *v == '#') return false;  // a null entry: rare, libyaml's
  return parse_value(v, eol);
}

// A value on the rest of a block line, then only spaces and a comment.
bool YamlFast::parse_value(const char* v, const char* eol) {
  const char* after;
  if (*v == '{' || *v == '[') {
    if (!parse_flow(v, eol, &after, 0)) return false;
  } else if (*v == '\'' || *v == '"') {
    std::string_view value;
    if (!scan_quoted(v, eol, &value, &after)) return false;
    push_scalar(value, false, v);
  } else {
    if (bad_plain_start(*v)) return false;
    const char* content_end;
    scan_plain_block(v, eol, &content_end, &after);
    if (after != eol && *after != '#') return false;  // "a: b: c"
    push_scalar(std::string_view(v, static_cast<size_t>(content_end - v)), true, v);
    return true;
  }
  if (after == eol) return true;
  if (*after != ' ') return false;
  while (after < eol && *after == ' ') ++after;
  return after == eol || *after == '#';
}

bool YamlFast::parse_flow(const char* s, const char* eol, const char** after, int depth) {
  if (stack_.size() + static_cast<size_t>(depth) >= kMaxDepth) return false;
  const bool map = *s == '{';
  const char close = map ? '}' : ']';
  push(map ? YamlEvent::kMapStart : YamlEvent::kSeqStart, s);
  const char* p = s + 1;
  while (p < eol && *p == ' ') ++p;
  if (p < eol && *p == close) {
    push(map ? YamlEvent::kMapEnd : YamlEvent::kSeqEnd, p);
    *after = p + 1;
    return true;
  }
  for (;;) {
    if (p == eol) return false;
    // One node: a key (map) or an item (sequence).
    const char* node = p;
    if (*p == '{' || *p == '[') {
      if (map) return false;  // a collection as a key
      if (!parse_flow(p, eol, &p, depth + 1)) return false;
    } else if (*p == '\'' || *p == '"') {
      std::string_view value;
      if (!scan_quoted(p, eol, &value, &p)) return false;
      push_scalar(value, false, node);
    } else {
      if (bad_plain_start(*p)) return false;
      const char* content_end;
      if (!scan_plain_flow(p, eol, &content_end, &p)) return false;
      push_scalar(std::string_view(node, static_cast<size_t>(content_end - node)), true, node);
    }
    if (map) {
      // ": " then the value.
      if (p == eol || *p != ':' || p + 1 == eol || p[1] != ' ') return false;
      if (p - node > kMaxKeySpan) return false;
      p += 1;
      while (p < eol && *p == ' ') ++p;
      if (p == eol) return false;
      const char* val = p;
      if (*p == '{' || *p == '[') {
        if (!parse_flow(p, eol, &p, depth + 1)) return false;
      } else if (*p == '\'' || *p == '"') {
        std::string_view value;
        if (!scan_quoted(p, eol, &value, &p)) return false;
        push_scalar(value, false, val);
      } else {
        if (bad_plain_start(*p)) return false;
        const char* content_end;
        if (!scan_plain_flow(p, eol, &content_end, &p)) return false;
        if (*p == ':') return false;  // "{a: b: c}"
        push_scalar(std::string_view(val, static_cast<size_t>(content_end - val)), true, val);
      }
    }
    while (p < eol && *p == ' ') ++p;
    if (p == eol) return false;
    if (*p == close) {
      push(map ? YamlEvent::kMapEnd : YamlEvent::kSeqEnd, p);
      *after = p + 1;
      return true;
    }
    if (*p != ',') return false;  // includes "[a: b]" (a pair) and "{a: 1 x}"
    ++p;
    while (p < eol && *p == ' ') ++p;
    if (p == eol || *p == close) return false;  // trailing comma: rare, libyaml's
  }
}

bool YamlFast::scan_quoted(const char* s, const char* eol, std::string_view* value, const char** after) {
  const char quote = *s;
  const char* p = s + 1;
  const char* seg = p;
  bool owned = false;
  scratch_.clear();
  for (;;) {
    const char* hit = p;
    while (hit < eol && *hit != quote && (quote == '\'' || *hit != '\\')) ++hit;
    if (hit == eol) return false;  // multi-line scalar
    if (*hit == quote) {
      if (quote == '\'' && hit + 1 < eol && hit[1] == '\'') {
        scratch_.append(seg, static_cast<size_t>(hit + 1 - seg));
        owned = true;
        p = seg = hit + 2;
        continue;
      }
      if (!owned) {
        *value = std::string_view(seg, static_cast<size_t>(hit - seg));
      } else {
        scratch_.append(seg, static_cast<size_t>(hit - seg));
        // Tagged with the index the scalar's event is about to get.
        owned_.emplace_back(queued_, scratch_);
        *value = owned_.back().second;
      }
      *after = hit + 1;
      return true;
    }
    // A backslash escape in a double-quoted scalar.
    scratch_.append(seg, static_cast<size_t>(hit - seg));
    owned = true;
    if (hit + 1 >= eol) return false;  // escaped line break
    const char e = hit[1];
    p = hit + 2;
    int digits = 0;
    switch (e) {
      case '"': scratch_ += '"'; break;
      case '\\': scratch_ += '\\'; break;
      case '/': scratch_ += '/'; break;
      case 'n': scratch_ += '\n'; break;
      case 't': scratch_ += '\t'; break;
      case 'r': scratch_ += '\r'; break;
      case 'b': scratch_ += '\b'; break;
      case 'f': scratch_ += '\f'; break;
      case 'u': digits = 4; break;
      default: return false;  // rarer escapes: libyaml's
    }
    if (digits > 0) {
      if (eol - p < digits) return false;
      uint32_t cp = 0;
      for (int k = 0; k < digits; ++k) {
        const int h = hex_value(p[k]);
        if (h < 0) return false;
        cp = (cp << 4) | static_cast<uint32_t>(h);
      }
      if (cp >= 0xD800 && cp <= 0xDFFF) return false;
      append_utf8(scratch_, cp);
      p += digits;
    }
    seg = p;
  }
}

}  // namespace gv
