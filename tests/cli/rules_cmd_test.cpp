// `gouvernante rules validate|new|test|list|show`, in process through run_cli
// (as a user types them, one dash or two) and, for the runbook, as the real
// binary from a folder laid out as the runbook assumes.
#include "cli/rules_cmd.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli/cli.h"
#include "cli/cli_run.h"
#include "common/temp_dir.h"
#include "rules/load.h"
#include "rules/write.h"

namespace gv {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::read_text;
using testing::source_path;
using testing::TempDir;
using testing::CmdResult;
using testing::run;
using testing::shell;

const std::string kBin = "'" GV_BINARY "'";

void lay_out_runbook(const TempDir& t) {
  fs::copy(source_path("examples/runbook"), t.path(), fs::copy_options::recursive);
}

// The issue's example: every IOC kind of runbook step 2 in one command.
std::vector<std::string> runbook_new_args() {
  return {"rules",         "new",
          "--title",       "Compromised example-utils releases",
          "--severity",    "critical",
          "--summary",     "Versions 2.3.1 and 2.3.2 of example-utils exfiltrate environment variables.",
          "--package",     "example-utils@2.3.1,2.3.2",
          "--dropper",     "plain-crypto-js",
          "--file",        "/tmp/.node-cache",
          "--sha256",      "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
          "--domain",      "evil.example",
          "--reference",   "https://github.com/advisories/GHSA-xxxx-yyyy-zzzz",
          "--remediation", "Pin example-utils to version 2.3.0.",
          "--step",        "Pin example-utils to 2.3.0",
          "--step",        "Upgrade to 2.3.3 once published"};
}

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& more) {
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

nlohmann::json only_rule(const std::string& doc) { return nlohmann::json::parse(doc)["rules"][0]; }

const char* kRuleA =
    R"({"schema_version":"1.0.0","rules":[{"id":"T-1","title":"a","kind":"compromised-release",
  "ecosystem":"npm","severity":"critical","package_rules":[{"package_name":"example-utils","affected_versions":["=2.3.1"]}]}]})";
const char* kRuleB = R"({"schema_version":"1.0.0","rules":[{"id":"T-2","title":"b","kind":"malicious-package",
  "ecosystem":"npm","severity":"high","package_rules":[{"package_name":"chalk","affected_versions":["*"]}],
  "dropper_packages":[{"package_name":"plain-crypto-js"}],
  "host_indicators":[{"type":"process","value":"evil","oses":["linux"]}]}]})";

// --- rules new ---

