// The history walker on real, scripted git histories: what each commit
// added and removed, which PR brought it, the tip's packages, incremental
// runs, other branches, and broken repositories.
#include "inventory/git_walk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "git_repo.h"

namespace gv::inventory {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::GitRepo;

std::string changes_of(const CommitChanges& c) {
  std::string out;
  for (const PackageChange& ch : c.changes) {
    out += (ch.added ? "+" : "-") + ch.lockfile + " " + ch.package + "@" + ch.version + "\n";
  }
  return out;
}

const CommitChanges* find_commit(const RefIndex& idx, const std::string& sha) {
  for (const CommitChanges& c : idx.commits) {
    if (c.commit.sha == sha) return &c;
  }
  return nullptr;
}

std::vector<RefIndex> walk(const std::string& path, bool all_refs = false,
                           const std::map<std::string, std::string>& last = {},
                           std::vector<Error>* problems = nullptr, size_t max_blob = size_t{256} << 20) {
  std::vector<RefIndex> out;
  std::vector<Error> local;
  WalkOptions opt;
  opt.org = "acme";
  opt.all_refs = all_refs;
  opt.max_blob_bytes = max_blob;
  auto last_tip = [&](const std::string& ref) {
    auto it = last.find(ref);
    return it == last.end() ? std::string() : it->second;
  };
  std::optional<Error> e = walk_repository(path, opt, last_tip, &out, problems ? problems : &local);
  EXPECT_FALSE(e) << (e ? e->str() : "");
  if (problems == nullptr) {
    for (const Error& p : local) ADD_FAILURE() << "unexpected problem: " << p.str();
  }
  return out;
}

// The history every test below starts from (see each step's comment).
struct History {
  GitRepo repo{"app"};
  std::string c1, c2, merge7, c3, c4, c5, c6;
  History() {
    repo.use("npm-ms-2.0.0");
    c1 = repo.commit("Initial commit");  // ms 2.0.0
    repo.git("checkout -q -b feature");
    repo.use("npm-ms-2.1.2");
    c2 = repo.commit("Bump ms");  // ms 2.1.2, on a PR branch
    repo.git("checkout -q main");
    merge7 = repo.merge("feature", "Merge pull request #7 from acme/feature\n\nBump ms");
    repo.use("npm-ms-2.1.2-is-number-7.0.0");
    c3 = repo.commit("Add is-number (#8)");  // a squash merge
    repo.use("pnpm-ms-2.1.2", "packages/web");
    c4 = repo.commit("Add the web package (#9)");  // monorepo: a second lockfile
    repo.git("mv packages apps");
    c5 = repo.commit("Move web to apps/ (#10)");  // a renamed lockfile
    repo.use("npm-ms-2.1.3");
    c6 = repo.commit("Fix: ms 2.1.3, drop is-number\n\nSee merge request acme/app!11");  // GitLab's wording
  }
};

TEST(PrNumber, ReadsGitHubAndGitLabWordings) {
  EXPECT_EQ(pr_number("Merge pull request #123 from acme/branch\n\nbody"), 123);
  EXPECT_EQ(pr_number("Bump lodash from 4.17.20 to 4.17.21 (#4567)"), 4567);
  EXPECT_EQ(pr_number("Bump lodash (#4567)  \n\nbody (#1)"), 4567);
  EXPECT_EQ(pr_number("Fix things\n\nSee merge request group/sub/project!89"), 89);
  EXPECT_EQ(pr_number("Fix (#12) in the middle of a subject"), 0);
  EXPECT_EQ(pr_number("Fix (#abc)"), 0);
  EXPECT_EQ(pr_number("Merge branch 'main' into feature"), 0);
  EXPECT_EQ(pr_number(""), 0);
  EXPECT_EQ(pr_number("(#)"), 0);
}

TEST(GitWalk, RecordsWhatEachCommitAddedAndRemoved) {
  History h;
  std::vector<RefIndex> refs = walk(h.repo.path());
  ASSERT_EQ(refs.size(), 1u);
  const RefIndex& main = refs[0];
  EXPECT_EQ(main.org, "acme");
  EXPECT_EQ(main.repo, "app");
  EXPECT_EQ(main.ref, "main");
  EXPECT_EQ(main.tip, h.c6);
  EXPECT_EQ(main.base, "");
  // Oldest first; the merge commit itself carries no change (its branch's commit does).
  std::vector<std::string> shas;
  for (const CommitChanges& c : main.commits) shas.push_back(c.commit.sha);
  EXPECT_THAT(shas, ElementsAre(h.c1, h.c2, h.c3, h.c4, h.c5, h.c6));

  EXPECT_EQ(changes_of(*find_commit(main, h.c1)),
            "+package-lock.json ms@2.0.0\n+package.json ms@2.0.0\n");
  EXPECT_EQ(changes_of(*find_commit(main, h.c2)),
            "-package-lock.json ms@2.0.0\n+package-lock.json ms@2.1.2\n"
            "-package.json ms@2.0.0\n+package.json ms@2.1.2\n");
  EXPECT_EQ(changes_of(*find_commit(main, h.c3)),
            "+package-lock.json is-number@7.0.0\n+package.json is-number@7.0.0\n");
  EXPECT_EQ(changes_of(*find_commit(main, h.c4)),
            "+packages/web/package.json ms@2.1.2\n+packages/web/pnpm-lock.yaml ms@2.1.2\n");
  // A move is a removal from the old path and an addition to the new one,
  // in the same commit: the search reads that as the same version moving.
  EXPECT_EQ(changes_of(*find_commit(main, h.c5)),
            "+apps/web/package.json ms@2.1.2\n+apps/web/pnpm-lock.yaml ms@2.1.2\n"
            "-packages/web/package.json ms@2.1.2\n-packages/web/pnpm-lock.yaml ms@2.1.2\n");
  EXPECT_EQ(changes_of(*find_commit(main, h.c6)),
            "-package-lock.json is-number@7.0.0\n-package-lock.json ms@2.1.2\n+package-lock.json ms@2.1.3\n"
            "-package.json is-number@7.0.0\n-package.json ms@2.1.2\n+package.json ms@2.1.3\n");
}

TEST(GitWalk, AttributesCommitsToTheirPullRequest) {
  History h;
  const RefIndex main = walk(h.repo.path()).at(0);
  const CommitInfo& c2 = find_commit(main, h.c2)->commit;
  EXPECT_EQ(c2.pr, 7);              // brought in by the merge of PR #7
  EXPECT_EQ(c2.pr_commit, h.merge7);
  EXPECT_EQ(c2.subject, "Bump ms");
  EXPECT_EQ(c2.author, "Ada Dev");
  EXPECT_EQ(c2.author_email, "ada@example.org");
  EXPECT_EQ(c2.committer, "Bot Merger");
  EXPECT_GT(c2.time, find_commit(main, h.c1)->commit.time);
  EXPECT_EQ(find_commit(main, h.c3)->commit.pr, 8);  // squash
  EXPECT_EQ(find_commit(main, h.c3)->commit.pr_commit, h.c3);
  EXPECT_EQ(find_commit(main, h.c6)->commit.pr, 11);  // GitLab
  EXPECT_EQ(find_commit(main, h.c1)->commit.pr, 0);
  EXPECT_EQ(find_commit(main, h.c1)->commit.pr_commit, "");
}

TEST(GitWalk, TipPackagesAreEveryLockfileAtTheTip) {
  History h;
  const RefIndex main = walk(h.repo.path()).at(0);
  std::vector<std::string> tip;
  for (const TipPackage& t : main.tip_packages) tip.push_back(t.lockfile + " " + t.package + "@" + t.version);
  std::sort(tip.begin(), tip.end());
  EXPECT_THAT(tip, ElementsAre("apps/web/package.json ms@2.1.2", "apps/web/pnpm-lock.yaml ms@2.1.2",
                               "package-lock.json ms@2.1.3", "package.json ms@2.1.3"));
}

TEST(GitWalk, ASecondRunWalksOnlyNewCommits) {
  History h;
  std::vector<RefIndex> again = walk(h.repo.path(), false, {{"main", h.c6}});
  EXPECT_TRUE(again.empty());  // nothing new
  std::vector<RefIndex> later = walk(h.repo.path(), false, {{"main", h.c3}});
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].base, h.c3);
  std::vector<std::string> shas;
  for (const CommitChanges& c : later[0].commits) shas.push_back(c.commit.sha);
  EXPECT_THAT(shas, ElementsAre(h.c4, h.c5, h.c6));
  EXPECT_FALSE(later[0].tip_packages.empty());
}

