// The history index store, run against both backends: a SQLite file per test,
// and a real PostgreSQL server started once for the test binary (Debian's
// postgresql package, on loopback) with a fresh database per test.
#include "inventory/store.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/temp_dir.h"
#include "inventory/pg_server.h"
#include "inventory/store_internal.h"

namespace gv::inventory {
namespace {

namespace fs = std::filesystem;
namespace sd = store_detail;
using testing::PgServer;
using testing::free_port;

// ---- records ----------------------------------------------------------------

std::string sha(int n) {
  char buf[41];
  std::snprintf(buf, sizeof buf, "%040x", n);
  return buf;
}

CommitChanges commit(int n, std::vector<PackageChange> changes, int64_t pr = 0) {
  CommitChanges cc;
  cc.commit.sha = sha(n);
  cc.commit.author = "Ada " + std::to_string(n);
  cc.commit.author_email = "ada" + std::to_string(n) + "@example.com";
  cc.commit.committer = "Grace";
  cc.commit.time = 1'700'000'000 + n;
  cc.commit.subject = "bump " + std::to_string(n);
  cc.commit.pr = pr;
  if (pr) cc.commit.pr_commit = sha(1000 + n);
  cc.changes = std::move(changes);
  return cc;
}

PackageChange add(const std::string& package, const std::string& version,
                  const std::string& lockfile = "package-lock.json") {
  return PackageChange{lockfile, package, version, true};
}
PackageChange del(const std::string& package, const std::string& version,
                  const std::string& lockfile = "package-lock.json") {
  return PackageChange{lockfile, package, version, false};
}

RefIndex first_run(const std::string& org = "acme", const std::string& repo = "web") {
  RefIndex x;
  x.org = org;
  x.repo = repo;
  x.path = "/src/" + org + "/" + repo;
  x.ref = "main";
  x.tip = sha(3);
  x.commits.push_back(commit(1, {add("left-pad", "1.0.0"), add("react", "18.0.0")}));
  x.commits.push_back(commit(2, {add("left-pad", "1.1.0"), del("left-pad", "1.0.0")}, 12));
  x.tip_packages = {{"package-lock.json", "left-pad", "1.1.0"}, {"package-lock.json", "react", "18.0.0"}};
  return x;
}

RefIndex second_run() {
  RefIndex x = first_run();
  x.base = x.tip;
  x.tip = sha(5);
  x.commits = {commit(4, {del("react", "18.0.0"), add("left-pad", "2.0.0"), del("left-pad", "1.1.0")})};
  x.tip_packages = {{"package-lock.json", "left-pad", "2.0.0"}};
  return x;
}

// "org/repo ref #seq lockfile package@version +|- sha" per row: one readable
// string to compare in a failure message.
std::string show(const std::vector<ChangeRow>& rows) {
  std::string out;
  for (const ChangeRow& r : rows) {
    out += r.org + "/" + r.repo + " " + r.ref + " #" + std::to_string(r.seq) + " " + r.change.lockfile + " " +
           r.change.package + "@" + r.change.version + (r.change.added ? " +" : " -") + " " +
           r.commit.sha.substr(r.commit.sha.size() > 3 ? r.commit.sha.size() - 3 : 0) + "\n";
  }
  return out;
}

std::string show(const std::vector<TipRow>& rows) {
  std::string out;
  for (const TipRow& r : rows)
    out += r.org + "/" + r.repo + " " + r.ref + " " + r.package.lockfile + " " + r.package.package + "@" +
           r.package.version + "\n";
  return out;
}

// ---- the suite, once per backend ------------------------------------------

enum class Backend { kSqlite, kPostgres };

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      where_ = dir_.str() + "/index.db";
    } else {
      PgServer& pg = PgServer::get();
      ASSERT_TRUE(pg.running()) << "cannot run the PostgreSQL tests: " << pg.problem();
      std::string problem;
      where_ = pg.fresh_database(&problem);
      ASSERT_FALSE(where_.empty()) << problem;
    }
    store_ = open();
    ASSERT_TRUE(store_);
  }

  std::unique_ptr<Store> open() const {
    Error e;
    std::unique_ptr<Store> s = Store::open(where_, &e);
    EXPECT_TRUE(s) << e.str();
    return s;
  }

  // Direct SQL, to count rows behind the store's back.
  int64_t scalar(const std::string& sql) const {
    Error e;
    auto db = sd::open_driver(where_, &e);
    EXPECT_TRUE(db) << e.str();
    if (!db) return -1;
    int64_t v = -1;
    auto err = db->run(sql, {}, [&](const sd::Row& r) { v = r.integer(0); });
    EXPECT_FALSE(err) << err->str();
    return v;
  }
  void exec(const std::string& sql) const {
    Error e;
    auto db = sd::open_driver(where_, &e);
    ASSERT_TRUE(db) << e.str();
    auto err = db->exec(sql);
    ASSERT_FALSE(err) << err->str();
  }

  std::vector<ChangeRow> changes(const std::string& package, const std::string& org = "",
                                 const std::string& repo = "") const {
    std::vector<ChangeRow> rows;
    auto e = store_->changes(Filter{package, org, repo}, &rows);
    EXPECT_FALSE(e) << e->str();
    return rows;
  }
  std::vector<TipRow> tips(const std::string& package, const std::string& org = "",
                           const std::string& repo = "") const {
    std::vector<TipRow> rows;
    auto e = store_->tips(Filter{package, org, repo}, &rows);
    EXPECT_FALSE(e) << e->str();
    return rows;
  }
  std::string last_tip(const std::string& org, const std::string& repo, const std::string& ref) const {
    Error e;
    std::optional<std::string> tip = store_->last_tip(org, repo, ref, &e);
    EXPECT_TRUE(tip) << e.str();
    return tip.value_or("<error>");
  }
  // Back to what version 3 left (the tables of versions 4 and 5 gone).
  void drop_version_four() const {
    exec("DROP TABLE deliveries");
    exec("DROP TABLE alerted");
    exec("DROP TABLE hosts");
    exec("DROP TABLE host_findings");
    exec("DROP TABLE host_reports");
  }
  void save_report(const HostReport& r, const std::vector<HostFinding>& findings) const {
    auto e = store_->save_host_report(r, findings);
    ASSERT_FALSE(e) << e->str();
  }
  std::string latest(const HostFilter& f = {}) const {
    std::vector<HostFindingRow> rows;
    auto e = store_->host_findings(f, &rows);
    EXPECT_FALSE(e) << e->str();
    std::string out;
    for (const HostFindingRow& r : rows)
      out += r.host + " " + r.report_id + " " + r.finding.kind + " " + r.finding.rule_id + " " +
             r.finding.package + "@" + r.finding.version + " " + r.finding.path + ":" +
             std::to_string(r.finding.line) + " " + r.finding.severity + "\n";
    return out;
  }
  void save(const RefIndex& x) const {
    auto e = store_->save(x);
    ASSERT_FALSE(e) << e->str();
  }

  gv::testing::TempDir dir_;
  std::string where_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreTest, RoundTripsOneRun) {
  save(first_run());

  const std::vector<ChangeRow> rows = changes("left-pad");
  EXPECT_EQ(show(rows),
            "acme/web main #1 package-lock.json left-pad@1.0.0 + 001\n"
            "acme/web main #2 package-lock.json left-pad@1.0.0 - 002\n"
            "acme/web main #2 package-lock.json left-pad@1.1.0 + 002\n");
  ASSERT_EQ(rows.size(), 3u);
  const CommitInfo& c = rows[1].commit;
  EXPECT_EQ(c.sha, sha(2));
  EXPECT_EQ(c.author, "Ada 2");
  EXPECT_EQ(c.author_email, "ada2@example.com");
  EXPECT_EQ(c.committer, "Grace");
  EXPECT_EQ(c.time, 1'700'000'002);
  EXPECT_EQ(c.subject, "bump 2");
  EXPECT_EQ(c.pr, 12);
  EXPECT_EQ(c.pr_commit, sha(1002));
  EXPECT_EQ(rows[0].commit.pr, 0);
  EXPECT_EQ(rows[0].commit.pr_commit, "");

  EXPECT_EQ(show(tips("react")), "acme/web main package-lock.json react@18.0.0\n");
  EXPECT_EQ(show(tips("left-pad")), "acme/web main package-lock.json left-pad@1.1.0\n");
  EXPECT_TRUE(changes("lodash").empty());

  std::vector<std::string> names;
  ASSERT_FALSE(store_->packages(&names));
  EXPECT_EQ(names, (std::vector<std::string>{"left-pad", "react"}));

  std::vector<Store::Indexed> refs;
  ASSERT_FALSE(store_->indexed(&refs));
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].org, "acme");
  EXPECT_EQ(refs[0].repo, "web");
  EXPECT_EQ(refs[0].ref, "main");
  EXPECT_EQ(refs[0].tip, sha(3));
  EXPECT_EQ(refs[0].path, "/src/acme/web");

  EXPECT_EQ(last_tip("acme", "web", "main"), sha(3));
  EXPECT_EQ(last_tip("acme", "web", "dev"), "");  // never indexed

  // Reopening keeps everything and finds the schema current.
  store_ = open();
  ASSERT_TRUE(store_);
  EXPECT_EQ(changes("left-pad").size(), 3u);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM schema_migrations"), sd::schema_version());
}

