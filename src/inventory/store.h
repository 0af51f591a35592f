// Where the history index lives: a SQLite file by default (zero setup), or a
// PostgreSQL database (postgres://...) that many CI runners index into. One
// schema, versioned migrations, the same SQL on both (docs/history.md).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "egress/event.h"
#include "inventory/model.h"

namespace gv::inventory {

// Which rows a query wants; an empty field means any.
struct Filter {
  std::string package;  // exact package name; required for changes() and tips()
  std::string org;
  std::string repo;
  // One exact version, as lockfiles write it: only its rows, plus every
  // package.json row (declared ranges are matched by the caller). A move of
  // that version between files stays visible: both of its rows match.
  std::string version;
};

// One stored PackageChange with its commit and where it happened.
struct ChangeRow {
  std::string org, repo, ref;
  PackageChange change;
  CommitInfo commit;
  // Order of the commit within its ref's history as indexed (parents before
  // children; later runs continue the count): "removed later" means a
  // larger seq on the same org/repo/ref/lockfile.
  int64_t seq = 0;
};

// One package version present at the tip of a ref.
struct TipRow {
  std::string org, repo, ref;
  TipPackage package;
};

// One recorded run of `gouvernante run` (docs/egress.md).
struct RunRecord {
  std::string run_id, org, repo, job;
  std::string policy;              // "audit", "block", or "imported" (net import: not known)
  std::vector<std::string> argv;   // the command as given
  int64_t started_ns = 0, ended_ns = 0;
  int exit_status = 0;
};

// Which recorded events a query wants; an empty field means any.
struct EventFilter {
  std::string run_id, org, repo, job;
};

struct EventRow {
  std::string run_id, org, repo, job;
  egress::Event event;
};

// One ingested scan report (`gouvernante report ingest`, docs in
// report_ingest.h): which host was checked, and when the report reached us.
struct HostReport {
  std::string report_id;     // unique; report_ingest.h's new_report_id()
  std::string host;
  int64_t ingested_ns = 0;   // when it was stored (the report carries no scan time)
  std::string tool_version;  // the report's tool.version
  std::string source_file;   // the file name as given to ingest
  int exit_code = 0;         // the scan's summary.exit_code (0 clean, 1 incomplete, 2 findings)
  std::string report_json;   // the report as received
};

// One finding of an ingested report, whatever part of the report it came from.
struct HostFinding {
  std::string kind;      // "lockfile", "installed", "host" (indicator found) or "heuristic" (YARA)
  std::string rule_id;   // the incident rule; for heuristic findings the YARA rule
  std::string package;   // "" when not about a package (host indicators, most YARA matches)
  std::string version;
  std::string path;      // the lockfile, the indicator's target, or the matched file
  int64_t line = 0;      // 0 when unknown
  std::string severity;  // "" for host indicators: the report does not carry it, the rule does
  std::string finding_json;  // the finding's object as the report wrote it
};

// Which hosts' findings a query wants; empty means any.
struct HostFilter {
  std::string host;
  std::vector<std::string> rule_ids;
};

struct HostFindingRow {
  std::string host, report_id;
  int64_t ingested_ns = 0;
  HostFinding finding;
};

// A host's latest report, without its findings.
struct HostReportRow {
  std::string host, report_id, tool_version, source_file;
  int64_t ingested_ns = 0;
  int64_t findings = 0;
  int exit_code = 0;
};

// One delivery of an incident to one sink, as the outbox keeps it
// (docs/respond.md). Everything needed to send it again from another
// process, and no secret: secret_env names the variable that holds the
// webhook secret, the S3 keys come from AWS_* at send time.
struct DeliveryRow {
  std::string delivery_id;   // stable per (incident, sink): the same on every retry
  std::string incident_id;
  std::string sink;          // as typed after --sink
  std::string event;         // X-Gouvernante-Event
  std::string body;          // the incident JSON (webhooks, S3)
  std::string lines;         // JSON array of strings: CEF payloads or JSON lines
  std::string object_name;   // S3 key under the prefix
  std::string secret_env;    // name of the webhook secret's variable, "" when unsigned
  std::string s3_endpoint;   // "" = AWS
  std::string state;         // "pending", "delivered", "failed"
  int64_t attempts = 0;
  std::string last_error;    // the last attempt's outcome, scrubbed of secrets
  int64_t created_ns = 0, updated_ns = 0;
};

// One (rule, affected item) that watch has alerted on.
struct AlertedItem {
  std::string rule_id, item_key, incident_id;
  int64_t alerted_ns = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Opens `where` -- a file path (created when missing) or a postgres:// or
  // postgresql:// URL -- and brings its schema to the current version.
  // nullptr with *error set (naming `where`, never a password) on failure.
  static std::unique_ptr<Store> open(const std::string& where, Error* error);

