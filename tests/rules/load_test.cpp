// Rule loading: the files we ship and the runbook's example load; each kind
// of mistake a rule author makes yields one exact "file:line:col: /pointer:
// reason" message pointing at the offending value.
#include "rules/load.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace gv {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

const std::string kTestdata = std::string(GV_SOURCE_DIR) + "/tests/rules/testdata";

std::vector<std::string> strings(const Errors& errors) {
  std::vector<std::string> out;
  for (const Error& e : errors) out.push_back(e.str());
  return out;
}

// Problems found in one document named "r.json".
std::vector<std::string> problems(std::string_view text) {
  RuleSet set;
  Errors errors;
  bool ok = parse_rule_document(text, "r.json", &set, &errors);
  EXPECT_EQ(ok, errors.empty());
  return strings(errors);
}

// A document whose first rule starts on line 2; `rest` continues from line 2.
std::string doc(std::string_view rest) {
  return "{\"schema_version\": \"1.0.0\", \"rules\": [\n" + std::string(rest) + "]}\n";
}

// Line 2 of most documents below: a rule's required fields.
constexpr std::string_view kHead =
    R"({"id": "T-1", "title": "t", "kind": "compromised-release", "ecosystem": "npm", "severity": "high",)"
    "\n";
constexpr std::string_view kPackageRules =
    R"( "package_rules": [{"package_name": "left-pad", "affected_versions": ["=1.3.0"]}]})"
    "\n";

