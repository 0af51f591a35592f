// The scan engine: what a lockfile's packages yield against rules. Parser
// details are pinned in tests/lockfile; here the lockfiles are either real
// npm output (examples/) or minimal documents that isolate one matching rule.
#include "scan/scan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "common/temp_dir.h"
#include "rules/load.h"

namespace gv {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::source_path;
using testing::TempDir;

RuleSet rules_from(const std::string& json) {
  RuleSet rs;
  Errors errs;
  EXPECT_TRUE(parse_rule_document(json, "test-rules.json", &rs, &errs))
      << (errs.empty() ? "" : errs[0].str());
  return rs;
}

std::string one_rule(const std::string& package_rules, const std::string& extra = "") {
  return R"({"schema_version":"1.0.0","rules":[{"id":"T-1","title":"test rule","kind":"compromised-release",
    "ecosystem":"npm","severity":"high","package_rules":[)" +
         package_rules + "]" + extra + "}]}";
}

// A minimal v3 lockfile with the given extra "packages" entries.
std::string lock_v3(const std::string& root_deps, const std::string& entries) {
  return R"({"name":"app","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{
  "":{"name":"app","version":"1.0.0","dependencies":{)" +
         root_deps + "}}" + (entries.empty() ? "" : "," + entries) + "}}\n";
}

ScanReport scan_files(const RuleSet& rs, std::vector<std::string> files) {
  RuleIndex index(rs.rules);
  ScanOptions o;
  o.lockfiles = std::move(files);
  o.threads = 2;
  return scan(index, o);
}

TEST(Scan, DemoAppFindsHijackedAxiosAndItsDropper) {
  RuleSet rs;
  Errors errs;
  ASSERT_TRUE(load_rules({source_path("rules")}, &rs, &errs)) << errs[0].str();
  RuleIndex index(rs.rules);
  ScanOptions o;
  o.dirs = {source_path("examples/demo-app")};
  ScanReport r = scan(index, o);
  ASSERT_EQ(r.findings.size(), 2u);
  const Finding& ax = r.findings[0];
  EXPECT_EQ(ax.package, "axios");
  EXPECT_EQ(ax.version, "1.14.1");
  EXPECT_EQ(ax.matched, "=1.14.1");
  EXPECT_EQ(ax.type, FindingType::kPackage);
  EXPECT_EQ(ax.rule->id, "SSC-2025-001");
  EXPECT_EQ(ax.location, "node_modules/axios");
  EXPECT_THAT(ax.dependency_path, ElementsAre("axios"));
  const Finding& dr = r.findings[1];
  EXPECT_EQ(dr.package, "plain-crypto-js");
  EXPECT_EQ(dr.type, FindingType::kDropper);
  EXPECT_THAT(dr.dependency_path, ElementsAre("axios", "plain-crypto-js"));
  // Lines point at the entries' keys in the real file.
  std::string text = testing::read_text(source_path("examples/demo-app/package-lock.json"));
  EXPECT_EQ(line_col_at(text, text.find("\"node_modules/axios\"")).line, ax.line);
  EXPECT_EQ(line_col_at(text, text.find("\"node_modules/plain-crypto-js\"")).line, dr.line);
  // package.json beside it is covered by the lockfile, not scanned twice.
  ASSERT_EQ(r.lockfiles.size(), 2u);
  EXPECT_EQ(r.lockfiles[0].status, LockfileStatus::kScanned);
  EXPECT_EQ(r.lockfiles[1].status, LockfileStatus::kCovered);
  EXPECT_EQ(exit_code_for(r), 2);
}

TEST(Scan, CleanLockfileExitsZero) {
  TempDir t;
  RuleSet rs = rules_from(one_rule(R"({"package_name":"left-pad","affected_versions":["=1.3.1"]})"));
  auto f = t.write("package-lock.json",
                   lock_v3(R"("left-pad":"1.3.0")", R"("node_modules/left-pad":{"version":"1.3.0"})"));
  ScanReport r = scan_files(rs, {f});
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(r.packages_total, 1u);
  EXPECT_EQ(exit_code_for(r), 0);
}

TEST(Scan, PrereleaseInsideAffectedRangeMatches) {
  TempDir t;
  RuleSet rs = rules_from(one_rule(R"({"package_name":"lib","affected_versions":[">=2.0.0 <2.1.0"]})"));
  auto f = t.write("package-lock.json",
                   lock_v3(R"("lib":"*")", R"("node_modules/lib":{"version":"2.0.5-beta.1"})"));
  ScanReport r = scan_files(rs, {f});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].matched, ">=2.0.0 <2.1.0");
}

TEST(Scan, AliasMatchesTheRealPackageAndShowsTheAlias) {
  TempDir t;
  RuleSet rs = rules_from(one_rule(R"({"package_name":"lodash","affected_versions":["=4.17.20"]})"));
  auto f = t.write("package-lock.json",
                   lock_v3(R"("my-lodash":"npm:lodash@4.17.20")",
                           R"("node_modules/my-lodash":{"name":"lodash","version":"4.17.20"})"));
  ScanReport r = scan_files(rs, {f});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].package, "lodash");
  EXPECT_EQ(r.findings[0].alias, "my-lodash");
}

