// Real bun.lock files written by bun (scripts/gen-bun-fixtures.sh) must yield
// exactly the packages bun itself lists (expected-*.txt, from
// `bun pm ls --all`), plus the JSONC and bad-input cases.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "lockfile/bun_jsonc.h"
#include "parse_testing.h"

namespace gv {
namespace {

using ::testing::ElementsAre;
using testing::find;
using ::testing::HasSubstr;
using testing::name_versions;
using testing::parse_fixture;
using testing::parse_text;
using testing::testdata;

std::set<std::string> expected_set(const std::string& name) { return testing::expected_set("bun", name); }

testing::Parsed bun(std::string_view text) { return parse_text(LockfileKind::kBunText, text, "bun.lock"); }

class BunFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(BunFixture, YieldsExactlyWhatBunLists) {
  std::string name = GetParam();
  LockfileKind kind;
  testing::Parsed r = parse_fixture("bun/" + name + ".bun.lock", &kind);
  ASSERT_FALSE(r.error) << r.error->str();
  EXPECT_EQ(kind,
            LockfileKind::kBunText);  // by content: the file is not named bun.lock
  EXPECT_GE(r.stats.format_version, 1u);
  EXPECT_EQ(r.stats.packages, r.packages.size());
  EXPECT_EQ(name_versions(r), expected_set(name));
  std::set<std::string> locations;
  for (const Package& p : r.packages) EXPECT_TRUE(locations.insert(p.location).second) << p.location;
}

INSTANTIATE_TEST_SUITE_P(Real, BunFixture, ::testing::Values("app", "monorepo"));

TEST(BunLock, AppAliasFlagsAndSources) {
  testing::Parsed r = parse_fixture("bun/app.bun.lock");
  ASSERT_FALSE(r.error) << r.error->str();

  const Package* alias = find(r, "my-lodash");
  ASSERT_NE(alias, nullptr);
  EXPECT_EQ(alias->name, "lodash");
  EXPECT_EQ(alias->alias, "my-lodash");
  EXPECT_EQ(alias->version, "4.17.20");
  EXPECT_EQ(alias->source, SourceKind::kRegistry);
  EXPECT_TRUE(alias->flags & kDirect);

  const Package* lodash = find(r, "lodash");
  ASSERT_NE(lodash, nullptr);
  EXPECT_EQ(lodash->alias, "");
  EXPECT_EQ(lodash->flags, kDirect);

  EXPECT_EQ(find(r, "typescript")->flags, kDirect | kDev);
  EXPECT_EQ(find(r, "mocha")->flags, kDirect | kDev);
  EXPECT_EQ(find(r, "fsevents")->flags, kDirect | kOptional);
  EXPECT_EQ(find(r, "body-parser")->flags, 0);

  const Package* git = find(r, "tiny-git");
  ASSERT_NE(git, nullptr);
  EXPECT_EQ(git->source, SourceKind::kGit);
  EXPECT_TRUE(git->version.starts_with("git+file:///tmp/gv-bun-fixtures/git/tiny-git.git#")) << git->version;

  // bun records a tarball dependency by its URL, not the version inside it.
  const Package* tarball = find(r, "is-number");
  ASSERT_NE(tarball, nullptr);
  EXPECT_EQ(tarball->version, "https://registry.npmjs.org/is-number/-/is-number-7.0.0.tgz");
  EXPECT_EQ(tarball->source, SourceKind::kTarball);

  // The file: folder is the project's own code: not emitted; its deps are.
  EXPECT_EQ(find(r, "local-lib"), nullptr);
  EXPECT_NE(find(r, "is-odd"), nullptr);

  // Nested keys: debug as seen from express, ms as seen from that debug.
  const Package* nested = find(r, "express/debug");
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(nested->name, "debug");
  EXPECT_EQ(nested->version, "2.6.9");
  EXPECT_EQ(nested->alias, "");
  EXPECT_EQ(nested->flags, 0);
  const Package* deeper = find(r, "express/debug/ms");
  ASSERT_NE(deeper, nullptr);
  EXPECT_EQ(deeper->name, "ms");
  EXPECT_EQ(deeper->version, "2.0.0");
}

TEST(BunLock, WorkspacesAreProjectsNotPackages) {
  testing::Parsed r = parse_fixture("bun/monorepo.bun.lock");
  ASSERT_FALSE(r.error) << r.error->str();
  for (const Package& p : r.packages) {
    EXPECT_FALSE(p.name.starts_with("@fixture/")) << p.location;
    EXPECT_EQ(p.version.find("workspace:"), std::string::npos) << p.location;
  }
  const Package* root_semver = find(r, "semver");
  const Package* util_semver = find(r, "@fixture/util/semver");
  ASSERT_NE(root_semver, nullptr);
  ASSERT_NE(util_semver, nullptr);
  EXPECT_TRUE(root_semver->version.starts_with("7."));
  EXPECT_TRUE(util_semver->version.starts_with("6."));
  EXPECT_EQ(util_semver->name, "semver");
  EXPECT_EQ(util_semver->alias, "");
  // Declared as a dependency by util: direct, not dev (though the root has it
  // as dev).
  EXPECT_EQ(util_semver->flags, kDirect);
  EXPECT_EQ(root_semver->flags,
            kDirect);  // dev for the root, prod for util: installed either way
  EXPECT_TRUE(find(r, "express")->flags & kDirect);
  EXPECT_TRUE(find(r, "ms")->flags & kDirect);
  const Package* old_debug = find(r, "old-debug");
  ASSERT_NE(old_debug, nullptr);
  EXPECT_EQ(old_debug->name, "debug");
  EXPECT_EQ(old_debug->alias, "old-debug");
  EXPECT_EQ(old_debug->version, "2.6.9");
  const Package* aliased_child = find(r, "old-debug/ms");
  ASSERT_NE(aliased_child, nullptr);
  EXPECT_EQ(aliased_child->name, "ms");
  EXPECT_EQ(aliased_child->alias, "");
}

TEST(BunLock, OffsetsPointAtTheEntryKey) {
  for (const char* f : {"bun/app.bun.lock", "bun/monorepo.bun.lock"}) {
    testing::Parsed r = parse_fixture(f);
    ASSERT_FALSE(r.error);
    for (const Package& p : r.packages) {
      ASSERT_LT(p.offset, r.text.size());
      ASSERT_EQ(r.text[p.offset], '"') << p.location;
      EXPECT_TRUE(std::string_view(r.text.data() + p.offset + 1).starts_with(p.location + "\": [")) << p.location;
    }
  }
  testing::Parsed r = parse_fixture("bun/app.bun.lock");
  const Package* alias = find(r, "my-lodash");
  LineCol lc = line_col_at(r.text, alias->offset);
  size_t line_start = 0;
  for (uint32_t l = 1; l < lc.line; ++l) line_start = r.text.find('\n', line_start) + 1;
  EXPECT_TRUE(std::string_view(r.text).substr(line_start).starts_with("    \"my-lodash\": [\"lodash@4.17.20\""));
  EXPECT_EQ(lc.col, 5u);
}

TEST(BunLock, DependencyPathsFollowBunResolution) {
  testing::Parsed r = parse_fixture("bun/app.bun.lock");
  auto paths = dependency_paths(LockfileKind::kBunText, r.text,
                                {"express", "express/debug", "express/debug/ms", "my-lodash", "is-odd/is-number",
                                 "mime-types", "typescript", "nope"});
  ASSERT_EQ(paths.size(), 8u);
  EXPECT_THAT(paths[0], ElementsAre("express"));
  EXPECT_THAT(paths[1], ElementsAre("express", "debug"));
  EXPECT_THAT(paths[2], ElementsAre("express", "debug", "ms"));
  EXPECT_THAT(paths[3], ElementsAre("lodash"));
  EXPECT_THAT(paths[4], ElementsAre("local-lib", "is-odd", "is-number"));
  EXPECT_EQ(paths[5].size(), 3u);  // e.g. axios -> form-data -> mime-types
  EXPECT_EQ(paths[5].back(), "mime-types");
  EXPECT_THAT(paths[6], ElementsAre("typescript"));
  EXPECT_TRUE(paths[7].empty());
}

TEST(BunLock, DependencyPathsInWorkspacesStartAtTheMember) {
  testing::Parsed r = parse_fixture("bun/monorepo.bun.lock");
  auto paths = dependency_paths(LockfileKind::kBunText, r.text,
                                {"@fixture/util/semver", "semver", "old-debug/ms", "express/debug"});
  EXPECT_THAT(paths[0], ElementsAre("packages/util", "semver"));
  EXPECT_THAT(paths[1], ElementsAre("semver"));
  EXPECT_THAT(paths[2], ElementsAre("packages/util", "debug", "ms"));
  EXPECT_THAT(paths[3], ElementsAre("packages/app", "express", "debug"));
}

TEST(BunLock, TrailingCommasCommentsAndStringsWithCommas) {
  testing::Parsed r = bun(R"({
  // a comment, with a comma, }
  "lockfileVersion": 1, /* block, ] */
  "workspaces": { "": { "name": "x, y // not a comment", "dependencies": { "a,b": "1", }, }, },
  "packages": {
    "a,b": ["a,b@1.0.0", "", {}, "sha512-,]}//"],
    "q": ["q@2.0.0-\"x,]\\", "", { "dependencies": { "a,b": "1", }, },],
  },
}
)");
  ASSERT_FALSE(r.error) << r.error->str();
  EXPECT_EQ(r.stats.format_version, 1u);
  ASSERT_EQ(r.packages.size(), 2u);
  EXPECT_EQ(r.packages[0].name, "a,b");
  EXPECT_EQ(r.packages[0].flags, kDirect);
  EXPECT_EQ(r.packages[1].version, "2.0.0-\"x,]\\");
  EXPECT_EQ(line_col_at(r.text, r.packages[1].offset).line, 7u);
}

TEST(BunLock, JsoncToJsonKeepsOffsets) {
  std::string_view in = "[1, /* c */ 2, // d\n 3,]";
  StrictJson out = jsonc_to_json(in, 8);
  EXPECT_EQ(out.view(), "[1,         2,     \n 3 ]");
  EXPECT_EQ(out.buf[out.size], '\0');
  EXPECT_EQ(jsonc_to_json(R"(["a,]", "b\\",])", 0).view(), R"(["a,]", "b\\" ])");
}

