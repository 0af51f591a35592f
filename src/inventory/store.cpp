// The history index store on top of either driver: the schema, its
// migrations and every statement live here, once, in SQL both SQLite and
// PostgreSQL accept (`?` placeholders become $n for PostgreSQL in the driver).
//
// Natural keys throughout (no AUTOINCREMENT/SERIAL): many runners may index
// into one PostgreSQL database, and re-indexing the same commit must land on
// the same rows (INSERT ... ON CONFLICT DO NOTHING) rather than new ones.
#include "inventory/store.h"

#include <algorithm>
#include <array>
#include <ctime>
#include <unordered_map>
#include <initializer_list>
#include <utility>

#include "inventory/store_internal.h"

namespace gv::inventory {
namespace store_detail {
namespace {

struct Migration {
  int64_t version;
  std::vector<std::string> statements;
};

// Append-only: a released step never changes, a new version adds a step.
//
// ref_commits is not in the first sketch of the schema: it records which
// commits a ref's history holds, with their seq, even for a commit whose
// changes are empty, so that saving it again finds it and spends no new seq.
// The pull request lives there too because it is a property of how the commit
// reached that branch, not of the commit.
//
// changes has one index led by package: (package) alone would be a prefix of
// (package, org, repo) and only slow down the 100,000-row inserts.
//
// `time` is a non-reserved word in PostgreSQL and fine as a column name.
const std::vector<Migration>& migrations() {
  static const std::vector<Migration> steps = {
      {1,
       {
           "CREATE TABLE refs ("
           " org TEXT NOT NULL, repo TEXT NOT NULL, ref TEXT NOT NULL,"
           " path TEXT NOT NULL, tip TEXT NOT NULL, next_seq BIGINT NOT NULL,"
           " PRIMARY KEY (org, repo, ref))",
           "CREATE TABLE commits ("
           " org TEXT NOT NULL, repo TEXT NOT NULL, sha TEXT NOT NULL,"
           " author TEXT NOT NULL, author_email TEXT NOT NULL, committer TEXT NOT NULL,"
           " time BIGINT NOT NULL, subject TEXT NOT NULL,"
           " PRIMARY KEY (org, repo, sha))",
           "CREATE TABLE ref_commits ("
           " org TEXT NOT NULL, repo TEXT NOT NULL, ref TEXT NOT NULL, sha TEXT NOT NULL,"
           " seq BIGINT NOT NULL, pr BIGINT NOT NULL, pr_commit TEXT NOT NULL,"
           " PRIMARY KEY (org, repo, ref, sha))",
           "CREATE TABLE changes ("
           " org TEXT NOT NULL, repo TEXT NOT NULL, ref TEXT NOT NULL, seq BIGINT NOT NULL,"
           " sha TEXT NOT NULL, lockfile TEXT NOT NULL, package TEXT NOT NULL,"
           " version TEXT NOT NULL, added INTEGER NOT NULL,"
           " PRIMARY KEY (org, repo, ref, sha, lockfile, package, version, added))",
           "CREATE INDEX changes_package ON changes (package, org, repo)",
           "CREATE TABLE tip_packages ("
           " org TEXT NOT NULL, repo TEXT NOT NULL, ref TEXT NOT NULL,"
           " lockfile TEXT NOT NULL, package TEXT NOT NULL, version TEXT NOT NULL,"
           " PRIMARY KEY (org, repo, ref, lockfile, package, version))",
           "CREATE INDEX tip_packages_package ON tip_packages (package, org, repo)",
       }},
      // 2: search by rules asks for every package name the store knows; over
      // 1,000 repositories a DISTINCT of changes and tip_packages (2.2 M
      // rows) took 0.32 s, this table a few ms. The changes index becomes a
      // covering one: a search reads its rows from the index alone.
      {2,
       {
           "CREATE TABLE package_names (package TEXT NOT NULL PRIMARY KEY)",
           "INSERT INTO package_names (package)"
           " SELECT package FROM changes UNION SELECT package FROM tip_packages",
           "CREATE INDEX changes_search ON changes"
           " (package, org, repo, ref, seq, sha, lockfile, version, added)",
           "DROP INDEX changes_package",
       }},
      // 3: recorded egress of `gouvernante run` (docs/egress.md), in the same
      // database as the history, so one query joins repositories and runs.
      // argv is a JSON array of strings.
      {3,
       {
           "CREATE TABLE runs ("
           " run_id TEXT NOT NULL PRIMARY KEY, org TEXT NOT NULL, repo TEXT NOT NULL, job TEXT NOT NULL,"
           " policy TEXT NOT NULL, argv TEXT NOT NULL, started_ns BIGINT NOT NULL, ended_ns BIGINT NOT NULL,"
           " exit_status BIGINT NOT NULL)",
           "CREATE INDEX runs_job ON runs (repo, job, started_ns)",
           "CREATE TABLE net_events ("
           " run_id TEXT NOT NULL, seq BIGINT NOT NULL, time_ns BIGINT NOT NULL, pid BIGINT NOT NULL,"
           " ppid BIGINT NOT NULL, exe TEXT NOT NULL, argv TEXT NOT NULL, kind TEXT NOT NULL,"
           " protocol TEXT NOT NULL, address TEXT NOT NULL, port BIGINT NOT NULL, domain TEXT NOT NULL,"
           " query_type TEXT NOT NULL, action TEXT NOT NULL,"
           " PRIMARY KEY (run_id, seq))",
           "CREATE INDEX net_events_domain ON net_events (domain)",
           "CREATE INDEX net_events_address ON net_events (address, port)",
       }},
      // 4: scan reports ingested from laptops, servers and CI jobs
      // (`gouvernante report ingest`), so an incident sees hosts too. hosts
      // names each host's latest report: updating its row is what orders
      // two ingests of one host (PostgreSQL row lock, SQLite write lock), so
      // "latest" is the last committed. A report's findings are copied out
      // of its JSON into rows so queries by rule need not parse reports.
      {4,
       {
           "CREATE TABLE host_reports ("
           " report_id TEXT NOT NULL PRIMARY KEY, host TEXT NOT NULL, ingested_ns BIGINT NOT NULL,"
           " tool_version TEXT NOT NULL, source_file TEXT NOT NULL, exit_code BIGINT NOT NULL,"
           " findings BIGINT NOT NULL, report TEXT NOT NULL)",
           "CREATE INDEX host_reports_host ON host_reports (host, ingested_ns)",
           "CREATE TABLE host_findings ("
           " report_id TEXT NOT NULL, seq BIGINT NOT NULL, host TEXT NOT NULL, kind TEXT NOT NULL,"
           " rule_id TEXT NOT NULL, package TEXT NOT NULL, version TEXT NOT NULL, path TEXT NOT NULL,"
           " line BIGINT NOT NULL, severity TEXT NOT NULL, finding TEXT NOT NULL,"
           " PRIMARY KEY (report_id, seq))",
           "CREATE INDEX host_findings_rule ON host_findings (rule_id)",
           "CREATE TABLE hosts ("
           " host TEXT NOT NULL PRIMARY KEY, report_id TEXT NOT NULL, ingested_ns BIGINT NOT NULL)",
       }},
      // 5: the alert outbox (`respond`, `alerts`, `watch`; docs/respond.md).
      // A delivery row holds everything needed to send it again from another
      // process -- the body, the lines, the sink as typed -- except secrets:
      // secret_env is the *name* of the variable holding the webhook secret.
      // alerted is watch's memory: one row per (rule, affected item) already
      // alerted, so a second poll with nothing new sends nothing.
      {5,
       {
           "CREATE TABLE deliveries ("
           " delivery_id TEXT NOT NULL PRIMARY KEY, incident_id TEXT NOT NULL, sink TEXT NOT NULL,"
           " event TEXT NOT NULL, body TEXT NOT NULL, lines TEXT NOT NULL, object_name TEXT NOT NULL,"
           " secret_env TEXT NOT NULL, s3_endpoint TEXT NOT NULL, state TEXT NOT NULL,"
           " attempts BIGINT NOT NULL, last_error TEXT NOT NULL, created_ns BIGINT NOT NULL,"
           " updated_ns BIGINT NOT NULL)",
           "CREATE INDEX deliveries_state ON deliveries (state, created_ns)",
           "CREATE TABLE alerted ("
           " rule_id TEXT NOT NULL, item_key TEXT NOT NULL, incident_id TEXT NOT NULL,"
           " alerted_ns BIGINT NOT NULL, PRIMARY KEY (rule_id, item_key))",
       }},
  };
  return steps;
}

// ORDER BY uses COLLATE "C" (bytewise) so both backends sort alike whatever
// the PostgreSQL database's locale; the SQLite driver registers a "C"
// collation. It is not in the schema, so the sqlite3 shell can still read the file.
constexpr const char* kCreateMigrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)";
constexpr const char* kSchemaVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
constexpr const char* kRecordMigration =
    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)";

// Touching the ref's row first takes its row lock in PostgreSQL (held to
// COMMIT), so two runners saving the same ref take turns and the second sees
// the first's next_seq. SQLite's BEGIN IMMEDIATE already serialises writers.
// A ref's first commit gets seq 1.
constexpr const char* kLockRef =
    "INSERT INTO refs (org, repo, ref, path, tip, next_seq) VALUES (?, ?, ?, ?, '', 1)"
    " ON CONFLICT (org, repo, ref) DO UPDATE SET path = excluded.path";
constexpr const char* kNextSeq = "SELECT next_seq FROM refs WHERE org = ? AND repo = ? AND ref = ?";
constexpr const char* kInsertCommit =
    "INSERT INTO commits (org, repo, sha, author, author_email, committer, time, subject)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, repo, sha) DO NOTHING";
constexpr const char* kRefCommitSeq =
    "SELECT seq FROM ref_commits WHERE org = ? AND repo = ? AND ref = ? AND sha = ?";
constexpr const char* kInsertRefCommit =
    "INSERT INTO ref_commits (org, repo, ref, sha, seq, pr, pr_commit)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, repo, ref, sha) DO NOTHING";
constexpr const char* kInsertChange =
    "INSERT INTO changes (org, repo, ref, seq, sha, lockfile, package, version, added)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
constexpr const char* kDeleteTips = "DELETE FROM tip_packages WHERE org = ? AND repo = ? AND ref = ?";
constexpr const char* kInsertTip =
    "INSERT INTO tip_packages (org, repo, ref, lockfile, package, version)"
    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
constexpr const char* kUpdateRef =
    "UPDATE refs SET tip = ?, next_seq = ?, path = ? WHERE org = ? AND repo = ? AND ref = ?";
constexpr const char* kLastTip = "SELECT tip FROM refs WHERE org = ? AND repo = ? AND ref = ?";

// CAST(? AS TEXT) = '' lets one statement serve "any org" and "this org":
// PostgreSQL cannot infer the type of a bare `? = ''`.
constexpr const char* kChanges =
    "SELECT c.org, c.repo, c.ref, c.seq, c.lockfile, c.package, c.version, c.added,"
    " m.sha, m.author, m.author_email, m.committer, m.time, m.subject, r.pr, r.pr_commit"
    " FROM changes c"
    " JOIN commits m ON m.org = c.org AND m.repo = c.repo AND m.sha = c.sha"
    " JOIN ref_commits r ON r.org = c.org AND r.repo = c.repo AND r.ref = c.ref AND r.sha = c.sha"
    " WHERE c.package = ? AND (CAST(? AS TEXT) = '' OR c.org = ?)"
    " AND (CAST(? AS TEXT) = '' OR c.repo = ?)"
    " AND (CAST(? AS TEXT) = '' OR c.version = ? OR c.lockfile = 'package.json'"
    "      OR c.lockfile LIKE '%/package.json')"
    " ORDER BY c.org COLLATE \"C\", c.repo COLLATE \"C\", c.ref COLLATE \"C\", c.seq,"
    " c.lockfile COLLATE \"C\", c.version COLLATE \"C\", c.added";
constexpr const char* kTips =
    "SELECT org, repo, ref, lockfile, package, version FROM tip_packages"
    " WHERE package = ? AND (CAST(? AS TEXT) = '' OR org = ?) AND (CAST(? AS TEXT) = '' OR repo = ?)"
    " AND (CAST(? AS TEXT) = '' OR version = ? OR lockfile = 'package.json' OR lockfile LIKE '%/package.json')"
    " ORDER BY org COLLATE \"C\", repo COLLATE \"C\", ref COLLATE \"C\","
    " lockfile COLLATE \"C\", version COLLATE \"C\"";
constexpr const char* kPackages = "SELECT package FROM package_names ORDER BY package COLLATE \"C\"";
constexpr const char* kInsertName = "INSERT INTO package_names (package) VALUES (?) ON CONFLICT DO NOTHING";
constexpr const char* kIndexed =
    "SELECT org, repo, ref, tip, path FROM refs"
    " ORDER BY org COLLATE \"C\", repo COLLATE \"C\", ref COLLATE \"C\"";

std::optional<Error> run(Driver& db, std::string_view sql, std::initializer_list<Param> params,
                         const RowFn& row = {}) {
  return db.run(sql, std::span<const Param>(params.begin(), params.size()), row);
}

// ---- UTF-8 ------------------------------------------------------------------
// PostgreSQL rejects invalid UTF-8 and one bad byte would fail a whole save;
// old repositories do carry Latin-1 author names. Both backends store the
// same repaired text (U+FFFD per bad byte) so they answer alike.

size_t utf8_sequence(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  }
  // Overlong three/four-byte forms, UTF-16 surrogates, beyond U+10FFFF.
  if (c == 0xE0 && b(i + 1) < 0xA0) return 0;
  if (c == 0xED && b(i + 1) >= 0xA0) return 0;
  if (c == 0xF0 && b(i + 1) < 0x90) return 0;
  if (c == 0xF4 && b(i + 1) >= 0x90) return 0;
  return n;
}

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_sequence(s, i);
    if (n == 0 || s[i] == '\0') return false;  // PostgreSQL text holds no NUL either
    i += n;
  }
  return true;
}