TEST_P(StoreTest, SecondRunContinuesSeqAndReplacesTips) {
  save(first_run());
  save(second_run());

  EXPECT_EQ(show(changes("left-pad")),
            "acme/web main #1 package-lock.json left-pad@1.0.0 + 001\n"
            "acme/web main #2 package-lock.json left-pad@1.0.0 - 002\n"
            "acme/web main #2 package-lock.json left-pad@1.1.0 + 002\n"
            "acme/web main #3 package-lock.json left-pad@1.1.0 - 004\n"
            "acme/web main #3 package-lock.json left-pad@2.0.0 + 004\n");
  EXPECT_EQ(show(changes("react")),
            "acme/web main #1 package-lock.json react@18.0.0 + 001\n"
            "acme/web main #3 package-lock.json react@18.0.0 - 004\n");
  EXPECT_TRUE(tips("react").empty());
  EXPECT_EQ(show(tips("left-pad")), "acme/web main package-lock.json left-pad@2.0.0\n");
  EXPECT_EQ(last_tip("acme", "web", "main"), sha(5));
}

TEST_P(StoreTest, SavingTheSameCommitsAgainChangesNothing) {
  save(first_run());
  const std::string before = show(changes("left-pad"));
  const char* tables[] = {"changes", "commits", "ref_commits", "tip_packages", "refs"};
  std::vector<int64_t> counts;
  for (const char* t : tables) counts.push_back(scalar(std::string("SELECT COUNT(*) FROM ") + t));

  save(first_run());
  EXPECT_EQ(show(changes("left-pad")), before);
  for (size_t i = 0; i < std::size(tables); ++i)
    EXPECT_EQ(scalar(std::string("SELECT COUNT(*) FROM ") + tables[i]), counts[i]) << tables[i];
  EXPECT_EQ(scalar("SELECT next_seq FROM refs"), 3);

  // A run overlapping the last one: commit 2 keeps seq 2, commit 4 takes 3.
  RefIndex overlap = second_run();
  overlap.commits.insert(overlap.commits.begin(), first_run().commits[1]);
  save(overlap);
  EXPECT_EQ(show(changes("left-pad")),
            "acme/web main #1 package-lock.json left-pad@1.0.0 + 001\n"
            "acme/web main #2 package-lock.json left-pad@1.0.0 - 002\n"
            "acme/web main #2 package-lock.json left-pad@1.1.0 + 002\n"
            "acme/web main #3 package-lock.json left-pad@1.1.0 - 004\n"
            "acme/web main #3 package-lock.json left-pad@2.0.0 + 004\n");

  // A commit without package changes is remembered too, and spends one seq once.
  RefIndex quiet = second_run();
  quiet.commits = {commit(6, {})};
  save(quiet);
  save(quiet);
  EXPECT_EQ(scalar("SELECT next_seq FROM refs"), 5);
}

