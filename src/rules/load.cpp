// Rule loading: text -> position tree (and syntax check) -> validated Rule records.
//
// Two passes per document, each linear: JsonPositions indexes where every
// value starts, serves the values and checks JSON's grammar on the way
// (nlohmann's SAX parser runs only when that check fails or cannot tell, and
// says where the text is not JSON, with its own message); the validator walks
// that tree checking schema 1.x and normalising the runbook's looser variants.
// No DOM is built: nlohmann's std::map-per-object DOM made a 33 MB feed cost
// over a second (building and freeing it), the tree costs a tenth of that.
// The validator never stops at the first problem: a rule author fixing a feed
// wants the whole list, sorted by position, each "file:line:col: /pointer: why".

#include "rules/load.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <system_error>
#include <tuple>
#include <unordered_map>

#include "common/file.h"
#include "rules/json_positions.h"
#include "rules/json_text.h"

namespace gv {

namespace {

using NodeId = JsonPositions::NodeId;
using Names = std::span<const std::string_view>;

constexpr std::string_view kTopFields[] = {"$schema", "schema_version", "rules"};
constexpr std::string_view kRuleFields[] = {
    "id",         "title",         "kind",          "ecosystem",        "severity",
    "summary",    "aliases",       "references",    "package_rules",    "dropper_packages",
    "host_indicators", "remediation", "metadata", "yara_rules"};
constexpr std::string_view kAliasFields[] = {"type", "value"};
constexpr std::string_view kReferenceFields[] = {"type", "url"};
constexpr std::string_view kPackageRuleFields[] = {"package_name", "affected_versions",
                                                   "lockfile_ecosystems", "notes"};
constexpr std::string_view kDropperFields[] = {"package_name", "notes"};
constexpr std::string_view kHostFields[] = {"type",   "path",       "file_name", "value", "oses",
                                            "hashes", "confidence", "notes"};
constexpr std::string_view kHashFields[] = {"algorithm", "value"};
constexpr std::string_view kRemediationFields[] = {"summary", "steps"};
constexpr std::string_view kMetadataFields[] = {"published_at", "last_updated_at"};

constexpr std::string_view kKinds[] = {"compromised-release", "malicious-package", "vulnerability",
                                       "dropper", "suspicious-artifact"};
constexpr std::string_view kEcosystems[] = {"npm"};
constexpr std::string_view kSeverities[] = {"low", "medium", "high", "critical"};
constexpr std::string_view kAliasTypes[] = {"cve", "ghsa", "snyk", "article", "internal", "other"};
constexpr std::string_view kReferenceTypes[] = {"advisory", "article", "vendor", "repository",
                                                "other"};
constexpr std::string_view kLockfileEcosystems[] = {"npm", "pnpm", "yarn", "bun"};
constexpr std::string_view kIndicatorTypes[] = {"file", "process", "registry", "network",
                                                "environment"};
constexpr std::string_view kOses[] = {"linux", "macos", "windows"};
constexpr std::string_view kHashAlgorithms[] = {"md5", "sha1", "sha256", "sha512"};
constexpr std::string_view kConfidences[] = {"low", "medium", "high"};

bool contains(Names names, std::string_view s) {
  return std::find(names.begin(), names.end(), s) != names.end();
}

std::string join(Names names) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Case-insensitive Levenshtein distance, for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + cost});
      diag = up;
    }
  }
  return row[b.size()];
}