TEST(RulesNew, RunbookRuleFromFlagsRoundTripsThroughValidateAndTest) {
  TempDir t;
  lay_out_runbook(t);
  const std::string dir = t.str() + "/rules";
  CmdResult n = run(with(runbook_new_args(), {"--rules-dir", dir, "-o", dir + "/"}));
  ASSERT_EQ(n.code, 0) << n.err;
  // rules/ holds SSC-2026-005: the next free id of 2026 is 006.
  const std::string file = dir + "/SSC-2026-006.json";
  EXPECT_THAT(n.err, HasSubstr("wrote " + file));
  EXPECT_TRUE(n.out.empty());
  nlohmann::json r = only_rule(read_text(file));
  EXPECT_EQ(r["id"], "SSC-2026-006");
  EXPECT_EQ(r["kind"], "compromised-release");
  EXPECT_EQ(r["ecosystem"], "npm");
  EXPECT_EQ(r["severity"], "critical");
  EXPECT_EQ(r["package_rules"][0]["package_name"], "example-utils");
  EXPECT_EQ(r["package_rules"][0]["affected_versions"], nlohmann::json({"=2.3.1", "=2.3.2"}));
  EXPECT_EQ(r["dropper_packages"][0]["package_name"], "plain-crypto-js");
  const nlohmann::json& file_ind = r["host_indicators"][0];
  EXPECT_EQ(file_ind["type"], "file");
  EXPECT_EQ(file_ind["path"], "/tmp");
  EXPECT_EQ(file_ind["file_name"], ".node-cache");
  EXPECT_EQ(file_ind["oses"], nlohmann::json({"linux", "macos"}));
  EXPECT_EQ(file_ind["hashes"][0]["algorithm"], "sha256");
  EXPECT_EQ(file_ind["hashes"][0]["value"],
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(r["host_indicators"][1]["type"], "network");
  EXPECT_EQ(r["host_indicators"][1]["value"], "evil.example");
  EXPECT_EQ(r["references"][0]["type"], "advisory");
  EXPECT_EQ(r["remediation"]["steps"].size(), 2u);
  EXPECT_EQ(r["metadata"]["published_at"], "2026-04-01T12:00:00Z");
  EXPECT_EQ(r["metadata"]["last_updated_at"], "2026-04-01T12:00:00Z");

  CmdResult v = run({"rules", "validate", dir});
  EXPECT_EQ(v.code, 0) << v.out;
  EXPECT_THAT(v.out, HasSubstr("valid: 2 files, 2 rules"));

  CmdResult test = run({"rules", "test", file, "--affected", t.str() + "/test/affected-lockfile.json",
                        "--clean", t.str() + "/test/clean-lockfile.json"});
  EXPECT_EQ(test.code, 0) << test.out << test.err;
  EXPECT_THAT(test.out, HasSubstr("example-utils@2.3.1  SSC-2026-006 (=2.3.1)  " + t.str() +
                                  "/test/affected-lockfile.json:"));
  EXPECT_THAT(test.out, HasSubstr("PASS: 1 finding in 1 affected lockfile, nothing in 1 clean lockfile"));
}

TEST(RulesNew, PrintsALoadableDocumentWithoutOutputFile) {
  TempDir t;
  CmdResult n =
      run({"rules", "new", "--id", "SSC-2026-042", "--title", "t", "--severity", "high", "--package",
           "@scope/pkg@>=1.0.0 <1.0.5,2.0.0", "--package", "@scope/pkg@v2.0.1", "--rules-dir", t.str()});
  ASSERT_EQ(n.code, 0) << n.err;
  RuleSet rs;
  Errors errors;
  ASSERT_TRUE(parse_rule_document(n.out, "out.json", &rs, &errors)) << n.out;
  ASSERT_EQ(rs.rules.size(), 1u);
  const Rule& r = rs.rules[0];
  EXPECT_EQ(r.id, "SSC-2026-042");
  ASSERT_EQ(r.package_rules.size(), 1u);  // the two --package of one name merge
  EXPECT_EQ(r.package_rules[0].package_name, "@scope/pkg");
  std::vector<std::string> exprs;
  for (const AffectedVersion& av : r.package_rules[0].affected_versions) exprs.push_back(av.expr);
  EXPECT_THAT(exprs, ElementsAre(">=1.0.0 <1.0.5", "=2.0.0", "=2.0.1"));
  // The writer is the one rules import uses: same bytes for the same rule.
  EXPECT_EQ(n.out, rule_document_json(rs.rules));
}

TEST(RulesNew, OneDashFlagsAsInTheRunbook) {
  TempDir t;
  CmdResult n = run({"rules", "new", "-title", "t", "-severity", "low", "-package", "a@1.0.0", "-kind",
                     "malicious-package", "-rules-dir", t.str(), "-alias", "CVE-2026-1", "-reference",
                     "https://blog.example/post"});
  ASSERT_EQ(n.code, 0) << n.err;
  nlohmann::json r = only_rule(n.out);
  EXPECT_EQ(r["kind"], "malicious-package");
  EXPECT_EQ(r["severity"], "low");
  EXPECT_EQ(r["aliases"][0], nlohmann::json({{"type", "cve"}, {"value", "CVE-2026-1"}}));
  EXPECT_EQ(r["references"][0]["type"], "other");
}

TEST(RulesNew, HashesFollowTheirFileAndOsFollowsItsIndicator) {
  TempDir t;
  const std::string h256(64, 'a'), h1(40, 'b'), md5(32, 'c');
  CmdResult n = run({"rules",        "new",
                     "--title",      "t",
                     "--severity",   "high",
                     "--rules-dir",  t.str(),
                     "--confidence", "medium",  // default for all
                     "--file",       "/tmp/a.js",
                     "--sha256",     h256,
                     "--os",         "linux",
                     "--process",    "evil",
                     "--os",         "linux,windows,darwin",
                     "--confidence", "high",
                     "--file",       "%APPDATA%\\npm\\b.js",
                     "--sha1",       h1,
                     "--md5",        md5,
                     "--env",        "EVIL_TOKEN",
                     "--ip",         "[2001:db8::1]:443",
                     "--file",       "~/.config/evil/"});
  ASSERT_EQ(n.code, 0) << n.err;
  nlohmann::json h = only_rule(n.out)["host_indicators"];
  ASSERT_EQ(h.size(), 6u);
  EXPECT_EQ(h[0]["hashes"].size(), 1u);
  EXPECT_EQ(h[0]["oses"], nlohmann::json({"linux"}));
  EXPECT_EQ(h[0]["confidence"], "medium");
  EXPECT_EQ(h[1]["type"], "process");
  EXPECT_EQ(h[1]["oses"], nlohmann::json({"linux", "windows", "macos"}));
  EXPECT_EQ(h[1]["confidence"], "high");
  EXPECT_EQ(h[2]["path"], "%APPDATA%\\npm");
  EXPECT_EQ(h[2]["file_name"], "b.js");
  EXPECT_EQ(h[2]["hashes"].size(), 2u);
  EXPECT_EQ(h[2]["oses"], nlohmann::json({"linux", "macos"}));
  EXPECT_EQ(h[3]["type"], "environment");
  EXPECT_EQ(h[3]["value"], "EVIL_TOKEN");
  EXPECT_EQ(h[4]["type"], "network");
  EXPECT_EQ(h[5]["path"], "~/.config/evil");
  EXPECT_FALSE(h[5].contains("file_name"));

  // A hash before the only --file is that file's.
  CmdResult one = run({"rules", "new", "--title", "t", "--severity", "high", "--rules-dir", t.str(),
                       "--sha256", h256, "--file", ".node-cache"});
  ASSERT_EQ(one.code, 0) << one.err;
  EXPECT_EQ(only_rule(one.out)["host_indicators"][0]["file_name"], ".node-cache");
  EXPECT_EQ(only_rule(one.out)["host_indicators"][0]["hashes"].size(), 1u);
}

TEST(RulesNew, NextFreeIdOfTheCurrentYear) {
  TempDir t;
  EXPECT_EQ(next_rule_id(t.str() + "/missing", 2026), "SSC-2026-001");
  t.write("a/SSC-2026-003.json", R"({"rules":[{"id":"SSC-2026-003"}]})");
  t.write("b.json", R"({"rules":[{"id":"X","summary":"supersedes SSC-2026-011"},{"id":"SSC-2025-040"}]})");
  t.write(".hidden/c.json", R"({"rules":[{"id":"SSC-2026-099"}]})");
  EXPECT_EQ(next_rule_id(t.str(), 2026), "SSC-2026-012");
  EXPECT_EQ(next_rule_id(t.str(), 2025), "SSC-2025-041");
  EXPECT_EQ(next_rule_id(t.str(), 2027), "SSC-2027-001");
  CmdResult n = run(
      {"rules", "new", "--title", "t", "--severity", "high", "--package", "a@1.0.0", "--rules-dir", t.str()});
  ASSERT_EQ(n.code, 0) << n.err;
  EXPECT_EQ(only_rule(n.out)["id"], "SSC-2026-012");
}

TEST(RulesNew, PackageSpecs) {
  PackageSpec s;
  std::string err;
  ASSERT_TRUE(parse_package_spec("example-utils@2.3.1,2.3.2", &s, &err));
  EXPECT_EQ(s.name, "example-utils");
  EXPECT_THAT(s.exprs, ElementsAre("=2.3.1", "=2.3.2"));
  ASSERT_TRUE(parse_package_spec("@ctrl/tinycolor@4.1.1, ^4.2.0 ,*", &s, &err));
  EXPECT_EQ(s.name, "@ctrl/tinycolor");
  EXPECT_THAT(s.exprs, ElementsAre("=4.1.1", "^4.2.0", "*"));
  ASSERT_TRUE(parse_package_spec("a@1.2.3-beta.1,1.2,=1.0.0", &s, &err));
  EXPECT_THAT(s.exprs, ElementsAre("=1.2.3-beta.1", "1.2", "=1.0.0"));

  EXPECT_FALSE(parse_package_spec("example-utils", &s, &err));
  EXPECT_THAT(err, HasSubstr("has no versions"));
  EXPECT_FALSE(parse_package_spec("@scope/x", &s, &err));
  EXPECT_THAT(err, HasSubstr("has no versions"));
  EXPECT_FALSE(parse_package_spec("@scope@1.0.0", &s, &err));
  EXPECT_THAT(err, HasSubstr("@scope/name"));
  EXPECT_FALSE(parse_package_spec("a@1.0.0,,1.0.1", &s, &err));
  EXPECT_THAT(err, HasSubstr("empty version"));
  EXPECT_FALSE(parse_package_spec("a@", &s, &err));
  EXPECT_FALSE(parse_package_spec("@1.0.0", &s, &err));
  EXPECT_FALSE(parse_package_spec("a@>=1.2.x.5", &s, &err));
  EXPECT_THAT(err, HasSubstr("invalid version or range '>=1.2.x.5'"));
}

TEST(RulesNew, ErrorsNameTheFlag) {
  TempDir t;
  auto fails = [&](std::vector<std::string> extra, const std::string& expected) {
    std::vector<std::string> args = {"rules", "new", "--title", "t", "--rules-dir", t.str()};
    if (std::find(extra.begin(), extra.end(), "--severity") == extra.end())
      extra.insert(extra.begin(), {"--severity", "high"});
    CmdResult r = run(with(args, extra));
    EXPECT_EQ(r.code, 1) << ::testing::PrintToString(extra);
    EXPECT_THAT(r.err, HasSubstr(expected)) << ::testing::PrintToString(extra);
    EXPECT_TRUE(r.out.empty());
  };
  fails({"--severity", "critcal", "--package", "a@1.0.0"},
        "--severity 'critcal': expected low, medium, high or critical");
  fails({"--package", "a@1.x.y.z"}, "--package 'a@1.x.y.z': invalid version or range '1.x.y.z'");
  fails({"--package", "example-utils"}, "--package 'example-utils' has no versions");
  fails({"--package", "bad name@1.0.0"},
        "--package 'bad name@1.0.0': package name 'bad name' contains whitespace");
  fails({"--package", "a@1.0.0", "--kind", "compromised"},
        "--kind 'compromised': invalid value 'compromised'; expected one of compromised-release");
  fails({"--package", "a@1.0.0", "--ecosystem", "pypi"}, "--ecosystem 'pypi': invalid value 'pypi'");
  fails({"--dropper", "plain-crypto-js@4.2.1"}, "a dropper is named without a version");
  fails({"--file", "/x", "--sha256", "abc"}, "--sha256 'abc': a sha256 hash has 64 hex digits, got 3");
  fails({"--file", "/x", "--md5", std::string(31, 'a') + "g"}, "not hexadecimal ('g' at index 31)");
  fails({"--sha1", std::string(40, 'a'), "--package", "a@1.0.0"}, "add the --file it belongs to");
  fails({"--sha1", std::string(40, 'a'), "--file", "/a", "--file", "/b"}, "put each hash after its --file");
  fails({"--file", "/x", "--os", "linux,mac"}, "--os 'linux,mac': unknown OS 'mac'");
  fails({"--file", "/x", "--os", "linux", "--os", "windows"}, "two --os for --file '/x'");
  fails({"--file", "/x", "--confidence", "certain"}, "--confidence 'certain': expected low, medium or high");
  fails({"--ip", "evil.example"}, "use --domain for names");
  fails({"--env", "=x"}, "--env '=x': expected NAME or NAME=VALUE");
  fails({"--package", "a@1.0.0", "--reference", "www.example.com"}, "expected an http(s) URL");
  fails({"--summary", "nothing"}, "the rule would match nothing");
  fails({"--package", "a@1.0.0", "--title", "x"}, "--title");  // given twice

  CmdResult nodir = run({"rules", "new", "--title", "t", "--severity", "high", "--package", "a@1.0.0",
                         "--rules-dir", t.str() + "/nope"});
  EXPECT_EQ(nodir.code, 1);
  EXPECT_THAT(nodir.err, HasSubstr("--rules-dir '" + t.str() + "/nope': not a folder"));

  CmdResult traversal = run({"rules", "new", "--id", "../x", "--title", "t", "--severity", "high", "--package",
                             "a@1.0.0", "--rules-dir", t.str(), "-o", t.str() + "/"});
  EXPECT_EQ(traversal.code, 1);
  EXPECT_THAT(traversal.err, HasSubstr("cannot name a file in"));

  CmdResult missing = run({"rules", "new", "--severity", "high", "--package", "a@1.0.0"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("--title is required"));
}

TEST(RulesNew, RefusesAnIdInUseAndAnExistingFileUnlessForced) {
  TempDir t;
  t.write("rules/x.json", std::string(kRuleA));
  const std::string dir = t.str() + "/rules";
  CmdResult dup = run({"rules", "new", "--id", "T-1", "--title", "t", "--severity", "high", "--package",
                       "a@1.0.0", "--rules-dir", dir});
  EXPECT_EQ(dup.code, 1);
  EXPECT_THAT(dup.err, HasSubstr("--id 'T-1': already used at " + dir + "/x.json:1"));

  const std::string out = t.write("out.json", "keep me");
  std::vector<std::string> args = {"rules",       "new",        "--id", "T-9",       "--title",
                                   "t",           "--severity", "high", "--package", "a@1.0.0",
                                   "--rules-dir", dir,          "-o",   out};
  CmdResult refused = run(args);
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, HasSubstr("exists; --force overwrites it"));
  EXPECT_EQ(read_text(out), "keep me");
  CmdResult forced = run(with(args, {"--force"}));
  EXPECT_EQ(forced.code, 0) << forced.err;
  EXPECT_EQ(only_rule(read_text(out))["id"], "T-9");
}

// --- rules validate ---

TEST(RulesValidate, EveryProblemInEveryFileThenASummary) {
  TempDir t;
  t.write("rules/a.json", kRuleA);
  t.write("rules/b.json", R"({"schema_version":"1.0.0","rules":[{"id":"T-1","title":"t","kind":"nope",
"ecosystem":"npm","severity":"critical","package_rules":[{"package_name":"a","affected_versions":["=1.x.y.z"]}]}]})");
  t.write("rules/c.json", R"({"schema_version":"1.0.0","rules":[)");
  std::filesystem::create_directories(t.path() / "empty");
  CmdResult r = run({"rules", "validate", t.str() + "/rules", t.str() + "/empty", t.str() + "/gone.json"});
  EXPECT_EQ(r.code, 1);
  const std::string a = t.str() + "/rules/a.json", b = t.str() + "/rules/b.json";
  EXPECT_THAT(r.out,
              HasSubstr(b + ":1:42: /rules/0/id: duplicate rule id T-1 (first defined at " + a + ":1:42)"));
  EXPECT_THAT(r.out, HasSubstr(b + ":1:67: /rules/0/kind: invalid value 'nope'"));
  EXPECT_THAT(
      r.out,
      HasSubstr(b + ":2:99: /rules/0/package_rules/0/affected_versions/0: invalid version expression"));
  EXPECT_THAT(r.out, HasSubstr(t.str() + "/rules/c.json:1:36: invalid JSON"));
  EXPECT_THAT(r.out, HasSubstr("no rule files (*.json) found in " + t.str() + "/empty"));
  EXPECT_THAT(r.out, HasSubstr(t.str() + "/gone.json: cannot open"));
  EXPECT_THAT(r.out, HasSubstr("invalid: 6 problems in 4 of 5 files"));

  CmdResult ok = run({"rules", "validate", a});
  EXPECT_EQ(ok.code, 0);
  EXPECT_EQ(ok.out, "valid: 1 file, 1 rule\n");
}