TEST_P(StoreTest, FiltersByOrgAndRepo) {
  save(first_run("acme", "web"));
  save(first_run("acme", "api"));
  save(first_run("other", "web"));

  auto repos = [](const auto& rows) {
    std::string out;
    for (const auto& r : rows) out += r.org + "/" + r.repo + " ";
    return out;
  };
  EXPECT_EQ(repos(changes("react")), "acme/api acme/web other/web ");
  EXPECT_EQ(repos(changes("react", "acme")), "acme/api acme/web ");
  EXPECT_EQ(repos(changes("react", "", "web")), "acme/web other/web ");
  EXPECT_EQ(repos(changes("react", "other", "web")), "other/web ");
  EXPECT_EQ(repos(changes("react", "nobody")), "");
  EXPECT_EQ(repos(tips("react", "acme")), "acme/api acme/web ");
  EXPECT_EQ(repos(tips("react", "", "api")), "acme/api ");

  std::vector<Store::Indexed> refs;
  ASSERT_FALSE(store_->indexed(&refs));
  EXPECT_EQ(repos(refs), "acme/api acme/web other/web ");
}

TEST_P(StoreTest, UpgradesAVersionOneDatabaseKeepingItsRows) {
  save(first_run());
  // Back to what version 1 left: no package_names, the old changes index.
  exec("DROP TABLE package_names");
  exec("DROP INDEX changes_search");
  exec("CREATE INDEX changes_package ON changes (package, org, repo)");
  exec("DROP TABLE net_events");
  exec("DROP TABLE runs");
  drop_version_four();
  exec("DELETE FROM schema_migrations WHERE version >= 2");
  store_ = open();
  ASSERT_TRUE(store_);
  EXPECT_EQ(scalar("SELECT MAX(version) FROM schema_migrations"), sd::schema_version());
  std::vector<std::string> names;
  ASSERT_FALSE(store_->packages(&names));
  EXPECT_THAT(names, ::testing::Contains("left-pad"));  // filled from the rows already there
  EXPECT_EQ(changes("left-pad").size(), 3u);
}

