#include "rules/json_positions.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

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

bool nlohmann_accepts(std::string_view text) {
  return nlohmann::json::accept(text.begin(), text.end());
}

// known_valid() lets the loader skip nlohmann's parse, so it must never say
// yes to text nlohmann refuses; saying no to good text only costs time.
TEST(JsonPositionsGrammar, WellFormedDocumentsAreKnownValid) {
  for (std::string_view doc : {
           std::string_view(R"({"a": [1, -20, 0, true, false, null, "x\u00e9\ud83d\ude00\n\/"], "": {}})"),
           std::string_view("\xEF\xBB\xBF[\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\x7F\"]"),
           std::string_view(" \r\n\t\"top-level string\" \n"),
           std::string_view("[[],{},[{}]]"),
       }) {
    EXPECT_TRUE(JsonPositions(doc).known_valid()) << doc;
    EXPECT_TRUE(nlohmann_accepts(doc)) << doc;
  }
}

TEST(JsonPositionsGrammar, MalformedDocumentsAreNot) {
  for (std::string_view doc : {
           std::string_view(""), std::string_view("  "), std::string_view("{"), std::string_view("}"),
           std::string_view(R"({"a":1,})"), std::string_view("[1,]"), std::string_view("[01]"),
           std::string_view(R"({"a" 1})"), std::string_view(R"({"a":1 "b":2})"), std::string_view(R"({1:2})"),
           std::string_view(R"(["\x"])"), std::string_view(R"(["\ud800"])"), std::string_view(R"(["\udc00"])"),
           std::string_view(R"(["\ud800\u0041"])"), std::string_view(R"(["\u12g4"])"),
           std::string_view("[\"\xC0\xAF\"]"), std::string_view("[\"\xED\xA0\x80\"]"),
           std::string_view("[\"\xF4\x90\x80\x80\"]"), std::string_view("[\"\xE2\x82\"]"), std::string_view("[\"\xFF\"]"),
           std::string_view("[\"a\nb\"]"), std::string_view(std::string_view("[\"\0\"]", 5)),
           std::string_view("[1] [2]"), std::string_view("tru"), std::string_view("nul"), std::string_view("[-]"),
           std::string_view("[1.]"), std::string_view("[.5]"), std::string_view("[1e]"), std::string_view(R"({"a":1}})"),
           std::string_view("\xEF\xBB{}"), std::string_view("[1]\xEF\xBB\xBF"), std::string_view("/* c */ {}"),
           std::string_view("[\"unterminated]"), std::string_view("[1,\v2]"),
       }) {
    EXPECT_FALSE(JsonPositions(doc).known_valid()) << doc;
    EXPECT_FALSE(nlohmann_accepts(doc)) << doc;
  }
}

TEST(JsonPositionsGrammar, FractionsAndExponentsAreLeftToNlohmann) {
  EXPECT_FALSE(JsonPositions("[1.5]").known_valid());  // fine, but nlohmann must read it
  EXPECT_TRUE(nlohmann_accepts("[1.5]"));
  EXPECT_FALSE(JsonPositions("[1e999]").known_valid());  // overflows: nlohmann refuses it
  EXPECT_FALSE(nlohmann_accepts("[1e999]"));
  EXPECT_FALSE(JsonPositions("[100000000000000000000]").known_valid());  // 21 digits: a double
}

// Mutations of rule-shaped documents (bytes replaced, inserted, removed; the
// text cut short): whenever the pass says "valid", nlohmann agrees.
TEST(JsonPositionsGrammar, NeverValidWhereNlohmannRefuses) {
  const std::string seeds[] = {
      R"({"schema_version": "1.0.0", "rules": [{"id": "A-1", "title": "t\u00e9\ud83d\ude00",
         "package_rules": [{"package_name": "@s/p", "affected_versions": ["=1.0.0", ">=2 <3"]}],
         "n": [0, -1, 42, true, false, null], "o": {}}]})",
      "[\"\xC3\xA9\", \"\xE2\x82\xAC\", \"\xF0\x9F\x98\x80\", \"\\\\\\\"\\/\\b\\f\\n\\r\\t\", {\"k\": []}]",
  };
  const std::string interesting = std::string("{}[],:\"\\u0123456789abcdefABCDEF-+.eEtrufalsn \t\r\n/x") +
                                  std::string("\x00\x1F\x7F\x80\xBF\xC0\xC2\xDF\xE0\xED\xEF\xF0\xF4\xF5\xFF", 15);
  std::mt19937 rng(20251123);
  size_t known = 0, refused = 0;
  for (const std::string& seed : seeds) {
    ASSERT_TRUE(JsonPositions(seed).known_valid());
    for (int round = 0; round < 20000; ++round) {
      std::string doc = seed;
      const int edits = 1 + static_cast<int>(rng() % 3);
      for (int e = 0; e < edits && !doc.empty(); ++e) {
        const size_t at = rng() % doc.size();
        const char c = interesting[rng() % interesting.size()];
        switch (rng() % 4) {
          case 0: doc[at] = c; break;
          case 1: doc.insert(doc.begin() + static_cast<ptrdiff_t>(at), c); break;
          case 2: doc.erase(at, 1 + rng() % 4); break;
          default: doc.resize(at); break;
        }
      }
      const bool ok = nlohmann_accepts(doc);
      if (JsonPositions(doc).known_valid()) {
        ++known;
        ASSERT_TRUE(ok) << "known_valid but nlohmann refuses: " << ::testing::PrintToString(doc);
      } else {
        refused += ok ? 0 : 1;
      }
    }
  }
  EXPECT_GT(known, 1000u);  // the check is not vacuous
  EXPECT_GT(refused, 10000u);
}

}  // namespace
}  // namespace gv

