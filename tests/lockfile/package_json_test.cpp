#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "parse_testing.h"

namespace gv {
namespace {

using ::testing::ElementsAre;
using testing::find;
using testing::parse_text;

TEST(PackageJson, RealAppDeclarations) {
  testing::Parsed r = testing::parse_fixture("npm/app.package.json");
  ASSERT_FALSE(r.error) << r.error->str();
  EXPECT_EQ(r.packages.size(), 13u);
  for (const Package& p : r.packages) EXPECT_EQ(p.flags & (kRange | kDirect), kRange | kDirect) << p.location;

  const Package* express = find(r, "dependencies/express");
  ASSERT_NE(express, nullptr);
  EXPECT_EQ(express->version, "^4.21.0");
  EXPECT_EQ(express->source, SourceKind::kRegistry);
  EXPECT_EQ(r.text.substr(express->offset, 9), "\"express\"");

  const Package* alias = find(r, "dependencies/my-lodash");
  EXPECT_EQ(alias->name, "lodash");
  EXPECT_EQ(alias->alias, "my-lodash");
  EXPECT_EQ(alias->version, "4.17.20");

  EXPECT_EQ(find(r, "dependencies/is-number")->source, SourceKind::kTarball);
  EXPECT_EQ(find(r, "dependencies/local-lib")->source, SourceKind::kFile);
  EXPECT_EQ(find(r, "dependencies/tiny-git")->source, SourceKind::kGit);
  EXPECT_EQ(find(r, "dependencies/tiny-git")->version, "git+file:///tmp/gv-npm-fixtures/git/tiny-git.git");
  EXPECT_TRUE(find(r, "devDependencies/mocha")->flags & kDev);
  EXPECT_TRUE(find(r, "optionalDependencies/fsevents")->flags & kOptional);

  auto paths = dependency_paths(LockfileKind::kPackageJson, r.text, {"dependencies/my-lodash", "nowhere"});
  EXPECT_THAT(paths[0], ElementsAre("lodash"));
  EXPECT_TRUE(paths[1].empty());
}

TEST(PackageJson, AllSectionsAndSpecKinds) {
  auto r = parse_text(LockfileKind::kPackageJson, R"({
  "name": "x",
  "peerDependencies": {"react": ">=17"},
  "dependencies": {
    "a": "latest", "b": "github:user/b#v1", "c": "user/c", "d": "link:../d", "e": "workspace:*",
    "f": "../f", "g": "http://example.com/g.tgz", "@s/h": "npm:@s/real@^2", "i": "npm:i2"
  }
})");
  ASSERT_FALSE(r.error) << r.error->str();
  EXPECT_TRUE(find(r, "peerDependencies/react")->flags & kPeer);
  EXPECT_EQ(find(r, "dependencies/a")->source, SourceKind::kRegistry);
  EXPECT_EQ(find(r, "dependencies/a")->version, "latest");
  EXPECT_EQ(find(r, "dependencies/b")->source, SourceKind::kGit);
  EXPECT_EQ(find(r, "dependencies/c")->source, SourceKind::kGit);
  EXPECT_EQ(find(r, "dependencies/d")->source, SourceKind::kLink);
  EXPECT_EQ(find(r, "dependencies/e")->source, SourceKind::kLink);
  EXPECT_EQ(find(r, "dependencies/f")->source, SourceKind::kFile);
  EXPECT_EQ(find(r, "dependencies/g")->source, SourceKind::kTarball);
  EXPECT_EQ(find(r, "dependencies/@s/h")->name, "@s/real");
  EXPECT_EQ(find(r, "dependencies/@s/h")->version, "^2");
  EXPECT_EQ(find(r, "dependencies/@s/h")->alias, "@s/h");
  EXPECT_EQ(find(r, "dependencies/i")->name, "i2");
  EXPECT_EQ(find(r, "dependencies/i")->version, "*");
}

TEST(PackageJson, Overrides) {
  // "overrides" first: "$foo" must still resolve to a section that follows.
  auto r = parse_text(LockfileKind::kPackageJson, R"({
  "overrides": {
    "foo": "$foo",
    "bar": {".": "2.0.0", "baz": "3.0.0", "qux": {"deep": "4.0.0"}},
    "lib@1": "1.5.0",
    "@s/x@^2": "2.9.9",
    "aliased": "npm:real@1.0.0",
    "missing": "$nope"
  },
  "dependencies": {"foo": "^1.2.3"}
})");
  ASSERT_FALSE(r.error) << r.error->str();
  EXPECT_EQ(find(r, "overrides/foo")->version, "^1.2.3");
  EXPECT_EQ(find(r, "overrides/foo")->flags, kRange | kDirect);
  EXPECT_EQ(find(r, "overrides/bar")->name, "bar");
  EXPECT_EQ(find(r, "overrides/bar")->version, "2.0.0");
  EXPECT_EQ(find(r, "overrides/bar/baz")->version, "3.0.0");
  EXPECT_EQ(find(r, "overrides/bar/qux/deep")->name, "deep");
  EXPECT_EQ(find(r, "overrides/lib@1")->name, "lib");
  EXPECT_EQ(find(r, "overrides/lib@1")->version, "1.5.0");
  EXPECT_EQ(find(r, "overrides/@s/x@^2")->name, "@s/x");
  EXPECT_EQ(find(r, "overrides/aliased")->name, "real");
  EXPECT_EQ(find(r, "overrides/aliased")->alias, "aliased");
  EXPECT_EQ(find(r, "overrides/missing")->source, SourceKind::kUnknown);
  EXPECT_EQ(find(r, "dependencies/foo")->version, "^1.2.3");
  EXPECT_EQ(r.packages.size(), 9u);
}

TEST(PackageJson, WrongShapesNameTheField) {
  auto r = parse_text(LockfileKind::kPackageJson, "{\n  \"dependencies\": {\n    \"a\": 1\n  }\n}", "p/package.json");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->str(), "p/package.json:3:5: /dependencies/a: expected a string");
  r = parse_text(LockfileKind::kPackageJson, R"({"devDependencies": ["a"]})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->what, "/devDependencies: expected an object");
  r = parse_text(LockfileKind::kPackageJson, R"({"overrides": {"a": {"b": true}}})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->what, "/overrides/a/b: expected a string or an object");
}

}  // namespace
}  // namespace gv