TEST_P(StoreTest, PackageNamesAreEveryChangedAndTipName) {
  RefIndex x = first_run();
  x.tip_packages.push_back({"package-lock.json", "only-at-tip", "1.0.0"});
  save(x);
  save(x);  // names are not repeated
  std::vector<std::string> names;
  ASSERT_FALSE(store_->packages(&names));
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
  EXPECT_THAT(names, ::testing::IsSupersetOf({"left-pad", "only-at-tip"}));
}

TEST_P(StoreTest, RecordsRunsAndTheirEvents) {
  RunRecord run{"r1", "acme", "web", "build", "audit", {"npm", "ci"}, 1000, 2000, 0};
  egress::Event dns;
  dns.time_ns = 1100;
  dns.pid = 42;
  dns.ppid = 41;
  dns.exe = "/usr/bin/node";
  dns.argv = {"node", "install.js", "bad\xff"};
  dns.kind = egress::EventKind::kDns;
  dns.protocol = "udp";
  dns.address = "127.0.0.53";
  dns.port = 53;
  dns.domain = "registry.npmjs.org";
  dns.query_type = "A";
  egress::Event conn = dns;
  conn.time_ns = 1200;
  conn.kind = egress::EventKind::kConnect;
  conn.protocol = "tcp";
  conn.address = "2606:4700::6810:1";
  conn.port = 443;
  conn.query_type = "";
  conn.action = egress::Action::kBlocked;
  auto e = store_->save_run(run, {dns, conn});
  ASSERT_FALSE(e) << e->str();
  RunRecord other{"r2", "acme", "api", "test", "block", {"make"}, 3000, 4000, 2};
  ASSERT_FALSE(store_->save_run(other, {conn}));
  // A run id is recorded once.
  auto again = store_->save_run(run, {});
  ASSERT_TRUE(again);
  EXPECT_NE(again->str().find("already recorded"), std::string::npos) << again->str();

  std::vector<EventRow> rows;
  ASSERT_FALSE(store_->net_events({}, &rows));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].run_id, "r1");
  EXPECT_EQ(rows[0].event.kind, egress::EventKind::kDns);
  EXPECT_EQ(rows[0].event.domain, "registry.npmjs.org");
  EXPECT_EQ(rows[0].event.argv, (std::vector<std::string>{"node", "install.js", "bad\xEF\xBF\xBD"}));
  EXPECT_EQ(rows[1].event.address, "2606:4700::6810:1");
  EXPECT_EQ(rows[1].event.port, 443);
  EXPECT_EQ(rows[1].event.action, egress::Action::kBlocked);
  EXPECT_EQ(rows[2].run_id, "r2");
  ASSERT_FALSE(store_->net_events(EventFilter{"", "", "api", ""}, &rows));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].job, "test");
  ASSERT_FALSE(store_->net_events(EventFilter{"r1", "", "", ""}, &rows));
  EXPECT_EQ(rows.size(), 2u);
  std::vector<RunRecord> runs;
  ASSERT_FALSE(store_->runs(EventFilter{"", "acme", "", ""}, &runs));
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].argv, (std::vector<std::string>{"npm", "ci"}));
  EXPECT_EQ(runs[1].exit_status, 2);
  EXPECT_EQ(runs[1].policy, "block");
  ASSERT_FALSE(store_->runs(EventFilter{"nope", "", "", ""}, &runs));
  EXPECT_TRUE(runs.empty());
}

HostReport host_report(const std::string& id, const std::string& host, int64_t ns) {
  return HostReport{id, host, ns, "0.1.0", "/tmp/" + id + ".json", 2, "{\"tool\":{}}"};
}

HostFinding lockfile_finding(const std::string& rule, const std::string& package) {
  return HostFinding{"lockfile", rule, package, "1.0.0", "app/package-lock.json", 12, "critical",
                     "{\"package\":\"" + package + "\"}"};
}

