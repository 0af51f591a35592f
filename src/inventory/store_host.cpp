// Ingested scan reports in the inventory (`gouvernante report ingest`): one
// row per report, one per finding, and per host the id of its latest report.
// The same SQL on SQLite and PostgreSQL (store.cpp's rules: `?` placeholders,
// text repaired to valid UTF-8, bytewise ORDER BY).
#include <unordered_set>

#include "inventory/store_internal.h"

namespace gv::inventory::store_detail {

namespace {

// Touched first: in PostgreSQL the host's row lock is held to COMMIT, so
// two ingests of one host take turns and the last to commit is the latest.
constexpr const char *kClaimHost =
    "INSERT INTO hosts (host, report_id, ingested_ns) VALUES (?, ?, ?)"
    " ON CONFLICT (host) DO UPDATE SET report_id = excluded.report_id, "
    "ingested_ns = excluded.ingested_ns";
constexpr const char *kReportExists =
    "SELECT COUNT(*) FROM host_reports WHERE report_id = ?";
constexpr const char *kInsertReport =
    "INSERT INTO host_reports (report_id, host, ingested_ns, tool_version, "
    "source_file, exit_code, findings,"
    " report) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char *kInsertFinding =
    "INSERT INTO host_findings (report_id, seq, host, kind, rule_id, package, "
    "version, path, line, severity,"
    " finding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char *kLatestFindings =
    "SELECT h.host, h.report_id, h.ingested_ns, f.kind, f.rule_id, f.package, "
    "f.version, f.path, f.line,"
    " f.severity, f.finding"
    " FROM hosts h JOIN host_findings f ON f.report_id = h.report_id"
    " WHERE (CAST(? AS TEXT) = '' OR h.host = ?)"
    " ORDER BY h.host COLLATE \"C\", f.seq";
constexpr const char *kLatestReports =
    "SELECT h.host, r.report_id, r.tool_version, r.source_file, r.ingested_ns, "
    "r.findings, r.exit_code"
    " FROM hosts h JOIN host_reports r ON r.report_id = h.report_id"
    " WHERE (CAST(? AS TEXT) = '' OR h.host = ?)"
    " ORDER BY h.host COLLATE \"C\"";

std::string repaired(std::string s) {
  repair_text(&s);
  return s;
}

} // namespace

std::optional<Error> save_host_rows(Driver &db, const HostReport &r,
                                    const std::vector<HostFinding> &findings) {
  const std::string host = repaired(r.host);
  const Param claim[] = {host, r.report_id, r.ingested_ns};
  if (auto e = db.run(kClaimHost, claim, {}))
    return e;
  int64_t existing = 0;
  const Param id[] = {r.report_id};
  if (auto e = db.run(kReportExists, id,
                      [&](const Row &row) { existing = row.integer(0); }))
    return e;
  if (existing != 0)
    return db.error("report id '" + r.report_id + "' is already stored");
  // The report is JSON that passed a strict parser, so repairing changes
  // nothing in practice; it is here for a caller that skipped the parser.
  const std::string version = repaired(r.tool_version),
                    file = repaired(r.source_file);
  const std::string json = repaired(r.report_json);
  const Param report[] = {r.report_id,
                          host,
                          r.ingested_ns,
                          version,
                          file,
                          int64_t{r.exit_code},
                          static_cast<int64_t>(findings.size()),
                          json};
  if (auto e = db.queue(kInsertReport, report, {}))
    return e;
  int64_t seq = 0;
  for (const HostFinding &f : findings) {
    const std::string rule = repaired(f.rule_id), package = repaired(f.package),
                      ver = repaired(f.version), path = repaired(f.path),
                      finding = repaired(f.finding_json);
    const Param p[] = {r.report_id, ++seq, host,   f.kind,     rule,   package,
                       ver,         path,  f.line, f.severity, finding};
    if (auto e = db.queue(kInsertFinding, p, {}))
      return e;
  }
  return db.flush();
}

// Rules are filtered here rather than in SQL: a feed may name thousands of
// rules, and a host's latest report holds a handful of findings.
std::optional<Error> read_host_findings(Driver &db, const HostFilter &f,
                                        std::vector<HostFindingRow> *out) {
  const std::unordered_set<std::string> rules(f.rule_ids.begin(),
                                              f.rule_ids.end());
  const Param params[] = {f.host, f.host};
  return db.run(kLatestFindings, params, [&](const Row &r) {
    if (!rules.empty() && !rules.contains(std::string(r.text(4))))
      return;
    auto s = [&r](int col) { return std::string(r.text(col)); };
    out->push_back(HostFindingRow{
        s(0), s(1), r.integer(2),
        HostFinding{s(3), s(4), s(5), s(6), s(7), r.integer(8), s(9), s(10)}});
  });
}

std::optional<Error> read_host_reports(Driver &db, const HostFilter &f,
                                       std::vector<HostReportRow> *out) {
  const Param params[] = {f.host, f.host};
  return db.run(kLatestReports, params, [&](const Row &r) {
    auto s = [&r](int col) { return std::string(r.text(col)); };
    out->push_back(HostReportRow{s(0), s(1), s(2), s(3), r.integer(4),
                                 r.integer(5), static_cast<int>(r.integer(6))});
  });
}

} // namespace gv::inventory::store_detail
