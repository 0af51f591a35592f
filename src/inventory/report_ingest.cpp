// A scan report read back (report_ingest.h). One linear pass of JsonPositions
// gives every value's line and column (nlohmann's DOM forgets them, and a
// heuristic report can be tens of MB); the fields are checked against tables
// that follow docs/schema/report.schema.json's "required" lists. Fields the
// schema does not know are let through: the schema only ever adds fields
// within a major version, so a newer scanner's report stays readable.
#include "inventory/report_ingest.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <random>
#include <span>
#include <system_error>

#include "common/file.h"
#include "rules/json_positions.h"
#include "rules/json_text.h"

namespace gv::inventory {

namespace {

using NodeId = JsonPositions::NodeId;
using Names = std::span<const std::string_view>;

// What a field must hold.
enum class Type {
  kString,
  kNonEmpty,
  kStringOrNull,
  kCount,
  kNumber,
  kBool,
  kArray,
  kObject,
  kObjectOrNull,
  kEnum
};

struct Field {
  std::string_view name;
  Type type;
  Names choices = {}; // kEnum
};

constexpr std::string_view kSeverities[] = {"low", "medium", "high",
                                            "critical"};
constexpr std::string_view kFindingTypes[] = {"package", "dropper"};
constexpr std::string_view kOrigins[] = {"lockfile", "installed"};
constexpr std::string_view kCheckStatuses[] = {"found", "clean", "skipped"};
constexpr std::string_view kToolNames[] = {"gouvernante"};

constexpr Field kRootFields[] = {
    {"tool", Type::kObject},       {"findings", Type::kArray},
    {"lockfiles", Type::kArray},   {"unevaluated", Type::kArray},
    {"errors", Type::kArray},      {"summary", Type::kObject},
    {"host", Type::kObjectOrNull}, {"heuristic", Type::kObjectOrNull}};
constexpr Field kToolFields[] = {{"name", Type::kEnum, kToolNames},
                                 {"version", Type::kString}};
constexpr Field kSummaryFields[] = {{"total_findings", Type::kCount},
                                    {"lockfiles_scanned", Type::kCount},
                                    {"lockfiles_covered", Type::kCount},
                                    {"lockfiles_not_scanned", Type::kCount},
                                    {"lockfiles_with_errors", Type::kCount},
                                    {"packages_total", Type::kCount},
                                    {"rules_loaded", Type::kCount},
                                    {"by_severity", Type::kObject},
                                    {"elapsed_ms", Type::kNumber},
                                    {"exit_code", Type::kCount},
                                    {"installed_findings", Type::kCount},
                                    {"host_checks_found", Type::kCount},
                                    {"host_checks_skipped", Type::kCount},
                                    {"heuristic_findings", Type::kCount}};
// Indexes into kFindingFields, used when the row is built.
enum FindingField {
  kRuleId,
  kSeverity,
  kPackage,
  kVersion,
  kLockfile,
  kLine,
  kOrigin
};
constexpr Field kFindingFields[] = {{"rule_id", Type::kNonEmpty},
                                    {"severity", Type::kEnum, kSeverities},
                                    {"package", Type::kNonEmpty},
                                    {"version", Type::kString},
                                    {"lockfile", Type::kString},
                                    {"line", Type::kCount},
                                    {"origin", Type::kEnum, kOrigins},
                                    {"rule_title", Type::kString},
                                    {"type", Type::kEnum, kFindingTypes},
                                    {"alias", Type::kStringOrNull},
                                    {"matched", Type::kString},
                                    {"declared_range", Type::kBool},
                                    {"lockfile_kind", Type::kString},
                                    {"location", Type::kString},
                                    {"dependency_path", Type::kArray},
                                    {"direct", Type::kBool},
                                    {"dev", Type::kBool},
                                    {"optional", Type::kBool},
                                    {"peer", Type::kBool},
                                    {"source", Type::kString},
                                    {"remediation", Type::kObject},
                                    {"install_kind", Type::kStringOrNull},
                                    {"install_scripts", Type::kBool}};
constexpr Field kHostFields[] = {{"checks", Type::kArray},
                                 {"installed", Type::kObject}};
enum CheckField { kCheckRule, kCheckTarget, kCheckStatus };
constexpr Field kCheckFields[] = {{"rule_id", Type::kStringOrNull},
                                  {"target", Type::kString},
                                  {"status", Type::kEnum, kCheckStatuses},
                                  {"indicator", Type::kCount},
                                  {"type", Type::kString},
                                  {"confidence", Type::kString},
                                  {"detail", Type::kString},
                                  {"evidence", Type::kArray}};
constexpr Field kHeuristicFields[] = {
    {"findings", Type::kArray},      {"skipped", Type::kArray},
    {"errors", Type::kArray},        {"files_scanned", Type::kCount},
    {"bytes_scanned", Type::kCount}, {"rules_loaded", Type::kCount}};
enum MatchField { kMatchFile, kMatchRule, kMatchSeverity, kMatchPackage };
constexpr Field kMatchFields[] = {{"file", Type::kString},
                                  {"rule", Type::kNonEmpty},
                                  {"severity", Type::kEnum, kSeverities},
                                  {"package", Type::kStringOrNull},
                                  {"offset", Type::kCount},
                                  {"rule_source", Type::kString},
                                  {"description", Type::kString},
                                  {"excerpt", Type::kString}};

// A report listing thousands of bad findings needs the first few to be
// fixed, not all of them.
constexpr size_t kMaxErrors = 50;

std::string join(Names names) {
  std::string out;
  for (std::string_view n : names)
    out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

// Where a JSON value ends: `text` is known to be JSON, so counting brackets
// outside strings is enough.
size_t value_end(std::string_view text, size_t begin) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = begin; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return i + 1;
    }
  }
  return text.size();
}