TEST(Scan, LockfileEcosystemsFilterByLockfileKind) {
  TempDir t;
  RuleSet rs = rules_from(one_rule(
      R"({"package_name":"lib","affected_versions":["1.0.0"],"lockfile_ecosystems":["pnpm","yarn"]})"));
  auto f = t.write("package-lock.json",
                   lock_v3(R"("lib":"1.0.0")", R"("node_modules/lib":{"version":"1.0.0"})"));
  EXPECT_TRUE(scan_files(rs, {f}).findings.empty());
  RuleSet rs2 = rules_from(one_rule(
      R"({"package_name":"lib","affected_versions":["1.0.0"],"lockfile_ecosystems":["npm"]})"));
  EXPECT_EQ(scan_files(rs2, {f}).findings.size(), 1u);
}

// pnpm 9.0's dev flag and berry's direct flag come from the dependency graph;
// the scan computes them only for lockfiles with findings, and the findings
// must carry them all the same.
TEST(Scan, FindingsCarryGraphDerivedFlags) {
  RuleSet rs = rules_from(one_rule(R"({"package_name":"mocha","affected_versions":["*"]})"));
  ScanReport r = scan_files(rs, {source_path("tests/lockfile/testdata/pnpm/app-pnpm9.pnpm-lock.yaml"),
                                 source_path("tests/lockfile/testdata/yarn-berry/app-yarn4.yarn.lock")});
  ASSERT_EQ(r.findings.size(), 2u);
  for (const Finding& f : r.findings) {
    SCOPED_TRACE(f.lockfile);
    EXPECT_EQ(f.version, "10.8.2");
    EXPECT_NE(f.flags & kDirect, 0);  // a devDependency of the app
  }
  EXPECT_NE(r.findings[0].flags & kDev, 0);  // pnpm: only devDependencies reach it
  EXPECT_EQ(r.findings[0].dependency_path, std::vector<std::string>{"mocha"});
}

TEST(Scan, DropperMatchesAnyVersion) {
  TempDir t;
  RuleSet rs = rules_from(one_rule(R"({"package_name":"lib","affected_versions":["=9.9.9"]})",
                                   R"(,"dropper_packages":[{"package_name":"evil-helper"}])"));
  auto f = t.write("x/package-lock.json",
                   lock_v3(R"("lib":"1.0.0")", R"("node_modules/lib":{"version":"1.0.0","dependencies":{"evil-helper":"*"}},
                   "node_modules/evil-helper":{"version":"0.0.1-anything"})"));
  ScanReport r = scan_files(rs, {f});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].type, FindingType::kDropper);
  EXPECT_EQ(r.findings[0].matched, "*");
  EXPECT_THAT(r.findings[0].dependency_path, ElementsAre("lib", "evil-helper"));
}

