// Walker -> SQLite store -> search, end to end on a scripted history: what a
// search answers after two indexing runs equals what the walker saw.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/temp_dir.h"
#include "git_repo.h"
#include "inventory/git_walk.h"
#include "inventory/search.h"
#include "inventory/store.h"

namespace gv::inventory {
namespace {

using ::testing::ElementsAre;
using testing::GitRepo;

// One indexing run of `path` into `store`, as `gouvernante index` will do it.
void index_into(Store* store, const std::string& path) {
  WalkOptions opt;
  opt.org = "acme";
  std::vector<RefIndex> refs;
  std::vector<Error> problems;
  auto last = [&](const std::string& ref) {
    Error e;
    std::optional<std::string> tip = store->last_tip("acme", "app", ref, &e);
    EXPECT_TRUE(tip) << e.str();
    return tip.value_or("");
  };
  ASSERT_FALSE(walk_repository(path, opt, last, &refs, &problems));
  EXPECT_TRUE(problems.empty());
  for (const RefIndex& r : refs) {
    std::optional<Error> e = store->save(r);
    ASSERT_FALSE(e) << e->str();
  }
}

std::vector<std::string> search(Store* store, const std::string& text) {
  Query q;
  std::string error;
  EXPECT_TRUE(parse_package_query(text, &q, &error)) << error;
  Filter f;
  f.package = q.package;
  std::vector<ChangeRow> rows;
  std::vector<TipRow> tips;
  EXPECT_FALSE(store->changes(f, &rows));
  EXPECT_FALSE(store->tips(f, &tips));
  std::vector<std::string> out;
  for (const Span& s : spans(rows, tips, q)) {
    if (s.declared) continue;
    out.push_back(s.lockfile + " " + s.version + " #" + std::to_string(s.introduced_by.pr) + " " +
                  (s.removed_by ? "removed #" + std::to_string(s.removed_by->pr) : "") +
                  (s.present_at_tip ? "at tip" : ""));
  }
  return out;
}

TEST(HistoryEndToEnd, TwoRunsIntoSqliteAnswerLikeTheHistory) {
  gv::testing::TempDir tmp;
  Error error;
  std::unique_ptr<Store> store = Store::open((tmp.path() / "index.db").string(), &error);
  ASSERT_TRUE(store) << error.str();

  GitRepo repo("app");
  repo.use("npm-ms-2.0.0");
  repo.commit("Initial commit");
  repo.git("checkout -q -b feature");
  repo.use("npm-ms-2.1.2");
  repo.commit("Bump ms");
  repo.git("checkout -q main");
  repo.merge("feature", "Merge pull request #7 from acme/feature");
  index_into(store.get(), repo.path());
  EXPECT_THAT(search(store.get(), "ms@2.1.2"), ElementsAre("package-lock.json 2.1.2 #7 at tip"));

  // Later: the fix lands; the second run walks only the new commit.
  repo.use("npm-ms-2.1.3");
  repo.commit("Fix: ms 2.1.3 (#11)");
  index_into(store.get(), repo.path());
  EXPECT_THAT(search(store.get(), "ms@2.1.2"), ElementsAre("package-lock.json 2.1.2 #7 removed #11"));
  EXPECT_THAT(search(store.get(), "ms"),
              ElementsAre("package-lock.json 2.0.0 #0 removed #7", "package-lock.json 2.1.2 #7 removed #11",
                          "package-lock.json 2.1.3 #11 at tip"));
  // A third run with nothing new changes nothing.
  index_into(store.get(), repo.path());
  EXPECT_EQ(search(store.get(), "ms").size(), 3u);
}

}  // namespace
}  // namespace gv::inventory