TEST_P(StoreTest, HostQueriesReadEachHostsLatestReportOnly) {
  save_report(host_report("a1", "laptop-1", 100),
              {lockfile_finding("R-1", "axios"), lockfile_finding("R-2", "chalk"),
               HostFinding{"host", "R-1", "", "", "/tmp/.node-cache", 0, "", "{}"}});
  save_report(host_report("b1", "ci-runner", 200), {lockfile_finding("R-2", "debug")});
  EXPECT_EQ(latest(),
            "ci-runner b1 lockfile R-2 debug@1.0.0 app/package-lock.json:12 critical\n"
            "laptop-1 a1 lockfile R-1 axios@1.0.0 app/package-lock.json:12 critical\n"
            "laptop-1 a1 lockfile R-2 chalk@1.0.0 app/package-lock.json:12 critical\n"
            "laptop-1 a1 host R-1 @ /tmp/.node-cache:0 \n");
  EXPECT_EQ(latest(HostFilter{"", {"R-1"}}),
            "laptop-1 a1 lockfile R-1 axios@1.0.0 app/package-lock.json:12 critical\n"
            "laptop-1 a1 host R-1 @ /tmp/.node-cache:0 \n");
  EXPECT_EQ(latest(HostFilter{"ci-runner", {}}), "ci-runner b1 lockfile R-2 debug@1.0.0 app/package-lock.json:12 critical\n");
  EXPECT_EQ(latest(HostFilter{"nobody", {}}), "");

  // laptop-1 after remediation: its clean re-scan is its picture now (an
  // earlier ingested_ns does not matter: the order of ingestion does).
  save_report(host_report("a2", "laptop-1", 50), {});
  EXPECT_EQ(latest(), "ci-runner b1 lockfile R-2 debug@1.0.0 app/package-lock.json:12 critical\n");
  std::vector<HostReportRow> reports;
  ASSERT_FALSE(store_->host_reports({}, &reports));
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].host, "ci-runner");
  EXPECT_EQ(reports[0].findings, 1);
  EXPECT_EQ(reports[1].host, "laptop-1");
  EXPECT_EQ(reports[1].report_id, "a2");
  EXPECT_EQ(reports[1].findings, 0);
  EXPECT_EQ(reports[1].ingested_ns, 50);
  EXPECT_EQ(reports[1].tool_version, "0.1.0");
  EXPECT_EQ(reports[1].source_file, "/tmp/a2.json");
  EXPECT_EQ(reports[1].exit_code, 2);
  ASSERT_FALSE(store_->host_reports(HostFilter{"ci-runner", {}}, &reports));
  ASSERT_EQ(reports.size(), 1u);
  // Older reports stay stored, with their findings, for the record.
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM host_reports"), 3);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM host_findings"), 4);
}

TEST_P(StoreTest, AHostReportIsSavedWhollyOrNotAtAll) {
  save_report(host_report("a1", "laptop-1", 100), {lockfile_finding("R-1", "axios")});
  // A report id stored before is refused, and the host keeps its picture.
  auto e = store_->save_host_report(host_report("a1", "laptop-1", 200), {});
  ASSERT_TRUE(e);
  EXPECT_THAT(e->str(), ::testing::HasSubstr("report id 'a1' is already stored"));
  EXPECT_THAT(latest(), ::testing::HasSubstr("laptop-1 a1 lockfile R-1 axios"));
  // Hostile text is bound, and bad UTF-8 repaired as everywhere else.
  HostFinding odd = lockfile_finding("R'); DROP TABLE hosts; --", "?");
  odd.path = "caf\xE9 \"x\"";
  save_report(host_report("b1", "h\xC3\xB4te ' OR 1=1", 300), {odd});
  std::vector<HostFindingRow> rows;
  ASSERT_FALSE(store_->host_findings(HostFilter{"h\xC3\xB4te ' OR 1=1", {}}, &rows));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].finding.rule_id, "R'); DROP TABLE hosts; --");
  EXPECT_EQ(rows[0].finding.path, "caf\xEF\xBF\xBD \"x\"");
  EXPECT_EQ(rows[0].finding.finding_json, "{\"package\":\"?\"}");
}

