// pnpm-lock.yaml: never crash or hang, and the fast YAML subset scanner
// (pnpm_fast_yaml.h) must agree exactly with libyaml whenever it accepts.
#include <cstdlib>

#include "fuzz_input.h"
#include "lockfile/pnpm_graph.h"

namespace {

bool same(const gv::PnpmLock& a, const gv::PnpmLock& b) {
  if (a.major != b.major || a.entries.size() != b.entries.size() || a.edges.size() != b.edges.size() ||
      a.importers.size() != b.importers.size() || a.importer_deps.size() != b.importer_deps.size())
    return false;
  for (size_t i = 0; i < a.entries.size(); ++i) {
    const gv::PnpmEntry &x = a.entries[i], &y = b.entries[i];
    if (x.key != y.key || x.name != y.name || x.version != y.version || x.offset != y.offset ||
        x.flags != y.flags || x.source != y.source || x.first_edge != y.first_edge || x.edge_count != y.edge_count)
      return false;
  }
  for (size_t i = 0; i < a.edges.size(); ++i)
    if (a.edges[i].name != b.edges[i].name || a.edges[i].ref != b.edges[i].ref) return false;
  for (size_t i = 0; i < a.importers.size(); ++i)
    if (a.importers[i].path != b.importers[i].path || a.importers[i].dep_count != b.importers[i].dep_count) return false;
  for (size_t i = 0; i < a.importer_deps.size(); ++i)
    if (a.importer_deps[i].edge.name != b.importer_deps[i].edge.name ||
        a.importer_deps[i].edge.ref != b.importer_deps[i].edge.ref ||
        a.importer_deps[i].section != b.importer_deps[i].section ||
        a.importer_deps[i].importer != b.importer_deps[i].importer)
      return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gv::fuzz::parse_all_ways(data, size, gv::LockfileKind::kPnpm);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  gv::PnpmLock fast, slow;
  auto e1 = gv::read_pnpm_graph("fuzz", text, &fast);
  if (fast.fast) {
    auto e2 = gv::read_pnpm_graph("fuzz", text, &slow, /*libyaml_only=*/true);
    if (e1 || e2 || !same(fast, slow)) std::abort();  // the fast path accepted what libyaml reads otherwise
  }
  return 0;
}
