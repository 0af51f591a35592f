// The "yara_rules" field: a rule may name YARA files (or folders of them)
// that -heuristic runs. Paths are written relative to the rule file's folder
// and loaded relative to the current directory; a missing file is a load
// error at the value's position, like every other rule problem.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "common/temp_dir.h"
#include "rules/load.h"

namespace gv {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::TempDir;

// A rule file whose only rule lists `items` as yara_rules on line 3, the
// first item at column 17.
std::string doc(const std::string& items, const std::string& more = "") {
  return "{\"schema_version\": \"1.0.0\", \"rules\": [\n"
         "{\"id\": \"T-1\", \"title\": \"t\", \"kind\": \"malicious-package\", \"ecosystem\": \"npm\", \"severity\": "
         "\"high\",\n"
         " \"yara_rules\": [" +
         items + "]" + more + "}\n]}\n";
}

std::vector<std::string> load_problems(const std::string& file) {
  RuleSet set;
  Errors errors;
  load_rules({file}, &set, &errors);
  std::vector<std::string> out;
  for (const Error& e : errors) out.push_back(e.str());
  return out;
}

TEST(YaraRulesField, PathsResolveAgainstTheRuleFilesFolder) {
  TempDir t;
  t.write("feed/yara/a.yar", "rule a { condition: true }\n");
  t.write("shared.yar", "rule s { condition: true }\n");
  t.write("feed/folder/x.yara", "rule x { condition: true }\n");
  std::string abs = t.write("abs/z.yar", "rule z { condition: true }\n");
  std::string file = t.write("feed/incident.json", doc(R"("yara/a.yar", "../shared.yar", "./folder", ")" + abs + "\""));
  RuleSet set;
  Errors errors;
  ASSERT_TRUE(load_rules({file}, &set, &errors)) << errors[0].str();
  ASSERT_EQ(set.rules.size(), 1u);
  EXPECT_THAT(set.rules[0].yara_rules,
              ElementsAre(t.str() + "/feed/yara/a.yar", t.str() + "/shared.yar", t.str() + "/feed/folder", abs));
}

TEST(YaraRulesField, RelativeRuleFileGivesPathsRelativeToTheCurrentFolder) {
  TempDir t;
  t.write("rules/yara/a.yar", "rule a { condition: true }\n");
  t.write("rules/r.json", doc(R"("yara/a.yar")"));
  std::error_code ec;
  fs::path cwd = fs::current_path();
  fs::current_path(t.path());
  RuleSet set;
  Errors errors;
  bool ok = load_rules({"rules/r.json"}, &set, &errors);
  fs::current_path(cwd);
  ASSERT_TRUE(ok) << errors[0].str();
  EXPECT_THAT(set.rules[0].yara_rules, ElementsAre("rules/yara/a.yar"));
}

TEST(YaraRulesField, ARuleWithOnlyYaraRulesMatchesSomething) {
  TempDir t;
  t.write("a.yar", "rule a { condition: true }\n");
  EXPECT_THAT(load_problems(t.write("r.json", doc(R"("a.yar")"))), IsEmpty());
}

TEST(YaraRulesField, MissingFileIsAnErrorAtTheValue) {
  TempDir t;
  std::string file = t.write("r.json", doc(R"("yara/gone.yar")"));
  EXPECT_THAT(
      load_problems(file),
      ElementsAre(file + ":3:17: /rules/0/yara_rules/0: YARA rule file 'yara/gone.yar' not found (looked for '" +
                  t.str() + "/yara/gone.yar')"));
}

TEST(YaraRulesField, EachBadValueIsReported) {
  TempDir t;
  t.write("a.yar", "rule a { condition: true }\n");
  fs::create_directories(t.path() / "d");
  std::string file = t.write("r.json", doc(R"("a.yar", 7, "", "./a.yar", "bad\u0001")"));
  EXPECT_THAT(
      load_problems(file),
      ElementsAre(file + ":3:26: /rules/0/yara_rules/1: expected a string, got number",
                  file + ":3:29: /rules/0/yara_rules/2: YARA rule path must not be empty",
                  file + ":3:33: /rules/0/yara_rules/3: duplicate value './a.yar'",
                  file + ":3:44: /rules/0/yara_rules/4: YARA rule path 'bad\\x01' contains a control character"));
}

TEST(YaraRulesField, MustBeAnArray) {
  TempDir t;
  std::string file = t.write("r.json",
                             "{\"schema_version\": \"1.0.0\", \"rules\": [\n"
                             "{\"id\": \"T-1\", \"title\": \"t\", \"kind\": \"dropper\", \"ecosystem\": \"npm\", "
                             "\"severity\": \"low\", \"yara_rules\": \"a.yar\",\n"
                             " \"dropper_packages\": [{\"package_name\": \"x\"}]}\n]}\n");
  EXPECT_THAT(load_problems(file), ElementsAre(file + ":2:101: /rules/0/yara_rules: expected an array, got string"));
}

TEST(YaraRulesField, MisspeltFieldNameIsCaught) {
  RuleSet set;
  Errors errors;
  std::string text = doc("", ", \"yara_rule\": []");
  EXPECT_FALSE(parse_rule_document(text, "r.json", &set, &errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].str(), "r.json:3:33: /rules/0/yara_rule: unknown field 'yara_rule' (did you mean 'yara_rules'?)");
}

}  // namespace
}  // namespace gv
