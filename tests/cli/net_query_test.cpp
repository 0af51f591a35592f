// `gouvernante net baseline|anomalies|search|import`, in process through
// run_cli. Scenarios are built with `net import` of hand-written JSON Lines
// (quick, and any event can be written), and once with real runs of
// `gouvernante run`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_run.h"
#include "common/temp_dir.h"
#include "inventory/store.h"

namespace gv {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::CmdResult;
using testing::json_of;
using testing::run;
using testing::TempDir;

// One event line in the `net events --json` shape. `dest` is a name for a
// DNS question, or "address:port" for a connect.
std::string ev(const std::string& run_id, const std::string& job, int second, const std::string& dest,
               const std::string& repo = "web", const std::string& org = "acme") {
  nlohmann::ordered_json j{{"run_id", run_id},
                           {"org", org},
                           {"repo", repo},
                           {"job", job},
                           {"time", "2026-04-01T12:00:" + std::string(second < 10 ? "0" : "") +
                                        std::to_string(second) + ".000001Z"},
                           {"pid", 100 + second},
                           {"ppid", 1},
                           {"exe", "/usr/bin/node"},
                           {"argv", {"node", "step-" + std::to_string(second) + ".js"}}};
  const size_t colon = dest.rfind(':');
  const bool is_name = dest.find_first_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos &&
                       dest.front() != '[';
  if (is_name) {
    j.update({{"kind", "dns"}, {"protocol", "udp"}, {"address", "127.0.0.53"}, {"port", 53}, {"domain", dest},
              {"query_type", "A"}});
  } else {
    std::string addr = dest.substr(0, colon);
    if (addr.front() == '[') addr = addr.substr(1, addr.size() - 2);
    j.update({{"kind", "connect"}, {"protocol", "tcp"}, {"address", addr}, {"port", std::stoi(dest.substr(colon + 1))},
              {"domain", nullptr}, {"query_type", nullptr}});
  }
  j["action"] = "allowed";
  return j.dump() + "\n";
}

// Imports `lines` into `db`; a test failure when that fails.
void import(const TempDir& t, const std::string& db, const std::string& name, const std::string& lines) {
  CmdResult r = run({"net", "import", t.write(name, lines), "--db", db});
  ASSERT_EQ(r.code, 0) << r.err;
}

// Three builds of acme/web reach the registry and GitHub; the fourth also
// asks for x.evil.example. A lint job and another repo run alongside.
std::string four_builds() {
  std::string s;
  for (int i = 1; i <= 3; ++i) {
    const std::string id = "b" + std::to_string(i);
    s += ev(id, "build", i * 10, "registry.npmjs.org") + ev(id, "build", i * 10 + 1, "140.82.112.3:443");
    s += ev("l" + std::to_string(i), "lint", i * 10 + 2, "lint.example");
  }
  s += ev("b4", "build", 40, "Registry.NPMJS.org.") + ev("b4", "build", 41, "140.82.112.3:443") +
       ev("b4", "build", 42, "x.evil.example") + ev("b4", "build", 43, "x.evil.example");
  s += ev("o1", "build", 44, "other.example", "api");
  return s;
}

TEST(NetBaseline, ListsTheDestinationsOfTheJobsLastRuns) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  import(t, db, "runs.jsonl", four_builds());
  CmdResult r = run({"net", "baseline", "--db", db, "--repo", "web", "--job", "build", "--runs", "3", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json b = json_of(r)["baseline"];
  EXPECT_EQ(b["repo"], "web");
  EXPECT_EQ(b["job"], "build");
  EXPECT_EQ(b["runs"], nlohmann::json({"b2", "b3", "b4"}));
  ASSERT_EQ(b["destinations"].size(), 3u) << r.out;
  EXPECT_EQ(b["destinations"][0]["destination"], "140.82.112.3:443");
  EXPECT_EQ(b["destinations"][0]["kinds"], nlohmann::json({"connect"}));
  EXPECT_EQ(b["destinations"][0]["runs"], 3);
  EXPECT_EQ(b["destinations"][1]["destination"], "registry.npmjs.org");
  EXPECT_EQ(b["destinations"][1]["first_seen"], "2026-04-01T12:00:20.000001Z");
  EXPECT_EQ(b["destinations"][1]["last_seen"], "2026-04-01T12:00:40.000001Z");
  EXPECT_EQ(b["destinations"][2]["destination"], "x.evil.example");
  EXPECT_EQ(b["destinations"][2]["runs"], 1);
  CmdResult text = run({"net", "baseline", "--db", db, "--repo", "web", "--job", "build"});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("Baseline of acme/web job build, 4 runs: b1, b2, b3, b4"));
  EXPECT_THAT(text.out, HasSubstr("3 destinations in 4 runs"));
  EXPECT_THAT(text.out, Not(HasSubstr("lint.example")));
}

TEST(NetBaseline, RefusesAJobWithNoRecordedRun) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  import(t, db, "runs.jsonl", four_builds());
  CmdResult r = run({"net", "baseline", "--db", db, "--repo", "web", "--job", "biuld"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("no recorded run of --repo web --job biuld in "));
  EXPECT_EQ(r.out, "");
  CmdResult missing = run({"net", "baseline", "--db", db, "--repo", "web"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("--job is required"));
  CmdResult zero = run({"net", "baseline", "--db", db, "--repo", "web", "--job", "build", "--runs", "0"});
  EXPECT_EQ(zero.code, 1);
  EXPECT_THAT(zero.err, HasSubstr("--runs"));
  // The same repository and job names in two organisations are two jobs.
  import(t, db, "beta.jsonl", ev("z1", "build", 50, "beta.example", "web", "beta"));
  CmdResult both = run({"net", "baseline", "--db", db, "--repo", "web", "--job", "build"});
  EXPECT_EQ(both.code, 1);
  EXPECT_THAT(both.err, HasSubstr("has runs in 2 organisations ('acme', 'beta'); name one with --org"));
  EXPECT_EQ(run({"net", "baseline", "--db", db, "--org", "beta", "--repo", "web", "--job", "build"}).code, 0);
}

TEST(NetAnomalies, FindExactlyTheNewDestinationOfTheLatestRun) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  import(t, db, "runs.jsonl", four_builds());
  CmdResult r = run({"net", "anomalies", "--db", db, "--org", "acme", "--repo", "web", "--job", "build", "--json"});
  ASSERT_EQ(r.code, 2) << r.err;
  nlohmann::json j = json_of(r);
  ASSERT_EQ(j["anomalies"].size(), 1u) << r.out;
  const nlohmann::json& a = j["anomalies"][0];
  EXPECT_EQ(a["run_id"], "b4");
  EXPECT_EQ(a["destination"], "x.evil.example");
  EXPECT_EQ(a["kind"], "dns");
  EXPECT_EQ(a["domain"], "x.evil.example");
  EXPECT_EQ(a["exe"], "/usr/bin/node");
  EXPECT_EQ(a["argv"], nlohmann::json({"node", "step-42.js"}));  // the first event that reached it
  EXPECT_EQ(a["time"], "2026-04-01T12:00:42.000001Z");
  EXPECT_EQ(a["action"], "allowed");
  EXPECT_EQ(a["port"], 53);
  EXPECT_EQ(j["baseline_runs"], nlohmann::json({"b1", "b2", "b3"}));
  EXPECT_FALSE(j.contains("note"));
  CmdResult text = run({"net", "anomalies", "--db", db, "--repo", "web", "--job", "build"});
  EXPECT_EQ(text.code, 2);
  EXPECT_THAT(text.out, HasSubstr("NEW x.evil.example  dns allowed udp 127.0.0.53:53"));
  EXPECT_THAT(text.out, HasSubstr("pid 142 /usr/bin/node (node step-42.js)"));
  EXPECT_THAT(text.out, HasSubstr("1 new destination in run b4 compared with 3 earlier runs (b1, b2, b3)"));
  // An earlier run against its own predecessors: nothing new.
  CmdResult b3 = run({"net", "anomalies", "--db", db, "--repo", "web", "--job", "build", "--run-id", "b3"});
  EXPECT_EQ(b3.code, 0) << b3.out << b3.err;
  EXPECT_THAT(b3.out, HasSubstr("0 new destinations in run b3 compared with 2 earlier runs (b1, b2)"));
  // --runs 1 compares with b3 alone.
  CmdResult one = run({"net", "anomalies", "--db", db, "--repo", "web", "--job", "build", "--runs", "1", "--json"});
  EXPECT_EQ(json_of(one)["baseline_runs"], nlohmann::json({"b3"}));
}

TEST(NetAnomalies, TheFirstRunIsAllNewAndSaysSo) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  import(t, db, "runs.jsonl", four_builds());
  CmdResult r = run({"net", "anomalies", "--db", db, "--repo", "web", "--job", "build", "--run-id", "b1", "--json"});
  EXPECT_EQ(r.code, 2) << r.err;
  nlohmann::json j = json_of(r);
  EXPECT_EQ(j["anomalies"].size(), 2u);
  EXPECT_EQ(j["note"], "no earlier run to compare with");
  EXPECT_THAT(r.err, HasSubstr("no earlier run to compare with: run b1 is the first recorded run"));
  CmdResult text = run({"net", "anomalies", "--db", db, "--repo", "web", "--job", "build", "--run-id", "b1"});
  EXPECT_THAT(text.out, HasSubstr("2 new destinations in run b1; no earlier run to compare with"));
}