class ReportReader {
public:
  ReportReader(std::string_view text, const std::string &file,
               const JsonPositions &pos, Errors *errors)
      : text_(text), file_(file), pos_(pos), errors_(errors) {}

  void read(IngestedReport *out) {
    const NodeId root = pos_.root();
    if (!pos_.is_object(root)) {
      fail(root, "",
           "expected an object (a gouvernante -json report), got " +
               std::string(pos_.type_name(root)));
      return;
    }
    NodeId f[std::size(kRootFields)];
    if (!check(root, "", kRootFields, f))
      return; // nothing below is safe to walk
    NodeId tool[std::size(kToolFields)], summary[std::size(kSummaryFields)];
    if (check(f[0], "/tool", kToolFields, tool))
      out->report.tool_version = pos_.string(tool[1]);
    if (check(f[5], "/summary", kSummaryFields, summary))
      out->report.exit_code = static_cast<int>(count(summary[9]));
    read_findings(f[1], &out->findings);
    if (!pos_.is_null(f[6]))
      read_host(f[6], &out->findings);
    if (!pos_.is_null(f[7]))
      read_heuristic(f[7], &out->findings);
  }

private:
  void fail(NodeId node, const std::string &pointer, const std::string &what) {
    if (errors_->size() > kMaxErrors)
      return;
    if (errors_->size() == kMaxErrors) {
      errors_->push_back(Error{file_, 0, 0, "more problems not listed"});
      return;
    }
    const JsonPositions::Node &n = pos_.node(node);
    errors_->push_back(
        Error{file_, n.line, n.col,
              (pointer.empty() ? "the report" : pointer) + ": " + what});
  }

  // Checks that `obj` holds each of `fields` with the right type; (*found)[i]
  // is field i's value (kNone when missing or wrong). False on any problem.
  bool check(NodeId obj, const std::string &at, std::span<const Field> fields,
             NodeId *found) {
    bool ok = true;
    for (size_t i = 0; i < fields.size(); ++i) {
      const std::string pointer = at + "/" + pointer_escape(fields[i].name);
      found[i] = pos_.member(obj, fields[i].name);
      if (found[i] == JsonPositions::kNone) {
        fail(obj, pointer, "required field missing");
        ok = false;
      } else if (std::string problem = type_problem(found[i], fields[i]);
                 !problem.empty()) {
        fail(found[i], pointer, problem);
        found[i] = JsonPositions::kNone;
        ok = false;
      }
    }
    return ok;
  }