// " (did you mean 'x'?)" when some name is within two edits (or one edit for
// very short words, where two edits turn anything into anything).
std::string suggestion(std::string_view got, Names names) {
  if (got.size() > 64) return {};
  std::string_view best;
  size_t best_d = SIZE_MAX;
  for (std::string_view n : names) {
    size_t d = edit_distance(got, n);
    if (d < best_d) {
      best_d = d;
      best = n;
    }
  }
  size_t limit = std::min(got.size(), best.size()) <= 4 ? 1 : 2;
  if (best_d == 0 || best_d > limit) return {};
  return " (did you mean '" + std::string(best) + "'?)";
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// What one load shares across its files: where each rule id was first seen,
// and the version expressions already parsed.
struct LoadState {
  struct Where {
    uint32_t file, line, col;
  };
  // Where each rule id was first seen. Open addressing over plain arrays, ids
  // packed in one string: a 200,000-rule feed made a node-based map cost a
  // seventh of its load (rehashing as it grew) and ~90 bytes an id.
  class Ids {
   public:
    // Records `id` at `w` when new (nullptr); else where it was first seen.
    const Where* insert(std::string_view id, Where w) {
      if ((entries_.size() + 1) * 2 > slots_.size()) grow();
      const uint64_t h = std::hash<std::string_view>{}(id);
      const size_t mask = slots_.size() - 1;
      for (size_t i = h & mask;; i = (i + 1) & mask) {
        const uint64_t slot = slots_[i];
        if (slot == 0) {
          entries_.push_back({static_cast<uint32_t>(text_.size()), static_cast<uint32_t>(id.size()), w});
          text_ += id;
          slots_[i] = (h & ~uint64_t{0xFFFFFFFF}) | entries_.size();
          return nullptr;
        }
        const Entry& e = entries_[(slot & 0xFFFFFFFF) - 1];
        if ((slot >> 32) == (h >> 32) && std::string_view(text_).substr(e.off, e.len) == id) {
          return &e.where;
        }
      }
    }
    // Forgets the ids first seen in `file` (a document refused as a whole).
    void forget_file(uint32_t file) {
      std::vector<Entry> kept;
      std::string text;
      for (const Entry& e : entries_) {
        if (e.where.file == file) continue;
        kept.push_back({static_cast<uint32_t>(text.size()), e.len, e.where});
        text += std::string_view(text_).substr(e.off, e.len);
      }
      Ids fresh;
      for (const Entry& e : kept) fresh.insert(std::string_view(text).substr(e.off, e.len), e.where);
      *this = std::move(fresh);
    }

   private:
    struct Entry {
      uint32_t off, len;
      Where where;
    };
    void grow() {
      std::vector<uint64_t> slots(std::max<size_t>(64, slots_.size() * 2), 0);
      const size_t mask = slots.size() - 1;
      for (uint32_t k = 0; k < entries_.size(); ++k) {
        const Entry& e = entries_[k];
        const uint64_t h = std::hash<std::string_view>{}(std::string_view(text_).substr(e.off, e.len));
        size_t i = h & mask;
        while (slots[i] != 0) i = (i + 1) & mask;
        slots[i] = (h & ~uint64_t{0xFFFFFFFF}) | (k + 1);
      }
      slots_ = std::move(slots);
    }
    std::string text_;
    std::vector<Entry> entries_;
    std::vector<uint64_t> slots_;  // (high 32 bits of the hash, entry index + 1); 0 = free
  };
  std::vector<std::string> files;
  Ids first;
  // Feeds repeat a few expressions ("*", "=1.0.0") across many entries;
  // copying a parsed range (a shared pointer) costs a fraction of parsing it
  // again (semver's node-semver-faithful parser builds a dozen strings per
  // range). Bounded, so a feed of distinct ranges pays a few MB.
  static constexpr size_t kMaxParsedRanges = 1 << 16;
  std::unordered_map<std::string, semver::Range> parsed_ranges;

  // Repeated values share one Str block. A feed repeats a field's value
  // from one rule to the next (the file name, a bulk import's remediation
  // text, notes and dates), so such a field remembers its last value: one
  // comparison and no hashing (a hash table cost a tenth of the load of a
  // 200,000-advisory feed whose dates are all distinct). Enumerations
  // (kind, types) keep each of their few values.
  struct Last {
    Str file, notes, summary, published_at, last_updated_at;
  } last;
  std::vector<Str> enum_values;
  static Str share(Str* last, std::string_view s) {
    if (s.size() <= Str::kInline) return Str(s);  // inline: nothing to share
    if (*last != s) *last = Str(s);
    return *last;
  }
  Str share_enum(std::string_view s) {
    for (const Str& v : enum_values) {
      if (v == s) return v;
    }
    enum_values.emplace_back(s);
    return enum_values.back();
  }

  std::string where(const Where& w) const {
    std::string out = files[w.file] + ":" + std::to_string(w.line);
    if (w.col != 0) out += ":" + std::to_string(w.col);
    return out;
  }
};

// Walks one indexed document, filling Rule records and reporting problems.
class Validator {
 public:
  Validator(const std::string& file, const JsonPositions& pos, Errors* errors, LoadState* state)
      : file_(file), pos_(pos), errors_(errors), state_(state) {}

  // The document's root; the rules still in the tree (those not streamed,
  // numbered from `first_index`) go to *out. False when the root is not a
  // rule document of a schema we read: then rules already streamed from it
  // must be dropped, as none would have been read.
  bool document(size_t first_index, std::vector<Rule>* out);
  // One element of "rules" (its pointer is /rules/<index>); true, with *r
  // filled, when it is a valid rule.
  bool rule(NodeId node, size_t index, Rule* r);

 private:
  void error(NodeId node, std::string_view pointer, std::string reason) {
    Error e;
    e.file = file_;
    if (node != JsonPositions::kNone) {
      e.line = pos_.node(node).line;
      e.col = pos_.node(node).col;
    }
    e.what = pointer.empty() ? std::move(reason) : std::string(pointer) + ": " + reason;
    errors_->push_back(std::move(e));
  }
  void wrong_type(NodeId node, std::string_view pointer, std::string_view expected) {
    error(node, pointer,
          "expected " + std::string(expected) + ", got " + std::string(pos_.type_name(node)));
  }
  static std::string child(const std::string& ptr, std::string_view key) {
    return ptr + "/" + pointer_escape(key);
  }
  static std::string child(const std::string& ptr, size_t index) {
    return ptr + "/" + std::to_string(index);
  }

  // Unknown and repeated members of an object; false when `node` is not an object.
  bool check_object(NodeId node, const std::string& ptr, Names known);
  // The member's value, or kNone when absent or null (null means "not
  // given", as in the original Go loader).
  NodeId get(NodeId obj, std::string_view key) const {
    NodeId v = pos_.member(obj, key);
    return v == JsonPositions::kNone || pos_.is_null(v) ? JsonPositions::kNone : v;
  }
  // A string member; false when absent (an error if required) or not a
  // string (an error). With `last`, a value equal to the field's last one
  // shares its block (LoadState::share).
  bool read_string(NodeId obj, const std::string& ptr, std::string_view key, bool required,
                   std::string* out);
  bool read_string(NodeId obj, const std::string& ptr, std::string_view key, bool required,
                   Str* out, Str* last = nullptr);
  bool read_enum(NodeId obj, const std::string& ptr, std::string_view key, bool required,
                 Names allowed, Str* out);
  bool read_enum(NodeId obj, const std::string& ptr, std::string_view key, bool required,
                 Names allowed, std::string* out);
  // The string member's node, or kNone (with an error when it is required
  // or not a string).
  NodeId string_member(NodeId obj, const std::string& ptr, std::string_view key, bool required);
  // An array member; kNone when absent (or, with an error, not an array).
  NodeId read_array(NodeId obj, const std::string& ptr, std::string_view key, bool required);
  bool check_enum(std::string_view value, NodeId node, const std::string& ptr, Names allowed);
  // check_enum for member `key` of `obj`.
  bool enum_ok(NodeId obj, const std::string& ptr, std::string_view key, std::string_view value, Names allowed);
  // `ptr` is the entry's; the message names its package_name member. The
  // pointer string is built only for a message: this runs for every entry.
  void check_package_name(std::string_view name, NodeId node, const std::string& entry_ptr);

  bool schema_version(NodeId root);
  void aliases(NodeId rule, const std::string& ptr, Rule* r);
  void references(NodeId rule, const std::string& ptr, Rule* r);
  void package_rule(NodeId node, const std::string& ptr, PackageRule* p);
  void dropper(NodeId node, const std::string& ptr, DropperPackage* d);
  void host_indicator(NodeId node, const std::string& ptr, HostIndicator* h);
  void hash(NodeId node, const std::string& ptr, FileHash* h);
  void remediation(NodeId node, const std::string& ptr, Remediation* r);
  void metadata(NodeId node, const std::string& ptr, Rule* r);
  void yara_rules(NodeId rule, const std::string& ptr, Rule* r);

  const std::string& file_;
  const JsonPositions& pos_;
  Errors* errors_;
  LoadState* state_;
};

bool Validator::check_object(NodeId node, const std::string& ptr, Names known) {
  if (!pos_.is_object(node)) {
    wrong_type(node, ptr, "an object");
    return false;
  }
  // Typo protection: an unknown field is most often a misspelt known one
  // ("affected_version"), which would otherwise silently match nothing.
  uint64_t seen = 0;  // bit i: known[i] already present
  std::string scratch;
  size_t count = pos_.size(node);
  for (size_t i = 0; i < count; ++i) {
    std::string_view key = pos_.member_key(node, i, &scratch);
    NodeId value = pos_.member_value(node, i);
    auto it = std::find(known.begin(), known.end(), key);
    if (it == known.end()) {
      error(value, child(ptr, key), "unknown field " + shown(key) + suggestion(key, known));
      continue;
    }
    uint64_t bit = uint64_t{1} << (it - known.begin());
    if (seen & bit) {
      error(value, child(ptr, key),
            "field " + shown(key) + " appears twice in the same object (JSON keeps only the last)");
    }
    seen |= bit;
  }
  return true;
}

NodeId Validator::string_member(NodeId obj, const std::string& ptr, std::string_view key,
                               bool required) {
  NodeId v = get(obj, key);
  if (v == JsonPositions::kNone) {
    if (required) error(obj, ptr, "missing required field " + shown(key));
    return JsonPositions::kNone;
  }
  if (!pos_.is_string(v)) {
    wrong_type(v, child(ptr, key), "a string");
    return JsonPositions::kNone;
  }
  return v;
}

bool Validator::read_string(NodeId obj, const std::string& ptr, std::string_view key,
                            bool required, std::string* out) {
  NodeId v = string_member(obj, ptr, key, required);
  if (v == JsonPositions::kNone) return false;
  *out = pos_.string(v);
  return true;
}

bool Validator::read_string(NodeId obj, const std::string& ptr, std::string_view key,
                            bool required, Str* out, Str* last) {
  NodeId v = string_member(obj, ptr, key, required);
  if (v == JsonPositions::kNone) return false;
  std::string scratch;
  std::string_view text = pos_.string_view(v, &scratch);
  *out = last != nullptr ? LoadState::share(last, text) : Str(text);
  return true;
}

bool Validator::check_enum(std::string_view value, NodeId node, const std::string& ptr,
                           Names allowed) {
  if (contains(allowed, value)) return true;
  error(node, ptr,
        "invalid value " + shown(value) + "; expected one of " + join(allowed) +
            suggestion(value, allowed));
  return false;
}

bool Validator::enum_ok(NodeId obj, const std::string& ptr, std::string_view key, std::string_view value,
                        Names allowed) {
  // Checked before check_enum: the member's pointer is built only for a message.
  return contains(allowed, value) || check_enum(value, pos_.member(obj, key), child(ptr, key), allowed);
}

bool Validator::read_enum(NodeId obj, const std::string& ptr, std::string_view key, bool required,
                          Names allowed, Str* out) {
  if (!read_string(obj, ptr, key, required, out)) return false;
  if (!enum_ok(obj, ptr, key, *out, allowed)) {
    out->clear();
    return false;
  }
  *out = state_->share_enum(*out);
  return true;
}

bool Validator::read_enum(NodeId obj, const std::string& ptr, std::string_view key, bool required,
                          Names allowed, std::string* out) {
  if (!read_string(obj, ptr, key, required, out)) return false;
  if (enum_ok(obj, ptr, key, *out, allowed)) return true;
  out->clear();
  return false;
}

NodeId Validator::read_array(NodeId obj, const std::string& ptr, std::string_view key,
                             bool required) {
  NodeId v = get(obj, key);
  if (v == JsonPositions::kNone) {
    if (required) error(obj, ptr, "missing required field " + shown(key));
    return JsonPositions::kNone;
  }
  if (!pos_.is_array(v)) {
    wrong_type(v, child(ptr, key), "an array");
    return JsonPositions::kNone;
  }
  return v;
}

// npm names are checked loosely on purpose: legacy names may have capitals
// and odd punctuation, and a rule must be able to name them. What can never
// match a lockfile entry is rejected, because such a rule fails silently.
void Validator::check_package_name(std::string_view name, NodeId node,
                                   const std::string& entry_ptr) {
  auto ptr = [&] { return entry_ptr + "/package_name"; };
  if (name.empty()) {
    error(node, ptr(), "package name must not be empty");
    return;
  }
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      error(node, ptr(), "package name " + shown(name) + " contains a control character");
      return;
    }
  }
  auto space = [](char c) { return c == ' '; };
  if (space(name.front()) || space(name.back())) {
    error(node, ptr(), "package name " + shown(name) + " has leading or trailing whitespace");
  } else if (std::any_of(name.begin(), name.end(), space)) {
    error(node, ptr(), "package name " + shown(name) + " contains whitespace");
  }
}