TEST(RulesValidate, JsonForMachines) {
  TempDir t;
  const std::string a = t.write("a.json", kRuleA);
  const std::string b = t.write("b.json", R"({"schema_version":"1.0.0","rules":[{"id":"T-2","title":"t",
"kind":"dropper","ecosystem":"npm","severity":"critical","dropper_packages":[{"package_name":"x","note":"y"}]}]})");
  CmdResult r = run({"rules", "validate", "-json", a, b});
  EXPECT_EQ(r.code, 1);
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["valid"], false);
  ASSERT_EQ(j["files"].size(), 2u);
  EXPECT_EQ(j["files"][0], nlohmann::json({{"path", a}, {"rules", 1}, {"errors", nlohmann::json::array()}}));
  EXPECT_EQ(j["files"][1]["rules"], 0);
  ASSERT_EQ(j["files"][1]["errors"].size(), 1u);
  const nlohmann::json& e = j["files"][1]["errors"][0];
  EXPECT_EQ(e["file"], b);
  EXPECT_EQ(e["line"], 2);
  EXPECT_GT(e["col"].get<int>(), 0);
  EXPECT_EQ(e["pointer"], "/rules/0/dropper_packages/0/note");
  EXPECT_EQ(e["message"], "unknown field 'note' (did you mean 'notes'?)");

  CmdResult ok = run({"rules", "validate", "--json", a});
  EXPECT_EQ(ok.code, 0);
  EXPECT_EQ(nlohmann::json::parse(ok.out)["valid"], true);
}

