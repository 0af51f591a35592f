// `gouvernante respond | alerts | watch` on an inventory whose truth is
// known: scripted git histories of two organisations (lockfiles from the
// real npm and pnpm), recorded runs imported as JSONL, and a host report the
// real scanner wrote. Deliveries go to a webhook receiver on loopback that
// is down, then up; to a JSON-lines file; and to a syslog UDP listener.
#include "cli/respond_cmd.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/cli_run.h"
#include "cli/http_receiver.h"
#include "common/temp_dir.h"
#include "inventory/git_repo.h"

namespace gv {
namespace {

namespace fs = std::filesystem;
using inventory::testing::GitRepo;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::CmdResult;
using testing::HttpReceiver;
using testing::json_of;
using testing::run;
using testing::TempDir;

constexpr const char* kRule = R"({"schema_version": "1.0.0", "rules": [
  {"id": "SSC-2026-301", "title": "ms 2.1.2 hijacked", "kind": "compromised-release", "ecosystem": "npm",
   "severity": "critical",
   "package_rules": [{"package_name": "ms", "affected_versions": ["=2.1.2"]}],
   "host_indicators": [{"type": "network", "value": "evil.example", "oses": ["linux", "macos", "windows"]},
                       {"type": "network", "value": "not a host at all", "oses": ["linux"]}],
   "remediation": {"summary": "Move ms off 2.1.2 and rotate what CI could read.",
                   "steps": ["Pin ms to 2.1.3.", "Rotate CI secrets."]}}]})";

// One recorded event in the `net events --json` shape: a DNS question for
// `name` by run `run_id` of org/repo job at 12:00:SS.
std::string dns_event(const std::string& run_id, const std::string& repo, const std::string& job, int second,
                      const std::string& name) {
  nlohmann::ordered_json j{{"run_id", run_id},  {"org", "acme"},     {"repo", repo},
                           {"job", job},        {"time", "2026-04-01T12:00:" + std::to_string(10 + second) + ".5Z"},
                           {"pid", 100},        {"ppid", 1},         {"exe", "/usr/bin/node"},
                           {"argv", {"node", "postinstall.js"}},
                           {"kind", "dns"},     {"protocol", "udp"}, {"address", "127.0.0.53"},
                           {"port", 53},        {"domain", name},    {"query_type", "A"},
                           {"action", "allowed"}};
  return j.dump() + "\n";
}

// acme/web: ms 2.0.0, PR #7 brings 2.1.2, "(#11)" moves to 2.1.3 (affected
// in the past). acme/api: ms 2.1.3; PR #3 adds packages/app (pnpm) with
// 2.1.2, still there. Runs: api's "build" asked for cdn.evil.example, web's
// "test" only for the registry. Host laptop-1 scanned a lockfile with 2.1.2.
class RespondCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new TempDir();
    GitRepo web("web");
    web.use("npm-ms-2.0.0");
    web.commit("Start web");
    web.git("checkout -q -b feat");
    web.use("npm-ms-2.1.2");
    web.commit("Use ms 2.1.2");
    web.git("checkout -q main");
    web.merge("feat", "Merge pull request #7 from acme/feat");
    web.use("npm-ms-2.1.3");
    web.commit("Bump ms to 2.1.3 (#11)");
    GitRepo api("api");
    api.use("npm-ms-2.1.3");
    api.commit("Start api");
    api.use("pnpm-ms-2.1.2", "packages/app");
    api.commit("Add the app package (#3)");
    clone(web.path(), "acme/web");
    clone(api.path(), "acme/api");
    root_->write("rules/ms.json", kRule);
    db_ = path("base.db");
    CmdResult r = run({"index", path("acme"), "--db", db_});
    ASSERT_EQ(r.code, 0) << r.err;
    import_runs(db_, dns_event("r-api-1", "api", "build", 1, "registry.npmjs.org") +
                         dns_event("r-api-1", "api", "build", 2, "cdn.evil.example") +
                         dns_event("r-web-1", "web", "test", 3, "registry.npmjs.org"));
    r = run({"-rules", path("rules"), "-lockfile",
             GV_SOURCE_DIR "/tests/inventory/testdata/lockfiles/npm-ms-2.1.2/package-lock.json", "-json"});
    ASSERT_EQ(r.code, 2) << r.err;
    r = run({"report", "ingest", root_->write("laptop-1.json", r.out), "--host", "laptop-1", "--db", db_});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete root_; }
  static void clone(const std::string& from, const std::string& to) {
    const std::string cmd = "git clone -q '" + from + "' '" + (root_->path() / to).string() + "' 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static void import_runs(const std::string& db, const std::string& lines) {
    static int n = 0;
    CmdResult r = run({"net", "import", root_->write("runs-" + std::to_string(++n) + ".jsonl", lines), "--db", db});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  static std::string path(const std::string& rel) { return (root_->path() / rel).string(); }
  // A copy of the base inventory, so each test's outbox starts empty.
  static std::string fresh_db(const std::string& name) {
    const std::string db = path(name);
    fs::copy_file(db_, db, fs::copy_options::overwrite_existing);
    return db;
  }

  static TempDir* root_;
  static std::string db_;
};
TempDir* RespondCli::root_ = nullptr;
std::string RespondCli::db_;