bool Validator::schema_version(NodeId root) {
  std::string version;
  if (!read_string(root, "", "schema_version", true, &version)) return true;
  NodeId node = pos_.member(root, "schema_version");
  size_t dot1 = version.find('.');
  size_t dot2 = dot1 == std::string::npos ? dot1 : version.find('.', dot1 + 1);
  std::string_view v = version;
  if (dot2 == std::string::npos || !is_digits(v.substr(0, dot1)) ||
      !is_digits(v.substr(dot1 + 1, dot2 - dot1 - 1)) || !is_digits(v.substr(dot2 + 1)) ||
      dot1 > 9) {
    error(node, "/schema_version",
          "invalid schema version " + shown(version) +
              "; expected MAJOR.MINOR.PATCH such as '1.0.0'");
    return true;  // validate the rest as 1.x: more useful than silence
  }
  unsigned long major = std::stoul(version.substr(0, dot1));
  if (major != 1) {
    error(node, "/schema_version",
          "unsupported schema major version " + std::to_string(major) + " (this build reads 1.x)");
    return false;  // a different major means different fields; checking them is noise
  }
  return true;
}

bool Validator::document(size_t first_index, std::vector<Rule>* out) {
  NodeId root = pos_.root();
  if (root == JsonPositions::kNone) return false;
  if (!pos_.is_object(root)) {
    error(root, "",
          "a rule file must be a JSON object {\"schema_version\": ..., \"rules\": [...]}, got " +
              std::string(pos_.type_name(root)));
    return false;
  }
  if (!schema_version(root)) return false;
  check_object(root, "", kTopFields);
  if (NodeId s = get(root, "$schema"); s != JsonPositions::kNone && !pos_.is_string(s)) {
    wrong_type(s, "/$schema", "a string");
  }
  NodeId rules = read_array(root, "", "rules", true);
  if (rules == JsonPositions::kNone) return true;
  for (size_t i = 0; i < pos_.size(rules); ++i) {
    Rule r;
    if (rule(pos_.element(rules, i), first_index + i, &r)) out->push_back(std::move(r));
  }
  return true;
}