TEST(RulesValidate, FilesWithNoRulesAtAllAreRefusedAsTheScanRefusesThem) {
  TempDir t;
  const std::string e = t.write("e.json", R"({"schema_version":"1.0.0","rules":[]})");
  CmdResult r = run({"rules", "validate", e});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr(e + ": holds no rules"));
  // Beside a file with rules, an empty one is fine (as for -rules).
  CmdResult ok = run({"rules", "validate", e, t.write("a.json", kRuleA)});
  EXPECT_EQ(ok.code, 0) << ok.out;
}

// --- rules test ---

TEST(RulesTest, FailsWhenTheAffectedLockfileIsCleanOrTheCleanOneIsNot) {
  const std::string rules = source_path("examples/runbook/rules");
  const std::string affected = source_path("examples/runbook/test/affected-lockfile.json");
  const std::string clean = source_path("examples/runbook/test/clean-lockfile.json");
  CmdResult pass = run({"rules", "test", rules, "-affected", affected, "-clean", clean});
  EXPECT_EQ(pass.code, 0) << pass.out << pass.err;
  EXPECT_THAT(pass.out, HasSubstr("rules    1 rule from 1 file (SSC-2026-005)"));
  EXPECT_THAT(pass.out, HasSubstr("clean    " + clean + " (npm v3, "));

  CmdResult swapped = run({"rules", "test", rules, "--affected", clean, "--clean", affected});
  EXPECT_EQ(swapped.code, 1);
  EXPECT_THAT(swapped.out, HasSubstr("FAIL: " + clean + ": nothing found in an affected lockfile"));
  EXPECT_THAT(swapped.out, HasSubstr("FAIL: " + affected + ": 1 finding in a clean lockfile"));
  EXPECT_THAT(swapped.out, HasSubstr("example-utils@2.3.1  SSC-2026-005 (=2.3.1)"));
}

