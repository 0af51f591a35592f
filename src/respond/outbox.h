// Delivering an incident through the outbox (schema 5, docs/respond.md).
//
// Every delivery is written to the database *before* its first attempt, with
// a delivery id derived from (incident id, sink): responding twice to the
// same facts finds the row, and a row already delivered is never sent again.
// Attempts are retried with doubling delays while the command runs (408,
// 429, 5xx, connection errors); what still fails stays pending for
// `alerts flush`, and a permanent failure (another 4xx, a missing folder,
// credentials absent) is marked failed at once instead of retried forever.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "alert/sink.h"
#include "common/error.h"
#include "inventory/store.h"
#include "respond/incident.h"

namespace gv::respond {

// A sink as given on the command line, with the names (never the values) of
// what it needs from the environment.
struct SinkSpec {
  Sink sink;
  std::string secret_env;   // webhooks: variable holding the HMAC secret ("" = unsigned)
  std::string s3_endpoint;  // s3://: "" = AWS
};

// Checks what a sink needs before anything is built or sent: the secret's
// variable is set, AWS_* are set for s3://, the S3 endpoint is http(s).
// A message naming the sink and the variable when not.
std::optional<std::string> check_sink(const SinkSpec& spec);

struct RetryPolicy {
  int max_attempts = 4;          // per delivery per command
  int64_t first_delay_ms = 500;  // then doubled
};

// The outbox row for sending `inc` to `spec` (state "pending", no attempt).
inventory::DeliveryRow delivery_for(const Incident& inc, const SinkSpec& spec, const std::string& tool_version,
                                    int64_t now_ns);

struct Outcome {
  std::string delivery_id, sink, state;  // state after this command: delivered, pending, failed
  int64_t attempts = 0;                  // in total, over every command
  std::string detail;                    // the last attempt's outcome, scrubbed of secrets
  bool already_delivered = false;        // found delivered: not sent again
};

// Adds each row to the outbox (keeping a stored row's state) and attempts
// the ones not yet delivered.
std::optional<Error> send(inventory::Store& store, const std::vector<inventory::DeliveryRow>& rows,
                          const RetryPolicy& policy, std::vector<Outcome>* out);

// Attempts every pending delivery (and failed ones with include_failed).
std::optional<Error> flush(inventory::Store& store, bool include_failed, const RetryPolicy& policy,
                           std::vector<Outcome>* out);

}  // namespace gv::respond
