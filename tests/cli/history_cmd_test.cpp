// `gouvernante index | search | blast-radius`, in process through run_cli, on
// an organisation of real clones with scripted histories (lockfiles from the
// real npm and pnpm): every answer the issue asks for, and the errors that
// must never read as "nothing found".
#include "cli/history_cmd.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/cli.h"
#include "cli/cli_run.h"
#include "common/temp_dir.h"
#include "inventory/git_repo.h"
#include "inventory/pg_server.h"

namespace gv {
namespace {

namespace fs = std::filesystem;
using inventory::testing::GitRepo;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempDir;
using testing::CmdResult;
using testing::run;
using testing::json_of;

constexpr const char* kRule = R"({"schema_version": "1.0.0", "rules": [
  {"id": "SSC-2026-201", "title": "ms 2.1.2 hijacked", "kind": "compromised-release", "ecosystem": "npm",
   "severity": "critical",
   "package_rules": [{"package_name": "ms", "affected_versions": ["=2.1.2"]}],
   "remediation": {"summary": "Move ms to 2.1.3 and rotate what CI could read.",
                   "steps": ["Pin ms to 2.1.3.", "Rotate CI secrets."]}}]})";

// Two organisations of clones, as `git clone` leaves them:
//   acme/web:  ms 2.0.0; PR #7 (a merge) brings 2.1.2; "(#11)" squash moves
//              to 2.1.3; branch legacy (not merged) brings 2.1.2 back (#12).
//   acme/api:  ms 2.1.3 at the root; PR #3 adds packages/app on pnpm with
//              2.1.2; #4 moves it to apps/app: still there, introduced by #3.
//   beta/svc:  only ms 2.1.3.
//   acme/notes is a folder that is not a clone.
class HistoryCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new TempDir();
    web_ = new GitRepo("web");
    web_->use("npm-ms-2.0.0");
    web_->commit("Start web");
    web_->git("checkout -q -b feat");
    web_->use("npm-ms-2.1.2");
    web_introduced_ = web_->commit("Use ms 2.1.2");
    web_->git("checkout -q main");
    web_->merge("feat", "Merge pull request #7 from acme/feat");
    web_->use("npm-ms-2.1.3");
    web_->commit("Bump ms to 2.1.3 (#11)");
    web_->git("checkout -q -b legacy");
    web_->use("npm-ms-2.1.2");
    web_->commit("Go back to ms 2.1.2 (#12)");
    web_->git("checkout -q main");

    api_ = new GitRepo("api");
    api_->use("npm-ms-2.1.3");
    api_->commit("Start api");
    api_->use("pnpm-ms-2.1.2", "packages/app");
    api_->commit("Add the app package (#3)");
    api_->git("mv packages apps");
    api_->commit("Move packages to apps (#4)");
    api_->write("README", "\x1b[2Jhostile\n");
    api_->commit("Readme \x1b[31mred\x1b[0m (#5)");

    svc_ = new GitRepo("svc");
    svc_->use("npm-ms-2.1.3");
    svc_->commit("Start svc");

    clone(web_->path(), "acme/web");
    clone(api_->path(), "acme/api");
    clone(svc_->path(), "beta/svc");
    fs::create_directories(root_->path() / "acme" / "notes");
    root_->write("rules/ms.json", kRule);
  }
  static void TearDownTestSuite() {
    delete web_;
    delete api_;
    delete svc_;
    delete root_;
  }
  static void clone(const std::string& from, const std::string& to) {
    const std::string cmd = "git clone -q '" + from + "' '" + (root_->path() / to).string() + "' 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static std::string path(const std::string& rel) { return (root_->path() / rel).string(); }
  // A fresh inventory of both organisations.
  std::string indexed(const std::string& name, bool all_refs = false) {
    const std::string db = path(name);
    std::vector<std::string> args{"index", path("acme"), path("beta"), "--db", db};
    if (all_refs) args.push_back("--all-refs");
    CmdResult r = run(args);
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    return db;
  }

  static TempDir* root_;
  static GitRepo *web_, *api_, *svc_;
  static std::string web_introduced_;
};
TempDir* HistoryCli::root_ = nullptr;
GitRepo* HistoryCli::web_ = nullptr;
GitRepo* HistoryCli::api_ = nullptr;
GitRepo* HistoryCli::svc_ = nullptr;
std::string HistoryCli::web_introduced_;

