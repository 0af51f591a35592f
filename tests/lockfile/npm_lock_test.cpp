// Real lockfiles written by npm (scripts/gen-npm-fixtures.sh) must yield
// exactly the packages npm itself reads from them (expected-*.txt, from
// `npm query '*' --package-lock-only`).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "parse_testing.h"

namespace gv {
namespace {

using ::testing::ElementsAre;
using testing::find;
using testing::name_versions;
using testing::parse_fixture;
using testing::parse_text;
using testing::testdata;

std::set<std::string> expected_set(const std::string& name) { return testing::expected_set("npm", name); }

struct Fixture {
  const char* file;
  const char* expected;
  uint32_t version;
  LockfileKind kind;
};

class NpmFixture : public ::testing::TestWithParam<Fixture> {};

TEST_P(NpmFixture, YieldsExactlyWhatNpmReads) {
  const Fixture& f = GetParam();
  LockfileKind kind;
  testing::Parsed r = parse_fixture(std::string("npm/") + f.file, &kind);
  ASSERT_FALSE(r.error) << r.error->str();
  EXPECT_EQ(kind, f.kind);
  EXPECT_EQ(r.stats.format_version, f.version);
  EXPECT_EQ(r.stats.packages, r.packages.size());
  std::set<std::string> want = expected_set(f.expected);
  std::set<std::string> got = name_versions(r);
  if (f.version == 1) {
    // npm 6 records a git dependency's version as the git URL; npm 11 reads
    // it as "undefined". We report the URL (kGit) and check it here.
    ASSERT_EQ(want.erase("tiny-git@undefined"), 1u);
    const Package* g = find(r, "node_modules/tiny-git");
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->source, SourceKind::kGit);
    EXPECT_TRUE(g->version.starts_with("git+file:///tmp/gv-npm-fixtures/git/tiny-git.git#")) << g->version;
    got.erase(g->name + "@" + g->version);
  }
  EXPECT_EQ(got, want);
  // Every location is distinct: nothing is counted twice (v2 has both trees).
  std::set<std::string> locations;
  for (const Package& p : r.packages) EXPECT_TRUE(locations.insert(p.location).second) << p.location;
}

INSTANTIATE_TEST_SUITE_P(
    Real, NpmFixture,
    ::testing::Values(Fixture{"app-v3.package-lock.json", "app-v3", 3, LockfileKind::kNpmLock},
                      Fixture{"app-v2.package-lock.json", "app-v2", 2, LockfileKind::kNpmLock},
                      Fixture{"app-v1.package-lock.json", "app-v1", 1, LockfileKind::kNpmLock},
                      Fixture{"app-latest.package-lock.json", "app-latest", 3, LockfileKind::kNpmLock},
                      Fixture{"app.npm-shrinkwrap.json", "app-shrinkwrap", 3, LockfileKind::kNpmLock},
                      Fixture{"monorepo.package-lock.json", "monorepo", 3, LockfileKind::kNpmLock}),
    [](const auto& info) {
      std::string n = info.param.expected;
      for (char& c : n)
        if (c == '-') c = '_';
      return n;
    });

class AppLock : public ::testing::TestWithParam<const char*> {};

TEST_P(AppLock, AliasFlagsAndSources) {
  testing::Parsed r = parse_fixture(GetParam());
  ASSERT_FALSE(r.error) << r.error->str();

  const Package* alias = find(r, "node_modules/my-lodash");
  ASSERT_NE(alias, nullptr);
  EXPECT_EQ(alias->name, "lodash");
  EXPECT_EQ(alias->alias, "my-lodash");
  EXPECT_EQ(alias->version, "4.17.20");
  EXPECT_EQ(alias->source, SourceKind::kRegistry);
  // v1 does not record the root's dependencies, so it has no kDirect.
  bool v1 = std::string_view(GetParam()).find("v1") != std::string_view::npos;
  EXPECT_EQ((alias->flags & kDirect) != 0, !v1);

  const Package* lodash = find(r, "node_modules/lodash");
  ASSERT_NE(lodash, nullptr);
  EXPECT_EQ(lodash->alias, "");
  EXPECT_EQ(lodash->flags & (kDev | kOptional), 0);

  const Package* ts = find(r, "node_modules/typescript");
  ASSERT_NE(ts, nullptr);
  EXPECT_TRUE(ts->flags & kDev);

  const Package* fsevents = find(r, "node_modules/fsevents");
  ASSERT_NE(fsevents, nullptr);
  EXPECT_TRUE(fsevents->flags & kOptional);

  const Package* axios = find(r, "node_modules/axios");
  ASSERT_NE(axios, nullptr);
  EXPECT_EQ(axios->version, "1.7.9");

  const Package* git = find(r, "node_modules/tiny-git");
  ASSERT_NE(git, nullptr);
  EXPECT_EQ(git->source, SourceKind::kGit);

  // A registry tarball URL is still the registry (".../-/is-number-7.0.0.tgz").
  const Package* tarball = find(r, "node_modules/is-number");
  ASSERT_NE(tarball, nullptr);
  EXPECT_EQ(tarball->version, "7.0.0");
  EXPECT_EQ(tarball->source, SourceKind::kRegistry);

  // The file: folder is the project's own code behind a symlink: not emitted.
  EXPECT_EQ(find(r, "node_modules/local-lib"), nullptr);
  EXPECT_EQ(find(r, "local-lib"), nullptr);
  // ...but what it depends on is.
  EXPECT_NE(find(r, "node_modules/is-odd"), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Real, AppLock,
                         ::testing::Values("npm/app-v3.package-lock.json", "npm/app-v2.package-lock.json",
                                           "npm/app-v1.package-lock.json", "npm/app-latest.package-lock.json",
                                           "npm/app.npm-shrinkwrap.json"));

TEST(NpmLock, DirectFlagOnlyOnTopLevelDeclaredDeps) {
  testing::Parsed r = parse_fixture("npm/app-v3.package-lock.json");
  ASSERT_FALSE(r.error);
  EXPECT_TRUE(find(r, "node_modules/express")->flags & kDirect);
  EXPECT_TRUE(find(r, "node_modules/typescript")->flags & kDirect);
  EXPECT_FALSE(find(r, "node_modules/body-parser")->flags & kDirect);
  for (const Package& p : r.packages)
    if (p.location.find("/node_modules/") != std::string::npos) {
      EXPECT_FALSE(p.flags & kDirect) << p.location;
    }
}

TEST(NpmLock, OffsetsPointAtTheEntryKey) {
  for (const char* f : {"npm/app-v3.package-lock.json", "npm/app-v1.package-lock.json"}) {
    testing::Parsed r = parse_fixture(f);
    ASSERT_FALSE(r.error);
    for (const Package& p : r.packages) {
      ASSERT_LT(p.offset, r.text.size());
      ASSERT_EQ(r.text[p.offset], '"') << p.location;
      // The key there is the last path segment (v1) or the whole location (v2/v3).
      std::string_view at(r.text.data() + p.offset + 1);
      std::string last = p.alias.empty() ? p.name : p.alias;
      EXPECT_TRUE(at.starts_with(p.location + "\"") || at.starts_with(last + "\"")) << p.location;
    }
  }
  testing::Parsed r = parse_fixture("npm/app-v3.package-lock.json");
  const Package* alias = find(r, "node_modules/my-lodash");
  LineCol lc = line_col_at(r.text, alias->offset);
  // The line holds the key.
  size_t line_start = 0;
  for (uint32_t l = 1; l < lc.line; ++l) line_start = r.text.find('\n', line_start) + 1;
  EXPECT_EQ(r.text.substr(line_start, r.text.find('\n', line_start) - line_start),
            "    \"node_modules/my-lodash\": {");
  EXPECT_EQ(lc.col, 5u);
}

TEST(NpmLock, WorkspacesAreProjectsNotPackages) {
  testing::Parsed r = parse_fixture("npm/monorepo.package-lock.json");
  ASSERT_FALSE(r.error) << r.error->str();
  EXPECT_EQ(find(r, "packages/app"), nullptr);
  EXPECT_EQ(find(r, "packages/util"), nullptr);
  EXPECT_EQ(find(r, "node_modules/@fixture/app"), nullptr);  // link
  // semver: ^7 for the root (hoisted), ^6 for util (nested in its folder).
  const Package* root_semver = find(r, "node_modules/semver");
  const Package* util_semver = find(r, "packages/util/node_modules/semver");
  ASSERT_NE(root_semver, nullptr);
  ASSERT_NE(util_semver, nullptr);
  EXPECT_TRUE(root_semver->version.starts_with("7."));
  EXPECT_TRUE(util_semver->version.starts_with("6."));
  EXPECT_TRUE(util_semver->flags & kDirect);
  // Members' deps are direct too (collected in the pre-pass).
  EXPECT_TRUE(find(r, "node_modules/express")->flags & kDirect);
  EXPECT_TRUE(find(r, "node_modules/ms")->flags & kDirect);
  const Package* old_debug = find(r, "node_modules/old-debug");
  ASSERT_NE(old_debug, nullptr);
  EXPECT_EQ(old_debug->name, "debug");
  EXPECT_EQ(old_debug->alias, "old-debug");
  EXPECT_EQ(old_debug->version, "2.6.9");
}

TEST(NpmLock, DependencyPathsFollowNodeResolution) {
  for (const char* f : {"npm/app-v3.package-lock.json", "npm/app-v2.package-lock.json"}) {
    testing::Parsed r = parse_fixture(f);
    ASSERT_FALSE(r.error);
    auto paths = dependency_paths(LockfileKind::kNpmLock, r.text,
                                  {"node_modules/express", "node_modules/mime-db", "node_modules/is-odd",
                                   "node_modules/is-odd/node_modules/is-number", "node_modules/nope",
                                   "node_modules/ms"});
    ASSERT_EQ(paths.size(), 6u);
    EXPECT_THAT(paths[0], ElementsAre("express"));
    // Shortest is four long: express or axios -> ... -> mime-types -> mime-db.
    ASSERT_EQ(paths[1].size(), 4u) << f;
    EXPECT_EQ(paths[1].back(), "mime-db");
    EXPECT_THAT(paths[2], ElementsAre("local-lib", "is-odd"));  // through the file: link
    EXPECT_THAT(paths[3], ElementsAre("local-lib", "is-odd", "is-number"));
    EXPECT_TRUE(paths[4].empty());
    ASSERT_EQ(paths[5].size(), 2u);  // debug -> ms or tiny-git -> ms
    EXPECT_EQ(paths[5].back(), "ms");
  }
}

TEST(NpmLock, DependencyPathsV1UseRequires) {
  testing::Parsed r = parse_fixture("npm/app-v1.package-lock.json");
  ASSERT_FALSE(r.error);
  auto paths = dependency_paths(LockfileKind::kNpmLock, r.text,
                                {"node_modules/is-odd/node_modules/is-number", "node_modules/mime-db",
                                 "node_modules/express"});
  EXPECT_THAT(paths[0], ElementsAre("local-lib", "is-odd", "is-number"));
  ASSERT_EQ(paths[1].size(), 4u);
  EXPECT_EQ(paths[1].back(), "mime-db");
  EXPECT_THAT(paths[2], ElementsAre("express"));
}

TEST(NpmLock, DependencyPathsInWorkspacesStartAtTheMember) {
  testing::Parsed r = parse_fixture("npm/monorepo.package-lock.json");
  auto paths = dependency_paths(LockfileKind::kNpmLock, r.text,
                                {"packages/util/node_modules/semver", "node_modules/express",
                                 "node_modules/semver", "node_modules/old-debug"});
  EXPECT_THAT(paths[0], ElementsAre("packages/util", "semver"));
  EXPECT_THAT(paths[1], ElementsAre("packages/app", "express"));
  EXPECT_THAT(paths[2], ElementsAre("semver"));
  EXPECT_THAT(paths[3], ElementsAre("packages/util", "debug"));
}

// ---- hand-written shapes npm also produces -----------------------------------

TEST(NpmLock, V2UsesPackagesAndIgnoresTheV1Tree) {
  auto r = parse_text(LockfileKind::kNpmLock, R"({
  "lockfileVersion": 2,
  "packages": {"": {"dependencies": {"a": "1"}}, "node_modules/a": {"version": "1.0.0"}},
  "dependencies": {"a": {"version": "1.0.0"}, "ghost": {"version": "9.9.9"}}
})");
  ASSERT_FALSE(r.error) << r.error->str();
  ASSERT_EQ(r.packages.size(), 1u);
  EXPECT_EQ(r.packages[0].name, "a");
}

TEST(NpmLock, DependenciesBeforePackagesStillPrefersPackages) {
  auto r = parse_text(LockfileKind::kNpmLock, R"({
  "dependencies": {"ghost": {"version": "9.9.9"}},
  "lockfileVersion": 2,
  "packages": {"node_modules/a": {"version": "1.0.0"}}
})");
  ASSERT_FALSE(r.error) << r.error->str();
  ASSERT_EQ(r.packages.size(), 1u);
  EXPECT_EQ(r.packages[0].name, "a");
}

