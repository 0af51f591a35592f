// `gouvernante net baseline|anomalies|search`: questions about many recorded
// runs at once (egress/queries.h computes the answers).
//
// Like every query of the inventory they refuse to answer about nothing: a
// repository and job with no recorded run, a --run-id that is not one of the
// job's runs, or an inventory with no runs at all is an error (exit 1), never
// an empty baseline or "no matches". anomalies and search exit 2 when they
// find something, as the scan does.
#include "cli/net_query.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <tuple>

#include "cli/flags.h"
#include "cli/history_cmd.h"
#include "cli/output.h"
#include "egress/event_jsonl.h"
#include "egress/queries.h"
#include "report/escape.h"
#include "respond/targets.h"
#include "rules/load.h"

namespace gv {

namespace {

using ojson = nlohmann::ordered_json;

constexpr int kDefaultBaselineRuns = 10;

// The job a baseline or anomaly query is about.
struct JobScope {
  std::string db = kDefaultDb;
  std::string org, repo, job, run_id;
  int runs = kDefaultBaselineRuns;
  bool json = false;
};

void add_job_flags(CLI::App& app, JobScope* s, const char* runs_help) {
  app.add_option("--db", s->db, "Inventory: a SQLite file or postgres://...")->default_str(kDefaultDb);
  app.add_option("--repo", s->repo, "Repository, as given to gouvernante run --repo")->required();
  app.add_option("--job", s->job, "CI job, as given to gouvernante run --job")->required();
  app.add_option("--org", s->org, "Organisation (needed when the repository name is used in several)");
  app.add_option("--runs", s->runs, runs_help)
      ->default_str(std::to_string(kDefaultBaselineRuns))
      ->check(CLI::Range(1, 1'000'000));
  app.add_flag("--json", s->json, "Machine-readable answer");
}

// "--repo web --job build" (with --org when given), for messages.
std::string job_flags(const JobScope& s) {
  return (s.org.empty() ? "" : "--org " + terminal_safe(s.org) + " ") + "--repo " + terminal_safe(s.repo) +
         " --job " + terminal_safe(s.job);
}

// A job's recorded runs, oldest first, with their events.
struct JobRuns {
  std::vector<inventory::RunRecord> runs;
  std::map<std::string, std::vector<egress::Event>> events;  // by run id; a run may have none
  std::unique_ptr<inventory::Store> store;
};

bool load_job(const JobScope& s, const CliEnv& env, const std::string& prog, JobRuns* out) {
  out->store = open_existing_store(s.db, env, prog);
  if (!out->store) return false;
  const inventory::EventFilter filter{"", s.org, s.repo, s.job};
  if (auto e = out->store->runs(filter, &out->runs)) {
    *env.err << prog << ": " << terminal_safe(e->str()) << "\n";
    return false;
  }
  if (out->runs.empty()) {
    *env.err << prog << ": no recorded run of " << job_flags(s) << " in "
             << terminal_safe(inventory::redact_location(s.db))
             << " (record runs with gouvernante run --repo R --job J, or gouvernante net import)\n";
    return false;
  }
  // One repository name in two organisations is two jobs: mixing their runs
  // would make one's destinations the other's baseline.
  std::set<std::string> orgs;
  for (const inventory::RunRecord& r : out->runs) orgs.insert(r.org);
  if (orgs.size() > 1) {
    std::string names;
    for (const std::string& o : orgs) names += (names.empty() ? "'" : ", '") + terminal_safe(o) + "'";
    *env.err << prog << ": " << job_flags(s) << " has runs in " << orgs.size() << " organisations (" << names
             << "); name one with --org\n";
    return false;
  }
  std::vector<inventory::EventRow> rows;
  if (auto e = out->store->net_events(filter, &rows)) {
    *env.err << prog << ": " << terminal_safe(e->str()) << "\n";
    return false;
  }
  for (inventory::EventRow& r : rows) out->events[r.run_id].push_back(std::move(r.event));
  return true;
}

// Runs [from, to) of the job, with their events, for egress::baseline.
std::vector<egress::RunEvents> run_events(const JobRuns& j, size_t from, size_t to) {
  std::vector<egress::RunEvents> out;
  for (size_t i = from; i < to; ++i) {
    auto it = j.events.find(j.runs[i].run_id);
    out.push_back({j.runs[i].run_id, it == j.events.end() ? std::vector<egress::Event>{} : it->second});
  }
  return out;
}

std::string joined(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string run_ids_text(const std::vector<egress::RunEvents>& runs) {
  std::string out;
  for (const egress::RunEvents& r : runs) out += (out.empty() ? "" : ", ") + terminal_safe(r.run_id);
  return out;
}

ojson run_ids_json(const std::vector<egress::RunEvents>& runs) {
  ojson a = ojson::array();
  for (const egress::RunEvents& r : runs) a.push_back(r.run_id);
  return a;
}

// "1.2.3.4:443", "[2001:db8::1]:443"
std::string address_text(const egress::Event& e) {
  const std::string a = terminal_safe(e.address);
  return (e.address.find(':') == std::string::npos ? a : "[" + a + "]") + ":" + std::to_string(e.port);
}

// "pid 42 /usr/bin/node (node install.js)"
std::string process_text(const egress::Event& e) {
  return fmt::format("pid {} {} ({})", e.pid, terminal_safe(e.exe), terminal_safe(joined(e.argv, " ")));
}

}  // namespace

int net_baseline(const std::vector<std::string>& args, const CliEnv& env) {
  const std::string prog = "gouvernante net baseline";
  JobScope s;
  CLI::App app{"The destinations (a domain when known, else address:port) a job's last runs reached.", prog};
  app.set_help_flag("-h,--help", "Print this help and exit");
  add_job_flags(app, &s, "How many of the job's latest runs (by start time)");
  if (int code = parse_flags(app, args, env, prog); code >= 0) return code;
  JobRuns j;
  if (!load_job(s, env, prog, &j)) return 1;
  const size_t n = j.runs.size();
  const std::vector<egress::RunEvents> runs = run_events(j, n - std::min(n, static_cast<size_t>(s.runs)), n);
  const std::vector<egress::BaselineEntry> base = egress::baseline(runs);
  const std::string& org = j.runs.front().org;
  if (s.json) {
    ojson dests = ojson::array();
    for (const egress::BaselineEntry& b : base) {
      dests.push_back({{"destination", b.destination},
                       {"kinds", b.kinds},
                       {"runs", b.runs},
                       {"first_seen", egress::event_time_text(b.first_seen_ns)},
                       {"last_seen", egress::event_time_text(b.last_seen_ns)}});
    }
    *env.out << json_text({{"baseline",
                            {{"org", org},
                             {"repo", s.repo},
                             {"job", s.job},
                             {"runs", run_ids_json(runs)},
                             {"destinations", std::move(dests)}}}});
    return 0;
  }
  *env.out << "Baseline of " << (org.empty() ? "" : terminal_safe(org) + "/") << terminal_safe(s.repo) << " job "
           << terminal_safe(s.job) << ", " << count_of(runs.size(), "run", "runs") << ": " << run_ids_text(runs)
           << "\n";
  for (const egress::BaselineEntry& b : base) {
    *env.out << fmt::format("  {:<40} {:<13} in {} of {}  {} .. {}\n", terminal_safe(b.destination),
                            joined(b.kinds, ","), b.runs, runs.size(), egress::event_time_text(b.first_seen_ns),
                            egress::event_time_text(b.last_seen_ns));
  }
  *env.out << count_of(base.size(), "destination", "destinations") << " in " << count_of(runs.size(), "run", "runs")
           << "\n";
  return 0;
}

int net_anomalies(const std::vector<std::string>& args, const CliEnv& env) {
  const std::string prog = "gouvernante net anomalies";
  JobScope s;
  CLI::App app{"Destinations of a run that none of the job's earlier runs reached, each with the process that "
               "reached it first.\nExit 0 none, 2 anomalies, 1 error.",
               prog};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("--run-id", s.run_id, "The run to check (default: the job's latest)");
  add_job_flags(app, &s, "How many runs before it form the baseline");
  if (int code = parse_flags(app, args, env, prog); code >= 0) return code;
  JobRuns j;
  if (!load_job(s, env, prog, &j)) return 1;
  size_t at = j.runs.size() - 1;
  if (!s.run_id.empty()) {
    auto it = std::find_if(j.runs.begin(), j.runs.end(),
                           [&](const inventory::RunRecord& r) { return r.run_id == s.run_id; });
    if (it == j.runs.end()) {
      std::vector<inventory::RunRecord> elsewhere;
      if (auto e = j.store->runs({s.run_id, "", "", ""}, &elsewhere)) {
        *env.err << prog << ": " << terminal_safe(e->str()) << "\n";
        return 1;
      }
      *env.err << prog << ": run '" << terminal_safe(s.run_id) << "' is not a run of " << job_flags(s);
      if (elsewhere.empty()) {
        *env.err << ": no run of that id is recorded\n";
      } else {
        const inventory::RunRecord& r = elsewhere.front();
        *env.err << ": it is a run of --org '" << terminal_safe(r.org) << "' --repo '" << terminal_safe(r.repo)
                 << "' --job '" << terminal_safe(r.job) << "'\n";
      }
      return 1;
    }
    at = static_cast<size_t>(it - j.runs.begin());
  }
  const std::vector<egress::RunEvents> earlier =
      run_events(j, at - std::min(at, static_cast<size_t>(s.runs)), at);
  const egress::RunEvents run = run_events(j, at, at + 1).front();
  const std::vector<egress::Anomaly> found = egress::anomalies(run, egress::baseline(earlier));
  const std::string note = "no earlier run to compare with";
  if (earlier.empty()) {
    *env.err << prog << ": " << note << ": run " << terminal_safe(run.run_id) << " is the first recorded run of "
             << job_flags(s) << ", so every destination it reached is reported as new\n";
  }
  if (s.json) {
    ojson a = ojson::array();
    for (const egress::Anomaly& x : found) {
      const egress::Event& e = x.event;
      a.push_back({{"run_id", run.run_id},
                   {"destination", x.destination},
                   {"kind", egress::kind_name(e.kind)},
                   {"protocol", e.protocol},
                   {"address", e.address},
                   {"port", e.port},
                   {"domain", e.domain.empty() ? ojson(nullptr) : ojson(e.domain)},
                   {"exe", e.exe},
                   {"argv", e.argv},
                   {"time", egress::event_time_text(e.time_ns)},
                   {"action", egress::action_name(e.action)}});
    }
    ojson doc{{"anomalies", std::move(a)}, {"run_id", run.run_id}, {"baseline_runs", run_ids_json(earlier)}};
    if (earlier.empty()) doc["note"] = note;
    *env.out << json_text(doc);
  } else {
    for (const egress::Anomaly& x : found) {
      const egress::Event& e = x.event;
      *env.out << fmt::format("NEW {}  {} {} {} {}  {}  {}\n", terminal_safe(x.destination),
                              egress::kind_name(e.kind), egress::action_name(e.action), terminal_safe(e.protocol),
                              address_text(e), egress::event_time_text(e.time_ns), process_text(e));
    }
    *env.out << fmt::format("{} in run {}", count_of(found.size(), "new destination", "new destinations"),
                            terminal_safe(run.run_id));
    if (earlier.empty()) {
      *env.out << "; " << note << "\n";
    } else {
      *env.out << " compared with " << count_of(earlier.size(), "earlier run", "earlier runs") << " ("
               << run_ids_text(earlier) << ")\n";
    }
  }
  return found.empty() ? 0 : 2;
}

namespace {

// What a search looks for, and the name a match reports it by.
struct Target {
  std::string indicator;  // the query as given, or "<rule id>: <indicator value>"
  egress::Endpoint endpoint;
};

struct Match {
  const inventory::EventRow* row = nullptr;  // the first event that matched
  std::string destination, indicator;
  size_t events = 0;
};

}  // namespace

int net_search(const std::vector<std::string>& args, const CliEnv& env) {
  const std::string prog = "gouvernante net search";
  std::string db = kDefaultDb, query;
  std::vector<std::string> rule_paths;
  inventory::EventFilter filter;
  bool json = false;
  CLI::App app{"Which recorded runs reached a domain (or its subdomains), an address, or the network indicators "
               "of rules.\nExit 0 none, 2 matches, 1 error.",
               prog};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("QUERY", query, "DOMAIN (its subdomains too), IP, IPv4:PORT or [IPv6]:PORT");
  app.add_option("--rules", rule_paths, "Instead of QUERY: the network host indicators of these rules (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--db", db, "Inventory: a SQLite file or postgres://...")->default_str(kDefaultDb);
  app.add_option("--org", filter.org, "Only runs of this organisation");
  app.add_option("--repo", filter.repo, "Only runs of this repository");
  app.add_option("--job", filter.job, "Only runs of this job");
  app.add_flag("--json", json, "Machine-readable answer");
  if (int code = parse_flags(app, args, env, prog); code >= 0) return code;
  if (query.empty() == rule_paths.empty()) {
    *env.err << prog << ": give a DOMAIN, an IP[:PORT] or --rules (one of them)\n(run " << prog
             << " -help for usage)\n";
    return 1;
  }
  std::vector<Target> targets;
  std::vector<respond::UnusableIndicator> unread;
  if (!query.empty()) {
    Target t{query, {}};
    std::string why;
    if (!egress::parse_search_query(query, &t.endpoint, &why)) {
      *env.err << prog << ": " << terminal_safe(why) << "\n";
      return 1;
    }
    targets.push_back(std::move(t));
  } else {
    RuleSet rules;
    Errors errors;
    if (!load_rules(rule_paths, &rules, &errors)) {
      for (const Error& e : errors) *env.err << terminal_safe(e.str()) << "\n";
      *env.err << prog << ": " << errors.size() << " problem(s) in the rules; refusing to answer with a partial "
               << "rule set\n";
      return 1;
    }
    std::vector<respond::Target> found;
    respond::network_targets(rules, &found, &unread);
    for (respond::Target& t : found) targets.push_back({t.rule_id + ": " + t.value, std::move(t.endpoint)});
    for (const respond::UnusableIndicator& u : unread) {
      *env.err << prog << ": not checked: rule " << terminal_safe(u.rule_id) << " network indicator '"
               << terminal_safe(u.value) << "': " << terminal_safe(u.reason) << "\n";
    }
    if (targets.empty()) {
      *env.err << prog << ": the rules hold no network host indicator that can be searched"
               << (unread.empty() ? "" : " (see the ones not checked above)") << "; nothing to search for\n";
      return 1;
    }
  }
  std::unique_ptr<inventory::Store> store = open_existing_store(db, env, prog);
  if (!store) return 1;
  std::vector<inventory::RunRecord> runs;
  if (auto e = store->runs(filter, &runs)) {
    *env.err << prog << ": " << terminal_safe(e->str()) << "\n";
    return 1;
  }
  if (runs.empty()) {
    *env.err << prog << ": no recorded run"
             << (filter.org.empty() ? "" : " of --org " + terminal_safe(filter.org))
             << (filter.repo.empty() ? "" : " of --repo " + terminal_safe(filter.repo))
             << (filter.job.empty() ? "" : " of --job " + terminal_safe(filter.job)) << " in "
             << terminal_safe(inventory::redact_location(db))
             << " (record runs with gouvernante run, or gouvernante net import)\n";
    return 1;
  }
  std::vector<inventory::EventRow> rows;
  if (auto e = store->net_events(filter, &rows)) {
    *env.err << prog << ": " << terminal_safe(e->str()) << "\n";
    return 1;
  }
  // One match per run, destination and indicator: a build that asked for the
  // attacker's name 400 times is one answer, with its count.
  std::vector<Match> matches;
  std::map<std::tuple<std::string, std::string, std::string>, size_t> seen;
  std::set<std::string> runs_hit;
  for (const inventory::EventRow& row : rows) {
    for (const Target& t : targets) {
      std::string dest;
      if (!egress::search_matches(t.endpoint, row.event, &dest)) continue;
      auto [it, fresh] = seen.try_emplace({row.run_id, dest, t.indicator}, matches.size());
      if (fresh) matches.push_back({&row, dest, t.indicator, 0});
      ++matches[it->second].events;
      runs_hit.insert(row.run_id);
    }
  }
  if (json) {
    ojson a = ojson::array();
    for (const Match& m : matches) {
      a.push_back({{"run_id", m.row->run_id},
                   {"org", m.row->org},
                   {"repo", m.row->repo},
                   {"job", m.row->job},
                   {"time", egress::event_time_text(m.row->event.time_ns)},
                   {"destination", m.destination},
                   {"exe", m.row->event.exe},
                   {"indicator", m.indicator},
                   {"events", m.events}});
    }
    ojson doc{{"matches", std::move(a)}};
    if (!rule_paths.empty()) {
      ojson u = ojson::array();
      for (const respond::UnusableIndicator& x : unread) {
        u.push_back({{"rule_id", x.rule_id}, {"value", x.value}, {"reason", x.reason}});
      }
      doc["unchecked"] = std::move(u);
    }
    *env.out << json_text(doc);
  } else {
    for (const Match& m : matches) {
      const inventory::EventRow& r = *m.row;
      *env.out << fmt::format("{}  {}/{} {}  {}  {}  {}  [{}]{}\n", terminal_safe(r.run_id), terminal_safe(r.org),
                              terminal_safe(r.repo), terminal_safe(r.job), egress::event_time_text(r.event.time_ns),
                              terminal_safe(m.destination), terminal_safe(r.event.exe), terminal_safe(m.indicator),
                              m.events > 1 ? fmt::format(" ({} events)", m.events) : "");
    }
    *env.out << count_of(matches.size(), "match", "matches") << " in " << count_of(runs_hit.size(), "run", "runs")
             << "; searched " << count_of(rows.size(), "event", "events") << " of "
             << count_of(runs.size(), "run", "runs") << " for " << count_of(targets.size(), "target", "targets")
             << " in " << terminal_safe(inventory::redact_location(db)) << "\n";
  }
  return matches.empty() ? 0 : 2;
}

}  // namespace gv
