// Real lockfiles written by pnpm 7, 8, 9, 10 and latest
// (scripts/gen-pnpm-fixtures.sh) must yield exactly the packages pnpm's own
// lockfile reader names (expected-*.txt, from @pnpm/lockfile-file +
// @pnpm/lockfile-utils); plus hand-written files for the shapes and errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "lockfile/pnpm_graph.h"
#include "parse_testing.h"

namespace gv {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::parse_fixture;
using testing::parse_text;
using testing::testdata;

std::set<std::string> expected_set(const std::string& name) { return testing::expected_set("pnpm", name); }

const Package* at_key(const testing::Parsed& r, std::string_view key) { return testing::find(r, key); }

const Package* find_nv(const testing::Parsed& r, std::string_view name, std::string_view version) {
  for (const Package& p : r.packages)
    if (p.name == name && p.version == version) return &p;
  return nullptr;
}

testing::Parsed parse(std::string_view yaml) { return parse_text(LockfileKind::kPnpm, yaml, "pnpm-lock.yaml"); }

struct Fixture {
  const char* project;  // "app", "monorepo"
  const char* pnpm;     // "pnpm7", ...
  uint32_t major;
};

std::string fixture_file(const Fixture& f) {
  return std::string("pnpm/") + f.project + "-" + f.pnpm + ".pnpm-lock.yaml";
}

class PnpmFixture : public ::testing::TestWithParam<Fixture> {};

TEST_P(PnpmFixture, YieldsExactlyWhatPnpmReads) {
  const Fixture& f = GetParam();
  LockfileKind kind;
  testing::Parsed r = parse_fixture(fixture_file(f), &kind);
  ASSERT_FALSE(r.error) << r.error->str();
  EXPECT_EQ(kind, LockfileKind::kPnpm);
  EXPECT_EQ(r.stats.format_version, f.major);
  EXPECT_EQ(r.stats.packages, r.packages.size());
  std::set<std::string> want = expected_set(std::string(f.project) + "-" + f.pnpm);
  std::set<std::string> got;
  for (const Package& p : r.packages) got.insert(p.name + "@" + p.version);
  // Entries pnpm's own reader cannot name ("?<key>": pnpm 7's git+file:
  // dependency, a bare path with no name or version): we name them after the
  // dependency pointing at them, with the key as a (non-semver) version.
  // "local-lib@undefined": pnpm 8+ keep no version for a file: folder
  // ("file:local-lib" is not semver); we report the key's spec instead.
  if (want.erase("local-lib@undefined") == 1) {
    const Package* p = nullptr;
    for (const Package& q : r.packages)
      if (q.name == "local-lib") p = &q;
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->version, "file:local-lib");
    EXPECT_EQ(p->source, SourceKind::kFile);
    got.erase("local-lib@file:local-lib");
  }
  for (auto it = want.begin(); it != want.end();) {
    if (!it->starts_with("?")) {
      ++it;
      continue;
    }
    const Package* p = at_key(r, it->substr(1));
    ASSERT_NE(p, nullptr) << *it;
    EXPECT_EQ(p->source, SourceKind::kGit);
    EXPECT_EQ(p->name, "tiny-git");
    got.erase(p->name + "@" + p->version);
    it = want.erase(it);
  }
  std::string only_got, only_want;
  for (const std::string& s : got)
    if (!want.contains(s)) (only_got += ' ') += s;
  for (const std::string& s : want)
    if (!got.contains(s)) (only_want += ' ') += s;
  EXPECT_TRUE(only_got.empty() && only_want.empty()) << "only ours:" << only_got << "\nonly pnpm's:" << only_want;
  // One emission per key; offsets point at the key's line.
  std::set<std::string> locations;
  for (const Package& p : r.packages) {
    EXPECT_TRUE(locations.insert(p.location).second) << p.location;
    ASSERT_LT(p.offset, r.text.size());
    std::string_view at = std::string_view(r.text).substr(p.offset);
    if (at.starts_with("'") || at.starts_with("\"")) at.remove_prefix(1);
    EXPECT_TRUE(at.starts_with(p.location)) << p.location << " at " << p.offset;
    EXPECT_TRUE(p.offset == 0 || r.text[p.offset - 1] == ' ') << p.location;
  }
}

