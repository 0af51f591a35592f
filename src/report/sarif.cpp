// SARIF 2.1.0 for GitHub code scanning: one reportingDescriptor per rule that
// produced a finding, one result per finding located at the lockfile line.
// GitHub reads properties.security-severity (a number as a string) to rank
// alerts, and partialFingerprints to keep an alert stable across runs.
#include <nlohmann/json.hpp>

#include <map>

#include "report/escape.h"
#include "report/report.h"

namespace gv {

using nlohmann::json;

namespace {

std::string_view sarif_level(Severity s) {
  switch (s) {
    case Severity::kCritical:
    case Severity::kHigh: return "error";
    case Severity::kMedium: return "warning";
    case Severity::kLow: return "note";
  }
  return "warning";
}

std::string_view security_severity(Severity s) {
  switch (s) {
    case Severity::kCritical: return "9.8";
    case Severity::kHigh: return "8.0";
    case Severity::kMedium: return "5.5";
    case Severity::kLow: return "3.0";
  }
  return "5.5";
}

json rule_descriptor(const Rule& r) {
  std::string help = r.remediation.summary;
  for (size_t i = 0; i < r.remediation.steps.size(); ++i)
    help += "\n" + std::to_string(i + 1) + ". " + r.remediation.steps[i];
  json d = {{"id", r.id},
            {"name", r.id},
            {"shortDescription", {{"text", r.title}}},
            {"fullDescription", {{"text", r.summary.empty() ? r.title : r.summary}}},
            {"help", {{"text", help.empty() ? r.title.str() : help}}},
            {"defaultConfiguration", {{"level", sarif_level(r.severity)}}},
            {"properties",
             {{"security-severity", security_severity(r.severity)},
              {"tags", {"security", "supply-chain", "npm", r.kind}}}}};
  if (!r.references.empty()) d["helpUri"] = r.references.front().url;
  return d;
}

}  // namespace

std::string render_sarif(const ScanReport& r) {
  json rules = json::array();
  std::map<const Rule*, size_t> rule_index;
  json results = json::array();
  for (const Finding& f : r.findings) {
    auto [it, inserted] = rule_index.emplace(f.rule, rules.size());
    if (inserted) rules.push_back(rule_descriptor(*f.rule));
    std::string msg = f.type == FindingType::kDropper
                          ? "Dropper package " + f.package + "@" + f.version + " is present"
                          : (f.declared ? "Declared range " + f.package + "@" + f.version +
                                              " can resolve to affected version " + f.matched
                                        : "Affected version " + f.package + "@" + f.version +
                                              " (matches " + f.matched + ")");
    if (!f.alias.empty()) msg += ", installed as " + f.alias;
    msg += ": " + f.rule->title + ".";
    if (!f.rule->remediation.summary.empty()) msg += " Remediation: " + f.rule->remediation.summary;
    json region = {{"startLine", f.line > 0 ? f.line : 1}};
    if (f.col > 0) region["startColumn"] = f.col;
    results.push_back(
        {{"ruleId", f.rule->id},
         {"ruleIndex", it->second},
         {"level", sarif_level(f.rule->severity)},
         {"message", {{"text", msg}}},
         {"locations",
          {{{"physicalLocation",
             {{"artifactLocation", {{"uri", uri_from_path(f.lockfile)}}}, {"region", region}}}}}},
         {"partialFingerprints",
          {{"gouvernante/v1", f.rule->id + ":" + f.package + "@" + f.version + ":" + f.location}}},
         {"properties",
          {{"package", f.package},
           {"version", f.version},
           {"type", finding_type_name(f.type)},
           {"origin", finding_origin_name(f.origin)},
           {"dependency_path", f.dependency_path}}}});
  }
  // Heuristic matches: one descriptor per YARA rule, located by byte offset.
  std::map<std::string, size_t> yara_index;
  for (const HeuristicFinding& h : r.heuristic.result.findings) {
    const std::string id = "yara/" + h.rule;
    auto [it, inserted] = yara_index.emplace(id, rules.size());
    const Severity sev = h.severity == "critical" ? Severity::kCritical
                         : h.severity == "high"   ? Severity::kHigh
                         : h.severity == "low"    ? Severity::kLow
                                                  : Severity::kMedium;
    if (inserted)
      rules.push_back({{"id", id},
                       {"name", h.rule},
                       {"shortDescription", {{"text", h.description.empty() ? h.rule : h.description}}},
                       {"fullDescription", {{"text", "Heuristic (YARA) rule from " + h.rule_source}}},
                       {"defaultConfiguration", {{"level", sarif_level(sev)}}},
                       {"properties",
                        {{"security-severity", security_severity(sev)},
                         {"tags", {"security", "supply-chain", "npm", "heuristic"}}}}});
    results.push_back(
        {{"ruleId", id},
         {"ruleIndex", it->second},
         {"level", sarif_level(sev)},
         {"message", {{"text", (h.description.empty() ? h.rule : h.description) +
                                   (h.package.empty() ? "" : " in " + h.package)}}},
         {"locations",
          {{{"physicalLocation",
             {{"artifactLocation", {{"uri", uri_from_path(h.file)}}},
              {"region", {{"startLine", h.line > 0 ? h.line : 1}, {"byteOffset", h.offset}}}}}}}},
         {"partialFingerprints", {{"gouvernante/v1", id + ":" + h.file + ":" + std::to_string(h.offset)}}},
         {"properties", {{"package", h.package}, {"rule_source", h.rule_source}}}});
  }
  json notifications = json::array();
  // Host indicators are about the machine, not a file of the repository:
  // they travel as notifications (found ones as errors, so they are seen).
  for (const HostCheck& c : r.host.checks) {
    if (c.status == CheckStatus::kClean) continue;
    std::string text = std::string(c.status == CheckStatus::kFound ? "host indicator found: " : "host check skipped: ") +
                       c.type + " " + c.target + (c.rule ? " (rule " + c.rule->id + ")" : "") +
                       (c.detail.empty() ? "" : ": " + c.detail);
    notifications.push_back({{"level", c.status == CheckStatus::kFound ? "error" : "note"}, {"message", {{"text", text}}}});
  }
  for (const LockfileResult& l : r.lockfiles)
    if (l.status == LockfileStatus::kNotScanned || l.status == LockfileStatus::kError)
      notifications.push_back({{"level", "warning"}, {"message", {{"text", l.reason}}}});
  for (const Error& e : r.errors)
    notifications.push_back({{"level", "error"}, {"message", {{"text", e.str()}}}});
  json run = {{"tool",
               {{"driver",
                 {{"name", kToolName},
                  {"version", kToolVersion},
                  {"semanticVersion", kToolVersion},
                  {"rules", rules}}}}},
              {"results", results},
              {"invocations",
               {{{"executionSuccessful", exit_code_for(r) != 1},
                 {"toolExecutionNotifications", notifications}}}}};
  json doc = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs", {run}}};
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace gv
