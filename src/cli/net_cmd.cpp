// `gouvernante net ...`: what `gouvernante run` recorded. events and exfil
// are here; baseline, anomalies, search (net_query.cpp) and import
// (net_import.cpp) have files of their own.
// All refuse to answer about nothing: a missing inventory is an error, and
// a --run-id that names no recorded run is one too (a typo must not read as
// "no suspects").
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "cli/egress_cmd.h"
#include "cli/flags.h"
#include "cli/output.h"
#include "cli/history_cmd.h"
#include "cli/net_query.h"
#include "egress/dns.h"
#include "egress/event_jsonl.h"
#include "egress/exfil.h"
#include "report/escape.h"

namespace gv {

namespace {

using ojson = nlohmann::ordered_json;

constexpr const char* kNetUsage =
    "gouvernante net: query the egress `gouvernante run` recorded (docs/egress.md)\n"
    "\n"
    "  gouvernante net events [--run-id ID] [--org O] [--repo R] [--job J] [--json] [--db D]\n"
    "  gouvernante net exfil [--run-id ID] [--json] [--db D]\n"
    "  gouvernante net baseline --repo R --job J [--org O] [--runs N] [--json] [--db D]\n"
    "  gouvernante net anomalies --repo R --job J [--org O] [--run-id ID] [--runs N] [--json] [--db D]\n"
    "  gouvernante net search (DOMAIN | IP[:PORT] | --rules DIR) [--org O] [--repo R] [--job J] [--json] [--db D]\n"
    "  gouvernante net import FILE.jsonl [--json] [--db D]\n"
    "\n"
    "Exit codes: 0 nothing found, 2 found (anomalies, search, exfil), 1 error.\n";

struct NetScope {
  std::string db = kDefaultDb;
  inventory::EventFilter filter;
  bool json = false;
};

// Loads the events the scope names; false (after printing why) on error.
bool load_events(const NetScope& s, const CliEnv& env, const std::string& prog, std::vector<inventory::EventRow>* out,
                 size_t* run_count) {
  std::unique_ptr<inventory::Store> store = open_existing_store(s.db, env, prog);
  if (!store) return false;
  if (auto e = store->net_events(s.filter, out)) {
    *env.err << prog << ": " << terminal_safe(e->str()) << "\n";
    return false;
  }
  // A run may have no events (an offline build); a filter that names no
  // recorded run at all is an error, not an empty answer.
  std::vector<inventory::RunRecord> runs;
  if (auto e = store->runs(s.filter, &runs)) {
    *env.err << prog << ": " << terminal_safe(e->str()) << "\n";
    return false;
  }
  if (runs.empty()) {
    *env.err << prog << ": no recorded run matches"
             << (s.filter.run_id.empty() ? "" : " --run-id " + terminal_safe(s.filter.run_id))
             << (s.filter.org.empty() ? "" : " --org " + terminal_safe(s.filter.org))
             << (s.filter.repo.empty() ? "" : " --repo " + terminal_safe(s.filter.repo))
             << (s.filter.job.empty() ? "" : " --job " + terminal_safe(s.filter.job)) << " in "
             << terminal_safe(inventory::redact_location(s.db)) << " (record runs with gouvernante run)\n";
    return false;
  }
  *run_count = runs.size();
  return true;
}

int net_events(const std::vector<std::string>& args, const CliEnv& env) {
  const std::string prog = "gouvernante net events";
  NetScope s;
  CLI::App app{"Every recorded connection, datagram destination and DNS question.", prog};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("--db", s.db, "Inventory: a SQLite file or postgres://...")->default_str(kDefaultDb);
  app.add_option("--run-id", s.filter.run_id, "Only this run");
  app.add_option("--org", s.filter.org, "Only runs of this organisation");
  app.add_option("--repo", s.filter.repo, "Only runs of this repository");
  app.add_option("--job", s.filter.job, "Only runs of this job");
  app.add_flag("--json", s.json, "Machine-readable answer");
  if (int code = parse_flags(app, args, env, prog); code >= 0) return code;
  std::vector<inventory::EventRow> rows;
  size_t run_count = 0;
  if (!load_events(s, env, prog, &rows, &run_count)) return 1;
  if (s.json) {
    ojson events = ojson::array();
    for (const inventory::EventRow& r : rows) {
      events.push_back(egress::event_json(r.run_id, r.org, r.repo, r.job, r.event));
    }
    *env.out << json_text({{"events", std::move(events)}});
    return 0;
  }
  for (const inventory::EventRow& r : rows) {
    const egress::Event& e = r.event;
    std::string args_text;
    for (const std::string& a : e.argv) args_text += (args_text.empty() ? "" : " ") + a;
    *env.out << fmt::format("{} {} {:<7} {:<7} {} {}:{}{}{} pid {} ({})\n", terminal_safe(r.run_id),
                            egress::event_time_text(e.time_ns), egress::kind_name(e.kind),
                            egress::action_name(e.action), terminal_safe(e.protocol), terminal_safe(e.address),
                            e.port, e.domain.empty() ? "" : " " + terminal_safe(e.domain),
                            e.query_type.empty() ? "" : " " + terminal_safe(e.query_type), e.pid,
                            terminal_safe(args_text));
  }
  *env.out << fmt::format("{} {} in {} {}\n", rows.size(), rows.size() == 1 ? "event" : "events", run_count,
                          run_count == 1 ? "run" : "runs");
  return 0;
}

int net_exfil(const std::vector<std::string>& args, const CliEnv& env) {
  const std::string prog = "gouvernante net exfil";
  NetScope s;
  CLI::App app{"DNS exfiltration suspects in recorded runs: long or high-entropy labels, many unique subdomains "
               "under one domain, TXT/NULL bursts.\nExit 0 none, 2 suspects, 1 error.",
               prog};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("--db", s.db, "Inventory: a SQLite file or postgres://...")->default_str(kDefaultDb);
  app.add_option("--run-id", s.filter.run_id, "Only this run (default: every recorded run)");
  app.add_flag("--json", s.json, "Machine-readable answer");
  if (int code = parse_flags(app, args, env, prog); code >= 0) return code;
  std::vector<inventory::EventRow> rows;
  size_t run_count = 0;
  if (!load_events(s, env, prog, &rows, &run_count)) return 1;
  std::vector<egress::DnsRecord> dns;
  for (const inventory::EventRow& r : rows) {
    if (r.event.kind != egress::EventKind::kDns) continue;
    egress::DnsRecord d;
    d.run_id = r.run_id;
    d.time_ns = r.event.time_ns;
    d.name = r.event.domain;
    d.type = egress::dns_type_code(r.event.query_type);
    dns.push_back(std::move(d));
  }
  const std::vector<egress::ExfilSuspect> suspects = egress::find_exfil(dns);
  if (s.json) {
    ojson a = ojson::array();
    for (const egress::ExfilSuspect& x : suspects) {
      a.push_back({{"run_id", x.run_id},
                   {"parent_domain", x.parent_domain},
                   {"queries", x.queries},
                   {"unique_subdomains", x.unique_subdomains},
                   {"max_label_length", x.max_label_length},
                   {"entropy", x.entropy},
                   {"samples", x.samples},
                   {"reasons", x.reasons}});
    }
    *env.out << json_text({{"suspects", std::move(a)}});
  } else {
    for (const egress::ExfilSuspect& x : suspects) {
      *env.out << terminal_safe(x.run_id) << "  " << terminal_safe(x.parent_domain) << ": " << x.queries
               << " questions, " << x.unique_subdomains << " unique names\n";
      for (const std::string& why : x.reasons) *env.out << "  - " << terminal_safe(why) << "\n";
      for (const std::string& n : x.samples) *env.out << "    e.g. " << terminal_safe(n) << "\n";
    }
    *env.out << fmt::format("{} {} in {} DNS questions of {} {}\n", suspects.size(),
                            suspects.size() == 1 ? "suspect" : "suspects", dns.size(), run_count,
                            run_count == 1 ? "run" : "runs");
  }
  return suspects.empty() ? 0 : 2;
}

}  // namespace

int run_net_command(const std::vector<std::string>& args, const CliEnv& env) {
  if (args.empty()) {
    *env.err << kNetUsage;
    return 1;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help") {
    *env.out << kNetUsage;
    return 0;
  }
  if (args[0] == "events") return net_events(rest, env);
  if (args[0] == "exfil") return net_exfil(rest, env);
  if (args[0] == "baseline") return net_baseline(rest, env);
  if (args[0] == "anomalies") return net_anomalies(rest, env);
  if (args[0] == "search") return net_search(rest, env);
  if (args[0] == "import") return net_import(rest, env);
  *env.err << "gouvernante net: unknown subcommand '" << terminal_safe(args[0])
           << "'; expected events, exfil, baseline, anomalies, search or import\n";
  return 1;
}

}  // namespace gv
