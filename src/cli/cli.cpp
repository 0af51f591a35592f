#include "cli/cli.h"

#include "cli/flags.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <ostream>

#include "cli/egress_cmd.h"
#include "cli/history_cmd.h"
#include "cli/report_cmd.h"
#include "cli/respond_cmd.h"
#include "cli/rules_cmd.h"
#include "report/escape.h"
#include "report/report.h"
#include "rules/index.h"
#include "rules/load.h"
#include "scan/host_scan.h"
#include "scan/scan.h"

namespace gv {

namespace {

struct Flags {
  std::vector<std::string> rules;
  std::vector<std::string> lockfiles;
  std::vector<std::string> dirs;
  bool recursive = false;
  bool host = false;
  bool heuristic = false;
  std::vector<std::string> yara;
  bool json = false;
  bool sarif = false;
  bool trace = false;
  bool version = false;
  bool no_color = false;
  unsigned threads = 0;
  std::string output;
};

bool write_file(const std::string& path, const std::string& text, std::string* err) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) {
    *err = path + ": cannot open for writing";
    return false;
  }
  f << text;
  f.close();
  if (!f) {
    *err = path + ": write failed";
    return false;
  }
  return true;
}

// One self-overwriting stderr line for long walks (only on a TTY): files/s
// and the folder being read, so a 100k-file node_modules is visibly moving.
std::function<void(uint64_t, uint64_t, const std::string&)> progress_printer(std::ostream& err) {
  auto start = std::chrono::steady_clock::now();
  return [&err, start](uint64_t files, uint64_t bytes, const std::string& dir) {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::string where = terminal_safe(dir);
    if (where.size() > 60) where = "..." + where.substr(where.size() - 57);
    err << fmt::format("\r\x1b[K{} files, {:.1f} MB, {:.0f} files/s  {}", files, static_cast<double>(bytes) / 1e6,
                       s > 0 ? static_cast<double>(files) / s : 0.0, where)
        << std::flush;
  };
}

}  // namespace

std::vector<std::string> normalize_go_flags(const std::vector<std::string>& args,
                                            const std::vector<std::string>& long_flags) {
  std::vector<std::string> out;
  out.reserve(args.size());
  bool rest = false;
  for (const std::string& a : args) {
    if (rest || a == "--") {
      rest = true;
      out.push_back(a);
      continue;
    }
    if (a.size() > 2 && a[0] == '-' && a[1] != '-') {
      std::string_view name(a);
      name.remove_prefix(1);
      name = name.substr(0, name.find('='));
      if (std::find(long_flags.begin(), long_flags.end(), name) != long_flags.end()) {
        out.push_back("-" + a);
        continue;
      }
    }
    out.push_back(a);
  }
  return out;
}

int parse_flags(CLI::App& app, const std::vector<std::string>& raw_args, const CliEnv& env, const std::string& prog) {
  // Every long flag CLI11 knows may be spelled Go-style with one dash.
  std::vector<std::string> long_flags;
  for (const CLI::Option* o : app.get_options())
    for (const std::string& n : o->get_lnames()) long_flags.push_back(n);
  std::vector<std::string> args = normalize_go_flags(raw_args, long_flags);
  std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp&) {
    *env.out << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    *env.err << prog << ": " << terminal_safe(e.what()) << "\n(run " << prog << " -help for usage)\n";
    return 1;
  }
  return -1;
}

