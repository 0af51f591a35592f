#include "rules/json_positions.h"

#include <algorithm>
#include <array>

namespace gv {

namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Reads the 4 hex digits of a \u escape at raw[i..i+4); -1 when malformed.
int32_t read_u16(std::string_view raw, size_t i) {
  if (i + 4 > raw.size()) return -1;
  int32_t v = 0;
  for (size_t k = 0; k < 4; ++k) {
    int h = hex_value(raw[i + k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

}  // namespace

std::string json_unescape(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\' || i + 1 >= raw.size()) {
      out.push_back(c);
      continue;
    }
    char e = raw[++i];
    switch (e) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        int32_t hi = read_u16(raw, i + 1);
        if (hi < 0) {
          out.push_back(e);
          break;
        }
        i += 4;
        uint32_t cp = static_cast<uint32_t>(hi);
        // A high surrogate followed by "\uDC00".."\uDFFF" encodes one code point.
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 2 < raw.size() && raw[i + 1] == '\\' &&
            raw[i + 2] == 'u') {
          int32_t lo = read_u16(raw, i + 3);
          if (lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<uint32_t>(lo) - 0xDC00);
            i += 6;
          }
        }
        append_utf8(&out, cp);
        break;
      }
      default: out.push_back(e); break;  // '"', '\\', '/'
    }
  }
  return out;
}

std::string pointer_escape(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

namespace {

// Byte classes inside a string literal: what the scan must stop at.
enum : uint8_t { kPlain, kQuote, kBackslash, kControl, kNonAscii };
constexpr std::array<uint8_t, 256> kStringClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = kControl;
  for (int c = 0x80; c < 0x100; ++c) t[c] = kNonAscii;
  t['"'] = kQuote;
  t['\\'] = kBackslash;
  return t;
}();

bool is_cont(unsigned char c) { return c >= 0x80 && c <= 0xBF; }

// Length of the UTF-8 sequence at text[i] (a byte >= 0x80), 0 when nlohmann
// would reject it: RFC 3629 well-formed sequences only (no overlongs, no
// encoded surrogates, nothing above U+10FFFF).
size_t utf8_length(std::string_view text, size_t i) {
  auto at = [&](size_t k) -> unsigned char {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
  };
  const unsigned char c = at(0);
  if (c >= 0xC2 && c <= 0xDF) return is_cont(at(1)) ? 2 : 0;
  if (c == 0xE0) return at(1) >= 0xA0 && at(1) <= 0xBF && is_cont(at(2)) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    return is_cont(at(1)) && is_cont(at(2)) ? 3 : 0;
  }
  if (c == 0xED) return at(1) >= 0x80 && at(1) <= 0x9F && is_cont(at(2)) ? 3 : 0;
  if (c == 0xF0) return at(1) >= 0x90 && at(1) <= 0xBF && is_cont(at(2)) && is_cont(at(3)) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return is_cont(at(1)) && is_cont(at(2)) && is_cont(at(3)) ? 4 : 0;
  if (c == 0xF4) return at(1) >= 0x80 && at(1) <= 0x8F && is_cont(at(2)) && is_cont(at(3)) ? 4 : 0;
  return 0;
}

