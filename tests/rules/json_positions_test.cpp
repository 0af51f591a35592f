#include "rules/json_positions.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace gv {
namespace {

constexpr std::string_view kDoc = R"({
  "a": 1,
  "b": [true, {"c": "x\"y"}, null],
  "k/e~y": -2.5e3,
  "esc\u0061ped": "v",
  "": {}
})";

TEST(JsonPositions, PointersMapToWhereValuesStart) {
  JsonPositions pos(kDoc);
  EXPECT_EQ(pos.offset_of(""), 0u);
  EXPECT_EQ(pos.offset_of("/a"), kDoc.find("1,"));
  EXPECT_EQ(pos.offset_of("/b"), kDoc.find("[true"));
  EXPECT_EQ(pos.offset_of("/b/0"), kDoc.find("true"));
  EXPECT_EQ(pos.offset_of("/b/1"), kDoc.find("{\"c\""));
  EXPECT_EQ(pos.offset_of("/b/1/c"), kDoc.find("\"x\\\"y\""));
  EXPECT_EQ(pos.offset_of("/b/2"), kDoc.find("null"));
  EXPECT_EQ(pos.offset_of("/k~1e~0y"), kDoc.find("-2.5e3"));  // RFC 6901 escapes
  EXPECT_EQ(pos.offset_of("/escaped"), kDoc.find("\"v\""));   // key written with \u0061
  EXPECT_EQ(pos.offset_of("/"), kDoc.find("{}"));             // the empty key
}

TEST(JsonPositions, MissingPointersAreNotFound) {
  JsonPositions pos(kDoc);
  EXPECT_FALSE(pos.offset_of("/z"));
  EXPECT_FALSE(pos.offset_of("/b/3"));
  EXPECT_FALSE(pos.offset_of("/b/01"));  // no leading zeros in array indexes
  EXPECT_FALSE(pos.offset_of("/a/0"));   // a number has no children
  EXPECT_FALSE(pos.offset_of("a"));      // must start with '/'
}

TEST(JsonPositions, LineAndColumnAgreeWithLineColAt) {
  JsonPositions pos(kDoc);
  for (const char* p : {"", "/a", "/b", "/b/1/c", "/b/2", "/k~1e~0y", "/"}) {
    JsonPositions::NodeId id = pos.find(p);
    ASSERT_NE(id, JsonPositions::kNone) << p;
    LineCol lc = line_col_at(kDoc, pos.node(id).offset);
    EXPECT_EQ(pos.node(id).line, lc.line) << p;
    EXPECT_EQ(pos.node(id).col, lc.col) << p;
  }
}

TEST(JsonPositions, MembersKeepDocumentOrderAndTheLastDuplicateWins) {
  constexpr std::string_view doc = R"({"z": 1, "a": 2, "z": 3})";
  JsonPositions pos(doc);
  std::string scratch;
  ASSERT_EQ(pos.node(pos.root()).count, 3u);
  EXPECT_EQ(pos.member_key(pos.root(), 0, &scratch), "z");
  EXPECT_EQ(pos.member_key(pos.root(), 1, &scratch), "a");
  EXPECT_EQ(pos.offset_of("/z"), doc.find('3'));  // nlohmann keeps the last too
}

TEST(JsonPositions, SkipsAByteOrderMark) {
  constexpr std::string_view doc = "\xEF\xBB\xBF{\"a\": [1]}";
  JsonPositions pos(doc);
  EXPECT_EQ(pos.offset_of(""), 3u);
  EXPECT_EQ(pos.offset_of("/a/0"), doc.find('1'));
}

TEST(JsonPositions, Unescape) {
  EXPECT_EQ(json_unescape(R"(a\"b\\c\/d\n)"), "a\"b\\c/d\n");
  EXPECT_EQ(json_unescape(R"(\u00e9)"), "\xC3\xA9");
  EXPECT_EQ(json_unescape(R"(\ud83d\ude00)"), "\xF0\x9F\x98\x80");  // surrogate pair
  EXPECT_EQ(pointer_escape("a/b~c"), "a~1b~0c");
}

}  // namespace
}  // namespace gv
