// `gouvernante rules list [RULES...]` and `gouvernante rules show ID`: what a
// rules folder holds, loaded exactly as `-rules` loads it (so a list that
// prints is a set that scans). Every string comes from rule files, which may
// come from a feed: terminal_safe on the way out.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <system_error>

#include "cli/rules_cmd.h"
#include "cli/output.h"
#include "cli/rules_cmd_shared.h"
#include "report/escape.h"
#include "rules/write.h"

namespace gv {

namespace {

using ojson = nlohmann::ordered_json;

// Display width of UTF-8 text, close enough for a table: code points.
size_t width(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

std::string pad(const std::string& s, size_t w) {
  return s + std::string(w > width(s) ? w - width(s) : 0, ' ');
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// Without paths, ./rules; say so plainly when there is none.
bool default_rules_folder(const CliEnv& env, const char* name, const char* how) {
  std::error_code ec;
  if (std::filesystem::is_directory("rules", ec)) return true;
  *env.err << "gouvernante rules " << name << ": no ./rules folder here; name the rules with " << how << "\n";
  return false;
}

constexpr Severity kSeverityOrder[] = {Severity::kCritical, Severity::kHigh, Severity::kMedium,
                                       Severity::kLow};

}  // namespace

int run_rules_list(const std::vector<std::string>& args, const CliEnv& env) {
  std::vector<std::string> paths, more;
  bool json = false;
  CLI::App app{"List the rules a folder or files hold, with counts by kind and severity.",
               "gouvernante rules list"};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("RULES", paths, "Rule files or folders (default ./rules)");
  app.add_option("--rules", more, "Rule file or folder, as for a scan (repeatable)")->allow_extra_args(false);
  app.add_flag("--json", json, "Machine-readable list");
  if (int code = parse_rules_args(app, args, env, "list"); code >= 0) return code;
  paths.insert(paths.end(), more.begin(), more.end());
  if (paths.empty() && !default_rules_folder(env, "list", "RULES...")) return 1;
  if (paths.empty()) paths.push_back("rules");
  RuleSet rs;
  if (!load_rules_or_report(paths, &rs, env, "list")) return 1;

  std::map<std::string, size_t> by_kind;
  std::map<Severity, size_t> by_severity;
  size_t packages = 0, droppers = 0, indicators = 0;
  for (const Rule& r : rs.rules) {
    ++by_kind[r.kind];
    ++by_severity[r.severity];
    packages += r.package_rules.size();
    droppers += r.dropper_packages.size();
    indicators += r.host_indicators.size();
  }

  if (json) {
    ojson doc;
    doc["files"] = rs.files;
    ojson list = ojson::array();
    for (const Rule& r : rs.rules) {
      list.push_back({{"id", r.id},
                      {"title", r.title},
                      {"kind", r.kind},
                      {"severity", std::string(severity_name(r.severity))},
                      {"packages", r.package_rules.size()},
                      {"droppers", r.dropper_packages.size()},
                      {"host_indicators", r.host_indicators.size()},
                      {"file", r.file},
                      {"line", r.line}});
    }
    doc["rules"] = list;
    ojson sev = ojson::object();
    for (Severity s : kSeverityOrder)
      if (by_severity.count(s)) sev[std::string(severity_name(s))] = by_severity[s];
    doc["totals"] = {{"rules", rs.rules.size()},      {"packages", packages}, {"droppers", droppers},
                     {"host_indicators", indicators}, {"by_kind", by_kind},   {"by_severity", sev}};
    *env.out << json_text(doc);
    return 0;
  }

  struct Row {
    std::string id, severity, kind, packages, droppers, host, title;
  };
  std::vector<Row> rows = {{"ID", "SEVERITY", "KIND", "PKGS", "DROPPERS", "HOST", "TITLE"}};
  for (const Rule& r : rs.rules)
    rows.push_back({terminal_safe(r.id), std::string(severity_name(r.severity)), terminal_safe(r.kind),
                    std::to_string(r.package_rules.size()), std::to_string(r.dropper_packages.size()),
                    std::to_string(r.host_indicators.size()), terminal_safe(r.title)});
  size_t w[6] = {};
  for (const Row& row : rows) {
    const std::string* cells[6] = {&row.id,       &row.severity, &row.kind,
                                   &row.packages, &row.droppers, &row.host};
    for (size_t i = 0; i < 6; ++i) w[i] = std::max(w[i], width(*cells[i]));
  }
  std::ostream& out = *env.out;
  for (const Row& row : rows)
    out << pad(row.id, w[0]) << "  " << pad(row.severity, w[1]) << "  " << pad(row.kind, w[2]) << "  "
        << pad(row.packages, w[3]) << "  " << pad(row.droppers, w[4]) << "  " << pad(row.host, w[5]) << "  "
        << row.title << "\n";
  out << "\n"
      << count_of(rs.rules.size(), "rule", "rules") << " from " << count_of(rs.files.size(), "file", "files")
      << ": " << count_of(packages, "package entry", "package entries") << ", "
      << count_of(droppers, "dropper", "droppers") << ", "
      << count_of(indicators, "host indicator", "host indicators") << "\n";
  std::vector<std::string> parts;
  for (Severity s : kSeverityOrder)
    if (by_severity.count(s)) parts.push_back(fmt::format("{} {}", severity_name(s), by_severity[s]));
  out << "by severity: " << join(parts) << "\n";
  parts.clear();
  for (const auto& [k, n] : by_kind) parts.push_back(fmt::format("{} {}", terminal_safe(k), n));
  out << "by kind: " << join(parts) << "\n";
  return 0;
}

int run_rules_show(const std::vector<std::string>& args, const CliEnv& env) {
  std::string id;
  std::vector<std::string> paths;
  bool json = false;
  CLI::App app{"Show one rule in full.", "gouvernante rules show"};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("ID", id, "The rule id")->required();
  app.add_option("--rules", paths, "Rule file or folder to look in (repeatable; default ./rules)")
      ->allow_extra_args(false);
  app.add_flag("--json", json, "The rule as a rule file (the writer `rules new` uses)");
  if (int code = parse_rules_args(app, args, env, "show"); code >= 0) return code;
  if (paths.empty() && !default_rules_folder(env, "show", "--rules PATH")) return 1;
  if (paths.empty()) paths.push_back("rules");
  RuleSet rs;
  if (!load_rules_or_report(paths, &rs, env, "show")) return 1;
  const Rule* r = nullptr;
  for (const Rule& x : rs.rules)
    if (x.id == id) r = &x;
  if (!r) {
    // Ids are case-sensitive; a near miss is most often the case.
    std::string near;
    for (const Rule& x : rs.rules)
      if (x.id.size() == id.size() && std::equal(x.id.begin(), x.id.end(), id.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
          }))
        near = x.id;
    *env.err << "gouvernante rules show: no rule " << terminal_safe(id) << " in "
             << terminal_safe(join(paths)) << " (" << count_of(rs.rules.size(), "rule", "rules")
             << " loaded; "
             << (near.empty() ? "gouvernante rules list shows them"
                              : "did you mean " + terminal_safe(near) + "?")
             << ")\n";
    return 1;
  }
  if (json) {
    *env.out << rule_document_json({*r});
    return 0;
  }
  std::ostream& out = *env.out;
  auto s = [](const std::string& x) { return terminal_safe(x); };
  auto field = [&](const char* name, const std::string& value) {
    if (!value.empty()) out << fmt::format("  {:<12}{}\n", name, value);
  };
  out << s(r->id) << "  " << s(r->title) << "\n";
  field("severity", std::string(severity_name(r->severity)));
  field("kind", s(r->kind) + " (" + s(r->ecosystem) + ")");
  field("file", s(r->file) + ":" + std::to_string(r->line));
  field("summary", s(r->summary));
  for (const Alias& a : r->aliases) field("alias", s(a.value) + " (" + s(a.type) + ")");
  for (const Reference& ref : r->references) field("reference", s(ref.url) + " (" + s(ref.type) + ")");
  if (!r->package_rules.empty()) out << "  packages\n";
  for (const PackageRule& pr : r->package_rules) {
    std::vector<std::string> exprs;
    for (const AffectedVersion& av : pr.affected_versions) exprs.push_back(s(av.expr));
    out << "    " << s(pr.package_name) << "  " << join(exprs);
    if (!pr.lockfile_ecosystems.empty())
      out << "  (" << s(join(pr.lockfile_ecosystems)) << " lockfiles only)";
    if (!pr.notes.empty()) out << "  -- " << s(pr.notes);
    out << "\n";
  }
  if (!r->dropper_packages.empty()) out << "  droppers (any version)\n";
  for (const DropperPackage& d : r->dropper_packages)
    out << "    " << s(d.package_name) << (d.notes.empty() ? "" : "  -- " + s(d.notes)) << "\n";
  if (!r->host_indicators.empty()) out << "  host indicators\n";
  for (const HostIndicator& h : r->host_indicators) {
    std::string where = h.path;
    if (!h.file_name.empty()) where += (where.empty() || where.back() == '/' ? "" : "/") + h.file_name;
    if (!h.value.empty()) where += (where.empty() ? "" : " ") + h.value;
    out << "    " << s(h.type) << " " << s(where) << "  [" << s(join(h.oses)) << "]";
    if (!h.confidence.empty()) out << "  confidence " << s(h.confidence);
    if (!h.notes.empty()) out << "  -- " << s(h.notes);
    out << "\n";
    for (const FileHash& fh : h.hashes) out << "      " << s(fh.algorithm) << " " << s(fh.value) << "\n";
  }
  if (!r->yara_rules.empty()) out << "  yara rules\n";
  for (const std::string& y : r->yara_rules) out << "    " << s(y) << "\n";
  if (!r->remediation.summary.empty() || !r->remediation.steps.empty()) out << "  remediation\n";
  if (!r->remediation.summary.empty()) out << "    " << s(r->remediation.summary) << "\n";
  for (size_t i = 0; i < r->remediation.steps.size(); ++i)
    out << "    " << i + 1 << ". " << s(r->remediation.steps[i]) << "\n";
  field("published", s(r->published_at));
  field("updated", s(r->last_updated_at));
  return 0;
}

}  // namespace gv
