// search_rules and blast_radius over a real SQLite store holding scripted
// rows: the scanner's matching (versions, declared ranges, ecosystems,
// droppers, dist-tags), what cannot be checked, and the blast radius order.
#include "inventory/rule_search.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/temp_dir.h"
#include "common/utc.h"
#include "rules/load.h"

namespace gv::inventory {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kRules = R"({
  "schema_version": "1.0.0",
  "rules": [
    {"id": "SSC-2026-101", "title": "ms hijack", "kind": "compromised-release", "ecosystem": "npm",
     "severity": "high",
     "package_rules": [{"package_name": "ms", "affected_versions": ["=2.1.2"]},
                       {"package_name": "tagdep", "affected_versions": ["=1.0.0"]},
                       {"package_name": "gitdep", "affected_versions": ["=1.0.0"]}],
     "remediation": {"summary": "Move off ms 2.1.2.", "steps": ["Pin ms to 2.1.3."]}},
    {"id": "SSC-2026-102", "title": "npm-only", "kind": "compromised-release", "ecosystem": "npm",
     "severity": "critical",
     "package_rules": [{"package_name": "foo", "affected_versions": ["=1.0.0"], "lockfile_ecosystems": ["npm"]}],
     "dropper_packages": [{"package_name": "evil-dropper"}]}
  ]
})";

CommitInfo commit(const std::string& sha, int64_t time, int64_t pr = 0) {
  CommitInfo c;
  c.sha = sha + std::string(40 - sha.size(), '0');
  c.author = "Ada";
  c.time = time;
  c.subject = "change " + sha;
  c.pr = pr;
  c.pr_commit = pr != 0 ? c.sha : "";
  return c;
}

struct Fixture {
  gv::testing::TempDir tmp;
  std::unique_ptr<Store> store;
  RuleSet rules;
  std::unique_ptr<RuleIndex> index;

  Fixture() {
    Error e;
    store = Store::open(tmp.str() + "/inv.db", &e);
    EXPECT_TRUE(store) << e.str();
    Errors errors;
    EXPECT_TRUE(load_rules({tmp.write("rules.json", kRules)}, &rules, &errors));
    index = std::make_unique<RuleIndex>(rules.rules);
  }
  // One ref: `commits` in order, then `tip` as its packages.
  void save(const std::string& repo, std::vector<CommitChanges> commits, std::vector<TipPackage> tip) {
    RefIndex r;
    r.org = "acme";
    r.repo = repo;
    r.ref = "main";
    r.tip = commits.empty() ? std::string(40, 'f') : commits.back().commit.sha;
    r.commits = std::move(commits);
    r.tip_packages = std::move(tip);
    std::optional<Error> e = store->save(r);
    ASSERT_FALSE(e) << e->str();
  }
  RuleSearch search(const Query& window = {}, const Filter& scope = {}) {
    RuleSearch out;
    std::optional<Error> e = search_rules(*store, *index, scope, window, &out);
    EXPECT_FALSE(e) << e->str();
    return out;
  }
};

std::string describe(const RuleSpan& m) {
  std::string s = m.span.repo + " " + m.span.lockfile + " " + m.span.package + "@" + m.span.version;
  for (const RuleHit& h : m.hits) s += " " + std::string(h.rule->id) + "[" + h.matched + "]";
  return s;
}