void repair_utf8(std::string* s) {
  if (valid_utf8(*s)) return;
  std::string out;
  out.reserve(s->size() + 8);
  for (size_t i = 0; i < s->size();) {
    const size_t n = utf8_sequence(*s, i);
    if (n == 0 || (*s)[i] == '\0') {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(*s, i, n);
      i += n;
    }
  }
  *s = std::move(out);
}

bool index_valid(const RefIndex& x) {
  auto ok = [](const std::string& s) { return valid_utf8(s); };
  if (!ok(x.org) || !ok(x.repo) || !ok(x.path) || !ok(x.ref) || !ok(x.tip)) return false;
  for (const CommitChanges& cc : x.commits) {
    const CommitInfo& c = cc.commit;
    if (!ok(c.sha) || !ok(c.author) || !ok(c.author_email) || !ok(c.committer) || !ok(c.subject) ||
        !ok(c.pr_commit))
      return false;
    for (const PackageChange& p : cc.changes) {
      if (!ok(p.lockfile) || !ok(p.package) || !ok(p.version)) return false;
    }
  }
  for (const TipPackage& t : x.tip_packages) {
    if (!ok(t.lockfile) || !ok(t.package) || !ok(t.version)) return false;
  }
  return true;
}

RefIndex repaired(RefIndex x) {
  for (std::string* s : {&x.org, &x.repo, &x.path, &x.ref, &x.tip}) repair_utf8(s);
  for (CommitChanges& cc : x.commits) {
    CommitInfo& c = cc.commit;
    for (std::string* s : {&c.sha, &c.author, &c.author_email, &c.committer, &c.subject, &c.pr_commit})
      repair_utf8(s);
    for (PackageChange& p : cc.changes) {
      for (std::string* s : {&p.lockfile, &p.package, &p.version}) repair_utf8(s);
    }
  }
  for (TipPackage& t : x.tip_packages) {
    for (std::string* s : {&t.lockfile, &t.package, &t.version}) repair_utf8(s);
  }
  return x;
}

