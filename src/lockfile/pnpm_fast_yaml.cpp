// The subset scanner behind PnpmFastYaml; see the header for why and how.
// Every "return false" below means "not sure: let libyaml read this file".
#include "lockfile/pnpm_fast_yaml.h"

namespace gv {
namespace {

// Characters that may not start a plain scalar (YAML 1.1 c-indicators). '-',
// '?' and ':' may when followed by a non-space; we let libyaml handle those.
bool is_indicator(char c) {
  switch (c) {
    case '-': case '?': case ':': case ',': case '[': case ']': case '{': case '}':
    case '#': case '&': case '*': case '!': case '|': case '>': case '\'': case '"':
    case '%': case '@': case '`':
      return true;
    default: return false;
  }
}

bool is_flow_indicator(char c) { return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'; }

// libyaml refuses implicit keys longer than 1024 characters ("could not find
// expected ':'"); stay well clear of the exact limit.
constexpr size_t kMaxImplicitKey = 1000;

// A plain scalar's text is only what we think it is when no ": " (a nested
// key), " #" (a comment) or trailing ':' hides in it.
bool plain_text_ok(std::string_view s) {
  if (s.empty() || s.back() == ':') return false;
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] == ':' && s[i + 1] == ' ') return false;
    if (s[i] == ' ' && s[i + 1] == '#') return false;
  }
  return true;
}

}  // namespace

PnpmFastYaml::PnpmFastYaml(std::string_view text) : t_(text) {
  queue_.reserve(16);
  open_.reserve(16);
}

bool PnpmFastYaml::next(YamlEvent* ev) {
  while (head_ == queue_.size()) {
    queue_.clear();
    head_ = 0;
    if (finished_) {
      *ev = YamlEvent{};
      ev->kind = YamlEvent::kStreamEnd;
      return true;
    }
    if (!fill()) return false;
  }
  *ev = queue_[head_++];
  return true;
}

void PnpmFastYaml::push(YamlEvent::Kind k, size_t line_no, size_t begin, size_t at, std::string_view v, bool plain) {
  YamlEvent& e = queue_.emplace_back();
  e.kind = k;
  e.value = v;
  e.plain = plain;
  e.line = static_cast<uint32_t>(line_no);
  e.col = static_cast<uint32_t>(at - begin + 1);
  e.offset = at;
}

void PnpmFastYaml::close_to(int indent) {
  while (!open_.empty() && open_.back().indent > indent) {
    push(open_.back().seq ? YamlEvent::kSeqEnd : YamlEvent::kMapEnd, line_no_, pos_, pos_);
    open_.pop_back();
  }
}

bool PnpmFastYaml::fill() {
  if (pos_ >= t_.size()) {
    if (!started_) return false;  // empty or blank: libyaml words the error
    if (pending_) {
      push(YamlEvent::kScalar, pending_line_, pending_begin_, pending_at_, {}, true);
      pending_ = false;
    }
    close_to(-1);
    push(YamlEvent::kDocEnd, line_no_, pos_, pos_);
    push(YamlEvent::kStreamEnd, line_no_, pos_, pos_);
    finished_ = true;
    return true;
  }
  size_t end = t_.find('\n', pos_);
  if (end == std::string_view::npos) end = t_.size();
  size_t begin = pos_;
  pos_ = end == t_.size() ? end : end + 1;
  ++line_no_;
  return line(begin, end);
}

bool PnpmFastYaml::line(size_t b, size_t e) {
  // Printable ASCII only: no tabs, CR, control characters or UTF-8 (libyaml
  // validates those; pnpm lockfiles are ASCII).
  for (size_t i = b; i < e; ++i)
    if (static_cast<unsigned char>(t_[i] - 0x20) > 0x5e) return false;
  size_t i = b;
  while (i < e && t_[i] == ' ') ++i;
  if (i == e) return true;  // blank
  const char c = t_[i];
  const int indent = static_cast<int>(i - b);
  const bool dash = c == '-' && (i + 1 == e || t_[i + 1] == ' ');
  if (!started_) {
    if (indent != 0) return false;
    push(YamlEvent::kDocStart, line_no_, b, i);
    push(YamlEvent::kMapStart, line_no_, b, i);
    open_.push_back({0, false});
    started_ = true;
  } else if (pending_) {
    pending_ = false;
    if (indent > pending_indent_) {
      push(dash ? YamlEvent::kSeqStart : YamlEvent::kMapStart, line_no_, b, i);
      open_.push_back({indent, dash});
    } else {
      push(YamlEvent::kScalar, pending_line_, pending_begin_, pending_at_, {}, true);  // "key:" = null
    }
  }
  close_to(indent);
  if (open_.empty() || open_.back().indent != indent) return false;  // continuation, bad indent, ...
  size_t stop = 0;
  if (open_.back().seq) {
    if (!dash) return false;
    size_t j = i + 1;
    while (j < e && t_[j] == ' ') ++j;
    if (j == e || t_[j] == '{' || t_[j] == '[') return false;  // "-" alone or a flow item: libyaml
    if (!scalar(line_no_, b, j, e, false, &stop)) return false;
  } else {
    // A key: quoted without escapes, or plain up to ": " / a final ':'.
    size_t k = 0;
    if (c == '\'' || c == '"') {
      size_t q = t_.find(c, i + 1);
      if (q == std::string_view::npos || q >= e) return false;
      if (c == '\'' && q + 1 < e && t_[q + 1] == '\'') return false;
      if (c == '"' && t_.substr(i + 1, q - i - 1).find('\\') != std::string_view::npos) return false;
      push(YamlEvent::kScalar, line_no_, b, i, t_.substr(i + 1, q - i - 1), false);
      k = q + 1;
    } else {
      if (is_indicator(c)) return false;
      k = i;
      while (k < e && !(t_[k] == ':' && (k + 1 == e || t_[k + 1] == ' '))) ++k;
      if (k == e) return false;
      std::string_view key = t_.substr(i, k - i);
      if (key.back() == ' ' || !plain_text_ok(key)) return false;
      push(YamlEvent::kScalar, line_no_, b, i, key, true);
    }
    if (k - i > kMaxImplicitKey || k >= e || t_[k] != ':' || (k + 1 < e && t_[k + 1] != ' ')) return false;
    size_t v = k + 1;
    while (v < e && t_[v] == ' ') ++v;
    if (v == e) {  // nested block (or null) on the next lines
      pending_ = true;
      pending_indent_ = indent;
      pending_line_ = line_no_;
      pending_begin_ = b;
      pending_at_ = k + 1;
      return true;
    }
    if (t_[v] == '{' || t_[v] == '[') return flow(line_no_, b, v, e);
    if (!scalar(line_no_, b, v, e, false, &stop)) return false;
  }
  for (; stop < e; ++stop)
    if (t_[stop] != ' ') return false;
  return true;
}