TEST_P(StoreTest, UpgradesAVersionThreeDatabaseKeepingItsRows) {
  save(first_run());
  ASSERT_FALSE(store_->save_run(RunRecord{"r1", "acme", "web", "build", "audit", {"npm"}, 1, 2, 0}, {}));
  drop_version_four();
  exec("DELETE FROM schema_migrations WHERE version >= 4");
  store_ = open();
  ASSERT_TRUE(store_);
  EXPECT_EQ(scalar("SELECT MAX(version) FROM schema_migrations"), sd::schema_version());
  EXPECT_EQ(changes("left-pad").size(), 3u);
  std::vector<RunRecord> runs;
  ASSERT_FALSE(store_->runs({}, &runs));
  EXPECT_EQ(runs.size(), 1u);
  save_report(host_report("a1", "laptop-1", 100), {lockfile_finding("R-1", "axios")});
  EXPECT_THAT(latest(), ::testing::HasSubstr("laptop-1 a1 lockfile R-1 axios"));
}

// The outbox (schema 5): the first row for a delivery id wins, a delivered
// row is never turned back, and watch's memory ignores pairs it has.
TEST_P(StoreTest, OutboxKeepsTheFirstRowAndNeverUndoesADelivery) {
  DeliveryRow row{"dlv-1", "inc-1", "http://127.0.0.1:1/h", "incident", "{\"x\":1}", "[]", "inc-1.json",
                  "SECRET_VAR", "", "pending", 0, "", 10, 10};
  DeliveryRow stored;
  ASSERT_FALSE(store_->add_delivery(row, &stored));
  EXPECT_EQ(stored.state, "pending");
  row.attempts = 1;
  row.state = "delivered";
  row.updated_ns = 20;
  ASSERT_FALSE(store_->update_delivery(row));
  DeliveryRow again = row;
  again.state = "pending";
  again.body = "{\"x\":2}";
  ASSERT_FALSE(store_->add_delivery(again, &stored));
  EXPECT_EQ(stored.state, "delivered");  // the stored row, not the new one
  EXPECT_EQ(stored.body, "{\"x\":1}");
  EXPECT_EQ(stored.attempts, 1);
  EXPECT_EQ(stored.secret_env, "SECRET_VAR");
  again.attempts = 2;
  again.state = "pending";
  again.last_error = "HTTP 500";
  ASSERT_FALSE(store_->update_delivery(again));  // a late attempt's failure
  std::vector<DeliveryRow> rows;
  ASSERT_FALSE(store_->deliveries("pending", &rows));
  EXPECT_TRUE(rows.empty());
  ASSERT_FALSE(store_->deliveries("", &rows));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, "delivered");

  DeliveryRow other = row;
  other.delivery_id = "dlv-2";
  other.state = "pending";
  other.created_ns = 5;
  ASSERT_FALSE(store_->add_delivery(other, &stored));
  ASSERT_FALSE(store_->deliveries("pending", &rows));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].delivery_id, "dlv-2");

  ASSERT_FALSE(store_->add_alerted({{"R-1", "run:a:x", "inc-1", 1}, {"R-1", "run:b:x", "inc-1", 1}}));
  ASSERT_FALSE(store_->add_alerted({{"R-1", "run:a:x", "inc-2", 2}, {"R-2", "run:a:x", "inc-2", 2}}));
  std::vector<AlertedItem> seen;
  ASSERT_FALSE(store_->alerted(&seen));
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].incident_id, "inc-1");  // the first alert on it, kept
  EXPECT_EQ(seen[2].rule_id, "R-2");
}

TEST_P(StoreTest, RefusesASchemaNewerThanItKnows) {
  exec("INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)");
  store_.reset();
  Error e;
  EXPECT_FALSE(Store::open(where_, &e));
  EXPECT_NE(e.str().find(where_), std::string::npos) << e.str();
  EXPECT_NE(e.str().find("schema version 99"), std::string::npos) << e.str();
}

