// The import driver (sources: file, folder, zip; finishing: order and ids)
// and the helpers the three importers share (import_internal.h).
//
// Zip archives are read in memory with libzip and never extracted: a feed
// archive is untrusted input, and extracting it would hand its member names
// (../../etc/...) to the filesystem. The limits (64 MiB per member, 1,000,000
// members, 4 GiB in all) stop zip bombs before they cost memory or hours;
// osv.dev's npm archive is far below all three.

#include "rules/import.h"

#include <zip.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <system_error>

#include "common/file.h"
#include "rules/import_internal.h"
#include "rules/json_text.h"
#include "rules/load.h"

namespace gv {

namespace import_detail {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char a = s[i], b = prefix[i];
    if (a >= 'a' && a <= 'z') a = static_cast<char>(a - 'a' + 'A');
    if (b >= 'a' && b <= 'z') b = static_cast<char>(b - 'a' + 'A');
    if (a != b) return false;
  }
  return true;
}

}  // namespace

std::string child(const std::string& ptr, std::string_view key) { return ptr + "/" + pointer_escape(key); }
std::string child(const std::string& ptr, size_t index) { return ptr + "/" + std::to_string(index); }

// ---- JsonDoc

bool JsonDoc::parse(std::string_view text, const std::string& file, Errors* errors) {
  // A UTF-8 byte order mark is not JSON, but editors on Windows add one.
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  text_ = text;
  file_ = file;
  errors_ = errors;
  pos_.emplace(text);
  if (std::optional<Error> e = check_json_syntax(text, file, *pos_)) {
    errors->push_back(std::move(*e));
    return false;
  }
  return true;
}

void JsonDoc::error(NodeId node, const std::string& ptr, std::string reason) {
  Error e;
  e.file = file_;
  if (node != kNone) {
    e.line = pos_->node(node).line;
    e.col = pos_->node(node).col;
  }
  e.what = ptr.empty() ? std::move(reason) : ptr + ": " + reason;
  errors_->push_back(std::move(e));
}

void JsonDoc::wrong_type(NodeId node, const std::string& ptr, std::string_view expected) {
  error(node, ptr, "expected " + std::string(expected) + ", got " + std::string(pos_->type_name(node)));
}

NodeId JsonDoc::get(NodeId obj, std::string_view key) const {
  if (obj == kNone || !pos_->is_object(obj)) return kNone;
  NodeId v = pos_->member(obj, key);
  return v == kNone || pos_->is_null(v) ? kNone : v;
}

bool JsonDoc::string(NodeId obj, const std::string& ptr, std::string_view key, std::string* out) {
  NodeId v = get(obj, key);
  if (v == kNone) return false;
  if (!pos_->is_string(v)) {
    wrong_type(v, child(ptr, key), "a string");
    return false;
  }
  *out = pos_->string(v);
  return true;
}

bool JsonDoc::string(NodeId obj, const std::string& ptr, std::string_view key, Str* out) {
  std::string s;
  if (!string(obj, ptr, key, &s)) return false;
  *out = s;
  return true;
}

NodeId JsonDoc::array(NodeId obj, const std::string& ptr, std::string_view key) {
  NodeId v = get(obj, key);
  if (v == kNone) return kNone;
  if (!pos_->is_array(v)) {
    wrong_type(v, child(ptr, key), "an array");
    return kNone;
  }
  return v;
}

NodeId JsonDoc::object(NodeId obj, const std::string& ptr, std::string_view key) {
  NodeId v = get(obj, key);
  if (v == kNone) return kNone;
  if (!pos_->is_object(v)) {
    wrong_type(v, child(ptr, key), "an object");
    return kNone;
  }
  return v;
}

std::optional<double> JsonDoc::number(NodeId node) const {
  if (node == kNone) return std::nullopt;
  char k = pos_->node(node).kind;
  if (k != '-' && (k < '0' || k > '9')) return std::nullopt;
  std::string_view rest = text_.substr(pos_->node(node).offset);
  size_t end = rest.find_first_of(",]} \t\r\n");
  std::string num(rest.substr(0, end));
  char* stop = nullptr;
  double v = std::strtod(num.c_str(), &stop);
  if (stop == num.c_str()) return std::nullopt;
  return v;
}

// ---- VersionSet, PackageSet

void VersionSet::add_exact(const semver::Version& v) { exact_.push_back(v); }

