// GitHub advisories in the REST API's shape (GET /advisories,
// https://docs.github.com/en/rest/security-advisories/global-advisories)
// into rules: one rule per advisory, id = ghsa_id.
//
// A document is one advisory, an array of them (one page), or an array of
// pages (`gh api --paginate --slurp /advisories`). The repository
// github/advisory-database holds the same advisories as OSV files: import
// those with the osv format.
//
// vulnerabilities[].vulnerable_version_range is GitHub's syntax (">= 1.0.0,
// < 1.0.5"): commas become node-semver's spaces (AND). Advisories of type
// "malware" become malicious-package rules (critical); the others
// vulnerability rules with GitHub's severity, else the highest CVSS score.

#include <algorithm>

#include "rules/import.h"
#include "rules/import_internal.h"

namespace gv {

namespace {

using namespace import_detail;

class GhsaImporter {
 public:
  GhsaImporter(JsonDoc& doc, const ImportOptions& opt, ImportBatch* batch, Errors* errors)
      : doc_(doc), pos_(doc.pos()), opt_(opt), batch_(batch), errors_(errors) {}

  void advisory(NodeId node, const std::string& ptr);

 private:
  std::string str(NodeId obj, std::string_view key) {
    NodeId v = doc_.get(obj, key);
    return v != kNone && pos_.is_string(v) ? pos_.string(v) : std::string();
  }
  Severity severity(NodeId node, const std::string& ptr);