TEST_P(StoreTest, TextIsBoundNeverSpliced) {
  RefIndex x;
  x.org = "O'Brien & \"Sons\"";
  x.repo = "web'); DROP TABLE changes; --";
  x.path = "/tmp/caf\xC3\xA9 ? $1 %";
  x.ref = "feature/\xE2\x9C\x93-?-'quoted'";
  x.tip = sha(7);
  CommitChanges c = commit(7, {add("@scope/\xE5\x90\x8D\xE5\x89\x8D", "1.0.0-\xCE\xB2.1 || ' OR 1=1 --"),
                               add("%", "_"), add("?", "$1")});
  c.commit.author = "Zo\xC3\xAB \"Z\" O'Hara; \\ \xF0\x9F\x98\x80";
  c.commit.subject = "Robert'); DROP TABLE commits;-- ? ?";
  x.commits.push_back(c);
  x.tip_packages = {{"a b/package-lock.json", "%", "_"}};
  save(x);

  const std::vector<ChangeRow> rows = changes("@scope/\xE5\x90\x8D\xE5\x89\x8D", x.org, x.repo);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].org, x.org);
  EXPECT_EQ(rows[0].repo, x.repo);
  EXPECT_EQ(rows[0].ref, x.ref);
  EXPECT_EQ(rows[0].change.version, "1.0.0-\xCE\xB2.1 || ' OR 1=1 --");
  EXPECT_EQ(rows[0].commit.author, c.commit.author);
  EXPECT_EQ(rows[0].commit.subject, c.commit.subject);
  EXPECT_EQ(changes("%").size(), 1u);   // an exact name, not a LIKE pattern
  EXPECT_EQ(changes("?").size(), 1u);
  EXPECT_TRUE(changes("_").empty());
  EXPECT_EQ(show(tips("%")), x.org + "/" + x.repo + " " + x.ref + " a b/package-lock.json %@_\n");
  EXPECT_EQ(last_tip(x.org, x.repo, x.ref), sha(7));
  std::vector<Store::Indexed> refs;
  ASSERT_FALSE(store_->indexed(&refs));
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].path, x.path);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM commits"), 1);
}

// A save that fails halfway (here: a table gone behind the store's back,
// after its statements were prepared) leaves nothing of itself behind, and
// the store keeps answering.
TEST_P(StoreTest, AFailedSaveRollsBackEverything) {
  save(first_run());
  exec("DROP TABLE tip_packages");
  const std::optional<Error> e = store_->save(second_run());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->file, where_);
  EXPECT_NE(e->what.find("saving acme/web main"), std::string::npos) << e->str();
  EXPECT_NE(e->what.find("tip_packages"), std::string::npos) << e->str();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM commits"), 2);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM changes"), 4);
  EXPECT_EQ(last_tip("acme", "web", "main"), sha(3));
  EXPECT_EQ(changes("left-pad").size(), 3u);
}

// PostgreSQL refuses invalid UTF-8, and old repositories have Latin-1 author
// names: both backends store U+FFFD instead of failing the save.
TEST_P(StoreTest, RepairsInvalidUtf8) {
  RefIndex x = first_run();
  x.commits[0].commit.author = "Jos\xE9 \xC3\xA9";
  save(x);
  const std::vector<ChangeRow> rows = changes("react");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].commit.author, "Jos\xEF\xBF\xBD \xC3\xA9");
}

TEST_P(StoreTest, OrdersBytewiseOnBothBackends) {
  for (const char* org : {"b", "B", "a", "\xC3\xA9", "A"}) save(first_run(org, "web"));
  std::string orgs;
  for (const TipRow& r : tips("react")) orgs += r.org + " ";
  EXPECT_EQ(orgs, "A B a b \xC3\xA9 ");
}

TEST_P(StoreTest, SavesTwoThousandCommitsInOneTransaction) {
  RefIndex x = first_run();
  x.commits.clear();
  for (int i = 1; i <= 2000; ++i) {
    std::vector<PackageChange> ch;
    for (int k = 0; k < 20; ++k) ch.push_back(add("pkg-" + std::to_string(k), "1.0." + std::to_string(i)));
    x.commits.push_back(commit(i, std::move(ch)));
  }
  save(x);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM changes"), 40'000);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM commits"), 2'000);
  const std::vector<ChangeRow> rows = changes("pkg-7");
  ASSERT_EQ(rows.size(), 2'000u);
  EXPECT_EQ(rows.front().seq, 1);
  EXPECT_EQ(rows.back().seq, 2'000);
  EXPECT_EQ(rows.back().change.version, "1.0.2000");
}

// Two runners indexing the same ref at once and a third another ref sharing
// its commits (and, on a fresh database, all three migrating at once): all
// succeed and each ref's rows are there once.
TEST_P(StoreTest, ConcurrentSavesAllSucceed) {
  if (GetParam() == Backend::kPostgres) {
    std::string problem;
    where_ = PgServer::get().fresh_database(&problem);
    ASSERT_FALSE(where_.empty()) << problem;
  } else {
    where_ = dir_.str() + "/concurrent.db";
  }
  RefIndex main = first_run();
  for (int i = 10; i < 200; ++i) main.commits.push_back(commit(i, {add("p" + std::to_string(i % 7), "1.0.0")}));
  RefIndex dev = main;
  dev.ref = "dev";
  std::reverse(dev.commits.begin(), dev.commits.end());  // another walk order of the same commits
  const RefIndex* runs[] = {&main, &main, &dev};
  std::string errors[3];
  std::vector<std::thread> runners;
  for (int t = 0; t < 3; ++t) {
    runners.emplace_back([&, t] {
      Error e;
      std::unique_ptr<Store> s = Store::open(where_, &e);
      if (!s) {
        errors[t] = "open: " + e.str();
        return;
      }
      if (auto err = s->save(*runs[t])) errors[t] = "save: " + err->str();
    });
  }
  for (std::thread& r : runners) r.join();
  for (const std::string& e : errors) EXPECT_EQ(e, "");
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM ref_commits"), 2 * 192);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM commits"), 192);
  EXPECT_EQ(scalar("SELECT next_seq FROM refs WHERE ref = 'main'"), 193);
  EXPECT_EQ(scalar("SELECT next_seq FROM refs WHERE ref = 'dev'"), 193);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM schema_migrations"), sd::schema_version());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& p) {
                           return p.param == Backend::kSqlite ? "Sqlite" : "Postgres";
                         });

