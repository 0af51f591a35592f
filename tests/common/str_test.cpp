// Str is the string of every loaded rule: inline up to 15 bytes, shared
// reference-counted blocks above, always NUL-terminated.
#include "common/str.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

namespace gv {
namespace {

TEST(Str, KeepsEveryLengthAcrossTheInlineLimit) {
  for (size_t n : {0, 1, 14, 15, 16, 17, 100, 70000}) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('a' + i % 26));
    Str v(s);
    EXPECT_EQ(v.size(), n);
    EXPECT_EQ(v.view(), s);
    EXPECT_EQ(v.empty(), n == 0);
    EXPECT_EQ(v.c_str()[n], '\0') << n;  // NUL-terminated, also at exactly 15
    EXPECT_EQ(std::string(v.c_str()), s);
  }
}

TEST(Str, HoldsEmbeddedNulsAndAnyByte) {
  const std::string s("a\0b\xff\x01", 5);
  Str v(s);
  EXPECT_EQ(v.size(), 5u);
  EXPECT_EQ(v, s);
  const std::string big = s + std::string(20, '\0') + "end";
  EXPECT_EQ(Str(big).view(), big);
}

TEST(Str, CopiesShareLongTextAndOutliveTheOriginal) {
  const std::string text(40, 'x');
  auto original = std::make_unique<Str>(text);
  Str copy = *original;
  EXPECT_EQ(copy.data(), original->data());  // one block, not two
  original.reset();
  EXPECT_EQ(copy, text);  // still alive: the count kept it
  Str assigned;
  assigned = copy;
  assigned = assigned;  // self-assignment keeps the value
  EXPECT_EQ(assigned, text);
  Str moved = std::move(assigned);
  EXPECT_EQ(moved, text);
  EXPECT_TRUE(assigned.empty());  // NOLINT: a moved-from Str is empty, by design
  moved = Str("short");
  EXPECT_EQ(moved, "short");
  EXPECT_EQ(copy, text);
}

TEST(Str, ComparesAndConcatenatesWithEveryStringType) {
  Str a("alpha"), b(std::string(20, 'b'));
  const std::string s = "alpha";
  EXPECT_TRUE(a == s);
  EXPECT_TRUE(a == std::string_view("alpha"));
  EXPECT_TRUE(a == "alpha");
  EXPECT_FALSE(a == "alph");
  EXPECT_TRUE(a < b);
  EXPECT_TRUE(a != Str("beta"));
  EXPECT_EQ("<" + a + ">", "<alpha>");
  EXPECT_EQ(s + "/" + a, "alpha/alpha");
  std::string appended = "x";
  appended += a;  // through string_view
  EXPECT_EQ(appended, "xalpha");
  std::string converted = b;
  EXPECT_EQ(converted, std::string(20, 'b'));
  EXPECT_EQ(std::hash<Str>{}(a), std::hash<std::string_view>{}("alpha"));
  std::set<Str> ordered{Str("b"), Str("a"), Str(std::string(30, 'a'))};
  EXPECT_EQ(ordered.begin()->view(), "a");
  std::unordered_set<Str> names{Str("x"), Str("x"), Str(std::string(30, 'y'))};
  EXPECT_EQ(names.size(), 2u);
}

TEST(Str, CopiesAndDropsFromSeveralThreadsAtOnce) {
  const Str shared(std::string(64, 's'));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&shared] {
      for (int i = 0; i < 20000; ++i) {
        Str c = shared;
        Str d = c;
        ASSERT_EQ(d.size(), 64u);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(shared, std::string(64, 's'));
}

}  // namespace
}  // namespace gv
