// Real yarn.lock (classic, v1) files written by yarn 1.22.22
// (scripts/gen-yarn-classic-fixtures.sh) must yield exactly the packages the
// reference parser, @yarnpkg/lockfile, reads from them (expected-*.txt).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "parse_testing.h"

namespace gv {
namespace {

using ::testing::ElementsAre;
using testing::find;
using ::testing::HasSubstr;
using testing::parse_fixture;
using testing::parse_text;
using testing::testdata;

std::set<std::string> expected_set(const std::string& name) {
  std::ifstream in(testdata("yarn-classic/expected-" + name + ".txt"));
  EXPECT_TRUE(in) << name;
  std::set<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.insert(line);
  return out;
}

std::set<std::string> name_versions(const testing::Parsed& r) {
  std::set<std::string> out;
  for (const Package& p : r.packages) out.insert(p.name + "@" + p.version);
  return out;
}

testing::Parsed parse_yarn(std::string_view text) {
  return parse_text(LockfileKind::kYarn, text, "yarn.lock");
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class YarnClassicFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(YarnClassicFixture, YieldsExactlyWhatTheReferenceParserReads) {
  std::string name = GetParam();
  LockfileKind kind;
  testing::Parsed r = parse_fixture("yarn-classic/" + name + ".yarn.lock", &kind);
  ASSERT_FALSE(r.error) << r.error->str();
  EXPECT_EQ(kind, LockfileKind::kYarn);
  EXPECT_EQ(r.stats.format_version, 1u);
  EXPECT_EQ(r.stats.packages, r.packages.size());
  EXPECT_EQ(name_versions(r), expected_set(name));
  std::set<std::string> locations;
  for (const Package& p : r.packages) {
    EXPECT_TRUE(locations.insert(p.location).second) << p.location;
    EXPECT_EQ(p.flags, 0) << p.location;
    // The offset is the start of the header line, which begins with the
    // location (the first specifier), quoted or not.
    ASSERT_LT(p.offset, r.text.size());
    EXPECT_TRUE(p.offset == 0 || r.text[p.offset - 1] == '\n') << p.location;
    std::string_view at = std::string_view(r.text).substr(p.offset);
    EXPECT_TRUE(at.starts_with(p.location) || at.starts_with("\"" + p.location + "\"")) << p.location;
  }
}

TEST_P(YarnClassicFixture, CrlfLineEndingsGiveTheSamePackages) {
  std::string text = read_all(testdata(std::string("yarn-classic/") + GetParam() + ".yarn.lock"));
  std::string crlf;
  for (char c : text) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  testing::Parsed r = parse_yarn(crlf);
  ASSERT_FALSE(r.error) << r.error->str();
  EXPECT_EQ(name_versions(r), expected_set(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Real, YarnClassicFixture, ::testing::Values("app", "monorepo"));

TEST(YarnClassic, MultiSpecifierHeaderIsOnePackage) {
  testing::Parsed r = parse_fixture("yarn-classic/app.yarn.lock");
  ASSERT_FALSE(r.error) << r.error->str();
  int n = 0;
  for (const Package& p : r.packages) n += p.name == "ansi-styles" && p.version == "4.3.0";
  EXPECT_EQ(n, 1);
  const Package* p = find(r, "ansi-styles@^4.0.0");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->version, "4.3.0");
  EXPECT_EQ(p->source, SourceKind::kRegistry);
  EXPECT_EQ(find(r, "ansi-styles@^4.1.0"),
            nullptr);  // only the first specifier is the location
}

TEST(YarnClassic, AliasesResolveToTheRealName) {
  testing::Parsed r = parse_fixture("yarn-classic/app.yarn.lock");
  ASSERT_FALSE(r.error) << r.error->str();
  const Package* p = find(r, "my-lodash@npm:lodash@4.17.20");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name, "lodash");
  EXPECT_EQ(p->version, "4.17.20");
  EXPECT_EQ(p->alias, "my-lodash");
  const Package* plain = find(r, "lodash@^4.17.21");
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(plain->alias, "");

  testing::Parsed m = parse_fixture("yarn-classic/monorepo.yarn.lock");
  ASSERT_FALSE(m.error) << m.error->str();
  const Package* d = find(m, "old-debug@npm:debug@2.6.9");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name, "debug");
  EXPECT_EQ(d->alias, "old-debug");
  EXPECT_EQ(d->version, "2.6.9");
}

TEST(YarnClassic, SourceKindsOfTheRealFixture) {
  testing::Parsed r = parse_fixture("yarn-classic/app.yarn.lock");
  ASSERT_FALSE(r.error) << r.error->str();
  const Package* git = find(r, "tiny-git@git+file:///tmp/gv-npm-fixtures/git/tiny-git.git");
  ASSERT_NE(git, nullptr);
  EXPECT_EQ(git->name, "tiny-git");
  EXPECT_EQ(git->version, "0.3.1");
  EXPECT_EQ(git->source, SourceKind::kGit);
  const Package* file = find(r, "local-lib@file:./local-lib");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->version, "1.0.0");
  EXPECT_EQ(file->source, SourceKind::kFile);
  // A tarball URL on the registry's own "/-/" path is a registry package.
  const Package* tgz = find(r, "is-number@^7.0.0");
  ASSERT_NE(tgz, nullptr);
  EXPECT_EQ(tgz->version, "7.0.0");
  EXPECT_EQ(tgz->source, SourceKind::kRegistry);
}

constexpr std::string_view kHandWritten =
    R"(# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc826beef65e75c50e21d3837d7d95798dd658"
  integrity sha512-HV1Cm0Q3ZrpCR93tkWOYiuYIgLxZXZFVG2VgK+MBWjUqZTundupbfx2aXarXuw5Ko5aMcjtJgbSs4vUGBS5v6g==
  dependencies:
    "@babel/highlight" "^7.12.13"

"@babel/highlight@^7.12.13":
  version "7.13.10"
  dependencies:
    js-tokens "^4.0.0"
  optionalDependencies:
    fsevents "^2.3.3"

# a comment between entries
js-tokens@^4.0.0, "js-tokens@^3.0.0 || ^4.0.0":
  version "4.0.0"

fsevents@^2.3.3:
  version "2.3.3"

"tarball@https://example.com/tarball-1.0.0.tgz":
  version "1.0.0"
  resolved "https://example.com/tarball-1.0.0.tgz#abc"

"gh@user/repo":
  version "2.0.0"
  resolved "https://codeload.github.com/user/repo/tar.gz/0123456789abcdef"

"linked@link:./linked":
  version "0.0.0"
  uid ""

"old@npm:@scope/real@^1.0.0":
  version "1.2.3"
  resolved "https://registry.yarnpkg.com/@scope/real/-/real-1.2.3.tgz"
)";