TEST(NetAnomalies, ARunOfAnotherJobIsAnError) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  import(t, db, "runs.jsonl", four_builds());
  CmdResult lint = run({"net", "anomalies", "--db", db, "--repo", "web", "--job", "build", "--run-id", "l1"});
  EXPECT_EQ(lint.code, 1);
  EXPECT_THAT(lint.err, HasSubstr("run 'l1' is not a run of --repo web --job build: it is a run of --org 'acme' "
                                  "--repo 'web' --job 'lint'"));
  CmdResult none = run({"net", "anomalies", "--db", db, "--repo", "web", "--job", "build", "--run-id", "b9"});
  EXPECT_EQ(none.code, 1);
  EXPECT_THAT(none.err, HasSubstr("no run of that id is recorded"));
  CmdResult nodb = run({"net", "anomalies", "--db", t.str() + "/none.db", "--repo", "web", "--job", "build"});
  EXPECT_EQ(nodb.code, 1);
  EXPECT_THAT(nodb.err, HasSubstr("no inventory at"));
}

TEST(NetSearch, ADomainMatchesItsSubdomainsWhateverTheCase) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  import(t, db, "runs.jsonl", four_builds());
  CmdResult r = run({"net", "search", "EVIL.example.", "--db", db, "--json"});
  ASSERT_EQ(r.code, 2) << r.err;
  nlohmann::json j = json_of(r);
  ASSERT_EQ(j["matches"].size(), 1u) << r.out;  // two questions, one match
  const nlohmann::json& m = j["matches"][0];
  EXPECT_EQ(m["run_id"], "b4");
  EXPECT_EQ(m["org"], "acme");
  EXPECT_EQ(m["repo"], "web");
  EXPECT_EQ(m["job"], "build");
  EXPECT_EQ(m["time"], "2026-04-01T12:00:42.000001Z");
  EXPECT_EQ(m["destination"], "x.evil.example");
  EXPECT_EQ(m["exe"], "/usr/bin/node");
  EXPECT_EQ(m["indicator"], "EVIL.example.");
  EXPECT_EQ(m["events"], 2);
  CmdResult npm = run({"net", "search", "npmjs.org", "--db", db, "--job", "build"});
  EXPECT_EQ(npm.code, 2);
  EXPECT_THAT(npm.out, HasSubstr("4 matches in 4 runs; searched 11 events of 5 runs"));
  CmdResult clean = run({"net", "search", "vil.example", "--db", db});
  EXPECT_EQ(clean.code, 0) << clean.out;
  EXPECT_THAT(clean.out, HasSubstr("0 matches in 0 runs"));
}