TEST(RulesTest, AnUnscannableLockfileProvesNothing) {
  const std::string rules = source_path("examples/runbook/rules");
  CmdResult r =
      run({"rules", "test", rules, "--affected", source_path("examples/runbook/test/affected-lockfile.json"),
           "--clean", "/nonexistent/package-lock.json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr("NOT SCANNED"));
  EXPECT_THAT(r.out, HasSubstr("FAIL: /nonexistent/package-lock.json: could not be scanned"));
}

TEST(RulesTest, NeedsBothLockfilesAndLoadableRules) {
  CmdResult one = run({"rules", "test", source_path("examples/runbook/rules"), "--affected", "x.json"});
  EXPECT_EQ(one.code, 1);
  EXPECT_THAT(one.err, HasSubstr("give both --affected LOCKFILE"));
  TempDir t;
  t.write("bad.json", R"({"schema_version":"1.0.0","rules":[{"id":"X"}]})");
  CmdResult bad = run({"rules", "test", t.str() + "/bad.json", "--affected", "a", "--clean", "b"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.err, HasSubstr("bad.json:1:36: /rules/0: missing required field"));
  EXPECT_TRUE(bad.out.empty());
}

// --- rules list / show ---

TEST(RulesList, TableAndTotalsByKindAndSeverity) {
  TempDir t;
  t.write("rules/a.json", kRuleA);
  t.write("rules/b.json", kRuleB);
  CmdResult r = run({"rules", "list", t.str() + "/rules"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ID   SEVERITY  KIND                 PKGS  DROPPERS  HOST  TITLE\n"
                               "T-1  critical  compromised-release  1     0         0     a\n"
                               "T-2  high      malicious-package    1     1         1     b\n"));
  EXPECT_THAT(r.out, HasSubstr("2 rules from 2 files: 2 package entries, 1 dropper, 1 host indicator\n"));
  EXPECT_THAT(r.out, HasSubstr("by severity: critical 1, high 1\n"));
  EXPECT_THAT(r.out, HasSubstr("by kind: compromised-release 1, malicious-package 1\n"));

  CmdResult j =
      run({"rules", "list", "--json", "--rules", t.str() + "/rules/b.json", t.str() + "/rules/a.json"});
  ASSERT_EQ(j.code, 0);
  nlohmann::json doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["rules"][0]["id"], "T-1");  // positional paths first, then --rules
  EXPECT_EQ(doc["rules"][1]["droppers"], 1);
  EXPECT_EQ(doc["totals"]["rules"], 2);
  EXPECT_EQ(doc["totals"]["by_severity"], nlohmann::json({{"critical", 1}, {"high", 1}}));
  EXPECT_EQ(doc["totals"]["by_kind"]["malicious-package"], 1);
}

TEST(RulesList, BundledRulesAndInvalidRules) {
  CmdResult r = run({"rules", "list", source_path("rules")});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("SSC-2025-001"));
  TempDir t;
  t.write("bad.json", R"({"schema_version":"2.0.0","rules":[]})");
  CmdResult bad = run({"rules", "list", t.str() + "/bad.json"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.err, HasSubstr("unsupported schema major version 2"));
}

TEST(RulesList, UntrustedTextIsEscapedForTheTerminal) {
  TempDir t;
  t.write("r.json", R"({"schema_version":"1.0.0","rules":[{"id":"T-1","title":"a\u001b[2Jb","kind":"dropper",
    "ecosystem":"npm","severity":"low","dropper_packages":[{"package_name":"x","notes":"\u009b31m"}]}]})");
  CmdResult l = run({"rules", "list", t.str() + "/r.json"});
  EXPECT_THAT(l.out, HasSubstr("a\\x1b[2Jb"));
  EXPECT_THAT(l.out, Not(HasSubstr("\x1b")));
  CmdResult s = run({"rules", "show", "T-1", "--rules", t.str() + "/r.json"});
  EXPECT_THAT(s.out, HasSubstr("a\\x1b[2Jb"));
  EXPECT_THAT(s.out, Not(HasSubstr("\x1b")));
  EXPECT_THAT(s.out, Not(HasSubstr("\xc2\x9b")));
}

