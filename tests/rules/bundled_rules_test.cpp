// The incident rules we ship in rules/ (issue #5): every file loads on its
// own and together, ids are unique, every rule says where its facts come
// from (references) and what to do (remediation), and the versions each rule
// names match through the same RuleIndex + affected_match path a scan takes,
// while their neighbours (the last good release, the clean re-publish) do not.
// A rule that loads but matches the wrong versions fails silently in the
// field; this is where that is caught.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "rules/index.h"
#include "rules/load.h"

namespace gv {
namespace {

namespace fs = std::filesystem;

const std::string kRulesDir = std::string(GV_SOURCE_DIR) + "/rules";

std::vector<std::string> bundled_files() {
  std::vector<std::string> files;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(kRulesDir)) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string joined(const Errors& errors) {
  std::string s;
  for (const Error& e : errors) s += e.str() + "\n";
  return s;
}

RuleSet load_all() {
  RuleSet set;
  Errors errors;
  EXPECT_TRUE(load_rules({kRulesDir}, &set, &errors)) << joined(errors);
  return set;
}

// The expression of a rule naming `name` that `version` satisfies, through
// the index as a scan looks it up; "" when none does.
std::string matched(const RuleIndex& index, std::string_view name, std::string_view version) {
  const std::vector<RuleEntry>* entries = index.lookup(name);
  if (entries == nullptr) return "";
  std::optional<semver::Version> v = semver::parse_version(version);
  if (!v) return "";
  for (const RuleEntry& e : *entries) {
    if (e.dropper != nullptr) return "*";
    if (const AffectedVersion* av = affected_match(*e.package_rule, *v)) return av->expr;
  }
  return "";
}

TEST(BundledRules, EveryFileLoadsOnItsOwnWithoutErrors) {
  std::vector<std::string> files = bundled_files();
  ASSERT_GE(files.size(), 4u);
  for (const std::string& f : files) {
    RuleSet set;
    Errors errors;
    EXPECT_TRUE(load_rules({f}, &set, &errors)) << joined(errors);
    EXPECT_FALSE(set.rules.empty()) << f;
  }
}

TEST(BundledRules, IdsAreUniqueAcrossFiles) {
  RuleSet set = load_all();
  std::set<std::string> ids;
  for (const Rule& r : set.rules) EXPECT_TRUE(ids.insert(r.id).second) << r.id << " in " << r.file;
  EXPECT_THAT(ids, ::testing::IsSupersetOf({"SSC-2025-001", "SSC-2025-002", "SSC-2025-003",
                                            "SSC-2025-004"}));
}

TEST(BundledRules, EveryRuleHasReferencesAndRemediation) {
  for (const Rule& r : load_all().rules) {
    SCOPED_TRACE(r.id + " (" + r.file + ")");
    EXPECT_FALSE(r.summary.empty());
    ASSERT_FALSE(r.references.empty());
    for (const Reference& ref : r.references) EXPECT_TRUE(ref.url.starts_with("https://")) << ref.url;
    EXPECT_FALSE(r.remediation.summary.empty());
    EXPECT_FALSE(r.remediation.steps.empty());
    EXPECT_FALSE(r.published_at.empty());
  }
}

// Every version a package rule pins ("=x.y.z") matches through the index, and
// the same version with a much later patch does not: an expression broader
// than the incident would flag clean installs. (Ranges, should a rule need
// one, are left to the spot checks below.)
TEST(BundledRules, EveryPinnedVersionMatchesAndNoMore) {
  RuleSet set = load_all();
  RuleIndex index(set.rules);
  size_t pinned = 0;
  for (const Rule& r : set.rules) {
    for (const PackageRule& pr : r.package_rules) {
      for (const AffectedVersion& av : pr.affected_versions) {
        if (!av.expr.starts_with("=")) continue;
        const std::string v(av.expr.substr(1));
        EXPECT_EQ(matched(index, pr.package_name, v), av.expr) << pr.package_name << "@" << v;
        std::optional<semver::Version> later = semver::parse_version(v);
        ASSERT_TRUE(later) << v;
        later->patch += 1000;
        EXPECT_EQ(affected_match(pr, *later), nullptr) << pr.package_name << " " << av.expr;
        ++pinned;
      }
    }
  }
  EXPECT_GT(pinned, 1100u);
}

struct Spot {
  const char* name;
  const char* version;
  bool affected;
};

// The releases around each incident, from the maintainers' and vendors'
// statements cited in the rules.
TEST(BundledRules, SpotChecksAroundEachIncident) {
  RuleSet set = load_all();
  RuleIndex index(set.rules);
  const Spot spots[] = {
      // SSC-2025-001 axios
      {"axios", "1.14.1", true},
      {"axios", "0.30.4", true},
      {"axios", "1.14.0", false},
      {"axios", "0.30.3", false},
      {"plain-crypto-js", "4.2.1", true},  // dropper: any version
      // SSC-2025-002 Shai-Hulud
      {"02-echo", "0.0.7", true},
      {"@asyncapi/cli", "4.1.2", true},
      {"zapier-platform-core", "18.0.4", true},
      {"zapier-platform-core", "18.0.1", false},
      // SSC-2025-003 chalk/debug (qix) and DuckDB
      {"chalk", "5.6.1", true},
      {"chalk", "5.6.0", false},
      {"chalk", "5.6.2", false},
      {"debug", "4.4.2", true},
      {"debug", "4.4.1", false},
      {"debug", "4.4.3", false},
      {"ansi-styles", "6.2.2", true},
      {"ansi-styles", "6.2.1", false},
      {"error-ex", "1.3.3", true},
      {"is-arrayish", "0.3.3", true},
      {"is-arrayish", "0.3.4", false},
      {"color-name", "2.0.1", true},
      {"color-name", "1.1.4", false},
      {"duckdb", "1.3.3", true},
      {"duckdb", "1.3.4", false},
      {"@duckdb/duckdb-wasm", "1.29.2", true},
      {"@duckdb/duckdb-wasm", "1.30.0", false},
      // SSC-2025-004 Nx s1ngularity
      {"nx", "21.5.0", true},
      {"nx", "21.8.0", true},
      {"nx", "20.9.0", true},
      {"nx", "20.12.0", true},
      {"nx", "21.4.1", false},
      {"nx", "20.8.2", false},
      {"nx", "21.5.1", false},
      {"@nx/devkit", "21.5.0", true},
      {"@nx/devkit", "21.4.1", false},
      {"@nx/eslint", "21.5.0", true},
      {"@nx/eslint", "20.9.0", false},
      {"@nx/key", "3.2.0", true},
      {"@nx/enterprise-cloud", "3.2.0", true},
      {"@nx/enterprise-cloud", "3.1.0", false},
      // Names no rule mentions.
      {"left-pad", "1.3.0", false},
  };
  for (const Spot& s : spots) {
    EXPECT_EQ(!matched(index, s.name, s.version).empty(), s.affected)
        << s.name << "@" << s.version << (s.affected ? " should match" : " should not match");
  }
}

TEST(BundledRules, NxRuleCarriesTheInventoryFilesAsHostIndicators) {
  RuleSet set = load_all();
  auto it = std::find_if(set.rules.begin(), set.rules.end(),
                         [](const Rule& r) { return r.id == "SSC-2025-004"; });
  ASSERT_NE(it, set.rules.end());
  std::vector<std::string> files;
  for (const HostIndicator& h : it->host_indicators) files.push_back(h.path + "/" + h.file_name);
  EXPECT_THAT(files, ::testing::UnorderedElementsAre("/tmp/inventory.txt", "/tmp/inventory.txt.bak"));
}

}  // namespace
}  // namespace gv
