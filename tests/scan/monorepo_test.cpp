// One repository, every package manager: a recursive scan reads each lockfile
// format with the same rules and yields one report. The fixtures are the
// real package managers' output (tests/lockfile/testdata, see scripts/gen-*-fixtures.sh);
// every fixture app declares "my-lodash": "npm:lodash@4.17.20", so a rule for
// lodash 4.17.20 must be found in each, through the alias.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "common/temp_dir.h"
#include "rules/load.h"
#include "scan/scan.h"

namespace gv {
namespace {

using testing::source_path;
using testing::TempDir;
namespace fs = std::filesystem;

struct Placed {
  const char* fixture;  // under tests/lockfile/testdata
  const char* dest;     // where a project keeps it
  LockfileKind kind;
};

const Placed kPlaced[] = {
    {"npm/app-v3.package-lock.json", "services/npm-app/package-lock.json", LockfileKind::kNpmLock},
    {"npm/app.npm-shrinkwrap.json", "services/npm-shrink/npm-shrinkwrap.json", LockfileKind::kNpmShrinkwrap},
    {"pnpm/app-pnpm9.pnpm-lock.yaml", "web/pnpm-app/pnpm-lock.yaml", LockfileKind::kPnpm},
    {"pnpm/app-pnpm7.pnpm-lock.yaml", "legacy/pnpm7-app/pnpm-lock.yaml", LockfileKind::kPnpm},
    {"yarn-classic/app.yarn.lock", "tools/yarn1-app/yarn.lock", LockfileKind::kYarn},
    {"yarn-berry/app-yarn4.yarn.lock", "tools/berry-app/yarn.lock", LockfileKind::kYarn},
    {"bun/app.bun.lock", "edge/bun-app/bun.lock", LockfileKind::kBunText},
};

TEST(Monorepo, EveryFormatInOneRecursiveScanYieldsOneReport) {
  TempDir t;
  for (const Placed& p : kPlaced) {
    fs::create_directories((t.path() / p.dest).parent_path());
    fs::copy_file(source_path(std::string("tests/lockfile/testdata/") + p.fixture), t.path() / p.dest);
  }
  RuleSet rs;
  Errors errs;
  ASSERT_TRUE(parse_rule_document(
      R"({"schema_version":"1.0.0","rules":[{"id":"T-LODASH","title":"lodash 4.17.20","kind":"compromised-release",
          "ecosystem":"npm","severity":"high","package_rules":[{"package_name":"lodash","affected_versions":["=4.17.20"]}]}]})",
      "r.json", &rs, &errs));
  RuleIndex index(rs.rules);
  ScanOptions o;
  o.dirs = {t.str()};
  o.recursive = true;
  ScanReport r = scan(index, o);

  ASSERT_EQ(r.lockfiles.size(), std::size(kPlaced));
  std::map<std::string, const LockfileResult*> by_path;
  for (const LockfileResult& l : r.lockfiles) by_path[l.path] = &l;
  for (const Placed& p : kPlaced) {
    const LockfileResult* l = by_path[(t.path() / p.dest).string()];
    ASSERT_NE(l, nullptr) << p.dest;
    EXPECT_EQ(l->status, LockfileStatus::kScanned) << p.dest << ": " << l->reason;
    EXPECT_EQ(l->kind, p.kind) << p.dest;
    EXPECT_GT(l->packages, 50u) << p.dest;
    EXPECT_EQ(l->findings, 1u) << p.dest;
  }
  ASSERT_EQ(r.findings.size(), std::size(kPlaced));
  for (const Finding& f : r.findings) {
    EXPECT_EQ(f.package, "lodash") << f.lockfile;
    EXPECT_EQ(f.version, "4.17.20") << f.lockfile;
    EXPECT_EQ(f.alias, "my-lodash") << f.lockfile;
    EXPECT_GT(f.line, 0u) << f.lockfile;
  }
  EXPECT_EQ(exit_code_for(r), 2);
}

}  // namespace
}  // namespace gv