  // The tip indexed last time for this ref; "" when never indexed.
  virtual std::optional<std::string> last_tip(const std::string& org, const std::string& repo,
                                              const std::string& ref, Error* error) = 0;
  // Stores one run in one transaction: appends index.commits and their
  // changes (saving the same commit twice changes nothing), replaces the
  // ref's tip packages and records index.tip as the ref's last tip.
  virtual std::optional<Error> save(const RefIndex& index) = 0;
  // Every stored change of filter.package, ordered by org, repo, ref, seq.
  virtual std::optional<Error> changes(const Filter& filter, std::vector<ChangeRow>* out) = 0;
  // Every tip package row of filter.package, ordered by org, repo, ref, lockfile, version.
  virtual std::optional<Error> tips(const Filter& filter, std::vector<TipRow>* out) = 0;
  // Every distinct package name with a stored change or at a tip (a rule
  // set asks for the names it knows among these).
  virtual std::optional<Error> packages(std::vector<std::string>* out) = 0;
  // Every indexed (org, repo, ref) with its last tip.
  struct Indexed {
    std::string org, repo, ref, tip, path;
  };
  virtual std::optional<Error> indexed(std::vector<Indexed>* out) = 0;

  // Stores a run and its events in one transaction; a run id saved before
  // is refused (runs are immutable records).
  virtual std::optional<Error> save_run(const RunRecord& run, const std::vector<egress::Event>& events) = 0;
  // Recorded runs matching the filter, oldest first.
  virtual std::optional<Error> runs(const EventFilter& filter, std::vector<RunRecord>* out) = 0;
  // Recorded events, in run order (runs by start time, events as recorded).
  virtual std::optional<Error> net_events(const EventFilter& filter, std::vector<EventRow>* out) = 0;

  // Stores an ingested report and its findings in one transaction and makes
  // it its host's latest: a re-scan after remediation replaces the host's
  // picture (older reports stay stored, but no query below reads them).
  // "Latest" is the order of ingestion, not of scanning: a report has no
  // scan time. A report id saved before is refused.
  virtual std::optional<Error> save_host_report(const HostReport& report,
                                                const std::vector<HostFinding>& findings) = 0;
  // The findings of each host's latest report only, by host then in report
  // order; filter.rule_ids (when not empty) keeps those rules' findings.
  virtual std::optional<Error> host_findings(const HostFilter& filter, std::vector<HostFindingRow>* out) = 0;
  // Each host's latest report (filter.host: only that host), by host.
  virtual std::optional<Error> host_reports(const HostFilter& filter, std::vector<HostReportRow>* out) = 0;

  // Adds `row` to the outbox unless its delivery id is there already; either
  // way *stored is the row as stored (so a delivered one is never re-sent).
  virtual std::optional<Error> add_delivery(const DeliveryRow& row, DeliveryRow* stored) = 0;
  // Records an attempt: state, attempts, last_error and updated_ns of row.delivery_id.
  virtual std::optional<Error> update_delivery(const DeliveryRow& row) = 0;
  // Deliveries in `state` ("" = all), oldest first.
  virtual std::optional<Error> deliveries(const std::string& state, std::vector<DeliveryRow>* out) = 0;
  // Every (rule, item) alerted so far; add_alerted ignores pairs already there.
  virtual std::optional<Error> alerted(std::vector<AlertedItem>* out) = 0;
  virtual std::optional<Error> add_alerted(const std::vector<AlertedItem>& items) = 0;
};

// `where` fit for a log line: a postgres:// URL without its password.
std::string redact_location(const std::string& where);

// A postgres:// or postgresql:// URL (otherwise `where` is a SQLite file).
bool is_database_url(const std::string& where);

}  // namespace gv::inventory