bool PnpmFastYaml::scalar(size_t line_no, size_t b, size_t at, size_t e, bool in_flow, size_t* stop) {
  const char c = t_[at];
  if (c == '\'' || c == '"') {
    size_t q = t_.find(c, at + 1);
    if (q == std::string_view::npos || q >= e) return false;
    if (c == '\'' && q + 1 < e && t_[q + 1] == '\'') return false;
    if (c == '"' && t_.substr(at + 1, q - at - 1).find('\\') != std::string_view::npos) return false;
    push(YamlEvent::kScalar, line_no, b, at, t_.substr(at + 1, q - at - 1), false);
    *stop = q + 1;
    return true;
  }
  if (is_indicator(c)) return false;
  // One pass: find the end (a flow indicator in flow context, else the line's
  // end) and refuse ": " and " #" on the way (plain_text_ok, fused).
  size_t j = at;
  for (; j < e; ++j) {
    const char ch = t_[j];
    if (ch == ':') {
      if (j + 1 < e && t_[j + 1] == ' ') return false;
    } else if (ch == '#') {
      if (t_[j - 1] == ' ') return false;  // j > at: c is not '#'
    } else if (in_flow && is_flow_indicator(ch)) {
      break;
    }
  }
  *stop = j;
  while (j > at && t_[j - 1] == ' ') --j;
  if (t_[j - 1] == ':') return false;  // j > at: c is not ' '
  push(YamlEvent::kScalar, line_no, b, at, t_.substr(at, j - at), true);
  return true;
}

// A one-line flow map or list of scalars: {integrity: sha512-...}, [darwin].
bool PnpmFastYaml::flow(size_t line_no, size_t b, size_t at, size_t e) {
  const bool map = t_[at] == '{';
  const char close = map ? '}' : ']';
  push(map ? YamlEvent::kMapStart : YamlEvent::kSeqStart, line_no, b, at);
  size_t k = at + 1;
  for (;;) {
    while (k < e && t_[k] == ' ') ++k;
    if (k >= e) return false;  // continues on the next line
    if (t_[k] == close) break;
    if (t_[k] == '{' || t_[k] == '[') return false;  // nested
    if (map) {
      const size_t key_at = k;
      if (t_[k] == '\'' || t_[k] == '"') {
        if (!scalar(line_no, b, k, e, true, &k)) return false;
      } else {
        if (is_indicator(t_[k])) return false;
        size_t j = k;
        while (j < e && !(t_[j] == ':' && j + 1 < e && t_[j + 1] == ' ')) {
          if (is_flow_indicator(t_[j])) return false;
          ++j;
        }
        if (j >= e) return false;
        std::string_view key = t_.substr(k, j - k);
        if (key.back() == ' ' || !plain_text_ok(key)) return false;
        push(YamlEvent::kScalar, line_no, b, k, key, true);
        k = j;
      }
      if (k - key_at > kMaxImplicitKey || k + 1 >= e || t_[k] != ':' || t_[k + 1] != ' ') return false;
      k += 2;
      while (k < e && t_[k] == ' ') ++k;
      if (k >= e || t_[k] == '{' || t_[k] == '[' || is_flow_indicator(t_[k])) return false;
    }
    if (!scalar(line_no, b, k, e, true, &k)) return false;
    while (k < e && t_[k] == ' ') ++k;
    if (k >= e) return false;
    if (t_[k] == ',') {
      ++k;
      continue;
    }
    if (t_[k] != close) return false;
    break;
  }
  push(map ? YamlEvent::kMapEnd : YamlEvent::kSeqEnd, line_no, b, k);
  for (++k; k < e; ++k)
    if (t_[k] != ' ') return false;
  return true;
}

}  // namespace gv