bool Validator::rule(NodeId node, size_t index, Rule* out) {
  const std::string ptr = "/rules/" + std::to_string(index);
  size_t errors_before = errors_->size();
  if (!check_object(node, ptr, kRuleFields)) return false;
  Rule& r = *out;
  r.file = LoadState::share(&state_->last.file, file_);
  r.line = pos_.node(node).line;

  if (read_string(node, ptr, "id", true, &r.id)) {
    NodeId id_node = pos_.member(node, "id");
    std::string id_ptr = ptr + "/id";
    if (r.id.empty()) {
      error(id_node, id_ptr, "rule id must not be empty");
    } else if (std::any_of(r.id.begin(), r.id.end(), [](char c) {
                 return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
               })) {
      error(id_node, id_ptr, "rule id " + shown(r.id) + " contains a control character");
    } else {
      const JsonPositions::Node& at = pos_.node(id_node);
      LoadState::Where here{static_cast<uint32_t>(state_->files.size() - 1), at.line, at.col};
      if (const LoadState::Where* seen = state_->first.insert(r.id, here)) {
        error(id_node, id_ptr,
              "duplicate rule id " + r.id + " (first defined at " + state_->where(*seen) +
                  ")");
      }
    }
  }
  read_string(node, ptr, "title", true, &r.title);
  read_enum(node, ptr, "kind", true, kKinds, &r.kind);
  read_enum(node, ptr, "ecosystem", true, kEcosystems, &r.ecosystem);
  std::string severity;
  if (read_enum(node, ptr, "severity", true, kSeverities, &severity)) {
    for (Severity s : {Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
      if (severity_name(s) == severity) r.severity = s;
    }
  }
  read_string(node, ptr, "summary", false, &r.summary);
  aliases(node, ptr, &r);
  references(node, ptr, &r);

  if (NodeId a = read_array(node, ptr, "package_rules", false); a != JsonPositions::kNone) {
    r.package_rules.resize(pos_.size(a));
    // One pointer buffer for all entries: a feed's rule holds thousands.
    std::string eptr = ptr + "/package_rules/";
    const size_t base = eptr.size();
    for (size_t i = 0; i < pos_.size(a); ++i) {
      eptr.resize(base);
      eptr += std::to_string(i);
      package_rule(pos_.element(a, i), eptr, &r.package_rules[i]);
    }
  }
  if (NodeId a = read_array(node, ptr, "dropper_packages", false); a != JsonPositions::kNone) {
    r.dropper_packages.resize(pos_.size(a));
    for (size_t i = 0; i < pos_.size(a); ++i) {
      dropper(pos_.element(a, i), child(ptr + "/dropper_packages", i), &r.dropper_packages[i]);
    }
  }
  if (NodeId a = read_array(node, ptr, "host_indicators", false); a != JsonPositions::kNone) {
    r.host_indicators.resize(pos_.size(a));
    for (size_t i = 0; i < pos_.size(a); ++i) {
      host_indicator(pos_.element(a, i), child(ptr + "/host_indicators", i),
                     &r.host_indicators[i]);
    }
  }
  yara_rules(node, ptr, &r);
  // The strict schema requires package_rules; a rule that only names a
  // dropper, host artefacts or YARA rules is legitimate, a rule with none of
  // them would load and never fire. (The message predates yara_rules and is
  // pinned by tests/rules/load_test.cpp; docs/rule-format.md mentions it.)
  if (r.package_rules.empty() && r.dropper_packages.empty() && r.host_indicators.empty() &&
      r.yara_rules.empty() && errors_->size() == errors_before) {
    error(node, ptr,
          "rule matches nothing: needs package_rules, dropper_packages or host_indicators");
  }
  if (NodeId m = get(node, "remediation"); m != JsonPositions::kNone) {
    remediation(m, ptr + "/remediation", &r.remediation);
  }
  if (NodeId m = get(node, "metadata"); m != JsonPositions::kNone) {
    metadata(m, ptr + "/metadata", &r);
  }
  return errors_->size() == errors_before;
}

void Validator::aliases(NodeId rule, const std::string& ptr, Rule* r) {
  NodeId a = read_array(rule, ptr, "aliases", false);
  if (a == JsonPositions::kNone) return;
  std::string aptr = ptr + "/aliases";
  for (size_t i = 0; i < pos_.size(a); ++i) {
    NodeId e = pos_.element(a, i);
    Alias alias;
    if (pos_.is_string(e)) {  // runbook variant: a bare string
      alias.type = "other";
      alias.value = pos_.string(e);
    } else if (pos_.is_object(e)) {
      std::string eptr = child(aptr, i);
      check_object(e, eptr, kAliasFields);
      read_enum(e, eptr, "type", true, kAliasTypes, &alias.type);
      read_string(e, eptr, "value", true, &alias.value);
    } else {
      wrong_type(e, child(aptr, i), "an object or a string");
      continue;
    }
    r->aliases.push_back(std::move(alias));
  }
}

void Validator::references(NodeId rule, const std::string& ptr, Rule* r) {
  NodeId a = read_array(rule, ptr, "references", false);
  if (a == JsonPositions::kNone) return;
  std::string aptr = ptr + "/references";
  for (size_t i = 0; i < pos_.size(a); ++i) {
    NodeId e = pos_.element(a, i);
    Reference ref;
    if (pos_.is_string(e)) {  // runbook variant: a bare URL
      ref.type = "other";
      ref.url = pos_.string(e);
      if (ref.url.empty()) error(e, child(aptr, i), "reference URL must not be empty");
    } else if (pos_.is_object(e)) {
      std::string eptr = child(aptr, i);
      check_object(e, eptr, kReferenceFields);
      read_enum(e, eptr, "type", true, kReferenceTypes, &ref.type);
      if (read_string(e, eptr, "url", true, &ref.url) && ref.url.empty()) {
        error(pos_.member(e, "url"), eptr + "/url", "reference URL must not be empty");
      }
    } else {
      wrong_type(e, child(aptr, i), "an object or a string");
      continue;
    }
    r->references.push_back(std::move(ref));
  }
}

void Validator::package_rule(NodeId node, const std::string& ptr, PackageRule* p) {
  if (!check_object(node, ptr, kPackageRuleFields)) return;
  p->line = pos_.node(node).line;
  if (read_string(node, ptr, "package_name", true, &p->package_name)) {
    check_package_name(p->package_name, pos_.member(node, "package_name"), ptr);
  }
  if (NodeId a = read_array(node, ptr, "affected_versions", true); a != JsonPositions::kNone) {
    size_t n = pos_.size(a);
    if (n == 0) {
      error(a, ptr + "/affected_versions",
            "must list at least one version expression (use '*' for every version)");
    }
    p->affected_versions.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      NodeId e = pos_.element(a, i);
      if (!pos_.is_string(e)) {
        wrong_type(e, child(ptr + "/affected_versions", i), "a string");
        continue;
      }
      std::string expr = pos_.string(e);
      // An empty range means "*" to node-semver: every version. Written by
      // mistake it would flag every install of the package, so demand '*'.
      if (expr.find_first_not_of(" \t") == std::string::npos) {
        error(e, child(ptr + "/affected_versions", i),
              "empty version expression (write '*' to match every version)");
        continue;
      }
      auto& memo = state_->parsed_ranges;
      if (auto hit = memo.find(expr); hit != memo.end()) {
        p->affected_versions.push_back(AffectedVersion{std::move(expr), hit->second});
        continue;
      }
      std::string err;
      std::optional<semver::Range> range = semver::Range::parse(expr, &err);
      if (!range) {
        error(e, child(ptr + "/affected_versions", i),
              "invalid version expression " + shown(expr) + ": " + err);
        continue;
      }
      if (memo.size() < LoadState::kMaxParsedRanges) memo.emplace(expr, *range);
      p->affected_versions.push_back(AffectedVersion{std::move(expr), std::move(*range)});
    }
  }
  if (NodeId a = read_array(node, ptr, "lockfile_ecosystems", false); a != JsonPositions::kNone) {
    for (size_t i = 0; i < pos_.size(a); ++i) {
      NodeId e = pos_.element(a, i);
      std::string eptr = child(ptr + "/lockfile_ecosystems", i);
      if (!pos_.is_string(e)) {
        wrong_type(e, eptr, "a string");
        continue;
      }
      std::string s = pos_.string(e);
      if (!check_enum(s, e, eptr, kLockfileEcosystems)) continue;
      if (std::find(p->lockfile_ecosystems.begin(), p->lockfile_ecosystems.end(), s) !=
          p->lockfile_ecosystems.end()) {
        error(e, eptr, "duplicate value " + shown(s));
        continue;
      }
      p->lockfile_ecosystems.push_back(std::move(s));
    }
  }
  read_string(node, ptr, "notes", false, &p->notes, &state_->last.notes);
}