TEST(Scan, DeclaredRangeThatCanResolveToAffectedVersionIsAFinding) {
  TempDir t;
  RuleSet rs = rules_from(one_rule(R"({"package_name":"axios","affected_versions":["=1.14.1"]})"));
  auto pj = t.write("svc/package.json",
                    R"({"name":"svc","dependencies":{"axios":"^1.14.0","other":"1.0.0"},
                        "devDependencies":{"safe-axios":"npm:axios@~1.13.0"}})");
  ScanReport r = scan_files(rs, {pj});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_TRUE(r.findings[0].declared);
  EXPECT_EQ(r.findings[0].version, "^1.14.0");
  EXPECT_EQ(r.findings[0].matched, "=1.14.1");
  EXPECT_EQ(exit_code_for(r), 2);
}

TEST(Scan, DistTagInPackageJsonMayResolveToTheBadRelease) {
  TempDir t;
  RuleSet rs = rules_from(one_rule(R"({"package_name":"axios","affected_versions":["=1.14.1"]})"));
  auto pj = t.write("package.json", R"({"dependencies":{"axios":"latest"}})");
  ScanReport r = scan_files(rs, {pj});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].version, "latest");
}

TEST(Scan, PackageJsonScannedWhenItsLockfileCannotBe) {
  TempDir t;
  RuleSet rs = rules_from(one_rule(R"({"package_name":"axios","affected_versions":["=1.14.1"]})"));
  t.write("app/package.json", R"({"dependencies":{"axios":"^1.14.0"}})");
  t.write("app/bun.lockb", std::string("\0\1binary", 8));
  RuleIndex index(rs.rules);
  ScanOptions o;
  o.dirs = {t.str()};
  o.recursive = true;
  ScanReport r = scan(index, o);
  ASSERT_EQ(r.findings.size(), 1u);  // from package.json, since bun.lockb was not read
  ASSERT_EQ(r.lockfiles.size(), 2u);
  EXPECT_EQ(r.lockfiles[0].status, LockfileStatus::kNotScanned);
  EXPECT_THAT(r.lockfiles[0].reason, HasSubstr("bun install --save-text-lockfile"));
}

TEST(Scan, UnsupportedFormatIsNotScannedAndNeverClean) {
  TempDir t;
  RuleSet rs = rules_from(one_rule(R"({"package_name":"lib","affected_versions":["1.0.0"]})"));
  t.write("bun.lockb", std::string("#!/usr/bin/env bun\nbun-lockfile-format-v0\n\0\1", 44));
  RuleIndex index(rs.rules);
  ScanOptions o;
  o.dirs = {t.str()};
  ScanReport r = scan(index, o);
  ASSERT_EQ(r.lockfiles.size(), 1u);
  EXPECT_EQ(r.lockfiles[0].status, LockfileStatus::kNotScanned);
  EXPECT_EQ(exit_code_for(r), 1);
}

TEST(Scan, NothingFoundToScanIsNotClean) {
  TempDir t;
  RuleSet rs = rules_from(one_rule(R"({"package_name":"lib","affected_versions":["1.0.0"]})"));
  RuleIndex index(rs.rules);
  ScanOptions o;
  o.dirs = {t.str()};
  EXPECT_EQ(exit_code_for(scan(index, o)), 1);
}

TEST(Scan, BadLockfileIsAnErrorNamingTheFile) {
  TempDir t;
  RuleSet rs = rules_from(one_rule(R"({"package_name":"lib","affected_versions":["1.0.0"]})"));
  auto f = t.write("package-lock.json", R"({"lockfileVersion":3,"packages":{"": {)");
  ScanReport r = scan_files(rs, {f});
  ASSERT_EQ(r.lockfiles.size(), 1u);
  EXPECT_EQ(r.lockfiles[0].status, LockfileStatus::kError);
  EXPECT_THAT(r.lockfiles[0].reason, HasSubstr(f));
  EXPECT_EQ(exit_code_for(r), 1);
  ScanReport missing = scan_files(rs, {t.str() + "/nope.json"});
  EXPECT_THAT(missing.lockfiles[0].reason, HasSubstr("No such file"));
}

