// The recorded runs of `gouvernante run` in the inventory: one row per run,
// one per event, the same SQL on SQLite and PostgreSQL (store.cpp's rules:
// `?` placeholders, text repaired to valid UTF-8, bytewise ORDER BY).
#include <nlohmann/json.hpp>

#include "inventory/store_internal.h"

namespace gv::inventory::store_detail {

namespace {

constexpr const char* kInsertRun =
    "INSERT INTO runs (run_id, org, repo, job, policy, argv, started_ns, ended_ns, exit_status)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kInsertEvent =
    "INSERT INTO net_events (run_id, seq, time_ns, pid, ppid, exe, argv, kind, protocol, address, port,"
    " domain, query_type, action) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kRunExists = "SELECT COUNT(*) FROM runs WHERE run_id = ?";
constexpr const char* kEvents =
    "SELECT r.run_id, r.org, r.repo, r.job, e.time_ns, e.pid, e.ppid, e.exe, e.argv, e.kind, e.protocol,"
    " e.address, e.port, e.domain, e.query_type, e.action"
    " FROM net_events e JOIN runs r ON r.run_id = e.run_id"
    " WHERE (CAST(? AS TEXT) = '' OR r.run_id = ?) AND (CAST(? AS TEXT) = '' OR r.org = ?)"
    " AND (CAST(? AS TEXT) = '' OR r.repo = ?) AND (CAST(? AS TEXT) = '' OR r.job = ?)"
    " ORDER BY r.started_ns, r.run_id COLLATE \"C\", e.seq";

constexpr const char* kRuns =
    "SELECT run_id, org, repo, job, policy, argv, started_ns, ended_ns, exit_status FROM runs"
    " WHERE (CAST(? AS TEXT) = '' OR run_id = ?) AND (CAST(? AS TEXT) = '' OR org = ?)"
    " AND (CAST(? AS TEXT) = '' OR repo = ?) AND (CAST(? AS TEXT) = '' OR job = ?)"
    " ORDER BY started_ns, run_id COLLATE \"C\"";

std::string repaired(std::string s) {
  repair_text(&s);
  return s;
}

// argv as a JSON array: any bytes survive (invalid UTF-8 repaired first).
std::string argv_json(const std::vector<std::string>& argv) {
  nlohmann::json a = nlohmann::json::array();
  for (const std::string& s : argv) a.push_back(repaired(s));
  return a.dump();
}

std::vector<std::string> argv_of(std::string_view text) {
  std::vector<std::string> out;
  nlohmann::json a = nlohmann::json::parse(text, nullptr, false);
  if (!a.is_array()) return out;
  for (const auto& s : a) {
    if (s.is_string()) out.push_back(s.get<std::string>());
  }
  return out;
}

egress::EventKind kind_of(std::string_view s) {
  if (s == "send") return egress::EventKind::kSend;
  if (s == "dns") return egress::EventKind::kDns;
  return egress::EventKind::kConnect;
}

}  // namespace

std::optional<Error> save_run_rows(Driver& db, const RunRecord& run, const std::vector<egress::Event>& events) {
  int64_t existing = 0;
  const Param id[] = {run.run_id};
  auto e = db.run(kRunExists, id, [&](const Row& r) { existing = r.integer(0); });
  if (e) return e;
  if (existing != 0) return db.error("run id '" + run.run_id + "' is already recorded; give a new --run-id");
  const std::string org = repaired(run.org), repo = repaired(run.repo), job = repaired(run.job);
  const std::string argv = argv_json(run.argv);
  const Param params[] = {run.run_id, org, repo, job, run.policy, argv, run.started_ns, run.ended_ns,
                          int64_t{run.exit_status}};
  if ((e = db.queue(kInsertRun, params, {}))) return e;
  int64_t seq = 0;
  for (const egress::Event& ev : events) {
    const std::string exe = repaired(ev.exe), eargv = argv_json(ev.argv), domain = repaired(ev.domain);
    const Param p[] = {run.run_id, ++seq, ev.time_ns, int64_t{ev.pid}, int64_t{ev.ppid}, exe, eargv,
                       egress::kind_name(ev.kind), ev.protocol, ev.address, int64_t{ev.port}, domain,
                       ev.query_type, egress::action_name(ev.action)};
    if ((e = db.queue(kInsertEvent, p, {}))) return e;
  }
  return db.flush();
}

std::optional<Error> read_net_events(Driver& db, const EventFilter& f, std::vector<EventRow>* out) {
  const Param params[] = {f.run_id, f.run_id, f.org, f.org, f.repo, f.repo, f.job, f.job};
  return db.run(kEvents, params, [&](const Row& r) {
    auto s = [&r](int col) { return std::string(r.text(col)); };
    EventRow row{s(0), s(1), s(2), s(3), {}};
    egress::Event& ev = row.event;
    ev.time_ns = r.integer(4);
    ev.pid = static_cast<int>(r.integer(5));
    ev.ppid = static_cast<int>(r.integer(6));
    ev.exe = s(7);
    ev.argv = argv_of(r.text(8));
    ev.kind = kind_of(r.text(9));
    ev.protocol = s(10);
    ev.address = s(11);
    ev.port = static_cast<uint16_t>(r.integer(12));
    ev.domain = s(13);
    ev.query_type = s(14);
    ev.action = r.text(15) == "blocked" ? egress::Action::kBlocked : egress::Action::kAllowed;
    out->push_back(std::move(row));
  });
}

std::optional<Error> read_runs(Driver& db, const EventFilter& f, std::vector<RunRecord>* out) {
  const Param params[] = {f.run_id, f.run_id, f.org, f.org, f.repo, f.repo, f.job, f.job};
  return db.run(kRuns, params, [&](const Row& r) {
    auto s = [&r](int col) { return std::string(r.text(col)); };
    out->push_back(RunRecord{s(0), s(1), s(2), s(3), s(4), argv_of(r.text(5)), r.integer(6), r.integer(7),
                             static_cast<int>(r.integer(8))});
  });
}

}  // namespace gv::inventory::store_detail