// Key shapes per era.
std::string key_of(uint32_t major, std::string_view name, std::string_view version) {
  if (major == 5) return "/" + std::string(name) + "/" + std::string(version);
  if (major == 6) return "/" + std::string(name) + "@" + std::string(version);
  return std::string(name) + "@" + std::string(version);
}

TEST_P(PnpmFixture, AliasPeersFlagsSources) {
  const Fixture& f = GetParam();
  testing::Parsed r = parse_fixture(fixture_file(f));
  ASSERT_FALSE(r.error) << r.error->str();
  const uint32_t m = f.major;
  if (std::string_view(f.project) == "app") {
    const Package* alias = at_key(r, key_of(m, "lodash", "4.17.20"));
    ASSERT_NE(alias, nullptr);
    EXPECT_EQ(alias->name, "lodash");
    EXPECT_EQ(alias->alias, "my-lodash");
    EXPECT_EQ(alias->version, "4.17.20");
    EXPECT_TRUE(alias->flags & kDirect);

    // "react-dom@18.3.1(react@18.3.1)" / "/react-dom/18.3.1_react@18.3.1".
    const Package* rd = find_nv(r, "react-dom", "18.3.1");
    ASSERT_NE(rd, nullptr);
    EXPECT_NE(rd->location.find("react@18.3.1"), std::string::npos) << rd->location;
    EXPECT_TRUE(rd->flags & kDirect);
    EXPECT_EQ(rd->alias, "");

    for (const Package& p : r.packages) {
      if (p.name == "typescript" || p.name == "mocha") { EXPECT_TRUE(p.flags & kDev) << p.location; }
      if (p.name == "express" || p.name == "lodash" || p.name == "body-parser") {
        EXPECT_FALSE(p.flags & kDev) << p.location;
      }
      if (p.name == "fsevents") { EXPECT_TRUE(p.flags & kOptional) << p.location; }
      if (p.name == "express" || p.name == "typescript") { EXPECT_TRUE(p.flags & kDirect) << p.location; }
      if (p.name == "body-parser") { EXPECT_FALSE(p.flags & kDirect) << p.location; }
      if (p.name == "is-number" && p.version == "7.0.0") { EXPECT_EQ(p.source, SourceKind::kRegistry); }
    }
    // A file: folder is a package pnpm copies in (name/version from its
    // package.json in 5.x/6.0), with what it depends on.
    const Package* local = nullptr;
    for (const Package& p : r.packages)
      if (p.name == "local-lib") local = &p;
    ASSERT_NE(local, nullptr);
    EXPECT_EQ(local->source, SourceKind::kFile);
    EXPECT_NE(find_nv(r, "is-odd", "3.0.1"), nullptr);

    // pnpm 8 cannot write the git+file: dependency; the others do.
    if (std::string_view(f.pnpm) != "pnpm8") {
      const Package* git = nullptr;
      for (const Package& p : r.packages)
        if (p.name == "tiny-git") git = &p;
      ASSERT_NE(git, nullptr);
      EXPECT_EQ(git->source, SourceKind::kGit);
      EXPECT_TRUE(git->flags & kDirect);
      if (m == 9) { EXPECT_EQ(git->version, "0.3.1"); }
    }

    // Paths: body-parser comes through express.
    std::vector<std::string> locs{find_nv(r, "body-parser", "1.20.9") ? find_nv(r, "body-parser", "1.20.9")->location
                                                                      : std::string(),
                                  alias->location, "nope"};
    for (const Package& p : r.packages)
      if (p.name == "body-parser") locs[0] = p.location;
    auto paths = dependency_paths(LockfileKind::kPnpm, r.text, locs);
    ASSERT_EQ(paths.size(), 3u);
    EXPECT_THAT(paths[0], ElementsAre("express", "body-parser"));
    EXPECT_THAT(paths[1], ElementsAre("my-lodash"));
    EXPECT_TRUE(paths[2].empty());
  } else {
    // Monorepo: util's alias old-debug -> debug@2.6.9, a member's own dep,
    // and paths that start with the member folder.
    const Package* od = at_key(r, key_of(m, "debug", "2.6.9"));
    ASSERT_NE(od, nullptr);
    EXPECT_EQ(od->name, "debug");
    EXPECT_EQ(od->alias, "old-debug");
    EXPECT_TRUE(od->flags & kDirect);
    // The workspace link (@fixture/util -> link:../util) is not a package.
    for (const Package& p : r.packages) EXPECT_FALSE(p.name.starts_with("@fixture/")) << p.location;
    const Package* ms200 = find_nv(r, "ms", "2.0.0");  // debug@2.6.9's own ms
    ASSERT_NE(ms200, nullptr);
    EXPECT_FALSE(ms200->flags & kDirect);
    const Package* rd = find_nv(r, "react-dom", "18.3.1");
    ASSERT_NE(rd, nullptr);
    EXPECT_TRUE(rd->flags & kDev);  // only packages/app's devDependencies
    auto paths = dependency_paths(LockfileKind::kPnpm, r.text, {ms200->location, rd->location});
    EXPECT_THAT(paths[0], ElementsAre("packages/util", "old-debug", "ms"));
    EXPECT_THAT(paths[1], ElementsAre("packages/app", "react-dom"));
  }
}