// Length of the escape at text[i] ('\\') when nlohmann accepts it, else 0:
// 2 ("\\n"), 6 ("\\u00e9") or 12 for a surrogate pair. \uD800-\uDBFF must be
// followed by \uDC00-\uDFFF, and a low surrogate may not stand alone.
size_t escape_length(std::string_view text, size_t i) {
  if (i + 1 >= text.size()) return 0;
  switch (text[i + 1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': return 2;
    case 'u': break;
    default: return 0;
  }
  int32_t hi = read_u16(text, i + 2);
  if (hi < 0 || (hi >= 0xDC00 && hi <= 0xDFFF)) return 0;
  if (hi < 0xD800 || hi > 0xDBFF) return 6;
  if (i + 7 >= text.size() || text[i + 6] != '\\' || text[i + 7] != 'u') return 0;
  int32_t lo = read_u16(text, i + 8);
  return lo >= 0xDC00 && lo <= 0xDFFF ? 12 : 0;
}

// true, false, null or an integer, as nlohmann reads them. *sure is cleared
// for a number this check does not settle: a fraction or exponent, or more
// than 19 digits, which nlohmann parses as a double and refuses when it
// overflows (1e999); such documents go to nlohmann.
bool valid_scalar(std::string_view tok, bool* sure) {
  if (tok == "true" || tok == "false" || tok == "null") return true;
  size_t k = 0;
  if (k < tok.size() && tok[k] == '-') ++k;
  const size_t digits = k;
  if (k < tok.size() && tok[k] == '0') {
    ++k;
  } else {
    if (k >= tok.size() || tok[k] < '1' || tok[k] > '9') return false;
    while (k < tok.size() && tok[k] >= '0' && tok[k] <= '9') ++k;
  }
  if (k - digits > 19) *sure = false;
  if (k == tok.size()) return true;
  *sure = false;
  if (tok[k] == '.') {
    const size_t f = ++k;
    while (k < tok.size() && tok[k] >= '0' && tok[k] <= '9') ++k;
    if (k == f) return false;
  }
  if (k < tok.size() && (tok[k] == 'e' || tok[k] == 'E')) {
    ++k;
    if (k < tok.size() && (tok[k] == '+' || tok[k] == '-')) ++k;
    const size_t e = k;
    while (k < tok.size() && tok[k] >= '0' && tok[k] <= '9') ++k;
    if (k == e) return false;
  }
  return k == tok.size();
}

}  // namespace

JsonPositions::JsonPositions(std::string_view text) : text_(text) { index({}, nullptr); }

JsonPositions::JsonPositions(std::string_view text, std::string_view key,
                             const ElementFn& on_element)
    : text_(text) {
  index(key, &on_element);
}

