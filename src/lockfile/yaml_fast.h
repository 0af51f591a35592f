// A hand-written tokenizer for the narrow block-YAML subset that pnpm and yarn
// berry write, producing exactly the YamlEvent stream libyaml would (kinds,
// unescaped values, plain flag, libyaml's line/col/offset marks).
//
// Why: libyaml's event API runs at 10-40 MB/s; lockfiles are 30+ MB.
// Why it is safe: the tokenizer never guesses. It accepts only lines it fully
// understands (block mappings by indentation, "- " sequence items, one-line
// flow collections, plain/quoted scalars, comments) and reports "not mine"
// for anything else; YamlReader then replays libyaml from the start, drops the
// events already handed out, and carries on with libyaml, so errors and odd
// constructs always get libyaml's semantics.
//
// The lookahead rule that makes the replay exact: libyaml, to emit the last
// event of a line, has already scanned the first token of the next significant
// line (simple keys are resolved by looking ahead), and its reader decodes
// (and rejects bad characters in) whole 16 KB chunks ahead. So (1) the whole
// text is checked up front for characters libyaml would refuse (or treats
// specially: tabs, CR, NEL, BOM, controls, bad UTF-8) — any, and the fast path
// is never used; (2) a line's events are released only after the following
// significant line has also been accepted. An event handed out is thus one
// libyaml would also hand out before any error of its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "lockfile/yaml_event.h"

namespace gv {

class YamlFast {
 public:
  explicit YamlFast(std::string_view text);

  // False if the text holds characters the fast path leaves to libyaml.
  bool usable() const { return usable_; }

  // The next event (value valid until the next call). False: the input left
  // the subset; the caller must continue with libyaml.
  bool next(YamlEvent* ev);
  // An event already queued, without parsing further lines (inline: most
  // calls end here); false when the queue is empty.
  bool take_ready(YamlEvent* ev) {
    if (head_ == ready_) return false;
    *ev = q_[head_++];
    ++handed_;
    return true;
  }

 private:
  struct Block {
    uint32_t col;
    bool seq;
  };
  struct Mark {
    uint32_t line, col;
    size_t offset;
  };

  bool fill();  // parses lines until an event is releasable; false = fallback
  bool parse_line(const char* q, const char* eol, uint32_t indent);
  bool parse_key_line(const char* q, const char* eol);
  bool parse_seq_line(const char* q, const char* eol);
  bool parse_value(const char* v, const char* eol);
  bool parse_flow(const char* s, const char* eol, const char** after, int depth);
  // Quoted scalar at s (a quote); sets *value and *after (past the closing quote).
  bool scan_quoted(const char* s, const char* eol, std::string_view* value, const char** after);
  bool doc_marker(const char* q);
  bool finish();

  Mark mark(const char* pos) const;
  void push(YamlEvent::Kind kind, const char* pos);
  void push_at(YamlEvent::Kind kind, const Mark& m);
  void push_scalar(std::string_view value, bool plain, const char* pos);
  void push_end(const Block& b, const char* pos);

  std::string_view text_;
  const char* p_;           // start of the next unread line
  const char* end_;
  const char* line_start_;  // start of the line being parsed
  uint32_t line_ = 0;       // 0-based number of that line
  bool usable_ = false;
  bool multibyte_ = false;  // any non-ASCII: columns must count characters
  mutable const char* cont_line_ = nullptr;  // mark()'s cache: in this line,
  mutable const char* cont_pos_ = nullptr;   // up to here,
  mutable size_t cont_ = 0;                  // this many continuation bytes
  bool started_ = false;    // a document begun
  bool need_root_ = false;  // after "---": the root mapping is still to come
  bool finished_ = false;
  bool pending_ = false;    // last line was "key:" with no value
  Mark pending_mark_{};
  // A last line without '\n' holding only spaces or a comment: libyaml ends
  // the blocks deeper than its length there, the rest at the stream end.
  bool tail_ = false;
  Mark tail_mark_{};
  std::vector<Block> stack_;

  std::vector<YamlEvent> q_;  // events of the last two lines
  size_t head_ = 0;           // next to hand out
  size_t ready_ = 0;          // q_[head_, ready_) may be handed out
  uint64_t handed_ = 0;       // events handed out so far
  uint64_t queued_ = 0;       // events ever queued (global index of q_.end())
  // Unescaped scalar values, tagged with their event's global index.
  std::deque<std::pair<uint64_t, std::string>> owned_;
  std::string scratch_;
};

// Test hooks (differential tests and the fuzzer): force libyaml-only mode
// before the first next(), and ask whether the fast path handed over.
class YamlReader;
struct YamlReaderTestPeer {
  static void force_libyaml(YamlReader& r);
  static bool fast_active(const YamlReader& r);
  static bool fell_back(const YamlReader& r);
};

}  // namespace gv
