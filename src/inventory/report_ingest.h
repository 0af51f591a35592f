// Reading a scan report (our own `-json` output,
// docs/schema/report.schema.json) from a laptop, server or CI job into the
// inventory's records: one HostReport and one HostFinding per finding,
// whichever part of the report it is in:
//   findings[]            -> kind "lockfile" or "installed" (its origin)
//   host.checks[] "found" -> kind "host" (clean and skipped checks are not
//   findings) heuristic.findings[]  -> kind "heuristic"
//
// Strict, because a report that is not ours (or is cut short) would store a
// false "this host is clean": text that is not JSON is an error at
// file:line:col, and a document that lacks a field the schema requires, or
// has one of the wrong type, is an error naming the field's JSON pointer at
// the line of its value (or of the object missing it). A report with no
// findings is fine: it records that the host was checked and found clean.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "inventory/store.h"

namespace gv::inventory {

// A report from one host scan is a few MB (a -heuristic run over a big
// node_modules a few tens); 256 MB is not a report but a mistake, and the
// whole file is held in memory and stored in one row.
inline constexpr size_t kMaxReportBytes = size_t{256} << 20;

struct IngestedReport {
  HostReport
      report; // report_id, host, ingested_ns and source_file are the caller's
  std::vector<HostFinding> findings;
};

// Checks `text` (the report read from `file`, used in messages) and fills
// *out. Every problem found goes to *errors; false when
// there is any, in the order found.
bool parse_report(std::string_view text, const std::string &file,
                  IngestedReport *out, Errors *errors);

// Reads `file` (refusing one over kMaxReportBytes) and parses it.
bool read_report(const std::string &file, IngestedReport *out, Errors *errors);

// Why `host` cannot name a host ("" when it can): empty, over 255 bytes, or
// holding control characters (it is printed on terminals and in alerts).
std::string host_name_problem(std::string_view host);

// 32 random hex digits: report ids must not collide across the many
// machines ingesting into one PostgreSQL database.
std::string new_report_id();

} // namespace gv::inventory
