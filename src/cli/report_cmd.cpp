// `gouvernante report ingest FILE.json --host NAME` stores a scan report
// (our -json output) as that host's latest picture; `gouvernante report
// hosts` lists each host's latest report. The checking is in
// inventory/report_ingest.h; this file is flags and printing.
//
// All or nothing: the host name and the whole report are checked before the
// inventory is opened, so a bad report neither creates an empty inventory
// nor stores half a picture; the save itself is one transaction.
#include "cli/report_cmd.h"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/flags.h"
#include "cli/history_cmd.h"
#include "cli/output.h"
#include "common/utc.h"
#include "inventory/report_ingest.h"
#include "report/escape.h"

namespace gv {

namespace {

using ojson = nlohmann::ordered_json;

constexpr const char *kReportUsage =
    "gouvernante report: scan reports from hosts in the inventory\n"
    "\n"
    "  gouvernante report ingest FILE.json --host NAME [--json] [--db D]\n"
    "  gouvernante report hosts [--host NAME] [--json] [--db D]\n"
    "\n"
    "A host's latest ingested report replaces its earlier ones in every "
    "query.\n"
    "Exit codes: 0 done, 1 error (nothing ingested).\n";

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string time_text(int64_t ns) { return iso_utc(ns / 1'000'000'000); }

int fail(const CliEnv &env, const std::string &prog, const std::string &what) {
  *env.err << prog << ": " << terminal_safe(what) << "\n";
  return 1;
}

int report_ingest(const std::vector<std::string> &args, const CliEnv &env) {
  const std::string prog = "gouvernante report ingest";
  std::string db = kDefaultDb, file, host;
  bool json = false;
  CLI::App app{
      "Store a scan report (gouvernante -json output, with or without -host "
      "and -heuristic) as the "
      "host's latest. Nothing is stored unless the whole report is good.",
      prog};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("FILE", file, "The report, as gouvernante -json wrote it")
      ->required();
  app.add_option(
         "--host", host,
         "The scanned machine or CI job, as queries and alerts will name it")
      ->required();
  app.add_option(
         "--db", db,
         "Inventory: a SQLite file or postgres://... (created when missing)")
      ->default_str(kDefaultDb);
  app.add_flag("--json", json, "Machine-readable answer");
  if (int code = parse_flags(app, args, env, prog); code >= 0)
    return code;

  if (std::string problem = inventory::host_name_problem(host);
      !problem.empty())
    return fail(env, prog, "--host: " + problem);
  inventory::IngestedReport in;
  Errors errors;
  if (!inventory::read_report(file, &in, &errors)) {
    for (const Error &e : errors)
      *env.err << terminal_safe(e.str()) << "\n";
    *env.err << prog << ": " << count_of(errors.size(), "problem", "problems")
             << " in " << terminal_safe(file) << "; nothing ingested\n";
    return 1;
  }
  in.report.report_id = inventory::new_report_id();
  in.report.host = host;
  in.report.ingested_ns = now_ns();
  in.report.source_file = file;
  Error open_error;
  std::unique_ptr<inventory::Store> store =
      inventory::Store::open(db, &open_error);
  if (!store)
    return fail(env, prog, open_error.str());
  if (auto e = store->save_host_report(in.report, in.findings))
    return fail(env, prog, e->str());
  if (json) {
    *env.out << json_text({{"ingested",
                            {{"host", host},
                             {"file", file},
                             {"findings", in.findings.size()},
                             {"report_id", in.report.report_id}}}});
  } else {
    *env.out << fmt::format("ingested {} for host {} from {} (report id {})\n",
                            count_of(in.findings.size(), "finding", "findings"),
                            terminal_safe(host), terminal_safe(file),
                            in.report.report_id);
  }
  return 0;
}

int report_hosts(const std::vector<std::string> &args, const CliEnv &env) {
  const std::string prog = "gouvernante report hosts";
  std::string db = kDefaultDb;
  inventory::HostFilter filter;
  bool json = false;
  CLI::App app{"Each host's latest ingested report: when it came in and how "
               "many findings it holds.",
               prog};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("--host", filter.host, "Only this host");
  app.add_option("--db", db, "Inventory: a SQLite file or postgres://...")
      ->default_str(kDefaultDb);
  app.add_flag("--json", json, "Machine-readable answer");
  if (int code = parse_flags(app, args, env, prog); code >= 0)
    return code;

  std::unique_ptr<inventory::Store> store = open_existing_store(db, env, prog);
  if (!store)
    return 1;
  std::vector<inventory::HostReportRow> rows;
  if (auto e = store->host_reports(filter, &rows))
    return fail(env, prog, e->str());
  // A --host that names no host is a typo until proven otherwise, never
  // "clean".
  if (rows.empty() && !filter.host.empty())
    return fail(env, prog,
                "no report of host '" + filter.host + "' in " +
                    inventory::redact_location(db) +
                    " (store one with gouvernante report ingest FILE.json "
                    "--host NAME)");
  if (json) {
    ojson hosts = ojson::array();
    for (const inventory::HostReportRow &r : rows) {
      hosts.push_back({{"host", r.host},
                       {"report_id", r.report_id},
                       {"ingested_at", time_text(r.ingested_ns)},
                       {"findings", r.findings},
                       {"exit_code", r.exit_code},
                       {"file", r.source_file},
                       {"tool_version", r.tool_version}});
    }
    *env.out << json_text({{"hosts", std::move(hosts)}});
    return 0;
  }
  for (const inventory::HostReportRow &r : rows) {
    *env.out << fmt::format(
        "{}  {}  {}  (report {} from {})\n", terminal_safe(r.host),
        time_text(r.ingested_ns),
        count_of(static_cast<size_t>(r.findings), "finding", "findings"),
        r.report_id, terminal_safe(r.source_file));
  }
  *env.out << count_of(rows.size(), "host", "hosts") << "\n";
  return 0;
}

} // namespace

int run_report_command(const std::vector<std::string> &args,
                       const CliEnv &env) {
  if (args.empty()) {
    *env.err << kReportUsage;
    return 1;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "-h" || args[0] == "-help" || args[0] == "--help" ||
      args[0] == "help") {
    *env.out << kReportUsage;
    return 0;
  }
  if (args[0] == "ingest")
    return report_ingest(rest, env);
  if (args[0] == "hosts")
    return report_hosts(rest, env);
  *env.err << "gouvernante report: unknown subcommand '"
           << terminal_safe(args[0]) << "'; expected ingest or hosts\n";
  return 1;
}

} // namespace gv