  JsonDoc& doc_;
  const JsonPositions& pos_;
  const ImportOptions& opt_;
  ImportBatch* batch_;
  Errors* errors_;
};

void GhsaImporter::advisory(NodeId node, const std::string& ptr) {
  if (!pos_.is_object(node)) {
    doc_.wrong_type(node, ptr, "a GitHub advisory object");
    return;
  }
  size_t errors_before = errors_->size();
  Rule r;
  r.file = doc_.file();
  r.line = pos_.node(node).line;
  r.ecosystem = "npm";
  if (!doc_.string(node, ptr, "ghsa_id", &r.id)) {
    if (doc_.get(node, "ghsa_id") != kNone) return;  // wrong type, reported
    std::string hint = doc_.get(node, "affected") != kNone ? " (this looks like OSV: import it with 'rules import osv')"
                                                           : " (is this a GitHub advisory from the REST API?)";
    doc_.error(node, ptr, "missing required field 'ghsa_id'" + hint);
    return;
  }
  if (r.id.empty() || std::any_of(r.id.begin(), r.id.end(),
                                  [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F; })) {
    doc_.error(pos_.member(node, "ghsa_id"), child(ptr, "ghsa_id"), "invalid advisory id " + shown(r.id));
    return;
  }

  // Skips first, before anything else is checked (as for OSV).
  if (!str(node, "withdrawn_at").empty()) {
    ++batch_->stats.withdrawn;
    return;
  }
  NodeId vulns = doc_.get(node, "vulnerabilities");
  bool npm = false;
  if (vulns != kNone && pos_.is_array(vulns)) {
    for (size_t i = 0; i < pos_.size(vulns) && !npm; ++i) {
      npm = str(doc_.get(pos_.element(vulns, i), "package"), "ecosystem") == "npm";
    }
  }
  if (!npm) {
    ++batch_->stats.other_ecosystems;
    return;
  }
  std::string updated = str(node, "updated_at");
  if (before_since(updated.empty() ? str(node, "published_at") : updated, opt_.since)) {
    ++batch_->stats.before_since;
    return;
  }

  std::string type, summary, description;
  doc_.string(node, ptr, "type", &type);
  doc_.string(node, ptr, "summary", &summary);
  doc_.string(node, ptr, "description", &description);
  r.summary = summary_text(description);
  bool malicious = type == "malware";

  add_alias(&r, "ghsa", r.id);
  std::string cve;
  if (doc_.string(node, ptr, "cve_id", &cve)) add_alias(&r, "cve", cve);
  if (NodeId a = doc_.array(node, ptr, "identifiers"); a != kNone) {
    for (size_t i = 0; i < pos_.size(a); ++i) {
      std::string value = str(pos_.element(a, i), "value");
      add_alias(&r, alias_type(value), value);
    }
  }

  std::string html_url;
  if (doc_.string(node, ptr, "html_url", &html_url)) add_reference(&r, "advisory", one_line(html_url));
  if (NodeId a = doc_.array(node, ptr, "references"); a != kNone) {
    for (size_t i = 0; i < pos_.size(a); ++i) {
      NodeId e = pos_.element(a, i);
      // Strings in the REST API; {"url": ...} objects in some exports.
      std::string url = pos_.is_string(e) ? pos_.string(e) : str(e, "url");
      if (url.empty()) {
        if (!pos_.is_string(e)) doc_.wrong_type(e, child(child(ptr, "references"), i), "a URL string");
        continue;
      }
      bool advisory = url.find("github.com/advisories/") != std::string::npos ||
                      url.find("nvd.nist.gov/vuln/") != std::string::npos;
      add_reference(&r, advisory ? "advisory" : "other", one_line(url));
    }
  }
  std::string source;
  if (doc_.string(node, ptr, "source_code_location", &source)) add_reference(&r, "repository", one_line(source));

  read_dates(doc_, node, ptr, "published_at", "updated_at", &r);

  PackageSet packages;
  std::vector<std::string> fixes;
  std::string vptr = child(ptr, "vulnerabilities");
  for (size_t i = 0; i < pos_.size(vulns); ++i) {
    NodeId v = pos_.element(vulns, i);
    std::string iptr = child(vptr, i);
    if (!pos_.is_object(v)) {
      doc_.wrong_type(v, iptr, "an object");
      continue;
    }
    NodeId pkg = doc_.object(v, iptr, "package");
    if (pkg == kNone || str(pkg, "ecosystem") != "npm") continue;
    std::string name;
    std::string pptr = child(iptr, "package");
    if (!doc_.string(pkg, pptr, "name", &name)) {
      doc_.error(pkg, pptr, "missing 'name'");
      continue;
    }
    if (std::string why = package_name_problem(name); !why.empty()) {
      doc_.error(pos_.member(pkg, "name"), child(pptr, "name"), why);
      continue;
    }
    std::string range_text;
    doc_.string(v, iptr, "vulnerable_version_range", &range_text);
    std::string err;
    std::optional<std::string> expr = github_range_expr(range_text, &err);
    if (!expr) {
      doc_.error(pos_.member(v, "vulnerable_version_range"), child(iptr, "vulnerable_version_range"),
                 "invalid range " + shown(range_text) + ": " + err);
      continue;
    }
    std::optional<semver::Range> range = semver::Range::parse(*expr);
    PackageSet::Entry& entry = packages.by_name[name];
    if (entry.line == 0) entry.line = pos_.node(v).line;
    if (std::optional<semver::Version> exact = range->exact()) {
      entry.versions.add_exact(*exact);  // "= 1.2.3": sorted with the other exact versions
    } else {
      entry.versions.add_range(std::move(*expr), std::move(*range));
    }
    // first_patched_version: a string now, {"identifier": "1.2.3"} in older responses.
    NodeId fp = doc_.get(v, "first_patched_version");
    std::string fixed = fp == kNone ? "" : pos_.is_string(fp) ? pos_.string(fp) : str(fp, "identifier");
    if (!fixed.empty()) fixes.push_back(name + "@" + one_line(fixed));
  }
  if (errors_->size() != errors_before) return;

  std::vector<std::string> names;
  for (const auto& [name, entry] : packages.by_name) names.push_back(name);
  r.package_rules = packages.take();
  if (r.package_rules.empty()) {
    ++batch_->stats.no_versions;
    return;
  }
  finish_advisory(&r, malicious, malicious ? Severity::kCritical : severity(node, ptr), summary, names,
                  std::move(fixes));
  batch_->rules.push_back(std::move(r));
}

// GitHub's severity; for "unknown" the highest CVSS score given
// (cvss_severities.cvss_v3/cvss_v4.score, or the older cvss.score).
Severity GhsaImporter::severity(NodeId node, const std::string&) {
  if (std::optional<Severity> s = severity_named(str(node, "severity"))) return *s;
  std::optional<double> best;
  auto consider = [&](NodeId cvss) {
    if (cvss == kNone) return;
    std::optional<double> score = doc_.number(doc_.get(cvss, "score"));
    if (!score || *score <= 0) score = cvss3_base_score(str(cvss, "vector_string"));
    if (score && *score > 0 && (!best || *score > *best)) best = score;
  };
  NodeId sev = doc_.get(node, "cvss_severities");
  consider(doc_.get(sev, "cvss_v3"));
  consider(doc_.get(sev, "cvss_v4"));
  consider(doc_.get(node, "cvss"));
  return best ? severity_of_score(*best) : kUnknownSeverity;
}

}  // namespace

void import_ghsa_document(std::string_view text, const std::string& name, const ImportOptions& opt, ImportBatch* batch,
                          Errors* errors) {
  JsonDoc doc;
  if (!doc.parse(text, name, errors)) return;
  const JsonPositions& pos = doc.pos();
  NodeId root = doc.root();
  if (root == kNone) return;
  GhsaImporter importer(doc, opt, batch, errors);
  if (pos.is_object(root)) {
    importer.advisory(root, "");
    return;
  }
  if (!pos.is_array(root)) {
    doc.wrong_type(root, "", "a GitHub advisory object or an array of them");
    return;
  }
  for (size_t i = 0; i < pos.size(root); ++i) {
    NodeId e = pos.element(root, i);
    std::string ptr = "/" + std::to_string(i);
    if (!pos.is_array(e)) {
      importer.advisory(e, ptr);
      continue;
    }
    for (size_t k = 0; k < pos.size(e); ++k) importer.advisory(pos.element(e, k), child(ptr, k));  // a page
  }
}

}  // namespace gv
