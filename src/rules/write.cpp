#include "rules/write.h"

#include <nlohmann/json.hpp>

namespace gv {

namespace {

using ojson = nlohmann::ordered_json;

void put_if(ojson& j, const char* key, std::string_view v) {
  if (!v.empty()) j[key] = v;
}

ojson package_rule_json(const PackageRule& pr) {
  ojson j;
  j["package_name"] = pr.package_name;
  ojson versions = ojson::array();
  for (const AffectedVersion& av : pr.affected_versions) versions.push_back(av.expr);
  j["affected_versions"] = versions;
  if (!pr.lockfile_ecosystems.empty()) j["lockfile_ecosystems"] = pr.lockfile_ecosystems;
  put_if(j, "notes", pr.notes);
  return j;
}

ojson host_indicator_json(const HostIndicator& h) {
  ojson j;
  j["type"] = h.type;
  put_if(j, "path", h.path);
  put_if(j, "file_name", h.file_name);
  put_if(j, "value", h.value);
  j["oses"] = h.oses;
  if (!h.hashes.empty()) {
    ojson hashes = ojson::array();
    for (const FileHash& fh : h.hashes) hashes.push_back({{"algorithm", fh.algorithm}, {"value", fh.value}});
    j["hashes"] = hashes;
  }
  put_if(j, "confidence", h.confidence);
  put_if(j, "notes", h.notes);
  return j;
}

ojson rule_json(const Rule& r) {
  ojson j;
  j["id"] = r.id;
  j["title"] = r.title;
  j["kind"] = r.kind;
  j["ecosystem"] = r.ecosystem.empty() ? "npm" : r.ecosystem;
  j["severity"] = std::string(severity_name(r.severity));
  put_if(j, "summary", r.summary);
  if (!r.aliases.empty()) {
    ojson a = ojson::array();
    for (const Alias& al : r.aliases) a.push_back({{"type", al.type}, {"value", al.value}});
    j["aliases"] = a;
  }
  if (!r.references.empty()) {
    ojson a = ojson::array();
    for (const Reference& ref : r.references) a.push_back({{"type", ref.type}, {"url", ref.url}});
    j["references"] = a;
  }
  ojson prs = ojson::array();
  for (const PackageRule& pr : r.package_rules) prs.push_back(package_rule_json(pr));
  j["package_rules"] = prs;
  if (!r.dropper_packages.empty()) {
    ojson a = ojson::array();
    for (const DropperPackage& d : r.dropper_packages) {
      ojson dj;
      dj["package_name"] = d.package_name;
      put_if(dj, "notes", d.notes);
      a.push_back(dj);
    }
    j["dropper_packages"] = a;
  }
  if (!r.host_indicators.empty()) {
    ojson a = ojson::array();
    for (const HostIndicator& h : r.host_indicators) a.push_back(host_indicator_json(h));
    j["host_indicators"] = a;
  }
  if (!r.yara_rules.empty()) j["yara_rules"] = r.yara_rules;
  if (!r.remediation.summary.empty() || !r.remediation.steps.empty())
    j["remediation"] = {{"summary", r.remediation.summary}, {"steps", r.remediation.steps}};
  if (!r.published_at.empty() || !r.last_updated_at.empty()) {
    ojson m;
    put_if(m, "published_at", r.published_at);
    put_if(m, "last_updated_at", r.last_updated_at);
    j["metadata"] = m;
  }
  return j;
}

}  // namespace

// Streamed one rule at a time: a 200,000-advisory import would otherwise hold
// a DOM of the whole document (over 1 GB). Byte-identical to dumping the
// document with indent 2 (a test checks it).
std::string rule_document_json(const std::vector<Rule>& rules) {
  std::string out = "{\n  \"schema_version\": \"1.0.0\",\n  \"rules\": [";
  if (rules.empty()) return out + "]\n}\n";
  for (size_t i = 0; i < rules.size(); ++i) {
    out += i == 0 ? "\n" : ",\n";
    const std::string one = rule_json(rules[i]).dump(2, ' ', false, ojson::error_handler_t::replace);
    // Each line of the rule's own dump, indented to its depth in the document.
    size_t start = 0;
    while (start < one.size()) {
      size_t nl = one.find('\n', start);
      if (nl == std::string::npos) nl = one.size();
      out += "    ";
      out.append(one, start, nl - start);
      if (nl < one.size()) out += '\n';
      start = nl + 1;
    }
  }
  return out + "\n  ]\n}\n";
}

std::string rule_document_json_dom(const std::vector<Rule>& rules) {
  ojson doc;
  doc["schema_version"] = "1.0.0";
  ojson a = ojson::array();
  for (const Rule& r : rules) a.push_back(rule_json(r));
  doc["rules"] = a;
  return doc.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace gv
