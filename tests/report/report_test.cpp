// Report writers render records; here the records are built by hand so each
// test pins one rendering rule (grouping, escaping, SARIF shape).
#include "report/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "report/escape.h"

namespace gv {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Fixture {
  Rule crit, low;
  ScanReport report;
  Fixture() {
    crit.id = "SSC-1";
    crit.title = "critical thing";
    crit.kind = "compromised-release";
    crit.severity = Severity::kCritical;
    crit.remediation = {"Pin it.", {"Pin to 1.0.0", "Regenerate the lockfile"}};
    crit.references = {{"advisory", "https://example.test/adv"}};
    low.id = "SSC-2";
    low.title = "low thing";
    low.kind = "vulnerability";
    low.severity = Severity::kLow;
    Finding a;
    a.rule = &low;
    a.package = "minor";
    a.version = "0.1.0";
    a.matched = "0.1.0";
    a.lockfile = "./app/package-lock.json";
    a.line = 12;
    a.location = "node_modules/minor";
    Finding b;
    b.rule = &crit;
    b.package = "evil";
    b.version = "1.0.1";
    b.alias = "good";
    b.matched = "=1.0.1";
    b.lockfile = "./app/package-lock.json";
    b.lockfile_kind = LockfileKind::kNpmLock;
    b.line = 40;
    b.location = "node_modules/good";
    b.dependency_path = {"framework", "good"};
    b.flags = kDev;
    report.findings = {a, b};
    report.lockfiles.push_back({"./app/package-lock.json", LockfileKind::kNpmLock,
                                LockfileStatus::kScanned, "", 3, 100, 2});
    report.packages_total = 100;
    report.rules_loaded = 2;
  }
};

TEST(TextReport, GroupsBySeverityCriticalFirstWithRemediation) {
  Fixture fx;
  std::string t = render_text(fx.report, {});
  const size_t crit = t.find("CRITICAL");
  const size_t low = t.find("LOW");
  ASSERT_NE(crit, std::string::npos);
  ASSERT_NE(low, std::string::npos);
  EXPECT_LT(crit, low);
  EXPECT_THAT(t, HasSubstr("evil@1.0.1  (installed as good)  matches =1.0.1"));
  EXPECT_THAT(t, HasSubstr("./app/package-lock.json:40  node_modules/good"));
  EXPECT_THAT(t, HasSubstr("framework > good  [transitive, dev]"));
  EXPECT_THAT(t, HasSubstr("1. Pin to 1.0.0"));
  EXPECT_THAT(t, HasSubstr("FINDINGS: 2 (1 critical, 1 low)"));
  EXPECT_THAT(t, Not(HasSubstr("\x1b[")));  // no colour unless asked
  EXPECT_THAT(render_text(fx.report, {true}), HasSubstr("\x1b[1;31m"));
}

TEST(TextReport, HostileNamesCannotDriveTheTerminal) {
  Fixture fx;
  fx.report.findings[1].package = "evil\x1b]0;pwned\x07\x1b[2J";
  fx.report.findings[1].lockfile = "a\nFAKE: CLEAN";
  std::string t = render_text(fx.report, {});
  EXPECT_THAT(t, Not(HasSubstr("\x1b")));
  EXPECT_THAT(t, HasSubstr("evil\\x1b]0;pwned\\x07\\x1b[2J"));
  EXPECT_THAT(t, HasSubstr("a\\x0aFAKE: CLEAN"));
}

TEST(TextReport, SaysWhatWasNotScanned) {
  ScanReport r;
  r.lockfiles.push_back({"x/pnpm-lock.yaml", LockfileKind::kPnpm, LockfileStatus::kNotScanned,
                         "x/pnpm-lock.yaml: not scanned: pnpm-lock.yaml is not supported yet", 0, 0, 0});
  std::string t = render_text(r, {});
  EXPECT_THAT(t, HasSubstr("NOT SCANNED"));
  EXPECT_THAT(t, HasSubstr("x/pnpm-lock.yaml: not scanned"));
  EXPECT_THAT(t, HasSubstr("INCOMPLETE"));
  EXPECT_THAT(t, Not(HasSubstr("CLEAN")));
}

TEST(Escape, TerminalSafeKeepsUtf8AndEscapesControls) {
  EXPECT_EQ(terminal_safe("café-ü"), "café-ü");
  EXPECT_EQ(terminal_safe("a\tb"), "a\\x09b");
  EXPECT_EQ(terminal_safe("\xc2\x9b" "2J"), "\\xc2\\x9b2J");  // C1 CSI
  EXPECT_EQ(terminal_safe("\xff\xfe"), "\\xff\\xfe");          // not UTF-8
  EXPECT_EQ(terminal_safe("\x7f"), "\\x7f");
}

TEST(Escape, UriFromPath) {
  EXPECT_EQ(uri_from_path("./app/package-lock.json"), "app/package-lock.json");
  EXPECT_EQ(uri_from_path("my app/x#1.json"), "my%20app/x%231.json");
}

TEST(JsonReport, HasGouvernanteShapeExtended) {
  Fixture fx;
  auto j = nlohmann::json::parse(render_json(fx.report));
  ASSERT_EQ(j["findings"].size(), 2u);
  const auto& f = j["findings"][1];
  EXPECT_EQ(f["rule_id"], "SSC-1");
  EXPECT_EQ(f["rule_title"], "critical thing");
  EXPECT_EQ(f["severity"], "critical");
  EXPECT_EQ(f["type"], "package");
  EXPECT_EQ(f["package"], "evil");
  EXPECT_EQ(f["version"], "1.0.1");
  EXPECT_EQ(f["alias"], "good");
  EXPECT_EQ(f["lockfile"], "./app/package-lock.json");
  EXPECT_EQ(f["line"], 40);
  EXPECT_EQ(f["dev"], true);
  EXPECT_EQ(f["direct"], false);
  EXPECT_EQ(f["remediation"]["steps"][1], "Regenerate the lockfile");
  EXPECT_EQ(j["summary"]["total_findings"], 2);
  EXPECT_EQ(j["summary"]["lockfiles_scanned"], 1);
  EXPECT_EQ(j["summary"]["packages_total"], 100);
  EXPECT_EQ(j["summary"]["exit_code"], 2);
  EXPECT_TRUE(j["summary"].contains("elapsed_ms"));
}

TEST(JsonReport, InvalidUtf8DoesNotAbortTheReport) {
  Fixture fx;
  fx.report.findings[0].package = "bad\xff\xfe";
  auto j = nlohmann::json::parse(render_json(fx.report));
  EXPECT_EQ(j["findings"][0]["package"], "bad\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(SarifReport, ValidShapeForGithubCodeScanning) {
  Fixture fx;
  auto s = nlohmann::json::parse(render_sarif(fx.report));
  EXPECT_EQ(s["version"], "2.1.0");
  ASSERT_EQ(s["runs"].size(), 1u);
  const auto& run = s["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "gouvernante");
  ASSERT_EQ(run["tool"]["driver"]["rules"].size(), 2u);
  ASSERT_EQ(run["results"].size(), 2u);
  const auto& res = run["results"][1];
  EXPECT_EQ(res["ruleId"], "SSC-1");
  EXPECT_EQ(res["level"], "error");
  const auto& rule = run["tool"]["driver"]["rules"][res["ruleIndex"].get<int>()];
  EXPECT_EQ(rule["id"], "SSC-1");
  EXPECT_EQ(rule["properties"]["security-severity"], "9.8");
  EXPECT_EQ(rule["helpUri"], "https://example.test/adv");
  const auto& loc = res["locations"][0]["physicalLocation"];
  EXPECT_EQ(loc["artifactLocation"]["uri"], "app/package-lock.json");
  EXPECT_EQ(loc["region"]["startLine"], 40);
  EXPECT_TRUE(res["partialFingerprints"].contains("gouvernante/v1"));
  EXPECT_EQ(run["results"][0]["level"], "note");
}

}  // namespace
}  // namespace gv