void JsonPositions::index(std::string_view stream_key, const ElementFn* on_element) {
  const std::string_view text = text_;
  // Containers are open on `stack`; their children collect in `pending` and
  // move to members_ in one block when the container closes, so each
  // container's children end up contiguous. Every byte is looked at once.
  //
  // The same pass checks the text against JSON's grammar as nlohmann applies
  // it (strings: escapes, control characters, UTF-8; literals; integers;
  // structure; one value then only whitespace), so a well-formed document
  // needs no second parse: known_valid(). The indexing itself stays lenient
  // and safe on anything.
  struct Frame {
    NodeId node;
    size_t pending_start;
  };
  std::vector<Frame> stack;
  std::vector<Member> pending;
  if (on_element == nullptr) {
    nodes_.reserve(text.size() / 16);
    members_.reserve(text.size() / 16);
  }
  // Streaming: the array whose elements go to on_element, and where the
  // element being read started in members_ (its subtree is dropped after).
  NodeId stream_array = kNone;
  size_t element_members = 0;

  const size_t n = text.size();
  size_t i = 0;
  uint32_t line = 1;
  size_t line_start = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // nlohmann skips a UTF-8 BOM too

  Member key;  // the member name read last, waiting for its value
  bool have_key = false;

  // What the grammar allows next; `valid` drops on the first violation and
  // `sure` when a number needs nlohmann's own reading.
  enum class Expect : uint8_t {
    kValue, kValueOrClose, kKey, kKeyOrClose, kColon, kCommaOrClose, kEnd
  };
  Expect expect = Expect::kValue;
  bool valid = true, sure = true;
  auto wants_value = [&] { return expect == Expect::kValue || expect == Expect::kValueOrClose; };
  auto in_stream = [&] { return stack.size() == 2 && stack[1].node == stream_array; };
  auto after_value = [&] {
    expect = stack.empty() ? Expect::kEnd : Expect::kCommaOrClose;
    if (stream_array == kNone || !in_stream()) return;
    if (!valid) {
      stream_array = kNone;  // not JSON: index the rest as usual
      return;
    }
    const NodeId element = pending.back().value;
    (*on_element)(*this, element, streamed_, i);
    ++streamed_;
    nodes_.resize(element);
    members_.resize(element_members);
    pending.pop_back();
  };

  auto skip_string = [&]() -> bool {  // at '"'; returns whether it had escapes
    bool escaped = false;
    ++i;
    while (i < n) {
      while (i < n && kStringClass[static_cast<unsigned char>(text[i])] == kPlain) ++i;
      if (i >= n) break;
      switch (kStringClass[static_cast<unsigned char>(text[i])]) {
        case kQuote:
          ++i;
          return escaped;
        case kBackslash: {
          // A valid escape is skipped whole (its hex digits are plain bytes,
          // so this ends where skipping two bytes and scanning on would);
          // an invalid one as two bytes, as the lenient scan always did.
          const size_t len = escape_length(text, i);
          valid = valid && len != 0;
          escaped = true;
          i += len != 0 ? len : 2;
          continue;
        }
        case kControl:
          valid = false;
          ++i;
          continue;
        default: {  // kNonAscii
          size_t len = utf8_length(text, i);
          if (len == 0) {
            valid = false;
            len = 1;
          }
          i += len;
          continue;
        }
      }
    }
    valid = false;  // unterminated
    if (i > n) i = n;
    return escaped;
  };
  auto open_value = [&]() -> NodeId {
    NodeId id = static_cast<NodeId>(nodes_.size());
    Node node;
    node.offset = static_cast<uint32_t>(i);
    node.line = line;
    node.col = static_cast<uint32_t>(i - line_start + 1);
    node.kind = text[i];
    nodes_.push_back(node);
    if (on_element != nullptr) {
      if (in_stream()) element_members = members_.size();
      // The root object's member `stream_key`, when it is an array.
      if (stack.size() == 1 && node.kind == '[' && have_key && nodes_[stack[0].node].kind == '{' &&
          key.key_len == stream_key.size() && text.compare(key.key_offset, stream_key.size(), stream_key) == 0) {
        stream_array = id;
      }
    }
    if (!stack.empty()) {
      Member m = have_key ? key : Member{};
      m.value = id;
      pending.push_back(m);
      have_key = false;
    }
    return id;
  };
  auto in_object = [&] { return !stack.empty() && nodes_[stack.back().node].kind == '{'; };

  while (i < n) {
    char c = text[i];
    if (is_ws(c)) {
      if (c == '\n') {
        ++line;
        line_start = i + 1;
      }
      ++i;
      continue;
    }
    switch (c) {
      case '{':
      case '[': {
        valid = valid && wants_value();
        NodeId id = open_value();
        stack.push_back({id, pending.size()});
        expect = c == '{' ? Expect::kKeyOrClose : Expect::kValueOrClose;
        ++i;
        break;
      }
      case '}':
      case ']': {
        ++i;
        const char open = c == '}' ? '{' : '[';
        valid = valid && !stack.empty() && nodes_[stack.back().node].kind == open &&
                (expect == Expect::kCommaOrClose ||
                 expect == (c == '}' ? Expect::kKeyOrClose : Expect::kValueOrClose));
        if (stack.empty()) break;
        Frame f = stack.back();
        stack.pop_back();
        nodes_[f.node].first = static_cast<uint32_t>(members_.size());
        nodes_[f.node].count = static_cast<uint32_t>(pending.size() - f.pending_start);
        members_.insert(members_.end(), pending.begin() + static_cast<ptrdiff_t>(f.pending_start),
                        pending.end());
        pending.resize(f.pending_start);
        have_key = false;
        after_value();
        break;
      }
      case ',':
        valid = valid && expect == Expect::kCommaOrClose;
        expect = in_object() ? Expect::kKey : Expect::kValue;
        ++i;
        break;
      case ':':
        valid = valid && expect == Expect::kColon;
        expect = Expect::kValue;
        ++i;
        break;
      case '"':
        if (in_object() && !have_key) {
          valid = valid && (expect == Expect::kKey || expect == Expect::kKeyOrClose);
          key.key_offset = static_cast<uint32_t>(i + 1);
          const bool escaped = skip_string();
          // i is past the closing quote (or at the end of a truncated text).
          const size_t end = i > key.key_offset ? i - 1 : key.key_offset;
          key.key_len = static_cast<uint32_t>(std::min<size_t>(end - key.key_offset, ~kEscapedKey)) |
                        (escaped ? kEscapedKey : 0);
          have_key = true;
          expect = Expect::kColon;
        } else {
          valid = valid && wants_value();
          NodeId id = open_value();
          size_t start = i + 1;
          bool escaped = skip_string();
          nodes_[id].first = escaped ? 1 : 0;
          nodes_[id].count = static_cast<uint32_t>(i > start ? i - 1 - start : 0);
          after_value();
        }
        break;
      default: {  // number, true, false, null
        valid = valid && wants_value();
        open_value();
        const size_t start = i;
        while (i < n && !is_ws(text[i]) && text[i] != ',' && text[i] != ']' && text[i] != '}') ++i;
        valid = valid && valid_scalar(text.substr(start, i - start), &sure);
        after_value();
        break;
      }
    }
  }
  known_valid_ = valid && sure && expect == Expect::kEnd;
  known_invalid_ = !valid || expect != Expect::kEnd;
  // Unclosed containers (only on invalid input) keep count 0.
}