TEST(NetSearch, AnAddressWithAndWithoutPort) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  import(t, db, "runs.jsonl",
         four_builds() + ev("v6", "deploy", 50, "[2001:db8::7]:8443") + ev("v6", "deploy", 51, "140.82.112.3:22"));
  CmdResult port = run({"net", "search", "140.82.112.3:443", "--db", db, "--json"});
  ASSERT_EQ(port.code, 2) << port.err;
  nlohmann::json j = json_of(port);
  EXPECT_EQ(j["matches"].size(), 4u);  // b1..b4, not the port-22 connect
  EXPECT_EQ(j["matches"][0]["destination"], "140.82.112.3:443");
  EXPECT_EQ(json_of(run({"net", "search", "140.82.112.3", "--db", db, "--json"}))["matches"].size(), 5u);
  CmdResult v6 = run({"net", "search", "[2001:DB8:0::7]:8443", "--db", db, "--json"});
  ASSERT_EQ(v6.code, 2) << v6.err;
  EXPECT_EQ(json_of(v6)["matches"][0]["destination"], "[2001:db8::7]:8443");
  EXPECT_EQ(run({"net", "search", "[2001:db8::7]:443", "--db", db}).code, 0);
  // Scoped to a repository, a job elsewhere does not match.
  EXPECT_EQ(run({"net", "search", "2001:db8::7", "--db", db, "--repo", "api"}).code, 0);
}