TEST(Scan, HugeFileIsRefusedWithAClearErrorNotRead) {
  TempDir t;
  RuleSet rs = rules_from(one_rule(R"({"package_name":"lib","affected_versions":["1.0.0"]})"));
  const std::string f = t.str() + "/package-lock.json";
  { std::ofstream(f) << "{"; }
  std::filesystem::resize_file(f, size_t{1} << 30);  // sparse: 1 GiB without writing it
  ScanReport r = scan_files(rs, {f});
  ASSERT_EQ(r.lockfiles.size(), 1u);
  EXPECT_EQ(r.lockfiles[0].status, LockfileStatus::kError);
  EXPECT_THAT(r.lockfiles[0].reason, HasSubstr("1073741824 bytes, over the limit"));
  EXPECT_EQ(exit_code_for(r), 1);
}

TEST(Scan, FifoGivenAsLockfileIsRefusedNotOpened) {
  TempDir t;
  const std::string fifo = t.str() + "/package-lock.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ScanReport r = scan_files(rules_from(one_rule(R"({"package_name":"a","affected_versions":["*"]})")), {fifo});
  ASSERT_EQ(r.lockfiles.size() + r.errors.size(), 1u);  // and no hang: a blocking open would wait forever
  EXPECT_EQ(exit_code_for(r), 1);
}

TEST(Scan, ContentDetectionFindsARenamedLockfile) {
  TempDir t;
  RuleSet rs = rules_from(one_rule(R"({"package_name":"lib","affected_versions":["1.0.0"]})"));
  auto f = t.write("affected-lockfile.json",
                   lock_v3(R"("lib":"1.0.0")", R"("node_modules/lib":{"version":"1.0.0"})"));
  ScanReport r = scan_files(rs, {f});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].lockfile_kind, LockfileKind::kNpmLock);
}

TEST(Walk, RecursiveSkipsNodeModulesAndGitAndNeverLeavesTheTree) {
  TempDir outside;
  outside.write("package-lock.json", lock_v3("", ""));
  TempDir t;
  t.write("package-lock.json", lock_v3("", ""));
  t.write("a/b/package-lock.json", lock_v3("", ""));
  t.write("node_modules/x/package-lock.json", lock_v3("", ""));
  t.write(".git/package-lock.json", lock_v3("", ""));
  t.write("a/README.md", "# not a lockfile");
  std::filesystem::create_directory_symlink(t.path(), t.path() / "a" / "loop");
  std::filesystem::create_directory_symlink(outside.path(), t.path() / "out");
  std::filesystem::create_symlink(outside.path() / "package-lock.json", t.path() / "a" / "npm-shrinkwrap.json");
  WalkResult w = find_lockfiles(t.str(), true);
  EXPECT_THAT(w.files, ElementsAre(t.str() + "/a/b/package-lock.json", t.str() + "/package-lock.json"));
  ASSERT_EQ(w.skipped.size(), 1u);
  EXPECT_THAT(w.skipped[0].reason, HasSubstr("outside the scanned tree"));
  WalkResult flat = find_lockfiles(t.str(), false);
  EXPECT_THAT(flat.files, ElementsAre(t.str() + "/package-lock.json"));
}

TEST(Scan, ManyLockfilesInParallelGiveDeterministicOrder) {
  TempDir t;
  RuleSet rs = rules_from(one_rule(R"({"package_name":"lib","affected_versions":["1.0.0"]})"));
  for (int i = 0; i < 40; ++i)
    t.write("p" + std::to_string(i) + "/package-lock.json",
            lock_v3(R"("lib":"1.0.0")", R"("node_modules/lib":{"version":"1.0.0"})"));
  RuleIndex index(rs.rules);
  ScanOptions o;
  o.dirs = {t.str()};
  o.recursive = true;
  o.threads = 4;
  ScanReport r = scan(index, o);
  ASSERT_EQ(r.findings.size(), 40u);
  for (size_t i = 1; i < r.findings.size(); ++i) EXPECT_LT(r.findings[i - 1].lockfile, r.findings[i].lockfile);
}

}  // namespace
}  // namespace gv