namespace gv {
namespace {

// What a subtree says about itself: every value's pointer-relative position,
// kind and (for strings) text, in document order.
void describe(const JsonPositions& p, JsonPositions::NodeId id, std::string* out) {
  const JsonPositions::Node& n = p.node(id);
  *out += std::to_string(n.offset) + ":" + std::to_string(n.line) + ":" + std::to_string(n.col) +
          ":" + std::string(p.type_name(id));
  if (p.is_string(id)) *out += "=" + p.string(id);
  std::string scratch;
  for (size_t i = 0; i < p.size(id); ++i) {
    if (p.is_object(id)) *out += " ." + std::string(p.member_key(id, i, &scratch));
    *out += " (";
    describe(p, p.element(id, i), out);
    *out += ")";
  }
}

TEST(JsonPositionsStream, EachElementIsTheSameSubtreeAsInTheWholeTree) {
  const std::string text =
      "{\"schema_version\": \"1.0.0\",\n \"rules\": [\n  {\"id\": \"a\\u0041\", \"x\": [1, {\"y\": null}]},\n"
      "  \"scalar\", 7, [],\n  {\"id\": \"b\"}\n ],\n \"after\": {\"k\": \"v\"}}";
  JsonPositions whole(text);
  const JsonPositions::NodeId rules = whole.member(whole.root(), "rules");
  std::vector<std::string> expected;
  for (size_t i = 0; i < whole.size(rules); ++i) {
    expected.emplace_back();
    describe(whole, whole.element(rules, i), &expected.back());
  }
  std::vector<std::string> got;
  std::vector<size_t> ends;
  JsonPositions stream(text, "rules", [&](const JsonPositions& p, JsonPositions::NodeId id, size_t index,
                                          size_t end) {
    EXPECT_EQ(index, got.size());
    got.emplace_back();
    describe(p, id, &got.back());
    ends.push_back(end);
  });
  EXPECT_EQ(got, expected);
  ASSERT_EQ(stream.streamed(), 5u);
  EXPECT_EQ(text.substr(ends[0] - 2, 2), "]}");  // just past the first element
  EXPECT_TRUE(stream.known_valid());
  // What is left: the root, its other members, and an emptied array.
  EXPECT_EQ(stream.size(stream.member(stream.root(), "rules")), 0u);
  EXPECT_EQ(stream.string(stream.find("/after/k")), "v");
  EXPECT_EQ(stream.string(stream.find("/schema_version")), "1.0.0");
}

TEST(JsonPositionsStream, OnlyTheRootMemberOfThatNameStreams) {
  const std::string text = R"({"x": {"rules": [{"a": 1}]}, "rul\u0065s": [{}], "rules": 5})";
  size_t calls = 0;
  JsonPositions p(text, "rules", [&](const JsonPositions&, JsonPositions::NodeId, size_t, size_t) { ++calls; });
  EXPECT_EQ(calls, 0u);  // nested, escaped or not an array: indexed as usual
  EXPECT_EQ(p.size(p.find("/x/rules")), 1u);
  EXPECT_TRUE(p.known_valid());
}

TEST(JsonPositionsStream, StopsHandingOverWhereTheTextStopsBeingJson) {
  const std::string text = R"({"rules": [{"id": "a"}, {"id": "b",,}, {"id": "c"}]})";
  std::vector<size_t> seen;
  JsonPositions p(text, "rules", [&](const JsonPositions&, JsonPositions::NodeId, size_t index, size_t) {
    seen.push_back(index);
  });
  EXPECT_EQ(seen, std::vector<size_t>{0});  // "b" is broken: nothing after it is handed over
  EXPECT_FALSE(p.known_valid());
  EXPECT_TRUE(p.known_invalid());
  EXPECT_EQ(p.streamed(), 1u);
}

TEST(JsonPositionsStream, TruncatedTextNeverCrashes) {
  const std::string text = R"({"schema_version": "1.0.0", "rules": [{"id": "a", "v": ["x", 1.5]}, {"id": "b"}]})";
  for (size_t n = 0; n <= text.size(); ++n) {
    size_t calls = 0;
    JsonPositions p(std::string_view(text).substr(0, n), "rules",
                    [&](const JsonPositions& t, JsonPositions::NodeId id, size_t, size_t end) {
                      ++calls;
                      EXPECT_LE(end, n);
                      EXPECT_TRUE(t.is_object(id));
                    });
    EXPECT_EQ(p.known_invalid(), n != text.size()) << n;
    EXPECT_LE(calls, 2u);
  }
}

}  // namespace
}  // namespace gv