void Validator::dropper(NodeId node, const std::string& ptr, DropperPackage* d) {
  if (!check_object(node, ptr, kDropperFields)) return;
  d->line = pos_.node(node).line;
  if (read_string(node, ptr, "package_name", true, &d->package_name)) {
    check_package_name(d->package_name, pos_.member(node, "package_name"), ptr);
  }
  read_string(node, ptr, "notes", false, &d->notes, &state_->last.notes);
}

void Validator::host_indicator(NodeId node, const std::string& ptr, HostIndicator* h) {
  if (!check_object(node, ptr, kHostFields)) return;
  read_enum(node, ptr, "type", true, kIndicatorTypes, &h->type);
  read_string(node, ptr, "path", false, &h->path);
  read_string(node, ptr, "file_name", false, &h->file_name);
  read_string(node, ptr, "value", false, &h->value);
  if (h->type == "file" && h->path.empty() && h->file_name.empty()) {
    error(node, ptr, "a file indicator needs a path or a file_name");
  }

  if (NodeId a = read_array(node, ptr, "oses", true); a != JsonPositions::kNone) {
    if (pos_.size(a) == 0) error(a, ptr + "/oses", "must list at least one of " + join(kOses));
    for (size_t i = 0; i < pos_.size(a); ++i) {
      NodeId e = pos_.element(a, i);
      std::string eptr = child(ptr + "/oses", i);
      if (!pos_.is_string(e)) {
        wrong_type(e, eptr, "a string");
        continue;
      }
      std::string os = pos_.string(e);
      if (os == "darwin") os = "macos";  // runbook variant: Node's process.platform name
      if (!check_enum(os, e, eptr, kOses)) continue;
      if (std::find(h->oses.begin(), h->oses.end(), os) != h->oses.end()) {
        error(e, eptr, "duplicate value " + shown(os));
        continue;
      }
      h->oses.push_back(std::move(os));
    }
  }

  if (NodeId a = read_array(node, ptr, "hashes", false); a != JsonPositions::kNone) {
    if (pos_.size(a) != 0 && !h->type.empty() && h->type != "file") {
      error(a, ptr + "/hashes",
            "hashes are only allowed on file indicators (this one is " + shown(h->type) + ")");
    } else {
      h->hashes.resize(pos_.size(a));
      for (size_t i = 0; i < pos_.size(a); ++i) {
        hash(pos_.element(a, i), child(ptr + "/hashes", i), &h->hashes[i]);
      }
    }
  }
  read_enum(node, ptr, "confidence", false, kConfidences, &h->confidence);
  read_string(node, ptr, "notes", false, &h->notes);
}