TEST(SearchRules, MatchesLikeTheScannerAndSaysWhatItCouldNotCheck) {
  Fixture f;
  f.save("web", {{commit("a1", 1000, 7),
                  {{"package-lock.json", "evil-dropper", "0.0.1", true},
                   {"package-lock.json", "foo", "1.0.0", true},
                   {"package-lock.json", "gitdep", "github:x/y#abc", true},
                   {"package-lock.json", "ms", "2.1.2", true},
                   {"package-lock.json", "ms", "2.1.3", true},
                   {"package.json", "ms", "^2.1.0", true},
                   {"package.json", "other", "^1.0.0", true},
                   {"package.json", "tagdep", "latest", true},
                   {"yarn.lock", "foo", "1.0.0", true}}}},
         {{"package-lock.json", "ms", "2.1.2"}});
  RuleSearch r = f.search();
  std::vector<std::string> got;
  for (const RuleSpan& m : r.matches) got.push_back(describe(m));
  // foo in yarn.lock: the rule speaks of npm lockfiles only. ms 2.1.3: not
  // affected. other: no rule names it.
  EXPECT_THAT(got, ElementsAre("web package-lock.json evil-dropper@0.0.1 SSC-2026-102[*]",
                               "web package-lock.json foo@1.0.0 SSC-2026-102[=1.0.0]",
                               "web package-lock.json ms@2.1.2 SSC-2026-101[=2.1.2]",
                               "web package.json ms@^2.1.0 SSC-2026-101[=2.1.2]",
                               "web package.json tagdep@latest SSC-2026-101[=1.0.0]"));
  ASSERT_EQ(r.unchecked.size(), 1u);
  EXPECT_EQ(r.unchecked[0].span.package, "gitdep");
  EXPECT_EQ(r.unchecked[0].rule_id, "SSC-2026-101");
  EXPECT_THAT(r.unchecked[0].reason, HasSubstr("not a semver version"));
  EXPECT_EQ(r.names_looked_up, 5u);  // evil-dropper, foo, gitdep, ms, tagdep (not "other")
  EXPECT_EQ(r.names_indexed, 6u);
}

TEST(SearchRules, AVersionOnlyAtTheTipIsStillFound) {
  // A shallow clone: the tip holds ms@2.1.2 but no indexed commit added it.
  Fixture f;
  f.save("shallow", {}, {{"package-lock.json", "ms", "2.1.2"}});
  RuleSearch r = f.search();
  ASSERT_EQ(r.matches.size(), 1u);
  EXPECT_TRUE(r.matches[0].span.present_at_tip);
  EXPECT_TRUE(r.matches[0].span.introduced_by.sha.empty());
  // Its date is unknown, so a date window does not hide it.
  Query window;
  window.since = 5000;
  EXPECT_EQ(f.search(window).matches.size(), 1u);
}

TEST(SearchRules, ScopeAndDateWindow) {
  Fixture f;
  f.save("web", {{commit("a1", 1000), {{"package-lock.json", "ms", "2.1.2", true}}}}, {});
  f.save("api", {{commit("b1", 3000), {{"package-lock.json", "ms", "2.1.2", true}}}}, {});
  Filter scope;
  scope.repo = "api";
  ASSERT_EQ(f.search({}, scope).matches.size(), 1u);
  EXPECT_EQ(f.search({}, scope).matches[0].span.repo, "api");
  Query window;
  window.until = 2000;
  ASSERT_EQ(f.search(window).matches.size(), 1u);
  EXPECT_EQ(f.search(window).matches[0].span.repo, "web");
}

TEST(SearchPackage, AnExactVersionAnswersAsTheSameRangeDoes) {
  // The exact form reads only that version's rows (and package.json's); the
  // range form reads them all. Same answer, moves and declared ranges included.
  Fixture f;
  f.save("web",
         {{commit("a1", 1000, 7),
           {{"package-lock.json", "ms", "2.1.2", true}, {"package.json", "ms", "^2.1.0", true}}},
          {commit("a2", 2000, 8),
           {{"a/package-lock.json", "ms", "2.1.2", true}, {"package-lock.json", "ms", "2.1.2", false},
            {"package-lock.json", "ms", "2.1.3", true}}},
          {commit("a3", 3000, 9), {{"a/package-lock.json", "ms", "2.1.2", false}}}},
         {{"package-lock.json", "ms", "2.1.3"}, {"package.json", "ms", "^2.1.0"}});
  auto find = [&](const std::string& text) {
    Query q;
    std::string why;
    EXPECT_TRUE(parse_package_query(text, &q, &why)) << why;
    std::vector<Span> out;
    EXPECT_FALSE(search_package(*f.store, {}, q, &out));
    std::vector<std::string> shown;
    for (const Span& s : out) {
      shown.push_back(s.lockfile + " " + s.version + " in " + std::to_string(s.introduced_by.pr) + " out " +
                      (s.removed_by ? std::to_string(s.removed_by->pr) : "-") + (s.present_at_tip ? " tip" : ""));
    }
    return shown;
  };
  const std::vector<std::string> exact = find("ms@2.1.2");
  EXPECT_EQ(exact, find("ms@=2.1.2"));
  EXPECT_THAT(exact, ElementsAre("a/package-lock.json 2.1.2 in 7 out 9", "package.json ^2.1.0 in 7 out - tip"));
}

