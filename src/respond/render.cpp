#include "respond/render.h"

#include <fmt/format.h>

#include <set>
#include <sstream>

#include "common/utc.h"
#include "egress/event_jsonl.h"
#include "report/escape.h"

namespace gv::respond {

namespace {

using ojson = nlohmann::ordered_json;

ojson commit_json(const inventory::CommitInfo& c) {
  if (c.sha.empty()) return nullptr;
  ojson j;
  j["commit"] = c.sha;
  j["pr"] = c.pr != 0 ? ojson(c.pr) : ojson(nullptr);
  j["author"] = c.author;
  j["date"] = iso_utc(c.time);
  j["subject"] = c.subject;
  return j;
}

ojson repo_json(const RepoItem& r) {
  ojson j;
  j["repo"] = r.repo;
  j["org"] = r.org;
  j["ref"] = r.ref;
  j["package"] = r.package;
  j["version"] = r.version;
  j["declared"] = r.declared;
  j["lockfile"] = r.lockfile;
  j["present_at_tip"] = r.present_at_tip;
  j["introduced_by"] = commit_json(r.introduced_by);
  j["removed_by"] = r.removed_by ? commit_json(*r.removed_by) : ojson(nullptr);
  j["rules"] = r.rule_ids;
  j["severity"] = severity_name(r.severity);
  j["remediation"] = r.remediation;
  return j;
}

ojson run_json(const RunItem& r) {
  return {{"run_id", r.run_id},   {"org", r.org},
          {"repo", r.repo},       {"job", r.job},
          {"time", egress::event_time_text(r.time_ns)},
          {"destination", r.destination},
          {"indicator", r.indicator},
          {"rule", r.rule_id},    {"exe", r.exe},
          {"events", r.events}};
}

ojson finding_json(const inventory::HostFinding& f) {
  // The report's own object when it parses (it passed ingest's parser), so
  // nothing the scanner said is lost; else the columns.
  ojson j = ojson::parse(f.finding_json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) j = ojson::object();
  ojson out{{"kind", f.kind}, {"rule", f.rule_id}};
  if (!f.package.empty()) out["package"] = f.package;
  if (!f.version.empty()) out["version"] = f.version;
  if (!f.path.empty()) out["path"] = f.path;
  if (f.line != 0) out["line"] = f.line;
  out["detail"] = std::move(j);
  return out;
}

ojson host_json(const HostItem& h) {
  ojson findings = ojson::array();
  for (const auto& f : h.findings) findings.push_back(finding_json(f));
  return {{"host", h.host},
          {"report_id", h.report_id},
          {"ingested", egress::event_time_text(h.ingested_ns)},
          {"findings", std::move(findings)}};
}

size_t still_affected(const Incident& inc) {
  std::set<std::pair<std::string, std::string>> repos;
  for (const RepoItem& r : inc.repos)
    if (r.present_at_tip) repos.emplace(r.org, r.repo);
  return repos.size();
}

size_t repos_affected(const Incident& inc) {
  std::set<std::pair<std::string, std::string>> repos;
  for (const RepoItem& r : inc.repos) repos.emplace(r.org, r.repo);
  return repos.size();
}

size_t distinct_runs(const Incident& inc) {
  std::set<std::string> ids;
  for (const RunItem& r : inc.runs) ids.insert(r.run_id);
  return ids.size();
}

std::string severity_text(const Incident& inc) {
  return inc.severity ? std::string(severity_name(*inc.severity)) : "none";
}

std::string commit_line(const inventory::CommitInfo& c, std::string (*safe)(std::string_view)) {
  if (c.sha.empty()) return "no indexed commit (history cut short)";
  std::string s = c.sha.substr(0, 12);
  if (c.pr != 0) s += fmt::format(" (PR #{})", c.pr);
  return s + " " + iso_utc(c.time).substr(0, 10) + " " + safe(c.author) + ": \"" + safe(c.subject) + "\"";
}

int cef_severity(Severity s) {
  switch (s) {
    case Severity::kCritical: return 10;
    case Severity::kHigh: return 8;
    case Severity::kMedium: return 5;
    case Severity::kLow: return 3;
  }
  return 5;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

Severity rule_severity(const Incident& inc, const std::string& id) {
  for (const RuleRef& r : inc.rules)
    if (r.id == id) return r.severity;
  return Severity::kHigh;
}

}  // namespace

ojson incident_json(const Incident& inc) {
  ojson rules = ojson::array();
  for (const RuleRef& r : inc.rules)
    rules.push_back({{"id", r.id},
                     {"title", r.title},
                     {"severity", severity_name(r.severity)},
                     {"remediation", {{"summary", r.remediation.summary.str()}, {"steps", r.remediation.steps}}}});
  ojson repos = ojson::array(), runs = ojson::array(), hosts = ojson::array();
  for (const RepoItem& r : inc.repos) repos.push_back(repo_json(r));
  for (const RunItem& r : inc.runs) runs.push_back(run_json(r));
  for (const HostItem& h : inc.hosts) hosts.push_back(host_json(h));
  const size_t still = still_affected(inc);
  ojson summary{{"affected", affected(inc)},
                {"repositories_affected", still},
                {"repositories_affected_in_the_past", repos_affected(inc) - still},
                {"runs_reached_indicators", distinct_runs(inc)},
                {"hosts_with_findings", inc.hosts.size()},
                {"repositories_searched", inc.repositories_searched},
                {"refs_searched", inc.refs_searched},
                {"runs_searched", inc.runs_searched},
                {"hosts_searched", inc.hosts_searched},
                {"not_checked", inc.not_checked}};
  ojson body{{"id", inc.id},
             {"created", iso_utc(inc.created)},
             {"rules", std::move(rules)},
             {"severity", severity_text(inc)},
             {"repos", std::move(repos)},
             {"runs", std::move(runs)},
             {"hosts", std::move(hosts)},
             {"summary", std::move(summary)}};
  return {{"incident", std::move(body)}};
}

std::string incident_text(const Incident& inc) {
  std::ostringstream out;
  out << "Incident " << inc.id << " [" << severity_text(inc) << "] -- " << iso_utc(inc.created) << "\n";
  for (const RuleRef& r : inc.rules)
    out << "  rule " << terminal_safe(r.id) << " (" << severity_name(r.severity) << "): " << terminal_safe(r.title)
        << "\n";
  const size_t still = still_affected(inc);
  out << fmt::format("\nREPOSITORIES: {} still affected, {} affected in the past ({} searched)\n", still,
                     repos_affected(inc) - still, inc.repositories_searched);
  for (const RepoItem& r : inc.repos) {
    out << "\n  " << terminal_safe(r.org) << "/" << terminal_safe(r.repo) << " " << terminal_safe(r.ref) << "  "
        << terminal_safe(r.package) << "@" << terminal_safe(r.version) << "  " << terminal_safe(r.lockfile) << "  ["
        << (r.present_at_tip ? "STILL PRESENT" : "removed") << ", " << severity_name(r.severity) << "]\n";
    out << "    introduced  " << commit_line(r.introduced_by, terminal_safe) << "\n";
    if (r.removed_by) out << "    removed     " << commit_line(*r.removed_by, terminal_safe) << "\n";
    for (const std::string& step : r.remediation) out << "    - " << terminal_safe(step) << "\n";
  }
  out << fmt::format("\nRUNS that reached the rules' network indicators: {} ({} searched)\n", distinct_runs(inc),
                     inc.runs_searched);
  for (const RunItem& r : inc.runs)
    out << "  " << terminal_safe(r.run_id) << "  " << terminal_safe(r.org) << "/" << terminal_safe(r.repo) << " "
        << terminal_safe(r.job) << "  " << egress::event_time_text(r.time_ns) << "  " << terminal_safe(r.destination)
        << "  " << terminal_safe(r.exe) << "  [" << terminal_safe(r.rule_id) << ": " << terminal_safe(r.indicator)
        << "]\n";
  out << fmt::format("\nHOSTS with findings: {} ({} reporting)\n", inc.hosts.size(), inc.hosts_searched);
  for (const HostItem& h : inc.hosts) {
    out << "  " << terminal_safe(h.host) << "  (report " << terminal_safe(h.report_id) << ", "
        << egress::event_time_text(h.ingested_ns) << ")\n";
    for (const auto& f : h.findings)
      out << "    " << terminal_safe(f.kind) << "  " << terminal_safe(f.rule_id) << "  "
          << (f.package.empty() ? "" : terminal_safe(f.package) + "@" + terminal_safe(f.version) + "  ")
          << terminal_safe(f.path) << (f.line ? fmt::format(":{}", f.line) : "") << "\n";
  }
  for (const RuleRef& r : inc.rules) {
    if (r.remediation.summary.empty() && r.remediation.steps.empty()) continue;
    out << "\nRemediation of " << terminal_safe(r.id) << ": " << terminal_safe(r.remediation.summary) << "\n";
    size_t n = 0;
    for (const std::string& s : r.remediation.steps) out << "  " << ++n << ". " << terminal_safe(s) << "\n";
  }
  if (!inc.not_checked.empty()) {
    out << "\nNOT CHECKED:\n";
    for (const std::string& n : inc.not_checked) out << "  - " << terminal_safe(n) << "\n";
  }
  return out.str();
}

std::string markdown_safe(std::string_view s) {
  std::string out;
  for (char c : terminal_safe(s)) {
    if (std::string_view("\\`*_[]()<>#|!~&").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string incident_markdown(const Incident& inc) {
  std::ostringstream out;
  out << "# Incident " << inc.id << " (" << severity_text(inc) << ")\n\n";
  out << "Created " << iso_utc(inc.created) << ". Rules:\n\n";
  for (const RuleRef& r : inc.rules)
    out << "- **" << markdown_safe(r.id) << "** (" << severity_name(r.severity) << "): " << markdown_safe(r.title)
        << "\n";
  const size_t still = still_affected(inc);
  out << fmt::format("\n## Repositories: {} still affected, {} affected in the past\n\n", still,
                     repos_affected(inc) - still);
  out << inc.repositories_searched << " repositories searched.\n";
  for (const RepoItem& r : inc.repos) {
    out << "\n### " << markdown_safe(r.org + "/" + r.repo) << " " << markdown_safe(r.ref) << ": "
        << markdown_safe(r.package + "@" + r.version) << (r.present_at_tip ? " (still present)" : " (removed)")
        << "\n\n";
    out << "- lockfile: " << markdown_safe(r.lockfile) << "\n";
    out << "- introduced by: " << commit_line(r.introduced_by, markdown_safe) << "\n";
    if (r.removed_by) out << "- removed by: " << commit_line(*r.removed_by, markdown_safe) << "\n";
    out << "- what to do:\n";
    for (const std::string& step : r.remediation) out << "  - " << markdown_safe(step) << "\n";
  }
  out << fmt::format("\n## Runs that reached the indicators: {}\n\n", distinct_runs(inc));
  out << inc.runs_searched << " recorded runs searched.\n";
  if (!inc.runs.empty()) out << "\n| run | repository | job | time | destination | indicator |\n|---|---|---|---|---|---|\n";
  for (const RunItem& r : inc.runs)
    out << "| " << markdown_safe(r.run_id) << " | " << markdown_safe(r.org + "/" + r.repo) << " | "
        << markdown_safe(r.job) << " | " << egress::event_time_text(r.time_ns) << " | " << markdown_safe(r.destination)
        << " | " << markdown_safe(r.rule_id + ": " + r.indicator) << " |\n";
  out << fmt::format("\n## Hosts with findings: {}\n\n", inc.hosts.size());
  out << inc.hosts_searched << " hosts reporting.\n";
  for (const HostItem& h : inc.hosts) {
    out << "\n### " << markdown_safe(h.host) << "\n\n";
    for (const auto& f : h.findings)
      out << "- " << markdown_safe(f.kind) << " " << markdown_safe(f.rule_id) << " "
          << markdown_safe(f.package.empty() ? f.path : f.package + "@" + f.version + " " + f.path) << "\n";
  }
  for (const RuleRef& r : inc.rules) {
    if (r.remediation.summary.empty() && r.remediation.steps.empty()) continue;
    out << "\n## Remediation of " << markdown_safe(r.id) << "\n\n" << markdown_safe(r.remediation.summary) << "\n\n";
    size_t n = 0;
    for (const std::string& s : r.remediation.steps) out << ++n << ". " << markdown_safe(s) << "\n";
  }
  if (!inc.not_checked.empty()) {
    out << "\n## Not checked\n\n";
    for (const std::string& n : inc.not_checked) out << "- " << markdown_safe(n) << "\n";
  }
  return out.str();
}

std::string cef_header(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '|') out += '\\';
    if (c == '\n' || c == '\r') {
      out += ' ';
      continue;
    }
    out += c;
  }
  return out;
}

std::string cef_value(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '=') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::string> cef_lines(const Incident& inc, const std::string& tool_version) {
  std::vector<std::string> lines;
  const std::string head = "CEF:0|gouvernante|gouvernante|" + cef_header(tool_version) + "|";
  auto line = [&](std::string_view sig, std::string_view name, Severity sev, const std::string& ext) {
    lines.push_back(head + cef_header(sig) + "|" + cef_header(name) + "|" + std::to_string(cef_severity(sev)) + "|" +
                    "externalId=" + cef_value(inc.id) + " " + ext);
  };
  for (const RepoItem& r : inc.repos) {
    line(r.present_at_tip ? "affected-repo" : "affected-repo-past",
         r.present_at_tip ? "Repository holds a compromised package" : "Repository held a compromised package",
         r.severity,
         "cs1Label=rules cs1=" + cef_value(joined(r.rule_ids)) + " cs2Label=repository cs2=" +
             cef_value(r.org + "/" + r.repo) + " cs3Label=package cs3=" + cef_value(r.package + "@" + r.version) +
             " cs4Label=lockfile cs4=" + cef_value(r.lockfile) + " cs5Label=ref cs5=" + cef_value(r.ref) +
             " cs6Label=introducedBy cs6=" + cef_value(r.introduced_by.sha) +
             (r.introduced_by.pr ? " cn1Label=pullRequest cn1=" + std::to_string(r.introduced_by.pr) : "") +
             " msg=" + cef_value(r.remediation.empty() ? "" : r.remediation.front()));
  }
  for (const RunItem& r : inc.runs)
    line("run-reached-indicator", "CI run reached an attacker indicator", rule_severity(inc, r.rule_id),
         "rt=" + std::to_string(r.time_ns / 1000000) + " dhost=" + cef_value(r.destination) +
             " cs1Label=rules cs1=" + cef_value(r.rule_id) + " cs2Label=repository cs2=" +
             cef_value(r.org + "/" + r.repo) + " cs3Label=run cs3=" + cef_value(r.run_id) + " cs4Label=job cs4=" +
             cef_value(r.job) + " cs5Label=indicator cs5=" + cef_value(r.indicator) + " sproc=" + cef_value(r.exe));
  for (const HostItem& h : inc.hosts)
    for (const auto& f : h.findings)
      line("host-finding", "Host holds a compromise indicator", rule_severity(inc, f.rule_id),
           "shost=" + cef_value(h.host) + " cs1Label=rules cs1=" + cef_value(f.rule_id) + " cs2Label=kind cs2=" +
               cef_value(f.kind) + " cs3Label=package cs3=" +
               cef_value(f.package.empty() ? "" : f.package + "@" + f.version) + " filePath=" + cef_value(f.path));
  return lines;
}

std::vector<std::string> json_lines(const Incident& inc) {
  std::vector<std::string> lines;
  auto add = [&](const char* type, const std::string& severity, ojson item) {
    ojson j{{"incident", inc.id}, {"type", type}, {"severity", severity}};
    for (auto& [k, v] : item.items()) j[k] = v;
    lines.push_back(j.dump(-1, ' ', false, ojson::error_handler_t::replace));
  };
  for (const RepoItem& r : inc.repos) add("repo", std::string(severity_name(r.severity)), repo_json(r));
  for (const RunItem& r : inc.runs)
    add("run", std::string(severity_name(rule_severity(inc, r.rule_id))), run_json(r));
  for (const HostItem& h : inc.hosts) {
    Severity worst = Severity::kLow;
    for (const auto& f : h.findings) worst = std::max(worst, rule_severity(inc, f.rule_id));
    add("host", std::string(severity_name(worst)), host_json(h));
  }
  return lines;
}

}  // namespace gv::respond