TEST_F(HistoryCli, IndexesAFolderPerOrganisationAndThenOnlyWhatIsNew) {
  const std::string db = path("index.db");
  CmdResult r = run({"index", path("acme"), path("beta"), "-db", db});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("acme/api main: 4 new commits walked, 3 changing a lockfile"));
  EXPECT_THAT(r.out, HasSubstr("acme/web main: 4 new commits walked, 3 changing a lockfile"));
  EXPECT_THAT(r.out, HasSubstr("beta/svc main: 1 new commit walked, 1 changing"));
  EXPECT_THAT(r.err, HasSubstr("acme/notes: not a git clone; skipped"));
  EXPECT_THAT(r.err, HasSubstr("3 of 3 repositories indexed"));
  CmdResult again = run({"index", path("acme"), path("beta"), "--db", db});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("acme/web: up to date"));
  EXPECT_THAT(again.out, Not(HasSubstr("new commit")));
  // One clone named directly, filed under the folder holding it, or --org.
  CmdResult one = run({"index", path("beta/svc"), "--db", path("one.db"), "--org", "gamma"});
  ASSERT_EQ(one.code, 0) << one.err;
  EXPECT_THAT(one.out, HasSubstr("gamma/svc main"));
}

TEST_F(HistoryCli, SearchAnswersWhoBroughtItInAndWhetherItIsStillThere) {
  const std::string db = indexed("search.db");
  CmdResult r = run({"search", "ms@2.1.2", "--db", db, "--json"});
  ASSERT_EQ(r.code, 2) << r.err;
  nlohmann::json j = json_of(r);
  std::map<std::string, nlohmann::json> by_file;
  for (const auto& m : j["matches"]) by_file[m["repo"].get<std::string>() + " " + m["lockfile"].get<std::string>()] = m;
  ASSERT_EQ(by_file.size(), 4u) << r.out;  // web and api, each a lockfile and a package.json
  const nlohmann::json& web = by_file["web package-lock.json"];
  EXPECT_EQ(web["org"], "acme");
  EXPECT_EQ(web["package"], "ms");
  EXPECT_EQ(web["version"], "2.1.2");
  EXPECT_EQ(web["introduced_by"]["commit"], web_introduced_);
  EXPECT_EQ(web["introduced_by"]["pr"], 7);
  EXPECT_EQ(web["introduced_by"]["author"], "Ada Dev");
  EXPECT_EQ(web["introduced_by"]["subject"], "Use ms 2.1.2");
  EXPECT_EQ(web["removed_by"]["pr"], 11);
  EXPECT_EQ(web["present_at_tip"], false);
  EXPECT_GT(web["duration_seconds"].get<int64_t>(), 0);
  // Moved from packages/app to apps/app by #4: still introduced by #3.
  const nlohmann::json& api = by_file["api apps/app/pnpm-lock.yaml"];
  EXPECT_EQ(api["introduced_by"]["pr"], 3);
  EXPECT_TRUE(api["removed_by"].is_null());
  EXPECT_EQ(api["present_at_tip"], true);
  EXPECT_EQ(by_file["api apps/app/package.json"]["declared"], true);

  CmdResult text = run({"search", "ms@2.1.2", "--db", db});
  EXPECT_EQ(text.code, 2);
  EXPECT_THAT(text.out, HasSubstr("STILL PRESENT at the tip"));
  EXPECT_THAT(text.out, HasSubstr("(PR #7)"));
  EXPECT_THAT(text.out, HasSubstr("4 matches in 2 repositories, 2 still present at a tip; searched 3 repositories"));
}

TEST_F(HistoryCli, SearchFilters) {
  const std::string db = indexed("filters.db");
  auto repos = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"search", "ms@>=2.1.0 <2.1.3", "--db", db, "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    CmdResult r = run(args);
    EXPECT_NE(r.code, 1) << r.err;
    std::set<std::string> out;
    const nlohmann::json j = json_of(r);
    for (const auto& m : j["matches"]) out.insert(m["repo"].get<std::string>());
    return out;
  };
  EXPECT_EQ(repos({}), (std::set<std::string>{"api", "web"}));
  EXPECT_EQ(repos({"--repo", "web"}), (std::set<std::string>{"web"}));
  EXPECT_EQ(repos({"--org", "beta"}), (std::set<std::string>{}));
  // web's 2.1.2 came in before api's #3 (GitRepo dates are per repository:
  // both start on 2026-01-01, a minute per git call).
  EXPECT_EQ(repos({"--until", "2025-12-31"}), (std::set<std::string>{}));
  EXPECT_EQ(repos({"--since", "2026-01-02"}), (std::set<std::string>{}));
  EXPECT_EQ(repos({"--since", "2026-01-01", "--until", "2026-01-01T23:59:59Z"}),
            (std::set<std::string>{"api", "web"}));
  CmdResult none = run({"search", "ms@2.1.2", "--db", db, "--org", "beta"});
  EXPECT_EQ(none.code, 0);
  EXPECT_THAT(none.out, HasSubstr("0 matches in 0 repositories"));
  EXPECT_THAT(none.out, HasSubstr("searched 1 repository (1 ref)"));
}

