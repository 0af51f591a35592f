// RuleIndex: every named package is found (the Bloom filter in front of the
// map must never hide one), names not in any rule are not, and the match
// helpers apply the rule's ecosystems and ranges.
#include "rules/index.h"

#include <gtest/gtest.h>

#include "rules/load.h"

namespace gv {
namespace {

RuleSet many_rules(size_t n) {
  std::string s = R"({"schema_version":"1.0.0","rules":[)";
  for (size_t r = 0; r < n; r += 500) {
    if (r) s += ",";
    s += R"({"id":"R-)" + std::to_string(r) +
         R"(","title":"t","kind":"malicious-package","ecosystem":"npm","severity":"high","package_rules":[)";
    for (size_t i = r; i < r + 500 && i < n; ++i)
      s += std::string(i == r ? "" : ",") + R"({"package_name":"@s)" + std::to_string(i % 13) + "/p-" +
           std::to_string(i) + R"(","affected_versions":["1.0.0"]})";
    s += R"(],"dropper_packages":[{"package_name":"drop-)" + std::to_string(r) + R"("}]})";
  }
  s += "]}";
  RuleSet rs;
  Errors errs;
  EXPECT_TRUE(parse_rule_document(s, "many.json", &rs, &errs));
  return rs;
}

TEST(RuleIndex, FindsEveryNamedPackageAmongTwoHundredThousand) {
  RuleSet rs = many_rules(200000);
  RuleIndex index(rs.rules);
  EXPECT_EQ(index.names(), 200000u + 400u);
  EXPECT_EQ(index.entries(), 200000u + 400u);
  for (size_t i = 0; i < 200000; ++i) {
    const std::string name = "@s" + std::to_string(i % 13) + "/p-" + std::to_string(i);
    const auto* e = index.lookup(name);
    ASSERT_NE(e, nullptr) << name;
    ASSERT_EQ(e->size(), 1u);
    EXPECT_EQ((*e)[0].package_rule->package_name, name);
  }
  const auto* d = index.lookup("drop-1000");
  ASSERT_NE(d, nullptr);
  EXPECT_NE((*d)[0].dropper, nullptr);
  size_t false_hits = 0;
  for (size_t i = 0; i < 100000; ++i) false_hits += index.lookup("other-" + std::to_string(i)) != nullptr;
  EXPECT_EQ(false_hits, 0u);  // the map has the last word, whatever the filter says
}

TEST(RuleIndex, SeveralRulesNamingOnePackageAreAllReturned) {
  RuleSet rs;
  Errors errs;
  ASSERT_TRUE(parse_rule_document(
      R"({"schema_version":"1.0.0","rules":[
      {"id":"A","title":"a","kind":"compromised-release","ecosystem":"npm","severity":"high",
       "package_rules":[{"package_name":"x","affected_versions":["1.0.0"],"lockfile_ecosystems":["pnpm"]}]},
      {"id":"B","title":"b","kind":"compromised-release","ecosystem":"npm","severity":"low",
       "package_rules":[{"package_name":"x","affected_versions":[">=2.0.0 <2.1.0","=3.0.0"]}]}]})",
      "two.json", &rs, &errs));
  RuleIndex index(rs.rules);
  const auto* e = index.lookup("x");
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->size(), 2u);
  const PackageRule& a = *(*e)[0].package_rule;
  const PackageRule& b = *(*e)[1].package_rule;
  EXPECT_TRUE(applies_to_ecosystem(a, "pnpm"));
  EXPECT_FALSE(applies_to_ecosystem(a, "npm"));
  EXPECT_TRUE(applies_to_ecosystem(b, "bun"));  // no list: every ecosystem
  const AffectedVersion* m = affected_match(b, *semver::parse_version("2.0.7-rc.1"));
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->expr, ">=2.0.0 <2.1.0");
  EXPECT_EQ(affected_match(b, *semver::parse_version("2.1.0")), nullptr);
  EXPECT_EQ(affected_intersect(b, *semver::Range::parse("^3.0.0"))->expr, "=3.0.0");
  EXPECT_EQ(affected_intersect(b, *semver::Range::parse("~2.1.0")), nullptr);
}

}  // namespace
}  // namespace gv
