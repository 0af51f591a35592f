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
  j["remediation"] = {{"summary", f.rule->remediation.summary},
                      {"steps", f.rule->remediation.steps}};
  return j;
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
  doc["summary"] = {
      {"total_findings", r.findings.size()},
      {"lockfiles_scanned", r.count(LockfileStatus::kScanned)},
      {"lockfiles_covered", r.count(LockfileStatus::kCovered)},
      {"lockfiles_not_scanned", r.count(LockfileStatus::kNotScanned)},
      {"lockfiles_with_errors", r.count(LockfileStatus::kError)},
      {"packages_total", r.packages_total},
      {"rules_loaded", r.rules_loaded},
      {"by_severity", by_sev},
      {"elapsed_ms", r.elapsed_ms},
      {"exit_code", exit_code_for(r)},
  };
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace gv
