#include "respond/outbox.h"

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "alert/deliver.h"
#include "respond/render.h"

namespace gv::respond {

namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* env(const std::string& name) {
  const char* v = name.empty() ? nullptr : std::getenv(name.c_str());
  return v && *v ? v : nullptr;
}

bool is_http_url(const std::string& s) { return s.starts_with("http://") || s.starts_with("https://"); }

// Everything one attempt needs, read from the row and the environment now:
// a flush in another shell reads the secrets of *its* environment.
bool prepare(const inventory::DeliveryRow& row, Sink* sink, Delivery* d, DeliverOptions* opt, std::string* why) {
  std::optional<Sink> parsed = parse_sink(row.sink, why);
  if (!parsed) return false;
  *sink = *parsed;
  SinkSpec spec{*sink, row.secret_env, row.s3_endpoint};
  if (auto problem = check_sink(spec)) {
    *why = *problem;
    return false;
  }
  d->id = row.delivery_id;
  d->event = row.event;
  d->body = row.body;
  d->object_name = row.object_name;
  auto lines = nlohmann::json::parse(row.lines, nullptr, false);
  if (!lines.is_array()) {
    *why = "delivery " + row.delivery_id + ": its stored lines are not a JSON array";
    return false;
  }
  for (const auto& l : lines)
    if (l.is_string()) d->lines.push_back(l.get<std::string>());
  if (const char* secret = env(row.secret_env)) opt->webhook_secret = secret;
  if (sink->kind == Sink::kS3) opt->aws = aws_from_env(why);
  opt->s3_endpoint = row.s3_endpoint;
  return true;
}

// Attempts one row up to policy.max_attempts times, recording each attempt.
std::optional<Error> attempt(inventory::Store& store, inventory::DeliveryRow row, const RetryPolicy& policy,
                             Outcome* out) {
  Sink sink;
  Delivery d;
  DeliverOptions opt;
  std::string why;
  const bool ready = prepare(row, &sink, &d, &opt, &why);
  int64_t delay = policy.first_delay_ms;
  for (int i = 0; i < std::max(1, policy.max_attempts); ++i) {
    DeliveryResult r;
    if (ready) {
      r = deliver(sink, d, opt);
    } else {
      r.kind = DeliveryResult::kFailed;
      r.detail = why;
    }
    ++row.attempts;
    row.state = r.kind == DeliveryResult::kDelivered ? "delivered" : r.kind == DeliveryResult::kRetry ? "pending"
                                                                                                       : "failed";
    row.last_error = r.kind == DeliveryResult::kDelivered ? "" : r.detail;
    row.updated_ns = now_ns();
    if (auto e = store.update_delivery(row)) return e;
    out->state = row.state;
    out->attempts = row.attempts;
    out->detail = r.detail;
    if (r.kind != DeliveryResult::kRetry) break;
    if (i + 1 < policy.max_attempts) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      delay *= 2;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_sink(const SinkSpec& spec) {
  const std::string name = quote_for_message(spec.sink.text);
  if (!spec.secret_env.empty() && spec.sink.kind == Sink::kWebhook && !env(spec.secret_env))
    return "sink " + name + ": --webhook-secret-env names " + spec.secret_env + ", which is not set (or empty)";
  if (spec.sink.kind == Sink::kS3) {
    std::string why;
    if (!aws_from_env(&why)) return "sink " + name + ": " + why;
    if (!spec.s3_endpoint.empty() && !is_http_url(spec.s3_endpoint))
      return "sink " + name + ": --s3-endpoint must be an http:// or https:// URL, not " +
             quote_for_message(spec.s3_endpoint);
  }
  return std::nullopt;
}

inventory::DeliveryRow delivery_for(const Incident& inc, const SinkSpec& spec, const std::string& tool_version,
                                    int64_t now) {
  inventory::DeliveryRow row;
  row.delivery_id = "dlv-" + sha256_hex(inc.id + "\n" + spec.sink.text).substr(0, 24);
  row.incident_id = inc.id;
  row.sink = spec.sink.text;
  row.event = "incident";
  row.secret_env = spec.sink.kind == Sink::kWebhook ? spec.secret_env : "";
  row.s3_endpoint = spec.sink.kind == Sink::kS3 ? spec.s3_endpoint : "";
  nlohmann::json lines = nlohmann::json::array();
  switch (spec.sink.kind) {
    case Sink::kWebhook:
    case Sink::kS3:
      row.body = incident_json(inc).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
      row.object_name = inc.id + ".json";
      break;
    case Sink::kSyslogUdp:
    case Sink::kSyslogTcp:
      for (std::string& l : cef_lines(inc, tool_version)) lines.push_back(std::move(l));
      break;
    case Sink::kFile:
      for (std::string& l : json_lines(inc)) lines.push_back(std::move(l));
      break;
  }
  row.lines = lines.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  row.state = "pending";
  row.created_ns = row.updated_ns = now;
  return row;
}

std::optional<Error> send(inventory::Store& store, const std::vector<inventory::DeliveryRow>& rows,
                          const RetryPolicy& policy, std::vector<Outcome>* out) {
  for (const inventory::DeliveryRow& row : rows) {
    inventory::DeliveryRow stored;
    if (auto e = store.add_delivery(row, &stored)) return e;
    Outcome o{stored.delivery_id, stored.sink, stored.state, stored.attempts, stored.last_error, false};
    if (stored.state == "delivered") {
      o.already_delivered = true;
      o.detail = "delivered before; not sent again";
    } else if (auto e = attempt(store, stored, policy, &o)) {
      return e;
    }
    out->push_back(std::move(o));
  }
  return std::nullopt;
}

std::optional<Error> flush(inventory::Store& store, bool include_failed, const RetryPolicy& policy,
                           std::vector<Outcome>* out) {
  std::vector<inventory::DeliveryRow> rows;
  if (auto e = store.deliveries("pending", &rows)) return e;
  if (include_failed) {
    std::vector<inventory::DeliveryRow> failed;
    if (auto e = store.deliveries("failed", &failed)) return e;
    rows.insert(rows.end(), failed.begin(), failed.end());
  }
  for (const inventory::DeliveryRow& row : rows) {
    Outcome o{row.delivery_id, row.sink, row.state, row.attempts, row.last_error, false};
    if (auto e = attempt(store, row, policy, &o)) return e;
    out->push_back(std::move(o));
  }
  return std::nullopt;
}

}  // namespace gv::respond