void VersionSet::add_range(std::string expr, semver::Range range) {
  for (const AffectedVersion& av : ranges_) {
    if (av.expr == expr) return;
  }
  ranges_.push_back(AffectedVersion{std::move(expr), std::move(range)});
}

std::vector<AffectedVersion> VersionSet::take() {
  std::vector<AffectedVersion> out;
  auto star = std::find_if(ranges_.begin(), ranges_.end(), [](const AffectedVersion& av) { return av.expr == "*"; });
  if (star != ranges_.end()) {
    out.push_back(std::move(*star));
    exact_.clear();
    ranges_.clear();
    return out;
  }
  std::sort(exact_.begin(), exact_.end(),
            [](const semver::Version& a, const semver::Version& b) { return semver::compare(a, b) < 0; });
  exact_.erase(
      std::unique(exact_.begin(), exact_.end(),
                  [](const semver::Version& a, const semver::Version& b) { return semver::compare(a, b) == 0; }),
      exact_.end());
  out.reserve(exact_.size() + ranges_.size());
  for (const semver::Version& v : exact_) {
    bool covered =
        std::any_of(ranges_.begin(), ranges_.end(), [&](const AffectedVersion& av) { return av.range.satisfies(v); });
    if (covered) continue;
    std::string expr = "=" + v.str();
    std::optional<semver::Range> r = semver::Range::parse(expr);
    if (r) out.push_back(AffectedVersion{std::move(expr), std::move(*r)});
  }
  for (AffectedVersion& av : ranges_) out.push_back(std::move(av));
  exact_.clear();
  ranges_.clear();
  return out;
}

std::vector<PackageRule> PackageSet::take() {
  std::vector<PackageRule> out;
  out.reserve(by_name.size());
  for (auto& [name, entry] : by_name) {
    if (entry.versions.empty()) continue;
    PackageRule pr;
    pr.package_name = name;
    pr.affected_versions = entry.versions.take();
    std::string notes;
    for (const std::string& n : entry.notes) {
      if (n.empty() || notes.find(n) != std::string::npos) continue;
      if (!notes.empty()) notes += "; ";
      notes += n;
    }
    pr.notes = std::move(notes);
    pr.line = entry.line;
    out.push_back(std::move(pr));
  }
  by_name.clear();
  return out;
}

std::optional<semver::Version> parse_exact(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  return semver::parse_version(text);
}

std::string package_name_problem(std::string_view name) {
  if (name.empty()) return "package name must not be empty";
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return "package name " + shown(name) + " contains a control character";
  }
  if (name.find(' ') != std::string_view::npos) return "package name " + shown(name) + " contains whitespace";
  return {};
}

// ---- aliases, references, text

std::string alias_type(std::string_view id) {
  if (starts_with_ci(id, "GHSA-")) return "ghsa";
  if (starts_with_ci(id, "CVE-")) return "cve";
  if (starts_with_ci(id, "SNYK-")) return "snyk";
  return "other";
}

void add_alias(Rule* r, std::string_view type, std::string_view value) {
  if (value.empty()) return;
  for (const Alias& a : r->aliases) {
    if (a.value == value) return;
  }
  r->aliases.push_back(Alias{type, value});
}

void add_reference(Rule* r, std::string_view type, std::string_view url) {
  if (url.empty()) return;
  for (const Reference& ref : r->references) {
    if (ref.url == url) return;
  }
  r->references.push_back(Reference{type, url});
}

