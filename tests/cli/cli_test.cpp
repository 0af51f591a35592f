// The command line, in process (run_cli) and as the real binary running the
// runbook's commands verbatim from a folder laid out as the runbook assumes.
#include "cli/cli.h"
#include "cli/cli_run.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "common/temp_dir.h"

namespace gv {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::source_path;
using testing::TempDir;
using testing::CmdResult;
using testing::run;
using testing::shell;

// A folder as the runbook's step 4 expects: ./rules and ./test.
void lay_out_runbook(const TempDir& t) {
  namespace fs = std::filesystem;
  fs::copy(source_path("examples/runbook"), t.path(), fs::copy_options::recursive);
}

const std::string kBin = "'" GV_BINARY "'";

TEST(GoFlags, SingleDashLongFlagsBecomeDoubleDash) {
  const std::vector<std::string> known = {"rules", "json", "output", "dir"};
  EXPECT_THAT(normalize_go_flags({"-rules", "./r", "-json", "-output=auto", "--dir", "x", "-x"}, known),
              ElementsAre("--rules", "./r", "--json", "--output=auto", "--dir", "x", "-x"));
  EXPECT_THAT(normalize_go_flags({"--", "-rules"}, known), ElementsAre("--", "-rules"));
}

TEST(AutoOutput, NameCarriesUtcTimestampAndExtension) {
  EXPECT_EQ(auto_output_name(1775044800, "json"), "gouvernante-20260401T120000Z.json");
  EXPECT_EQ(auto_output_name(1775044800, "sarif"), "gouvernante-20260401T120000Z.sarif");
}

TEST(Runbook, Step4AffectedLockfileExitsTwoWithTheFinding) {
  TempDir t;
  lay_out_runbook(t);
  CmdResult r = shell(t.str(), kBin + " -rules ./rules -lockfile ./test/affected-lockfile.json");
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("SSC-2026-005"));
  EXPECT_THAT(r.out, HasSubstr("example-utils@2.3.1"));
  EXPECT_THAT(r.out, HasSubstr("Pin example-utils to 2.3.0"));
}

TEST(Runbook, Step4CleanLockfileExitsZero) {
  TempDir t;
  lay_out_runbook(t);
  CmdResult r = shell(t.str(), kBin + " -rules ./rules -lockfile ./test/clean-lockfile.json");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("CLEAN"));
}

// -host reads the machine: HOME points at an empty folder so the developer's
// own caches do not leak into the result (global folders such as
// /usr/lib/node_modules are still read, and hold nothing the rules name).
std::string isolated(const TempDir& t) {
  std::filesystem::create_directories(t.path() / "home");
  return "HOME='" + t.str() + "/home' XDG_CACHE_HOME= XDG_DATA_HOME= NPM_CONFIG_PREFIX= npm_config_cache= " + kBin;
}

TEST(Runbook, Step4HostKeepsTheLockfileFindingAndChecksTheHost) {
  TempDir t;
  lay_out_runbook(t);
  CmdResult r = shell(t.str(), isolated(t) + " -rules ./rules -lockfile ./test/affected-lockfile.json -host");
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("example-utils@2.3.1"));
  EXPECT_THAT(r.out, HasSubstr("Host checks (0 found, 1 clean, 0 skipped)"));
}

TEST(Runbook, Step8CleanProjectWithHostExitsZero) {
  TempDir t;
  lay_out_runbook(t);
  std::filesystem::create_directories(t.path() / "app");
  std::filesystem::copy(t.path() / "test" / "clean-lockfile.json", t.path() / "app" / "package-lock.json");
  CmdResult r = shell(t.str(), isolated(t) + " -rules ./rules -dir ./app -host");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("CLEAN"));
}

TEST(Host, InstalledAffectedVersionIsReportedAsInstalled) {
  TempDir t;
  lay_out_runbook(t);
  t.write("app/node_modules/example-utils/package.json",
          R"({"name":"example-utils","version":"2.3.2","scripts":{"postinstall":"node setup.js"}})");
  t.write("app/node_modules/left-pad/package.json", R"({"name":"left-pad","version":"1.3.0"})");
  CmdResult r = shell(t.str(), isolated(t) + " -rules ./rules -dir ./app -host");
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("example-utils@2.3.2"));
  EXPECT_THAT(r.out, HasSubstr("INSTALLED"));
  EXPECT_THAT(r.out, HasSubstr("install scripts"));
  CmdResult j = shell(t.str(), isolated(t) + " -rules ./rules -dir ./app -host -json");
  nlohmann::json doc = nlohmann::json::parse(j.out);
  ASSERT_EQ(doc["findings"].size(), 1u);
  EXPECT_EQ(doc["findings"][0]["origin"], "installed");
  EXPECT_EQ(doc["findings"][0]["install_kind"], "node_modules");
  EXPECT_EQ(doc["findings"][0]["install_scripts"], true);
  EXPECT_GE(doc["host"]["installed"]["packages"].get<int>(), 2);
}