std::string replace(std::string s, std::string_view from, std::string_view to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

// A scratch folder removed after the test.
class TempDir {
 public:
  explicit TempDir(const std::string& suffix = "") {
    path_ = fs::temp_directory_path() /
            ("gv-rules-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + suffix);
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string path() const { return path_.string(); }
  std::string write(const std::string& rel, std::string_view text) const {
    fs::path p = path_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

 private:
  fs::path path_;
};

// --- files that must load --------------------------------------------------

TEST(LoadRules, RunbookExampleLoadsWithItsVariantsNormalised) {
  RuleSet set;
  Errors errors;
  std::string file = kTestdata + "/runbook-SSC-2026-005.json";
  ASSERT_TRUE(load_rules({file}, &set, &errors)) << ::testing::PrintToString(strings(errors));
  ASSERT_EQ(set.rules.size(), 1u);
  const Rule& r = set.rules[0];
  EXPECT_EQ(r.id, "SSC-2026-005");
  EXPECT_EQ(r.kind, "compromised-release");
  EXPECT_EQ(r.severity, Severity::kCritical);
  EXPECT_EQ(r.file, file);
  EXPECT_EQ(r.line, 4u);
  ASSERT_EQ(r.references.size(), 1u);  // a plain URL string
  EXPECT_EQ(r.references[0].type, "other");
  EXPECT_EQ(r.references[0].url, "https://github.com/advisories/GHSA-xxxx-yyyy-zzzz");
  EXPECT_TRUE(r.aliases.empty());
  ASSERT_EQ(r.package_rules.size(), 1u);
  const PackageRule& p = r.package_rules[0];
  EXPECT_EQ(p.package_name, "example-utils");
  EXPECT_EQ(p.line, 16u);
  ASSERT_EQ(p.affected_versions.size(), 2u);
  EXPECT_EQ(p.affected_versions[0].expr, "=2.3.1");
  EXPECT_TRUE(p.affected_versions[0].range.satisfies("2.3.1"));
  EXPECT_FALSE(p.affected_versions[0].range.satisfies("2.3.0"));
  EXPECT_THAT(p.lockfile_ecosystems, ElementsAre("npm", "pnpm", "yarn"));
  ASSERT_EQ(r.host_indicators.size(), 1u);
  EXPECT_THAT(r.host_indicators[0].oses, ElementsAre("linux", "macos"));  // "darwin"
  EXPECT_EQ(r.host_indicators[0].file_name, ".node-cache");
  EXPECT_THAT(r.remediation.steps, ElementsAre("Pin example-utils to 2.3.0",
                                               "Upgrade to 2.3.3 once published"));
  EXPECT_EQ(r.published_at, "2026-04-01T12:00:00Z");
}

TEST(LoadRules, AxiosIncidentLoads) {
  RuleSet set;
  Errors errors;
  ASSERT_TRUE(load_rules({kTestdata + "/axios-compromise-2025.json"}, &set, &errors))
      << ::testing::PrintToString(strings(errors));
  ASSERT_EQ(set.rules.size(), 1u);
  const Rule& r = set.rules[0];
  EXPECT_EQ(r.id, "SSC-2025-001");
  EXPECT_EQ(r.package_rules.at(0).line, 24u);
  ASSERT_EQ(r.dropper_packages.size(), 1u);
  EXPECT_EQ(r.dropper_packages[0].package_name, "plain-crypto-js");
  EXPECT_EQ(r.dropper_packages[0].line, 34u);
  ASSERT_EQ(r.host_indicators.size(), 7u);
  ASSERT_EQ(r.host_indicators[0].hashes.size(), 1u);
  EXPECT_EQ(r.host_indicators[0].hashes[0].algorithm, "sha256");
  EXPECT_EQ(r.references.at(0).type, "article");
}

TEST(LoadRules, ShaiHuludIncidentLoadsAll795PackageRules) {
  RuleSet set;
  Errors errors;
  ASSERT_TRUE(load_rules({kTestdata + "/shai-hulud-2-2025.json"}, &set, &errors))
      << ::testing::PrintToString(strings(errors));
  ASSERT_EQ(set.rules.size(), 1u);
  const Rule& r = set.rules[0];
  EXPECT_EQ(r.id, "SSC-2025-002");
  EXPECT_EQ(r.package_rules.size(), 795u);
  size_t versions = 0;
  for (const PackageRule& p : r.package_rules) versions += p.affected_versions.size();
  EXPECT_EQ(versions, 1089u);
  EXPECT_EQ(r.package_rules.front().package_name, "02-echo");
  EXPECT_EQ(r.package_rules.back().package_name, "zuper-stream");
  EXPECT_EQ(r.host_indicators.size(), 4u);
}

TEST(LoadRules, FolderLoadsEveryJsonFileInSortedOrder) {
  RuleSet set;
  Errors errors;
  ASSERT_TRUE(load_rules({kTestdata}, &set, &errors)) << ::testing::PrintToString(strings(errors));
  EXPECT_THAT(set.files, ElementsAre(kTestdata + "/axios-compromise-2025.json",
                                     kTestdata + "/runbook-SSC-2026-005.json",
                                     kTestdata + "/shai-hulud-2-2025.json"));
  ASSERT_EQ(set.rules.size(), 3u);
  EXPECT_EQ(set.rules[1].id, "SSC-2026-005");
}

TEST(LoadRules, FolderIsSearchedRecursivelySkippingHiddenFoldersAndOtherFiles) {
  TempDir dir;
  std::string rule = doc(std::string(kHead) + std::string(kPackageRules));
  dir.write("b/nested.json", replace(rule, "T-1", "T-2"));
  dir.write("a.json", rule);
  dir.write(".git/objects.json", "not even json");
  dir.write("README.md", "# rules");
  RuleSet set;
  Errors errors;
  ASSERT_TRUE(load_rules({dir.path()}, &set, &errors)) << ::testing::PrintToString(strings(errors));
  EXPECT_THAT(set.files, ElementsAre(dir.path() + "/a.json", dir.path() + "/b/nested.json"));
}

TEST(LoadRules, SymlinkedFoldersAreNotFollowed) {
  TempDir dir;
  TempDir outside_holder("-outside");
  std::string outside = outside_holder.write("elsewhere/x.json", "not json");
  dir.write("a.json", doc(std::string(kHead) + std::string(kPackageRules)));
  fs::create_directory_symlink(fs::path(outside).parent_path(), dir.path() + "/link");
  RuleSet set;
  Errors errors;
  ASSERT_TRUE(load_rules({dir.path()}, &set, &errors)) << ::testing::PrintToString(strings(errors));
  EXPECT_THAT(set.files, ElementsAre(dir.path() + "/a.json"));
}

TEST(LoadRules, AcceptsLooseButHarmlessVariants) {
  std::string text = doc(
      R"({"id": "T-1", "title": "t", "kind": "dropper", "ecosystem": "npm", "severity": "low",
 "aliases": ["CVE-2099-0001", {"type": "ghsa", "value": "GHSA-aaaa-bbbb-cccc"}],
 "summary": null,
 "dropper_packages": [{"package_name": "Legacy_Name", "notes": null}],
 "host_indicators": [{"type": "file", "file_name": "x", "oses": ["darwin"],
   "hashes": [{"algorithm": "md5", "value": "D41D8CD98F00B204E9800998ECF8427E"}]}]}
)");
  text = replace(text, "{\"schema_version\"", "{\"$schema\": \"./schema.json\", \"schema_version\"");
  text = replace(text, "\"1.0.0\"", "\"1.7.3\"");  // any 1.x
  RuleSet set;
  Errors errors;
  ASSERT_TRUE(parse_rule_document(text, "r.json", &set, &errors))
      << ::testing::PrintToString(strings(errors));
  const Rule& r = set.rules.at(0);
  ASSERT_EQ(r.aliases.size(), 2u);
  EXPECT_EQ(r.aliases[0].type, "other");
  EXPECT_EQ(r.aliases[0].value, "CVE-2099-0001");
  EXPECT_EQ(r.aliases[1].type, "ghsa");
  EXPECT_TRUE(r.package_rules.empty());  // a dropper-only rule is legitimate
  EXPECT_EQ(r.dropper_packages.at(0).package_name, "Legacy_Name");  // npm legacy capitals
  EXPECT_EQ(r.dropper_packages.at(0).line, 5u);
  EXPECT_THAT(r.host_indicators.at(0).oses, ElementsAre("macos"));
  EXPECT_EQ(r.host_indicators.at(0).hashes.at(0).value, "d41d8cd98f00b204e9800998ecf8427e");
}

// --- one test per kind of mistake ------------------------------------------

TEST(RuleErrors, MissingRequiredField) {
  std::string text = doc(replace(std::string(kHead), R"( "severity": "high",)", "") +
                         std::string(kPackageRules));
  EXPECT_THAT(problems(text), ElementsAre("r.json:2:1: /rules/0: missing required field 'severity'"));
}

TEST(RuleErrors, WrongEnumValue) {
  std::string text = doc(replace(std::string(kHead), "\"high\"", "\"severe\"") +
                         std::string(kPackageRules));
  EXPECT_THAT(problems(text),
              ElementsAre("r.json:2:92: /rules/0/severity: invalid value 'severe'; expected one of "
                          "low, medium, high, critical"));
}

TEST(RuleErrors, WrongEnumValueSuggestsTheNearestOne) {
  std::string text = doc(replace(std::string(kHead), "\"high\"", "\"critcal\"") +
                         std::string(kPackageRules));
  EXPECT_THAT(problems(text),
              ElementsAre("r.json:2:92: /rules/0/severity: invalid value 'critcal'; expected one of "
                          "low, medium, high, critical (did you mean 'critical'?)"));
}

TEST(RuleErrors, UnknownFieldSuggestsTheKnownOne) {
  std::string text =
      doc(std::string(kHead) + replace(std::string(kPackageRules), "affected_versions",
                                       "affected_version"));
  EXPECT_THAT(problems(text),
              ElementsAre("r.json:3:20: /rules/0/package_rules/0: missing required field "
                          "'affected_versions'",
                          "r.json:3:69: /rules/0/package_rules/0/affected_version: unknown field "
                          "'affected_version' (did you mean 'affected_versions'?)"));
}

TEST(RuleErrors, InvalidVersionExpression) {
  std::string text =
      doc(std::string(kHead) + replace(std::string(kPackageRules), "=1.3.0", ">=1.2.x.5"));
  std::string reason;
  ASSERT_FALSE(semver::Range::parse(">=1.2.x.5", &reason));
  ASSERT_FALSE(reason.empty());
  EXPECT_THAT(problems(text),
              ElementsAre("r.json:3:71: /rules/0/package_rules/0/affected_versions/0: invalid "
                          "version expression '>=1.2.x.5': " +
                          reason));
}

TEST(RuleErrors, EmptyVersionExpressionIsNotSilentlyEverything) {
  std::string text = doc(std::string(kHead) + replace(std::string(kPackageRules), "=1.3.0", ""));
  EXPECT_THAT(problems(text),
              ElementsAre("r.json:3:71: /rules/0/package_rules/0/affected_versions/0: empty "
                          "version expression (write '*' to match every version)"));
}

// A file indicator whose sha256 value (line 5, column 15) is `value`.
std::string hashed_indicator(std::string_view value) {
  return doc(std::string(kHead) +
             " \"host_indicators\": [{\"type\": \"file\", \"path\": \"/tmp\", \"oses\": [\"linux\"],\n"
             "   \"hashes\": [{\"algorithm\": \"sha256\",\n"
             "     \"value\": \"" +
             std::string(value) + "\"}]}]}\n");
}

TEST(RuleErrors, HashOfTheWrongLength) {
  EXPECT_THAT(problems(hashed_indicator(std::string(63, 'a'))),
              ElementsAre("r.json:5:15: /rules/0/host_indicators/0/hashes/0/value: sha256 hash "
                          "must have 64 hex digits, got 63"));
}

TEST(RuleErrors, HashThatIsNotHex) {
  EXPECT_THAT(problems(hashed_indicator(std::string(10, 'a') + "g" + std::string(53, 'a'))),
              ElementsAre("r.json:5:15: /rules/0/host_indicators/0/hashes/0/value: hash value "
                          "must be hexadecimal; found 'g' at index 10"));
}

TEST(RuleErrors, HashesOnANonFileIndicator) {
  std::string text = doc(
      std::string(kHead) +
      " \"host_indicators\": [{\"type\": \"network\", \"value\": \"evil.example\", \"oses\": "
      "[\"linux\"],\n"
      "   \"hashes\": [{\"algorithm\": \"sha256\", \"value\": \"ab\"}]}]}\n");
  EXPECT_THAT(problems(text),
              ElementsAre("r.json:4:14: /rules/0/host_indicators/0/hashes: hashes are only allowed "
                          "on file indicators (this one is 'network')"));
}

TEST(RuleErrors, FileIndicatorWithoutPathOrFileName) {
  std::string text = doc(std::string(kHead) +
                         " \"host_indicators\": [{\"type\": \"file\", \"oses\": [\"linux\"], "
                         "\"confidence\": \"high\"}]}\n");
  EXPECT_THAT(problems(text),
              ElementsAre("r.json:3:22: /rules/0/host_indicators/0: a file indicator needs a path "
                          "or a file_name"));
}

TEST(RuleErrors, RuleThatMatchesNothing) {
  std::string text = doc(replace(std::string(kHead), "\"high\",", "\"high\"}"));
  EXPECT_THAT(problems(text),
              ElementsAre("r.json:2:1: /rules/0: rule matches nothing: needs package_rules, "
                          "dropper_packages or host_indicators"));
}

TEST(RuleErrors, PackageNameWithWhitespaceOrEmpty) {
  std::string text =
      doc(std::string(kHead) +
          R"( "package_rules": [{"package_name": " left-pad", "affected_versions": ["*"]},)" "\n"
          R"(   {"package_name": "", "affected_versions": ["*"]}]})" "\n");
  EXPECT_THAT(problems(text),
              ElementsAre("r.json:3:37: /rules/0/package_rules/0/package_name: package name "
                          "' left-pad' has leading or trailing whitespace",
                          "r.json:4:21: /rules/0/package_rules/1/package_name: package name must "
                          "not be empty"));
}

TEST(RuleErrors, UnknownSchemaMajorVersion) {
  EXPECT_THAT(problems(R"({"schema_version": "2.0.0", "rules": [{"anything": "new"}]})"),
              ElementsAre("r.json:1:20: /schema_version: unsupported schema major version 2 (this "
                          "build reads 1.x)"));
}

TEST(RuleErrors, MalformedSchemaVersion) {
  EXPECT_THAT(problems(R"({"schema_version": "1.0", "rules": []})"),
              ElementsAre("r.json:1:20: /schema_version: invalid schema version '1.0'; expected "
                          "MAJOR.MINOR.PATCH such as '1.0.0'"));
}

TEST(RuleErrors, TruncatedJson) {
  std::string text = doc(std::string(kHead) + std::string(kPackageRules));
  text.resize(text.find("\"affected_versions\""));
  EXPECT_THAT(problems(text),
              ElementsAre("r.json:3:49: invalid JSON: unexpected end of input; expected string "
                          "literal"));
}

TEST(RuleErrors, NotJsonAtAll) {
  EXPECT_THAT(problems("schema_version: 1.0.0\n"),
              ElementsAre("r.json:1:1: invalid JSON: invalid literal; last read: 's'"));
}

TEST(RuleErrors, DuplicateRuleIdWithinAFile) {
  std::string text = doc(std::string(kHead) + " \"package_rules\": [{\"package_name\": \"a\", "
                                              "\"affected_versions\": [\"*\"]}]},\n" +
                         std::string(kHead) + std::string(kPackageRules));
  EXPECT_THAT(problems(text), ElementsAre("r.json:4:8: /rules/1/id: duplicate rule id T-1 (first "
                                          "defined at r.json:2:8)"));
}

TEST(RuleErrors, DuplicateRuleIdAcrossTwoFiles) {
  TempDir dir;
  std::string rule = doc(std::string(kHead) + std::string(kPackageRules));
  std::string a = dir.write("a.json", rule);
  std::string b = dir.write("b.json", rule);
  RuleSet set;
  Errors errors;
  EXPECT_FALSE(load_rules({dir.path()}, &set, &errors));
  EXPECT_THAT(strings(errors), ElementsAre(b + ":2:8: /rules/0/id: duplicate rule id T-1 (first "
                                               "defined at " +
                                           a + ":2:8)"));
}

TEST(RuleErrors, EmptyFolder) {
  TempDir dir;
  dir.write("README.md", "no rules here");
  dir.write(".hidden/x.json", "{}");
  RuleSet set;
  Errors errors;
  EXPECT_FALSE(load_rules({dir.path()}, &set, &errors));
  EXPECT_THAT(strings(errors), ElementsAre("no rule files (*.json) found in " + dir.path()));
}

TEST(RuleErrors, MissingPath) {
  TempDir dir;
  RuleSet set;
  Errors errors;
  EXPECT_FALSE(load_rules({dir.path() + "/nope.json"}, &set, &errors));
  EXPECT_THAT(strings(errors),
              ElementsAre(dir.path() + "/nope.json: cannot open: No such file or directory"));
}

TEST(RuleErrors, DuplicateKeyInOneObject) {
  std::string text = doc(replace(std::string(kHead), "\"title\": \"t\",",
                                 "\"title\": \"t\", \"title\": \"u\",") +
                         std::string(kPackageRules));
  EXPECT_THAT(problems(text), ElementsAre("r.json:2:38: /rules/0/title: field 'title' appears "
                                          "twice in the same object (JSON keeps only the last)"));
}

TEST(RuleErrors, WrongTypeAndBadDate) {
  std::string text = doc(replace(std::string(kHead), "\"t\"", "42") +
                         R"( "metadata": {"published_at": "2026-02-30T00:00:00Z"},)" "\n" +
                         std::string(kPackageRules));
  EXPECT_THAT(problems(text),
              ElementsAre("r.json:2:24: /rules/0/title: expected a string, got number",
                          "r.json:3:31: /rules/0/metadata/published_at: invalid date-time "
                          "'2026-02-30T00:00:00Z'; expected RFC 3339 such as "
                          "'2026-04-01T12:00:00Z'"));
}

TEST(RuleErrors, EveryProblemInAFileIsReportedInOrder) {
  std::string text = doc(
      replace(std::string(kHead), "\"compromised-release\"", "\"compromised\"") +
      R"( "package_rules": [{"package_name": "left-pad", "affected_versions": ["=1.3.0"], "note": "x"}],)"
      "\n"
      R"( "host_indicators": [{"type": "file", "path": "/tmp", "oses": ["linux"], "hashes": [{"algorithm": "sha1", "value": "abc"}]}]})"
      "\n");
  EXPECT_THAT(problems(text),
              ElementsAre("r.json:2:37: /rules/0/kind: invalid value 'compromised'; expected one "
                          "of compromised-release, malicious-package, vulnerability, dropper, "
                          "suspicious-artifact",
                          "r.json:3:90: /rules/0/package_rules/0/note: unknown field 'note' (did "
                          "you mean 'notes'?)",
                          "r.json:4:116: /rules/0/host_indicators/0/hashes/0/value: sha1 hash "
                          "must have 40 hex digits, got 3"));
}

// --- scale -----------------------------------------------------------------

// A 100,000-entry feed (feed scale) loads whole, with positions right at the
// far end. How fast is bench/'s job (BM_LoadAndIndex100kRules), not a test's.
TEST(LoadRulesScale, HundredThousandEntryFeed) {
  constexpr size_t kEntries = 100000;
  std::string text = "{\n  \"schema_version\": \"1.0.0\",\n  \"rules\": [\n";
  for (size_t i = 0; i < kEntries; ++i) {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "    {\n      \"id\": \"GEN-%06zu\",\n      \"title\": \"Generated entry %zu\",\n"
                  "      \"kind\": \"malicious-package\",\n      \"ecosystem\": \"npm\",\n"
                  "      \"severity\": \"high\",\n      \"package_rules\": [\n        {\n"
                  "          \"package_name\": \"@scope-%zu/pkg-%zu\",\n"
                  "          \"affected_versions\": [\"=1.%zu.0\", \">=2.0.0 <2.%zu.3\"]\n"
                  "        }\n      ]\n    }%s\n",
                  i, i, i % 97, i, i % 50, i % 20 + 1, i + 1 < kEntries ? "," : "");
    text += buf;
  }
  text += "  ]\n}\n";
  RuleSet set;
  Errors errors;
  bool ok = parse_rule_document(text, "feed.json", &set, &errors);
  ASSERT_TRUE(ok) << ::testing::PrintToString(strings(errors));
  ASSERT_EQ(set.rules.size(), kEntries);
  EXPECT_EQ(set.rules.back().package_rules.at(0).line, 13 * (kEntries - 1) + 4 + 7);
  EXPECT_EQ(set.rules.back().package_rules.at(0).package_name, "@scope-89/pkg-99999");
  EXPECT_EQ(set.rules.back().package_rules.at(0).affected_versions.size(), 2u);
}

}  // namespace
}  // namespace gv