void Validator::hash(NodeId node, const std::string& ptr, FileHash* h) {
  if (!check_object(node, ptr, kHashFields)) return;
  read_enum(node, ptr, "algorithm", true, kHashAlgorithms, &h->algorithm);
  if (!read_string(node, ptr, "value", true, &h->value)) return;
  NodeId vn = pos_.member(node, "value");
  std::string vptr = ptr + "/value";
  auto bad = std::find_if(h->value.begin(), h->value.end(), [](char c) { return !is_hex(c); });
  if (bad != h->value.end()) {
    error(vn, vptr,
          "hash value must be hexadecimal; found " + shown(std::string_view(&*bad, 1)) +
              " at index " + std::to_string(bad - h->value.begin()));
    return;
  }
  // Lower-case once here so matching compares bytes.
  for (char& c : h->value) c = lower(c);
  size_t want = h->algorithm == "md5"      ? 32
                : h->algorithm == "sha1"   ? 40
                : h->algorithm == "sha256" ? 64
                : h->algorithm == "sha512" ? 128
                                           : 0;
  if (want != 0 && h->value.size() != want) {
    error(vn, vptr,
          h->algorithm + " hash must have " + std::to_string(want) + " hex digits, got " +
              std::to_string(h->value.size()));
  }
}

void Validator::remediation(NodeId node, const std::string& ptr, Remediation* r) {
  if (!check_object(node, ptr, kRemediationFields)) return;
  read_string(node, ptr, "summary", false, &r->summary, &state_->last.summary);
  if (NodeId a = read_array(node, ptr, "steps", false); a != JsonPositions::kNone) {
    for (size_t i = 0; i < pos_.size(a); ++i) {
      NodeId e = pos_.element(a, i);
      if (!pos_.is_string(e)) {
        wrong_type(e, child(ptr + "/steps", i), "a string");
        continue;
      }
      r->steps.push_back(pos_.string(e));
    }
  }
}

