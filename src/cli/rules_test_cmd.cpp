// `gouvernante rules test RULES... --affected LOCKFILE --clean LOCKFILE`
//
// Runbook step 4 in one command. A new rule has two ways to be wrong: it
// misses the compromise (a typo in a name or a version expression: the scan
// says "clean" and nobody notices) or it is too broad (a range that takes in
// safe releases: every team gets a false alarm). The affected lockfile catches
// the first, the clean one the second, so both are required. A lockfile that
// could not be scanned fails the test: "nothing found" in it proves nothing.
#include <fmt/format.h>

#include <ostream>

#include "cli/rules_cmd.h"
#include "cli/rules_cmd_shared.h"
#include "report/escape.h"
#include "rules/index.h"
#include "scan/scan.h"

namespace gv {

namespace {

struct Outcome {
  size_t findings = 0;
  bool scanned = true;
};

Outcome test_lockfile(const RuleIndex& index, const std::string& role, const std::string& path,
                      std::ostream& out) {
  ScanOptions so;
  so.lockfiles = {path};
  so.threads = 1;
  const ScanReport rep = scan(index, so);
  Outcome o;
  o.findings = rep.findings.size();
  std::string what;
  for (const LockfileResult& l : rep.lockfiles) {
    if (l.status == LockfileStatus::kScanned) {
      what = fmt::format("{} v{}, {}", lockfile_kind_name(l.kind), l.format_version,
                         count_of(l.packages, "package", "packages"));
      if (l.format_version == 0)
        what = fmt::format("{}, {}", lockfile_kind_name(l.kind), count_of(l.packages, "package", "packages"));
    } else {
      o.scanned = false;
      what = std::string(lockfile_status_name(l.status)) + ": " + l.reason;
    }
  }
  if (rep.lockfiles.empty()) {
    o.scanned = false;
    what = "not scanned";
  }
  for (const Error& e : rep.errors) {
    o.scanned = false;
    what += (what.empty() ? "" : "; ") + e.str();
  }
  out << fmt::format("{:<8} {} ({}): {}\n", role, terminal_safe(path), terminal_safe(what),
                     !o.scanned        ? "NOT SCANNED"
                     : o.findings == 0 ? "nothing found"
                                       : count_of(o.findings, "finding", "findings"));
  for (const Finding& f : rep.findings) {
    std::string where = f.lockfile;
    if (f.line > 0) where += ":" + std::to_string(f.line);
    std::string why = f.type == FindingType::kDropper ? "dropper" : f.matched;
    if (f.declared) why += ", declared range";
    out << fmt::format("  {}@{}  {} ({})  {}\n", terminal_safe(f.package), terminal_safe(f.version),
                       terminal_safe(f.rule ? f.rule->id : "?"), terminal_safe(why), terminal_safe(where));
  }
  for (const Unevaluated& u : rep.unevaluated) {
    out << fmt::format("  could not evaluate {}@{} ({}): {}  {}:{}\n", terminal_safe(u.package),
                       terminal_safe(u.version), terminal_safe(u.rule_id), terminal_safe(u.reason),
                       terminal_safe(u.lockfile), u.line);
  }
  return o;
}

}  // namespace

int run_rules_test(const std::vector<std::string>& args, const CliEnv& env) {
  std::vector<std::string> rule_paths, affected, clean;
  CLI::App app{
      "Test rules against lockfiles (runbook step 4): pass only if they find something in every\n"
      "affected lockfile and nothing in any clean one. Exit 0 pass, 1 fail.",
      "gouvernante rules test"};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("RULES", rule_paths, "Rule files or folders (merged as -rules merges them)")->required();
  app.add_option("--affected", affected, "A lockfile the rules must find something in (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--clean", clean, "A lockfile the rules must find nothing in (repeatable)")
      ->allow_extra_args(false);
  if (int code = parse_rules_args(app, args, env, "test"); code >= 0) return code;
  if (affected.empty() || clean.empty()) {
    *env.err
        << "gouvernante rules test: give both --affected LOCKFILE (proves the rule finds the compromise) "
           "and --clean LOCKFILE (proves it does not flag safe versions)\n";
    return 1;
  }
  RuleSet rs;
  if (!load_rules_or_report(rule_paths, &rs, env, "test")) return 1;
  const RuleIndex index(rs.rules);
  std::ostream& out = *env.out;
  std::string ids;
  for (size_t i = 0; i < rs.rules.size() && i < 5; ++i) ids += (i ? ", " : "") + rs.rules[i].id;
  if (rs.rules.size() > 5) ids += ", ...";
  out << "rules    " << count_of(rs.rules.size(), "rule", "rules") << " from "
      << count_of(rs.files.size(), "file", "files") << " (" << terminal_safe(ids) << ")\n";

  std::vector<std::string> failures;
  size_t found = 0;
  for (const std::string& l : affected) {
    Outcome o = test_lockfile(index, "affected", l, out);
    found += o.findings;
    if (!o.scanned)
      failures.push_back(l + ": could not be scanned, so it proves nothing");
    else if (o.findings == 0)
      failures.push_back(l +
                         ": nothing found in an affected lockfile (check the package names and version "
                         "expressions against the lockfile)");
  }
  for (const std::string& l : clean) {
    Outcome o = test_lockfile(index, "clean", l, out);
    if (!o.scanned)
      failures.push_back(l + ": could not be scanned, so it proves nothing");
    else if (o.findings > 0)
      failures.push_back(l + ": " + count_of(o.findings, "finding", "findings") +
                         " in a clean lockfile (a range too broad, or the wrong lockfile?)");
  }
  if (failures.empty()) {
    out << "PASS: " << count_of(found, "finding", "findings") << " in "
        << count_of(affected.size(), "affected lockfile", "affected lockfiles") << ", nothing in "
        << count_of(clean.size(), "clean lockfile", "clean lockfiles") << "\n";
    return 0;
  }
  for (const std::string& f : failures) out << "FAIL: " << terminal_safe(f) << "\n";
  return 1;
}

}  // namespace gv