TEST(GitWalk, ARewrittenHistoryIsIndexedAgainWithAProblem) {
  History h;
  std::vector<Error> problems;
  std::vector<RefIndex> refs =
      walk(h.repo.path(), false, {{"main", std::string(40, 'a')}}, &problems);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].base, "");
  EXPECT_EQ(refs[0].commits.size(), 6u);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0].what, HasSubstr("is not in this history any more"));
}

TEST(GitWalk, AllRefsAddsOtherBranches) {
  History h;
  h.repo.git("checkout -q -b release " + h.c5);
  h.repo.use("yarn-ms-2.1.2", "legacy");
  const std::string hotfix = h.repo.commit("Hotfix with a yarn lockfile");
  h.repo.git("checkout -q main");
  std::vector<RefIndex> only_main = walk(h.repo.path());
  ASSERT_EQ(only_main.size(), 1u);
  std::vector<RefIndex> refs = walk(h.repo.path(), true);
  std::map<std::string, const RefIndex*> by_ref;
  for (const RefIndex& r : refs) by_ref[r.ref] = &r;
  ASSERT_TRUE(by_ref.count("main"));
  ASSERT_TRUE(by_ref.count("release"));
  ASSERT_TRUE(by_ref.count("feature"));
  const CommitChanges* c = find_commit(*by_ref["release"], hotfix);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(changes_of(*c), "+legacy/package.json ms@2.1.2\n+legacy/yarn.lock ms@2.1.2\n");
  EXPECT_EQ(by_ref["release"]->tip, hotfix);
}

