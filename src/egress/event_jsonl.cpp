#include "egress/event_jsonl.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <ctime>

#include "common/utc.h"
#include "egress/dns.h"

namespace gv::egress {
namespace {

using json = nlohmann::json;

constexpr int64_t kNsPerSec = 1'000'000'000;

// Reads `n` decimal digits at text[*pos]; false if any is not a digit.
bool digits(std::string_view text, size_t* pos, size_t n, int* out) {
  if (*pos + n > text.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

// The JSON value's name in an error: "a number", "null", ...
std::string type_of(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_array()) return "an array";
  return "an object";
}

// The checks of one line, each setting *error to "field 'x': what".
class LineReader {
 public:
  explicit LineReader(const json& obj) : obj_(obj) {}

  bool string(const char* field, std::string* out, std::string* error) const {
    const json* v = get(field, error);
    if (!v) return false;
    if (!v->is_string()) return wrong(field, "a string", *v, error);
    *out = v->get<std::string>();
    return true;
  }
  // A string, or null for "".
  bool optional_string(const char* field, std::string* out, std::string* error) const {
    const json* v = get(field, error);
    if (!v) return false;
    if (v->is_null()) {
      out->clear();
      return true;
    }
    if (!v->is_string()) return wrong(field, "a string or null", *v, error);
    *out = v->get<std::string>();
    return true;
  }
  bool integer(const char* field, int64_t min, int64_t max, int64_t* out, std::string* error) const {
    const json* v = get(field, error);
    if (!v) return false;
    if (!v->is_number_integer()) return wrong(field, "an integer", *v, error);
    const bool fits = v->is_number_unsigned() ? v->get<uint64_t>() <= static_cast<uint64_t>(max)
                                              : v->get<int64_t>() >= min && v->get<int64_t>() <= max;
    if (!fits) {
      *error = fmt::format("field '{}': {} is out of range ({} to {})", field, v->dump(), min, max);
      return false;
    }
    *out = v->get<int64_t>();
    return true;
  }
  bool strings(const char* field, std::vector<std::string>* out, std::string* error) const {
    const json* v = get(field, error);
    if (!v) return false;
    if (!v->is_array()) return wrong(field, "an array of strings", *v, error);
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) {
        *error = fmt::format("field '{}[{}]': expected a string, got {}", field, i, type_of((*v)[i]));
        return false;
      }
      out->push_back((*v)[i].get<std::string>());
    }
    return true;
  }

 private:
  const json* get(const char* field, std::string* error) const {
    auto it = obj_.find(field);
    if (it == obj_.end()) {
      *error = fmt::format("field '{}' is missing", field);
      return nullptr;
    }
    return &*it;
  }
  static bool wrong(const char* field, const char* want, const json& v, std::string* error) {
    *error = fmt::format("field '{}': expected {}, got {}", field, want, type_of(v));
    return false;
  }
  const json& obj_;
};

// The address in the recorder's form: inet_ntop's text, IPv4 for v4-mapped.
bool canonical_address(const std::string& text, std::string* out) {
  uint8_t a[16];
  char buf[INET6_ADDRSTRLEN];
  if (::inet_pton(AF_INET, text.c_str(), a) == 1) {
    *out = ::inet_ntop(AF_INET, a, buf, sizeof buf);
    return true;
  }
  if (::inet_pton(AF_INET6, text.c_str(), a) != 1) return false;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  const bool mapped = std::equal(a, a + 12, kMapped);
  *out = mapped ? ::inet_ntop(AF_INET, a + 12, buf, sizeof buf) : ::inet_ntop(AF_INET6, a, buf, sizeof buf);
  return true;
}

bool read_kind(const std::string& s, EventKind* k) {
  for (EventKind c : {EventKind::kConnect, EventKind::kSend, EventKind::kDns}) {
    if (s == kind_name(c)) {
      *k = c;
      return true;
    }
  }
  return false;
}

// One parsed line's object into *out; false with *error naming the field.
bool read_event(const json& obj, RecordedEvent* out, std::string* error) {
  if (!obj.is_object()) {
    *error = "expected a JSON object (one event per line), got " + type_of(obj);
    return false;
  }
  const LineReader r(obj);
  Event& e = out->event;
  std::string time, kind, action, address;
  int64_t pid = 0, ppid = 0, port = 0;
  if (!r.string("run_id", &out->run_id, error) || !r.string("org", &out->org, error) ||
      !r.string("repo", &out->repo, error) || !r.string("job", &out->job, error) ||
      !r.string("time", &time, error) || !r.integer("pid", 0, INT_MAX, &pid, error) ||
      !r.integer("ppid", 0, INT_MAX, &ppid, error) || !r.string("exe", &e.exe, error) ||
      !r.strings("argv", &e.argv, error) || !r.string("kind", &kind, error) ||
      !r.string("protocol", &e.protocol, error) || !r.string("address", &address, error) ||
      !r.integer("port", 0, 65535, &port, error) || !r.optional_string("domain", &e.domain, error) ||
      !r.optional_string("query_type", &e.query_type, error) || !r.string("action", &action, error)) {
    return false;
  }
  if (out->run_id.empty()) {
    *error = "field 'run_id' is empty";
    return false;
  }
  if (!parse_event_time(time, &e.time_ns)) {
    *error = fmt::format("field 'time': '{}' is not a UTC time such as 2026-04-01T12:00:00.123456Z", time);
    return false;
  }
  if (!read_kind(kind, &e.kind)) {
    *error = fmt::format("field 'kind': unknown kind '{}' (expected connect, send or dns)", kind);
    return false;
  }
  if (action == "allowed" || action == "blocked") {
    e.action = action == "blocked" ? Action::kBlocked : Action::kAllowed;
  } else {
    *error = fmt::format("field 'action': unknown action '{}' (expected allowed or blocked)", action);
    return false;
  }
  if (e.protocol != "tcp" && e.protocol != "udp" && !e.protocol.empty()) {
    *error = fmt::format("field 'protocol': unknown protocol '{}' (expected tcp, udp or \"\")", e.protocol);
    return false;
  }
  if (!canonical_address(address, &e.address)) {
    *error = fmt::format("field 'address': '{}' is not a numeric IPv4 or IPv6 address", address);
    return false;
  }
  if (e.kind == EventKind::kDns && (e.domain.empty() || e.query_type.empty())) {
    *error = fmt::format("field '{}': a dns event needs the name asked and its type",
                         e.domain.empty() ? "domain" : "query_type");
    return false;
  }
  if (e.kind != EventKind::kDns && !e.query_type.empty()) {
    *error = fmt::format("field 'query_type': only a dns event has one (this is a {} event)", kind);
    return false;
  }
  if (!e.query_type.empty() && dns_type_code(e.query_type) == 0) {
    *error = fmt::format("field 'query_type': unknown DNS type '{}' (expected A, AAAA, TXT, ... or TYPE<n>)",
                         e.query_type);
    return false;
  }
  e.pid = static_cast<int>(pid);
  e.ppid = static_cast<int>(ppid);
  e.port = static_cast<uint16_t>(port);
  return true;
}

// nlohmann's "[json.exception.parse_error.101] parse error at line 1, column
// 7: syntax error while parsing ..." without its prefix.
std::string json_reason(const json::parse_error& err) {
  std::string_view what = err.what();
  if (const size_t at = what.find(": "); at != std::string_view::npos) what.remove_prefix(at + 2);
  return std::string(what);
}

}  // namespace