TEST(RulesShow, PrettyAndJson) {
  const std::string rules = source_path("examples/runbook/rules");
  CmdResult r = run({"rules", "show", "SSC-2026-005", "--rules", rules});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("SSC-2026-005  Compromised example-utils releases\n"));
  EXPECT_THAT(r.out, HasSubstr("  severity    critical\n"));
  EXPECT_THAT(r.out, HasSubstr("    example-utils  =2.3.1, =2.3.2  (npm, pnpm, yarn lockfiles only)"));
  EXPECT_THAT(r.out, HasSubstr("    file /tmp/.node-cache  [linux, macos]  confidence high"));
  EXPECT_THAT(r.out, HasSubstr("    1. Pin example-utils to 2.3.0\n"));

  CmdResult j = run({"rules", "show", "SSC-2026-005", "-rules", rules, "-json"});
  ASSERT_EQ(j.code, 0);
  RuleSet rs;
  Errors errors;
  ASSERT_TRUE(load_rules({rules}, &rs, &errors));
  EXPECT_EQ(j.out, rule_document_json(rs.rules));

  CmdResult missing = run({"rules", "show", "ssc-2026-005", "--rules", rules});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err,
              HasSubstr("no rule ssc-2026-005 in " + rules + " (1 rule loaded; did you mean SSC-2026-005?)"));
}

