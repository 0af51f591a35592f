// `gouvernante rules import FORMAT SRC [-o FILE] [--since DATE] [--json]`:
// argument parsing and file writing around gv::import_rules (rules/import.h).
//
// The written file is guaranteed to load: the text rule_document_json
// produces is parsed back with parse_rule_document before anything is
// written, and the import fails if it does not validate. Writing is atomic
// (a hidden temporary file renamed over the target) and skipped when the
// bytes are unchanged, so a re-import from cron leaves the file, its mtime
// and the rules repository's diff alone.

#include "cli/rules_import.h"

#include "cli/flags.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "report/escape.h"
#include "rules/import.h"
#include "rules/load.h"
#include "rules/write.h"

namespace gv {

namespace {

namespace fs = std::filesystem;

constexpr const char* kKinds[] = {"compromised-release", "malicious-package", "vulnerability", "dropper",
                                  "suspicious-artifact"};

std::string read_all(const std::string& path, bool* exists) {
  std::ifstream f(path, std::ios::binary);
  *exists = static_cast<bool>(f);
  return *exists ? std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()) : std::string();
}

// Write-then-rename in the target's folder; the temporary name starts with
// '.', so the rule loader skips it should we die half-way.
bool write_atomically(const std::string& path, const std::string& text, std::string* err) {
  fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  fs::path tmp = target.parent_path() / ("." + target.filename().string() + ".tmp." + std::to_string(::getpid()));
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) {
      *err = path + ": cannot open for writing";
      return false;
    }
    f << text;
    f.close();
    if (!f) {
      *err = path + ": write failed";
      fs::remove(tmp, ec);
      return false;
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    *err = path + ": cannot replace: " + ec.message();
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

std::string plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string summary_line(const ImportStats& s) {
  std::string line = "imported " + plural(s.rules, "rule", "rules") + " (" +
                     plural(s.package_entries, "package entry", "package entries") + ") from " +
                     plural(s.files, "file", "files") + "; skipped: " + std::to_string(s.withdrawn) + " withdrawn, " +
                     std::to_string(s.other_ecosystems) + " other ecosystems, " + std::to_string(s.before_since) +
                     " before --since";
  if (s.no_versions) line += ", " + std::to_string(s.no_versions) + " without npm versions";
  return line;
}

nlohmann::ordered_json summary_json(const ImportStats& s, const std::string& output, const std::string& state,
                                    const Errors& errors) {
  nlohmann::ordered_json j;
  j["output"] = output;
  j["state"] = state;  // written, unchanged, failed
  j["rules"] = s.rules;
  j["package_entries"] = s.package_entries;
  j["files"] = s.files;
  j["skipped"] = {{"withdrawn", s.withdrawn},
                  {"other_ecosystems", s.other_ecosystems},
                  {"before_since", s.before_since},
                  {"without_npm_versions", s.no_versions}};
  nlohmann::ordered_json errs = nlohmann::ordered_json::array();
  for (const Error& e : errors) {
    errs.push_back({{"file", e.file}, {"line", e.line}, {"col", e.col}, {"message", e.what}});
  }
  j["errors"] = errs;
  return j;
}

}  // namespace

int run_rules_import(const std::vector<std::string>& raw_args, const CliEnv& env) {
  std::ostream& out = *env.out;
  std::ostream& err = *env.err;
  std::string format_name, src, output, since, id, title, kind, severity_name_flag;
  bool json = false;
  CLI::App app{
      "Import advisories into a gouvernante rule file: OSV (a file, a folder such as OpenSSF's "
      "osv/malicious/npm/, or a zip of them), CSV IOC lists (package,version with a header), "
      "GitHub advisories (REST API JSON). Only npm entries are kept; withdrawn ones are skipped. "
      "The same input always gives the same bytes.",
      "gouvernante rules import"};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("FORMAT", format_name, "osv, csv or ghsa")->required();
  app.add_option("SRC", src, "A file, a folder (searched recursively), or a .zip archive")->required();
  app.add_option("-o,--output", output, "Rule file to write (default: print the rules on stdout)");
  app.add_option("--since", since, "Only advisories modified (else published) on or after YYYY-MM-DD");
  app.add_flag("--json", json, "Print the import summary (and any errors) as JSON on stdout; needs -o");
  app.add_option("--id", id, "CSV: the rule id (default CSV-<file name>)");
  app.add_option("--title", title, "CSV: the rule title (default 'Packages listed in <file name>')");
  app.add_option("--kind", kind, "CSV: the rule kind (default compromised-release)");
  app.add_option("--severity", severity_name_flag, "CSV: low, medium, high or critical (default critical)");

  if (int code = parse_flags(app, raw_args, env, "gouvernante rules import"); code >= 0) return code;

  auto fail = [&](const std::string& msg) {
    err << "gouvernante rules import: " << terminal_safe(msg) << "\n";
    return 1;
  };
  std::optional<ImportFormat> format = import_format(format_name);
  if (!format) return fail("unknown format '" + format_name + "'; expected osv, csv or ghsa");
  if (json && output.empty())
    return fail("--json prints the summary on stdout, where the rules go without -o; add -o FILE");
  ImportOptions opt;
  opt.since = since;
  if (*format != ImportFormat::kCsv &&
      (!id.empty() || !title.empty() || !kind.empty() || !severity_name_flag.empty())) {
    return fail("--id, --title, --kind and --severity describe the rule a CSV file becomes; " + format_name +
                " advisories carry their own");
  }
  if (!kind.empty()) {
    if (std::find_if(std::begin(kKinds), std::end(kKinds), [&](const char* k) { return kind == k; }) ==
        std::end(kKinds)) {
      return fail("--kind '" + kind +
                  "': expected one of compromised-release, malicious-package, vulnerability, dropper, "
                  "suspicious-artifact");
    }
    opt.csv_kind = kind;
  }
  if (!severity_name_flag.empty()) {
    bool found = false;
    for (Severity s : {Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
      if (severity_name(s) == severity_name_flag) {
        opt.csv_severity = s;
        found = true;
      }
    }
    if (!found) return fail("--severity '" + severity_name_flag + "': expected low, medium, high or critical");
  }
  opt.csv_id = id;
  opt.csv_title = title;
  if (!output.empty()) {
    std::error_code ec;
    if (fs::equivalent(src, output, ec)) return fail("-o " + output + " is the file being imported");
    opt.skip_paths.push_back(output);
  }

  ImportBatch batch;
  Errors errors;
  bool ok = import_rules(*format, src, opt, &batch, &errors);
  auto report_errors = [&](const Errors& errs, const std::string& what) {
    for (const Error& e : errs) err << terminal_safe(e.str()) << "\n";
    err << "gouvernante rules import: " << plural(errs.size(), "problem", "problems") << " " << what
        << "; nothing written\n";
    if (json) out << summary_json(batch.stats, output, "failed", errs).dump(2) << "\n";
    return 1;
  };
  if (!ok) return report_errors(errors, "in the input");

  // The guarantee: what we write loads.
  const std::string text = rule_document_json(batch.rules);
  {
    RuleSet check;
    Errors verrs;
    if (!parse_rule_document(text, output.empty() ? "<stdout>" : output, &check, &verrs)) {
      return report_errors(verrs, "in the imported rules (a bug in the importer: please report it)");
    }
  }

  std::string state = "written";
  if (output.empty()) {
    out << text;
  } else {
    bool exists = false;
    if (read_all(output, &exists) == text && exists) {
      state = "unchanged";
    } else {
      std::string werr;
      if (!write_atomically(output, text, &werr)) {
        Errors e{Error{"", 0, 0, werr}};
        return report_errors(e, "writing the rules");
      }
    }
  }
  if (json) {
    out << summary_json(batch.stats, output, state, {}).dump(2) << "\n";
  } else {
    std::string where = output.empty() ? "" : "; " + output + (state == "unchanged" ? " unchanged" : " written");
    err << terminal_safe(summary_line(batch.stats) + where) << "\n";
  }
  if (batch.rules.empty()) {
    err << "gouvernante rules import: warning: no rules imported; a scan with only this file refuses to run\n";
  }
  return 0;
}

}  // namespace gv
