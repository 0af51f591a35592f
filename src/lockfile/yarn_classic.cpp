// How a yarn.lock (classic, v1) becomes packages; the format and the scanner's
// decisions are described in yarn_classic_scan.h and docs/lockfiles.md.
//
// One entry is one resolved package: its header lists every specifier
// ("name@range") that resolved to it. The real name comes from the first
// specifier ("my-lodash@npm:lodash@4.17.20" -> lodash, alias my-lodash; yarn
// sorts specifiers, so a plain "lodash@..." merged into the same entry comes
// first and the entry is reported without alias), the version from its
// "version" field, the source from the specifier and "resolved". link:
// entries are symlinks to folders and are not emitted. yarn.lock records no
// dev/optional/peer marks and no root, so flags stay 0 (see the docs).
#include "lockfile/yarn_classic.h"

#include <algorithm>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "lockfile/spec.h"
#include "lockfile/yarn_classic_scan.h"

namespace gv {
namespace {

using yarn_classic::Block;
using yarn_classic::Entry;
using yarn_classic::ScanError;

// Where the package came from: the specifier says git/file/link; otherwise
// "resolved" decides (a registry tarball has a "/-/" path; GitHub
// dependencies resolve to codeload.github.com tarballs).
SourceKind entry_source(const DepSpec& d, std::string_view resolved) {
  if (d.source == SourceKind::kGit || d.source == SourceKind::kFile || d.source == SourceKind::kLink)
    return d.source;
  if (resolved.empty()) return d.source;
  if (resolved.find("://codeload.github.com/") != std::string_view::npos) return SourceKind::kGit;
  SourceKind s = source_of_resolved(resolved);
  return s == SourceKind::kUnknown ? d.source : s;
}

struct Resolved {
  DepSpec spec;
  std::string_view declared;  // the specifier's own name (the alias, when aliased)
};

// False when the specifier names no package ("x@npm:" or "x@npm:@1").
bool resolve_spec(std::string_view spec, Resolved* out) {
  std::string_view name, range;
  yarn_classic::split_spec(spec, &name, &range);
  out->declared = name;
  out->spec = parse_dep_spec(name, range);
  return !out->spec.name.empty();
}

class PackageVisitor {
 public:
  explicit PackageVisitor(PackageSink sink) : sink_(sink) {}
  void spec(std::string_view) {}
  void dep(Block, std::string_view, std::string_view) {}
  bool entry(const Entry& e, ScanError* err) {
    Resolved r;
    if (!resolve_spec(e.first_spec, &r)) {
      *err =
          ScanError{e.offset, "specifier \"" + std::string(e.first_spec) + "\" names no package after npm:"};
      return false;
    }
    if (r.spec.source == SourceKind::kLink) return true;
    if (e.version.empty()) {
      *err = ScanError{e.offset, "entry \"" + std::string(e.first_spec) + "\" has an empty \"version\""};
      return false;
    }
    PackageRef p;
    p.name = r.spec.name;
    p.version = e.version;
    if (r.spec.aliased) p.alias = r.declared;
    p.location = e.first_spec;
    p.offset = e.offset;
    p.source = entry_source(r.spec, e.resolved);
    sink_(p);
    ++emitted_;
    return true;
  }
  size_t emitted() const { return emitted_; }

 private:
  PackageSink sink_;
  size_t emitted_ = 0;
};

Error to_error(const std::string& path, std::string_view text, const ScanError& e) {
  LineCol lc = line_col_at(text, e.offset);
  return Error{path, lc.line, lc.col, e.what};
}

// --- dependency_paths (slow path) --------------------------------------------

struct GraphEntry {
  std::vector<std::string_view> specs;
  std::vector<std::string> deps;  // "name@range" keys of its dependencies + optionalDependencies
  std::vector<std::string_view> dep_names;
};

class GraphVisitor {
 public:
  std::vector<GraphEntry> entries;
  void spec(std::string_view s) {
    if (!open_) {
      entries.emplace_back();
      open_ = true;
    }
    entries.back().specs.push_back(s);
  }
  void dep(Block, std::string_view name, std::string_view range) {
    GraphEntry& g = entries.back();
    g.deps.push_back(std::string(name) + "@" + std::string(range));
    g.dep_names.push_back(name);
  }
  bool entry(const Entry&, ScanError*) {
    open_ = false;
    return true;
  }