namespace gv {
namespace {

TEST(LoadRulesGuard, FilesWithNoRulesAreNotAnEmptyCleanRuleSet) {
  const std::string dir = ::testing::TempDir() + "/gv-empty-rules";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/empty.json") << R"({"schema_version":"1.0.0","rules":[]})";
  RuleSet rs;
  Errors errs;
  EXPECT_FALSE(load_rules({dir}, &rs, &errs));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].str(), "no rules loaded from " + dir + " (the rule files hold no rules)");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gv

namespace gv {
namespace {

// The loader streams a file's rules one at a time and gives back the pages
// of text it has read (in 2 MB steps); these documents are big enough for
// that, and each checks an answer the whole-document loader gave.

// `n` one-line rules G-0..G-(n-1) after a first line; rule i is on line i + 2.
std::string feed(size_t n, std::string_view last_rule_extra = "", std::string_view tail = "]}\n") {
  std::string text = "{\"schema_version\": \"1.0.0\", \"rules\": [\n";
  for (size_t i = 0; i < n; ++i) {
    text += R"({"id": "G-)" + std::to_string(i) +
            R"(", "title": "a generated rule of some length, as feeds have", "kind": "malicious-package", )"
            R"("ecosystem": "npm", "severity": "critical", "package_rules": [{"package_name": "pkg-)" +
            std::to_string(i) + R"(", "affected_versions": ["=1.0.0"]}])";
    if (i + 1 == n) text += last_rule_extra;
    text += i + 1 < n ? "},\n" : "}\n";
  }
  return text + std::string(tail);
}

