// The JSON shape of a recorded event, printed by `net events --json` and
// read back by `net import` (egress/event_jsonl.h): what is printed reads
// back as the same event, and every bad line names its line and field.
#include "egress/event_jsonl.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gv::egress {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kT = 1775044800'123456000;  // 2026-04-01T12:00:00.123456Z

Event sample() {
  Event e;
  e.time_ns = kT;
  e.pid = 42;
  e.ppid = 41;
  e.exe = "/usr/bin/node";
  e.argv = {"node", "install.js", "--flag=\"quoted\""};
  e.kind = EventKind::kDns;
  e.protocol = "udp";
  e.address = "127.0.0.53";
  e.port = 53;
  e.domain = "x.evil.example";
  e.query_type = "TXT";
  e.action = Action::kBlocked;
  return e;
}

std::string line_of(const Event& e) { return event_json("r1", "acme", "web", "build", e).dump(); }

// The one error of parsing `line` as line 1 of f.jsonl.
std::string error_of(const std::string& line) {
  std::vector<RecordedEvent> out;
  Errors errors;
  EXPECT_FALSE(parse_events_jsonl(line, "f.jsonl", &out, &errors)) << line;
  EXPECT_EQ(errors.size(), 1u) << line;
  return errors.empty() ? "" : errors[0].str();
}

// line_of(sample()) with `field` set to `value` (or removed when value is discarded).
std::string with(const std::string& field, const nlohmann::json& value) {
  nlohmann::ordered_json j = event_json("r1", "acme", "web", "build", sample());
  if (value.is_discarded()) {
    j.erase(field);
  } else {
    j[field] = value;
  }
  return j.dump();
}

TEST(EventTime, PrintsMicrosecondsAndReadsThemBack) {
  EXPECT_EQ(event_time_text(kT), "2026-04-01T12:00:00.123456Z");
  int64_t ns = 0;
  ASSERT_TRUE(parse_event_time("2026-04-01T12:00:00.123456Z", &ns));
  EXPECT_EQ(ns, kT);
  ASSERT_TRUE(parse_event_time("2026-04-01T12:00:00Z", &ns));
  EXPECT_EQ(ns, 1775044800'000000000);
  ASSERT_TRUE(parse_event_time("2026-04-01T12:00:00.5Z", &ns));
  EXPECT_EQ(ns, 1775044800'500000000);
  for (const char* bad : {"2026-04-01T12:00:00", "2026-04-01 12:00:00Z", "2026-02-30T12:00:00Z",
                          "2026-04-01T12:00:00.Z", "2026-04-01T12:00:00.1234567891Z", "2026-04-01T24:00:00Z",
                          "1969-12-31T23:59:59Z", "2026-04-01T12:00:00+02:00", ""}) {
    EXPECT_FALSE(parse_event_time(bad, &ns)) << bad;
  }
}

TEST(EventJsonl, WhatIsPrintedReadsBackAsTheSameEvent) {
  Event connect = sample();
  connect.kind = EventKind::kConnect;
  connect.protocol = "tcp";
  connect.address = "2606:4700::6810:84e5";
  connect.port = 443;
  connect.domain.clear();
  connect.query_type.clear();
  connect.action = Action::kAllowed;
  const std::string text = line_of(sample()) + "\n\n   \n" + line_of(connect) + "\r\n";
  std::vector<RecordedEvent> out;
  Errors errors;
  ASSERT_TRUE(parse_events_jsonl(text, "f.jsonl", &out, &errors)) << errors[0].str();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].line, 1u);
  EXPECT_EQ(out[1].line, 4u);  // blank lines are skipped but counted
  EXPECT_EQ(out[0].run_id, "r1");
  EXPECT_EQ(out[0].org, "acme");
  EXPECT_EQ(out[0].repo, "web");
  EXPECT_EQ(out[0].job, "build");
  for (size_t i = 0; i < 2; ++i) {
    const Event& want = i == 0 ? sample() : connect;
    EXPECT_EQ(line_of(out[i].event), line_of(want));
  }
  const Event& e = out[0].event;
  EXPECT_EQ(e.time_ns, kT);
  EXPECT_EQ(e.pid, 42);
  EXPECT_THAT(e.argv, ElementsAre("node", "install.js", "--flag=\"quoted\""));
  EXPECT_EQ(e.kind, EventKind::kDns);
  EXPECT_EQ(e.action, Action::kBlocked);
  EXPECT_EQ(e.query_type, "TXT");
  EXPECT_TRUE(out[1].event.domain.empty());
}

