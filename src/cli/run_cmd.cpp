// `gouvernante run [--db D] [--org O --repo R --job J --run-id ID]
//   [--policy audit|block] [--allow ENDPOINT]... [--allow-file FILE] -- CMD [ARGS...]`
//
// Everything that could fail on our side (flags, allow-list, database) is
// checked before CMD starts, so our errors (exit 1) never hide CMD's own exit
// status, which is what we exit with afterwards. The one paragraph on stderr
// says what was recorded and what could not be seen.
#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <ostream>
#include <random>
#include <set>

#include "cli/egress_cmd.h"
#include "cli/flags.h"
#include "cli/history_cmd.h"
#include "egress/endpoint.h"
#include "egress/event_jsonl.h"
#include "egress/supervisor.h"
#include "inventory/store.h"
#include "report/escape.h"

namespace gv {

namespace {

constexpr const char* kProg = "gouvernante run";

// "r-20260401T120000Z-3f9a1c2e": sortable, and unique enough that two
// runners starting in the same second do not collide.
std::string new_run_id(std::time_t now) {
  std::random_device rd;
  return fmt::format("r-{}-{:08x}", utc_stamp(now), rd());
}

int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The summary's destinations: domains when known, else address:port.
std::string destinations(const std::vector<egress::Event>& events, size_t* count) {
  std::set<std::string> seen;
  for (const egress::Event& e : events) {
    if (e.kind == egress::EventKind::kDns) continue;
    seen.insert(!e.domain.empty() ? e.domain
                                  : (e.address.find(':') != std::string::npos ? "[" + e.address + "]"
                                                                              : e.address) +
                                        ":" + std::to_string(e.port));
  }
  *count = seen.size();
  std::string out;
  size_t n = 0;
  for (const std::string& d : seen) {
    if (++n > 8) {
      out += fmt::format(", and {} more", seen.size() - 8);
      break;
    }
    out += (out.empty() ? "" : ", ") + d;
  }
  return out;
}

// The events of a run the database would not take, as JSON Lines in the
// `net events` shape (`net import` reads them back): ./gouvernante-run-ID.jsonl,
// else in $TMPDIR. "" when neither can be written.
std::string spill_events(const inventory::RunRecord& run, const std::vector<egress::Event>& events) {
  std::string safe;
  for (char c : run.run_id) safe += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  const char* tmp = std::getenv("TMPDIR");
  for (const std::string& dir : {std::string("."), std::string(tmp != nullptr && *tmp ? tmp : "/tmp")}) {
    const std::string path = dir + "/gouvernante-run-" + safe + ".jsonl";
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (const egress::Event& e : events) out << egress::event_json(run.run_id, run.org, run.repo, run.job, e).dump() << "\n";
    out.close();
    if (out) return path;
  }
  return "";
}

}  // namespace

int run_run_command(const std::vector<std::string>& args, const CliEnv& env) {
  // Everything after the first "--" is the command, untouched.
  auto dashes = std::find(args.begin(), args.end(), "--");
  const std::vector<std::string> flags(args.begin(), dashes);
  const std::vector<std::string> command(dashes == args.end() ? dashes : dashes + 1, args.end());
  std::string db = kDefaultDb, org, repo, job, run_id, policy = "audit";
  std::vector<std::string> allow, allow_files;
  CLI::App app{"Run a command and record its whole process tree's network egress (connections, datagrams, DNS "
               "questions) into the inventory (docs/egress.md).\nExit status: the command's (128 + signal when "
               "killed); 1 when gouvernante itself could not run it.",
               std::string(kProg) + " [OPTIONS] -- CMD [ARGS...]"};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("--db", db, "Inventory: a SQLite file or postgres://...")->default_str(kDefaultDb);
  app.add_option("--org", org, "Organisation the run belongs to");
  app.add_option("--repo", repo, "Repository the run belongs to");
  app.add_option("--job", job, "CI job name (baselines are per repository and job)");
  app.add_option("--run-id", run_id, "Unique id of this run (default: generated)");
  app.add_option("--policy", policy, "audit (record only) or block (refuse what --allow does not name)")
      ->check(CLI::IsMember({"audit", "block"}));
  app.add_option("--allow", allow, "Allowed endpoint: host[:port], *.domain[:port], IP[:port], CIDR, loopback, "
                                   "private (repeatable)");
  app.add_option("--allow-file", allow_files, "File of endpoints, one per line, # comments (repeatable)");
  if (int code = parse_flags(app, flags, env, kProg); code >= 0) return code;
  if (command.empty()) {
    *env.err << kProg << ": no command: put it after --, e.g. gouvernante run -- npm ci\n";
    return 1;
  }
  egress::AllowList list;
  bool bad = false;
  for (const std::string& a : allow) {
    std::string why;
    if (!list.add_text(a, &why)) {
      *env.err << kProg << ": --allow " << terminal_safe(a) << ": " << terminal_safe(why) << "\n";
      bad = true;
    }
  }
  for (const std::string& f : allow_files) {
    Errors errors;
    if (!list.load_file(f, &errors)) {
      for (const Error& e : errors) *env.err << kProg << ": " << terminal_safe(e.str()) << "\n";
      bad = true;
    }
  }
  if (bad) return 1;
  if (policy == "audit" && !list.empty()) {
    *env.err << kProg << ": --allow is for --policy block; in audit mode everything is allowed and recorded\n";
    return 1;
  }
  Error open_error;
  std::unique_ptr<inventory::Store> store = inventory::Store::open(db, &open_error);
  if (!store) {
    *env.err << kProg << ": " << terminal_safe(open_error.str()) << "\n";
    return 1;
  }
  inventory::RunRecord run{run_id.empty() ? new_run_id(env.now) : run_id, org, repo, job, policy, command, 0, 0, 0};
  // A run id is a record: one already taken is refused before CMD runs,
  // not after (when its record could no longer be kept).
  std::vector<inventory::RunRecord> taken;
  inventory::EventFilter same;
  same.run_id = run.run_id;
  if (auto e = store->runs(same, &taken)) {
    *env.err << kProg << ": " << terminal_safe(e->str()) << "\n";
    return 1;
  }
  if (!taken.empty()) {
    *env.err << kProg << ": run id '" << terminal_safe(run.run_id) << "' is already recorded in "
             << terminal_safe(inventory::redact_location(db)) << "; give a new --run-id\n";
    return 1;
  }

  egress::SuperviseOptions opt;
  opt.argv = command;
  opt.block = policy == "block";
  opt.allow = &list;
  egress::SuperviseResult result;
  run.started_ns = wall_ns();
  if (auto e = egress::supervise(opt, &result)) {
    *env.err << kProg << ": " << terminal_safe(e->str()) << "\n";
    return 1;
  }
  run.ended_ns = wall_ns();
  run.exit_status = result.exit_status;
  if (auto e = store->save_run(run, result.events)) {
    *env.err << kProg << ": the command exited " << result.exit_status << " but its record was not saved: "
             << terminal_safe(e->str()) << "\n";
    const std::string spill = spill_events(run, result.events);
    if (spill.empty()) {
      *env.err << kProg << ": and its " << result.events.size() << " events could not be written to a file either\n";
    } else {
      *env.err << kProg << ": its " << result.events.size() << " events are in " << terminal_safe(spill)
               << "; keep them with: gouvernante net import " << terminal_safe(spill) << " --db "
               << terminal_safe(inventory::redact_location(db)) << "\n";
    }
    return 1;
  }
  size_t dns = 0, blocked = 0, dest_count = 0;
  for (const egress::Event& e : result.events) {
    dns += e.kind == egress::EventKind::kDns ? 1 : 0;
    blocked += e.action == egress::Action::kBlocked ? 1 : 0;
  }
  const std::string dests = destinations(result.events, &dest_count);
  std::string unseen;
  for (const std::string& u : result.unseen) unseen += "; " + u;
  *env.err << fmt::format(
      "{}: `{}` exited {} after {:.1f} s. Recorded {} events ({} DNS questions, {} blocked) to {} {}{}{} "
      "as run {} in {}. Not seen: containers started by a daemon (docker run), processes left running after the "
      "command, connections opened before it started (docs/egress.md){}.\n",
      kProg, terminal_safe(command[0]), result.exit_status,
      static_cast<double>(run.ended_ns - run.started_ns) / 1e9, result.events.size(), dns, blocked, dest_count,
      dest_count == 1 ? "destination" : "destinations", dests.empty() ? "" : " (", dests.empty() ? "" : terminal_safe(dests) + ")", terminal_safe(run.run_id),
      terminal_safe(inventory::redact_location(db)), terminal_safe(unseen));
  return result.exit_status;
}

}  // namespace gv