TEST_F(RespondCli, IncidentJoinsRepositoriesRunsAndHostsAsKnown) {
  CmdResult r = run({"respond", "--rules", path("rules"), "--db", fresh_db("json.db"), "--json"});
  ASSERT_EQ(r.code, 2) << r.err;
  nlohmann::json inc = json_of(r)["incident"];
  EXPECT_THAT(inc["id"].get<std::string>(), ::testing::MatchesRegex("inc-[0-9a-f]{16}"));
  EXPECT_EQ(inc["severity"], "critical");
  EXPECT_EQ(inc["created"], "2026-04-01T12:00:00Z");
  ASSERT_EQ(inc["rules"].size(), 1u);
  EXPECT_EQ(inc["rules"][0]["id"], "SSC-2026-301");

  // Still affected first: api, brought by PR #3, present at the tip, in its
  // lockfile and as the range its package.json declares; then web.
  ASSERT_EQ(inc["repos"].size(), 4u) << inc["repos"].dump(2);
  std::vector<std::string> order;
  for (const auto& x : inc["repos"]) order.push_back(x["repo"].get<std::string>() + " " + x["lockfile"].get<std::string>());
  EXPECT_THAT(order, ::testing::ElementsAre("api packages/app/package.json", "api packages/app/pnpm-lock.yaml",
                                            "web package-lock.json", "web package.json"));
  EXPECT_THAT(inc["repos"][0]["remediation"][0].get<std::string>(), HasSubstr("change the declared range of ms"));
  const nlohmann::json& api = inc["repos"][1];
  EXPECT_EQ(api["repo"], "api");
  EXPECT_EQ(api["package"], "ms");
  EXPECT_EQ(api["version"], "2.1.2");
  EXPECT_EQ(api["lockfile"], "packages/app/pnpm-lock.yaml");
  EXPECT_EQ(api["present_at_tip"], true);
  EXPECT_EQ(api["introduced_by"]["pr"], 3);
  EXPECT_TRUE(api["removed_by"].is_null());
  // Its remediation names the file, the version to move to (the newest
  // unaffected version indexed: 2.1.3), and the job whose secrets to rotate.
  const std::string api_fix = api["remediation"][0];
  EXPECT_THAT(api_fix, HasSubstr("packages/app/pnpm-lock.yaml"));
  EXPECT_THAT(api_fix, HasSubstr("move ms from 2.1.2 to 2.1.3"));
  const std::string api_secrets = api["remediation"][1];
  EXPECT_THAT(api_secrets, HasSubstr("job(s) build"));
  EXPECT_THAT(api_secrets, HasSubstr("cdn.evil.example"));
  EXPECT_THAT(api_secrets, HasSubstr("r-api-1"));

  // Then web: 2.1.2 came with PR #7 and left with the "(#11)" commit.
  const nlohmann::json& web = inc["repos"][2];
  EXPECT_EQ(web["repo"], "web");
  EXPECT_EQ(web["present_at_tip"], false);
  EXPECT_EQ(web["introduced_by"]["pr"], 7);
  EXPECT_EQ(web["removed_by"]["pr"], 11);
  EXPECT_THAT(web["remediation"][0].get<std::string>(), HasSubstr("nothing to change in the code"));
  EXPECT_THAT(web["remediation"][1].get<std::string>(), HasSubstr("no recorded run of it reached the indicators"));

  // One run: api's build, which asked for a name under evil.example.
  ASSERT_EQ(inc["runs"].size(), 1u) << inc["runs"].dump(2);
  EXPECT_EQ(inc["runs"][0]["run_id"], "r-api-1");
  EXPECT_EQ(inc["runs"][0]["job"], "build");
  EXPECT_EQ(inc["runs"][0]["destination"], "cdn.evil.example");
  EXPECT_EQ(inc["runs"][0]["indicator"], "evil.example");
  EXPECT_EQ(inc["runs"][0]["time"], "2026-04-01T12:00:12.500000Z");

  ASSERT_EQ(inc["hosts"].size(), 1u);
  EXPECT_EQ(inc["hosts"][0]["host"], "laptop-1");
  ASSERT_GE(inc["hosts"][0]["findings"].size(), 1u);
  EXPECT_EQ(inc["hosts"][0]["findings"][0]["package"], "ms");
  EXPECT_EQ(inc["hosts"][0]["findings"][0]["rule"], "SSC-2026-301");

  const nlohmann::json& s = inc["summary"];
  EXPECT_EQ(s["repositories_affected"], 1);
  EXPECT_EQ(s["repositories_affected_in_the_past"], 1);
  EXPECT_EQ(s["runs_reached_indicators"], 1);
  EXPECT_EQ(s["runs_searched"], 2);
  EXPECT_EQ(s["hosts_with_findings"], 1);
  // The indicator that is not a host is said, not dropped.
  ASSERT_EQ(s["not_checked"].size(), 1u);
  EXPECT_THAT(s["not_checked"][0].get<std::string>(), HasSubstr("not a host at all"));
  EXPECT_THAT(r.err, HasSubstr("not checked: runs: rule SSC-2026-301 network indicator 'not a host at all'"));
}

