// How a pnpm-lock.yaml becomes packages (see docs/lockfiles.md for the quirks).
//
// pnpm_graph.cpp reads the file into entries (one per resolved instance: a
// 5.x/6.0 "packages" key, a 9.0 "snapshots" key) and edges; here the edges
// are resolved to entries the way pnpm does (@pnpm/dependency-path
// refToRelative): a ref is first tried as a version of the dependency's own
// name ("1.2.3" -> "name@1.2.3", "/name@1.2.3", "/name/1.2.3"), then as a
// key of its own ("lodash@4.17.20", "/lodash/4.17.20": an npm: alias,
// "file:local-lib"). "link:" refs are workspace folders, never packages.
//
// From the resolved edges come kDirect (importer-declared), the alias (an
// edge whose name differs from the entry's), and in 9.0 kDev: a package
// reachable from some importer's devDependencies but from no importer's
// dependencies/optionalDependencies. 5.x/6.0 write "dev: true" themselves.
// Each entry is emitted once: keys are unique (a duplicate is an error), so
// (name, version, location) is too.
#include "lockfile/pnpm_lock.h"

#include <algorithm>
#include <deque>

#include "lockfile/pnpm_graph.h"

namespace gv {
namespace {

constexpr int32_t kNone = -1;

class Resolver {
 public:
  explicit Resolver(const PnpmLock& lock) : lock_(lock), index_(lock.index) {}

  // The entry an edge points at, or kNone (a link:, or a key the file lacks).
  int32_t resolve(const PnpmEdge& e) {
    if (e.ref.starts_with("link:")) return kNone;
    buf_.clear();
    if (lock_.major < 9) buf_ += '/';
    buf_ += e.name;
    buf_ += lock_.major < 6 ? '/' : '@';
    buf_ += e.ref;
    if (int32_t i = index_.find(buf_); i >= 0) return i;
    return index_.find(e.ref);
  }

 private:
  const PnpmLock& lock_;
  const PnpmKeyIndex& index_;
  std::string buf_;
};

// Resolved targets of lock.edges and of lock.importer_deps.
struct Targets {
  std::vector<int32_t> edges, importer_deps;
};

// `all`: also the plain refs between entries (needed for reachability: 9.0's
// kDev and the dependency paths); otherwise those stay kNone.
Targets resolve_all(const PnpmLock& lock, bool all) {
  Resolver r(lock);
  Targets t;
  t.edges.reserve(lock.edges.size());
  for (const PnpmEdge& e : lock.edges) t.edges.push_back(all || !pnpm_plain_ref(e.ref, lock.major) ? r.resolve(e) : kNone);
  t.importer_deps.reserve(lock.importer_deps.size());
  for (const PnpmImporterDep& d : lock.importer_deps) t.importer_deps.push_back(r.resolve(d.edge));
  return t;
}

// An edge named differently from its target is an npm: alias; an entry pnpm
// itself cannot name (pnpm 7's "/tmp/x/tiny-git/<sha>" for git+file:) takes
// the name it is installed under.
void name_from_edge(PnpmEntry& e, std::string_view edge_name) {
  if (e.name.empty()) e.name = edge_name;
  else if (e.name != edge_name && e.alias.empty()) e.alias = edge_name;
}

// Marks every entry reachable from `starts` in `seen`.
void reach(const PnpmLock& lock, const Targets& t, std::vector<int32_t>& stack, std::vector<bool>& seen) {
  while (!stack.empty()) {
    int32_t n = stack.back();
    stack.pop_back();
    if (seen[n]) continue;
    seen[n] = true;
    const PnpmEntry& e = lock.entries[n];
    for (uint32_t i = e.first_edge; i < e.first_edge + e.edge_count; ++i)
      if (t.edges[i] != kNone && !seen[t.edges[i]]) stack.push_back(t.edges[i]);
  }
}

// `graph_flags`: also 9.0's kDev, which takes a walk over the whole graph.
void derive(PnpmLock& lock, const Targets& t, bool graph_flags) {
  for (size_t i = 0; i < lock.importer_deps.size(); ++i) {
    int32_t n = t.importer_deps[i];
    if (n == kNone) continue;
    lock.entries[n].flags |= kDirect;
    name_from_edge(lock.entries[n], lock.importer_deps[i].edge.name);
  }
  for (size_t i = 0; i < lock.edges.size(); ++i)
    if (t.edges[i] != kNone) name_from_edge(lock.entries[t.edges[i]], lock.edges[i].name);
  for (PnpmEntry& e : lock.entries) {
    if (e.name.empty()) e.name = e.key;
    if (e.version.empty()) e.version = e.key;  // not a semver: "cannot evaluate"
  }
  if (lock.major < 9 || !graph_flags) return;
  std::vector<bool> prod(lock.entries.size()), dev(lock.entries.size());
  std::vector<int32_t> stack;
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < lock.importer_deps.size(); ++i)
      if (t.importer_deps[i] != kNone && ((lock.importer_deps[i].section == kDev) == (pass == 1)))
        stack.push_back(t.importer_deps[i]);
    reach(lock, t, stack, pass == 0 ? prod : dev);
  }
  for (size_t i = 0; i < lock.entries.size(); ++i)
    if (dev[i] && !prod[i]) lock.entries[i].flags |= kDev;
}

}  // namespace