TEST(EventJsonl, AddressesAreKeptInTheRecordersForm) {
  std::vector<RecordedEvent> out;
  Errors errors;
  const std::string text = with("address", "::FFFF:203.0.113.7") + "\n" + with("address", "2001:DB8:0::1");
  ASSERT_TRUE(parse_events_jsonl(text, "f.jsonl", &out, &errors));
  EXPECT_EQ(out[0].event.address, "203.0.113.7");
  EXPECT_EQ(out[1].event.address, "2001:db8::1");
}

TEST(EventJsonl, EveryBadLineNamesItsLineAndField) {
  const nlohmann::json gone = nlohmann::json::value_t::discarded;
  EXPECT_THAT(error_of("{\"run_id\": "), HasSubstr("f.jsonl:1:"));
  EXPECT_THAT(error_of("{\"run_id\": "), HasSubstr("bad JSON"));
  EXPECT_EQ(error_of("[1,2]"), "f.jsonl:1: expected a JSON object (one event per line), got an array");
  EXPECT_EQ(error_of(with("port", gone)), "f.jsonl:1: field 'port' is missing");
  EXPECT_EQ(error_of(with("port", 70000)), "f.jsonl:1: field 'port': 70000 is out of range (0 to 65535)");
  EXPECT_EQ(error_of(with("port", -1)), "f.jsonl:1: field 'port': -1 is out of range (0 to 65535)");
  EXPECT_EQ(error_of(with("port", "53")), "f.jsonl:1: field 'port': expected an integer, got a string");
  EXPECT_EQ(error_of(with("port", 53.5)), "f.jsonl:1: field 'port': expected an integer, got a number");
  EXPECT_EQ(error_of(with("pid", nullptr)), "f.jsonl:1: field 'pid': expected an integer, got null");
  EXPECT_EQ(error_of(with("exe", 7)), "f.jsonl:1: field 'exe': expected a string, got a number");
  EXPECT_EQ(error_of(with("argv", {"node", 3})), "f.jsonl:1: field 'argv[1]': expected a string, got a number");
  EXPECT_EQ(error_of(with("domain", false)), "f.jsonl:1: field 'domain': expected a string or null, got a boolean");
  EXPECT_THAT(error_of(with("kind", "listen")), HasSubstr("field 'kind': unknown kind 'listen'"));
  EXPECT_THAT(error_of(with("action", "denied")), HasSubstr("field 'action': unknown action 'denied'"));
  EXPECT_THAT(error_of(with("protocol", "sctp")), HasSubstr("field 'protocol': unknown protocol 'sctp'"));
  EXPECT_THAT(error_of(with("time", "yesterday")), HasSubstr("field 'time': 'yesterday' is not a UTC time"));
  EXPECT_THAT(error_of(with("address", "evil.example")), HasSubstr("field 'address': 'evil.example' is not"));
  EXPECT_THAT(error_of(with("run_id", "")), HasSubstr("field 'run_id' is empty"));
  EXPECT_THAT(error_of(with("domain", nullptr)), HasSubstr("field 'domain': a dns event needs"));
  EXPECT_THAT(error_of(with("query_type", "BOGUS")), HasSubstr("field 'query_type': unknown DNS type 'BOGUS'"));
  // Every bad line is reported, each with its own number; good lines are
  // still parsed (the caller decides that nothing is saved).
  std::vector<RecordedEvent> out;
  Errors errors;
  const std::string text = with("port", 70000) + "\n" + line_of(sample()) + "\n\nnot json\n";
  EXPECT_FALSE(parse_events_jsonl(text, "f.jsonl", &out, &errors));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].line, 1u);
  EXPECT_EQ(errors[1].line, 4u);
  EXPECT_EQ(errors[1].col, 2u);
  EXPECT_EQ(out.size(), 1u);
}

}  // namespace
}  // namespace gv::egress
