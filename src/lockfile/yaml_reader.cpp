#include "lockfile/yaml_reader.h"

#include "lockfile/yaml_fast.h"

namespace gv {

YamlReader::YamlReader(const std::string& path, std::string_view text) : path_(path), text_(text) {
  fast_ = std::make_unique<YamlFast>(text);
  if (!fast_->usable()) {
    fast_.reset();
    start_libyaml();
  }
}

YamlReader::~YamlReader() {
  if (have_event_) yaml_event_delete(&event_);
  if (parser_ready_) yaml_parser_delete(&parser_);
}

void YamlReader::start_libyaml() {
  yaml_parser_initialize(&parser_);
  yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text_.data()),
                               text_.size());
  parser_ready_ = true;
}

bool YamlReader::fail(std::string what, uint32_t line, uint32_t col) {
  error_ = Error{path_, line, col, std::move(what)};
  return false;
}

size_t YamlReader::byte_offset(size_t char_index) {
  if (char_index < cursor_chars_) cursor_chars_ = cursor_bytes_ = 0;
  while (cursor_chars_ < char_index && cursor_bytes_ < text_.size()) {
    ++cursor_bytes_;
    // Skip UTF-8 continuation bytes: they belong to the same character.
    while (cursor_bytes_ < text_.size() && (static_cast<unsigned char>(text_[cursor_bytes_]) & 0xC0) == 0x80)
      ++cursor_bytes_;
    ++cursor_chars_;
  }
  return cursor_bytes_;
}

Error YamlReader::error_at(const YamlEvent& ev, std::string what) const {
  return Error{path_, ev.line, ev.col, std::move(what)};
}

std::optional<YamlEvent> YamlReader::next() {
  if (done_) return YamlEvent{};
  if (fast_) {
    YamlEvent ev;
    if (fast_->next(&ev)) {
      ++fast_events_;
      if (ev.kind == YamlEvent::kStreamEnd) done_ = true;
      return ev;
    }
    // Outside the subset: libyaml from the start. Its first fast_events_
    // events are the ones already handed out (yaml_fast.h says why), so they
    // are dropped and the consumer never notices the switch.
    fast_.reset();
    fell_back_ = true;
    start_libyaml();
    for (uint64_t i = 0; i < fast_events_; ++i)
      if (!next_libyaml()) return std::nullopt;
  }
  return next_libyaml();
}

std::optional<YamlEvent> YamlReader::next_libyaml() {
  YamlEvent ev;
  if (done_) return ev;
  if (have_event_) {
    yaml_event_delete(&event_);
    have_event_ = false;
  }
  if (!yaml_parser_parse(&parser_, &event_)) {
    const yaml_mark_t& m = parser_.problem_mark;
    std::string what = "invalid YAML: ";
    what += parser_.problem != nullptr ? parser_.problem : "parse error";
    if (parser_.context != nullptr) {
      what += " (";
      what += parser_.context;
      what += ")";
    }
    fail(std::move(what), static_cast<uint32_t>(m.line) + 1, static_cast<uint32_t>(m.column) + 1);
    return std::nullopt;
  }
  have_event_ = true;
  const yaml_mark_t& m = event_.start_mark;
  ev.line = static_cast<uint32_t>(m.line) + 1;
  ev.col = static_cast<uint32_t>(m.column) + 1;
  ev.offset = byte_offset(m.index);
  switch (event_.type) {
    case YAML_STREAM_START_EVENT: return next_libyaml();
    case YAML_STREAM_END_EVENT:
      done_ = true;
      ev.kind = YamlEvent::kStreamEnd;
      return ev;
    case YAML_DOCUMENT_START_EVENT: ev.kind = YamlEvent::kDocStart; return ev;
    case YAML_DOCUMENT_END_EVENT: ev.kind = YamlEvent::kDocEnd; return ev;
    case YAML_ALIAS_EVENT:
      fail("YAML alias (*" + std::string(reinterpret_cast<const char*>(event_.data.alias.anchor)) +
               ") refused: lockfiles never use them, and expanding them is a memory bomb",
           ev.line, ev.col);
      return std::nullopt;
    case YAML_SCALAR_EVENT:
      if (event_.data.scalar.anchor != nullptr) {
        fail("YAML anchor (&" + std::string(reinterpret_cast<const char*>(event_.data.scalar.anchor)) +
                 ") refused: lockfiles never use anchors or aliases",
             ev.line, ev.col);
        return std::nullopt;
      }
      ev.kind = YamlEvent::kScalar;
      ev.value = std::string_view(reinterpret_cast<const char*>(event_.data.scalar.value),
                                  event_.data.scalar.length);
      ev.plain = event_.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
      return ev;
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT: {
      const yaml_char_t* anchor = event_.type == YAML_MAPPING_START_EVENT
                                      ? event_.data.mapping_start.anchor
                                      : event_.data.sequence_start.anchor;
      if (anchor != nullptr) {
        fail("YAML anchor (&" + std::string(reinterpret_cast<const char*>(anchor)) +
                 ") refused: lockfiles never use anchors or aliases",
             ev.line, ev.col);
        return std::nullopt;
      }
      ev.kind = event_.type == YAML_MAPPING_START_EVENT ? YamlEvent::kMapStart : YamlEvent::kSeqStart;
      return ev;
    }
    case YAML_MAPPING_END_EVENT: ev.kind = YamlEvent::kMapEnd; return ev;
    case YAML_SEQUENCE_END_EVENT: ev.kind = YamlEvent::kSeqEnd; return ev;
    case YAML_NO_EVENT: break;
  }
  fail("invalid YAML: unexpected event", ev.line, ev.col);
  return std::nullopt;
}

bool YamlReader::skip_node(const YamlEvent& start) {
  if (start.kind != YamlEvent::kMapStart && start.kind != YamlEvent::kSeqStart) return true;
  int depth = 1;
  while (depth > 0) {
    std::optional<YamlEvent> ev = next();
    if (!ev) return false;
    switch (ev->kind) {
      case YamlEvent::kMapStart:
      case YamlEvent::kSeqStart: ++depth; break;
      case YamlEvent::kMapEnd:
      case YamlEvent::kSeqEnd: --depth; break;
      case YamlEvent::kStreamEnd: return fail("invalid YAML: unexpected end of input", ev->line, ev->col);
      default: break;
    }
  }
  return true;
}

void YamlReaderTestPeer::force_libyaml(YamlReader& r) {
  if (!r.fast_) return;
  r.fast_.reset();
  r.start_libyaml();
}

bool YamlReaderTestPeer::fast_active(const YamlReader& r) { return r.fast_ != nullptr; }

bool YamlReaderTestPeer::fell_back(const YamlReader& r) { return r.fell_back_; }

}  // namespace gv