// ---- the store --------------------------------------------------------------

class SqlStore final : public Store {
 public:
  explicit SqlStore(std::unique_ptr<Driver> db) : db_(std::move(db)) {}

  std::optional<std::string> last_tip(const std::string& org, const std::string& repo,
                                      const std::string& ref, Error* error) override {
    std::string tip;
    auto e = run(*db_, kLastTip, {org, repo, ref}, [&](const Row& r) { tip = r.text(0); });
    if (e) {
      if (error) *error = context(std::move(*e), "reading the last tip of " + where(org, repo, ref));
      return std::nullopt;
    }
    return tip;
  }

  std::optional<Error> save(const RefIndex& index) override {
    if (index_valid(index)) return save_checked(index);
    return save_checked(repaired(index));
  }

  std::optional<Error> changes(const Filter& f, std::vector<ChangeRow>* out) override {
    out->clear();
    auto e = run(*db_, kChanges, {f.package, f.org, f.org, f.repo, f.repo, f.version, f.version}, [&](const Row& r) {
      auto s = [&r](int col) { return std::string(r.text(col)); };
      ChangeRow c{s(0), s(1), s(2), PackageChange{s(4), s(5), s(6), r.integer(7) != 0},
                  CommitInfo{s(8), s(9), s(10), s(11), r.integer(12), s(13), r.integer(14), s(15)},
                  r.integer(3)};
      out->push_back(std::move(c));
    });
    return e ? context(std::move(*e), "reading the changes of " + f.package) : e;
  }