TEST(NetSearch, UsesTheNetworkIndicatorsOfRules) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  import(t, db, "runs.jsonl",
         four_builds() + ev("c1", "deploy", 50, "142.11.206.73:8000") + ev("c1", "deploy", 51, "webhook.site"));
  const std::string rule = R"({"schema_version": "1.0.0", "rules": [{
    "id": "SSC-2026-901", "title": "Test campaign", "kind": "compromised-release", "ecosystem": "npm",
    "severity": "critical",
    "package_rules": [{"package_name": "example-utils", "affected_versions": ["=2.3.1"]}],
    "host_indicators": [
      {"type": "network", "value": "*.Evil.Example", "oses": ["linux"]},
      {"type": "network", "value": "http://142.11.206.73:8000/6202033", "oses": ["linux"]},
      {"type": "network", "value": "webhook.site/bb8ca5f6-4175-45d2-b042-fc9ebb8170b7", "oses": ["linux"]},
      {"type": "network", "value": "evil example", "oses": ["linux"]},
      {"type": "file", "path": "/tmp", "file_name": "x", "oses": ["linux"]}
    ]}]})";
  t.write("rules/campaign.json", rule);
  CmdResult r = run({"net", "search", "--rules", t.str() + "/rules", "--db", db, "--json"});
  ASSERT_EQ(r.code, 2) << r.err;
  nlohmann::json j = json_of(r);
  ASSERT_EQ(j["matches"].size(), 3u) << r.out;
  EXPECT_EQ(j["matches"][0]["indicator"], "SSC-2026-901: *.Evil.Example");
  EXPECT_EQ(j["matches"][0]["destination"], "x.evil.example");
  EXPECT_EQ(j["matches"][1]["indicator"], "SSC-2026-901: http://142.11.206.73:8000/6202033");
  EXPECT_EQ(j["matches"][1]["destination"], "142.11.206.73:8000");
  EXPECT_EQ(j["matches"][2]["destination"], "webhook.site");
  ASSERT_EQ(j["unchecked"].size(), 1u);
  EXPECT_EQ(j["unchecked"][0]["value"], "evil example");
  // What could not be read is said, never dropped.
  EXPECT_THAT(r.err, HasSubstr("not checked: rule SSC-2026-901 network indicator 'evil example'"));
  // Rules with nothing to search for are an error, not "no matches".
  t.write("plain/r.json", R"({"schema_version": "1.0.0", "rules": [{"id": "SSC-2026-902", "title": "t",
    "kind": "compromised-release", "ecosystem": "npm", "severity": "high",
    "package_rules": [{"package_name": "a", "affected_versions": ["=1.0.0"]}]}]})");
  CmdResult none = run({"net", "search", "--rules", t.str() + "/plain", "--db", db});
  EXPECT_EQ(none.code, 1);
  EXPECT_THAT(none.err, HasSubstr("no network host indicator"));
}

TEST(NetSearch, RefusesABadQueryAndAnEmptyInventory) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  CmdResult bad = run({"net", "search", "evil example", "--db", db});
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.err, HasSubstr("'evil example' is neither a domain nor an IP address"));
  CmdResult both = run({"net", "search", "evil.example", "--rules", t.str(), "--db", db});
  EXPECT_EQ(both.code, 1);
  EXPECT_THAT(both.err, HasSubstr("one of them"));
  CmdResult neither = run({"net", "search", "--db", db});
  EXPECT_EQ(neither.code, 1);
  CmdResult nodb = run({"net", "search", "evil.example", "--db", db});
  EXPECT_EQ(nodb.code, 1);
  EXPECT_THAT(nodb.err, HasSubstr("no inventory at"));
  // An inventory that exists (the history index made it) but holds no run.
  Error e;
  ASSERT_TRUE(inventory::Store::open(db, &e)) << e.str();
  CmdResult empty = run({"net", "search", "evil.example", "--db", db});
  EXPECT_EQ(empty.code, 1);
  EXPECT_THAT(empty.err, HasSubstr("no recorded run in " + db));
  import(t, db, "one.jsonl", ev("x", "j", 1, "a.example"));
  CmdResult scoped = run({"net", "search", "evil.example", "--db", db, "--repo", "nope"});
  EXPECT_EQ(scoped.code, 1);
  EXPECT_THAT(scoped.err, HasSubstr("no recorded run of --repo nope in"));
  EXPECT_EQ(run({"net", "search", "evil.example", "--db", db}).code, 0);
}

