// Reading scan reports back: real reports written by the scanner on committed
// fixtures (lockfile findings, a clean scan, -host checks), and every way a
// report can be wrong, each named at file:line:col with its field's pointer.
#include "inventory/report_ingest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "common/file.h"
#include "common/temp_dir.h"

namespace gv::inventory {
namespace {

using gv::testing::TempDir;
using ::testing::HasSubstr;

// The scanner itself, run from the source tree on `lockfile` with the
// repository's rules: its -json report on stdout.
std::string scan_report(const std::string &lockfile,
                        const std::string &extra = "") {
  const std::string cmd = "cd '" GV_SOURCE_DIR "' && '" GV_BINARY
                          "' -rules rules -lockfile '" +
                          lockfile + "' -json " + extra + " 2>/dev/null";
  FILE *p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p))
    out.append(buf, n);
  pclose(p);
  return out;
}

const char *const kAffected = "examples/demo-app/package-lock.json";
const char *const kClean =
    "tests/lockfile/testdata/npm/app-v1.package-lock.json";

IngestedReport parsed(const std::string &text) {
  IngestedReport r;
  Errors errors;
  EXPECT_TRUE(parse_report(text, "r.json", &r, &errors))
      << (errors.empty() ? "" : errors[0].str());
  return r;
}

// The first problem in `text`, as printed.
std::string problem(const std::string &text) {
  IngestedReport r;
  Errors errors;
  EXPECT_FALSE(parse_report(text, "r.json", &r, &errors));
  return errors.empty() ? "<none>" : errors[0].str();
}

TEST(ReportIngest, ReadsTheScannersReportOfAnAffectedLockfile) {
  const std::string text = scan_report(kAffected);
  const IngestedReport r = parsed(text);
  EXPECT_FALSE(r.report.tool_version.empty());
  EXPECT_EQ(r.report.exit_code, 2);
  EXPECT_EQ(r.report.report_json, text);
  ASSERT_EQ(r.findings.size(), 2u);
  std::set<std::string> packages;
  for (const HostFinding &f : r.findings) {
    EXPECT_EQ(f.kind, "lockfile");
    EXPECT_EQ(f.rule_id, "SSC-2025-001");
    EXPECT_EQ(f.severity, "critical");
    EXPECT_EQ(f.path, kAffected);
    EXPECT_GT(f.line, 0);
    packages.insert(f.package + "@" + f.version);
    // The finding's own object, as the report wrote it.
    const nlohmann::json j = nlohmann::json::parse(f.finding_json);
    EXPECT_EQ(j["package"], f.package);
    EXPECT_EQ(j["line"], f.line);
  }
  EXPECT_TRUE(packages.contains("axios@1.14.1")) << *packages.begin();
}

TEST(ReportIngest, ACleanScanIsAReportWithNoFindings) {
  const IngestedReport r = parsed(scan_report(kClean));
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(r.report.exit_code, 0);
}

// -host on this machine: its checks are clean or skipped (the rules' host
// indicators are not here), so they are read but are not findings; one
// turned "found", and a YARA match added, become findings of their kinds.
TEST(ReportIngest, HostChecksFoundAndHeuristicMatchesAreFindings) {
  nlohmann::ordered_json j =
      nlohmann::ordered_json::parse(scan_report(kAffected, "-host"));
  ASSERT_TRUE(j["host"].is_object());
  ASSERT_FALSE(j["host"]["checks"].empty());
  EXPECT_EQ(parsed(j.dump(2)).findings.size(), 2u);
  j["host"]["checks"][0]["status"] = "found";
  j["heuristic"] = {{"findings",
                     {{{"file", "node_modules/evil/index.js"},
                       {"offset", 10},
                       {"line", 3},
                       {"rule", "exfil_env"},
                       {"rule_source", "builtin"},
                       {"description", "reads env, posts it"},
                       {"severity", "high"},
                       {"excerpt", "process.env"},
                       {"package", "evil"}}}},
                    {"skipped", nlohmann::json::array()},
                    {"errors", nlohmann::json::array()},
                    {"files_scanned", 1},
                    {"bytes_scanned", 100},
                    {"rules_loaded", 5}};
  const IngestedReport r = parsed(j.dump(2));
  ASSERT_EQ(r.findings.size(), 4u);
  EXPECT_EQ(r.findings[2].kind, "host");
  EXPECT_EQ(r.findings[2].rule_id,
            j["host"]["checks"][0]["rule_id"].get<std::string>());
  EXPECT_EQ(r.findings[2].path,
            j["host"]["checks"][0]["target"].get<std::string>());
  EXPECT_EQ(r.findings[2].severity, "");
  EXPECT_EQ(r.findings[3].kind, "heuristic");
  EXPECT_EQ(r.findings[3].rule_id, "exfil_env");
  EXPECT_EQ(r.findings[3].package, "evil");
  EXPECT_EQ(r.findings[3].line, 3);
  EXPECT_EQ(r.findings[3].severity, "high");
}

