// `gouvernante report ingest|hosts`, in process through run_cli, on reports
// the scanner writes from committed fixtures: what is ingested is what
// `report hosts` lists, a re-scan replaces a host's picture, and a bad report
// or host name stores nothing.
#include "cli/report_cmd.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/cli_run.h"
#include "common/temp_dir.h"

namespace gv {
namespace {

using testing::CmdResult;
using ::testing::HasSubstr;
using testing::json_of;
using ::testing::MatchesRegex;
using testing::run;
using testing::TempDir;

// The scanner's -json report on `lockfile` (relative to the source tree)
// with the repository's rules, written into `dir` as `name`.
std::string scan_report(const TempDir &dir, const std::string &name,
                        const std::string &lockfile) {
  const CmdResult r = run({"-rules", GV_SOURCE_DIR "/rules", "-lockfile",
                           GV_SOURCE_DIR "/" + lockfile, "-json"});
  EXPECT_NE(r.code, 1) << r.err;
  return dir.write(name, r.out);
}

const char *const kAffected = "examples/demo-app/package-lock.json";
const char *const kClean =
    "tests/lockfile/testdata/npm/app-v1.package-lock.json";

TEST(ReportIngest, StoresARealReportWithItsFindings) {
  TempDir t;
  const std::string db = t.str() + "/inv.db",
                    report = scan_report(t, "laptop.json", kAffected);
  CmdResult r =
      run({"report", "ingest", report, "--db", db, "--host", "laptop-1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out,
              MatchesRegex(
                  "ingested 2 findings for host laptop-1 from .*/laptop\\.json "
                  "\\(report id [0-9a-f]{32}\\)\n"));
  r = run({"report", "ingest", report, "--db", db, "--host", "ci-runner",
           "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = json_of(r)["ingested"];
  EXPECT_EQ(j["host"], "ci-runner");
  EXPECT_EQ(j["file"], report);
  EXPECT_EQ(j["findings"], 2);
  EXPECT_THAT(j["report_id"].get<std::string>(), MatchesRegex("[0-9a-f]{32}"));

  r = run({"report", "hosts", "--db", db, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json hosts = json_of(r)["hosts"];
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(hosts[0]["host"], "ci-runner");
  EXPECT_EQ(hosts[0]["report_id"], j["report_id"]);
  EXPECT_EQ(hosts[1]["host"], "laptop-1");
  EXPECT_EQ(hosts[1]["findings"], 2);
  EXPECT_EQ(hosts[1]["exit_code"], 2);
  EXPECT_THAT(hosts[1]["ingested_at"].get<std::string>(),
              MatchesRegex("20[0-9-]+T[0-9:]+Z"));
}

// A clean host is worth recording: it says the host was checked. Ingested
// after an affected report, it is that host's picture now.
TEST(ReportIngest, ACleanReScanReplacesTheHostsPicture) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  ASSERT_EQ(run({"report", "ingest", scan_report(t, "before.json", kAffected),
                 "--db", db, "--host", "h"})
                .code,
            0);
  CmdResult r = run({"report", "ingest", scan_report(t, "after.json", kClean),
                     "--db", db, "--host", "h"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ingested 0 findings for host h from "));
  r = run({"report", "hosts", "--db", db});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out,
              MatchesRegex("h  20[0-9-]+T[0-9:]+Z  0 findings  \\(report "
                           "[0-9a-f]{32} from .*/after\\.json\\)\n"
                           "1 host\n"));
  r = run({"report", "hosts", "--db", db, "--host", "nobody"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("no report of host 'nobody'"));
}

TEST(ReportIngest, AMalformedReportStoresNothing) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  const std::string cut =
      t.write("cut.json", "{\n  \"tool\": {\"name\": \"gouvernante\",\n");
  CmdResult r = run({"report", "ingest", cut, "--db", db, "--host", "h"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, MatchesRegex(".*cut\\.json:[23]:[0-9]+: invalid JSON: .*\n"
                                  "gouvernante report ingest: 1 problem in "
                                  ".*cut\\.json; nothing ingested\n"));
  const std::string sarif =
      t.write("scan.sarif", R"({"version": "2.1.0", "runs": []})");
  r = run({"report", "ingest", sarif, "--db", db, "--host", "h"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err,
              HasSubstr("scan.sarif:1:1: /tool: required field missing"));
  EXPECT_THAT(r.err, HasSubstr("8 problems in"));
  EXPECT_FALSE(std::filesystem::exists(db)); // not even an empty inventory
  r = run(
      {"report", "ingest", t.str() + "/none.json", "--db", db, "--host", "h"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("none.json"));
  EXPECT_EQ(run({"report", "ingest", cut, "--db", db}).code,
            1); // --host is required
  EXPECT_EQ(run({"report", "frobnicate"}).code, 1);
}

// Hostile names never reach the terminal raw: a host name with control
// bytes is refused (shown escaped), a file name with them is escaped.
TEST(ReportIngest, HostileNamesAreEscaped) {
  TempDir t;
  const std::string db = t.str() + "/inv.db",
                    report = scan_report(t, "x\x1b[2Jy.json", kClean);
  CmdResult r = run({"report", "ingest", report, "--db", db, "--host",
                     "evil\x1b]0;pwned\x07"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("--host: the host name holds control "
                               "characters: 'evil\\x1b]0;pwned\\x07'"));
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(db));
  r = run({"report", "ingest", report, "--db", db, "--host", "ok"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("x\\x1b[2Jy.json"));
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
  r = run({"report", "hosts", "--db", db});
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
}

} // namespace
} // namespace gv