  std::optional<Error> tips(const Filter& f, std::vector<TipRow>* out) override {
    out->clear();
    auto e = run(*db_, kTips, {f.package, f.org, f.org, f.repo, f.repo, f.version, f.version}, [&](const Row& r) {
      out->push_back(TipRow{std::string(r.text(0)), std::string(r.text(1)), std::string(r.text(2)),
                            TipPackage{std::string(r.text(3)), std::string(r.text(4)),
                                       std::string(r.text(5))}});
    });
    return e ? context(std::move(*e), "reading the tip packages of " + f.package) : e;
  }

  std::optional<Error> packages(std::vector<std::string>* out) override {
    out->clear();
    auto e = run(*db_, kPackages, {}, [&](const Row& r) { out->emplace_back(r.text(0)); });
    return e ? context(std::move(*e), "reading package names") : e;
  }

  std::optional<Error> save_run(const RunRecord& run, const std::vector<egress::Event>& events) override {
    return in_transaction([&] { return save_run_rows(*db_, run, events); }, "saving run " + run.run_id);
  }

  std::optional<Error> runs(const EventFilter& f, std::vector<RunRecord>* out) override {
    out->clear();
    auto e = read_runs(*db_, f, out);
    return e ? context(std::move(*e), "reading recorded runs") : e;
  }