std::string one_line(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string summary_text(std::string_view details) {
  std::string text(trim(details));
  // OpenSSF malicious-packages entries start their details with this marker
  // line (and a "---" rule above it) before the per-source reports.
  static constexpr std::string_view kMarker = "_-= Per source details. Do not edit below this line.=-_";
  if (size_t p = text.find(kMarker); p != std::string::npos) {
    std::string_view head = trim(std::string_view(text).substr(0, p));
    if (head.ends_with("---")) head = trim(head.substr(0, head.size() - 3));
    std::string_view tail = trim(std::string_view(text).substr(p + kMarker.size()));
    text = head.empty() ? std::string(tail) : std::string(head) + "\n\n" + std::string(tail);
  }
  // Control characters other than line breaks and tabs have no place in a
  // summary printed on terminals; the report escapes them, we drop them.
  std::erase_if(text, [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\n' && c != '\t') || u == 0x7F;
  });
  constexpr size_t kMax = 2000;
  if (text.size() > kMax) {
    size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
    text += "...";
  }
  return text;
}

// ---- dates

std::optional<std::string> normalize_datetime(std::string_view s) {
  s = trim(s);
  if (is_rfc3339(s)) return std::string(s);
  if (s.size() == 10 && is_date(s)) return std::string(s) + "T00:00:00Z";
  return std::nullopt;
}

void read_dates(JsonDoc& doc, NodeId node, const std::string& ptr, std::string_view published_key,
                std::string_view updated_key, Rule* r) {
  for (auto [key, out] : {std::pair{published_key, &r->published_at}, std::pair{updated_key, &r->last_updated_at}}) {
    std::string value;
    if (!doc.string(node, ptr, key, &value)) continue;
    if (std::optional<std::string> dt = normalize_datetime(value)) {
      *out = std::move(*dt);
    } else {
      doc.error(doc.pos().member(node, key), child(ptr, key),
                "invalid date-time " + shown(value) + "; expected RFC 3339 such as '2026-04-01T12:00:00Z'");
    }
  }
}

bool before_since(std::string_view date, std::string_view since) {
  if (since.empty() || date.size() < 10) return false;
  return date.substr(0, 10) < since;
}

// ---- severity

std::optional<Severity> severity_named(std::string_view s) {
  s = trim(s);
  auto eq = [&](std::string_view w) { return s.size() == w.size() && starts_with_ci(s, w); };
  if (eq("critical")) return Severity::kCritical;
  if (eq("high") || eq("important")) return Severity::kHigh;
  if (eq("moderate") || eq("medium")) return Severity::kMedium;
  if (eq("low") || eq("negligible")) return Severity::kLow;
  return std::nullopt;
}

Severity severity_of_score(double score) {
  if (score >= 9.0) return Severity::kCritical;
  if (score >= 7.0) return Severity::kHigh;
  if (score >= 4.0) return Severity::kMedium;
  return Severity::kLow;
}

// CVSS v3.1 specification, section 7 (v3.0 differs only in Roundup's
// floating-point care, not in results at one decimal).
std::optional<double> cvss3_base_score(std::string_view vector) {
  if (!vector.starts_with("CVSS:3.0/") && !vector.starts_with("CVSS:3.1/")) return std::nullopt;
  vector.remove_prefix(9);
  char av = 0, ac = 0, pr = 0, ui = 0, s = 0, c = 0, i = 0, a = 0;
  while (!vector.empty()) {
    size_t slash = vector.find('/');
    std::string_view metric = vector.substr(0, slash);
    vector = slash == std::string_view::npos ? std::string_view() : vector.substr(slash + 1);
    size_t colon = metric.find(':');
    if (colon == std::string_view::npos || colon + 2 != metric.size()) continue;
    std::string_view key = metric.substr(0, colon);
    char v = metric[colon + 1];
    if (key == "AV")
      av = v;
    else if (key == "AC")
      ac = v;
    else if (key == "PR")
      pr = v;
    else if (key == "UI")
      ui = v;
    else if (key == "S")
      s = v;
    else if (key == "C")
      c = v;
    else if (key == "I")
      i = v;
    else if (key == "A")
      a = v;
  }
  auto cia = [](char v) { return v == 'H' ? 0.56 : v == 'L' ? 0.22 : v == 'N' ? 0.0 : -1.0; };
  double w_av = av == 'N' ? 0.85 : av == 'A' ? 0.62 : av == 'L' ? 0.55 : av == 'P' ? 0.2 : -1;
  double w_ac = ac == 'L' ? 0.77 : ac == 'H' ? 0.44 : -1;
  bool changed = s == 'C';
  double w_pr = pr == 'N' ? 0.85 : pr == 'L' ? (changed ? 0.68 : 0.62) : pr == 'H' ? (changed ? 0.5 : 0.27) : -1;
  double w_ui = ui == 'N' ? 0.85 : ui == 'R' ? 0.62 : -1;
  double w_c = cia(c), w_i = cia(i), w_a = cia(a);
  if (w_av < 0 || w_ac < 0 || w_pr < 0 || w_ui < 0 || w_c < 0 || w_i < 0 || w_a < 0 || (s != 'U' && s != 'C')) {
    return std::nullopt;
  }
  double iss = 1 - (1 - w_c) * (1 - w_i) * (1 - w_a);
  double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15) : 6.42 * iss;
  double exploitability = 8.22 * w_av * w_ac * w_pr * w_ui;
  if (impact <= 0) return 0.0;
  double raw = changed ? std::min(1.08 * (impact + exploitability), 10.0) : std::min(impact + exploitability, 10.0);
  // Roundup: the smallest number with one decimal >= raw, computed on
  // integers to dodge floating-point error (CVSS 3.1 Appendix A).
  long scaled = std::lround(raw * 100000);
  return scaled % 10000 == 0 ? static_cast<double>(scaled) / 100000.0
                             : (std::floor(static_cast<double>(scaled) / 10000) + 1) / 10.0;
}