constexpr size_t kBig = 50000;  // ~11 MB: several 2 MB release steps

TEST(LoadRulesStream, ABigFeedLoadsWhole) {
  TempDir dir;
  const std::string text = feed(kBig);
  ASSERT_GT(text.size(), size_t{9} << 20);
  std::string path = dir.write("feed.json", text);
  RuleSet set;
  Errors errors;
  ASSERT_TRUE(load_rules({path}, &set, &errors)) << strings(errors).at(0);
  ASSERT_EQ(set.rules.size(), kBig);
  EXPECT_EQ(set.rules.back().id, "G-" + std::to_string(kBig - 1));
  EXPECT_EQ(set.rules.back().line, kBig + 1);
  EXPECT_EQ(set.rules.back().package_rules.at(0).package_name, "pkg-" + std::to_string(kBig - 1));
  EXPECT_EQ(set.rules[123].title, "a generated rule of some length, as feeds have");
  EXPECT_EQ(set.rules[123].file, path);
  // Interned: every rule's kind and file share one block.
  EXPECT_EQ(set.rules[0].kind.data(), set.rules[kBig - 1].kind.data());
  EXPECT_EQ(set.rules[0].file.data(), set.rules[kBig - 1].file.data());
}

TEST(LoadRulesStream, AnErrorPastTheReleasedTextHasItsPosition) {
  TempDir dir;
  // The last rule's summary is a number with a fraction: the grammar pass
  // leaves it to nlohmann, which needs the whole text (read again).
  std::string path = dir.write("feed.json", feed(kBig, R"(, "summary": 1.5)"));
  RuleSet set;
  Errors errors;
  EXPECT_FALSE(load_rules({path}, &set, &errors));
  const std::string line = std::to_string(kBig + 1);
  EXPECT_THAT(strings(errors), ElementsAre(path + ":" + line + ":" + "245: /rules/" +
                                           std::to_string(kBig - 1) + "/summary: expected a string, got number"));
}