TEST(YarnClassic, QuotedScopedNamesTarballsGitHubAndLinks) {
  testing::Parsed r = parse_yarn(kHandWritten);
  ASSERT_FALSE(r.error) << r.error->str();
  const Package* cf = find(r, "@babel/code-frame@^7.0.0");
  ASSERT_NE(cf, nullptr);
  EXPECT_EQ(cf->name, "@babel/code-frame");
  EXPECT_EQ(cf->version, "7.12.13");
  EXPECT_EQ(cf->offset, r.text.find("\"@babel/code-frame@^7.0.0\""));
  const Package* js = find(r, "js-tokens@^4.0.0");
  ASSERT_NE(js, nullptr);
  EXPECT_EQ(js->name, "js-tokens");
  EXPECT_EQ(find(r, "tarball@https://example.com/tarball-1.0.0.tgz")->source, SourceKind::kTarball);
  EXPECT_EQ(find(r, "gh@user/repo")->source, SourceKind::kGit);
  EXPECT_EQ(find(r, "linked@link:./linked"),
            nullptr);  // a symlink, not a package
  const Package* old = find(r, "old@npm:@scope/real@^1.0.0");
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(old->name, "@scope/real");
  EXPECT_EQ(old->alias, "old");
  EXPECT_EQ(r.packages.size(), 7u);
}

TEST(YarnClassic, EmptyLockfileHasNoPackages) {
  testing::Parsed r = parse_yarn(
      "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE "
      "DIRECTLY.\n# yarn lockfile v1\n\n\n");
  ASSERT_FALSE(r.error) << r.error->str();
  EXPECT_TRUE(r.packages.empty());
  EXPECT_FALSE(parse_yarn("").error);
}

TEST(YarnClassicPaths, TransitivePackageFromADirectDependency) {
  std::string text = read_all(testdata("yarn-classic/app.yarn.lock"));
  auto paths =
      dependency_paths(LockfileKind::kYarn, text,
                       {"is-number@^6.0.0", "\"my-lodash@npm:lodash@4.17.20\"", "express@^4.21.0", "nope@1"});
  ASSERT_EQ(paths.size(), 4u);
  EXPECT_THAT(paths[0], ElementsAre("local-lib", "is-odd", "is-number"));
  EXPECT_THAT(paths[1], ElementsAre("my-lodash"));
  EXPECT_THAT(paths[2], ElementsAre("express"));
  EXPECT_TRUE(paths[3].empty());
}

TEST(YarnClassicPaths, WorkspaceMembersDependenciesAreRoots) {
  std::string text = read_all(testdata("yarn-classic/monorepo.yarn.lock"));
  auto paths = dependency_paths(LockfileKind::kYarn, text, {"ms@2.0.0", "semver@^6.3.1"});
  EXPECT_THAT(paths[0], ElementsAre("old-debug", "ms"));
  EXPECT_THAT(paths[1], ElementsAre("semver"));
}

