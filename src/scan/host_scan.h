// -host: everything the runbook's triage asks of a machine, in one call:
// the rules' host indicators (host_ioc.h) and the installed packages and
// caches (installed.h) matched against the rules.
#pragma once

#include <string>
#include <vector>

#include "rules/index.h"
#include "scan/finding.h"

namespace gv {

struct HostScanOptions {
  // Project folders (-dir values, and the folders of -lockfile files): their
  // node_modules are listed along with the machine's global installs and caches.
  std::vector<std::string> project_dirs;
  HostContext ctx;  // what the checks read (the real machine by default)
};

// Fills r->host, and appends installed-package findings to r->findings.
void scan_host(const std::vector<Rule>& rules, const RuleIndex& index, const HostScanOptions& opts,
               ScanReport* r);

// The node_modules folders under the project folders: what -heuristic scans.
std::vector<std::string> project_node_modules(const std::vector<std::string>& project_dirs,
                                              const HostContext& ctx);

}  // namespace gv