TEST(LoadRulesStream, TextThatStopsBeingJsonLateLoadsNothing) {
  TempDir dir;
  std::string path = dir.write("feed.json", feed(kBig, "", "]"));  // the root never closes
  RuleSet set;
  Errors errors;
  EXPECT_FALSE(load_rules({path}, &set, &errors));
  EXPECT_THAT(strings(errors), ElementsAre(path + ":" + std::to_string(kBig + 2) +
                                           ":2: invalid JSON: unexpected end of input; expected '}'"));
  EXPECT_TRUE(set.rules.empty());
}

TEST(LoadRulesStream, ARefusedFileNeitherKeepsRulesNorClaimsTheirIds) {
  // a.json is refused (broken at its end) after its rules were read; b.json
  // defines the same id: only a's problem is reported, no "duplicate".
  TempDir dir;
  std::string rule = std::string(kHead) + std::string(kPackageRules);
  std::string a = dir.write("a.json", "{\"schema_version\": \"1.0.0\", \"rules\": [\n" + rule + "], ");
  std::string b = dir.write("b.json", doc(rule));
  RuleSet set;
  Errors errors;
  EXPECT_FALSE(load_rules({dir.path()}, &set, &errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file, a);
  EXPECT_THAT(errors[0].what, ::testing::HasSubstr("invalid JSON"));
  ASSERT_EQ(set.rules.size(), 1u);
  EXPECT_EQ(set.rules[0].file, b);
}

TEST(LoadRulesStream, ASchemaVersionAfterTheRulesStillGovernsThem) {
  // Rules come before schema_version here, so they are read first; a major
  // version this build does not read still means none of them counts.
  EXPECT_THAT(problems(R"({"rules": [{"anything": "new"}], "schema_version": "2.0.0"})"),
              ElementsAre("r.json:1:52: /schema_version: unsupported schema major version 2 (this "
                          "build reads 1.x)"));
  RuleSet set;
  Errors errors;
  EXPECT_TRUE(parse_rule_document(doc(std::string(kHead) + std::string(kPackageRules)), "r.json", &set, &errors));
  EXPECT_TRUE(parse_rule_document(
      R"({"rules": [{"id": "T-1", "title": "t", "kind": "dropper", "ecosystem": "npm", "severity": "low", )"
      R"("dropper_packages": [{"package_name": "x"}]}], "schema_version": "1.2.0"})",
      "s.json", &set, &errors) == false);
  EXPECT_THAT(strings(errors), ElementsAre(::testing::HasSubstr("duplicate rule id T-1")));
}

}  // namespace
}  // namespace gv
