// `gouvernante net import FILE.jsonl`: events recorded elsewhere (a runner
// that cannot reach the shared inventory writes `net events --json` output
// as JSON Lines, see egress/event_jsonl.h), added as runs of this inventory.
//
// All or nothing, as far as the input goes: every line is checked, every run
// id is checked against the inventory, and only then is anything saved, so
// a bad line 9,000 does not leave half a file imported. Each run is saved in
// its own transaction (save_run); should the database fail between two runs,
// the message says which runs were saved.
//
// What the events do not carry is stated, not invented: an imported run's
// policy is "imported" (audit or block is unknown), its argv is empty, its
// start and end are its first and last event's times, and its exit status is
// -1 (unknown).
#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/flags.h"
#include "cli/history_cmd.h"
#include "cli/net_query.h"
#include "cli/output.h"
#include "common/file.h"
#include "egress/event_jsonl.h"
#include "report/escape.h"

namespace gv {

namespace {

using ojson = nlohmann::ordered_json;

constexpr int kUnknownExitStatus = -1;

struct ImportedRun {
  inventory::RunRecord record;
  std::vector<egress::Event> events;
  uint32_t first_line = 0;
};

// Groups events into runs, in the order each run first appears. A run's
// lines must agree on its org, repo and job; a line that does not is an
// error (a concatenation of two files that reused a run id, say).
bool group_runs(std::vector<egress::RecordedEvent>& events, const std::string& file, std::vector<ImportedRun>* out,
                Errors* errors) {
  const size_t before = errors->size();
  std::map<std::string, size_t> index;
  for (egress::RecordedEvent& ev : events) {
    auto [it, fresh] = index.try_emplace(ev.run_id, out->size());
    if (fresh) {
      ImportedRun r;
      r.record = {ev.run_id, ev.org, ev.repo, ev.job, "imported", {}, ev.event.time_ns, ev.event.time_ns,
                  kUnknownExitStatus};
      r.first_line = ev.line;
      out->push_back(std::move(r));
    }
    ImportedRun& r = (*out)[it->second];
    if (ev.org != r.record.org || ev.repo != r.record.repo || ev.job != r.record.job) {
      errors->push_back(Error{file, ev.line, 0,
                              fmt::format("run '{}' is org '{}' repo '{}' job '{}' on line {}, here org '{}' repo "
                                          "'{}' job '{}'",
                                          ev.run_id, r.record.org, r.record.repo, r.record.job, r.first_line, ev.org,
                                          ev.repo, ev.job)});
      continue;
    }
    r.record.started_ns = std::min(r.record.started_ns, ev.event.time_ns);
    r.record.ended_ns = std::max(r.record.ended_ns, ev.event.time_ns);
    r.events.push_back(std::move(ev.event));
  }
  return errors->size() == before;
}

void print_errors(const Errors& errors, const std::string& prog, const std::string& file, const CliEnv& env) {
  for (const Error& e : errors) *env.err << terminal_safe(e.str()) << "\n";
  *env.err << prog << ": " << count_of(errors.size(), "problem", "problems") << " in " << terminal_safe(file)
           << "; nothing imported\n";
}

}  // namespace

int net_import(const std::vector<std::string>& args, const CliEnv& env) {
  const std::string prog = "gouvernante net import";
  std::string db = kDefaultDb, file;
  bool json = false;
  CLI::App app{"Add events recorded elsewhere: JSON Lines, one event per line in the shape net events --json "
               "prints. Nothing is saved unless every line is good; a run id already recorded is refused.",
               prog};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("FILE", file, "The events, one JSON object per line (blank lines are skipped)")->required();
  app.add_option("--db", db, "Inventory: a SQLite file or postgres://... (created when missing)")
      ->default_str(kDefaultDb);
  app.add_flag("--json", json, "Machine-readable answer");
  if (int code = parse_flags(app, args, env, prog); code >= 0) return code;

  FileBuffer buf;
  if (std::optional<Error> e = read_file(file, &buf)) {
    *env.err << prog << ": " << terminal_safe(e->str()) << "\n";
    return 1;
  }
  std::vector<egress::RecordedEvent> events;
  Errors errors;
  std::vector<ImportedRun> runs;
  // Both checks run whatever the first found: one pass lists every problem.
  const bool parsed = egress::parse_events_jsonl(buf.view(), file, &events, &errors);
  if (!group_runs(events, file, &runs, &errors) || !parsed) {
    print_errors(errors, prog, file, env);
    return 1;
  }
  if (runs.empty()) {
    *env.err << prog << ": " << terminal_safe(file) << " holds no events; nothing imported\n";
    return 1;
  }
  // Opened only now: a file that cannot be imported must not create an
  // empty inventory.
  Error open_error;
  std::unique_ptr<inventory::Store> store = inventory::Store::open(db, &open_error);
  if (!store) {
    *env.err << prog << ": " << terminal_safe(open_error.str()) << "\n";
    return 1;
  }
  for (const ImportedRun& r : runs) {
    std::vector<inventory::RunRecord> existing;
    if (auto e = store->runs({r.record.run_id, "", "", ""}, &existing)) {
      *env.err << prog << ": " << terminal_safe(e->str()) << "\n";
      return 1;
    }
    if (!existing.empty()) {
      errors.push_back(Error{file, r.first_line, 0,
                             fmt::format("run id '{}' is already recorded in {}; runs are immutable records, so "
                                         "give the imported run a new run_id",
                                         r.record.run_id, inventory::redact_location(db))});
    }
  }
  if (!errors.empty()) {
    print_errors(errors, prog, file, env);
    return 1;
  }
  size_t saved = 0, event_count = 0;
  for (const ImportedRun& r : runs) {
    if (auto e = store->save_run(r.record, r.events)) {
      *env.err << prog << ": " << terminal_safe(file) << ":" << r.first_line << ": run '"
               << terminal_safe(r.record.run_id) << "' not saved: " << terminal_safe(e->str()) << " ("
               << count_of(saved, "run was", "runs were") << " saved before it)\n";
      return 1;
    }
    ++saved;
    event_count += r.events.size();
  }
  if (json) {
    ojson ids = ojson::array();
    for (const ImportedRun& r : runs) ids.push_back(r.record.run_id);
    *env.out << json_text(
        {{"imported", {{"file", file}, {"events", event_count}, {"runs", runs.size()}, {"run_ids", std::move(ids)}}}});
  } else {
    *env.out << "imported " << count_of(event_count, "event", "events") << " of "
             << count_of(runs.size(), "run", "runs")
             << " from " << terminal_safe(file) << "\n";
  }
  return 0;
}

}  // namespace gv
