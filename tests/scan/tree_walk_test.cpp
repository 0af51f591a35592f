// The installed-tree walker on hostile shapes: symlink loops, links out of
// the tree, FIFOs, deep nesting. Each must be reported, never followed or
// opened, and the walk must end.
#include "scan/tree_walk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>

#include "common/temp_dir.h"

namespace gv {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::TempDir;

struct Seen {
  std::vector<std::string> files;  // relative to the root
  std::map<std::string, std::string> skipped;
};

Seen walk(const TempDir& t, WalkOptions o = {}) {
  Seen s;
  const size_t cut = t.str().size() + 1;
  WalkVisitor v;
  v.file = [&](const std::string& p, uint64_t) { s.files.push_back(p.substr(cut)); };
  v.skip = [&](const std::string& p, const std::string& why) { s.skipped[p.substr(cut)] = why; };
  walk_tree(t.str(), o, v);
  return s;
}

TEST(TreeWalk, FilesInSortedOrderAndNothingSkipped) {
  TempDir t;
  t.write("b/x.js", "1");
  t.write("a/y.js", "22");
  t.write("a/c/z.js", "333");
  Seen s = walk(t);
  EXPECT_EQ(s.files, (std::vector<std::string>{"a/c/z.js", "a/y.js", "b/x.js"}));
  EXPECT_TRUE(s.skipped.empty());
}

TEST(TreeWalk, SymlinkLoopAndLinkToRootAreNotFollowed) {
  TempDir t;
  t.write("pkg/index.js", "x");
  fs::create_directory_symlink(t.path() / "pkg", t.path() / "pkg" / "loop");  // pkg/loop -> pkg
  fs::create_directory_symlink("/", t.path() / "pkg" / "root");                // pkg/root -> /
  Seen s = walk(t);
  EXPECT_EQ(s.files, std::vector<std::string>{"pkg/index.js"});
  // The loop stays inside the tree: its target is walked where it lives.
  EXPECT_EQ(s.skipped.count("pkg/loop"), 0u);
  ASSERT_EQ(s.skipped.count("pkg/root"), 1u);
  EXPECT_THAT(s.skipped["pkg/root"], HasSubstr("outside the scanned tree"));
}

TEST(TreeWalk, FifoIsReportedNotOpened) {
  TempDir t;
  ASSERT_EQ(::mkfifo((t.path() / "pipe").c_str(), 0600), 0);
  Seen s = walk(t);  // opening the FIFO would block forever
  ASSERT_EQ(s.skipped.count("pipe"), 1u);
  EXPECT_THAT(s.skipped["pipe"], HasSubstr("FIFO"));
}

TEST(TreeWalk, TooDeepIsReported) {
  TempDir t;
  t.write("a/b/c/d/e.js", "x");
  WalkOptions o;
  o.max_depth = 2;
  Seen s = walk(t, o);
  EXPECT_TRUE(s.files.empty());
  ASSERT_EQ(s.skipped.count("a/b/c"), 1u);
  EXPECT_THAT(s.skipped["a/b/c"], HasSubstr("deeper than 2"));
}

TEST(TreeWalk, MissingRootIsOneSkip) {
  TempDir t;
  WalkVisitor v;
  std::string why;
  v.skip = [&](const std::string&, const std::string& r) { why = r; };
  WalkCounts c = walk_tree(t.str() + "/nope", {}, v);
  EXPECT_EQ(c.skipped, 1u);
  EXPECT_THAT(why, HasSubstr("vanished"));
}

TEST(TreeWalk, EnterDirCanPrune) {
  TempDir t;
  t.write("keep/a.js", "x");
  t.write("drop/b.js", "x");
  WalkVisitor v;
  std::vector<std::string> files;
  v.enter_dir = [](const std::string&, std::string_view name) { return name != "drop"; };
  v.file = [&](const std::string& p, uint64_t) { files.push_back(p); };
  walk_tree(t.str(), {}, v);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_THAT(files[0], HasSubstr("keep/a.js"));
}

TEST(ListDir, SortedWithTypes) {
  TempDir t;
  t.write("f", "x");
  fs::create_directory(t.path() / "d");
  fs::create_symlink("f", t.path() / "l");
  std::vector<DirEntry> e;
  ASSERT_FALSE(list_dir(t.str(), &e));
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].name, "d");
  EXPECT_EQ(e[0].type, EntryType::kDir);
  EXPECT_EQ(e[1].type, EntryType::kFile);
  EXPECT_EQ(e[2].type, EntryType::kSymlink);
  EXPECT_TRUE(list_dir(t.str() + "/f", &e).has_value());  // not a directory
}

}  // namespace
}  // namespace gv