// A small report whose positions the tests below can count.
std::string report_with(const std::string &finding) {
  return "{\n"
         "  \"tool\": {\"name\": \"gouvernante\", \"version\": \"0.1.0\"},\n"
         "  \"findings\": [\n" +
         finding +
         "\n  ],\n"
         "  \"lockfiles\": [], \"unevaluated\": [], \"errors\": [],\n"
         "  \"summary\": {\"total_findings\": 1, \"lockfiles_scanned\": 1, "
         "\"lockfiles_covered\": 0,\n"
         "    \"lockfiles_not_scanned\": 0, \"lockfiles_with_errors\": 0, "
         "\"packages_total\": 3,\n"
         "    \"rules_loaded\": 1, \"by_severity\": {}, \"elapsed_ms\": 1.5, "
         "\"exit_code\": 2,\n"
         "    \"installed_findings\": 0, \"host_checks_found\": 0, "
         "\"host_checks_skipped\": 0,\n"
         "    \"heuristic_findings\": 0},\n"
         "  \"host\": null, \"heuristic\": null\n"
         "}\n";
}

// Line 4 of report_with(): the finding.
std::string finding(const std::string &severity = "\"critical\"",
                    const std::string &line = "7", bool with_rule = true) {
  return std::string("    {") + (with_rule ? "\"rule_id\": \"R-1\", " : "") +
         "\"rule_title\": \"t\", \"severity\": " + severity +
         ", \"type\": \"package\", \"package\": \"p\", \"version\": \"1.0.0\", "
         "\"alias\": null,"
         " \"matched\": \"=1.0.0\", \"declared_range\": false, \"lockfile\": "
         "\"package-lock.json\","
         " \"lockfile_kind\": \"npm\", \"line\": " +
         line +
         ", \"location\": \"node_modules/p\", \"dependency_path\": [\"p\"], "
         "\"direct\": true, \"dev\": false,"
         " \"optional\": false, \"peer\": false, \"source\": \"registry\", "
         "\"remediation\": {\"summary\": \"s\","
         " \"steps\": []}, \"origin\": \"lockfile\", \"install_kind\": null, "
         "\"install_scripts\": false}";
}

TEST(ReportIngest, TheSmallReportIsGood) {
  const IngestedReport r = parsed(report_with(finding()));
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].line, 7);
  EXPECT_EQ(r.findings[0].finding_json, finding().substr(4));
}

TEST(ReportIngest, TextThatIsNotJsonIsAnErrorAtItsPosition) {
  EXPECT_THAT(problem(""), HasSubstr("r.json:1:1: invalid JSON"));
  const std::string good = report_with(finding());
  // Cut short in the middle of line 4: the error is at the end of the text.
  const std::string cut = good.substr(0, good.find("\"matched\""));
  EXPECT_THAT(problem(cut),
              ::testing::MatchesRegex("r\\.json:4:[0-9]+: invalid JSON: .*"));
  EXPECT_THAT(problem(report_with(finding("critical"))),
              ::testing::StartsWith("r.json:4:"));
}

TEST(ReportIngest, AMissingFieldIsNamedAtItsObject) {
  EXPECT_EQ(problem(report_with(finding("\"critical\"", "7", false))),
            "r.json:4:5: /findings/0/rule_id: required field missing");
  EXPECT_EQ(
      problem("{\"tool\": {\"name\": \"gouvernante\", \"version\": \"1\"}}"),
      "r.json:1:1: /findings: required field missing");
}