  // "" when `node` is what `field` wants, else what is wrong.
  std::string type_problem(NodeId node, const Field &field) const {
    const std::string got = ", got " + std::string(pos_.type_name(node));
    switch (field.type) {
    case Type::kString:
      return pos_.is_string(node) ? "" : "expected a string" + got;
    case Type::kNonEmpty:
      if (!pos_.is_string(node))
        return "expected a string" + got;
      return pos_.node(node).count == 0 ? "expected a non-empty string" : "";
    case Type::kStringOrNull:
      return pos_.is_string(node) || pos_.is_null(node)
                 ? ""
                 : "expected a string or null" + got;
    case Type::kCount:
      return count(node) >= 0 ? ""
                              : "expected an integer >= 0" + got_number(node);
    case Type::kNumber:
      return pos_.type_name(node) == "number" ? "" : "expected a number" + got;
    case Type::kBool:
      return pos_.type_name(node) == "boolean" ? ""
                                               : "expected true or false" + got;
    case Type::kArray:
      return pos_.is_array(node) ? "" : "expected an array" + got;
    case Type::kObject:
      return pos_.is_object(node) ? "" : "expected an object" + got;
    case Type::kObjectOrNull:
      return pos_.is_object(node) || pos_.is_null(node)
                 ? ""
                 : "expected an object or null" + got;
    case Type::kEnum: {
      if (!pos_.is_string(node))
        return "expected one of " + join(field.choices) + got;
      const std::string s = pos_.string(node);
      if (std::find(field.choices.begin(), field.choices.end(), s) !=
          field.choices.end())
        return "";
      return "expected one of " + join(field.choices) + ", got " + shown(s);
    }
    }
    return "";
  }

  std::string got_number(NodeId node) const {
    if (pos_.type_name(node) != "number")
      return ", got " + std::string(pos_.type_name(node));
    const size_t at = pos_.node(node).offset;
    return ", got " + std::string(text_.substr(at, value_end_number(at) - at));
  }
  size_t value_end_number(size_t at) const {
    size_t end = at;
    while (end < text_.size() &&
           std::string_view("+-.0123456789eE").find(text_[end]) !=
               std::string_view::npos)
      ++end;
    return end;
  }

  // The value of an integer >= 0, or -1 for anything else (1.5, -3, 1e3, "1").
  int64_t count(NodeId node) const {
    if (node == JsonPositions::kNone || pos_.type_name(node) != "number")
      return -1;
    const char *begin = text_.data() + pos_.node(node).offset;
    int64_t v = -1;
    const auto [end, ec] =
        std::from_chars(begin, text_.data() + text_.size(), v);
    if (ec != std::errc() || v < 0)
      return -1;
    if (end < text_.data() + text_.size() &&
        (*end == '.' || *end == 'e' || *end == 'E'))
      return -1;
    return v;
  }

  std::string raw(NodeId node) const {
    const size_t at = pos_.node(node).offset;
    return std::string(text_.substr(at, value_end(text_, at) - at));
  }

  // Calls fn(element, pointer) for each element of `array` that is an object.
  template <class Fn>
  void each_object(NodeId array, const std::string &at, const Fn &fn) {
    for (size_t i = 0; i < pos_.size(array); ++i) {
      const NodeId e = pos_.element(array, i);
      const std::string pointer = at + "/" + std::to_string(i);
      if (!pos_.is_object(e))
        fail(e, pointer,
             "expected an object, got " + std::string(pos_.type_name(e)));
      else
        fn(e, pointer);
    }
  }

  void read_findings(NodeId array, std::vector<HostFinding> *out) {
    each_object(array, "/findings", [&](NodeId e, const std::string &at) {
      NodeId f[std::size(kFindingFields)];
      if (!check(e, at, kFindingFields, f))
        return;
      out->push_back(
          HostFinding{pos_.string(f[kOrigin]), pos_.string(f[kRuleId]),
                      pos_.string(f[kPackage]), pos_.string(f[kVersion]),
                      pos_.string(f[kLockfile]), count(f[kLine]),
                      pos_.string(f[kSeverity]), raw(e)});
    });
  }