TEST(BunLock, PackagesBeforeWorkspacesStillGetsDirectFlags) {
  testing::Parsed r = bun(R"({"lockfileVersion": 1,
  "packages": { "a": ["a@1.0.0", "", {}, ""], "b": ["b@2.0.0", "", {}, ""] },
  "workspaces": { "": { "devDependencies": { "a": "1" } } } })");
  ASSERT_FALSE(r.error) << r.error->str();
  ASSERT_EQ(r.packages.size(), 2u);
  EXPECT_EQ(r.packages[0].flags, kDirect | kDev);
  EXPECT_EQ(r.packages[1].flags, 0);
}

TEST(BunLock, SourcesFromTheVersion) {
  testing::Parsed r = bun(R"({"lockfileVersion": 1, "workspaces": {"": {}}, "packages": {
    "w": ["w@workspace:packages/w"],
    "l": ["l@link:../l", {}],
    "f": ["f@file:../f", {}],
    "t": ["t@file:../t-1.0.0.tgz", {}],
    "g": ["g@github:user/g#abc123", {}, "user-g-abc123"],
    "h": ["h@https://example.com/h.tgz", {}, "sha512-x"],
    "@s/r": ["@s/r@1.2.3", "https://npm.example.com/", {}, "sha512-x"],
    "@s/r/@t/n": ["@t/n@0.1.0", "", {}, ""],
    "@s/r/al": ["@t/n@0.2.0", "", {}, ""]
  }})");
  ASSERT_FALSE(r.error) << r.error->str();
  ASSERT_EQ(r.packages.size(), 6u);
  EXPECT_EQ(find(r, "t")->source, SourceKind::kFile);
  EXPECT_EQ(find(r, "g")->source, SourceKind::kGit);
  EXPECT_EQ(find(r, "g")->version, "github:user/g#abc123");
  EXPECT_EQ(find(r, "h")->source, SourceKind::kTarball);
  EXPECT_EQ(find(r, "@s/r")->source, SourceKind::kRegistry);
  EXPECT_EQ(find(r, "@s/r")->alias, "");
  EXPECT_EQ(find(r, "@s/r/@t/n")->alias, "");
  EXPECT_EQ(find(r, "@s/r/@t/n")->name, "@t/n");
  EXPECT_EQ(find(r, "@s/r/al")->alias, "al");
}

