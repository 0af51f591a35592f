// OSV (https://ossf.github.io/osv-schema/, 1.x) advisories into rules: one
// rule per advisory, with the advisory's id.
//
// A document is one advisory (the usual file in a feed tree such as
// OpenSSF's osv/malicious/npm/<pkg>/MAL-2025-1234.json), an array of them, or
// osv.dev's query response {"vulns": [...]}.
//
// Versions: `affected[].versions` become "=X"; SEMVER and ECOSYSTEM ranges
// become node-semver ranges by walking the sorted events as the schema's
// evaluation pseudocode does (introduced opens an interval, fixed closes it
// exclusive, last_affected inclusive; "0" is before every version; limit
// caps everything). npm's ECOSYSTEM order is semver, so both types read the
// same. GIT ranges name commits, which lockfiles do not record: ignored.
//
// Quirk: before GitHub emitted last_affected, its OSV export wrote an
// upper bound it knew only as "the newest affected release" as an
// open-ended range ({"introduced": "0"}) plus
// affected[].database_specific.last_known_affected_version_range
// ("<= 1.2.3"); read literally that is "every version, forever". We apply
// that bound to the ranges whose events leave them open.
//
// Only npm entries are kept; an advisory naming no npm package is counted as
// another ecosystem's, a withdrawn one as withdrawn, and neither is checked
// further: a feed's problems in entries we do not import are not ours.

#include <algorithm>

#include "rules/import.h"
#include "rules/import_internal.h"

namespace gv {

namespace {

using namespace import_detail;

bool is_npm(std::string_view ecosystem) {
  return ecosystem.size() == 3 && (ecosystem[0] | 0x20) == 'n' && (ecosystem[1] | 0x20) == 'p' &&
         (ecosystem[2] | 0x20) == 'm';
}

std::string reference_type(std::string_view osv_type) {
  if (osv_type == "ADVISORY") return "advisory";
  if (osv_type == "ARTICLE" || osv_type == "REPORT" || osv_type == "DISCUSSION") return "article";
  if (osv_type == "FIX" || osv_type == "INTRODUCED" || osv_type == "GIT") return "repository";
  return "other";  // PACKAGE, WEB, EVIDENCE, DETECTION, and types newer than this build
}

// The file's name without folder and extension, for advisories whose id is
// empty (OpenSSF's not-yet-numbered MAL-0000-... reports). Handles zip
// member names, "feed.zip(osv/x/MAL-0000-a.json)".
std::string file_stem(std::string_view name) {
  if (name.ends_with(")")) name.remove_suffix(1);
  if (size_t p = name.find_last_of("/("); p != std::string_view::npos) name.remove_prefix(p + 1);
  if (name.size() > 5 && name.ends_with(".json")) name.remove_suffix(5);
  return std::string(name);
}

struct Event {
  enum Kind { kIntroduced, kFixed, kLastAffected, kLimit } kind;
  semver::Version v;
  bool zero = false;      // introduced "0": before every version
  bool infinity = false;  // limit "*"
};

class OsvImporter {
 public:
  OsvImporter(JsonDoc& doc, const ImportOptions& opt, ImportBatch* batch, Errors* errors)
      : doc_(doc), pos_(doc.pos()), opt_(opt), batch_(batch), errors_(errors) {}

  // `fallback_id` replaces an empty id ("" when the document holds several).
  void advisory(NodeId node, const std::string& ptr, const std::string& fallback_id);

 private:
  enum class Skip { kNone, kWithdrawn, kOtherEcosystem, kBeforeSince };
  Skip skip_reason(NodeId node);
  void affected(NodeId node, const std::string& ptr, PackageSet* packages, std::vector<std::string>* fixes);
  // `last_known`: the upper bound GitHub's export gives open-ended ranges (see the file comment).
  void range(NodeId node, const std::string& ptr, const std::string& last_known, VersionSet* versions,
             std::vector<std::string>* fixes);
  std::optional<Severity> cvss_severity(NodeId severities);
  Severity severity(NodeId node);
  bool is_malicious(NodeId node, const Rule& r);

