// The rule writer round-trips: what it writes loads, and writing the loaded
// rules again gives the same bytes (so re-imports are idempotent).
#include "rules/write.h"

#include <gtest/gtest.h>

#include "common/temp_dir.h"
#include "rules/load.h"

namespace gv {
namespace {

using testing::source_path;

void round_trip(const std::string& path) {
  RuleSet rs;
  Errors errs;
  ASSERT_TRUE(load_rules({path}, &rs, &errs)) << errs[0].str();
  ASSERT_FALSE(rs.rules.empty());
  const std::string once = rule_document_json(rs.rules);
  RuleSet again;
  ASSERT_TRUE(parse_rule_document(once, "written.json", &again, &errs)) << errs[0].str() << "\n" << once;
  ASSERT_EQ(again.rules.size(), rs.rules.size());
  for (size_t i = 0; i < rs.rules.size(); ++i) {
    const Rule &a = rs.rules[i], &b = again.rules[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.severity, b.severity);
    ASSERT_EQ(a.package_rules.size(), b.package_rules.size());
    for (size_t k = 0; k < a.package_rules.size(); ++k) {
      EXPECT_EQ(a.package_rules[k].package_name, b.package_rules[k].package_name);
      ASSERT_EQ(a.package_rules[k].affected_versions.size(), b.package_rules[k].affected_versions.size());
    }
    EXPECT_EQ(a.dropper_packages.size(), b.dropper_packages.size());
    EXPECT_EQ(a.host_indicators.size(), b.host_indicators.size());
    EXPECT_EQ(a.references.size(), b.references.size());
    EXPECT_EQ(a.remediation.steps, b.remediation.steps);
  }
  EXPECT_EQ(rule_document_json(again.rules), once);
  EXPECT_EQ(rule_document_json_dom(rs.rules), once);  // streamed == one DOM, byte for byte
}

TEST(RuleWriter, EmptyAndMultilineStringsMatchTheDomWriter) {
  EXPECT_EQ(rule_document_json({}), rule_document_json_dom({}));
  Rule r;
  r.id = "X-1";
  r.title = "line one\nline two";  // escaped by JSON: one physical line
  r.kind = "malicious-package";
  EXPECT_EQ(rule_document_json({r, r}), rule_document_json_dom({r, r}));
}

TEST(RuleWriter, BundledRulesRoundTrip) { round_trip(source_path("rules")); }
TEST(RuleWriter, RunbookRuleRoundTripsWithItsVariantsNormalised) {
  round_trip(source_path("examples/runbook/rules"));
}

}  // namespace
}  // namespace gv
