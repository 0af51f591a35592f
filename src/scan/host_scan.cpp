#include "scan/host_scan.h"

#include "scan/scan.h"

namespace gv {

namespace {

// The context's environment (the real one unless a test injected another).
std::function<std::optional<std::string>(const std::string&)> getenv_of(const HostContext& ctx) {
  return [&ctx](const std::string& name) { return host_getenv(ctx, name); };
}

}  // namespace

void scan_host(const std::vector<Rule>& rules, const RuleIndex& index, const HostScanOptions& opts,
               ScanReport* r) {
  HostResult& h = r->host;
  h.ran = true;
  h.checks = check_host_indicators(rules, opts.ctx);

  const std::vector<InstallRoot> roots = default_install_roots(opts.project_dirs, getenv_of(opts.ctx));
  std::function<void(const std::string&)> trace = opts.ctx.trace;
  InstalledScan inst = list_installed(roots, trace ? trace : [](const std::string&) {});
  match_installed(index, inst.packages, &r->findings, &r->unevaluated);
  h.installed_packages = inst.packages.size();
  h.roots_read = std::move(inst.roots_read);
  h.roots_absent = std::move(inst.roots_absent);
  // A package whose package.json could not be read is a package not checked:
  // the scan is incomplete. Links leaving the tree and the like are listed
  // but do not hide a package of their own.
  for (const auto& [path, reason] : inst.skipped)
    h.unreadable_packages += path.ends_with("/package.json") ? 1 : 0;
  h.skipped = std::move(inst.skipped);
  h.files_read = inst.files_read;
  h.dirs = inst.dirs;
}

std::vector<std::string> project_node_modules(const std::vector<std::string>& project_dirs, const HostContext& ctx) {
  std::vector<std::string> out;
  for (const InstallRoot& root : default_install_roots(project_dirs, getenv_of(ctx)))
    if (root.kind == InstallKind::kNodeModules) out.push_back(root.path);
  return out;
}

}  // namespace gv