TEST(Host, UnreadableInstalledPackageMakesTheScanIncomplete) {
  TempDir t;
  lay_out_runbook(t);
  std::filesystem::create_directories(t.path() / "app");
  std::filesystem::copy(t.path() / "test" / "clean-lockfile.json", t.path() / "app" / "package-lock.json");
  t.write("app/node_modules/hidden/package.json", R"({"name":"hidden","version":)");  // truncated
  CmdResult r = shell(t.str(), isolated(t) + " -rules ./rules -dir ./app -host");
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("hidden/package.json"));
  EXPECT_THAT(r.out, HasSubstr("INCOMPLETE"));
}

TEST(Host, DroppedFileWithMatchingHashIsFound) {
  TempDir t;
  t.write("drop/payload.bin", "abc");
  t.write("rules/r.json", R"({"schema_version":"1.0.0","rules":[{"id":"T-9","title":"dropped file","kind":"dropper",
    "ecosystem":"npm","severity":"critical","host_indicators":[{"type":"file","path":")" + t.str() +
                              R"(/drop","file_name":"payload.bin","oses":["linux"],"hashes":[{"algorithm":"sha256",
    "value":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}]},
    {"type":"registry","value":"HKCU\\Run\\evil","oses":["windows"]}]}]})");
  t.write("app/package-lock.json", R"({"name":"a","lockfileVersion":3,"packages":{"":{"name":"a"}}})");
  CmdResult r = shell(t.str(), isolated(t) + " -rules ./rules -dir ./app -host");
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("FOUND"));
  EXPECT_THAT(r.out, HasSubstr("sha256 matched"));
  EXPECT_THAT(r.out, HasSubstr("skipped"));  // the Windows-only indicator: listed, not hidden
  EXPECT_THAT(r.out, HasSubstr("host indicators found: 1"));
}

TEST(Heuristic, MaliciousInstalledCodeIsFoundWithoutRules) {
  TempDir t;
  t.write("app/node_modules/evil/package.json", R"({"name":"evil","version":"1.0.0"})");
  t.write("app/node_modules/evil/index.js",
          "const p = 'Y29uc29sZS5sb2coMSk=';\neval(atob(p));\n");
  t.write("app/node_modules/good/package.json", R"({"name":"good","version":"1.0.0"})");
  t.write("app/node_modules/good/index.js", "module.exports = (a, b) => a + b;\n");
  CmdResult r = shell(t.str(), isolated(t) + " -heuristic -dir ./app");
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("evil@1.0.0"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("good/index.js")));
  t.write("clean/node_modules/good/package.json", R"({"name":"good","version":"1.0.0"})");
  t.write("clean/node_modules/good/index.js", "module.exports = (a, b) => a + b;\n");
  CmdResult clean = shell(t.str(), isolated(t) + " -heuristic -dir ./clean");
  EXPECT_EQ(clean.code, 0) << clean.out << clean.err;
  // No node_modules at all: nothing was checked, so not clean.
  CmdResult none = shell(t.str(), isolated(t) + " -heuristic -dir ./yara-less");
  EXPECT_EQ(none.code, 1) << none.out << none.err;
}

TEST(Heuristic, BadUserYaraRuleIsAnErrorNamingTheFile) {
  TempDir t;
  t.write("app/node_modules/x/index.js", "1;\n");
  t.write("yara/bad.yar", "rule broken {\n  strings: $a = \"x\"\n  condition: $b\n}\n");
  CmdResult r = shell(t.str(), isolated(t) + " -heuristic -yara ./yara -dir ./app");
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_THAT(r.out + r.err, HasSubstr("bad.yar:"));
}