  std::optional<Error> net_events(const EventFilter& f, std::vector<EventRow>* out) override {
    out->clear();
    auto e = read_net_events(*db_, f, out);
    return e ? context(std::move(*e), "reading recorded events") : e;
  }

  std::optional<Error> save_host_report(const HostReport& report,
                                        const std::vector<HostFinding>& findings) override {
    return in_transaction([&] { return save_host_rows(*db_, report, findings); },
                          "saving the report of host " + report.host);
  }

  std::optional<Error> host_findings(const HostFilter& f, std::vector<HostFindingRow>* out) override {
    out->clear();
    auto e = read_host_findings(*db_, f, out);
    return e ? context(std::move(*e), "reading host findings") : e;
  }

  std::optional<Error> host_reports(const HostFilter& f, std::vector<HostReportRow>* out) override {
    out->clear();
    auto e = read_host_reports(*db_, f, out);
    return e ? context(std::move(*e), "reading host reports") : e;
  }

  std::optional<Error> add_delivery(const DeliveryRow& row, DeliveryRow* stored) override {
    return in_transaction([&] { return add_delivery_row(*db_, row, stored); },
                          "adding delivery " + row.delivery_id + " to the outbox");
  }

  std::optional<Error> update_delivery(const DeliveryRow& row) override {
    return in_transaction([&] { return update_delivery_row(*db_, row); },
                          "updating delivery " + row.delivery_id);
  }

