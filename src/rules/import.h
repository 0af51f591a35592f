// Importing advisory feeds into rules: OSV (one advisory, a folder tree such
// as OpenSSF's osv/malicious/npm/, or a zip of them), CSV IOC lists
// (package,version with a header), and GitHub advisories (the REST API's
// /advisories JSON). `gouvernante rules import` is the CLI over this.
//
// Data flow: a source (file, folder, zip) yields documents; each format's
// importer turns one document into Rule records appended to an ImportBatch,
// counting what it skipped (withdrawn, other ecosystems, older than --since);
// finish_import sorts everything so the same input always gives the same
// rules, and rule_document_json (rules/write.h) writes them. Importers never
// print and never write files.
//
// Errors follow the loader's all-or-nothing policy: every problem is
// collected ("file:line:col: /json/pointer: reason" for JSON, "file:line:
// reason" for CSV; zip members are named "feed.zip(path/in/zip.json)") and a
// batch with errors must not be written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "rules/rule.h"

namespace gv {

enum class ImportFormat { kOsv, kCsv, kGhsa };

// "osv", "csv" or "ghsa" (case-insensitive); nullopt otherwise.
std::optional<ImportFormat> import_format(std::string_view name);

struct ImportOptions {
  // "YYYY-MM-DD": keep only advisories modified (else published) on or after
  // this day, and CSV rows dated on or after it. Empty = keep everything.
  std::string since;
  // CSV carries no advisory metadata: each CSV file becomes one rule with
  // these. Empty id = "CSV-<file name without extension>"; an explicit id is
  // only allowed when exactly one CSV document is imported.
  std::string csv_id;
  std::string csv_title;  // empty = "Packages listed in <file name>"
  std::string csv_kind = "compromised-release";
  Severity csv_severity = Severity::kCritical;
  // Files never read even when inside the source folder: the output file, so
  // importing into the folder being imported stays idempotent.
  std::vector<std::string> skip_paths;
  // Zip bomb limits: a member's uncompressed size, the number of members,
  // and the uncompressed total. Far above osv.dev's npm archive.
  uint64_t max_zip_member_bytes = uint64_t{64} << 20;
  uint64_t max_zip_members = 1'000'000;
  uint64_t max_zip_total_bytes = uint64_t{4} << 30;
};

struct ImportStats {
  size_t files = 0;             // documents read: files, or zip members
  size_t rules = 0;             // rules produced (after finish_import)
  size_t package_entries = 0;   // package rules over all rules (after finish_import)
  size_t withdrawn = 0;         // advisories with OSV withdrawn / GitHub withdrawn_at set
  size_t other_ecosystems = 0;  // advisories naming no npm package
  size_t before_since = 0;      // advisories (or CSV rows) older than --since
  size_t no_versions = 0;       // npm advisories whose ranges give no npm version (e.g. GIT only)
};

struct ImportBatch {
  std::vector<Rule> rules;  // Rule::file/line say where each advisory came from
  ImportStats stats;
};

// One document of each format, named `name` in messages. They append rules
// and problems; a document with problems adds no rule.
void import_osv_document(std::string_view text, const std::string& name, const ImportOptions& opt, ImportBatch* batch,
                         Errors* errors);
void import_ghsa_document(std::string_view text, const std::string& name, const ImportOptions& opt, ImportBatch* batch,
                          Errors* errors);
void import_csv_document(std::string_view text, const std::string& name, const ImportOptions& opt, ImportBatch* batch,
                         Errors* errors);

// Sorts rules by id (entries inside each rule are already in canonical
// order), reports duplicate ids, fills stats.rules and stats.package_entries.
// Returns true when it added no error.
bool finish_import(ImportBatch* batch, Errors* errors);

// The whole import: `src` is a file (read whatever its name), a folder
// (searched recursively for *.json, or *.csv for CSV; hidden entries and
// symlinked folders skipped), or a zip archive of those (read in memory,
// never extracted; members over 64 MiB, archives of more than 1,000,000
// members or over 4 GiB uncompressed are refused: ImportOptions::max_zip_*).
// Calls finish_import. Returns true when there are no errors.
bool import_rules(ImportFormat format, const std::string& src, const ImportOptions& opt, ImportBatch* batch,
                  Errors* errors);

// "YYYY-MM-DD" with a real month and day; false otherwise.
bool is_iso_date(std::string_view s);

}  // namespace gv