TEST_F(RespondCli, SameFactsSameIncidentIdAndTextAndMarkdownSayTheSame) {
  const std::string db = fresh_db("same.db");
  CmdResult a = run({"respond", "--rules", path("rules"), "--db", db, "--json"});
  CmdResult b = run({"respond", "--rules", path("rules"), "--db", db, "--json"});
  EXPECT_EQ(json_of(a)["incident"]["id"], json_of(b)["incident"]["id"]);
  CmdResult text = run({"respond", "--rules", path("rules"), "--db", db});
  EXPECT_EQ(text.code, 2);
  EXPECT_THAT(text.out, HasSubstr("REPOSITORIES: 1 still affected, 1 affected in the past"));
  EXPECT_THAT(text.out, HasSubstr("acme/api"));
  EXPECT_THAT(text.out, HasSubstr("r-api-1"));
  EXPECT_THAT(text.out, HasSubstr("laptop-1"));
  CmdResult md = run({"respond", "--rules", path("rules"), "--db", db, "--markdown"});
  EXPECT_EQ(md.code, 2);
  EXPECT_THAT(md.out, HasSubstr("# Incident " + json_of(a)["incident"]["id"].get<std::string>() + " (critical)"));
  EXPECT_THAT(md.out, HasSubstr("| r-api-1 | acme/api | build |"));
  EXPECT_THAT(md.out, HasSubstr("Add the app package \\(\\#3\\)"));
  EXPECT_EQ(run({"respond", "--rules", path("rules"), "--db", db, "--json", "--markdown"}).code, 1);
}

