// A fast event source for the YAML subset pnpm writes, with libyaml as the
// authority for everything else.
//
// Why: libyaml's event API runs at 40-80 MB/s on a pnpm lockfile (it decodes
// and re-buffers every character and allocates per scalar); a 30 MB
// pnpm-lock.yaml would take half a second. pnpm (via js-yaml) writes a tiny
// subset: block maps indented with spaces, one-line flow maps/lists
// ({integrity: ...}, [darwin]), block lists of scalars, plain and quoted
// scalars on one line, ASCII text.
//
// How it stays exact: this scanner accepts only lines it fully understands
// and produces the same events libyaml would (same kinds, values, plain flag,
// byte offsets). On the first thing outside the subset — a tab, a comment, a
// multi-line scalar, an escape, an anchor, a byte outside printable ASCII, a
// '---' — it gives up, and the caller re-reads the whole file with libyaml.
// Errors are never reported from here: bad input always goes to libyaml,
// which names the line and column.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "lockfile/yaml_reader.h"

namespace gv {

class PnpmFastYaml {
 public:
  explicit PnpmFastYaml(std::string_view text);

  // False when the text leaves the subset (then nothing more is produced).
  // Values are views into the text, valid as long as it is.
  bool next(YamlEvent* ev);

 private:
  bool fill();  // processes lines until an event is queued
  bool line(size_t begin, size_t end);
  bool scalar(size_t line_no, size_t begin, size_t at, size_t end, bool flow, size_t* stop);
  bool flow(size_t line_no, size_t begin, size_t at, size_t end);
  void push(YamlEvent::Kind k, size_t line_no, size_t begin, size_t at, std::string_view v = {}, bool plain = false);
  void close_to(int indent);

  struct Open {
    int indent;
    bool seq;
  };

  std::string_view t_;
  size_t pos_ = 0;        // start of the next line
  size_t line_no_ = 0;    // 1-based number of the last line read
  bool started_ = false;  // document and root map opened
  bool finished_ = false;
  bool pending_ = false;  // "key:" with nothing after it: a nested block or null follows
  int pending_indent_ = 0;
  size_t pending_line_ = 0, pending_begin_ = 0, pending_at_ = 0;
  std::vector<Open> open_;
  std::vector<YamlEvent> queue_;
  size_t head_ = 0;
};

}  // namespace gv