TEST(NetImport, RoundTripsWhatNetEventsPrinted) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  CmdResult r = run({"net", "import", t.write("runs.jsonl", four_builds()), "--db", db});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "imported 14 events of 8 runs from " + t.str() + "/runs.jsonl\n");
  CmdResult first = run({"net", "events", "--db", db, "--json"});
  ASSERT_EQ(first.code, 0) << first.err;
  const nlohmann::json printed = json_of(first)["events"];
  std::string lines;
  for (const nlohmann::json& e : printed) lines += e.dump() + "\n";
  const std::string copy = t.str() + "/copy.db";
  CmdResult again = run({"net", "import", t.write("dump.jsonl", lines), "--db", copy, "--json"});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(json_of(again)["imported"]["events"], 14);
  CmdResult second = run({"net", "events", "--db", copy, "--json"});
  EXPECT_EQ(second.out, first.out);
  // The original lines read back the same too, field for field.
  nlohmann::json original = nlohmann::json::array();
  std::istringstream in(four_builds());
  for (std::string l; std::getline(in, l);) original.push_back(nlohmann::json::parse(l));
  ASSERT_EQ(printed.size(), original.size());
  for (const nlohmann::json& e : original) {
    bool found = false;
    for (const nlohmann::json& p : printed) found = found || p == e;
    EXPECT_TRUE(found) << e.dump();
  }
}

TEST(NetImport, BadLinesNameFileAndLineAndNothingIsSaved) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  nlohmann::json bad_port = nlohmann::json::parse(ev("r2", "build", 2, "1.2.3.4:80"));
  bad_port["port"] = 70000;
  nlohmann::json no_kind = nlohmann::json::parse(ev("r2", "build", 3, "1.2.3.4:80"));
  no_kind.erase("kind");
  const std::string file = t.write("bad.jsonl", ev("r1", "build", 1, "a.example") + "\n" + bad_port.dump() +
                                                    "\n{\"run_id\":\n" + no_kind.dump() + "\n" +
                                                    ev("r1", "lint", 4, "b.example"));
  CmdResult r = run({"net", "import", file, "--db", db});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr(file + ":3: field 'port': 70000 is out of range (0 to 65535)"));
  EXPECT_THAT(r.err, HasSubstr(file + ":4:"));
  EXPECT_THAT(r.err, HasSubstr("bad JSON"));
  EXPECT_THAT(r.err, HasSubstr(file + ":5: field 'kind' is missing"));
  EXPECT_THAT(r.err, HasSubstr(file + ":6: run 'r1' is org 'acme' repo 'web' job 'build' on line 1, here org "
                               "'acme' repo 'web' job 'lint'"));
  EXPECT_THAT(r.err, HasSubstr("4 problems in " + file + "; nothing imported"));
  EXPECT_FALSE(std::filesystem::exists(db)) << "a bad file must not create an inventory";
  // A run id already recorded is refused, and the good run beside it is not saved either.
  import(t, db, "first.jsonl", ev("r1", "build", 1, "a.example"));
  const std::string dup = t.write("dup.jsonl", ev("r0", "build", 0, "z.example") + ev("r1", "build", 5, "c.example"));
  CmdResult d = run({"net", "import", dup, "--db", db});
  EXPECT_EQ(d.code, 1);
  EXPECT_THAT(d.err, HasSubstr(dup + ":2: run id 'r1' is already recorded in"));
  EXPECT_EQ(run({"net", "events", "--db", db, "--run-id", "r0"}).code, 1) << "r0 was saved";
  // Nothing at all to import.
  CmdResult blank = run({"net", "import", t.write("blank.jsonl", "\n  \n"), "--db", db});
  EXPECT_EQ(blank.code, 1);
  EXPECT_THAT(blank.err, HasSubstr("holds no events"));
  CmdResult gone = run({"net", "import", t.str() + "/none.jsonl", "--db", db});
  EXPECT_EQ(gone.code, 1);
  EXPECT_THAT(gone.err, HasSubstr("none.jsonl"));
}