std::optional<std::string> github_range_expr(std::string_view text, std::string* err) {
  std::vector<std::string> parts;
  std::string_view rest = trim(text);
  if (rest.empty()) return std::string("*");
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view piece = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    std::string compact;
    for (char c : piece) {
      if (!is_space(c)) compact += c;
    }
    if (compact.empty()) {
      *err = "empty constraint";
      return std::nullopt;
    }
    // GitHub writes "every version" as ">= 0".
    if (compact == ">=0" || compact == ">=0.0.0") continue;
    parts.push_back(std::move(compact));
  }
  std::string expr;
  for (const std::string& p : parts) expr += (expr.empty() ? "" : " ") + p;
  if (expr.empty()) expr = "*";
  std::string why;
  if (!semver::Range::parse(expr, &why)) {
    *err = why;
    return std::nullopt;
  }
  return expr;
}

std::string malicious_remediation() {
  return "Remove the package. Treat any machine that installed it as compromised: rotate the "
         "credentials it could read, and check for persistence.";
}

void finish_advisory(Rule* r, bool malicious, Severity severity, std::string_view summary,
                     const std::vector<std::string>& names, std::vector<std::string> fixes) {
  const std::string who =
      names.front() + (names.size() > 1 ? " and " + std::to_string(names.size() - 1) + " more" : "");
  r->kind = malicious ? "malicious-package" : "vulnerability";
  r->severity = severity;
  r->title = one_line(summary);
  if (r->title.empty()) r->title = malicious ? "Malicious package " + who : r->id + " in " + who;
  if (malicious) {
    r->remediation.summary = malicious_remediation();
  } else if (!fixes.empty()) {
    std::sort(fixes.begin(), fixes.end());
    fixes.erase(std::unique(fixes.begin(), fixes.end()), fixes.end());
    std::string list;
    for (const std::string& f : fixes) list += (list.empty() ? "" : ", ") + f;
    r->remediation.summary = "Upgrade to a fixed release: " + list + ".";
  }
}

}  // namespace import_detail

// ---- public