  std::optional<Error> deliveries(const std::string& state, std::vector<DeliveryRow>* out) override {
    out->clear();
    auto e = read_deliveries(*db_, state, out);
    return e ? context(std::move(*e), "reading the outbox") : e;
  }

  std::optional<Error> alerted(std::vector<AlertedItem>* out) override {
    out->clear();
    auto e = read_alerted(*db_, out);
    return e ? context(std::move(*e), "reading alerted items") : e;
  }

  std::optional<Error> add_alerted(const std::vector<AlertedItem>& items) override {
    return in_transaction([&] { return add_alerted_rows(*db_, items); }, "recording alerted items");
  }

  std::optional<Error> indexed(std::vector<Indexed>* out) override {
    out->clear();
    auto e = run(*db_, kIndexed, {}, [&](const Row& r) {
      out->push_back(Indexed{std::string(r.text(0)), std::string(r.text(1)), std::string(r.text(2)),
                             std::string(r.text(3)), std::string(r.text(4))});
    });
    return e ? context(std::move(*e), "reading indexed refs") : e;
  }

 private:
  static std::string where(const std::string& org, const std::string& repo, const std::string& ref) {
    return org + "/" + repo + " " + ref;
  }
  static Error context(Error e, const std::string& doing) {
    e.what = doing + ": " + e.what;
    return e;
  }

  std::optional<Error> save_checked(const RefIndex& index) {
    return in_transaction([&] { return save_rows(index); }, "saving " + where(index.org, index.repo, index.ref));
  }

  // `body` in one transaction: committed when it succeeds, rolled back (and
  // its error given the context `doing`) when anything fails.
  template <class Body>
  std::optional<Error> in_transaction(const Body& body, const std::string& doing) {
    std::optional<Error> e = db_->begin();
    if (!e) e = body();
    if (!e) e = db_->exec("COMMIT");
    if (e) {
      db_->exec("ROLLBACK");  // its own error (no transaction left) adds nothing
      return context(std::move(*e), doing);
    }
    return std::nullopt;
  }

  // Round trips are what a save against a remote PostgreSQL costs, so every
  // statement whose answer can wait is queued: about three waits per batch
  // of 500 rows instead of one per row.
  std::optional<Error> save_rows(const RefIndex& x) {
    if (auto e = run(*db_, kLockRef, {x.org, x.repo, x.ref, x.path})) return e;
    int64_t next_seq = 1;
    auto e = run(*db_, kNextSeq, {x.org, x.repo, x.ref}, [&](const Row& r) { next_seq = r.integer(0); });
    if (e) return e;
    if ((e = save_commits(x))) return e;
    std::vector<std::optional<int64_t>> stored(x.commits.size());
    if ((e = find_stored(x, &stored))) return e;
    // A sha listed twice in one run keeps the seq it got first.
    std::unordered_map<std::string_view, int64_t> given;
    for (size_t i = 0; i < x.commits.size(); ++i) {
      const CommitInfo& c = x.commits[i].commit;
      int64_t seq = 0;
      if (stored[i]) {
        seq = *stored[i];
      } else if (auto it = given.find(c.sha); it != given.end()) {
        seq = it->second;
      } else {
        seq = next_seq++;
        given.emplace(c.sha, seq);
        e = queue(kInsertRefCommit, {x.org, x.repo, x.ref, c.sha, seq, c.pr, c.pr_commit});
        if (e) return e;
      }
      if ((e = save_changes(x, x.commits[i], seq))) return e;
    }
    if ((e = save_tips(x))) return e;
    if ((e = save_names(x))) return e;
    if ((e = queue(kUpdateRef, {x.tip, next_seq, x.path, x.org, x.repo, x.ref}))) return e;
    return db_->flush();
  }