// ---- backend-specific errors -------------------------------------------------

TEST(SqliteStore, NamesAFileThatIsNotADatabase) {
  gv::testing::TempDir dir;
  const std::string path = dir.write("notes.db", std::string(4096, 'x') + "not a database");
  Error e;
  EXPECT_FALSE(Store::open(path, &e));
  EXPECT_EQ(e.file, path);
  EXPECT_NE(e.str().find("not a database"), std::string::npos) << e.str();
}

TEST(SqliteStore, RefusesADirectoryAndAMissingFolder) {
  gv::testing::TempDir dir;
  Error e;
  EXPECT_FALSE(Store::open(dir.str(), &e));
  EXPECT_EQ(e.file, dir.str());
  EXPECT_NE(e.what.find("directory"), std::string::npos) << e.str();

  const std::string missing = dir.str() + "/no/such/folder/index.db";
  EXPECT_FALSE(Store::open(missing, &e));
  EXPECT_EQ(e.file, missing);
  EXPECT_NE(e.what.find("unable to open"), std::string::npos) << e.str();

  EXPECT_FALSE(Store::open("", &e));
  EXPECT_NE(e.what.find("no history store"), std::string::npos) << e.str();
}

TEST(PostgresStore, NeverShowsThePassword) {
  const std::string port = std::to_string(free_port());  // nothing listens there
  for (const std::string& url :
       {"postgresql://gv:Hunter2%40secret@127.0.0.1:" + port + "/db",
        "postgres://gv@127.0.0.1:" + port + "/db?sslmode=disable&password=Hunter2-query"}) {
    Error e;
    EXPECT_FALSE(Store::open(url, &e));
    const std::string text = e.str();
    EXPECT_EQ(text.find("Hunter2"), std::string::npos) << text;
    EXPECT_NE(text.find("127.0.0.1:" + port), std::string::npos) << text;
    EXPECT_NE(text.find("***"), std::string::npos) << text;
    EXPECT_NE(text.find("cannot connect"), std::string::npos) << text;
  }
  // libpq quotes the whole URL back when it cannot parse it.
  Error e;
  EXPECT_FALSE(Store::open("postgres://gv:Hunter2pw@[::1/db", &e));
  EXPECT_EQ(e.str().find("Hunter2"), std::string::npos) << e.str();
  EXPECT_NE(e.str().find("postgres://gv:***@[::1/db"), std::string::npos) << e.str();
}

TEST(PostgresStore, RedactsEveryPasswordForm) {
  EXPECT_EQ(sd::redact_url("postgres://u:p%40ss@h:5432/db"), "postgres://u:***@h:5432/db");
  EXPECT_EQ(sd::redact_url("postgres://u@h/db"), "postgres://u@h/db");
  EXPECT_EQ(sd::redact_url("postgres://h/db?password=x&user=u"), "postgres://h/db?password=***&user=u");
  EXPECT_EQ(sd::redact_url("postgresql://u:a?b@h/db?user=u&password=y"),
            "postgresql://u:***@h/db?user=u&password=***");
  EXPECT_EQ(sd::scrub("bad token \"p%40ss\" near p%40ss", {"p%40ss", ""}), "bad token \"***\" near ***");
}

TEST(PostgresStore, NumbersPlaceholdersOutsideQuotes) {
  EXPECT_EQ(sd::dollar_params("SELECT ? , '?', \"a?\" WHERE x = ? AND y = ?"),
            "SELECT $1 , '?', \"a?\" WHERE x = $2 AND y = $3");
}

}  // namespace
}  // namespace gv::inventory