namespace {

namespace fs = std::filesystem;

bool has_extension(std::string_view name, std::string_view ext) {
  if (name.size() < ext.size()) return false;
  std::string_view tail = name.substr(name.size() - ext.size());
  for (size_t i = 0; i < ext.size(); ++i) {
    char c = tail[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != ext[i]) return false;
  }
  return true;
}

using DocumentFn = void (*)(std::string_view, const std::string&, const ImportOptions&, ImportBatch*, Errors*);

DocumentFn document_fn(ImportFormat f) {
  switch (f) {
    case ImportFormat::kOsv:
      return import_osv_document;
    case ImportFormat::kCsv:
      return import_csv_document;
    case ImportFormat::kGhsa:
      return import_ghsa_document;
  }
  return import_osv_document;
}

std::string_view extension_of(ImportFormat f) { return f == ImportFormat::kCsv ? ".csv" : ".json"; }

bool is_skipped(const fs::path& p, const std::vector<fs::path>& skip) {
  std::error_code ec;
  for (const fs::path& s : skip) {
    if (fs::equivalent(p, s, ec)) return true;
  }
  return false;
}

// Files under `dir` with the format's extension, sorted, as the rule
// loader lists (hidden entries skipped, symlinked folders not entered).
bool list_feed_files(const std::string& dir, std::string_view ext, const std::vector<fs::path>& skip,
                     std::vector<std::string>* files, Errors* errors) {
  auto keep = [&](const fs::path& p) { return has_extension(p.filename().string(), ext) && !is_skipped(p, skip); };
  return list_files(dir, keep, files, errors);
}

bool looks_like_zip(const std::string& path) {
  if (has_extension(path, ".zip")) return true;
  // A zip starts with a local file header ("PK\3\4"), or is empty ("PK\5\6").
  char head[4] = {};
  std::ifstream f(path, std::ios::binary);
  if (!f.read(head, sizeof head)) return false;
  std::string_view v(head, sizeof head);
  return v == std::string_view("PK\x03\x04", 4) || v == std::string_view("PK\x05\x06", 4);
}

// An explicit CSV rule id names one rule: refuse it before reading several files.
bool one_csv_for_id(ImportFormat format, const ImportOptions& opt, const std::string& src, size_t documents,
                    Errors* errors) {
  if (format != ImportFormat::kCsv || opt.csv_id.empty() || documents <= 1) return true;
  errors->push_back(Error{src, 0, 0,
                          "--id names one rule, but there are " + std::to_string(documents) +
                              " CSV files (without --id each becomes a rule CSV-<file name>)"});
  return false;
}

std::string mib(uint64_t bytes) {
  return bytes % (1 << 20) == 0 ? std::to_string(bytes >> 20) + " MiB" : std::to_string(bytes) + " bytes";
}

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

void import_zip(const std::string& path, ImportFormat format, const ImportOptions& opt, ImportBatch* batch,
                Errors* errors) {
  int code = 0;
  std::unique_ptr<zip_t, ZipCloser> za(zip_open(path.c_str(), ZIP_RDONLY, &code));
  if (!za) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, code);
    errors->push_back(Error{path, 0, 0, std::string("cannot open zip archive: ") + zip_error_strerror(&ze)});
    zip_error_fini(&ze);
    return;
  }
  const uint64_t max_member = opt.max_zip_member_bytes;
  const uint64_t max_members = opt.max_zip_members;
  const uint64_t max_total = opt.max_zip_total_bytes;
  zip_int64_t n = zip_get_num_entries(za.get(), 0);
  if (n < 0) n = 0;
  if (static_cast<uint64_t>(n) > max_members) {
    errors->push_back(Error{path, 0, 0,
                            "zip archive has " + std::to_string(n) + " members, more than the " +
                                std::to_string(max_members) + " this import accepts (a zip bomb?)"});
    return;
  }
  struct Member {
    std::string name;
    zip_uint64_t index;
    zip_uint64_t size;
  };
  std::vector<Member> members;
  uint64_t total = 0;
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za.get(), static_cast<zip_uint64_t>(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME)) continue;
    std::string name = st.name;
    std::string_view base = name;
    if (size_t slash = base.rfind('/'); slash != std::string_view::npos) base.remove_prefix(slash + 1);
    // Folders, other files, and macOS's AppleDouble shadows ("__MACOSX/", "._x.json").
    if (name.ends_with("/") || !has_extension(name, extension_of(format)) || base.starts_with(".") ||
        name.starts_with("__MACOSX/")) {
      continue;
    }
    zip_uint64_t size = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
    std::string member = path + "(" + name + ")";
    if (size > max_member) {
      errors->push_back(Error{member, 0, 0,
                              "zip member is " + std::to_string(size) + " bytes uncompressed, over the " +
                                  mib(max_member) + " limit (a zip bomb?)"});
      continue;
    }
    total += size;
    members.push_back(Member{std::move(name), static_cast<zip_uint64_t>(i), size});
  }
  if (total > max_total) {
    errors->push_back(Error{path, 0, 0,
                            "zip archive expands to " + std::to_string(total) + " bytes, over the " + mib(max_total) +
                                " limit (a zip bomb?)"});
    return;
  }
  if (!one_csv_for_id(format, opt, path, members.size(), errors)) return;
  std::sort(members.begin(), members.end(), [](const Member& a, const Member& b) { return a.name < b.name; });
  DocumentFn fn = document_fn(format);
  std::string buf;
  for (const Member& m : members) {
    std::string name = path + "(" + m.name + ")";
    zip_file_t* zf = zip_fopen_index(za.get(), m.index, 0);
    if (!zf) {
      errors->push_back(Error{name, 0, 0, std::string("cannot read zip member: ") + zip_strerror(za.get())});
      continue;
    }
    // The header's size can lie: read at most the limit plus one byte.
    buf.resize(static_cast<size_t>(std::min<uint64_t>(m.size, max_member)) + 1);
    size_t got = 0;
    bool failed = false;
    for (;;) {
      if (got == buf.size()) {
        if (buf.size() > max_member) break;
        buf.resize(std::min<size_t>(buf.size() * 2, max_member + 1));
      }
      zip_int64_t r = zip_fread(zf, buf.data() + got, buf.size() - got);
      if (r < 0) {
        errors->push_back(Error{name, 0, 0, std::string("cannot read zip member: ") + zip_file_strerror(zf)});
        failed = true;
        break;
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    zip_fclose(zf);
    if (failed) continue;
    if (got > max_member) {
      errors->push_back(Error{name, 0, 0, "zip member expands past the " + mib(max_member) + " limit (a zip bomb?)"});
      continue;
    }
    ++batch->stats.files;
    fn(std::string_view(buf.data(), got), name, opt, batch, errors);
  }
}

void import_file(const std::string& path, ImportFormat format, const ImportOptions& opt, ImportBatch* batch,
                 Errors* errors) {
  FileBuffer buf;
  if (std::optional<Error> e = read_file(path, &buf)) {
    errors->push_back(std::move(*e));
    return;
  }
  ++batch->stats.files;
  document_fn(format)(buf.view(), path, opt, batch, errors);
}

}  // namespace