std::string utc_stamp(std::time_t now) {
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string auto_output_name(std::time_t now, std::string_view extension) {
  return fmt::format("gouvernante-{}.{}", utc_stamp(now), extension);
}

int run_cli(const std::vector<std::string>& raw_args, const CliEnv& env) {
  // "gouvernante rules ...": the rule author's subcommands (rules_cmd.h). The
  // scan takes no positional arguments, so the word cannot mean anything else.
  if (!raw_args.empty() && raw_args[0] == "rules")
    return run_rules_command({raw_args.begin() + 1, raw_args.end()}, env);
  // The history index's commands (history_cmd.h), likewise by their first word.
  if (!raw_args.empty()) {
    const std::vector<std::string> rest(raw_args.begin() + 1, raw_args.end());
    if (raw_args[0] == "index") return run_index_command(rest, env);
    if (raw_args[0] == "search") return run_search_command(rest, env);
    if (raw_args[0] == "blast-radius") return run_blast_radius_command(rest, env);
    if (raw_args[0] == "run") return run_run_command(rest, env);
    if (raw_args[0] == "net") return run_net_command(rest, env);
    if (raw_args[0] == "report") return run_report_command(rest, env);
    if (raw_args[0] == "respond") return run_respond_command(rest, env);
    if (raw_args[0] == "alerts") return run_alerts_command(rest, env);
    if (raw_args[0] == "watch") return run_watch_command(rest, env);
  }
  std::ostream& out = *env.out;
  std::ostream& err = *env.err;
  Flags fl;
  CLI::App app{"gouvernante: scan npm lockfiles for compromised packages named by incident rules.\n"
               "Exit codes: 0 clean, 1 error or incomplete scan, 2 findings.",
               "gouvernante"};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.footer("Rule authoring: gouvernante rules validate|new|test|list|show|import ... "
             "(gouvernante rules -help; docs/rules-cli.md)\n"
             "History: gouvernante index|search|blast-radius ... (each with -help; docs/history.md)\n"
             "Egress: gouvernante run [OPTIONS] -- CMD, gouvernante net "
             "events|exfil|baseline|anomalies|search|import ... (docs/egress.md)\n"
             "Reports: gouvernante report ingest FILE.json --host NAME, gouvernante report hosts\n"
             "Respond: gouvernante respond --rules DIR [--sink S]..., gouvernante alerts pending|flush, "
             "gouvernante watch --feed DIR --sink S (docs/respond.md)");
  app.add_option("--rules", fl.rules, "Rule file or folder of *.json rules (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--lockfile", fl.lockfiles,
                 "A lockfile to scan (repeatable); its format is detected by name and content")
      ->allow_extra_args(false);
  app.add_option("--dir", fl.dirs, "Folder to scan for lockfiles (default: . when no -lockfile)")
      ->allow_extra_args(false);
  app.add_flag("--recursive", fl.recursive, "Descend into subfolders (skips node_modules, .git)");
  app.add_flag("--host", fl.host,
               "Also check this machine: the rules' host indicators (files, processes, environment, "
               "network) and installed packages (node_modules, global installs, package-manager caches)");
  app.add_flag("--heuristic", fl.heuristic,
               "Scan installed package code (node_modules) with YARA for malware behaviour; needs no rules");
  app.add_option("--yara", fl.yara, "Extra YARA rules for -heuristic: a .yar file or a folder of them (repeatable)")
      ->allow_extra_args(false);
  app.add_flag("--json", fl.json, "JSON report");
  app.add_flag("--sarif", fl.sarif, "SARIF 2.1.0 report (GitHub code scanning)");
  app.add_option("--output", fl.output,
                 "Write the report to FILE; 'auto' = gouvernante-<UTC timestamp>.txt|.json|.sarif");
  app.add_flag("--trace", fl.trace, "Print what is loaded and scanned, with timings, to stderr");
  app.add_option("--threads", fl.threads, "Worker threads (default: all cores)");
  app.add_flag("--no-color", fl.no_color, "No ANSI colours (also: NO_COLOR=1)");
  app.add_flag("--version", fl.version, "Print the version and exit");

  if (int code = parse_flags(app, raw_args, env, "gouvernante"); code >= 0) return code;
  if (fl.version) {
    out << kToolName << " " << kToolVersion << "\n";
    return 0;
  }
  if (fl.json && fl.sarif) {
    err << "gouvernante: -json and -sarif are exclusive; pick one report format\n";
    return 1;
  }
  if (!fl.yara.empty() && !fl.heuristic) {
    err << "gouvernante: -yara adds rules to -heuristic; add -heuristic to use them\n";
    return 1;
  }
  if (fl.rules.empty() && !fl.heuristic) {
    err << "gouvernante: -rules is required (a rule file or a folder of *.json rules); only -heuristic runs "
           "without rules\n";
    return 1;
  }
  // Trace lines carry paths and names from untrusted trees: escaped like all output.
  auto trace = [&](const std::string& line) { err << "[trace] " << terminal_safe(line) << "\n"; };

  RuleSet rs;
  Errors rule_errors;
  const auto t0 = std::chrono::steady_clock::now();
  if (!fl.rules.empty() && !load_rules(fl.rules, &rs, &rule_errors)) {
    for (const Error& e : rule_errors) err << e.str() << "\n";
    err << "gouvernante: " << rule_errors.size() << " problem" << (rule_errors.size() == 1 ? "" : "s")
        << " in the rules; refusing to scan with a partial rule set\n";
    return 1;
  }
  RuleIndex index(rs.rules);
  if (fl.trace) {
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    for (const std::string& f : rs.files) trace("rules file " + f);
    trace(fmt::format("{} rules, {} package entries over {} names, loaded in {:.1f} ms",
                      rs.rules.size(), index.entries(), index.names(), ms));
  }

  ScanOptions so;
  so.lockfiles = fl.lockfiles;
  so.dirs = fl.dirs;
  if (so.lockfiles.empty() && so.dirs.empty()) so.dirs.push_back(".");
  so.recursive = fl.recursive;
  so.threads = fl.threads;
  if (fl.trace) so.trace = trace;
  // -heuristic alone scans code, not lockfiles (there are no rules to match).
  ScanReport report = fl.rules.empty() ? ScanReport{} : scan(index, so);
  report.rule_files = rs.files;
  report.rules_loaded = rs.rules.size();

  // The projects whose node_modules -host lists and -heuristic scans: the
  // -dir folders and the folders of the -lockfile files.
  std::vector<std::string> projects = so.dirs;
  for (const std::string& l : so.lockfiles) {
    std::string parent = std::filesystem::path(l).parent_path().string();
    projects.push_back(parent.empty() ? "." : parent);
  }
  HostContext ctx;
  if (fl.trace) ctx.trace = trace;
  if (fl.host) {
    HostScanOptions ho;
    ho.project_dirs = projects;
    ho.ctx = ctx;
    scan_host(rs.rules, index, ho, &report);
    if (fl.trace)
      for (const auto& [path, why] : report.host.skipped) trace("host: not read: " + path + ": " + why);
  }
  if (fl.heuristic) {
    HeuristicOptions hopt;
    hopt.roots = project_node_modules(projects, ctx);
    hopt.yara_paths = fl.yara;
    for (const Rule& r : rs.rules) hopt.yara_paths.insert(hopt.yara_paths.end(), r.yara_rules.begin(), r.yara_rules.end());
    hopt.threads = fl.threads;
    if (fl.trace) hopt.trace = trace;
    if (env.stderr_is_tty) hopt.progress = progress_printer(err);
    report.heuristic.ran = true;
    if (hopt.roots.empty()) {
      // Nothing to read is not "no malware": say so, and exit 1.
      std::string where;
      for (const std::string& p : projects) where += (where.empty() ? "" : ", ") + p;
      report.errors.push_back({where, 0, 0, "no node_modules folder found: nothing for -heuristic to scan"});
    } else {
      report.heuristic.result = scan_heuristics(hopt);
      if (fl.trace)
        for (const auto& [path, why] : report.heuristic.result.skipped) trace("heuristic: not scanned: " + path + ": " + why);
    }
    if (env.stderr_is_tty) err << "\r\x1b[K";
  }

  const OutputFormat fmt_kind =
      fl.json ? OutputFormat::kJson : (fl.sarif ? OutputFormat::kSarif : OutputFormat::kText);
  const bool to_file = !fl.output.empty() && fl.output != "-";
  std::string text;
  switch (fmt_kind) {
    case OutputFormat::kJson: text = render_json(report); break;
    case OutputFormat::kSarif: text = render_sarif(report); break;
    case OutputFormat::kText:
      text = render_text(report, {!to_file && env.stdout_is_tty && !env.no_color && !fl.no_color});
      break;
  }
  const int code = exit_code_for(report);
  if (to_file) {
    std::string path = fl.output == "auto" ? auto_output_name(env.now, output_extension(fmt_kind))
                                           : fl.output;
    if (fl.output == "auto" && !env.cwd_for_output.empty()) path = env.cwd_for_output + "/" + path;
    std::string werr;
    if (!write_file(path, text, &werr)) {
      err << "gouvernante: " << werr << "\n";
      return 1;
    }
    err << "gouvernante: report written to " << path << " (exit " << code << ")\n";
  } else {
    out << text;
  }
  if (env.fast_exit) {
    // Freeing a 200,000-rule set and its index takes ~0.2 s that the OS does
    // for free at exit: flush what was written and leave without destructors.
    out.flush();
    err.flush();
    std::_Exit(code);
  }
  return code;
}

}  // namespace gv
