// JSON report: gouvernante's shape ({"findings":[...], "summary":{...}}),
// extended. The contract is docs/schema/report.schema.json; a test validates
// real output against it. Invalid UTF-8 in hostile names is replaced (U+FFFD)
// rather than aborting the report.
#include <nlohmann/json.hpp>

#include "report/report.h"

namespace gv {

using nlohmann::json;

std::string_view output_extension(OutputFormat f) {
  switch (f) {
    case OutputFormat::kJson: return "json";
    case OutputFormat::kSarif: return "sarif";
    case OutputFormat::kText: return "txt";
  }
  return "txt";
}

namespace {

json finding_json(const Finding& f) {
  json j;
  j["rule_id"] = f.rule->id;
  j["rule_title"] = f.rule->title;
  j["severity"] = severity_name(f.rule->severity);
  j["type"] = finding_type_name(f.type);
  j["package"] = f.package;
  j["version"] = f.version;
  j["alias"] = f.alias.empty() ? json(nullptr) : json(f.alias);
  j["matched"] = f.matched;
  j["declared_range"] = f.declared;
  j["lockfile"] = f.lockfile;
  j["lockfile_kind"] = lockfile_kind_name(f.lockfile_kind);
  j["line"] = f.line;
  j["location"] = f.location;
  j["dependency_path"] = f.dependency_path;
  j["direct"] = (f.flags & kDirect) != 0 || f.dependency_path.size() == 1;
  j["dev"] = (f.flags & (kDev | kDevOptional)) != 0;
  j["optional"] = (f.flags & (kOptional | kDevOptional)) != 0;
  j["peer"] = (f.flags & kPeer) != 0;
  j["source"] = source_kind_name(f.source);
  j["origin"] = finding_origin_name(f.origin);
  j["install_kind"] = f.origin == FindingOrigin::kInstalled ? json(install_kind_name(f.install_kind)) : json(nullptr);
  j["install_scripts"] = f.origin == FindingOrigin::kInstalled && f.install_scripts;
  j["remediation"] = {{"summary", f.rule->remediation.summary},
                      {"steps", f.rule->remediation.steps}};
  return j;
}

json pairs_json(const std::vector<std::pair<std::string, std::string>>& v) {
  json a = json::array();
  for (const auto& [path, reason] : v) a.push_back({{"path", path}, {"reason", reason}});
  return a;
}

json host_json(const HostResult& h) {
  if (!h.ran) return nullptr;
  json checks = json::array();
  for (const HostCheck& c : h.checks)
    checks.push_back({{"rule_id", c.rule != nullptr ? json(c.rule->id) : json(nullptr)},
                      {"indicator", c.indicator},
                      {"type", c.type},
                      {"target", c.target},
                      {"status", check_status_name(c.status)},
                      {"confidence", c.confidence},
                      {"detail", c.detail},
                      {"evidence", c.evidence}});
  return {{"checks", checks},
          {"installed",
           {{"packages", h.installed_packages},
            {"roots_read", h.roots_read},
            {"roots_absent", pairs_json(h.roots_absent)},
            {"skipped", pairs_json(h.skipped)},
            {"unreadable_packages", h.unreadable_packages},
            {"files_read", h.files_read}}}};
}

json heuristic_json(const HeuristicReport& hr) {
  if (!hr.ran) return nullptr;
  const HeuristicResult& h = hr.result;
  json findings = json::array();
  for (const HeuristicFinding& f : h.findings)
    findings.push_back({{"file", f.file},
                        {"offset", f.offset},
                        {"line", f.line},
                        {"rule", f.rule},
                        {"rule_source", f.rule_source},
                        {"description", f.description},
                        {"severity", f.severity},
                        {"excerpt", f.excerpt},
                        {"package", f.package.empty() ? json(nullptr) : json(f.package)}});
  json errors = json::array();
  for (const Error& e : h.errors) errors.push_back(e.str());
  return {{"findings", findings},      {"skipped", pairs_json(h.skipped)}, {"errors", errors},
          {"files_scanned", h.files_scanned}, {"bytes_scanned", h.bytes_scanned}, {"rules_loaded", h.rules_loaded}};
}

}  // namespace

std::string render_json(const ScanReport& r) {
  json doc;
  doc["tool"] = {{"name", kToolName}, {"version", kToolVersion}};
  doc["findings"] = json::array();
  json by_sev = {{"critical", 0}, {"high", 0}, {"medium", 0}, {"low", 0}};
  for (const Finding& f : r.findings) {
    doc["findings"].push_back(finding_json(f));
    by_sev[std::string(severity_name(f.rule->severity))] =
        by_sev[std::string(severity_name(f.rule->severity))].get<int>() + 1;
  }
  doc["lockfiles"] = json::array();
  for (const LockfileResult& l : r.lockfiles) {
    doc["lockfiles"].push_back({{"path", l.path},
                                {"kind", lockfile_kind_name(l.kind)},
                                {"status", lockfile_status_name(l.status)},
                                {"reason", l.reason.empty() ? json(nullptr) : json(l.reason)},
                                {"format_version", l.format_version},
                                {"packages", l.packages},
                                {"findings", l.findings}});
  }
  doc["unevaluated"] = json::array();
  for (const Unevaluated& u : r.unevaluated)
    doc["unevaluated"].push_back({{"lockfile", u.lockfile},
                                  {"line", u.line},
                                  {"package", u.package},
                                  {"version", u.version},
                                  {"rule_id", u.rule_id},
                                  {"reason", u.reason}});
  doc["errors"] = json::array();
  for (const Error& e : r.errors) doc["errors"].push_back(e.str());
  doc["host"] = host_json(r.host);
  doc["heuristic"] = heuristic_json(r.heuristic);
  size_t installed = 0;
  for (const Finding& f : r.findings) installed += f.origin == FindingOrigin::kInstalled;
  doc["summary"] = {
      {"total_findings", r.findings.size()},
      {"lockfiles_scanned", r.count(LockfileStatus::kScanned)},
      {"lockfiles_covered", r.count(LockfileStatus::kCovered)},
      {"lockfiles_not_scanned", r.count(LockfileStatus::kNotScanned)},
      {"lockfiles_with_errors", r.count(LockfileStatus::kError)},
      {"packages_total", r.packages_total},
      {"installed_findings", installed},
      {"host_checks_found", r.host.count(CheckStatus::kFound)},
      {"host_checks_skipped", r.host.count(CheckStatus::kSkipped)},
      {"heuristic_findings", r.heuristic.result.findings.size()},
      {"rules_loaded", r.rules_loaded},
      {"by_severity", by_sev},
      {"elapsed_ms", r.elapsed_ms},
      {"exit_code", exit_code_for(r)},
  };
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace gv