struct Bad {
  const char* text;
  const char* message;
  uint32_t line;
};

TEST(BunLock, BadInputIsAnErrorWithALine) {
  const Bad cases[] = {
      {"", "the file is empty", 0},
      {"{\"lockfileVersion\": 1, \"packages\": {\"a\": [\"a@1\",", "ended early", 1},
      {"{\"lockfileVersion\": 1,\n \"packages\": {\"a\": [\"a@1\"]}}}", "invalid JSON", 2},
      {"not json", "expected a JSON object", 0},
      {"{\"lockfileVersion\": \"1\"}", "/lockfileVersion: expected a whole number", 1},
      {"{\"lockfileVersion\": 1,\n \"packages\": []}", "/packages: expected an object", 2},
      {"{\"lockfileVersion\": 1, \"workspaces\": [],\n \"packages\": {}}", "/workspaces: expected an object", 1},
      {"{\"lockfileVersion\": 1,\n \"packages\": {\n \"a/b\": {}}}", "/packages/a~1b: expected an array", 3},
      {"{\"lockfileVersion\": 1,\n \"packages\": {\n \"a\": []}}", "/packages/a: expected an array", 3},
      {"{\"lockfileVersion\": 1,\n \"packages\": {\n \"a\": [1]}}", "/packages/a/0: expected a string", 3},
      {"{\"lockfileVersion\": 1,\n \"packages\": {\n \"a\": [\"a\"]}}", "/packages/a/0: expected a string", 3},
      {"{\"lockfileVersion\": 1,\n \"packages\": {\n \"a\": [\"@1\"]}}", "/packages/a/0: expected a string", 3},
      {"{\"workspaces\": {\"\": {\"dependencies\": 3}}}", "/workspaces//dependencies: expected an object", 1},
      {"{}", "not a bun.lock", 1},
      {"[1, 2]", "expected a JSON object", 1},
      {"{\"lockfileVersion\": 1, \"packages\": {\"a\": [\"a@1\xff\"]}}", "invalid JSON", 1},
      {"{\"lockfileVersion\": 1 /* unterminated", "invalid JSON", 0},
      {"{\"lockfileVersion\": 1, \"packages\": {\"a\": [\"a@1, \"]}", "invalid JSON", 1},
  };
  for (const Bad& c : cases) {
    testing::Parsed r = bun(c.text);
    ASSERT_TRUE(r.error) << c.text;
    EXPECT_THAT(r.error->what, HasSubstr(c.message)) << c.text;
    EXPECT_EQ(r.error->file, "bun.lock");
    if (c.line != 0) {
      EXPECT_EQ(r.error->line, c.line) << c.text << " -> " << r.error->str();
    }
  }
}