TEST(GitWalk, AShallowCloneIsIndexedAsFarAsItGoes) {
  History h;
  GitRepo shallow("shallow");
  std::filesystem::remove_all(shallow.path());
  h.repo.git("clone -q --depth 2 file://" + h.repo.path() + " " + shallow.path());
  std::vector<Error> problems;
  std::vector<RefIndex> refs = walk(shallow.path(), false, {}, &problems);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].tip, h.c6);
  EXPECT_THAT(problems.at(0).what, HasSubstr("shallow clone"));
  // The newest commit's diff is there; the cut commit has no parent to diff against.
  EXPECT_NE(find_commit(refs[0], h.c6), nullptr);
  EXPECT_EQ(find_commit(refs[0], h.c1), nullptr);
}

TEST(GitWalk, ACorruptObjectIsReportedAndTheRestIndexed) {
  History h;
  // Remove the loose object of c3's package-lock.json blob.
  const std::string blob = h.repo.git("rev-parse " + h.c3 + ":package-lock.json");
  std::filesystem::remove(h.repo.path() + "/.git/objects/" + blob.substr(0, 2) + "/" + blob.substr(2));
  std::vector<Error> problems;
  std::vector<RefIndex> refs = walk(h.repo.path(), false, {}, &problems);
  ASSERT_EQ(refs.size(), 1u);
  ASSERT_FALSE(problems.empty());
  EXPECT_THAT(problems[0].what, HasSubstr("cannot read blob " + blob));
  EXPECT_EQ(problems[0].file, h.repo.path());
  EXPECT_NE(find_commit(refs[0], h.c6), nullptr);
}

TEST(GitWalk, AHugeBlobIsReportedNotParsed) {
  History h;
  std::vector<Error> problems;
  std::vector<RefIndex> refs = walk(h.repo.path(), false, {}, &problems, 100);
  ASSERT_EQ(refs.size(), 1u);
  ASSERT_FALSE(problems.empty());
  EXPECT_THAT(problems[0].what, HasSubstr("over the limit of 100; not indexed"));
}

TEST(GitWalk, AnUnrelatedHistoryMergedInIsIndexedWithItsPr) {
  History h;
  // A second root (another project's history) merged with
  // --allow-unrelated-histories, as when repositories are combined.
  h.repo.git("checkout -q --orphan imported");
  h.repo.git("rm -rfq .");
  h.repo.use("yarn-ms-2.1.2", "imported");
  const std::string root2 = h.repo.commit("Imported project");
  h.repo.git("checkout -q main");
  h.repo.git("merge -q --allow-unrelated-histories --no-ff imported -m 'Merge pull request #20 from acme/imported'");
  std::vector<RefIndex> refs = walk(h.repo.path());
  ASSERT_EQ(refs.size(), 1u);
  const CommitChanges* c = find_commit(refs[0], root2);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(changes_of(*c), "+imported/package.json ms@2.1.2\n+imported/yarn.lock ms@2.1.2\n");
  EXPECT_EQ(c->commit.pr, 20);
  EXPECT_NE(find_commit(refs[0], h.c1), nullptr);  // the first root too
}

TEST(GitWalk, NodeModulesAndAbsurdNestingAreNotWalked) {
  History h;
  h.repo.use("npm-ms-2.1.2", "node_modules/dep");  // a committed install: not the project's declarations
  std::string deep;
  for (int i = 0; i < 600; ++i) deep += "d/";
  h.repo.use("npm-ms-2.1.2", deep + "x");
  const std::string c7 = h.repo.commit("Vendor and nest");
  h.repo.use("yarn-ms-2.1.2", "later");
  const std::string c8 = h.repo.commit("Later change");
  std::vector<Error> problems;
  std::vector<RefIndex> refs = walk(h.repo.path(), false, {}, &problems);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(find_commit(refs[0], c7), nullptr);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0].what, HasSubstr("commit " + c7 + ": cannot diff: folders nested deeper than 512"));
  ASSERT_NE(find_commit(refs[0], c8), nullptr);  // the rest is indexed
  for (const TipPackage& t : refs[0].tip_packages) EXPECT_THAT(t.lockfile, Not(HasSubstr("node_modules")));
}

TEST(GitWalk, NotARepositoryIsAnErrorNamingIt) {
  std::vector<RefIndex> out;
  std::vector<Error> problems;
  std::optional<Error> e = walk_repository("/nonexistent/repo", {}, nullptr, &out, &problems);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->file, "/nonexistent/repo");
  EXPECT_THAT(e->what, HasSubstr("not a git repository"));
}

}  // namespace
}  // namespace gv::inventory
