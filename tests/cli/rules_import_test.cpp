// `gouvernante rules import`, in process (run_rules_import with string
// streams; the `rules` dispatcher is wired in separately): arguments, the
// summary, all-or-nothing writing, idempotent re-imports, and the imported
// file used by a scan.
#include "cli/rules_import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>
#include <thread>

#include "cli/cli_run.h"
#include "common/temp_dir.h"
#include "rules/load.h"

namespace gv {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::read_text;
using testing::source_path;
using ::testing::StartsWith;
using testing::TempDir;
using testing::CmdResult;

const std::string kData = source_path("tests/rules/import-testdata");

CmdResult import_cmd(std::vector<std::string> args) {
  std::ostringstream out, err;
  CliEnv env{&out, &err};
  int code = run_rules_import(args, env);
  return {code, out.str(), err.str()};
}

CmdResult scan_cmd(std::vector<std::string> args) {
  std::ostringstream out, err;
  CliEnv env{&out, &err};
  int code = run_cli(args, env);
  return {code, out.str(), err.str()};
}

TEST(ImportCli, OsvFolderToFileThenUnchangedOnReimport) {
  TempDir t;
  std::string out = t.str() + "/rules/osv-malicious.json";  // the folder is created
  CmdResult r = import_cmd({"osv", kData + "/osv/malicious", "-o", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "imported 5 rules (5 package entries) from 7 files; skipped: 1 withdrawn, 1 other "
            "ecosystems, 0 before --since; " +
                out + " written\n");
  RuleSet rs;
  Errors errors;
  ASSERT_TRUE(load_rules({out}, &rs, &errors)) << errors.at(0).str();
  EXPECT_EQ(rs.rules.size(), 5u);

  const std::string first = read_text(out);
  const auto mtime = fs::last_write_time(out);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  r = import_cmd({"osv", kData + "/osv/malicious", "--output", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(out + " unchanged"));
  EXPECT_EQ(read_text(out), first);
  EXPECT_EQ(fs::last_write_time(out), mtime);  // not rewritten
}

TEST(ImportCli, WithoutOutputTheRulesGoToStdout) {
  TempDir t;
  std::string out = t.str() + "/x.json";
  ASSERT_EQ(import_cmd({"ghsa", kData + "/ghsa/advisories.json", "-o", out}).code, 0);
  CmdResult r = import_cmd({"ghsa", kData + "/ghsa/advisories.json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, read_text(out));
  EXPECT_THAT(r.err, StartsWith("imported 3 rules (4 package entries) from 1 file; skipped: 1 withdrawn, 1 other "
                                "ecosystems, 0 before --since\n"));
}

TEST(ImportCli, GoStyleFlagsAndJsonSummary) {
  TempDir t;
  std::string out = t.str() + "/recent.json";
  CmdResult r = import_cmd({"osv", kData + "/osv/malicious", "-output", out, "-since", "2025-06-01", "-json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["output"], out);
  EXPECT_EQ(j["state"], "written");
  EXPECT_EQ(j["rules"], 4);
  EXPECT_EQ(j["files"], 7);
  EXPECT_EQ(j["skipped"]["before_since"], 1);
  EXPECT_EQ(j["skipped"]["withdrawn"], 1);
  EXPECT_TRUE(j["errors"].empty());
  r = import_cmd({"osv", kData + "/osv/malicious", "--since=2025-06-01", "-o", out, "--json"});
  EXPECT_EQ(nlohmann::json::parse(r.out)["state"], "unchanged");
}

TEST(ImportCli, ErrorsWriteNothingAndListEveryProblem) {
  TempDir t;
  std::string out = t.str() + "/bad.json";
  CmdResult r = import_cmd({"csv", kData + "/csv/bad-rows.csv", "-o", out});
  EXPECT_EQ(r.code, 1);
  EXPECT_FALSE(fs::exists(out));
  EXPECT_THAT(r.err, HasSubstr("bad-rows.csv:3: row has 3 fields"));
  EXPECT_THAT(r.err, HasSubstr("bad-rows.csv:10: unterminated quoted field"));
  EXPECT_THAT(r.err, HasSubstr("gouvernante rules import: 8 problems in the input; nothing written\n"));

  // An existing file is left as it was.
  t.write("bad.json", "previous");
  r = import_cmd({"csv", kData + "/csv/bad-rows.csv", "-o", out, "-json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(read_text(out), "previous");
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["state"], "failed");
  ASSERT_EQ(j["errors"].size(), 8u);
  EXPECT_EQ(j["errors"][0]["line"], 3);
}

TEST(ImportCli, ArgumentMistakes) {
  EXPECT_THAT(import_cmd({"nvd", "x"}).err, HasSubstr("unknown format 'nvd'; expected osv, csv or ghsa"));
  EXPECT_THAT(import_cmd({"osv"}).err, HasSubstr("SRC is required"));
  EXPECT_THAT(import_cmd({"osv", kData + "/osv", "--json"}).err, HasSubstr("add -o FILE"));
  EXPECT_THAT(import_cmd({"osv", kData + "/osv", "--id", "X"}).err, HasSubstr("describe the rule a CSV file becomes"));
  EXPECT_THAT(import_cmd({"csv", kData + "/csv/at-versions.csv", "--kind", "bad"}).err, HasSubstr("--kind 'bad'"));
  EXPECT_THAT(import_cmd({"csv", kData + "/csv/at-versions.csv", "--severity", "severe"}).err,
              HasSubstr("--severity 'severe'"));
  EXPECT_THAT(import_cmd({"osv", kData + "/osv", "--since", "last week"}).err,
              HasSubstr("--since 'last week': expected a date YYYY-MM-DD"));
  for (const auto& args : std::vector<std::vector<std::string>>{{"nvd", "x"}, {"osv"}, {"osv", "/nonexistent"}}) {
    EXPECT_EQ(import_cmd(args).code, 1);
  }
  TempDir t;
  std::string feed = t.write("feed.json", "[]");
  EXPECT_THAT(import_cmd({"osv", feed, "-o", feed}).err, HasSubstr("is the file being imported"));
  CmdResult help = import_cmd({"-help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, HasSubstr("--since"));
}

TEST(ImportCli, CsvRuleOptions) {
  TempDir t;
  std::string out = t.str() + "/ssc.json";
  CmdResult r = import_cmd({"csv", kData + "/csv/at-versions.csv", "-o", out, "-id", "SSC-2025-009", "-title",
                            "Debug and chalk compromise", "-kind", "compromised-release", "-severity", "high"});
  ASSERT_EQ(r.code, 0) << r.err;
  RuleSet rs;
  Errors errors;
  ASSERT_TRUE(load_rules({out}, &rs, &errors));
  ASSERT_EQ(rs.rules.size(), 1u);
  EXPECT_EQ(rs.rules[0].id, "SSC-2025-009");
  EXPECT_EQ(rs.rules[0].title, "Debug and chalk compromise");
  EXPECT_EQ(rs.rules[0].severity, Severity::kHigh);
}

TEST(ImportCli, ImportingIntoTheSourceFolderIsIdempotent) {
  TempDir t;
  fs::copy(kData + "/osv", t.path() / "feed", fs::copy_options::recursive);
  std::string out = t.str() + "/feed/imported.json";
  ASSERT_EQ(import_cmd({"osv", t.str() + "/feed", "-o", out}).code, 0);
  CmdResult r = import_cmd({"osv", t.str() + "/feed", "-o", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("from 7 files"));
  EXPECT_THAT(r.err, HasSubstr("unchanged"));
}

// The import feeds a scan: chalk 5.6.1 in a lockfile is a finding (exit 2).
TEST(ImportCli, ImportedRulesFindPackagesInALockfile) {
  TempDir t;
  ASSERT_EQ(import_cmd({"osv", kData + "/osv", "-o", t.str() + "/rules/malicious.json"}).code, 0);
  ASSERT_EQ(import_cmd({"osv", kData + "/osv-vulns", "-o", t.str() + "/rules/vulns.json"}).code, 0);
  std::string lock = t.write("app/package-lock.json", R"({
  "name": "app", "lockfileVersion": 3, "requires": true,
  "packages": {
    "": {"name": "app", "dependencies": {"chalk": "^5.6.0", "route-matcher": "^2.0.0"}},
    "node_modules/chalk": {"version": "5.6.1", "resolved": "https://registry.npmjs.org/chalk/-/chalk-5.6.1.tgz"},
    "node_modules/route-matcher": {"version": "2.1.0", "resolved": "https://registry.npmjs.org/route-matcher/-/route-matcher-2.1.0.tgz"}
  }
})");
  CmdResult r = scan_cmd({"-rules", t.str() + "/rules", "-lockfile", lock, "-json"});
  EXPECT_EQ(r.code, 2) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  std::vector<std::string> ids;
  for (const auto& f : j["findings"]) ids.push_back(f["rule_id"].get<std::string>());
  std::sort(ids.begin(), ids.end());
  EXPECT_THAT(ids, ::testing::ElementsAre("GHSA-r9p9-mrjm-926w", "MAL-0000-chalk", "MAL-2025-46969"));
}

}  // namespace
}  // namespace gv