TEST(BunLock, DeepNestingIsRefusedNotACrash) {
  std::string deep = "{\"lockfileVersion\": 1, \"packages\": {\"a\": [\"a@1\", ";
  deep += std::string(100000, '[') + std::string(100000, ']') + "]}}";
  // Valid JSON, deep only where the parser skips: read iteratively, fine.
  EXPECT_FALSE(bun(deep).error);
  EXPECT_TRUE(dependency_paths(LockfileKind::kBunText, deep, {"a"})[0].empty());  // DOM: too deep
  std::string deep_first = "{\"lockfileVersion\": 1, \"packages\": {\"a\": ";
  deep_first += std::string(100000, '[') + std::string(100000, ']') + "}}";
  testing::Parsed r = bun(deep_first);
  ASSERT_TRUE(r.error);
  EXPECT_THAT(r.error->what, HasSubstr("expected a string"));
  // Truncated at every byte: an error each time, never a crash.
  std::string whole =
      R"({"lockfileVersion": 1, "workspaces": {"": {"dependencies": {"a": "1",},},},
    "packages": {"a": ["a@1.0.0", "", {"dependencies": {"b": "2"}}, "sha512-x",], "b": ["b@2.0.0", "", {}, ""],},})";
  ASSERT_FALSE(bun(whole).error);
  for (size_t n = 0; n < whole.size(); ++n) {
    testing::Parsed t = bun(std::string_view(whole).substr(0, n));
    EXPECT_TRUE(t.error) << n;
    (void)dependency_paths(LockfileKind::kBunText, whole.substr(0, n), {"a", "b"});
  }
}

TEST(BunLock, BinaryLockfileIsNotScanned) {
  std::string head = "#!/usr/bin/env bun\nbun-lockfile-format-v0\n";
  head += std::string("\x02\x00\x00\x00", 4);
  EXPECT_EQ(detect_lockfile("bun.lockb", head), LockfileKind::kBunBinary);
  EXPECT_EQ(detect_lockfile("renamed.bin", head), LockfileKind::kBunBinary);
  testing::Parsed r = parse_text(LockfileKind::kBunBinary, head, "bun.lockb");
  ASSERT_TRUE(r.error);
  EXPECT_TRUE(r.error->what.starts_with("not scanned:")) << r.error->what;
  EXPECT_THAT(r.error->what, HasSubstr("bun install --save-text-lockfile"));
  EXPECT_TRUE(r.packages.empty());
}

}  // namespace
}  // namespace gv