TEST(BlastRadius, StillAffectedFirstThenWorstThenMostRecentRemoval) {
  Fixture f;
  // old: high, removed at 2000. recent: high, removed at 5000. crit-past:
  // critical, removed at 1500. now-high: still there. now-crit: still there.
  auto in_out = [&](const std::string& repo, const std::string& pkg, const std::string& ver, int64_t in,
                    int64_t out) {
    std::vector<CommitChanges> c{{commit(repo + "1", in, 1), {{"package-lock.json", pkg, ver, true}}}};
    std::vector<TipPackage> tip;
    if (out != 0) {
      c.push_back({commit(repo + "2", out, 2), {{"package-lock.json", pkg, ver, false}}});
    } else {
      tip.push_back({"package-lock.json", pkg, ver});
    }
    f.save(repo, std::move(c), std::move(tip));
  };
  in_out("aa", "ms", "2.1.2", 1000, 2000);
  in_out("bb", "ms", "2.1.2", 1000, 5000);
  in_out("cc", "foo", "1.0.0", 1000, 1500);
  in_out("dd", "ms", "2.1.2", 4000, 0);
  in_out("ee", "evil-dropper", "1.0.0", 9000, 0);
  in_out("ff", "ms", "2.1.2", 3000, 0);
  std::vector<AffectedRepo> repos = blast_radius(f.search().matches);
  std::vector<std::string> order;
  for (const AffectedRepo& r : repos) order.push_back(r.repo + (r.still_affected ? " now" : " past"));
  EXPECT_THAT(order, ElementsAre("ee now", "ff now", "dd now", "cc past", "bb past", "aa past"));
  const AffectedRepo& ff = repos[1];
  EXPECT_EQ(ff.severity, Severity::kHigh);
  EXPECT_EQ(ff.first_introduced, 3000);
  std::vector<std::string> actions = repo_actions(ff);
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_THAT(actions[0], HasSubstr("package-lock.json on main: move ms off 2.1.2"));
  EXPECT_THAT(actions[1], HasSubstr("from 1970-01-01T00:50:00Z to now (still present): ms@2.1.2"));
  std::vector<std::string> past = repo_actions(repos[4]);
  ASSERT_EQ(past.size(), 1u);  // nothing to fix, secrets to rotate
  EXPECT_THAT(past[0], HasSubstr("on main from 1970-01-01T00:16:40Z to 1970-01-01T01:23:20Z"));
}

TEST(EcosystemOf, NamesThePackageManagerByFile) {
  EXPECT_EQ(ecosystem_of("a/package-lock.json"), "npm");
  EXPECT_EQ(ecosystem_of("npm-shrinkwrap.json"), "npm");
  EXPECT_EQ(ecosystem_of("x/pnpm-lock.yaml"), "pnpm");
  EXPECT_EQ(ecosystem_of("yarn.lock"), "yarn");
  EXPECT_EQ(ecosystem_of("bun.lock"), "bun");
  EXPECT_EQ(ecosystem_of("package.json"), "");
  EXPECT_EQ(iso_utc(1767225600), "2026-01-01T00:00:00Z");
}

}  // namespace
}  // namespace gv::inventory