TEST(NpmLock, V2WithoutPackagesFallsBackToTheTree) {
  auto r = parse_text(LockfileKind::kNpmLock, R"({"dependencies": {"a": {"version": "1.0.0",
    "dependencies": {"b": {"version": "2.0.0", "dev": true}}}}, "lockfileVersion": 2})");
  ASSERT_FALSE(r.error) << r.error->str();
  ASSERT_EQ(r.packages.size(), 2u);
  EXPECT_EQ(find(r, "node_modules/a/node_modules/b")->version, "2.0.0");
  EXPECT_TRUE(find(r, "node_modules/a/node_modules/b")->flags & kDev);
}

TEST(NpmLock, UnknownLockfileVersionIsParsedWhenTheShapeIsKnown) {
  auto r = parse_text(LockfileKind::kNpmLock,
                      R"({"lockfileVersion": 4, "packages": {"node_modules/a": {"version": "1.0.0"}}})");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.stats.format_version, 4u);
  EXPECT_EQ(r.packages.size(), 1u);
}

TEST(NpmLock, FlagsSourcesAndEscapedKeys) {
  auto r = parse_text(LockfileKind::kNpmLock, R"({"lockfileVersion": 3, "packages": {
    "node_modules/@s/x": {"version": "1.0.0", "devOptional": true, "peer": true},
    "node_modules/t": {"version": "1.0.0", "resolved": "https://example.com/t.tgz"},
    "node_modules/f": {"version": "1.0.0", "resolved": "file:../f-1.0.0.tgz"},
    "node_modules/g": {"version": "1.0.0", "resolved": "git+ssh://git@github.com/a/g.git#abc"},
    "node_modules/w": {"resolved": "packages/w", "link": true},
    "node_modules/e\u0073c": {"version": "1.0.0"}
  }})");
  ASSERT_FALSE(r.error) << r.error->str();
  ASSERT_EQ(r.packages.size(), 5u);
  EXPECT_EQ(find(r, "node_modules/@s/x")->name, "@s/x");
  EXPECT_EQ(find(r, "node_modules/@s/x")->flags, kDevOptional | kPeer);
  EXPECT_EQ(find(r, "node_modules/t")->source, SourceKind::kTarball);
  EXPECT_EQ(find(r, "node_modules/f")->source, SourceKind::kFile);
  EXPECT_EQ(find(r, "node_modules/g")->source, SourceKind::kGit);
  EXPECT_EQ(find(r, "node_modules/esc")->name, "esc");
}

TEST(NpmLock, V1AliasGitAndLinks) {
  auto r = parse_text(LockfileKind::kNpmLock, R"({"lockfileVersion": 1, "dependencies": {
    "my-lodash": {"version": "npm:lodash@4.17.20"},
    "g": {"version": "github:a/g#abc", "from": "github:a/g"},
    "local": {"version": "file:packages/local"},
    "tgz": {"version": "file:vendor/tgz-1.0.0.tgz"}
  }})");
  ASSERT_FALSE(r.error) << r.error->str();
  ASSERT_EQ(r.packages.size(), 3u);
  EXPECT_EQ(find(r, "node_modules/my-lodash")->name, "lodash");
  EXPECT_EQ(find(r, "node_modules/my-lodash")->version, "4.17.20");
  EXPECT_EQ(find(r, "node_modules/my-lodash")->alias, "my-lodash");
  EXPECT_EQ(find(r, "node_modules/g")->source, SourceKind::kGit);
  EXPECT_EQ(find(r, "node_modules/g")->version, "github:a/g#abc");
  EXPECT_EQ(find(r, "node_modules/tgz")->source, SourceKind::kFile);
}

}  // namespace
}  // namespace gv
