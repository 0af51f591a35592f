// Real yarn.lock files written by yarn 4, 3 and 2 (scripts/gen-yarn-berry-fixtures.sh)
// must yield exactly the packages yarn's own parser (@yarnpkg/parsers) finds
// in them (expected-*.txt): every entry but workspace:, portal: and link:.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "lockfile/yarn_berry.h"
#include "lockfile/yarn_berry_read.h"
#include "parse_testing.h"

namespace gv {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::find;
using testing::parse_fixture;
using testing::parse_text;
using testing::testdata;

std::set<std::string> expected_set(const std::string& name) { return testing::expected_set("yarn-berry", name); }

struct Fixture {
  const char* name;
  uint32_t version;  // __metadata.version that yarn writes
};

class BerryFixture : public ::testing::TestWithParam<Fixture> {};

TEST_P(BerryFixture, YieldsExactlyWhatYarnReads) {
  const Fixture& f = GetParam();
  std::string rel = std::string("yarn-berry/") + f.name + ".yarn.lock";
  if (!std::filesystem::exists(testdata(rel))) GTEST_SKIP() << rel << " not generated";
  LockfileKind kind;
  testing::Parsed r = parse_fixture(rel, &kind);
  ASSERT_FALSE(r.error) << r.error->str();
  EXPECT_EQ(kind, LockfileKind::kYarn);
  EXPECT_EQ(r.stats.format_version, f.version);
  EXPECT_EQ(r.stats.packages, r.packages.size());
  std::set<std::string> got;
  for (const Package& p : r.packages) got.insert(p.name + "@" + p.version);
  EXPECT_EQ(got, expected_set(f.name));
  std::set<std::string> locations;
  for (const Package& p : r.packages) {
    EXPECT_TRUE(locations.insert(p.location).second) << p.location;
    // The offset is the key's line: its opening quote (or first letter).
    ASSERT_LT(p.offset, r.text.size());
    EXPECT_TRUE(p.offset == 0 || r.text[p.offset - 1] == '\n') << p.location;
    size_t start = p.offset + (r.text[p.offset] == '"' ? 1 : 0);
    EXPECT_EQ(r.text.compare(start, p.location.size(), p.location), 0) << p.location;
    EXPECT_FALSE(p.location.find("@workspace:") != std::string::npos && p.location.find(", ") == std::string::npos)
        << p.location;
    EXPECT_NE(p.source, SourceKind::kLink);
  }
}

INSTANTIATE_TEST_SUITE_P(Real, BerryFixture,
                         ::testing::Values(Fixture{"app-yarn4", 10}, Fixture{"monorepo-yarn4", 10},
                                           Fixture{"app-yarn3", 6}, Fixture{"monorepo-yarn3", 6},
                                           Fixture{"app-yarn2", 4}, Fixture{"monorepo-yarn2", 4}),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

const Package* find_name(const testing::Parsed& r, std::string_view name, std::string_view version) {
  for (const Package& p : r.packages)
    if (p.name == name && p.version == version) return &p;
  return nullptr;
}

class BerryApp : public ::testing::TestWithParam<const char*> {};

TEST_P(BerryApp, AliasPatchSourcesAndFlags) {
  testing::Parsed r = parse_fixture(std::string("yarn-berry/") + GetParam() + ".yarn.lock");
  ASSERT_FALSE(r.error) << r.error->str();

  const Package* alias = find_name(r, "lodash", "4.17.20");
  ASSERT_NE(alias, nullptr);
  EXPECT_EQ(alias->alias, "my-lodash");
  EXPECT_TRUE(alias->location.starts_with("my-lodash@npm:lodash@4.17.20")) << alias->location;
  EXPECT_TRUE(alias->flags & kDirect);

  // lodash@^4.17.21 is not aliased; two descriptors may share its key.
  const Package* lodash = find(r, "lodash@npm:^4.17.21");
  ASSERT_NE(lodash, nullptr);
  EXPECT_EQ(lodash->alias, "");
  EXPECT_TRUE(lodash->flags & kDirect);
  EXPECT_FALSE(lodash->flags & kOptional);

  // typescript has a patch: entry (yarn's builtin compat patch): it is the
  // typescript package, reported once, from the patch: entry.
  int ts = 0;
  for (const Package& p : r.packages)
    if (p.name == "typescript") {
      ++ts;
      EXPECT_TRUE(p.location.starts_with("typescript@patch:typescript@")) << p.location;
      EXPECT_EQ(p.source, SourceKind::kRegistry);
      EXPECT_TRUE(p.flags & kDirect);
    }
  EXPECT_EQ(ts, 1);

  // fsevents: the root's optionalDependencies, and optional in chokidar too.
  for (const Package& p : r.packages) {
    if (p.name == "fsevents") {
      EXPECT_EQ(p.flags & kOptional, kOptional) << p.location;
    }
  }

  const Package* tarball = nullptr;
  const Package* file = nullptr;
  for (const Package& p : r.packages) {
    if (p.name == "is-number" && p.location.find("https:") != std::string::npos) tarball = &p;
    if (p.name == "local-lib") file = &p;
  }
  ASSERT_NE(tarball, nullptr);
  EXPECT_EQ(tarball->source, SourceKind::kTarball);
  EXPECT_EQ(tarball->version, "7.0.0");
  EXPECT_TRUE(tarball->flags & kDirect);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->source, SourceKind::kFile);
  EXPECT_EQ(file->version, "1.0.0");
  EXPECT_TRUE(file->flags & kDirect);

  // A transitive package is neither direct nor optional.
  const Package* is_odd = find_name(r, "is-odd", "3.0.1");
  ASSERT_NE(is_odd, nullptr);
  EXPECT_EQ(is_odd->flags, 0);
}

INSTANTIATE_TEST_SUITE_P(Real, BerryApp, ::testing::Values("app-yarn4", "app-yarn3"));

TEST(YarnBerry, MonorepoSkipsWorkspacesPortalsAndLinks) {
  testing::Parsed r = parse_fixture("yarn-berry/monorepo-yarn4.yarn.lock");
  ASSERT_FALSE(r.error) << r.error->str();
  for (const Package& p : r.packages) {
    EXPECT_FALSE(p.name.starts_with("@fixture/")) << p.name;
    EXPECT_NE(p.name, "fixture-monorepo");
    EXPECT_NE(p.name, "portal-pkg");
    EXPECT_NE(p.name, "link-dir");
  }
  // "debug@npm:2.6.9, old-debug@npm:debug@2.6.9": one entry, installed under
  // both names; the alias names the first descriptor that differs.
  const Package* debug = find(r, "debug@npm:2.6.9, old-debug@npm:debug@2.6.9");
  ASSERT_NE(debug, nullptr);
  EXPECT_EQ(debug->name, "debug");
  EXPECT_EQ(debug->alias, "old-debug");
  EXPECT_TRUE(debug->flags & kDirect);  // declared by packages/util
  // The portal's own dependency is a package (reached through the portal).
  EXPECT_NE(find_name(r, "is-odd", "3.0.1"), nullptr);
  // semver ^7 is the root's, ^6 packages/util's: both direct.
  EXPECT_TRUE(find(r, "semver@npm:^7.6.0")->flags & kDirect);
  EXPECT_TRUE(find(r, "semver@npm:^6.3.1")->flags & kDirect);
}

TEST(YarnBerry, DependencyPaths) {
  testing::Parsed r = parse_fixture("yarn-berry/monorepo-yarn4.yarn.lock");
  ASSERT_FALSE(r.error);
  std::vector<std::string> locs = {"ms@npm:2.0.0", "semver@npm:^7.6.0", "is-odd@npm:^3.0.1", "nope@npm:1",
                                   "debug@npm:2.6.9, old-debug@npm:debug@2.6.9"};
  auto paths = dependency_paths(LockfileKind::kYarn, r.text, locs);
  ASSERT_EQ(paths.size(), locs.size());
  // ms 2.0.0 is debug 2.6.9's: through the alias in packages/util (shorter
  // than express → debug → ms).
  EXPECT_THAT(paths[0], ElementsAre("packages/util", "old-debug", "ms"));
  EXPECT_THAT(paths[1], ElementsAre("semver"));  // the root's own
  EXPECT_THAT(paths[2], ElementsAre("packages/app", "portal-pkg", "is-odd"));
  EXPECT_TRUE(paths[3].empty());
  EXPECT_THAT(paths[4], ElementsAre("packages/util", "old-debug"));

  testing::Parsed app = parse_fixture("yarn-berry/app-yarn4.yarn.lock");
  auto app_paths = dependency_paths(LockfileKind::kYarn, app.text,
                                    {"is-odd@npm:3.0.1", "qs@npm:6.14.0", "typescript@npm:^5.6.0"});
  EXPECT_THAT(app_paths[0], ElementsAre("local-lib", "is-odd"));
  // The root declares typescript@npm:^5.6.0; what is installed is the
  // patch: entry made from it, so that is where the chain leads.
  EXPECT_TRUE(app_paths[2].empty());
  auto ts = dependency_paths(LockfileKind::kYarn, app.text,
                             {"typescript@patch:typescript@npm%3A^5.6.0#optional!builtin<compat/typescript>"});
  EXPECT_THAT(ts[0], ElementsAre("typescript"));
}

constexpr std::string_view kHeader = "__metadata:\n  version: 8\n  cacheKey: 10c0\n\n";

testing::Parsed parse_berry(std::string_view body, std::string_view header = kHeader) {
  return parse_text(LockfileKind::kYarn, std::string(header) + std::string(body), "yarn.lock");
}

TEST(YarnBerry, HandWrittenShapes) {
  testing::Parsed r = parse_berry(
      "\"a@npm:^1.0.0, a@npm:^1.1.0\":\n  version: 1.2.0\n  resolution: \"a@npm:1.2.0\"\n\n"
      "\"@s/b@git+ssh://git@example.com/b.git#commit=abc\":\n  version: 0.1.0\n"
      "  resolution: \"@s/b@git+ssh://git@example.com/b.git#commit=abc\"\n\n"
      "\"c@exec:./gen.js\":\n  version: 0.0.0\n  resolution: \"c@exec:./gen.js::locator=x\"\n\n"
      "\"esc\\u0040npm:1\":\n  version: 1.0.0\n  resolution: \"esc@npm:1.0.0\"\n");
  ASSERT_FALSE(r.error) << r.error->str();
  EXPECT_EQ(r.stats.format_version, 8u);
  ASSERT_EQ(r.packages.size(), 4u);
  EXPECT_EQ(r.packages[0].name, "a");
  EXPECT_EQ(r.packages[0].location, "a@npm:^1.0.0, a@npm:^1.1.0");
  EXPECT_EQ(r.packages[0].offset, kHeader.size());
  EXPECT_EQ(r.packages[1].name, "@s/b");
  EXPECT_EQ(r.packages[1].source, SourceKind::kGit);
  EXPECT_EQ(r.packages[2].source, SourceKind::kUnknown);
  EXPECT_EQ(r.packages[3].location, "esc@npm:1");  // escaped in the file: a copy
}

TEST(YarnBerry, OffsetsAreBytesAfterNonAscii) {
  // libyaml counts characters; offsets must be bytes for line_col_at.
  testing::Parsed r = parse_berry("\"a@npm:1\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n  x: \"\xc3\xa9\xc3\xa9\"\n\n"
                                  "\"b@npm:1\":\n  version: 1.0.0\n  resolution: \"b@npm:1.0.0\"\n");
  ASSERT_FALSE(r.error) << r.error->str();
  ASSERT_EQ(r.packages.size(), 2u);
  EXPECT_EQ(r.text.substr(r.packages[1].offset, 9), "\"b@npm:1\"");
  EXPECT_EQ(line_col_at(r.text, r.packages[1].offset).line, 10u);
}

TEST(YarnBerry, UnknownMetadataVersionStillParses) {
  testing::Parsed r = parse_berry("a@npm:1:\n  version: 1.0.0\n  resolution: a@npm:1.0.0\n",
                                  "__metadata:\n  version: 42\n\n");
  ASSERT_FALSE(r.error) << r.error->str();
  EXPECT_EQ(r.stats.format_version, 42u);
  ASSERT_EQ(r.packages.size(), 1u);
  EXPECT_EQ(r.packages[0].name, "a");
}

struct Bad {
  const char* name;
  std::string text;
  uint32_t line;
  const char* what;
};

class BerryBad : public ::testing::TestWithParam<Bad> {};

TEST_P(BerryBad, ErrorNamesTheLine) {
  const Bad& b = GetParam();
  testing::Parsed r;
  auto sink = [&](const PackageRef& p) { r.packages.emplace_back(p); };
  r.error = parse_yarn_berry("yarn.lock", b.text, sink, &r.stats);
  ASSERT_TRUE(r.error) << b.name;
  EXPECT_EQ(r.error->file, "yarn.lock");
  EXPECT_EQ(r.error->line, b.line) << r.error->str();
  EXPECT_THAT(r.error->what, HasSubstr(b.what)) << r.error->str();
  EXPECT_TRUE(r.packages.empty());
}

const std::string kEntry = "\"a@npm:1\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n";

INSTANTIATE_TEST_SUITE_P(
    Inputs, BerryBad,
    ::testing::Values(
        Bad{"duplicate_key", "__metadata:\n  version: 8\n" + kEntry + kEntry, 6, "duplicate key \"a@npm:1\" (first at line 3)"},
        Bad{"duplicate_field", "__metadata:\n  version: 8\n\"a@npm:1\":\n  version: 1\n  version: 2\n", 5,
            "duplicate key \"version\""},
        Bad{"tab", "__metadata:\n\tversion: 8\n", 2, "invalid YAML"},
        Bad{"anchor", "__metadata:\n  version: 8\n\"a@npm:1\": &x\n  version: 1\n", 3, "anchor"},
        Bad{"alias", "__metadata:\n  version: 8\nb: *x\n", 3, "alias"},
        Bad{"truncated_string", "__metadata:\n  version: 8\n\"a@npm:1\":\n  version: 1.0.0\n  resolution: \"a@np", 5,
            "invalid YAML"},
        Bad{"truncated_entry", "__metadata:\n  version: 8\n\"a@npm:1\":\n  version: 1.0.0\n", 3, "no \"resolution\""},
        Bad{"not_utf8", "__metadata:\n  version: 8\n\"a@npm:1\":\n  version: \"\xff\"\n", 4, "invalid UTF-8 (byte 0xff)"},
        Bad{"top_sequence", "- a\n- b\n", 1, "expected a mapping of entries"},
        Bad{"entry_scalar", "__metadata:\n  version: 8\n\"a@npm:1\": 3\n", 3, "expected a mapping"},
        Bad{"version_map", "__metadata:\n  version: 8\n\"a@npm:1\":\n  version:\n    x: 1\n", 5, "version: expected a string"},
        Bad{"bad_resolution", "__metadata:\n  version: 8\n\"a@npm:1\":\n  version: 1\n  resolution: nope\n", 3,
            "not name@reference"},
        Bad{"metadata_version", "__metadata:\n  version: eight\n", 2, "expected a whole number"},
        Bad{"deps_list", "__metadata:\n  version: 8\n\"a@npm:1\":\n  dependencies:\n    - b\n", 5,
            "dependencies: expected a mapping"},
        Bad{"empty", "", 1, "empty"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(YarnBerry, DescriptorHelpers) {
  std::string_view n, r;
  ASSERT_TRUE(berry::split_descriptor("@s/x@npm:^1", &n, &r));
  EXPECT_EQ(n, "@s/x");
  EXPECT_EQ(r, "npm:^1");
  EXPECT_FALSE(berry::split_descriptor("@s/x", &n, &r));
  std::string d;
  berry::normalize_descriptor("a", "^1.0.0", &d);
  EXPECT_EQ(d, "a@npm:^1.0.0");
  berry::normalize_descriptor("a", "file:./a::locator=x%40workspace%3A.", &d);
  EXPECT_EQ(d, "a@file:./a");
  berry::normalize_descriptor("a", "git+ssh://h/a.git", &d);
  EXPECT_EQ(d, "a@git+ssh://h/a.git");
}

}  // namespace
}  // namespace gv
