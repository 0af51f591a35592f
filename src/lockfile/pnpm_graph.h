// Reads a pnpm-lock.yaml into a flat graph: one PnpmEntry per resolved
// package instance, its dependency edges, and the importers' declared deps.
// pnpm_lock.cpp turns it into PackageRefs (flags, aliases) and dependency
// paths; this file only knows the YAML shape of the three lockfile eras:
//
//   5.x (pnpm 7)   packages keys "/name/1.2.3_peer@1.0.0", refs "1.2.3"
//   6.0 (pnpm 8)   packages keys "/name@1.2.3(peer@1.0.0)", refs "1.2.3"
//   9.0 (pnpm 9+)  "packages" holds metadata under "name@1.2.3" and
//                  "snapshots" the instances "name@1.2.3(peer@1.0.0)"
//
// Why collect instead of streaming: in 9.0 dev-only packages are not marked,
// so kDev must be derived by walking from the importers, and an npm: alias
// is only visible on the edge pointing at a package, never on its key.
// Everything stored is a view into the file (scalars whose text is verbatim
// in it, i.e. nearly all) or into `owned` (escaped or folded scalars).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "lockfile/package.h"

namespace gv {

// Key -> entry position. Open addressing over one flat array: a lookup costs
// one cache miss for the slot and one for the key's text, where
// std::unordered_map costs three; with ~3 lookups per package this is most
// of the time spent outside the YAML scanner.
class PnpmKeyIndex {
 public:
  void reserve(size_t n);
  // Inserts key -> value; when the key is already there, returns its value
  // (and changes nothing), else -1.
  int32_t insert(std::string_view key, int32_t value) { return insert(key, hash(key), value); }
  int32_t find(std::string_view key) const { return find(key, hash(key)); }  // -1 when absent

  // The same with the hash computed ahead, so that the caller can prefetch()
  // the slot and do other work while it arrives: with 100k+ keys the table
  // is larger than the cache and each lookup is otherwise a stall.
  static uint64_t hash(std::string_view key);
  void prefetch(uint64_t h) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[h & (slots_.size() - 1)]);
  }
  int32_t insert(std::string_view key, uint64_t h, int32_t value);
  int32_t find(std::string_view key, uint64_t h) const;

 private:
  struct Slot {
    std::string_view key;
    uint32_t hash = 0;
    int32_t value = -1;  // -1: empty
  };
  void grow();
  std::vector<Slot> slots_;
  size_t size_ = 0;
};

struct PnpmEdge {
  std::string_view name;  // the dependency's key: the name it is installed under (alias or real)
  std::string_view ref;   // "1.2.3(peer@1)", "lodash@4.17.20", "/lodash/4.17.20", "link:../x"
};

struct PnpmEntry {
  std::string_view key;      // the packages (5.x/6.0) or snapshots (9.0) key
  std::string_view name;     // from the entry's "name" field, else from the key; may be empty
  std::string_view version;  // from the entry's "version" field, else from the key
  std::string_view alias;    // set by pnpm_lock.cpp from the edges
  size_t offset = 0;         // byte offset of the key
  uint32_t first_edge = 0, edge_count = 0;
  uint8_t flags = 0;  // kDev ("dev: true", 5.x/6.0), kOptional ("optional: true")
  SourceKind source = SourceKind::kRegistry;
};

struct PnpmImporter {
  std::string_view path;  // "." or "packages/app"
  uint32_t dep_count = 0;
};

struct PnpmImporterDep {
  PnpmEdge edge;
  uint32_t importer = 0;  // position in importers
  uint8_t section = 0;    // 0 = dependencies, kDev = devDependencies, kOptional = optionalDependencies
};

struct PnpmLock {
  uint32_t major = 0;  // lockfileVersion's major: 5, 6, 9
  std::vector<PnpmEntry> entries;
  std::vector<PnpmEdge> edges;
  std::vector<PnpmImporter> importers;
  std::vector<PnpmImporterDep> importer_deps;
  PnpmKeyIndex index;  // entry key -> position in entries
  std::deque<std::string> owned;
};

// A ref that can only mean "the edge's own name at this version" ("1.2.3",
// "18.3.1(react@18.3.1)", "18.3.1_react@18.3.1"): its target carries the
// edge's name, so it says nothing about aliases; it matters only for walks
// over the graph (9.0's dev flag, dependency paths).
bool pnpm_plain_ref(std::string_view ref, uint32_t major);

// Fills `out`; errors name path:line:col. Without `plain_edges`, edges with a
// plain ref are not stored (what a scan without graph flags needs: aliases
// and non-registry targets only), which saves most of the graph's memory.
std::optional<Error> read_pnpm_graph(const std::string& path, std::string_view text, PnpmLock* out,
                                     bool plain_edges = true);

}  // namespace gv
