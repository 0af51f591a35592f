// `gouvernante respond`, `gouvernante alerts pending|flush` and
// `gouvernante watch` (docs/respond.md): one incident from rules over the
// inventory, delivered to sinks through the outbox. The work is in
// respond/; this file is flags, checks and printing.
//
// Everything a sink needs (its syntax, its secret's variable, AWS_*) is
// checked before the inventory is read, so a typo fails in a second instead
// of after the incident is built; nothing is sent when nothing is affected.
#include "cli/respond_cmd.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <sstream>
#include <thread>

#include "alert/sink.h"
#include "cli/flags.h"
#include "cli/history_cmd.h"
#include "cli/output.h"
#include "common/utc.h"
#include "report/escape.h"
#include "report/report.h"
#include "respond/incident.h"
#include "respond/outbox.h"
#include "respond/render.h"
#include "rules/import.h"
#include "rules/load.h"

namespace gv {

namespace {

using ojson = nlohmann::ordered_json;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int fail(const CliEnv& env, const std::string& prog, const std::string& what) {
  *env.err << prog << ": " << terminal_safe(what) << "\n";
  return 1;
}

// What every delivering command takes.
struct SinkFlags {
  std::vector<std::string> sinks;
  std::string secret_env, s3_endpoint;
  int attempts = 4;
};

void add_sink_flags(CLI::App& app, SinkFlags* f) {
  app.add_option("--sink", f->sinks,
                 "Where alerts go (repeatable): http(s)://URL, s3://BUCKET/PREFIX, syslog+udp://HOST:PORT, "
                 "syslog+tcp://HOST:PORT, file:PATH")
      ->allow_extra_args(false);
  app.add_option("--webhook-secret-env", f->secret_env,
                 "Sign webhooks with HMAC-SHA256 using the secret in this environment variable");
  app.add_option("--s3-endpoint", f->s3_endpoint, "S3-compatible endpoint (path-style), e.g. http://minio:9000");
  app.add_option("--attempts", f->attempts, "Attempts per delivery in this run before it stays pending")
      ->default_val(4)
      ->check(CLI::Range(1, 100));
}

// Parses and checks every sink; false (with the messages printed) when any is wrong.
bool sink_specs(const SinkFlags& f, const CliEnv& env, const std::string& prog,
                std::vector<respond::SinkSpec>* out) {
  bool ok = true;
  std::set<std::string> seen;
  for (const std::string& text : f.sinks) {
    std::string why;
    std::optional<Sink> sink = parse_sink(text, &why);
    if (sink && sink->kind == Sink::kWebhook &&
        sink->url.substr(0, sink->url.find_first_of("/?#", sink->url.find("//") + 2)).find('@') !=
            std::string::npos) {
      why = "sink " + quote_for_message(text) +
            ": credentials in the URL would be stored in the outbox; pass a secret with --webhook-secret-env";
      sink.reset();
    }
    if (!sink) {
      *env.err << prog << ": " << why << "\n";
      ok = false;
      continue;
    }
    if (!seen.insert(sink->text).second) continue;  // the same sink twice is one delivery
    respond::SinkSpec spec{*sink, f.secret_env, f.s3_endpoint};
    if (auto problem = respond::check_sink(spec)) {
      *env.err << prog << ": " << *problem << "\n";
      ok = false;
      continue;
    }
    out->push_back(std::move(spec));
  }
  return ok;
}

// GOUVERNANTE_RETRY_DELAY_MS: the first delay between attempts (default
// 500 ms, doubled each time); tests and impatient operators lower it.
respond::RetryPolicy retry_policy(int attempts) {
  respond::RetryPolicy p;
  p.max_attempts = attempts;
  if (const char* v = std::getenv("GOUVERNANTE_RETRY_DELAY_MS"); v && *v) {
    char* end = nullptr;
    long long ms = std::strtoll(v, &end, 10);
    if (end && *end == '\0' && ms >= 0 && ms <= 600000) p.first_delay_ms = ms;
  }
  return p;
}

const char* state_word(const respond::Outcome& o) {
  if (o.already_delivered) return "already delivered";
  return o.state == "delivered" ? "delivered" : o.state == "pending" ? "PENDING" : "FAILED";
}

// One line per delivery and the pending count, on stderr: stdout holds the
// incident itself.
void print_outcomes(const std::vector<respond::Outcome>& outcomes, const CliEnv& env, const std::string& prog) {
  size_t pending = 0, failed = 0;
  for (const respond::Outcome& o : outcomes) {
    *env.err << prog << ": sink " << quote_for_message(o.sink) << ": " << state_word(o) << " (" << o.delivery_id
             << ", " << count_of(static_cast<size_t>(o.attempts), "attempt", "attempts") << ")"
             << (o.detail.empty() ? "" : ": " + terminal_safe(o.detail)) << "\n";
    pending += o.state == "pending" ? 1 : 0;
    failed += o.state == "failed" ? 1 : 0;
  }
  if (pending || failed)
    *env.err << prog << ": " << count_of(pending, "delivery", "deliveries") << " pending, " << failed
             << " failed (gouvernante alerts pending; retry with gouvernante alerts flush)\n";
}

std::string render(const respond::Incident& inc, bool json, bool markdown) {
  if (json) return json_text(respond::incident_json(inc));
  return markdown ? respond::incident_markdown(inc) : respond::incident_text(inc);
}

// Builds the incident and refuses to call an empty inventory clean.
bool build(inventory::Store& store, const RuleSet& rules, const respond::Scope& scope, const CliEnv& env,
           const std::string& prog, const std::string& db, respond::Incident* inc) {
  if (auto e = respond::build_incident(store, rules, scope, env.now, inc)) {
    fail(env, prog, e->str());
    return false;
  }
  if (inc->repositories_searched == 0 && inc->runs_searched == 0 && inc->hosts_searched == 0) {
    fail(env, prog,
         "nothing to respond over: " + inventory::redact_location(db) +
             " holds no indexed repository, recorded run or ingested host report" +
             (scope.org.empty() && scope.repo.empty() ? "" : " in this scope"));
    return false;
  }
  return true;
}

std::optional<Error> deliver_incident(inventory::Store& store, const respond::Incident& inc,
                                      const std::vector<respond::SinkSpec>& specs, const SinkFlags& f,
                                      std::vector<respond::Outcome>* out) {
  std::vector<inventory::DeliveryRow> rows;
  const int64_t now = now_ns();
  for (const respond::SinkSpec& spec : specs) rows.push_back(respond::delivery_for(inc, spec, kToolVersion, now));
  return respond::send(store, rows, retry_policy(f.attempts), out);
}

}  // namespace

int run_respond_command(const std::vector<std::string>& args, const CliEnv& env) {
  const std::string prog = "gouvernante respond";
  std::vector<std::string> rule_paths;
  std::string db = kDefaultDb;
  respond::Scope scope;
  SinkFlags sf;
  bool json = false, markdown = false;
  CLI::App app{"One incident from rules over the inventory: affected repositories (with the commits and pull "
               "requests that brought and removed each version, and what each must do), recorded CI runs that "
               "reached the rules' network indicators, and hosts whose latest report found the rules; delivered to "
               "sinks through the outbox (docs/respond.md).\nExit 0 nothing affected, 2 affected, 1 error.",
               prog};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("--rules", rule_paths, "Rule file or folder of *.json rules (repeatable)")
      ->required()
      ->allow_extra_args(false);
  app.add_option("--db", db, "Inventory: a SQLite file or postgres://...")->default_str(kDefaultDb);
  app.add_option("--org", scope.org, "Only repositories and runs of this organisation");
  app.add_option("--repo", scope.repo, "Only this repository and its runs");
  add_sink_flags(app, &sf);
  app.add_flag("--json", json, "The incident as JSON");
  app.add_flag("--markdown", markdown, "The incident as Markdown (for a ticket or a chat)");
  if (int code = parse_flags(app, args, env, prog); code >= 0) return code;
  if (json && markdown) return fail(env, prog, "--json and --markdown are exclusive; pick one");
  std::vector<respond::SinkSpec> specs;
  if (!sink_specs(sf, env, prog, &specs)) return 1;
  RuleSet rules;
  Errors errors;
  if (!load_rules(rule_paths, &rules, &errors)) {
    for (const Error& e : errors) *env.err << terminal_safe(e.str()) << "\n";
    return fail(env, prog, std::to_string(errors.size()) + " problem(s) in the rules; refusing to answer with a "
                                                           "partial rule set");
  }
  std::unique_ptr<inventory::Store> store = open_existing_store(db, env, prog);
  if (!store) return 1;
  respond::Incident inc;
  if (!build(*store, rules, scope, env, prog, db, &inc)) return 1;
  *env.out << render(inc, json, markdown);
  for (const std::string& n : inc.not_checked) *env.err << prog << ": not checked: " << terminal_safe(n) << "\n";
  if (!specs.empty()) {
    if (!respond::affected(inc)) {
      *env.err << prog << ": nothing affected; no alert sent\n";
    } else {
      std::vector<respond::Outcome> outcomes;
      if (auto e = deliver_incident(*store, inc, specs, sf, &outcomes)) return fail(env, prog, e->str());
      print_outcomes(outcomes, env, prog);
    }
  }
  return respond::affected(inc) ? 2 : 0;
}

namespace {

ojson delivery_json(const inventory::DeliveryRow& r) {
  return {{"delivery_id", r.delivery_id},
          {"incident_id", r.incident_id},
          {"sink", r.sink},
          {"state", r.state},
          {"attempts", r.attempts},
          {"last_error", r.last_error},
          {"created", iso_utc(r.created_ns / 1'000'000'000)},
          {"last_attempt", r.attempts ? ojson(iso_utc(r.updated_ns / 1'000'000'000)) : ojson(nullptr)}};
}

int alerts_pending(const std::vector<std::string>& args, const CliEnv& env) {
  const std::string prog = "gouvernante alerts pending";
  std::string db = kDefaultDb;
  bool json = false;
  CLI::App app{"Deliveries not made yet (pending: retried by alerts flush) and failed ones (a permanent error: "
               "fix the sink, then alerts flush --include-failed).\nExit 0 none, 2 some, 1 error.",
               prog};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("--db", db, "Inventory: a SQLite file or postgres://...")->default_str(kDefaultDb);
  app.add_flag("--json", json, "Machine-readable answer");
  if (int code = parse_flags(app, args, env, prog); code >= 0) return code;
  std::unique_ptr<inventory::Store> store = open_existing_store(db, env, prog);
  if (!store) return 1;
  std::vector<inventory::DeliveryRow> pending, failed;
  if (auto e = store->deliveries("pending", &pending)) return fail(env, prog, e->str());
  if (auto e = store->deliveries("failed", &failed)) return fail(env, prog, e->str());
  if (json) {
    ojson p = ojson::array(), f = ojson::array();
    for (const auto& r : pending) p.push_back(delivery_json(r));
    for (const auto& r : failed) f.push_back(delivery_json(r));
    *env.out << json_text({{"pending", std::move(p)}, {"failed", std::move(f)}});
  } else {
    for (const auto* list : {&pending, &failed})
      for (const auto& r : *list)
        *env.out << r.state << "  " << r.delivery_id << "  " << r.incident_id << "  " << quote_for_message(r.sink)
                 << "  " << count_of(static_cast<size_t>(r.attempts), "attempt", "attempts")
                 << (r.last_error.empty() ? "" : "  " + terminal_safe(r.last_error)) << "\n";
    *env.out << count_of(pending.size(), "delivery", "deliveries") << " pending, " << failed.size() << " failed\n";
  }
  return pending.empty() && failed.empty() ? 0 : 2;
}

int alerts_flush(const std::vector<std::string>& args, const CliEnv& env) {
  const std::string prog = "gouvernante alerts flush";
  std::string db = kDefaultDb;
  bool include_failed = false, json = false;
  int attempts = 4;
  CLI::App app{"Retry every pending delivery (a delivered one is never sent again).\nExit 0 nothing left "
               "pending or failed, 2 some left, 1 error.",
               prog};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("--db", db, "Inventory: a SQLite file or postgres://...")->default_str(kDefaultDb);
  app.add_flag("--include-failed", include_failed, "Retry failed deliveries too (after fixing the sink)");
  app.add_option("--attempts", attempts, "Attempts per delivery in this run")->default_val(4)->check(CLI::Range(1, 100));
  app.add_flag("--json", json, "Machine-readable answer");
  if (int code = parse_flags(app, args, env, prog); code >= 0) return code;
  std::unique_ptr<inventory::Store> store = open_existing_store(db, env, prog);
  if (!store) return 1;
  std::vector<respond::Outcome> outcomes;
  if (auto e = respond::flush(*store, include_failed, retry_policy(attempts), &outcomes))
    return fail(env, prog, e->str());
  size_t left = 0;
  for (const auto& o : outcomes) left += o.state == "delivered" ? 0 : 1;
  if (json) {
    ojson a = ojson::array();
    for (const auto& o : outcomes)
      a.push_back({{"delivery_id", o.delivery_id},
                   {"sink", o.sink},
                   {"state", o.state},
                   {"attempts", o.attempts},
                   {"detail", o.detail}});
    *env.out << json_text({{"flushed", std::move(a)}});
  } else {
    *env.out << count_of(outcomes.size(), "delivery", "deliveries") << " tried, " << outcomes.size() - left
             << " delivered, " << left << " left\n";
  }
  print_outcomes(outcomes, env, prog);
  return left == 0 ? 0 : 2;
}

}  // namespace

int run_alerts_command(const std::vector<std::string>& args, const CliEnv& env) {
  const std::vector<std::string> rest(args.empty() ? args.begin() : args.begin() + 1, args.end());
  if (!args.empty() && args[0] == "pending") return alerts_pending(rest, env);
  if (!args.empty() && args[0] == "flush") return alerts_flush(rest, env);
  const bool help = !args.empty() && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help");
  (help ? *env.out : *env.err) << "gouvernante alerts: the outbox of respond and watch\n\n"
                                  "  gouvernante alerts pending [--json] [--db D]\n"
                                  "  gouvernante alerts flush [--include-failed] [--attempts N] [--json] [--db D]\n";
  if (!help && !args.empty())
    *env.err << "gouvernante alerts: unknown subcommand " << quote_for_message(args[0]) << "\n";
  return help ? 0 : 1;
}

// ---- watch ----

namespace {

// "5m", "30s", "1h", "90" (seconds); 0 on error.
int64_t parse_interval(const std::string& text) {
  if (text.empty()) return 0;
  size_t used = 0;
  long long n = 0;
  try {
    n = std::stoll(text, &used);
  } catch (...) {
    return 0;
  }
  const std::string unit = text.substr(used);
  const int64_t mult = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : 0;
  return n > 0 ? n * mult : 0;
}

// Reads every *.json of the feed: rule documents as they are, OSV records
// through the OSV importer. A file that is neither, or has problems, is
// reported and left out of this poll; the others still count.
RuleSet load_feed(const std::string& dir, const CliEnv& env, const std::string& prog, size_t* skipped) {
  RuleSet set;
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec) && it->path().extension() == ".json") files.push_back(it->path());
  if (ec) *env.err << prog << ": " << terminal_safe(dir) << ": " << ec.message() << "\n";
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    Errors errors;
    if (s.find("\"schema_version\"") != std::string::npos) {
      RuleSet one;
      if (parse_rule_document(s, path.string(), &one, &errors))
        for (Rule& r : one.rules) set.rules.push_back(std::move(r));
    } else {
      ImportBatch batch;
      import_osv_document(s, path.string(), ImportOptions{}, &batch, &errors);
      if (errors.empty())
        for (Rule& r : batch.rules) set.rules.push_back(std::move(r));
    }
    if (!errors.empty()) {
      ++*skipped;
      for (const Error& e : errors) *env.err << prog << ": not checked: " << terminal_safe(e.str()) << "\n";
    }
    set.files.push_back(path.string());
  }
  return set;
}

}  // namespace

int run_watch_command(const std::vector<std::string>& args, const CliEnv& env) {
  const std::string prog = "gouvernante watch";
  std::string feed, db = kDefaultDb, interval_text = "5m";
  bool once = false, json = false;
  SinkFlags sf;
  CLI::App app{"Watch a folder of rule files and OSV records; alert on every affected repository, run and host "
               "not alerted before -- once per (rule, item) (docs/respond.md).\nWith --once: exit 0 nothing new, "
               "2 new alerts, 1 error.",
               prog};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("--feed", feed, "Folder of rule documents and OSV records (*.json, recursive)")->required();
  app.add_option("--db", db, "Inventory: a SQLite file or postgres://...")->default_str(kDefaultDb);
  app.add_option("--interval", interval_text, "Time between polls: 30s, 5m, 1h")->default_str("5m");
  app.add_flag("--once", once, "Poll once and exit");
  app.add_flag("--json", json, "Print each poll's new incident as JSON");
  add_sink_flags(app, &sf);
  if (int code = parse_flags(app, args, env, prog); code >= 0) return code;
  const int64_t interval = parse_interval(interval_text);
  if (interval <= 0) return fail(env, prog, "--interval: expected a duration such as 30s, 5m or 1h, not '" + interval_text + "'");
  if (sf.sinks.empty()) return fail(env, prog, "give at least one --sink: watch exists to deliver alerts");
  std::vector<respond::SinkSpec> specs;
  if (!sink_specs(sf, env, prog, &specs)) return 1;
  std::error_code ec;
  if (!std::filesystem::is_directory(feed, ec)) return fail(env, prog, "--feed " + feed + ": not a folder");
  std::unique_ptr<inventory::Store> store = open_existing_store(db, env, prog);
  if (!store) return 1;
  for (;;) {
    size_t skipped = 0;
    RuleSet rules = load_feed(feed, env, prog, &skipped);
    respond::Incident inc;
    CliEnv poll_env = env;
    poll_env.now = static_cast<std::time_t>(now_ns() / 1'000'000'000);
    if (!build(*store, rules, {}, poll_env, prog, db, &inc)) return 1;
    std::vector<inventory::AlertedItem> seen;
    if (auto e = store->alerted(&seen)) return fail(env, prog, e->str());
    std::set<std::pair<std::string, std::string>> known;
    for (const auto& a : seen) known.emplace(a.rule_id, a.item_key);
    std::vector<respond::ItemKey> fresh;
    for (const respond::ItemKey& k : respond::item_keys(inc))
      if (!known.contains({k.rule_id, k.key})) fresh.push_back(k);
    // Earlier polls' deliveries that are still pending go first.
    std::vector<respond::Outcome> outcomes;
    if (auto e = respond::flush(*store, false, retry_policy(sf.attempts), &outcomes)) return fail(env, prog, e->str());
    if (!fresh.empty()) {
      respond::Incident news = respond::restricted(inc, fresh);
      *env.out << render(news, json, false);
      if (auto e = deliver_incident(*store, news, specs, sf, &outcomes)) return fail(env, prog, e->str());
      // In the outbox now: delivery is the outbox's job, so these are alerted.
      std::vector<inventory::AlertedItem> mark;
      for (const auto& k : fresh) mark.push_back({k.rule_id, k.key, news.id, now_ns()});
      if (auto e = store->add_alerted(mark)) return fail(env, prog, e->str());
    }
    *env.err << prog << ": " << iso_utc(poll_env.now) << ": " << count_of(rules.rules.size(), "rule", "rules")
             << " from " << count_of(rules.files.size(), "file", "files")
             << (skipped ? fmt::format(" ({} not read)", skipped) : "") << ", "
             << count_of(fresh.size(), "new item", "new items") << "\n";
    print_outcomes(outcomes, env, prog);
    if (once) return fresh.empty() ? 0 : 2;
    std::this_thread::sleep_for(std::chrono::seconds(interval));
  }
}

}  // namespace gv