  std::optional<Error> queue(std::string_view sql, std::initializer_list<Param> params, RowFn row = {}) {
    return db_->queue(sql, std::span<const Param>(params.begin(), params.size()), std::move(row));
  }

  // In sha order: two runners saving different refs of one repository insert
  // shared commits in the same order, so in PostgreSQL neither can hold a row
  // the other waits for while waiting for one the other holds.
  std::optional<Error> save_commits(const RefIndex& x) {
    std::vector<const CommitInfo*> by_sha;
    by_sha.reserve(x.commits.size());
    for (const CommitChanges& cc : x.commits) by_sha.push_back(&cc.commit);
    std::sort(by_sha.begin(), by_sha.end(),
              [](const CommitInfo* a, const CommitInfo* b) { return a->sha < b->sha; });
    for (const CommitInfo* c : by_sha) {
      if (auto e = queue(kInsertCommit, {x.org, x.repo, c->sha, c->author, c->author_email, c->committer,
                                         c->time, c->subject}))
        return e;
    }
    return std::nullopt;
  }

  // The seq of each commit the ref's history already holds: such a commit
  // keeps it, so saving it again spends no new number.
  std::optional<Error> find_stored(const RefIndex& x, std::vector<std::optional<int64_t>>* stored) {
    for (size_t i = 0; i < x.commits.size(); ++i) {
      auto e = queue(kRefCommitSeq, {x.org, x.repo, x.ref, x.commits[i].commit.sha},
                     [stored, i](const Row& r) { (*stored)[i] = r.integer(0); });
      if (e) return e;
    }
    return db_->flush();
  }

  std::optional<Error> save_changes(const RefIndex& x, const CommitChanges& cc, int64_t seq) {
    for (const PackageChange& p : cc.changes) {
      auto e = queue(kInsertChange, {x.org, x.repo, x.ref, seq, cc.commit.sha, p.lockfile, p.package,
                                     p.version, int64_t{p.added ? 1 : 0}});
      if (e) return e;
    }
    return std::nullopt;
  }

  std::optional<Error> save_tips(const RefIndex& x) {
    if (auto e = queue(kDeleteTips, {x.org, x.repo, x.ref})) return e;
    for (const TipPackage& t : x.tip_packages) {
      if (auto e = queue(kInsertTip, {x.org, x.repo, x.ref, t.lockfile, t.package, t.version})) return e;
    }
    return std::nullopt;
  }

  // Sorted, like the commits: concurrent runners insert shared names in
  // the same order, so neither waits for a row the other holds.
  std::optional<Error> save_names(const RefIndex& x) {
    std::vector<std::string_view> names;
    for (const CommitChanges& cc : x.commits) {
      for (const PackageChange& p : cc.changes) names.push_back(p.package);
    }
    for (const TipPackage& t : x.tip_packages) names.push_back(t.package);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    for (std::string_view n : names) {
      if (auto e = queue(kInsertName, {n})) return e;
    }
    return std::nullopt;
  }

  std::unique_ptr<Driver> db_;
};

std::optional<Error> apply_missing(Driver& db) {
  if (auto e = db.lock_schema()) return e;
  if (auto e = db.exec(kCreateMigrations)) return e;
  int64_t current = 0;
  auto e = run(db, kSchemaVersion, {}, [&](const Row& r) { current = r.integer(0); });
  if (e) return e;
  if (current > schema_version()) {
    return db.error("the database has schema version " + std::to_string(current) +
                    ", newer than this gouvernante knows (" + std::to_string(schema_version()) +
                    "); use a newer gouvernante");
  }
  for (const Migration& m : migrations()) {
    if (m.version <= current) continue;
    for (const std::string& sql : m.statements) {
      if ((e = db.exec(sql))) return e;
    }
    if ((e = run(db, kRecordMigration, {m.version, int64_t{std::time(nullptr)}}))) return e;
  }
  return std::nullopt;
}

}  // namespace

void repair_text(std::string* s) { repair_utf8(s); }

int64_t schema_version() { return migrations().back().version; }