TEST_F(HistoryCli, AllRefsFindsTheBranchThatBroughtItBack) {
  const std::string db = indexed("refs.db", true);
  CmdResult r = run({"search", "ms@2.1.2", "--db", db, "--repo", "web", "--json"});
  ASSERT_EQ(r.code, 2) << r.err;
  std::set<std::string> refs;
  std::vector<std::string> legacy;  // the lockfile's spans on origin/legacy
  const nlohmann::json j = json_of(r);
  for (const auto& m : j["matches"]) {
    refs.insert(m["ref"].get<std::string>());
    if (m["ref"] == "origin/legacy" && m["lockfile"] == "package-lock.json") {
      legacy.push_back(m["introduced_by"]["pr"].dump() + (m["present_at_tip"] ? " at tip" : " removed by " +
                                                          m["removed_by"]["pr"].dump()));
    }
  }
  // The branch shares main's history (in with #7, out with #11), then #12
  // brought it back.
  EXPECT_THAT(legacy, ::testing::ElementsAre("7 removed by 11", "12 at tip"));
  // origin/main is main (same commit): indexed once. feat still exists.
  EXPECT_EQ(refs, (std::set<std::string>{"main", "origin/feat", "origin/legacy"}));
}

TEST_F(HistoryCli, SearchByRules) {
  const std::string db = indexed("rules.db");
  CmdResult r = run({"search", "--rules", path("rules"), "--db", db, "--json"});
  ASSERT_EQ(r.code, 2) << r.err;
  nlohmann::json j = json_of(r);
  ASSERT_EQ(j["matches"].size(), 4u) << r.out;
  for (const auto& m : j["matches"]) {
    EXPECT_EQ(m["version"], "2.1.2");
    EXPECT_EQ(m["rules"][0]["id"], "SSC-2026-201");
  }
  EXPECT_TRUE(j["unchecked"].empty());
}

TEST_F(HistoryCli, BlastRadiusStillAffectedFirstWithPrsAndRemediation) {
  const std::string db = indexed("blast.db");
  CmdResult r = run({"blast-radius", "--rules", path("rules"), "--db", db, "--json"});
  ASSERT_EQ(r.code, 2) << r.err;
  nlohmann::json j = json_of(r);
  ASSERT_EQ(j["repos"].size(), 2u) << r.out;
  const nlohmann::json& api = j["repos"][0];
  const nlohmann::json& web = j["repos"][1];
  EXPECT_EQ(api["repo"], "api");
  EXPECT_EQ(api["status"], "affected");
  EXPECT_EQ(web["repo"], "web");
  EXPECT_EQ(web["status"], "affected-in-the-past");
  EXPECT_EQ(web["matches"][0]["introduced_by"]["pr"], 7);
  EXPECT_EQ(web["rules"][0]["remediation"]["steps"][1], "Rotate CI secrets.");
  ASSERT_EQ(api["actions"].size(), 3u) << api["actions"];
  EXPECT_THAT(api["actions"][0].get<std::string>(), HasSubstr("apps/app/package.json on main: change the declared"));
  EXPECT_THAT(api["actions"][1].get<std::string>(), HasSubstr("apps/app/pnpm-lock.yaml on main: move ms off 2.1.2"));
  EXPECT_THAT(api["actions"][2].get<std::string>(), HasSubstr("rotate the secrets"));
  EXPECT_EQ(j["summary"]["repositories_searched"], 3);
  EXPECT_EQ(j["summary"]["affected"], 1);
  EXPECT_EQ(j["summary"]["affected_in_the_past"], 1);

  CmdResult text = run({"blast-radius", "--rules", path("rules"), "--db", db});
  EXPECT_EQ(text.code, 2);
  const size_t still = text.out.find("STILL AFFECTED (1 repository)");
  const size_t past = text.out.find("AFFECTED IN THE PAST (1 repository)");
  ASSERT_NE(still, std::string::npos) << text.out;
  ASSERT_NE(past, std::string::npos) << text.out;
  EXPECT_LT(still, text.out.find("acme/api"));
  EXPECT_LT(text.out.find("acme/api"), past);
  EXPECT_LT(past, text.out.find("acme/web"));
  EXPECT_THAT(text.out, HasSubstr("2. Rotate CI secrets."));

  // Scoped to a clean organisation: nothing affected, exit 0.
  CmdResult clean = run({"blast-radius", "--rules", path("rules"), "--db", db, "--org", "beta"});
  EXPECT_EQ(clean.code, 0) << clean.err;
  EXPECT_THAT(clean.out, HasSubstr("0 still affected, 0 affected in the past; 1 repository (1 ref) searched"));
}

TEST_F(HistoryCli, UntrustedTextNeverReachesTheTerminalRaw) {
  const std::string db = indexed("escape.db");
  CmdResult r = run({"search", "ms@2.1.3", "--db", db, "--repo", "api"});
  ASSERT_EQ(r.code, 2) << r.err;
  // The commit with the escape sequence changed no lockfile, but a subject is
  // printed for every span; every printed string goes through terminal_safe.
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
}

