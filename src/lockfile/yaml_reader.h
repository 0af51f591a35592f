// A thin pull reader over libyaml's event API for the YAML lockfiles
// (pnpm-lock.yaml, yarn berry's yarn.lock).
//
// Why events and not a document tree: a 50 MB pnpm lockfile would become
// millions of nodes; events let a parser keep only what it needs.
// Why aliases are refused: neither pnpm nor yarn writes anchors or aliases,
// and expanding them is how a "billion laughs" file blows up memory and
// time. An alias (or anchor) is an error naming the line, never expanded.
#pragma once

#include <yaml.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "lockfile/yaml_event.h"
#include "lockfile/yaml_fast.h"

namespace gv {

class YamlReader {
 public:
  // `text` must outlive the reader. `path` names the file in errors.
  YamlReader(const std::string& path, std::string_view text);
  ~YamlReader();
  YamlReader(const YamlReader&) = delete;
  YamlReader& operator=(const YamlReader&) = delete;

  // The next event, or nullopt on an error (then error() says what and where).
  // After kStreamEnd, keeps returning kStreamEnd.
  std::optional<YamlEvent> next();
  // The same without the optional: the hot loop of the pnpm reader. Events
  // the fast tokenizer already queued are handed out inline.
  bool next(YamlEvent* ev) {
    if (fast_ && fast_->take_ready(ev)) {
      ++fast_events_;
      if (ev->kind == YamlEvent::kStreamEnd) done_ = true;
      return true;
    }
    std::optional<YamlEvent> e = next();
    if (!e) return false;
    *ev = *e;
    return true;
  }

  // Skips the rest of the node whose start event was just returned (a map or
  // sequence start; a scalar needs no skipping). False on error.
  bool skip_node(const YamlEvent& start);

  const Error& error() const { return error_; }
  // Makes an error at an event's position (for a parser's own shape checks).
  Error error_at(const YamlEvent& ev, std::string what) const;

 private:
  friend struct YamlReaderTestPeer;
  // libyaml from the start of the text (the fast path's fallback, or the
  // only path when the text is outside its subset).
  void start_libyaml();
  std::optional<YamlEvent> next_libyaml();
  bool fail(std::string what, uint32_t line, uint32_t col);
  // libyaml's mark.index counts characters, not bytes: walk the UTF-8 text
  // forward from the last conversion (marks only move forward in practice).
  size_t byte_offset(size_t char_index);

  std::string path_;
  std::string_view text_;
  size_t cursor_chars_ = 0;
  size_t cursor_bytes_ = 0;
  // The hand-written tokenizer for the lockfile subset (yaml_fast.h); null
  // once it handed over to libyaml, or if it never applied.
  std::unique_ptr<YamlFast> fast_;
  uint64_t fast_events_ = 0;  // events the fast path handed out
  bool fell_back_ = false;
  bool parser_ready_ = false;
  yaml_parser_t parser_{};
  yaml_event_t event_{};
  bool have_event_ = false;
  bool done_ = false;
  Error error_;
};

}  // namespace gv