TEST(Runbook, Step6JsonOutputAutoWritesTimestampedReport) {
  TempDir t;
  lay_out_runbook(t);
  CmdResult r = shell(t.str(), kBin + " -rules ./rules -dir ./test -json -output auto");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("report written to gouvernante-"));
  std::string report;
  for (const auto& e : std::filesystem::directory_iterator(t.path()))
    if (e.path().filename().string().rfind("gouvernante-", 0) == 0 && e.path().extension() == ".json")
      report = e.path().string();
  ASSERT_FALSE(report.empty());
  auto j = nlohmann::json::parse(testing::read_text(report));
  ASSERT_EQ(j["findings"].size(), 1u);  // affected only; clean-lockfile has 2.3.0
  EXPECT_EQ(j["findings"][0]["package"], "example-utils");
  EXPECT_EQ(j["summary"]["lockfiles_scanned"], 2);
}

TEST(Cli, DoubleDashSpellingsAndSarifOutputFile) {
  TempDir t;
  lay_out_runbook(t);
  CmdResult r = shell(t.str(), kBin + " --rules ./rules --lockfile=./test/affected-lockfile.json --sarif --output out.sarif");
  EXPECT_EQ(r.code, 2) << r.err;
  auto s = nlohmann::json::parse(testing::read_text(t.str() + "/out.sarif"));
  EXPECT_EQ(s["runs"][0]["results"][0]["ruleId"], "SSC-2026-005");
  EXPECT_EQ(s["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "test/affected-lockfile.json");
}

TEST(Cli, TraceGoesToStderr) {
  TempDir t;
  lay_out_runbook(t);
  CmdResult r = shell(t.str(), kBin + " -rules ./rules -lockfile ./test/clean-lockfile.json -trace");
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr("[trace] rules file ./rules/SSC-2026-005.json"));
  EXPECT_THAT(r.err, HasSubstr("[trace] ./test/clean-lockfile.json: npm v3, scanned"));
}

TEST(Cli, ColourOnlyOnATerminalAndNeverWithNoColor) {
  auto demo = [](bool tty, bool no_color) {
    std::ostringstream out, err;
    CliEnv env{&out, &err};
    env.stdout_is_tty = tty;
    env.no_color = no_color;
    run_cli({"-rules", source_path("rules"), "-dir", source_path("examples/demo-app")}, env);
    return out.str();
  };
  EXPECT_THAT(demo(true, false), HasSubstr("\x1b["));
  EXPECT_THAT(demo(true, true), ::testing::Not(HasSubstr("\x1b[")));
  EXPECT_THAT(demo(false, false), ::testing::Not(HasSubstr("\x1b[")));
}

TEST(Cli, MissingRulesFlagIsAnError) {
  CmdResult r = run({"-lockfile", "x.json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("-rules is required"));
}

TEST(Cli, InvalidRuleFileRefusesToScanAndListsProblems) {
  TempDir t;
  t.write("rules/bad.json", R"({"schema_version":"1.0.0","rules":[{"id":"X","title":"t","kind":"nope",
    "ecosystem":"npm","severity":"critical","package_rules":[{"package_name":"a","affected_versions":["=1.x.y.z"]}]}]})");
  t.write("package-lock.json", R"({"lockfileVersion":3,"packages":{"":{}}})");
  CmdResult r = run({"-rules", t.str() + "/rules", "-lockfile", t.str() + "/package-lock.json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr(t.str() + "/rules/bad.json:1:"));
  EXPECT_THAT(r.err, HasSubstr("/rules/0/kind"));
  EXPECT_THAT(r.err, HasSubstr("/rules/0/package_rules/0/affected_versions/0"));
  EXPECT_THAT(r.err, HasSubstr("refusing to scan"));
  EXPECT_TRUE(r.out.empty());
}

TEST(Cli, EmptyRulesFolderIsAnError) {
  TempDir t;
  std::filesystem::create_directories(t.path() / "rules");
  CmdResult r = run({"-rules", t.str() + "/rules", "-dir", t.str()});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("no rule files"));
}

TEST(Cli, MissingLockfileIsAnErrorNamingIt) {
  CmdResult r = run({"-rules", source_path("rules"), "-lockfile", "/nonexistent/package-lock.json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr("/nonexistent/package-lock.json"));
  EXPECT_THAT(r.out, HasSubstr("NOT SCANNED"));
}

TEST(Cli, UnknownFlagIsAnError) {
  CmdResult r = run({"-rules", "x", "-frobnicate"});
  EXPECT_EQ(r.code, 1);
}

TEST(Demo, BundledRulesFindTheBundledExample) {
  CmdResult r = run({"-rules", source_path("rules"), "-dir", source_path("examples/demo-app")});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("axios@1.14.1"));
  EXPECT_THAT(r.out, HasSubstr("plain-crypto-js@4.2.1"));
}

}  // namespace
}  // namespace gv
