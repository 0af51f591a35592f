// What the loader does to stay fast on 200,000-entry feeds must not change
// what it loads: ranges reused from the parse memo match like freshly parsed
// ones (also after a rule that parsed them first was dropped for an error),
// and documents the index's own grammar check cannot settle still go to
// nlohmann, with nlohmann's message when they are not JSON.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rules/index.h"
#include "rules/load.h"

namespace gv {
namespace {

using ::testing::HasSubstr;

std::string rule(std::string_view id, std::string_view severity, std::string_view versions) {
  return R"({"id":")" + std::string(id) + R"(","title":"t","kind":"compromised-release","ecosystem":"npm",)" +
         R"("severity":")" + std::string(severity) + R"(","package_rules":[{"package_name":"p-)" + std::string(id) +
         R"(","affected_versions":[)" + std::string(versions) + "]}]}";
}

TEST(LoadRulesMemo, RepeatedExpressionsMatchLikeFreshlyParsedOnes) {
  // B parses ">=4.0.0 <4.1.0" first and is dropped (bad severity); C reuses it.
  const std::string doc = R"({"schema_version":"1.0.0","rules":[)" +
                          rule("A", "high", R"("=1.0.0", ">=2 <3")") + "," +
                          rule("B", "severe", R"(">=4.0.0 <4.1.0", "=1.0.0")") + "," +
                          rule("C", "low", R"(">=4.0.0 <4.1.0", "=1.0.0", ">=2 <3")") + "]}";
  RuleSet set;
  Errors errors;
  EXPECT_FALSE(parse_rule_document(doc, "r.json", &set, &errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].what, HasSubstr("/rules/1/severity"));
  ASSERT_EQ(set.rules.size(), 2u);
  const PackageRule& c = set.rules[1].package_rules.at(0);
  ASSERT_EQ(c.affected_versions.size(), 3u);
  EXPECT_EQ(c.affected_versions[0].expr, ">=4.0.0 <4.1.0");
  EXPECT_TRUE(c.affected_versions[0].range.satisfies("4.0.9"));
  EXPECT_FALSE(c.affected_versions[0].range.satisfies("4.1.0"));
  EXPECT_TRUE(c.affected_versions[1].range.satisfies("1.0.0"));
  EXPECT_FALSE(c.affected_versions[1].range.satisfies("1.0.1"));
  EXPECT_TRUE(c.affected_versions[2].range.satisfies("2.9.9"));
  EXPECT_FALSE(c.affected_versions[2].range.satisfies("3.0.0"));
}

TEST(LoadRulesMemo, ThousandsOfEntriesSharingAFewExpressions) {
  std::string doc = R"({"schema_version":"1.0.0","rules":[{"id":"F","title":"feed","kind":"malicious-package",)"
                    R"("ecosystem":"npm","severity":"critical","package_rules":[)";
  const char* exprs[] = {"*", "=1.0.0", ">=1.2.0 <1.3.0 || =2.0.0"};
  for (int i = 0; i < 3000; ++i) {
    doc += std::string(i ? "," : "") + R"({"package_name":"n-)" + std::to_string(i) +
           R"(","affected_versions":[")" + exprs[i % 3] + R"("]})";
  }
  doc += "]}]}";
  RuleSet set;
  Errors errors;
  ASSERT_TRUE(parse_rule_document(doc, "feed.json", &set, &errors));
  RuleIndex index(set.rules);
  auto matches = [&](int i, const char* v) {
    const auto* e = index.lookup("n-" + std::to_string(i));
    return e != nullptr && affected_match(*(*e)[0].package_rule, *semver::parse_version(v)) != nullptr;
  };
  EXPECT_TRUE(matches(2997, "9.9.9"));   // "*"
  EXPECT_TRUE(matches(2998, "1.0.0"));   // "=1.0.0"
  EXPECT_FALSE(matches(2998, "1.0.1"));
  EXPECT_TRUE(matches(2999, "1.2.5"));   // ">=1.2.0 <1.3.0 || =2.0.0"
  EXPECT_TRUE(matches(2999, "2.0.0"));
  EXPECT_FALSE(matches(2999, "1.3.0"));
}

// A fraction is valid JSON the index's check leaves to nlohmann: the
// document loads and the schema error is the usual one.
TEST(LoadRulesGrammar, FractionsGoThroughNlohmannAndStillValidate) {
  RuleSet set;
  Errors errors;
  EXPECT_FALSE(parse_rule_document(R"({"schema_version":"1.0.0","rules":[{"id":"X","title":1.5}]})", "r.json",
                                   &set, &errors));
  std::vector<std::string> lines;
  for (const Error& e : errors) lines.push_back(e.str());
  EXPECT_THAT(lines, ::testing::Contains("r.json:1:54: /rules/0/title: expected a string, got number"));
}

TEST(LoadRulesGrammar, NotJsonStillGetsNlohmannsMessage) {
  for (const char* doc : {R"({"schema_version":"1.0.0","rules":[{"title":1e999}]})",
                          R"({"schema_version":"1.0.0","rules":[],})", "{\"a\":\"\xC0\xAF\"}"}) {
    RuleSet set;
    Errors errors;
    EXPECT_FALSE(parse_rule_document(doc, "r.json", &set, &errors));
    ASSERT_EQ(errors.size(), 1u) << doc;
    EXPECT_THAT(errors[0].what, HasSubstr("invalid JSON: ")) << doc;
  }
}

}  // namespace
}  // namespace gv