std::optional<Error> migrate(Driver& db) {
  std::optional<Error> e = db.begin();
  if (!e) e = apply_missing(db);
  if (!e) e = db.exec("COMMIT");
  if (e) db.exec("ROLLBACK");
  return e;
}

bool is_postgres_url(std::string_view where) {
  return where.starts_with("postgres://") || where.starts_with("postgresql://");
}

std::unique_ptr<Driver> open_driver(const std::string& where, Error* error) {
  if (where.empty()) {
    *error = Error{"", 0, 0, "no history store given (a file path or a postgres:// URL)"};
    return nullptr;
  }
  return is_postgres_url(where) ? open_postgres(where, error) : open_sqlite(where, error);
}

std::string dollar_params(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;  // inside '...' or "...": a '?' there is text, not a parameter
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$' + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

// Where the user information of a URL ends, the way libpq reads it: at the
// first '@' or '/' after "://". npos when there is no "user@" part.
std::pair<size_t, size_t> userinfo(std::string_view url) {
  const size_t start = url.find("://");
  if (start == std::string_view::npos) return {std::string_view::npos, std::string_view::npos};
  const size_t end = url.find_first_of("@/", start + 3);
  if (end == std::string_view::npos || url[end] != '@')
    return {std::string_view::npos, std::string_view::npos};
  return {start + 3, end};
}

// Calls fn(value_begin, value_end) for each password= in the query string.
template <typename Fn>
void for_each_query_password(std::string_view url, Fn fn) {
  size_t q = url.find('?');
  if (q == std::string_view::npos) return;
  for (size_t p = q + 1; p < url.size();) {
    size_t amp = url.find('&', p);
    if (amp == std::string_view::npos) amp = url.size();
    const std::string_view key = url.substr(p, std::min(url.find('=', p), amp) - p);
    if (key == "password" && p + key.size() < amp) fn(p + key.size() + 1, amp);
    p = amp + 1;
  }
}

// [begin, end) of every password text in the URL.
std::vector<std::pair<size_t, size_t>> secret_spans(std::string_view url) {
  std::vector<std::pair<size_t, size_t>> spans;
  auto [u0, u1] = userinfo(url);
  if (u0 != std::string_view::npos) {
    const size_t colon = url.find(':', u0);
    if (colon < u1) spans.emplace_back(colon + 1, u1);
  }
  for_each_query_password(url, [&](size_t b, size_t e) { spans.emplace_back(b, e); });
  return spans;
}

}  // namespace

std::string redact_url(std::string_view url) {
  std::vector<std::pair<size_t, size_t>> spans = secret_spans(url);
  std::sort(spans.begin(), spans.end());
  std::string out;
  size_t at = 0;
  for (auto [b, e] : spans) {
    out.append(url.substr(at, b - at));
    out += "***";
    at = e;
  }
  out.append(url.substr(at));
  return out;
}

std::vector<std::string> url_secrets(std::string_view url) {
  std::vector<std::string> out;
  for (auto [b, e] : secret_spans(url)) {
    if (e > b) out.emplace_back(url.substr(b, e - b));
  }
  return out;
}

std::string scrub(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& s : secrets) {
    if (s.empty()) continue;
    for (size_t p = text.find(s); p != std::string::npos; p = text.find(s, p + 3))
      text.replace(p, s.size(), "***");
  }
  return text;
}

}  // namespace store_detail

std::string redact_location(const std::string& where) {
  return store_detail::is_postgres_url(where) ? store_detail::redact_url(where) : where;
}

bool is_database_url(const std::string& where) { return store_detail::is_postgres_url(where); }

std::unique_ptr<Store> Store::open(const std::string& where, Error* error) {
  std::unique_ptr<store_detail::Driver> db = store_detail::open_driver(where, error);
  if (!db) return nullptr;
  if (auto e = store_detail::migrate(*db)) {
    e->what = "preparing the schema: " + e->what;
    *error = std::move(*e);
    return nullptr;
  }
  return std::make_unique<store_detail::SqlStore>(std::move(db));
}

}  // namespace gv::inventory