 private:
  bool open_ = false;
};

// "x@1", "\"@s/x@1\"", or a whole header "a@1, a@2": the first specifier,
// unquoted.
std::string_view location_spec(std::string_view loc) {
  std::string_view first;
  yarn_classic::for_each_spec(loc, [&](std::string_view s) {
    if (first.empty()) first = s;
  });
  return first;
}

}  // namespace

std::optional<Error> parse_yarn_classic(const std::string& path, std::string_view text, PackageSink sink,
                                        ParseStats* stats) {
  PackageVisitor v(sink);
  yarn_classic::Scanner<PackageVisitor> scanner(text, v);
  std::optional<ScanError> err = scanner.run();
  if (stats != nullptr) {
    stats->format_version = 1;
    stats->packages = v.emitted();
  }
  if (err) return to_error(path, text, *err);
  return std::nullopt;
}

// yarn.lock has no root entry. The project's direct dependencies are taken to
// be the entries with at least one specifier that no entry's dependencies
// reference (package.json, or a workspace member's, is the only other place a
// specifier comes from). From them, a breadth-first walk along each entry's
// dependencies and optionalDependencies: "name" "range" leads to the entry
// whose header lists name@range. Chains use the declared names (an alias
// appears as the alias). Shortest chain wins; ties go to the earlier entry.
std::vector<std::vector<std::string>> yarn_classic_dependency_paths(
    std::string_view text, const std::vector<std::string>& locations) {
  std::vector<std::vector<std::string>> out(locations.size());
  GraphVisitor g;
  yarn_classic::Scanner<GraphVisitor> scanner(text, g);
  if (scanner.run()) return out;  // unparsable: every path unknown

  std::unordered_map<std::string_view, uint32_t> by_spec;
  for (uint32_t i = 0; i < g.entries.size(); ++i)
    for (std::string_view s : g.entries[i].specs) by_spec.emplace(s, i);
  std::unordered_set<std::string_view> referenced;
  for (const GraphEntry& e : g.entries)
    for (const std::string& d : e.deps) referenced.insert(d);

  constexpr uint32_t kNone = UINT32_MAX;
  std::vector<uint32_t> parent(g.entries.size(), kNone);
  std::vector<std::string_view> step(g.entries.size());  // name this entry is reached under
  std::vector<bool> seen(g.entries.size(), false);
  std::deque<uint32_t> queue;
  for (uint32_t i = 0; i < g.entries.size(); ++i) {
    for (std::string_view s : g.entries[i].specs) {
      if (referenced.contains(s)) continue;
      std::string_view name, range;
      yarn_classic::split_spec(s, &name, &range);
      seen[i] = true;
      step[i] = name;
      queue.push_back(i);
      break;
    }
  }
  while (!queue.empty()) {
    uint32_t i = queue.front();
    queue.pop_front();
    const GraphEntry& e = g.entries[i];
    for (size_t k = 0; k < e.deps.size(); ++k) {
      auto it = by_spec.find(e.deps[k]);
      if (it == by_spec.end() || seen[it->second]) continue;
      seen[it->second] = true;
      parent[it->second] = i;
      step[it->second] = e.dep_names[k];
      queue.push_back(it->second);
    }
  }

  for (size_t li = 0; li < locations.size(); ++li) {
    auto it = by_spec.find(location_spec(locations[li]));
    if (it == by_spec.end() || !seen[it->second]) continue;
    std::vector<std::string>& chain = out[li];
    for (uint32_t i = it->second; i != kNone; i = parent[i]) chain.emplace_back(step[i]);
    std::reverse(chain.begin(), chain.end());
  }
  return out;
}

}  // namespace gv
