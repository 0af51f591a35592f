// yarn.lock, berry (yarn 2+): YAML with a __metadata block, then one entry
// per resolved package keyed by the descriptors that resolve to it. See
// docs/lockfiles-yarn-berry.md for the quirks; in short:
//
//   "lodash@npm:^4.17.20, lodash@npm:^4.17.21":   one entry, two descriptors
//     version: 4.17.21
//     resolution: "lodash@npm:4.17.21"             the real name comes from here
//
// The file is read once with libyaml events into a flat list (yarn_berry_read.h),
// then packages are emitted in file order. workspace:, portal: and link:
// entries are the project's own code and are not emitted; a patch: entry is
// the package it patches (and hides the npm: entry it was made from).
#include "lockfile/yarn_berry.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "lockfile/yarn_berry_read.h"

namespace gv {

namespace {

using berry::Edge;
using berry::Entry;
using berry::Lock;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool is_own_code(std::string_view range) {
  return starts_with(range, "workspace:") || starts_with(range, "portal:") || starts_with(range, "link:");
}

// "typescript@npm%3A5.6.3#optional!builtin<compat/typescript>::version=..." →
// "typescript@npm:5.6.3": the locator a patch: reference was made from. yarn
// URL-encodes it (encodeURIComponent) up to the '#' that starts the patch path.
std::string patched_locator(std::string_view patch_range) {
  std::string_view inner = patch_range.substr(std::string_view("patch:").size());
  inner = inner.substr(0, inner.find('#'));
  std::string out;
  out.reserve(inner.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < inner.size(); ++i) {
    if (inner[i] == '%' && i + 2 < inner.size() && hex(inner[i + 1]) >= 0 && hex(inner[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(inner[i + 1]) * 16 + hex(inner[i + 2])));
      i += 2;
    } else {
      out.push_back(inner[i]);
    }
  }
  return out;
}

SourceKind source_of(std::string_view range, int depth = 0) {
  if (starts_with(range, "npm:")) return SourceKind::kRegistry;
  if (starts_with(range, "patch:")) {
    if (depth > 4) return SourceKind::kUnknown;
    std::string inner = patched_locator(range);
    std::string_view name, inner_range;
    if (!berry::split_descriptor(inner, &name, &inner_range)) return SourceKind::kUnknown;
    return source_of(inner_range, depth + 1);
  }
  if (starts_with(range, "file:")) return SourceKind::kFile;
  if (starts_with(range, "git:") || starts_with(range, "git+") || starts_with(range, "github:") ||
      starts_with(range, "gitlab:") || starts_with(range, "bitbucket:") || starts_with(range, "ssh:") ||
      starts_with(range, "git@") || range.find("#commit=") != std::string_view::npos)
    return SourceKind::kGit;
  if (starts_with(range, "http:") || starts_with(range, "https:")) return SourceKind::kTarball;
  if (is_own_code(range)) return SourceKind::kLink;
  // No protocol: a bare version, as yarn 2 wrote some resolutions.
  if (range.find(':') == std::string_view::npos) return SourceKind::kRegistry;
  return SourceKind::kUnknown;  // exec:, and protocols added by plugins
}

// The spelling a descriptor is looked up by. A patch: descriptor is reached
// through the descriptor it patches: yarn applies its builtin patches
// (typescript, fsevents, resolve) at resolution, so the project declares
// "typescript": "npm:^5.6.0" and the lockfile has both "typescript@npm:^5.6.0"
// (the original) and "typescript@patch:typescript@npm%3A^5.6.0#..." (what is
// installed).
void lookup_spelling(std::string_view name, std::string_view range, std::string* out) {
  if (starts_with(range, "patch:")) {
    std::string inner = patched_locator(range);
    std::string_view iname, irange;
    if (berry::split_descriptor(inner, &iname, &irange)) {
      berry::normalize_descriptor(iname, irange, out);
      return;
    }
  }
  berry::normalize_descriptor(name, range, out);
}

// Calls f(descriptor) for each descriptor of a key ("a@npm:^1, a@npm:^1.2").
template <class F>
void for_each_descriptor(std::string_view key, F f) {
  while (!key.empty()) {
    size_t comma = key.find(',');
    std::string_view d = key.substr(0, comma);
    while (!d.empty() && d.front() == ' ') d.remove_prefix(1);
    while (!d.empty() && d.back() == ' ') d.remove_suffix(1);
    if (!d.empty()) f(d);
    if (comma == std::string_view::npos) break;
    key.remove_prefix(comma + 1);
  }
}

// Which descriptors the project declares (kDirect) and which every dependent
// marks optional (kOptional), in normalize_descriptor() spelling.
struct Marks {
  std::unordered_set<std::string> direct;
  std::unordered_set<std::string> optional;  // reached by optional edges only
};

Marks compute_marks(const Lock& lock) {
  Marks m;
  std::string d;
  std::unordered_set<std::string_view> optional_names;
  for (const Entry& e : lock.entries) {
    std::string_view name, range;
    berry::split_descriptor(e.resolution, &name, &range);
    bool workspace = starts_with(range, "workspace:");
    for (uint32_t i = e.edges_begin; i < e.edges_end; ++i) {
      const Edge& edge = lock.edges[i];
      if (workspace) {
        berry::normalize_descriptor(edge.name, edge.range, &d);
        m.direct.insert(d);
      }
      if (edge.optional) {
        berry::normalize_descriptor(edge.name, edge.range, &d);
        m.optional.insert(d);
        optional_names.insert(edge.name);
      }
    }
  }
  if (m.optional.empty()) return m;
  // A descriptor some dependent requires without optional: true is not optional.
  for (const Edge& edge : lock.edges) {
    if (edge.optional || !optional_names.contains(edge.name)) continue;
    berry::normalize_descriptor(edge.name, edge.range, &d);
    m.optional.erase(d);
  }
  return m;
}

}  // namespace

std::optional<Error> parse_yarn_berry(const std::string& path, std::string_view text, PackageSink sink,
                                      ParseStats* stats, bool graph_flags) {
  Lock lock;
  berry::Reader reader(path, text, /*keep_edges=*/graph_flags);
  if (auto e = reader.read(&lock)) return e;
  if (stats != nullptr) stats->format_version = lock.format_version;

  // The npm: locators that patch: entries were made from: the same package and
  // version, so emitting both would report one installed package twice.
  std::unordered_set<std::string> patched;
  std::string d;
  for (const Entry& e : lock.entries) {
    std::string_view name, range;
    berry::split_descriptor(e.resolution, &name, &range);
    if (starts_with(range, "patch:")) {
      lookup_spelling(name, range, &d);
      patched.insert(d);
    }
  }
  // Without graph flags the edges were not kept: kDirect and kOptional come
  // from graph_flags() for lockfiles with findings.
  Marks marks = graph_flags ? compute_marks(lock) : Marks{};

  size_t emitted = 0;
  for (const Entry& e : lock.entries) {
    std::string_view name, range;
    berry::split_descriptor(e.resolution, &name, &range);  // checked by the reader
    if (is_own_code(range)) continue;
    if (!patched.empty() && starts_with(range, "npm:")) {
      berry::normalize_descriptor(name, range, &d);
      if (patched.contains(d)) continue;
    }
    PackageRef p;
    p.name = name;
    p.version = e.version;
    p.location = e.key;
    p.offset = e.offset;
    p.source = source_of(range);
    bool any_not_optional = false, any_optional = false;
    for_each_descriptor(e.key, [&](std::string_view desc) {
      std::string_view dname, drange;
      if (!berry::split_descriptor(desc, &dname, &drange)) return;
      // An alias ("my-lodash@npm:lodash@4.17.20"): installed under another name.
      if (dname != name && p.alias.empty()) p.alias = dname;
      if (marks.direct.empty() && marks.optional.empty()) return;
      lookup_spelling(dname, drange, &d);
      if (marks.direct.contains(d)) p.flags |= kDirect;
      if (marks.optional.contains(d))
        any_optional = true;
      else
        any_not_optional = true;
    });
    if (any_optional && !any_not_optional) p.flags |= kOptional;
    sink(p);
    ++emitted;
  }
  if (stats != nullptr) stats->packages = emitted;
  return std::nullopt;
}

std::vector<std::vector<std::string>> yarn_berry_dependency_paths(std::string_view text,
                                                                  const std::vector<std::string>& locations) {
  std::vector<std::vector<std::string>> out(locations.size());
  Lock lock;
  berry::Reader reader("yarn.lock", text);
  if (reader.read(&lock)) return out;

  // Every descriptor of every key → its entry.
  std::unordered_map<std::string, uint32_t> by_descriptor;
  std::string d;
  for (uint32_t i = 0; i < lock.entries.size(); ++i) {
    for_each_descriptor(lock.entries[i].key, [&](std::string_view desc) {
      std::string_view dname, drange;
      if (!berry::split_descriptor(desc, &dname, &drange)) return;
      lookup_spelling(dname, drange, &d);
      // The patch: entry wins over the original it was made from.
      if (starts_with(drange, "patch:"))
        by_descriptor[d] = i;
      else
        by_descriptor.emplace(d, i);
    });
  }

  // Breadth-first from the workspaces, the root ("workspace:.") first, so
  // the shortest chain wins. parent[i] = {entry, edge} it was reached by.
  constexpr uint32_t kNone = UINT32_MAX;
  struct Step {
    uint32_t from = kNone, edge = kNone;
    bool seen = false;
  };
  std::vector<Step> steps(lock.entries.size());
  std::vector<uint32_t> queue;
  std::vector<std::string_view> seed_label(lock.entries.size());
  for (int pass = 0; pass < 2; ++pass) {
    for (uint32_t i = 0; i < lock.entries.size(); ++i) {
      std::string_view name, range;
      berry::split_descriptor(lock.entries[i].resolution, &name, &range);
      if (!starts_with(range, "workspace:") || steps[i].seen) continue;
      std::string_view folder = range.substr(std::string_view("workspace:").size());
      if ((pass == 0) != (folder == ".")) continue;
      steps[i].seen = true;
      if (folder != ".") seed_label[i] = folder;
      queue.push_back(i);
    }
  }
  for (size_t q = 0; q < queue.size(); ++q) {
    const Entry& e = lock.entries[queue[q]];
    for (uint32_t k = e.edges_begin; k < e.edges_end; ++k) {
      const Edge& edge = lock.edges[k];
      berry::normalize_descriptor(edge.name, edge.range, &d);
      auto it = by_descriptor.find(d);
      if (it == by_descriptor.end() || steps[it->second].seen) continue;
      steps[it->second] = Step{queue[q], k, true};
      queue.push_back(it->second);
    }
  }

  std::unordered_map<std::string_view, uint32_t> by_key;
  for (uint32_t i = 0; i < lock.entries.size(); ++i) by_key.emplace(lock.entries[i].key, i);
  for (size_t w = 0; w < locations.size(); ++w) {
    auto it = by_key.find(locations[w]);
    if (it == by_key.end() || !steps[it->second].seen) continue;
    std::vector<std::string>& chain = out[w];
    uint32_t i = it->second;
    for (; steps[i].from != kNone; i = steps[i].from) chain.emplace_back(lock.edges[steps[i].edge].name);
    if (!seed_label[i].empty()) chain.emplace_back(seed_label[i]);
    std::reverse(chain.begin(), chain.end());
  }
  return out;
}

}  // namespace gv
