#include "rules/json_positions.h"

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

JsonPositions::JsonPositions(std::string_view text) : text_(text) {
  // Containers are open on `stack`; their children collect in `pending` and
  // move to members_ in one block when the container closes, so each
  // container's children end up contiguous. Every byte is looked at once.
  struct Frame {
    NodeId node;
    size_t pending_start;
  };
  std::vector<Frame> stack;
  std::vector<Member> pending;
  nodes_.reserve(text.size() / 16);

  const size_t n = text.size();
  size_t i = 0;
  uint32_t line = 1;
  size_t line_start = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // nlohmann skips a UTF-8 BOM too

  Member key;  // the member name read last, waiting for its value
  bool have_key = false;

  auto skip_string = [&]() -> bool {  // at '"'; returns whether it had escapes
    bool escaped = false;
    ++i;
    while (i < n) {
      char c = text[i];
      if (c == '"') {
        ++i;
        break;
      }
      if (c == '\\') {
        escaped = true;
        i += 2;
        continue;
      }
      ++i;
    }
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
        NodeId id = open_value();
        stack.push_back({id, pending.size()});
        ++i;
        break;
      }
      case '}':
      case ']': {
        ++i;
        if (stack.empty()) break;
        Frame f = stack.back();
        stack.pop_back();
        nodes_[f.node].first = static_cast<uint32_t>(members_.size());
        nodes_[f.node].count = static_cast<uint32_t>(pending.size() - f.pending_start);
        members_.insert(members_.end(), pending.begin() + static_cast<ptrdiff_t>(f.pending_start),
                        pending.end());
        pending.resize(f.pending_start);
        have_key = false;
        break;
      }
      case ',':
      case ':':
        ++i;
        break;
      case '"':
        if (in_object() && !have_key) {
          size_t start = i + 1;
          key.key_escaped = skip_string();
          key.key_offset = static_cast<uint32_t>(start);
          key.key_size = static_cast<uint32_t>(i > start ? i - 1 - start : 0);
          have_key = true;
        } else {
          NodeId id = open_value();
          size_t start = i + 1;
          bool escaped = skip_string();
          nodes_[id].first = escaped ? 1 : 0;
          nodes_[id].count = static_cast<uint32_t>(i > start ? i - 1 - start : 0);
        }
        break;
      default:  // number, true, false, null
        open_value();
        while (i < n && !is_ws(text[i]) && text[i] != ',' && text[i] != ']' && text[i] != '}') ++i;
        break;
    }
  }
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
  const Node& n = nodes_[id];
  if (n.kind != '"') return {};
  std::string_view raw = text_.substr(n.offset + 1, n.count);
  return n.first != 0 ? json_unescape(raw) : std::string(raw);
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
  std::string_view raw = text_.substr(m.key_offset, m.key_size);
  if (!m.key_escaped) return raw;
  *scratch = json_unescape(raw);
  return *scratch;
}

JsonPositions::NodeId JsonPositions::member(NodeId parent, std::string_view key) const {
  if (parent == kNone) return kNone;
  const Node& p = nodes_[parent];
  if (p.kind != '{') return kNone;
  std::string scratch;
  for (size_t k = p.count; k-- > 0;) {
    if (member_key(parent, k, &scratch) == key) return members_[p.first + k].value;
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