// YARA files (or folders of them) that -heuristic runs with this rule,
// written relative to the rule file's folder and stored relative to the
// current directory, as the rule file's own path is. Checked here, at load
// time: a rule whose YARA file is missing would otherwise fail only when
// someone runs -heuristic, far from the author's edit.
void Validator::yara_rules(NodeId rule, const std::string& ptr, Rule* r) {
  NodeId a = read_array(rule, ptr, "yara_rules", false);
  if (a == JsonPositions::kNone) return;
  namespace fs = std::filesystem;
  const fs::path base = fs::path(file_).parent_path();
  for (size_t i = 0; i < pos_.size(a); ++i) {
    NodeId e = pos_.element(a, i);
    std::string eptr = child(ptr + "/yara_rules", i);
    if (!pos_.is_string(e)) {
      wrong_type(e, eptr, "a string");
      continue;
    }
    std::string written = pos_.string(e);
    if (written.empty()) {
      error(e, eptr, "YARA rule path must not be empty");
      continue;
    }
    if (std::any_of(written.begin(), written.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
      error(e, eptr, "YARA rule path " + shown(written) + " contains a control character");
      continue;
    }
    fs::path p(written);
    std::string resolved = (p.is_absolute() ? p : base / p).lexically_normal().string();
    std::error_code ec;
    fs::file_status st = fs::status(resolved, ec);
    if (!fs::exists(st)) {
      std::string where = resolved == written ? "" : " (looked for " + shown(resolved) + ")";
      error(e, eptr, "YARA rule file " + shown(written) + " not found" + where);
      continue;
    }
    if (!fs::is_regular_file(st) && !fs::is_directory(st)) {
      error(e, eptr, "YARA rule path " + shown(resolved) + " is neither a file nor a folder");
      continue;
    }
    if (std::find(r->yara_rules.begin(), r->yara_rules.end(), resolved) != r->yara_rules.end()) {
      error(e, eptr, "duplicate value " + shown(written));
      continue;
    }
    r->yara_rules.push_back(std::move(resolved));
  }
}

void Validator::metadata(NodeId node, const std::string& ptr, Rule* r) {
  if (!check_object(node, ptr, kMetadataFields)) return;
  for (auto [key, out, last] :
       {std::tuple{std::string_view("published_at"), &r->published_at, &state_->last.published_at},
        std::tuple{std::string_view("last_updated_at"), &r->last_updated_at, &state_->last.last_updated_at}}) {
    if (read_string(node, ptr, key, false, out, last) && !is_rfc3339(*out)) {
      error(pos_.member(node, key), child(ptr, key),
            "invalid date-time " + shown(*out) +
                "; expected RFC 3339 such as '2026-04-01T12:00:00Z'");
      out->clear();
    }
  }
}

void sort_by_position(Errors* errors, size_t from) {
  std::stable_sort(errors->begin() + static_cast<ptrdiff_t>(from), errors->end(),
                   [](const Error& a, const Error& b) {
                     return a.line != b.line ? a.line < b.line : a.col < b.col;
                   });
}

// Reserves room for the rules of a feed whose first rule took `first` of
// the `rest` bytes: growing a vector of 200,000 rules would copy them and
// hold two buffers at once. Generously: capacity never written to is address
// space only (such buffers are mmapped), not memory.
void reserve_like(std::vector<Rule>* rules, size_t first, size_t rest) {
  const size_t guess = rest / std::max<size_t>(first, 64) * 2 + 16;
  rules->reserve(rules->size() + guess);
}

// Streams the document's "rules" (JsonPositions keeps one rule's tree at a
// time), then checks its root. `buf`, when given, holds `text` and gives
// back the pages of rules already read (2 MB at a time): a 200,000-rule feed peaks at
// its rules, not at text + tree + rules (docs/performance.md, "Rule scale").
bool parse_document(std::string_view text, const std::string& file, RuleSet* out,
                    Errors* errors, LoadState* state, FileBuffer* buf = nullptr) {
  const size_t errors_before = errors->size();
  state->files.push_back(file);
  const auto file_index = static_cast<uint32_t>(state->files.size() - 1);

  const size_t rules_before = out->rules.size();
  size_t released_from = SIZE_MAX;  // the text before the first rule stays
  bool released = false;
  JsonPositions pos(text, "rules",
                    [&](const JsonPositions& tree, NodeId node, size_t index, size_t end) {
                      const size_t begin = tree.node(node).offset;
                      if (index == 0) reserve_like(&out->rules, end - begin, text.size() - begin);
                      Rule r;
                      if (Validator(file, tree, errors, state).rule(node, index, &r)) {
                        out->rules.push_back(std::move(r));
                      }
                      if (buf == nullptr) return;
                      if (released_from == SIZE_MAX) released_from = begin;
                      // In 2 MB steps: a call per rule would cost a system call each.
                      if (end - released_from >= (size_t{2} << 20)) {
                        buf->release(released_from, end);
                        released_from = end;
                        released = true;
                      }
                    });
  const size_t rule_errors_end = errors->size();
  // The document is refused as a whole: drop what its rules added, their
  // errors and their ids (so no other file is blamed for a duplicate).
  auto forget_rules = [&] {
    out->rules.resize(rules_before);
    errors->erase(errors->begin() + static_cast<ptrdiff_t>(errors_before),
                  errors->begin() + static_cast<ptrdiff_t>(rule_errors_end));
    state->first.forget_file(file_index);
  };

  std::optional<Error> syntax;
  if (!released || pos.known_valid()) {
    syntax = check_json_syntax(text, file, pos);
  } else {
    // nlohmann words the error (or settles a number) and needs the whole
    // text, part of which was given back: read it again.
    FileBuffer again;
    if (std::optional<Error> e = read_file(file, &again)) {
      syntax = std::move(e);
    } else {
      syntax = check_json_syntax(again.view(), file, pos);
      if (!syntax && pos.known_invalid()) {
        syntax = Error{file, 0, 0, "the file changed while it was read; load it again"};
      }
    }
  }
  if (syntax) {
    forget_rules();
    errors->push_back(std::move(*syntax));
    return false;
  }
  if (!Validator(file, pos, errors, state).document(pos.streamed(), &out->rules)) {
    forget_rules();
    return false;
  }
  sort_by_position(errors, errors_before);
  return errors->size() == errors_before;
}

namespace fs = std::filesystem;

}  // namespace

