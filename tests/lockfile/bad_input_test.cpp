// Hostile and broken input: always an Error naming the file (and the line
// when it can be known), never a crash.
#include <gtest/gtest.h>

#include "parse_testing.h"

namespace gv {
namespace {

using testing::parse_text;

Error must_fail(LockfileKind kind, std::string_view text) {
  testing::Parsed r = parse_text(kind, text, "dir/package-lock.json");
  EXPECT_TRUE(r.error) << text.substr(0, 80);
  if (!r.error) return {};
  EXPECT_EQ(r.error->file, "dir/package-lock.json");
  return *r.error;
}

TEST(BadInput, TruncatedJson) {
  std::string full = testing::parse_fixture("npm/app-v3.package-lock.json").text;
  for (size_t cut : {size_t{1}, size_t{100}, full.size() / 2, full.size() - 2}) {
    Error e = must_fail(LockfileKind::kNpmLock, full.substr(0, cut));
    EXPECT_TRUE(e.what.starts_with("invalid JSON: ")) << cut << ": " << e.what;
    EXPECT_GT(e.line, 0u) << cut << ": " << e.str();
  }
}

TEST(BadInput, EmptyAndNotAnObject) {
  EXPECT_EQ(must_fail(LockfileKind::kNpmLock, "").what, "invalid JSON: the file is empty");
  EXPECT_EQ(must_fail(LockfileKind::kNpmLock, "  \n ").what, "invalid JSON: the file is empty");
  EXPECT_EQ(must_fail(LockfileKind::kNpmLock, "[]").what, "/: expected a JSON object (an npm lockfile)");
  EXPECT_EQ(must_fail(LockfileKind::kPackageJson, "42").what, "/: expected a JSON object (a package.json)");
  EXPECT_TRUE(must_fail(LockfileKind::kNpmLock, "{}").what.starts_with("not an npm lockfile"));
  EXPECT_TRUE(must_fail(LockfileKind::kNpmLock, "{} {}").what.starts_with("invalid JSON"));
  // simdjson reads a bare word as a (bad) scalar: not an object either way.
  EXPECT_FALSE(must_fail(LockfileKind::kNpmLock, "nope").what.empty());
}

TEST(BadInput, NonUtf8PointsAtTheByte) {
  Error e = must_fail(LockfileKind::kNpmLock, "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\"node_modules/\xff\": {}}\n}");
  EXPECT_TRUE(e.what.starts_with("invalid JSON: ")) << e.what;
  EXPECT_EQ(e.line, 3u);
  EXPECT_EQ(e.col, 30u);
}

TEST(BadInput, DeepNestingErrorsWithoutCrashing) {
  std::string deep(10000, '[');
  must_fail(LockfileKind::kNpmLock, deep);
  must_fail(LockfileKind::kPackageJson, deep);
  std::string in_packages = R"({"lockfileVersion": 3, "packages": {"node_modules/a": {"x": )" + deep;
  must_fail(LockfileKind::kNpmLock, in_packages);
  std::string closed = R"({"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0", "x": )" +
                       deep + std::string(10000, ']') + "}}}";
  // Valid JSON, however deep, inside a value we skip: skipping counts depth
  // without recursing, so this is fine.
  testing::Parsed ok = parse_text(LockfileKind::kNpmLock, closed);
  EXPECT_FALSE(ok.error);
  EXPECT_EQ(ok.packages.size(), 1u);
  // A v1 tree nested deeper than we recurse.
  std::string v1 = R"({"lockfileVersion": 1, "dependencies": )";
  for (int i = 0; i < 3000; ++i) v1 += R"({"a": {"version": "1.0.0", "dependencies": )";
  Error e = must_fail(LockfileKind::kNpmLock, v1 + "{}");
  // Either our depth limit or simdjson's; both are errors, not a stack overflow.
  EXPECT_FALSE(e.what.empty());
  auto paths = dependency_paths(LockfileKind::kNpmLock, deep, {"node_modules/a"});
  EXPECT_TRUE(paths[0].empty());
  std::string deep_override = R"({"overrides": )";
  for (int i = 0; i < 100; ++i) deep_override += R"({"a": )";
  deep_override += R"("1")" + std::string(100, '}') + "}";
  EXPECT_NE(must_fail(LockfileKind::kPackageJson, deep_override).what.find("nested deeper"), std::string::npos);
}

TEST(BadInput, WrongFieldTypesNameTheField) {
  Error e = must_fail(LockfileKind::kNpmLock,
                      "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/foo\": {\n"
                      "      \"version\": 1\n    }\n  }\n}");
  EXPECT_EQ(e.str(), "dir/package-lock.json:5:7: /packages/node_modules~1foo/version: expected a string");
  EXPECT_EQ(must_fail(LockfileKind::kNpmLock, R"({"lockfileVersion": 3, "packages": []})").what,
            "/packages: expected an object");
  EXPECT_EQ(must_fail(LockfileKind::kNpmLock, R"({"lockfileVersion": "3", "packages": {}})").what,
            "/lockfileVersion: expected a whole number");
  EXPECT_EQ(must_fail(LockfileKind::kNpmLock, R"({"lockfileVersion": 3, "packages": {"node_modules/a": 7}})").what,
            "/packages/node_modules~1a: expected an object");
  EXPECT_EQ(must_fail(LockfileKind::kNpmLock,
                      R"({"lockfileVersion": 3, "packages": {"node_modules/a": {"dev": "yes"}}})").what,
            "/packages/node_modules~1a/dev: expected true or false");
  EXPECT_EQ(must_fail(LockfileKind::kNpmLock, R"({"lockfileVersion": 3, "packages": {"": {"dependencies": []}}})").what,
            "/packages//dependencies: expected an object");
  EXPECT_EQ(must_fail(LockfileKind::kNpmLock,
                      R"({"lockfileVersion": 1, "dependencies": {"a": {"dependencies": {"b~/c": {"version": null}}}}})").what,
            "/dependencies/a/dependencies/b~0~1c/version: expected a string");
}

}  // namespace
}  // namespace gv
