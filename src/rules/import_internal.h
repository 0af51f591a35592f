// What the three importers share (internal to src/rules/import*.cpp): a JSON
// document with positions for messages, the per-package version collector
// that makes output canonical, alias/reference/severity/date mapping.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "rules/import.h"
#include "rules/json_positions.h"
#include "rules/json_text.h"  // shown(), dates, the syntax check
#include "rules/rule.h"
#include "semver/semver.h"

namespace gv::import_detail {

using NodeId = JsonPositions::NodeId;
constexpr NodeId kNone = JsonPositions::kNone;

// RFC 6901 child pointers.
std::string child(const std::string& ptr, std::string_view key);
std::string child(const std::string& ptr, size_t index);

// A JSON document checked by nlohmann's SAX parser (which names the syntax
// error) and indexed by JsonPositions (which gives every value a line and
// column), with the typed member reads the importers need. Foreign formats
// are read leniently: unknown members are ignored, null means absent, and
// only the members we use are type-checked.
class JsonDoc {
 public:
  // False, with "file:line:col: invalid JSON: ..." added, when not JSON.
  bool parse(std::string_view text, const std::string& file, Errors* errors);

  const JsonPositions& pos() const { return *pos_; }
  NodeId root() const { return pos_->root(); }
  const std::string& file() const { return file_; }

  void error(NodeId node, const std::string& ptr, std::string reason);
  void wrong_type(NodeId node, const std::string& ptr, std::string_view expected);

  // The member's value; kNone when absent or null.
  NodeId get(NodeId obj, std::string_view key) const;
  // A string member into *out: false when absent/null (no error) or not a
  // string (error).
  bool string(NodeId obj, const std::string& ptr, std::string_view key, std::string* out);
  bool string(NodeId obj, const std::string& ptr, std::string_view key, Str* out);
  // An array / object member; kNone when absent/null (no error) or of another type (error).
  NodeId array(NodeId obj, const std::string& ptr, std::string_view key);
  NodeId object(NodeId obj, const std::string& ptr, std::string_view key);
  // A number value (JSON text parsed with strtod); nullopt for anything else.
  std::optional<double> number(NodeId node) const;

  size_t error_count() const { return errors_ ? errors_->size() : 0; }

 private:
  std::string_view text_;
  std::string file_;
  std::optional<JsonPositions> pos_;
  Errors* errors_ = nullptr;
};

// The affected versions of one package, collected from any number of
// sources and emitted in canonical order: exact versions ("=1.2.3") sorted by
// semver precedence, then ranges in the order first seen; duplicates
// dropped, exact versions inside one of the ranges dropped ("=1.0.1" adds
// nothing to ">=1.0.0 <1.0.5"), and everything else dropped when "*" is there.
class VersionSet {
 public:
  void add_exact(const semver::Version& v);
  // `expr` must parse (the caller validated it into `range`).
  void add_range(std::string expr, semver::Range range);
  bool empty() const { return exact_.empty() && ranges_.empty(); }
  std::vector<AffectedVersion> take();

 private:
  std::vector<semver::Version> exact_;
  std::vector<AffectedVersion> ranges_;
};

// Packages of one rule, by name (so package rules come out sorted by name).
struct PackageSet {
  struct Entry {
    VersionSet versions;
    std::vector<std::string> notes;
    uint32_t line = 0;
  };
  std::map<std::string, Entry> by_name;

  // Package rules in name order; entries with no version are left out.
  std::vector<PackageRule> take();
};

// Version strings of feeds: a single version, canonicalised ("v1.2.3" ->
// "1.2.3"); nullopt when not a valid semver version.
std::optional<semver::Version> parse_exact(std::string_view text);

// Checks a package name the way the rule loader does (non-empty, no
// whitespace or control characters); returns the reason it fails, or "".
std::string package_name_problem(std::string_view name);

// "GHSA-..." -> ghsa, "CVE-..." -> cve, "SNYK-..." -> snyk, else other.
std::string alias_type(std::string_view id);
void add_alias(Rule* r, std::string_view type, std::string_view value);    // skips duplicates and ""
void add_reference(Rule* r, std::string_view type, std::string_view url);  // skips duplicate URLs and ""

// One line: control characters and line breaks become spaces, runs of
// spaces collapse, ends trimmed.
std::string one_line(std::string_view s);
// Free text for Rule::summary: trimmed, OpenSSF's "per source details"
// marker removed, cut (on a UTF-8 boundary) at 2,000 bytes.
std::string summary_text(std::string_view details);

// RFC 3339 date-time as the rule format wants it; a bare "YYYY-MM-DD" is
// read as midnight UTC. nullopt when neither.
std::optional<std::string> normalize_datetime(std::string_view s);

// The advisory's two dates (OSV "published"/"modified", GitHub
// "published_at"/"updated_at") into the rule's metadata, normalised to
// RFC 3339; a date that is not one is an error at its member.
void read_dates(JsonDoc& doc, NodeId node, const std::string& ptr, std::string_view published_key,
                std::string_view updated_key, Rule* r);
// True when `date` (its first 10 bytes, "YYYY-MM-DD") is before `since`.
// Undated entries (empty date) are never before: we keep what we cannot date.
bool before_since(std::string_view date, std::string_view since);

// "critical", "high", "moderate"/"medium", "low" (any case).
std::optional<Severity> severity_named(std::string_view s);
// CVSS qualitative rating of a 0-10 score (0 is "none", read as low).
Severity severity_of_score(double score);
// CVSS v3.0/3.1 base score of a vector "CVSS:3.1/AV:N/AC:L/..."; nullopt
// when it is not a complete v3 vector.
std::optional<double> cvss3_base_score(std::string_view vector);

// The severity we give an advisory that states none: not low, because a
// scanner would rather over-report an unknown than hide it.
inline constexpr Severity kUnknownSeverity = Severity::kHigh;

// GitHub's vulnerable_version_range (">= 1.0.0, < 1.0.5", "= 1.2.3",
// ">= 0") as a node-semver range (">=1.0.0 <1.0.5", "=1.2.3", "*"): commas
// are AND, as spaces are in node-semver. nullopt, with *err, when the result
// does not parse.
std::optional<std::string> github_range_expr(std::string_view text, std::string* err);

// "Malicious package" remediation, shared by OSV and GitHub malware entries.
std::string malicious_remediation();

// What every advisory importer derives the same way once the packages are
// read: kind, severity, a title (the summary, else one naming the packages,
// `names` non-empty) and the remediation (the fixed releases, deduplicated).
void finish_advisory(Rule* r, bool malicious, Severity severity, std::string_view summary,
                     const std::vector<std::string>& names, std::vector<std::string> fixes);

}  // namespace gv::import_detail