INSTANTIATE_TEST_SUITE_P(Real, PnpmFixture,
                         ::testing::Values(Fixture{"app", "pnpm7", 5}, Fixture{"app", "pnpm8", 6},
                                           Fixture{"app", "pnpm9", 9}, Fixture{"app", "pnpm10", 9},
                                           Fixture{"app", "pnpmlatest", 9}, Fixture{"monorepo", "pnpm7", 5},
                                           Fixture{"monorepo", "pnpm8", 6}, Fixture{"monorepo", "pnpm9", 9},
                                           Fixture{"monorepo", "pnpm10", 9},
                                           Fixture{"monorepo", "pnpmlatest", 9}),
                         [](const auto& info) { return std::string(info.param.project) + "_" + info.param.pnpm; });

// --- hand-written shapes --------------------------------------------------------


TEST(PnpmLock, ScopedPeersAndSourcesV9) {
  testing::Parsed r = parse(R"(lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      '@s/a':
        specifier: ^1.0.0
        version: 1.0.0(@types/react@18.0.0(react@18.2.0))
      tb:
        specifier: https://example.com/tb.tgz
        version: https://example.com/tb.tgz
packages:
  '@s/a@1.0.0':
    resolution: {integrity: sha512-x}
  '@types/react@18.0.0':
    resolution: {integrity: sha512-y}
  tb@https://example.com/tb.tgz:
    resolution: {tarball: https://example.com/tb.tgz}
    version: 2.0.0
snapshots:
  '@s/a@1.0.0(@types/react@18.0.0(react@18.2.0))':
    dependencies:
      '@types/react': 18.0.0
  '@types/react@18.0.0': {}
  tb@https://example.com/tb.tgz: {}
)");
  ASSERT_FALSE(r.error) << r.error->str();
  ASSERT_EQ(r.packages.size(), 3u);
  EXPECT_EQ(r.packages[0].name, "@s/a");
  EXPECT_EQ(r.packages[0].version, "1.0.0");
  EXPECT_EQ(r.packages[0].flags, kDirect);
  EXPECT_EQ(r.packages[1].name, "@types/react");
  EXPECT_EQ(r.packages[1].flags, 0);
  EXPECT_EQ(r.packages[2].name, "tb");
  EXPECT_EQ(r.packages[2].version, "2.0.0");
  EXPECT_EQ(r.packages[2].source, SourceKind::kTarball);
  EXPECT_EQ(r.text.substr(r.packages[0].offset, 6), "'@s/a@");
  auto paths = dependency_paths(LockfileKind::kPnpm, r.text, {"@types/react@18.0.0"});
  EXPECT_THAT(paths[0], ElementsAre("@s/a", "@types/react"));
}

TEST(PnpmLock, V5ScopedPeerSuffixAndDevFlag) {
  testing::Parsed r = parse(R"(lockfileVersion: 5.4
specifiers:
  '@s/a_b': ^1.0.0
dependencies:
  '@s/a_b': 1.0.0_react@18.2.0
packages:
  /@s/a_b/1.0.0_react@18.2.0:
    resolution: {integrity: sha512-x}
    dev: true
    optional: true
)");
  ASSERT_FALSE(r.error) << r.error->str();
  ASSERT_EQ(r.packages.size(), 1u);
  EXPECT_EQ(r.packages[0].name, "@s/a_b");
  EXPECT_EQ(r.packages[0].version, "1.0.0");
  EXPECT_EQ(r.packages[0].flags, kDev | kOptional | kDirect);
  EXPECT_EQ(r.stats.format_version, 5u);
}

// YamlReader's fast tokenizer hands anything outside its subset to libyaml
// (its event-for-event equivalence is pinned in yaml_fast_test.cpp); here:
// the pnpm parser still reads such a file.
TEST(PnpmLock, OutsideTheFastSubsetLibyamlReads) {
  // A comment, a multi-line plain scalar, a block list of maps, a tab in a
  // value, double-quoted escapes: all YAML pnpm never writes, all still read.
  std::string yaml =
      "# comment\nlockfileVersion: \"9.0\"\nimporters:\n  .:\n    dependencies:\n      a:\n        specifier:\n"
      "          ^1.0.0\n        version: 1.0.0\npackages:\n  a@1.0.0:\n    resolution: {integrity: \"sha\\tx\"}\n"
      "    weird:\n    - {x: 1}\n    - y: [1,\n        2]\nsnapshots:\n  a@1.0.0: {}\n";
  PnpmLock lock;
  ASSERT_FALSE(read_pnpm_graph("f", yaml, &lock)) << yaml;
  testing::Parsed r = parse(yaml);
  ASSERT_FALSE(r.error) << r.error->str();
  ASSERT_EQ(r.packages.size(), 1u);
  EXPECT_EQ(r.packages[0].name, "a");
  EXPECT_EQ(r.packages[0].flags, kDirect);
}

TEST(PnpmLock, RootSectionsAroundImporters) {
  testing::Parsed r = parse(R"(lockfileVersion: 5.4
dependencies:
  a: 1.0.0
importers:
  packages/x:
    dependencies:
      b: 1.0.0
devDependencies:
  c: 1.0.0
packages:
  /a/1.0.0: {}
  /b/1.0.0: {}
  /c/1.0.0:
    dev: true
)");
  ASSERT_FALSE(r.error) << r.error->str();
  ASSERT_EQ(r.packages.size(), 3u);
  for (const Package& p : r.packages) EXPECT_TRUE(p.flags & kDirect) << p.location;
  EXPECT_EQ(r.packages[2].flags, kDirect | kDev);
  auto paths = dependency_paths(LockfileKind::kPnpm, r.text, {"/b/1.0.0", "/c/1.0.0"});
  EXPECT_THAT(paths[0], ElementsAre("packages/x", "b"));
  EXPECT_THAT(paths[1], ElementsAre("c"));
}

TEST(PnpmLock, OffsetsSurviveNonAsciiText) {
  testing::Parsed r = parse("lockfileVersion: '9.0'\n# héllo wörld ✓\npackages:\n  a@1.0.0: {}\nsnapshots:\n  a@1.0.0: {}\n");
  ASSERT_FALSE(r.error) << r.error->str();
  ASSERT_EQ(r.packages.size(), 1u);
  EXPECT_EQ(r.text.substr(r.packages[0].offset, 7), "a@1.0.0");
  EXPECT_EQ(line_col_at(r.text, r.packages[0].offset).line, 6u);
}

// --- bad input ----------------------------------------------------------------------

void expect_error(std::string_view yaml, uint32_t line, std::string_view what) {
  testing::Parsed r = parse(yaml);
  ASSERT_TRUE(r.error) << yaml;
  EXPECT_EQ(r.error->file, "pnpm-lock.yaml");
  EXPECT_EQ(r.error->line, line) << r.error->str();
  EXPECT_THAT(r.error->what, HasSubstr(what)) << r.error->str();
}

TEST(PnpmLockBad, Errors) {
  expect_error("", 1, "empty file");
  expect_error("packages: {}\n", 1, "no lockfileVersion");
  // Cut inside a flow map: libyaml reports the end of the input.
  expect_error("lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {integrity: sha", 5, "invalid YAML");
  // Cut after a key: the key's value is the plain scalar "resolution".
  expect_error("lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution", 4, "expected a map (a package entry)");
  expect_error("lockfileVersion: '9.0'\npackages:\n\ta@1.0.0: {}\n", 3, "invalid YAML");
  expect_error("lockfileVersion: '9.0'\npackages: &x\n  a@1.0.0: {}\n", 2, "anchor");
  expect_error("lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {}\nsnapshots:\n  a@1.0.0: *x\n", 5, "alias");
  expect_error("lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {}\n  b@1.0.0: {}\n  a@1.0.0: {}\n", 5,
               "duplicate key 'a@1.0.0' in packages (first at line 3)");
  expect_error("lockfileVersion: '9.0'\nsnapshots:\n  a@1.0.0: {}\n  'a@1.0.0': {}\n", 4,
               "duplicate key 'a@1.0.0' in snapshots");
  expect_error("lockfileVersion: '9.0'\npackages: 3\n", 2, "/packages: expected a map of packages, found a scalar");
  expect_error("lockfileVersion: '9.0'\npackages:\n  a@1.0.0: [1]\n", 3, "expected a map (a package entry), found a list");
  expect_error("lockfileVersion: '9.0'\nsnapshots:\n  a@1.0.0:\n    dependencies:\n      b: {x: 1}\n", 5,
               "/snapshots/a@1.0.0/dependencies/b: expected a version");
  expect_error("lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies: [a]\n", 4,
               "/importers/./dependencies: expected a map of dependencies, found a list");
  expect_error("lockfileVersion: [9]\n", 1, "lockfileVersion");
  expect_error("- a\n- b\n", 1, "expected a map");
  expect_error("lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {}\npackages:\n  b@1.0.0: {}\n", 4,
               "duplicate top-level key 'packages'");
  std::string bad_utf8 = "lockfileVersion: '9.0'\npackages:\n  a\xff@1.0.0: {}\n";
  expect_error(bad_utf8, 3, "UTF-8");
  expect_error("lockfileVersion: '9.0'\nx: " + std::string(200, '[') + "\n", 2, "nesting deeper than 64");
}

TEST(PnpmLockBad, TruncatedEverywhereNeverCrashes) {
  std::ifstream in(testdata("pnpm/app-pnpm9.pnpm-lock.yaml"));
  std::string full((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(full.size(), 1000u);
  for (size_t cut = 0; cut < full.size(); cut += 997) {
    testing::Parsed r = parse(std::string_view(full).substr(0, cut));
    if (r.error) { EXPECT_GT(r.error->line, 0u) << cut; }
  }
}

TEST(PnpmLockBad, DeepNestingIsRefusedFast) {
  // libyaml's scanner is quadratic in flow depth; the limit stops it early.
  std::string deep = "lockfileVersion: '9.0'\nx: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  testing::Parsed r = parse(deep);
  ASSERT_TRUE(r.error);
  EXPECT_THAT(r.error->what, HasSubstr("nesting deeper than 64"));
}

}  // namespace
}  // namespace gv
