// Reads a yarn berry (yarn 2+) yarn.lock into a flat list of entries and
// dependency edges, shared by the package stream (yarn_berry.cpp) and the
// dependency-path slow path.
//
// Why a list and not a stream: a package's flags depend on other entries
// (kDirect comes from the workspace entries, kOptional from every dependent's
// dependenciesMeta, and a patch: entry hides the npm: entry it patches), and
// yarn sorts entries by key, so those may come later in the file. The list
// holds string_views — into the file when a scalar is written verbatim (almost
// always), else into the reader's own storage — so nothing is copied per
// package beyond amortised vector growth.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "lockfile/yaml_reader.h"

namespace gv::berry {

struct Edge {
  std::string_view name;   // as declared: "express", or an alias "my-lodash"
  std::string_view range;  // "npm:^4.21.0" (yarn 4), "^4.21.0" (older), "workspace:^", ...
  bool optional = false;   // the dependent's dependenciesMeta says optional: true
};

struct Entry {
  std::string_view key;         // "lodash@npm:^4.17.20, lodash@npm:^4.17.21"
  std::string_view resolution;  // "lodash@npm:4.17.21"
  std::string_view version;     // "4.17.21"
  size_t offset = 0;            // byte offset of the key (its opening quote when quoted)
  uint32_t line = 0, col = 0;   // of the key, for errors
  uint32_t edges_begin = 0, edges_end = 0;  // this entry's `dependencies` in Lock::edges
};

struct Lock {
  uint32_t format_version = 0;  // __metadata.version; 0 when absent
  std::vector<Entry> entries;   // in file order
  std::vector<Edge> edges;
};

// "name@range" → {name, range}; a scoped name keeps its leading '@'. False
// when there is no '@' after the name.
bool split_descriptor(std::string_view d, std::string_view* name, std::string_view* range);

// Descriptors are compared in one spelling: yarn 2/3 lockfiles write
// dependency ranges without the default "npm:" protocol ("lodash": "^4.17.21")
// while keys have it, so a range with no protocol gets "npm:"; and a
// "::locator=..." binding (file:, portal:, link: keys) is dropped.
void normalize_descriptor(std::string_view name, std::string_view range, std::string* out);

class Reader {
 public:
  // Without `keep_edges` the dependencies are read (and checked) but not
  // stored: a package's own fields do not need them.
  Reader(const std::string& path, std::string_view text, bool keep_edges = true);
  std::optional<Error> read(Lock* out);

 private:
  std::optional<Error> read_metadata(Lock* out);
  std::optional<Error> read_entry(const YamlEvent& key, Lock* out);
  std::optional<Error> read_dependencies(Lock* out);
  std::optional<Error> read_dependencies_meta();
  // A view of the current scalar that outlives the event: into the file when
  // the scalar is written verbatim there, else a copy kept by the reader.
  std::string_view keep(const YamlEvent& ev);
  Error error_at(const YamlEvent& ev, std::string what) const { return yaml_.error_at(ev, std::move(what)); }

  std::string path_;
  std::string_view text_;
  YamlReader yaml_;
  bool ascii_ = true;
  bool keep_edges_ = true;
  std::deque<std::string> owned_;
  std::vector<std::string> optional_names_;  // of the entry being read (dependenciesMeta)
};

}  // namespace gv::berry
