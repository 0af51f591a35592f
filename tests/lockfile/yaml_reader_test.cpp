// The shared YAML event reader: positions, and refusal of what lockfiles never
// contain but attackers do (anchors/aliases: the billion-laughs bomb).
#include "lockfile/yaml_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace gv {
namespace {

using ::testing::HasSubstr;

std::vector<std::string> events(std::string_view text, Error* err = nullptr) {
  YamlReader r("t.yaml", text);
  std::vector<std::string> out;
  for (;;) {
    std::optional<YamlEvent> ev = r.next();
    if (!ev) {
      if (err) *err = r.error();
      out.push_back("ERROR");
      return out;
    }
    if (ev->kind == YamlEvent::kStreamEnd) return out;
    if (ev->kind == YamlEvent::kScalar)
      out.push_back(std::string(ev->value) + "@" + std::to_string(ev->line) + ":" + std::to_string(ev->col));
    else if (ev->kind == YamlEvent::kMapStart) out.push_back("{");
    else if (ev->kind == YamlEvent::kMapEnd) out.push_back("}");
  }
}

TEST(YamlReader, ScalarsWithPositions) {
  EXPECT_THAT(events("a: 1\nb:\n  c: 'x y'\n"),
              ::testing::ElementsAre("{", "a@1:1", "1@1:4", "b@2:1", "{", "c@3:3", "x y@3:6", "}", "}"));
}

TEST(YamlReader, BillionLaughsIsRefusedNotExpanded) {
  std::string bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char c = 'b'; c <= 'j'; ++c)
    bomb += std::string(1, c) + ": &" + c + " [*" + char(c - 1) + ",*" + char(c - 1) + ",*" + char(c - 1) + "]\n";
  Error err;
  EXPECT_EQ(events(bomb, &err).back(), "ERROR");
  EXPECT_EQ(err.line, 1u);
  EXPECT_THAT(err.what, HasSubstr("anchor (&a) refused"));
  EXPECT_THAT(events("x: *y\n", &err).back(), "ERROR");
}

TEST(YamlReader, TabsAndTruncationAreErrorsWithALine) {
  Error err;
  EXPECT_EQ(events("a:\n\tb: 1\n", &err).back(), "ERROR");
  EXPECT_EQ(err.line, 2u);
  EXPECT_THAT(err.str(), HasSubstr("t.yaml:2:"));
  EXPECT_EQ(events("a: [1, 2\n", &err).back(), "ERROR");
  EXPECT_THAT(err.what, HasSubstr("invalid YAML"));
}

TEST(YamlReader, SkipNodeSkipsNestedContent) {
  YamlReader r("t.yaml", "a: {b: [1, {c: 2}], d: 3}\ne: 4\n");
  ASSERT_EQ(r.next()->kind, YamlEvent::kDocStart);
  ASSERT_EQ(r.next()->kind, YamlEvent::kMapStart);
  ASSERT_EQ(r.next()->value, "a");
  std::optional<YamlEvent> start = r.next();
  ASSERT_EQ(start->kind, YamlEvent::kMapStart);
  ASSERT_TRUE(r.skip_node(*start));
  EXPECT_EQ(r.next()->value, "e");
}

}  // namespace
}  // namespace gv

namespace gv {
namespace {

TEST(YamlReader, OffsetsAreBytesEvenAfterMultibyteText) {
  const std::string text = "a: \"é ü 日本\"\nb: 1\n";
  YamlReader r("t.yaml", text);
  std::optional<YamlEvent> ev;
  while ((ev = r.next()) && !(ev->kind == YamlEvent::kScalar && ev->value == "b")) {}
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->offset, text.find("b:"));
  EXPECT_EQ(ev->line, 2u);
}

}  // namespace
}  // namespace gv

namespace gv {
namespace {

// The reader switches from its fast tokenizer to libyaml mid-stream when the
// text leaves the lockfile subset; the consumer sees one seamless stream.
TEST(YamlReader, FallbackMidStreamIsSeamless) {
  Error err;
  std::vector<std::string> ev = events("a: 1\nb:\n  c: \"x\\u00e9\"\nd: &anchor 2\n", &err);
  EXPECT_THAT(ev, ::testing::ElementsAre("{", "a@1:1", "1@1:4", "b@2:1", "{", "c@3:3", "x\xC3\xA9@3:6", "}", "d@4:1",
                                         "ERROR"));
  EXPECT_EQ(err.line, 4u);
  EXPECT_THAT(err.what, HasSubstr("anchor (&anchor) refused"));
}

TEST(YamlReader, SkipNodeAcrossTheFallback) {
  YamlReader r("t.yaml", "a:\n  b: [1, 2]\n  c: |\n    block\nd: 4\n");
  ASSERT_EQ(r.next()->kind, YamlEvent::kDocStart);
  ASSERT_EQ(r.next()->kind, YamlEvent::kMapStart);
  ASSERT_EQ(r.next()->value, "a");
  std::optional<YamlEvent> start = r.next();
  ASSERT_EQ(start->kind, YamlEvent::kMapStart);
  ASSERT_TRUE(r.skip_node(*start));  // the block scalar inside is libyaml's
  std::optional<YamlEvent> d = r.next();
  EXPECT_EQ(d->value, "d");
  EXPECT_EQ(d->line, 5u);
  EXPECT_EQ(d->offset, 32u);
}

}  // namespace
}  // namespace gv