TEST_F(RespondCli, NothingAffectedIsZeroAndAnEmptyInventoryIsAnError) {
  root_->write("clean-rules/r.json", R"({"schema_version": "1.0.0", "rules": [
    {"id": "SSC-2026-302", "title": "t", "kind": "compromised-release", "ecosystem": "npm", "severity": "high",
     "package_rules": [{"package_name": "left-pad", "affected_versions": ["=9.9.9"]}],
     "host_indicators": [{"type": "network", "value": "nothing.example", "oses": ["linux"]}]}]})");
  const std::string out = path("clean-out.jsonl");
  CmdResult r = run({"respond", "--rules", path("clean-rules"), "--db", fresh_db("clean.db"), "--json", "--sink",
                     "file:" + out});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json_of(r)["incident"]["severity"], "none");
  EXPECT_THAT(r.err, HasSubstr("nothing affected; no alert sent"));
  EXPECT_FALSE(fs::exists(out));

  // An inventory with nothing in it is not clean: nothing was looked at.
  const std::string empty = path("empty.db");
  ASSERT_EQ(run({"report", "hosts", "--db", empty}).code, 1);  // does not exist yet
  TempDir t;
  ASSERT_EQ(run({"index", t.str(), "--db", empty}).code, 1);
  if (fs::exists(empty)) {
    CmdResult e = run({"respond", "--rules", path("rules"), "--db", empty});
    EXPECT_EQ(e.code, 1);
    EXPECT_THAT(e.err, HasSubstr("nothing to respond over"));
  }
  CmdResult missing = run({"respond", "--rules", path("rules"), "--db", path("no-such.db")});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("no inventory at"));
}