TEST(YarnClassicPaths, HandWrittenGraphFollowsOptionalDependencies) {
  auto paths = dependency_paths(LockfileKind::kYarn, kHandWritten,
                                {"fsevents@^2.3.3", "js-tokens@^4.0.0", "@babel/highlight@^7.12.13"});
  EXPECT_THAT(paths[0], ElementsAre("@babel/code-frame", "@babel/highlight", "fsevents"));
  // "js-tokens@^3.0.0 || ^4.0.0" is referenced by no entry, so the heuristic
  // takes js-tokens for a direct dependency of the project.
  EXPECT_THAT(paths[1], ElementsAre("js-tokens"));
  EXPECT_THAT(paths[2], ElementsAre("@babel/code-frame", "@babel/highlight"));
}

// --- bad input
// ----------------------------------------------------------------

struct Bad {
  const char* name;
  const char* text;
  uint32_t line, col;
  const char* message;
};

class YarnClassicBad : public ::testing::TestWithParam<Bad> {};

TEST_P(YarnClassicBad, IsAnErrorNamingLineAndColumn) {
  const Bad& b = GetParam();
  testing::Parsed r = parse_yarn(b.text);
  ASSERT_TRUE(r.error) << b.name;
  EXPECT_EQ(r.error->file, "yarn.lock");
  EXPECT_EQ(r.error->line, b.line) << r.error->str();
  EXPECT_EQ(r.error->col, b.col) << r.error->str();
  EXPECT_THAT(r.error->what, HasSubstr(b.message));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, YarnClassicBad,
    ::testing::Values(Bad{"truncated_in_string", "a@^1:\n  version \"1.0.0\"\n  resolved \"https://regis", 3,
                          12, "unterminated string"},
                      Bad{"truncated_after_header", "a@^1:\n  version \"1.0.0\"\n\nb@^2:\n", 4, 1,
                          "entry \"b@^2\" has no \"version\" field"},
                      Bad{"missing_version", "a@^1:\n  resolved \"x\"\n\nb@1:\n  version \"1\"\n", 1, 1,
                          "has no \"version\""},
                      Bad{"tab_indent", "a@^1:\n\tversion \"1.0.0\"\n", 2, 1, "tab in indentation"},
                      Bad{"odd_indent", "a@^1:\n   version \"1.0.0\"\n", 2, 4, "odd indentation (3 spaces)"},
                      Bad{"too_deep", "a@^1:\n  version \"1.0.0\"\n    x \"y\"\n", 3, 5, "nested deeper"},
                      Bad{"indented_first_line", "  version \"1.0.0\"\n", 1, 3,
                          "before the first entry header"},
                      Bad{"duplicate_spec",
                          "a@^1, a@^1.1:\n  version \"1.2.0\"\n\n\"a@^1.1\":\n  version "
                          "\"1.3.0\"\n",
                          4, 1, "duplicate specifier \"a@^1.1\": also in the entry on line 1"},
                      Bad{"not_utf8", "a@^1:\n  version \"1.0\xff\"\n", 2, 15, "not UTF-8"},
                      Bad{"garbage", "}{][ ???\n", 1, 1, "not name@range"},
                      Bad{"no_colon", "a@^1\n  version \"1\"\n", 1, 5, "does not end with ':'"},
                      Bad{"text_after_colon", "a@^1: x\n", 1, 7, "unexpected text after"},
                      Bad{"no_value", "a@^1:\n  version\n", 2, 3, "\"version\" has no value"},
                      Bad{"version_block", "a@^1:\n  version:\n    x \"1\"\n", 2, 3, "must be a string"},
                      Bad{"empty_version", "a@^1:\n  version \"\"\n", 1, 1, "empty \"version\""},
                      Bad{"alias_without_name", "\"a@npm:\":\n  version \"1\"\n", 1, 1, "names no package"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(YarnClassicBad, NulBytesInsideTheText) {
  std::string text = "a@^1:\n  version \"1\"\n";
  text.append(std::string(3, '\0'));
  testing::Parsed r = parse_yarn(text);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->line, 3u);
}

TEST(YarnClassicBad, HugeInputsStayLinear) {
  // One 16 MB line without a newline, and 16 MB of one header's specifiers:
  // both must finish quickly (the ctest timeout guards against a hang).
  std::string one_line(16u << 20, 'a');
  EXPECT_TRUE(parse_yarn(one_line).error);
  std::string header;
  for (int i = 0; header.size() < (16u << 20); ++i) header += "a@" + std::to_string(i) + ", ";
  header += "a@x:\n  version \"1\"\n";
  testing::Parsed r = parse_yarn(header);
  ASSERT_FALSE(r.error) << r.error->str();
  EXPECT_EQ(r.packages.size(), 1u);
}

}  // namespace
}  // namespace gv