TEST(NetQueries, HostileNamesAreEscapedOnTheTerminal) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  // Lower case: destinations are compared (and printed) lower-cased.
  const std::string hostile = "x\x1b]0;pwned\x07\x1b[2j.evil.example";
  nlohmann::json e = nlohmann::json::parse(ev("h1", "build", 1, "evil.example"));
  e["domain"] = hostile;
  e["exe"] = "/tmp/\x1b[31mnode";
  e["argv"] = {"node", "\x1b[2Jpayload.js"};
  import(t, db, "base.jsonl", ev("h0", "build", 0, "registry.npmjs.org"));
  import(t, db, "hostile.jsonl", e.dump() + "\n");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"net", "anomalies", "--db", db, "--repo", "web", "--job", "build"},
        std::vector<std::string>{"net", "baseline", "--db", db, "--repo", "web", "--job", "build"},
        std::vector<std::string>{"net", "search", "evil.example", "--db", db},
        std::vector<std::string>{"net", "events", "--db", db}}) {
    CmdResult r = run(args);
    EXPECT_NE(r.code, 1) << r.err;
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << args[1] << ": " << r.out;
    EXPECT_EQ(r.out.find('\x07'), std::string::npos) << args[1] << ": " << r.out;
    EXPECT_THAT(r.out, HasSubstr("x\\x1b]0;pwned\\x07\\x1b[2j.evil.example")) << args[1];
  }
  // JSON keeps the bytes, escaped as JSON.
  CmdResult j = run({"net", "search", "evil.example", "--db", db, "--json"});
  EXPECT_EQ(json_of(j)["matches"][0]["destination"], hostile);
  EXPECT_EQ(j.out.find('\x1b'), std::string::npos);
  // Run ids and names given on the command line are escaped in errors too.
  CmdResult err = run({"net", "anomalies", "--db", db, "--repo", "web\x1b[2J", "--job", "build"});
  EXPECT_EQ(err.code, 1);
  EXPECT_EQ(err.err.find('\x1b'), std::string::npos) << err.err;
}

// Real runs: three builds ask the registry, the fourth also asks an
// attacker's name; anomalies and search find it in what `run` recorded.
std::string dns_script(const std::vector<std::string>& names) {
  std::string s = "import socket,struct\nu=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                  "def q(n):\n  b=struct.pack('>HHHHHH',7,0x100,1,0,0,0)\n"
                  "  for l in n.split('.'): b+=bytes([len(l)])+l.encode()\n"
                  "  u.sendto(b+bytes([0])+struct.pack('>HH',1,1),('127.0.0.1',53))\n";
  for (const std::string& n : names) s += "q('" + n + "')\n";
  return s;
}

TEST(NetAnomalies, FindTheNewNameInRealRecordedRuns) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  for (int i = 1; i <= 4; ++i) {
    std::vector<std::string> names{"registry.npmjs.org", "github.com"};
    if (i == 4) names.push_back("c2.attacker.example");
    CmdResult r = run({"run", "--db", db, "--org", "acme", "--repo", "web", "--job", "build", "--run-id",
                       "real-" + std::to_string(i), "--", "/usr/bin/python3", "-c", dns_script(names)});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  CmdResult a = run({"net", "anomalies", "--db", db, "--repo", "web", "--job", "build", "--json"});
  ASSERT_EQ(a.code, 2) << a.err;
  nlohmann::json j = json_of(a);
  ASSERT_EQ(j["anomalies"].size(), 1u) << a.out;
  EXPECT_EQ(j["anomalies"][0]["run_id"], "real-4");
  EXPECT_EQ(j["anomalies"][0]["destination"], "c2.attacker.example");
  EXPECT_THAT(j["anomalies"][0]["exe"].get<std::string>(), HasSubstr("python3"));
  EXPECT_EQ(j["anomalies"][0]["argv"][0], "/usr/bin/python3");
  CmdResult s = run({"net", "search", "attacker.example", "--db", db, "--json"});
  EXPECT_EQ(s.code, 2) << s.err;
  EXPECT_EQ(json_of(s)["matches"][0]["run_id"], "real-4");
  CmdResult b = run({"net", "baseline", "--db", db, "--repo", "web", "--job", "build", "--runs", "2", "--json"});
  EXPECT_EQ(json_of(b)["baseline"]["destinations"].size(), 3u) << b.out;
}

TEST(NetCommand, UsageNamesEverySubcommand) {
  CmdResult r = run({"net", "frobnicate"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("expected events, exfil, baseline, anomalies, search or import"));
  CmdResult help = run({"net", "help"});
  EXPECT_EQ(help.code, 0);
  for (const char* sub : {"baseline", "anomalies", "search", "import"}) {
    EXPECT_THAT(help.out, HasSubstr(std::string("gouvernante net ") + sub));
  }
}

}  // namespace
}  // namespace gv