  // Only checks that found something are findings: "clean" and "skipped"
  // say what was looked at, which the stored report keeps.
  void read_host(NodeId host, std::vector<HostFinding> *out) {
    NodeId h[std::size(kHostFields)];
    if (!check(host, "/host", kHostFields, h))
      return;
    each_object(h[0], "/host/checks", [&](NodeId e, const std::string &at) {
      NodeId f[std::size(kCheckFields)];
      if (!check(e, at, kCheckFields, f) ||
          pos_.string(f[kCheckStatus]) != "found")
        return;
      out->push_back(HostFinding{"host", pos_.string(f[kCheckRule]), "", "",
                                 pos_.string(f[kCheckTarget]), 0, "", raw(e)});
    });
  }

  void read_heuristic(NodeId heuristic, std::vector<HostFinding> *out) {
    NodeId h[std::size(kHeuristicFields)];
    if (!check(heuristic, "/heuristic", kHeuristicFields, h))
      return;
    each_object(
        h[0], "/heuristic/findings", [&](NodeId e, const std::string &at) {
          NodeId f[std::size(kMatchFields)];
          if (!check(e, at, kMatchFields, f))
            return;
          int64_t line = 0;
          if (NodeId l = pos_.member(e, "line"); l != JsonPositions::kNone) {
            line = count(l);
            if (line < 0)
              return fail(l, at + "/line",
                          "expected an integer >= 0" + got_number(l));
          }
          out->push_back(HostFinding{"heuristic", pos_.string(f[kMatchRule]),
                                     pos_.string(f[kMatchPackage]), "",
                                     pos_.string(f[kMatchFile]), line,
                                     pos_.string(f[kMatchSeverity]), raw(e)});
        });
  }

  std::string_view text_;
  const std::string &file_;
  const JsonPositions &pos_;
  Errors *errors_;
};

// Length of the UTF-8 sequence at s[i], or 0 when it is not valid UTF-8
// (overlong two-byte forms and stray continuation bytes included).
size_t utf8_length(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const size_t n = c < 0x80                ? 1
                   : c >= 0xC2 && c < 0xE0 ? 2
                   : c >= 0xE0 && c < 0xF0 ? 3
                   : c >= 0xF0 && c < 0xF5 ? 4
                                           : 0;
  if (n == 0 || i + n > s.size())
    return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
      return 0;
  }
  return n;
}

} // namespace

bool parse_report(std::string_view text, const std::string &file,
                  IngestedReport *out, Errors *errors) {
  const size_t before = errors->size();
  JsonPositions pos(text);
  if (std::optional<Error> e = check_json_syntax(text, file, pos)) {
    errors->push_back(std::move(*e));
    return false;
  }
  ReportReader(text, file, pos, errors).read(out);
  if (errors->size() != before)
    return false;
  out->report.report_json = std::string(text);
  return true;
}

bool read_report(const std::string &file, IngestedReport *out, Errors *errors) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(file, ec);
  if (!ec && size > kMaxReportBytes) {
    errors->push_back(Error{
        file, 0, 0,
        "report is " + std::to_string(size) + " bytes, over the limit of " +
            std::to_string(kMaxReportBytes >> 20) + " MB; not ingested"});
    return false;
  }
  FileBuffer buf;
  if (std::optional<Error> e = read_file(file, &buf, kMaxReportBytes)) {
    errors->push_back(std::move(*e));
    return false;
  }
  return parse_report(buf.view(), file, out, errors);
}

// C0, DEL and C1 (U+0080..U+009F, "\xC2\x80".."\xC2\x9F") all reach a terminal
// as controls; invalid UTF-8 would be stored repaired, under another name.
std::string host_name_problem(std::string_view host) {
  if (host.empty())
    return "the host name is empty";
  if (host.size() > 255)
    return "the host name is over 255 bytes";
  for (size_t i = 0; i < host.size();) {
    const auto c = static_cast<unsigned char>(host[i]);
    const size_t n = utf8_length(host, i);
    if (n == 0)
      return "the host name is not valid UTF-8: " + shown(host);
    if (c < 0x20 || c == 0x7F ||
        (c == 0xC2 && static_cast<unsigned char>(host[i + 1]) < 0xA0))
      return "the host name holds control characters: " + shown(host);
    i += n;
  }
  return "";
}

std::string new_report_id() {
  std::random_device random; // getrandom(2) on Linux
  constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 4; ++i) {
    for (uint32_t v = random(), k = 0; k < 8; ++k, v >>= 4)
      id += kHex[v & 15];
  }
  return id;
}

} // namespace gv::inventory