// --- the dispatcher ---

TEST(RulesCommand, UsageAndUnknownSubcommand) {
  CmdResult none = run({"rules"});
  EXPECT_EQ(none.code, 1);
  EXPECT_THAT(none.err, HasSubstr("gouvernante rules validate PATH..."));
  CmdResult help = run({"rules", "-help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, HasSubstr("gouvernante rules test RULES... --affected LOCKFILE --clean LOCKFILE"));
  CmdResult sub_help = run({"rules", "new", "-help"});
  EXPECT_EQ(sub_help.code, 0);
  EXPECT_THAT(sub_help.out, HasSubstr("--sha256"));
  CmdResult import = run({"rules", "import"});  // another file's subcommand: dispatched, not unknown
  EXPECT_THAT(import.err, Not(HasSubstr("unknown subcommand")));
  CmdResult bad = run({"rules", "frobnicate"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.err, HasSubstr("unknown subcommand 'frobnicate'"));
  CmdResult top = run({"-help"});
  EXPECT_THAT(top.out, HasSubstr("gouvernante rules validate|new|test|list|show|import"));
}

// --- issue #5 item 5: several -rules merge; a duplicate id names both places ---

TEST(RulesMerge, SeveralRulesFlagsMergeFilesAndFolders) {
  TempDir t;
  t.write("one/a.json", kRuleA);
  t.write("two.json", kRuleB);
  const std::string lock = source_path("examples/runbook/test/affected-lockfile.json");
  CmdResult r =
      run({"-rules", t.str() + "/one", "-rules", t.str() + "/two.json", "-lockfile", lock, "-json"});
  EXPECT_EQ(r.code, 2) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  std::set<std::string> ids;
  for (const auto& f : j["findings"]) ids.insert(f["rule_id"].get<std::string>());
  EXPECT_EQ(ids, (std::set<std::string>{"T-1", "T-2"}));  // example-utils from one, chalk from the other
}

TEST(RulesMerge, DuplicateIdAcrossFilesIsAnErrorNamingBothPositions) {
  TempDir t;
  const std::string a = t.write("a.json", kRuleA);
  const std::string b =
      t.write("b/dup.json",
              "{\"schema_version\":\"1.0.0\",\n\"rules\":[\n  {\"id\": \"T-1\", \"title\":\"again\",\n"
              "\"kind\":\"dropper\",\"ecosystem\":\"npm\",\"severity\":\"low\","
              "\"dropper_packages\":[{\"package_name\":\"x\"}]}]}");
  CmdResult r = run({"-rules", a, "-rules", t.str() + "/b", "-lockfile",
                     source_path("examples/runbook/test/clean-lockfile.json")});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err,
              HasSubstr(b + ":3:10: /rules/0/id: duplicate rule id T-1 (first defined at " + a + ":1:42)"));
  EXPECT_THAT(r.err, HasSubstr("refusing to scan"));
  EXPECT_TRUE(r.out.empty());
  // rules validate says the same, file by file.
  CmdResult v = run({"rules", "validate", a, t.str() + "/b"});
  EXPECT_EQ(v.code, 1);
  EXPECT_THAT(v.out,
              HasSubstr(b + ":3:10: /rules/0/id: duplicate rule id T-1 (first defined at " + a + ":1:42)"));
}

// --- the runbook, steps 3 and 4, with the real binary ---

TEST(RulesRunbook, Steps3And4WithTheRulesCommands) {
  TempDir t;
  lay_out_runbook(t);
  fs::remove(t.path() / "rules" / "SSC-2026-005.json");
  CmdResult n = shell(t.str(), kBin +
                                   " rules new -title 'Compromised example-utils releases' -severity critical"
                                   " -package example-utils@2.3.1,2.3.2 -file /tmp/.node-cache"
                                   " -reference https://github.com/advisories/GHSA-xxxx-yyyy-zzzz"
                                   " -remediation 'Pin example-utils to 2.3.0' -o rules/");
  ASSERT_EQ(n.code, 0) << n.err;
  EXPECT_THAT(n.err, HasSubstr("wrote rules/SSC-"));
  CmdResult v = shell(t.str(), kBin + " rules validate ./rules");
  EXPECT_EQ(v.code, 0) << v.out;
  CmdResult test = shell(t.str(), kBin +
                                      " rules test ./rules --affected ./test/affected-lockfile.json"
                                      " --clean ./test/clean-lockfile.json");
  EXPECT_EQ(test.code, 0) << test.out << test.err;
  EXPECT_THAT(test.out, HasSubstr("example-utils@2.3.1"));
  EXPECT_THAT(test.out, HasSubstr("PASS"));
  // The runbook's own two commands agree.
  EXPECT_EQ(shell(t.str(), kBin + " -rules ./rules -lockfile ./test/affected-lockfile.json").code, 2);
  EXPECT_EQ(shell(t.str(), kBin + " -rules ./rules -lockfile ./test/clean-lockfile.json").code, 0);
  CmdResult list = shell(t.str(), kBin + " rules list");
  EXPECT_EQ(list.code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("Compromised example-utils releases"));
}

}  // namespace
}  // namespace gv