std::optional<ImportFormat> import_format(std::string_view name) {
  std::string lower;
  for (char c : name) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (lower == "osv") return ImportFormat::kOsv;
  if (lower == "csv") return ImportFormat::kCsv;
  if (lower == "ghsa") return ImportFormat::kGhsa;
  return std::nullopt;
}

bool is_iso_date(std::string_view s) { return s.size() == 10 && is_date(s); }

bool finish_import(ImportBatch* batch, Errors* errors) {
  size_t errors_before = errors->size();
  std::vector<Rule>& rules = batch->rules;
  std::stable_sort(rules.begin(), rules.end(), [](const Rule& a, const Rule& b) { return a.id < b.id; });
  for (size_t i = 1; i < rules.size(); ++i) {
    if (rules[i].id != rules[i - 1].id) continue;
    const Rule& first = rules[i - 1];
    std::string where = first.file + (first.line ? ":" + std::to_string(first.line) : "");
    errors->push_back(Error{rules[i].file.str(), rules[i].line, 0,
                            "duplicate advisory id " + shown(rules[i].id) + " (also in " + where + ")"});
  }
  batch->stats.rules = rules.size();
  batch->stats.package_entries = 0;
  for (const Rule& r : rules) batch->stats.package_entries += r.package_rules.size();
  return errors->size() == errors_before;
}

bool import_rules(ImportFormat format, const std::string& src, const ImportOptions& opt, ImportBatch* batch,
                  Errors* errors) {
  size_t errors_before = errors->size();
  if (!opt.since.empty() && !is_iso_date(opt.since)) {
    errors->push_back(Error{"", 0, 0, "--since " + shown(opt.since) + ": expected a date YYYY-MM-DD"});
    return false;
  }
  std::vector<fs::path> skip(opt.skip_paths.begin(), opt.skip_paths.end());
  std::error_code ec;
  fs::file_status st = fs::status(src, ec);
  if (!fs::exists(st)) {
    errors->push_back(Error{src, 0, 0, "cannot open: No such file or directory"});
    return false;
  }
  if (!fs::is_directory(st) && !fs::is_regular_file(st)) {
    errors->push_back(Error{src, 0, 0, "not a file, folder or zip archive"});
    return false;
  }
  if (fs::is_directory(st)) {
    std::vector<std::string> files;
    if (list_feed_files(src, extension_of(format), skip, &files, errors)) {
      if (!one_csv_for_id(format, opt, src, files.size(), errors)) return false;
      if (files.empty()) {
        errors->push_back(
            Error{src, 0, 0, "no " + std::string(extension_of(format).substr(1)) + " files found in this folder"});
      }
      for (const std::string& f : files) import_file(f, format, opt, batch, errors);
    }
  } else if (looks_like_zip(src)) {
    import_zip(src, format, opt, batch, errors);
    if (batch->stats.files == 0 && errors->size() == errors_before) {
      errors->push_back(
          Error{src, 0, 0, "no " + std::string(extension_of(format).substr(1)) + " files found in this zip archive"});
    }
  } else {
    import_file(src, format, opt, batch, errors);
  }
  finish_import(batch, errors);
  return errors->size() == errors_before;
}

}  // namespace gv