std::string_view JsonPositions::type_name(NodeId id) const {
  switch (nodes_[id].kind) {
    case '{': return "object";
    case '[': return "array";
    case '"': return "string";
    case 't':
    case 'f': return "boolean";
    case 'n': return "null";
    default: return "number";
  }
}

size_t JsonPositions::size(NodeId id) const {
  const Node& n = nodes_[id];
  return n.kind == '{' || n.kind == '[' ? n.count : 0;
}

std::string JsonPositions::string(NodeId id) const {
  std::string scratch;
  std::string_view v = string_view(id, &scratch);
  return v.data() == scratch.data() ? std::move(scratch) : std::string(v);
}

std::string_view JsonPositions::string_view(NodeId id, std::string* scratch) const {
  const Node& n = nodes_[id];
  if (n.kind != '"') return {};
  std::string_view raw = text_.substr(n.offset + 1, n.count);
  if (n.first == 0) return raw;
  *scratch = json_unescape(raw);
  return *scratch;
}

JsonPositions::NodeId JsonPositions::element(NodeId parent, size_t index) const {
  if (parent == kNone) return kNone;
  const Node& p = nodes_[parent];
  if ((p.kind != '[' && p.kind != '{') || index >= p.count) return kNone;
  return members_[p.first + index].value;
}

std::string_view JsonPositions::member_key(NodeId parent, size_t index,
                                           std::string* scratch) const {
  if (parent == kNone) return {};
  const Node& p = nodes_[parent];
  if (p.kind != '{' || index >= p.count) return {};
  const Member& m = members_[p.first + index];
  std::string_view raw = text_.substr(std::min<size_t>(m.key_offset, text_.size()), m.key_len & ~kEscapedKey);
  if ((m.key_len & kEscapedKey) == 0) return raw;
  *scratch = json_unescape(raw);
  return *scratch;
}

JsonPositions::NodeId JsonPositions::member(NodeId parent, std::string_view key) const {
  if (parent == kNone) return kNone;
  const Node& p = nodes_[parent];
  if (p.kind != '{') return kNone;
  // The validator asks for a handful of fixed names in every object of a
  // feed: compare lengths, then the raw key in place; decode only keys with
  // escapes.
  std::string scratch;
  for (size_t k = p.count; k-- > 0;) {
    const Member& m = members_[p.first + k];
    if ((m.key_len & kEscapedKey) == 0) {
      if (m.key_len == key.size() && text_.compare(m.key_offset, key.size(), key) == 0) return m.value;
      continue;
    }
    if (member_key(parent, k, &scratch) == key) return m.value;
  }
  return kNone;
}

JsonPositions::NodeId JsonPositions::find(std::string_view pointer) const {
  NodeId at = root();
  if (pointer.empty()) return at;
  if (pointer.front() != '/') return kNone;
  size_t pos = 1;
  while (at != kNone) {
    size_t end = pointer.find('/', pos);
    if (end == std::string_view::npos) end = pointer.size();
    std::string token;
    for (size_t k = pos; k < end; ++k) {
      if (pointer[k] == '~' && k + 1 < end && (pointer[k + 1] == '0' || pointer[k + 1] == '1')) {
        token.push_back(pointer[k + 1] == '0' ? '~' : '/');
        ++k;
      } else {
        token.push_back(pointer[k]);
      }
    }
    const Node& node = nodes_[at];
    if (node.kind == '{') {
      at = member(at, token);
    } else if (node.kind == '[') {
      bool digits = !token.empty() && token.size() <= 9 && (token == "0" || token[0] != '0');
      for (char c : token) digits = digits && c >= '0' && c <= '9';
      at = digits ? element(at, std::stoul(token)) : kNone;
    } else {
      return kNone;
    }
    if (end == pointer.size()) return at;
    pos = end + 1;
  }
  return kNone;
}

std::optional<size_t> JsonPositions::offset_of(std::string_view pointer) const {
  NodeId id = find(pointer);
  if (id == kNone) return std::nullopt;
  return nodes_[id].offset;
}

}  // namespace gv