std::string event_time_text(int64_t ns) {
  const std::string secs = iso_utc(ns / kNsPerSec);  // ...T12:00:00Z
  return fmt::format("{}.{:06}Z", secs.substr(0, secs.size() - 1), (ns % kNsPerSec) / 1000);
}

bool parse_event_time(std::string_view text, int64_t* ns) {
  size_t p = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!digits(text, &p, 4, &y) || !expect(text, &p, '-') || !digits(text, &p, 2, &mo) || !expect(text, &p, '-') ||
      !digits(text, &p, 2, &d) || !expect(text, &p, 'T') || !digits(text, &p, 2, &h) || !expect(text, &p, ':') ||
      !digits(text, &p, 2, &mi) || !expect(text, &p, ':') || !digits(text, &p, 2, &s)) {
    return false;
  }
  int64_t frac = 0;
  if (p < text.size() && text[p] == '.') {
    ++p;
    size_t n = 0;
    for (; p < text.size() && text[p] >= '0' && text[p] <= '9' && n < 9; ++p, ++n) frac = frac * 10 + (text[p] - '0');
    if (n == 0) return false;
    for (; n < 9; ++n) frac *= 10;
  }
  if (p + 1 != text.size() || text[p] != 'Z') return false;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return false;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  const int64_t secs = static_cast<int64_t>(timegm(&tm));
  if (tm.tm_mday != d || tm.tm_mon != mo - 1) return false;  // timegm turned 2026-02-30 into March
  *ns = secs * kNsPerSec + frac;
  return true;
}

nlohmann::ordered_json event_json(const std::string& run_id, const std::string& org, const std::string& repo,
                                  const std::string& job, const Event& e) {
  using ojson = nlohmann::ordered_json;
  return {{"run_id", run_id},
          {"org", org},
          {"repo", repo},
          {"job", job},
          {"time", event_time_text(e.time_ns)},
          {"pid", e.pid},
          {"ppid", e.ppid},
          {"exe", e.exe},
          {"argv", e.argv},
          {"kind", kind_name(e.kind)},
          {"protocol", e.protocol},
          {"address", e.address},
          {"port", e.port},
          {"domain", e.domain.empty() ? ojson(nullptr) : ojson(e.domain)},
          {"query_type", e.query_type.empty() ? ojson(nullptr) : ojson(e.query_type)},
          {"action", action_name(e.action)}};
}

bool parse_events_jsonl(std::string_view text, const std::string& file_name, std::vector<RecordedEvent>* out,
                        Errors* errors) {
  bool ok = true;
  uint32_t line_no = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    RecordedEvent ev;
    ev.line = line_no;
    std::string why;
    json obj;
    try {
      obj = json::parse(line.begin(), line.end());
    } catch (const json::parse_error& err) {
      // Parse errors are expected input here; the exception is nlohmann's
      // only way to say where the JSON broke.
      errors->push_back(Error{file_name, line_no, static_cast<uint32_t>(err.byte), "bad JSON: " + json_reason(err)});
      ok = false;
      continue;
    }
    if (!read_event(obj, &ev, &why)) {
      errors->push_back(Error{file_name, line_no, 0, why});
      ok = false;
      continue;
    }
    out->push_back(std::move(ev));
  }
  return ok;
}

}  // namespace gv::egress