std::optional<Error> parse_pnpm_lock(const std::string& path, std::string_view text, PackageSink sink,
                                     ParseStats* stats, bool graph_flags) {
  PnpmLock lock;
  if (std::optional<Error> e = read_pnpm_graph(path, text, &lock, graph_flags)) return e;
  // Reachability is needed only to derive 9.0's kDev, and only when some
  // importer has devDependencies.
  bool dev_roots = false;
  for (const PnpmImporterDep& d : lock.importer_deps) dev_roots |= d.section == kDev;
  const bool walk = graph_flags && lock.major >= 9 && dev_roots;
  derive(lock, resolve_all(lock, walk), walk);
  for (const PnpmEntry& e : lock.entries) {
    PackageRef p;
    p.name = e.name;
    p.version = e.version;
    p.alias = e.alias;
    p.location = e.key;
    p.offset = e.offset;
    p.flags = e.flags;
    p.source = e.source;
    sink(p);
  }
  if (stats != nullptr) {
    stats->format_version = lock.major;
    stats->packages = lock.entries.size();
  }
  return std::nullopt;
}

std::vector<std::vector<std::string>> pnpm_lock_dependency_paths(std::string_view text,
                                                                 const std::vector<std::string>& locations) {
  std::vector<std::vector<std::string>> out(locations.size());
  PnpmLock lock;
  if (read_pnpm_graph("pnpm-lock.yaml", text, &lock)) return out;
  Targets t = resolve_all(lock, true);
  // Breadth-first from every importer at once, so the shortest chain wins;
  // `via` is the dependency name the entry was reached under, `importer` the
  // importer at the chain's start.
  const size_t n = lock.entries.size();
  std::vector<int32_t> parent(n, kNone), importer(n, kNone);
  std::vector<std::string_view> via(n);
  std::vector<bool> seen(n);
  std::deque<int32_t> queue;
  for (size_t i = 0; i < lock.importer_deps.size(); ++i) {
    int32_t x = t.importer_deps[i];
    if (x == kNone || seen[x]) continue;
    seen[x] = true;
    via[x] = lock.importer_deps[i].edge.name;
    importer[x] = static_cast<int32_t>(lock.importer_deps[i].importer);
    queue.push_back(x);
  }
  while (!queue.empty()) {
    int32_t x = queue.front();
    queue.pop_front();
    const PnpmEntry& e = lock.entries[x];
    for (uint32_t i = e.first_edge; i < e.first_edge + e.edge_count; ++i) {
      int32_t y = t.edges[i];
      if (y == kNone || seen[y]) continue;
      seen[y] = true;
      parent[y] = x;
      via[y] = lock.edges[i].name;
      importer[y] = importer[x];
      queue.push_back(y);
    }
  }
  for (size_t li = 0; li < locations.size(); ++li) {
    const int32_t at = lock.index.find(locations[li]);
    if (at < 0 || !seen[at]) continue;
    std::vector<std::string>& chain = out[li];
    for (int32_t x = at; x != kNone; x = parent[x]) chain.emplace_back(via[x]);
    std::string_view root = lock.importers[importer[at]].path;
    if (root != ".") chain.emplace_back(root);
    std::reverse(chain.begin(), chain.end());
  }
  return out;
}

}  // namespace gv