TEST_F(RespondCli, BadSinksFailBeforeAnythingIsBuilt) {
  const std::string db = fresh_db("bad-sinks.db");
  CmdResult r = run({"respond", "--rules", path("rules"), "--db", db, "--sink", "ftp://x/y"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("unknown scheme"));
  EXPECT_EQ(r.out, "");
  r = run({"respond", "--rules", path("rules"), "--db", db, "--sink", "http://127.0.0.1:9/h",
           "--webhook-secret-env", "GV_TEST_NO_SUCH_SECRET"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("GV_TEST_NO_SUCH_SECRET, which is not set"));
  r = run({"respond", "--rules", path("rules"), "--db", db, "--sink", "http://user:hunter2@127.0.0.1:9/h"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("credentials in the URL"));
  unsetenv("AWS_ACCESS_KEY_ID");
  r = run({"respond", "--rules", path("rules"), "--db", db, "--sink", "s3://alerts-bucket/gv"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("AWS_ACCESS_KEY_ID is not set"));
  r = run({"respond", "--rules", path("rules"), "--db", db, "--sink", "syslog+udp://127.0.0.1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("missing port"));
}

std::string hmac_hex(const std::string& key, const std::string& body) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), md, &n);
  std::string out;
  for (unsigned i = 0; i < n; ++i) out += fmt::format("{:02x}", md[i]);
  return out;
}

// The receiver is down for the first respond: the delivery stays pending;
// once it is up, alerts flush delivers it exactly once, with the same
// delivery id, signed; later flushes and responds send nothing more.
TEST_F(RespondCli, WebhookDownThenUpIsDeliveredExactlyOnce) {
  const std::string db = fresh_db("webhook.db");
  const uint16_t port = testing::free_port();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  setenv("GOUVERNANTE_RETRY_DELAY_MS", "10", 1);
  setenv("GV_TEST_WEBHOOK_SECRET", "s3cr3t-value", 1);
  CmdResult r = run({"respond", "--rules", path("rules"), "--db", db, "--sink", url, "--webhook-secret-env",
                     "GV_TEST_WEBHOOK_SECRET", "--attempts", "2", "--json"});
  ASSERT_EQ(r.code, 2) << r.err;
  const std::string incident_id = json_of(r)["incident"]["id"];
  EXPECT_THAT(r.err, HasSubstr("PENDING"));
  EXPECT_THAT(r.err, HasSubstr("2 attempts"));
  EXPECT_THAT(r.err, HasSubstr("1 delivery pending"));

  CmdResult p = run({"alerts", "pending", "--db", db, "--json"});
  ASSERT_EQ(p.code, 2) << p.err;
  nlohmann::json pending = json_of(p)["pending"];
  ASSERT_EQ(pending.size(), 1u);
  const std::string delivery_id = pending[0]["delivery_id"];
  EXPECT_EQ(pending[0]["incident_id"], incident_id);
  EXPECT_EQ(pending[0]["attempts"], 2);
  EXPECT_EQ(pending[0]["sink"], url);

  HttpReceiver rx(port);
  ASSERT_TRUE(rx.ok());
  CmdResult f = run({"alerts", "flush", "--db", db});
  EXPECT_EQ(f.code, 0) << f.err;
  ASSERT_EQ(rx.requests().size(), 1u);
  const testing::HttpRequest req = rx.requests()[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.path, "/hook");
  EXPECT_EQ(req.headers.at("x-gouvernante-event"), "incident");
  EXPECT_EQ(req.headers.at("x-gouvernante-delivery"), delivery_id);
  EXPECT_EQ(req.headers.at("x-gouvernante-signature-256"), "sha256=" + hmac_hex("s3cr3t-value", req.body));
  EXPECT_EQ(nlohmann::json::parse(req.body)["incident"]["id"], incident_id);

  EXPECT_EQ(run({"alerts", "pending", "--db", db}).code, 0);
  EXPECT_EQ(run({"alerts", "flush", "--db", db}).code, 0);
  r = run({"respond", "--rules", path("rules"), "--db", db, "--sink", url, "--webhook-secret-env",
           "GV_TEST_WEBHOOK_SECRET"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("already delivered"));
  EXPECT_EQ(rx.requests().size(), 1u);

  // The secret is in neither the outbox nor any message.
  std::ifstream in(db, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes.find("s3cr3t-value"), std::string::npos);
  EXPECT_THAT(r.err + f.err + p.out, Not(HasSubstr("s3cr3t-value")));
  unsetenv("GV_TEST_WEBHOOK_SECRET");
}

TEST_F(RespondCli, AClientErrorFailsAtOnceAndIsNotRetried) {
  const std::string db = fresh_db("4xx.db");
  HttpReceiver rx;
  ASSERT_TRUE(rx.ok());
  rx.set_status(404);
  setenv("GOUVERNANTE_RETRY_DELAY_MS", "10", 1);
  CmdResult r = run({"respond", "--rules", path("rules"), "--db", db, "--sink", rx.url(), "--attempts", "3"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("FAILED"));
  EXPECT_THAT(r.err, HasSubstr("HTTP 404"));
  EXPECT_EQ(rx.requests().size(), 1u);
  nlohmann::json j = json_of(run({"alerts", "pending", "--db", db, "--json"}));
  EXPECT_EQ(j["pending"].size(), 0u);
  ASSERT_EQ(j["failed"].size(), 1u);
  // flush leaves failed ones alone unless asked; once fixed, they go.
  EXPECT_EQ(run({"alerts", "flush", "--db", db}).code, 0);
  EXPECT_EQ(rx.requests().size(), 1u);
  rx.set_status(204);
  EXPECT_EQ(run({"alerts", "flush", "--db", db, "--include-failed"}).code, 0);
  EXPECT_EQ(rx.requests().size(), 2u);
  EXPECT_EQ(rx.requests()[0].headers.at("x-gouvernante-delivery"),
            rx.requests()[1].headers.at("x-gouvernante-delivery"));
}

std::vector<nlohmann::json> read_lines(const std::string& file) {
  std::vector<nlohmann::json> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST_F(RespondCli, FileAndSyslogSinksGetOneAlertPerItem) {
  const std::string db = fresh_db("lines.db");
  int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(udp, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  getsockname(udp, reinterpret_cast<sockaddr*>(&a), &len);
  const std::string file = path("alerts.jsonl");
  CmdResult r = run({"respond", "--rules", path("rules"), "--db", db, "--sink", "file:" + file, "--sink",
                     "syslog+udp://127.0.0.1:" + std::to_string(ntohs(a.sin_port))});
  ASSERT_EQ(r.code, 2) << r.err;
  // 4 repository items, 1 run, 1 host.
  std::vector<nlohmann::json> lines = read_lines(file);
  ASSERT_EQ(lines.size(), 6u);
  std::multiset<std::string> types;
  for (const auto& l : lines) types.insert(l["type"]);
  EXPECT_EQ(types, (std::multiset<std::string>{"repo", "repo", "repo", "repo", "run", "host"}));
  EXPECT_EQ(lines[0]["severity"], "critical");
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);

  std::vector<std::string> messages;
  for (;;) {
    pollfd p{udp, POLLIN, 0};
    if (poll(&p, 1, 2000) <= 0) break;
    char buf[65536];
    ssize_t n = recv(udp, buf, sizeof buf, 0);
    if (n <= 0) break;
    messages.emplace_back(buf, static_cast<size_t>(n));
    if (messages.size() == 6) break;
  }
  close(udp);
  ASSERT_EQ(messages.size(), 6u);
  // local4 (20) * 8 + critical (2) = 162; CEF severity 10.
  EXPECT_THAT(messages[0], ::testing::StartsWith("<162>1 "));
  EXPECT_THAT(messages[0], HasSubstr(" gouvernante - - - CEF:0|gouvernante|gouvernante|"));
  EXPECT_THAT(messages[0], HasSubstr("|affected-repo|"));
  EXPECT_THAT(messages[0], HasSubstr("cs3=ms@2.1.2"));
  EXPECT_THAT(messages[2], HasSubstr("|affected-repo-past|"));
  EXPECT_THAT(messages[4], HasSubstr("dhost=cdn.evil.example"));
  EXPECT_THAT(messages[5], HasSubstr("shost=laptop-1"));
}

// watch: the first poll alerts on everything, the second on nothing; a new
// run that reaches the indicator alerts on that run alone.
TEST_F(RespondCli, WatchAlertsOncePerRuleAndItem) {
  const std::string db = fresh_db("watch.db");
  fs::create_directories(path("feed"));
  fs::copy_file(path("rules/ms.json"), path("feed/ms.json"), fs::copy_options::overwrite_existing);
  root_->write("feed/broken.json", "{\"schema_version\": \"1.0.0\", \"rules\": [");
  const std::string file = path("watch.jsonl");
  auto poll_once = [&] {
    return run({"watch", "--feed", path("feed"), "--db", db, "--sink", "file:" + file, "--once", "--json"});
  };
  CmdResult first = poll_once();
  ASSERT_EQ(first.code, 2) << first.err;
  EXPECT_THAT(first.err, HasSubstr("broken.json"));  // said, not skipped silently
  EXPECT_THAT(first.err, HasSubstr("(1 not read)"));
  EXPECT_EQ(read_lines(file).size(), 6u);
  CmdResult second = poll_once();
  EXPECT_EQ(second.code, 0) << second.err;
  EXPECT_EQ(second.out, "");
  EXPECT_EQ(read_lines(file).size(), 6u);

  import_runs(db, dns_event("r-web-2", "web", "test", 4, "evil.example"));
  CmdResult third = poll_once();
  ASSERT_EQ(third.code, 2) << third.err;
  nlohmann::json inc = json_of(third)["incident"];
  EXPECT_EQ(inc["repos"].size(), 0u);
  EXPECT_EQ(inc["hosts"].size(), 0u);
  ASSERT_EQ(inc["runs"].size(), 1u);
  EXPECT_EQ(inc["runs"][0]["run_id"], "r-web-2");
  std::vector<nlohmann::json> lines = read_lines(file);
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[6]["run_id"], "r-web-2");
}

TEST_F(RespondCli, WatchRefusesBadFlags) {
  EXPECT_EQ(run({"watch", "--feed", path("rules"), "--db", db_, "--once"}).code, 1);  // no sink
  CmdResult r = run({"watch", "--feed", path("rules"), "--db", db_, "--sink", "file:/dev/null", "--interval", "5x"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("--interval"));
  r = run({"watch", "--feed", path("nope"), "--db", db_, "--sink", "file:/dev/null", "--once"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("not a folder"));
}

}  // namespace
}  // namespace gv