bool list_files(const std::string& dir, const std::function<bool(const fs::path&)>& keep,
                std::vector<std::string>* files, Errors* errors) {
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    if (entry.path().filename().string().starts_with(".")) {
      if (entry.is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (entry.is_regular_file(ec) && keep(entry.path())) files->push_back(entry.path().string());
  }
  if (ec) {
    errors->push_back(Error{dir, 0, 0, "cannot read folder: " + ec.message()});
    return false;
  }
  std::sort(files->begin(), files->end());
  return true;
}

namespace {

bool list_rule_files_in(const std::string& dir, std::vector<std::string>* files, Errors* errors) {
  return list_files(dir, [](const fs::path& p) { return p.extension() == ".json"; }, files, errors);
}

void load_file(const std::string& path, RuleSet* out, Errors* errors, LoadState* state) {
  FileBuffer buf;
  if (std::optional<Error> e = read_file(path, &buf)) {
    errors->push_back(std::move(*e));
    return;
  }
  out->files.push_back(path);
  parse_document(buf.view(), path, out, errors, state, &buf);
}

// Ids of rules already in *out, for callers loading in several steps (only
// their line is known).
LoadState seed_state(const RuleSet& set) {
  LoadState state;
  for (const Rule& r : set.rules) {
    state.files.push_back(r.file.str());
    state.first.insert(r.id, LoadState::Where{static_cast<uint32_t>(state.files.size() - 1), r.line, 0});
  }
  return state;
}

}  // namespace

bool list_rule_files(const std::string& dir, std::vector<std::string>* files, Errors* errors) {
  return list_rule_files_in(dir, files, errors);
}

bool parse_rule_document(std::string_view text, const std::string& file, RuleSet* out,
                         Errors* errors) {
  LoadState state = seed_state(*out);
  return parse_document(text, file, out, errors, &state);
}

bool load_rules(const std::vector<std::string>& paths, RuleSet* out, Errors* errors) {
  size_t errors_before = errors->size();
  LoadState state = seed_state(*out);
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      load_file(path, out, errors, &state);  // read_file names a missing path
      continue;
    }
    std::vector<std::string> files;
    if (!list_rule_files_in(path, &files, errors)) continue;
    if (files.empty()) {
      errors->push_back(Error{"", 0, 0, "no rule files (*.json) found in " + path});
      continue;
    }
    for (const std::string& f : files) load_file(f, out, errors, &state);
  }
  // Files that parse but hold no rules ("rules": []) would make every scan
  // "clean": refuse rather than report a clean scan against nothing.
  if (errors->size() == errors_before && out->rules.empty()) {
    std::string where;
    for (const std::string& p : paths) where += (where.empty() ? "" : ", ") + p;
    errors->push_back(Error{"", 0, 0, "no rules loaded from " + where + " (the rule files hold no rules)"});
  }
  return errors->size() == errors_before;
}

}  // namespace gv