TEST_F(HistoryCli, ErrorsNeverReadAsNothingFound) {
  const std::string db = indexed("errors.db");
  auto fails = [](std::vector<std::string> args, const std::string& says) {
    CmdResult r = run(args);
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_THAT(r.err, HasSubstr(says));
    EXPECT_EQ(r.out, "");
  };
  fails({"search", "ms", "--db", path("missing.db")}, "no inventory at ");
  fails({"search", "ms", "--db", db, "--repo", "wbe"}, "no indexed repository matches --repo wbe");
  fails({"search", "ms", "--db", db, "--since", "yesterday"}, "--since: 'yesterday' is not a date");
  fails({"search", "ms", "--db", db, "--until", "2026-02-30"}, "is not a valid date");
  fails({"search", "ms", "--db", db, "--since", "2026-01-01T10:00:00"}, "give a time zone");
  fails({"search", "ms@not a range!", "--db", db}, "invalid version or range");
  fails({"search", "--db", db}, "give a PACKAGE or --rules");
  fails({"search", "ms", "--rules", path("rules"), "--db", db}, "give a PACKAGE or --rules");
  fails({"blast-radius", "--db", db}, "--rules is required");
  fails({"blast-radius", "--rules", path("nope"), "--db", db}, "refusing to answer with a partial rule set");
  const std::string junk = root_->write("junk.db", "this is not a database, just text that is long enough\n");
  fails({"search", "ms", "--db", junk}, "junk.db");
  // An empty inventory is not "clean".
  const std::string empty = path("empty.db");
  ASSERT_EQ(run({"index", path("acme/notes"), "--db", empty}).code, 1);
  fails({"search", "ms", "--db", empty}, "no inventory at ");
  fails({"index", path("does-not-exist"), "--db", path("x.db")}, "no such file or folder");
  fails({"index", path("acme/notes"), "--db", path("x.db")}, "neither a git clone nor a folder holding clones");
}

TEST_F(HistoryCli, ManyRunnersIndexIntoOnePostgresDatabase) {
  inventory::testing::PgServer& pg = inventory::testing::PgServer::get();
  ASSERT_TRUE(pg.running()) << "cannot run the PostgreSQL test: " << pg.problem();
  std::string problem;
  const std::string url = pg.fresh_database(&problem);
  ASSERT_FALSE(url.empty()) << problem;
  // Two CI runners, one organisation each, at the same time.
  CmdResult a, b;
  std::thread ta([&] { a = run({"index", path("acme"), "--db", url}); });
  std::thread tb([&] { b = run({"index", path("beta"), "--db", url}); });
  ta.join();
  tb.join();
  ASSERT_EQ(a.code, 0) << a.err;
  ASSERT_EQ(b.code, 0) << b.err;
  CmdResult r = run({"blast-radius", "--rules", path("rules"), "--db", url, "--json"});
  ASSERT_EQ(r.code, 2) << r.err;
  nlohmann::json j = json_of(r);
  EXPECT_EQ(j["summary"]["repositories_searched"], 3);
  ASSERT_EQ(j["repos"].size(), 2u);
  EXPECT_EQ(j["repos"][0]["repo"], "api");
  EXPECT_EQ(j["repos"][1]["matches"][0]["introduced_by"]["pr"], 7);
  // The same answer as from SQLite.
  const std::string db = indexed("compare.db");
  CmdResult lite = run({"search", "ms", "--db", db, "--json"});
  CmdResult pgs = run({"search", "ms", "--db", url, "--json"});
  EXPECT_EQ(lite.code, 2);
  EXPECT_EQ(json_of(pgs), json_of(lite));
}

TEST(ParseDate, FormsAndZones) {
  std::string why;
  EXPECT_EQ(parse_date("2026-01-01", false, &why), 1767225600);
  EXPECT_EQ(parse_date("2026-01-01", true, &why), 1767225600 + 86399);
  EXPECT_EQ(parse_date("2026-01-01T01:00:00Z", false, &why), 1767225600 + 3600);
  EXPECT_EQ(parse_date("2026-01-01T03:00:00+02:00", false, &why), 1767225600 + 3600);
  EXPECT_EQ(parse_date("2025-12-31T23:00:00-01:00", false, &why), 1767225600);
  EXPECT_FALSE(parse_date("2026-13-01", false, &why));
  EXPECT_FALSE(parse_date("2026-01-01T25:00:00Z", false, &why));
  EXPECT_FALSE(parse_date("2026-1-1", false, &why));
  EXPECT_FALSE(parse_date("", false, &why));
}

}  // namespace
}  // namespace gv
