// One YAML parse event, shared by the libyaml wrapper (yaml_reader.h) and the
// fast tokenizer (yaml_fast.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gv {

struct YamlEvent {
  enum Kind { kScalar, kMapStart, kMapEnd, kSeqStart, kSeqEnd, kDocStart, kDocEnd, kStreamEnd };
  Kind kind = kStreamEnd;
  std::string_view value;  // kScalar: the scalar's text, valid until the next next()
  bool plain = false;      // kScalar: unquoted (so "null"/"~" mean null, "true" a bool)
  uint32_t line = 0;       // 1-based position of the event's start
  uint32_t col = 0;
  size_t offset = 0;       // byte offset of the event's start (libyaml counts characters; converted)
};

}  // namespace gv