TEST(ReportIngest, AWrongTypeIsNamedAtItsValue) {
  const std::string text = report_with(finding("\"critical\"", "\"7\""));
  const size_t col = finding("\"critical\"", "\"7\"").find("\"7\"") + 1;
  EXPECT_EQ(problem(text),
            "r.json:4:" + std::to_string(col) +
                ": /findings/0/line: expected an integer >= 0, got string");
  EXPECT_THAT(problem(report_with(finding("\"critical\"", "-1"))),
              HasSubstr("/findings/0/line: expected an integer >= 0, got -1"));
  EXPECT_THAT(problem(report_with(finding("\"critical\"", "1.5"))),
              HasSubstr("got 1.5"));
  EXPECT_THAT(problem(report_with(finding("\"urgent\""))),
              HasSubstr("/findings/0/severity: expected one of low, medium, "
                        "high, critical, got 'urgent'"));
  EXPECT_THAT(
      problem(report_with("    42")),
      HasSubstr("r.json:4:5: /findings/0: expected an object, got number"));
  EXPECT_EQ(problem("[1, 2]"), "r.json:1:1: the report: expected an object (a "
                               "gouvernante -json report), got array");
  std::string other = report_with(finding());
  other.replace(other.find("\"gouvernante\""), 13, "\"npm-audit\"");
  EXPECT_EQ(
      problem(other),
      "r.json:2:20: /tool/name: expected one of gouvernante, got 'npm-audit'");
}

TEST(ReportIngest, EveryProblemIsListed) {
  std::string text = report_with(finding("\"urgent\"") + ",\n" +
                                 finding("\"critical\"", "true", false));
  IngestedReport r;
  Errors errors;
  ASSERT_FALSE(parse_report(text, "r.json", &r, &errors));
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_THAT(errors[0].str(), HasSubstr("/findings/0/severity"));
  EXPECT_THAT(
      errors[1].str(),
      HasSubstr("r.json:5:5: /findings/1/rule_id: required field missing"));
  EXPECT_THAT(
      errors[2].str(),
      HasSubstr("/findings/1/line: expected an integer >= 0, got boolean"));
}

TEST(ReportIngest, RefusesAReportOverTheLimit) {
  TempDir t;
  const std::string path = t.write("huge.json", "{}");
  std::filesystem::resize_file(path, kMaxReportBytes +
                                         1); // sparse: nothing is written
  IngestedReport r;
  Errors errors;
  ASSERT_FALSE(read_report(path, &r, &errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].str(),
              HasSubstr("over the limit of 256 MB; not ingested"));
  errors.clear();
  ASSERT_FALSE(read_report(t.str() + "/missing.json", &r, &errors));
  EXPECT_THAT(errors[0].str(), HasSubstr("missing.json"));
}

TEST(ReportIngest, HostNamesArePrintable) {
  EXPECT_EQ(host_name_problem("ci-runner-7.example.com"), "");
  EXPECT_EQ(host_name_problem("poste-de-h\xC3\xA9l\xC3\xA8ne"), "");
  EXPECT_EQ(host_name_problem(""), "the host name is empty");
  EXPECT_THAT(host_name_problem("evil\x1b[2J"),
              HasSubstr("control characters: 'evil\\x1b[2J'"));
  EXPECT_THAT(host_name_problem("evil\xC2\x9B"
                                "2J"),
              HasSubstr("control characters"));
  EXPECT_THAT(host_name_problem("bad\xFF"), HasSubstr("not valid UTF-8"));
  EXPECT_THAT(host_name_problem(std::string(256, 'a')),
              HasSubstr("over 255 bytes"));
}

TEST(ReportIngest, ReportIdsAreRandomHex) {
  const std::string a = new_report_id(), b = new_report_id();
  EXPECT_THAT(a, ::testing::MatchesRegex("[0-9a-f]{32}"));
  EXPECT_NE(a, b);
}

} // namespace
} // namespace gv::inventory
