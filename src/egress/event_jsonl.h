// Recorded events as JSON: the object `gouvernante net events --json` prints
// per event, and `gouvernante net import` reads back, one per line (JSON
// Lines), so events recorded on one machine (a CI runner without access to
// the shared inventory) can be carried to another. Both directions live here
// so the shape cannot drift between them: whatever net events prints, net
// import reads as the same event.
//
// Import is strict: every field is required (domain and query_type may be
// null), with its type; kind, action and protocol must be names the recorder
// writes; the address must be a numeric IP (kept in inet_ntop's form, IPv4
// for v4-mapped IPv6, as the recorder writes it); the time must be an RFC 3339
// UTC time with a 'Z'. A bad line is reported as file:line: field 'x': what.
// Unknown fields are ignored (a later version may add some).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "egress/event.h"

namespace gv::egress {

// 2026-04-01T12:00:00.123456Z: UTC, microseconds (the nanoseconds below are
// dropped: clocks of CI runners are not that precise, and the text stays short).
std::string event_time_text(int64_t ns);

// The inverse, for 1970 onwards: "YYYY-MM-DDTHH:MM:SS[.fraction]Z", with 1 to
// 9 fraction digits. False when it is anything else or no real date.
bool parse_event_time(std::string_view text, int64_t* ns);

// One event with the run it belongs to.
struct RecordedEvent {
  std::string run_id, org, repo, job;
  Event event;
  uint32_t line = 0;  // where it was read (import), 1-based
};

// {"run_id","org","repo","job","time","pid","ppid","exe","argv","kind","protocol","address","port",
//  "domain","query_type","action"}; domain and query_type are null when empty.
nlohmann::ordered_json event_json(const std::string& run_id, const std::string& org, const std::string& repo,
                                  const std::string& job, const Event& e);

// Parses JSON Lines text, skipping blank lines. Appends each good line's
// event to *out and each bad line's error (file_name:line: ...) to *errors;
// false when any line was bad.
bool parse_events_jsonl(std::string_view text, const std::string& file_name, std::vector<RecordedEvent>* out,
                        Errors* errors);

}  // namespace gv::egress
