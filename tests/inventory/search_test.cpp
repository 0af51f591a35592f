// From index rows to "introduced by / removed by / still at the tip", on the
// walker's output for a real scripted history (no database involved: the
// store tests check that rows come back as saved).
#include "inventory/search.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "git_repo.h"
#include "inventory/git_walk.h"

namespace gv::inventory {
namespace {

using ::testing::ElementsAre;
using testing::GitRepo;

// What a store gives back for `package` after saving `idx` (seq = commit order).
void rows_of(const RefIndex& idx, const std::string& package, std::vector<ChangeRow>* rows,
             std::vector<TipRow>* tips) {
  int64_t seq = 0;
  for (const CommitChanges& c : idx.commits) {
    ++seq;
    for (const PackageChange& ch : c.changes) {
      if (ch.package == package) rows->push_back({idx.org, idx.repo, idx.ref, ch, c.commit, seq});
    }
  }
  for (const TipPackage& t : idx.tip_packages) {
    if (t.package == package) tips->push_back({idx.org, idx.repo, idx.ref, t});
  }
}

struct Indexed {
  GitRepo repo{"app"};
  std::string c1, c2, merge7, c4, c5, c6;
  RefIndex idx;
  Indexed() {
    repo.use("npm-ms-2.0.0");
    c1 = repo.commit("Initial commit");
    repo.git("checkout -q -b feature");
    repo.use("npm-ms-2.1.2");
    c2 = repo.commit("Bump ms");
    repo.git("checkout -q main");
    merge7 = repo.merge("feature", "Merge pull request #7 from acme/feature");
    repo.use("pnpm-ms-2.1.2", "packages/web");
    c4 = repo.commit("Add the web package (#9)");
    repo.git("mv packages apps");
    c5 = repo.commit("Move web to apps/ (#10)");
    repo.use("npm-ms-2.1.3");
    c6 = repo.commit("Fix: ms 2.1.3 (#11)");
    std::vector<RefIndex> out;
    std::vector<Error> problems;
    WalkOptions opt;
    opt.org = "acme";
    EXPECT_FALSE(walk_repository(repo.path(), opt, nullptr, &out, &problems));
    EXPECT_TRUE(problems.empty());
    idx = out.at(0);
  }
  std::vector<Span> find(const std::string& text, std::optional<int64_t> since = {},
                         std::optional<int64_t> until = {}) {
    Query q;
    std::string error;
    EXPECT_TRUE(parse_package_query(text, &q, &error)) << error;
    q.since = since;
    q.until = until;
    std::vector<ChangeRow> rows;
    std::vector<TipRow> tips;
    rows_of(idx, q.package, &rows, &tips);
    return spans(rows, tips, q);
  }
};

std::string show(const Span& s) {
  return s.lockfile + " " + s.package + "@" + s.version + " in " + s.introduced_by.sha.substr(0, 7) + " #" +
         std::to_string(s.introduced_by.pr) + " out " +
         (s.removed_by ? s.removed_by->sha.substr(0, 7) : std::string("-")) + (s.present_at_tip ? " TIP" : "") +
         (s.declared ? " declared" : "");
}

TEST(Search, IntroducedRemovedAndStillThere) {
  Indexed h;
  auto sh = [](const std::string& sha) { return sha.substr(0, 7); };
  std::vector<std::string> got;
  for (const Span& s : h.find("ms@2.1.2")) got.push_back(show(s));
  // The root lockfile's copy came in with PR #7 and went with c6; the web
  // package's came in with #9 and is still there after its move (#10).
  EXPECT_THAT(got, ElementsAre("apps/web/package.json ms@2.1.2 in " + sh(h.c4) + " #9 out - TIP declared",
                               "apps/web/pnpm-lock.yaml ms@2.1.2 in " + sh(h.c4) + " #9 out - TIP",
                               "package-lock.json ms@2.1.2 in " + sh(h.c2) + " #7 out " + sh(h.c6),
                               "package.json ms@2.1.2 in " + sh(h.c2) + " #7 out " + sh(h.c6) + " declared"));
  const std::vector<Span> s = h.find("ms@2.1.2");
  EXPECT_EQ(s[2].introduced_by.pr_commit, h.merge7);
  EXPECT_EQ(s[2].removed_by->pr, 11);
}

TEST(Search, RangesEveryVersionAndDates) {
  Indexed h;
  std::vector<std::string> lock_versions;
  for (const Span& s : h.find("ms")) {
    if (s.lockfile == "package-lock.json") lock_versions.push_back(s.version + (s.present_at_tip ? "+" : ""));
  }
  EXPECT_THAT(lock_versions, ElementsAre("2.0.0", "2.1.2", "2.1.3+"));
  size_t in_range = 0;
  for (const Span& s : h.find("ms@>=2.1.0 <2.1.3")) in_range += s.declared ? 0 : 1;
  EXPECT_EQ(in_range, 2u);  // the root's and the web package's 2.1.2
  EXPECT_TRUE(h.find("ms@9.9.9").empty());
  EXPECT_TRUE(h.find("left-pad").empty());
  // The date window is on the introduction: after c2, only the web package's copies.
  int64_t c2_time = 0;
  for (const Span& s : h.find("ms@2.1.2")) {
    if (s.lockfile == "package-lock.json") c2_time = s.introduced_by.time;
  }
  std::vector<std::string> later;
  for (const Span& s : h.find("ms@2.1.2", c2_time + 1)) later.push_back(s.lockfile);
  EXPECT_THAT(later, ElementsAre("apps/web/package.json", "apps/web/pnpm-lock.yaml"));
  std::vector<std::string> earlier;
  for (const Span& s : h.find("ms@2.1.2", std::nullopt, c2_time)) earlier.push_back(s.lockfile);
  EXPECT_THAT(earlier, ElementsAre("package-lock.json", "package.json"));
}

TEST(Search, PackageQueries) {
  Query q;
  std::string error;
  ASSERT_TRUE(parse_package_query("@scope/name@^1.2.0", &q, &error));
  EXPECT_EQ(q.package, "@scope/name");
  EXPECT_EQ(q.versions, "^1.2.0");
  ASSERT_TRUE(parse_package_query("@scope/name", &q, &error));
  EXPECT_EQ(q.versions, "");
  EXPECT_FALSE(parse_package_query("name@", &q, &error));
  EXPECT_FALSE(parse_package_query("name@>=1.2.x.5", &q, &error));
  EXPECT_THAT(error, ::testing::HasSubstr("invalid version or range '>=1.2.x.5'"));
  EXPECT_FALSE(parse_package_query("", &q, &error));
}

}  // namespace
}  // namespace gv::inventory