  JsonDoc& doc_;
  const JsonPositions& pos_;
  const ImportOptions& opt_;
  ImportBatch* batch_;
  Errors* errors_;
};

std::string string_or_empty(const JsonPositions& pos, NodeId n) {
  return n != kNone && pos.is_string(n) ? pos.string(n) : std::string();
}

// Decided before anything is validated (see the file comment).
OsvImporter::Skip OsvImporter::skip_reason(NodeId node) {
  if (!string_or_empty(pos_, doc_.get(node, "withdrawn")).empty()) return Skip::kWithdrawn;
  bool npm = false;
  if (NodeId a = doc_.get(node, "affected"); a != kNone && pos_.is_array(a)) {
    for (size_t i = 0; i < pos_.size(a) && !npm; ++i) {
      NodeId pkg = doc_.get(pos_.element(a, i), "package");
      npm = is_npm(string_or_empty(pos_, doc_.get(pkg, "ecosystem")));
    }
    if (!npm) return Skip::kOtherEcosystem;
  }
  if (!opt_.since.empty()) {
    std::string date = string_or_empty(pos_, doc_.get(node, "modified"));
    if (date.empty()) date = string_or_empty(pos_, doc_.get(node, "published"));
    if (before_since(date, opt_.since)) return Skip::kBeforeSince;
  }
  return Skip::kNone;
}

void OsvImporter::advisory(NodeId node, const std::string& ptr, const std::string& fallback_id) {
  if (!pos_.is_object(node)) {
    doc_.wrong_type(node, ptr, "an OSV advisory object");
    return;
  }
  size_t errors_before = errors_->size();
  std::string schema;
  if (doc_.string(node, ptr, "schema_version", &schema) && !schema.empty() && !schema.starts_with("1.") &&
      schema != "1") {
    doc_.error(pos_.member(node, "schema_version"), child(ptr, "schema_version"),
               "unsupported OSV schema version " + shown(schema) + " (this build reads 1.x)");
    return;
  }
  switch (skip_reason(node)) {
    case Skip::kWithdrawn:
      ++batch_->stats.withdrawn;
      return;
    case Skip::kOtherEcosystem:
      ++batch_->stats.other_ecosystems;
      return;
    case Skip::kBeforeSince:
      ++batch_->stats.before_since;
      return;
    case Skip::kNone:
      break;
  }

  Rule r;
  r.file = doc_.file();
  r.line = pos_.node(node).line;
  r.ecosystem = "npm";
  // OpenSSF's reports awaiting an id (MAL-0000-<source>-<hash>.json) have
  // an empty id or none: they are named after their file.
  if (!doc_.string(node, ptr, "id", &r.id)) {
    if (doc_.get(node, "id") != kNone) return;  // wrong type, reported
    if (fallback_id.empty() || doc_.get(node, "affected") == kNone) {
      doc_.error(node, ptr, "missing required field 'id' (is this an OSV advisory?)");
      return;
    }
  }
  if (r.id.empty()) r.id = fallback_id;
  if (r.id.empty()) {
    doc_.error(pos_.member(node, "id"), child(ptr, "id"), "advisory id is empty");
  } else if (std::any_of(r.id.begin(), r.id.end(),
                         [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
    doc_.error(pos_.member(node, "id"), child(ptr, "id"),
               "advisory id " + shown(r.id) + " contains a control character");
  }

  std::string summary, details;
  doc_.string(node, ptr, "summary", &summary);
  doc_.string(node, ptr, "details", &details);
  r.summary = summary_text(details);

  add_alias(&r, alias_type(r.id), r.id);
  if (NodeId a = doc_.array(node, ptr, "aliases"); a != kNone) {
    for (size_t i = 0; i < pos_.size(a); ++i) {
      NodeId e = pos_.element(a, i);
      if (!pos_.is_string(e)) {
        doc_.wrong_type(e, child(child(ptr, "aliases"), i), "a string");
        continue;
      }
      std::string id = pos_.string(e);
      add_alias(&r, alias_type(id), id);
    }
  }
  if (NodeId a = doc_.array(node, ptr, "references"); a != kNone) {
    std::string aptr = child(ptr, "references");
    for (size_t i = 0; i < pos_.size(a); ++i) {
      NodeId e = pos_.element(a, i);
      std::string eptr = child(aptr, i);
      if (!pos_.is_object(e)) {
        doc_.wrong_type(e, eptr, "an object");
        continue;
      }
      std::string type, url;
      doc_.string(e, eptr, "type", &type);
      if (doc_.string(e, eptr, "url", &url)) add_reference(&r, reference_type(type), one_line(url));
    }
  }
  read_dates(doc_, node, ptr, "published", "modified", &r);

  PackageSet packages;
  std::vector<std::string> fixes;  // "name@version" of fixed events, for the remediation
  if (NodeId a = doc_.array(node, ptr, "affected"); a != kNone) {
    for (size_t i = 0; i < pos_.size(a); ++i) {
      affected(pos_.element(a, i), child(child(ptr, "affected"), i), &packages, &fixes);
    }
  }
  if (errors_->size() != errors_before) return;

  std::vector<std::string> names;
  for (const auto& [name, entry] : packages.by_name) {
    if (!entry.versions.empty()) names.push_back(name);
  }
  r.package_rules = packages.take();
  if (r.package_rules.empty()) {
    ++batch_->stats.no_versions;
    return;
  }
  bool malicious =
      is_malicious(node, r) || summary.starts_with("Malicious code in ") || summary.starts_with("Malware in ");
  finish_advisory(&r, malicious, malicious ? Severity::kCritical : severity(node), summary, names, std::move(fixes));
  batch_->rules.push_back(std::move(r));
}

bool OsvImporter::is_malicious(NodeId node, const Rule& r) {
  for (const Alias& a : r.aliases) {
    if (a.value.starts_with("MAL-")) return true;
  }
  // OpenSSF's malicious-packages provenance block.
  return doc_.get(doc_.get(node, "database_specific"), "malicious-packages-origins") != kNone;
}

void OsvImporter::affected(NodeId node, const std::string& ptr, PackageSet* packages, std::vector<std::string>* fixes) {
  if (!pos_.is_object(node)) {
    doc_.wrong_type(node, ptr, "an object");
    return;
  }
  NodeId pkg = doc_.object(node, ptr, "package");
  std::string pptr = child(ptr, "package");
  std::string ecosystem, name;
  if (pkg == kNone) {
    doc_.error(node, ptr, "missing 'package'");
    return;
  }
  doc_.string(pkg, pptr, "ecosystem", &ecosystem);
  if (!is_npm(ecosystem)) return;  // the other ecosystems of a mixed advisory
  if (!doc_.string(pkg, pptr, "name", &name)) {
    doc_.error(pkg, pptr, "missing 'name'");
    return;
  }
  if (std::string why = package_name_problem(name); !why.empty()) {
    doc_.error(pos_.member(pkg, "name"), child(pptr, "name"), why);
    return;
  }
  PackageSet::Entry& entry = packages->by_name[name];
  if (entry.line == 0) entry.line = pos_.node(node).line;

  if (NodeId a = doc_.array(node, ptr, "versions"); a != kNone) {
    std::string vptr = child(ptr, "versions");
    for (size_t i = 0; i < pos_.size(a); ++i) {
      NodeId e = pos_.element(a, i);
      if (!pos_.is_string(e)) {
        doc_.wrong_type(e, child(vptr, i), "a string");
        continue;
      }
      std::string text = pos_.string(e);
      if (std::optional<semver::Version> v = parse_exact(text)) {
        entry.versions.add_exact(*v);
      } else {
        doc_.error(e, child(vptr, i), "invalid npm version " + shown(text));
      }
    }
  }
  std::string last_known;
  if (NodeId dbs = doc_.get(node, "database_specific"); dbs != kNone && pos_.is_object(dbs)) {
    std::string dptr = child(ptr, "database_specific");
    std::string text;
    if (doc_.string(dbs, dptr, "last_known_affected_version_range", &text)) {
      std::string err;
      std::optional<std::string> e = github_range_expr(text, &err);
      if (!e) {
        doc_.error(pos_.member(dbs, "last_known_affected_version_range"),
                   child(dptr, "last_known_affected_version_range"), "invalid range " + shown(text) + ": " + err);
        return;
      }
      if (*e != "*") last_known = *e;
    }
  }
  std::vector<std::string> range_fixes;
  if (NodeId a = doc_.array(node, ptr, "ranges"); a != kNone) {
    for (size_t i = 0; i < pos_.size(a); ++i) {
      range(pos_.element(a, i), child(child(ptr, "ranges"), i), last_known, &entry.versions, &range_fixes);
    }
  }
  for (const std::string& f : range_fixes) fixes->push_back(name + "@" + f);
}

void OsvImporter::range(NodeId node, const std::string& ptr, const std::string& last_known, VersionSet* versions,
                        std::vector<std::string>* fixes) {
  if (!pos_.is_object(node)) {
    doc_.wrong_type(node, ptr, "an object");
    return;
  }
  std::string type;
  doc_.string(node, ptr, "type", &type);
  if (type != "SEMVER" && type != "ECOSYSTEM") return;  // GIT: commits, not versions
  NodeId a = doc_.array(node, ptr, "events");
  if (a == kNone) {
    doc_.error(node, ptr, "missing 'events'");
    return;
  }
  std::string eptr = child(ptr, "events");
  std::vector<Event> events;
  std::vector<Event> limits;
  bool ok = true;
  for (size_t i = 0; i < pos_.size(a); ++i) {
    NodeId e = pos_.element(a, i);
    std::string iptr = child(eptr, i);
    if (!pos_.is_object(e)) {
      doc_.wrong_type(e, iptr, "an object");
      ok = false;
      continue;
    }
    static constexpr std::pair<std::string_view, Event::Kind> kKinds[] = {{"introduced", Event::kIntroduced},
                                                                          {"fixed", Event::kFixed},
                                                                          {"last_affected", Event::kLastAffected},
                                                                          {"limit", Event::kLimit}};
    bool found = false;
    for (auto [key, kind] : kKinds) {
      std::string text;
      if (!doc_.string(e, iptr, key, &text)) continue;
      found = true;
      Event ev{kind, {}};
      if (kind == Event::kIntroduced && text == "0") {
        ev.zero = true;
      } else if (kind == Event::kLimit && text.find('*') != std::string::npos) {
        ev.infinity = true;
      } else if (std::optional<semver::Version> v = parse_exact(text)) {
        ev.v = std::move(*v);
      } else {
        doc_.error(pos_.member(e, key), child(iptr, key), "invalid npm version " + shown(text));
        ok = false;
        break;
      }
      (kind == Event::kLimit ? limits : events).push_back(std::move(ev));
      break;  // the schema allows one kind per event object
    }
    if (!found) {
      doc_.error(e, iptr, "event has none of introduced, fixed, last_affected, limit");
      ok = false;
    }
  }
  if (!ok) return;

  std::stable_sort(events.begin(), events.end(), [](const Event& x, const Event& y) {
    if (x.zero != y.zero) return x.zero;
    if (x.zero) return false;
    return semver::compare(x.v, y.v) < 0;
  });
  // The timeline walk of the schema's IncludedInRanges.
  std::vector<std::string> exprs;
  std::optional<std::string> open;  // lower bound of the interval being built ("" = from 0)
  for (const Event& ev : events) {
    switch (ev.kind) {
      case Event::kIntroduced:
        if (!open) open = ev.zero ? std::string() : ">=" + ev.v.str();
        break;
      case Event::kFixed:
        fixes->push_back(ev.v.str());
        if (open) exprs.push_back(*open + (open->empty() ? "" : " ") + "<" + ev.v.str());
        open.reset();
        break;
      case Event::kLastAffected:
        if (open) exprs.push_back(*open + (open->empty() ? "" : " ") + "<=" + ev.v.str());
        open.reset();
        break;
      case Event::kLimit:
        break;
    }
  }
  if (open) {
    std::string expr = *open;
    if (!last_known.empty()) expr += (expr.empty() ? "" : " ") + last_known;
    exprs.push_back(expr.empty() ? "*" : expr);
  }
  // BeforeLimits: below any one limit; "*" (or none) is no limit at all.
  if (!limits.empty() && std::none_of(limits.begin(), limits.end(), [](const Event& l) { return l.infinity; })) {
    const Event* top = &limits.front();
    for (const Event& l : limits) {
      if (semver::compare(l.v, top->v) > 0) top = &l;
    }
    for (std::string& e : exprs) e = (e == "*" ? "" : e + " ") + "<" + top->v.str();
  }
  for (std::string& e : exprs) {
    std::string err;
    std::optional<semver::Range> r = semver::Range::parse(e, &err);
    if (!r) {
      doc_.error(node, ptr, "range gives an invalid version expression " + shown(e) + ": " + err);
      continue;
    }
    versions->add_range(std::move(e), std::move(*r));
  }
}

std::optional<Severity> OsvImporter::cvss_severity(NodeId severities) {
  if (severities == kNone || !pos_.is_array(severities)) return std::nullopt;
  std::optional<double> best;
  for (size_t i = 0; i < pos_.size(severities); ++i) {
    NodeId s = pos_.element(severities, i);
    std::string type = string_or_empty(pos_, doc_.get(s, "type"));
    std::string score = string_or_empty(pos_, doc_.get(s, "score"));
    // CVSS v4 scores need the specification's 270-row lookup table; v2 is
    // long obsolete. Both fall back to the next source of severity.
    if (type != "CVSS_V3") continue;
    if (std::optional<double> v = cvss3_base_score(score); v && (!best || *v > *best)) best = v;
  }
  if (!best) return std::nullopt;
  return severity_of_score(*best);
}

// database_specific.severity (GitHub's export: CRITICAL, HIGH, MODERATE,
// LOW), then CVSS v3 vectors, then the same per affected package; else unknown.
Severity OsvImporter::severity(NodeId node) {
  if (std::optional<Severity> s =
          severity_named(string_or_empty(pos_, doc_.get(doc_.get(node, "database_specific"), "severity")))) {
    return *s;
  }
  if (std::optional<Severity> s = cvss_severity(doc_.get(node, "severity"))) return *s;
  std::optional<Severity> worst;
  if (NodeId a = doc_.get(node, "affected"); a != kNone && pos_.is_array(a)) {
    for (size_t i = 0; i < pos_.size(a); ++i) {
      NodeId af = pos_.element(a, i);
      std::optional<Severity> s =
          severity_named(string_or_empty(pos_, doc_.get(doc_.get(af, "database_specific"), "severity")));
      if (!s) s = severity_named(string_or_empty(pos_, doc_.get(doc_.get(af, "ecosystem_specific"), "severity")));
      if (!s) s = cvss_severity(doc_.get(af, "severity"));
      if (s && (!worst || *s > *worst)) worst = s;
    }
  }
  return worst.value_or(kUnknownSeverity);
}

}  // namespace

void import_osv_document(std::string_view text, const std::string& name, const ImportOptions& opt, ImportBatch* batch,
                         Errors* errors) {
  JsonDoc doc;
  if (!doc.parse(text, name, errors)) return;
  const JsonPositions& pos = doc.pos();
  NodeId root = doc.root();
  if (root == kNone) return;
  OsvImporter importer(doc, opt, batch, errors);
  if (pos.is_array(root)) {
    for (size_t i = 0; i < pos.size(root); ++i) importer.advisory(pos.element(root, i), "/" + std::to_string(i), "");
    return;
  }
  if (pos.is_object(root)) {
    if (NodeId vulns = doc.get(root, "vulns"); vulns != kNone && doc.get(root, "id") == kNone) {
      if (!pos.is_array(vulns)) {
        doc.wrong_type(vulns, "/vulns", "an array");
        return;
      }
      for (size_t i = 0; i < pos.size(vulns); ++i) {
        importer.advisory(pos.element(vulns, i), "/vulns/" + std::to_string(i), "");
      }
      return;
    }
    if (doc.get(root, "ghsa_id") != kNone && doc.get(root, "affected") == kNone) {
      doc.error(root, "", "this is a GitHub advisory (REST API shape), not OSV: import it with 'rules import ghsa'");
      return;
    }
    importer.advisory(root, "", file_stem(name));
    return;
  }
  doc.wrong_type(root, "", "an OSV advisory object or an array of them");
}

}  // namespace gv
