// One delivery attempt to one sink (see sink.h for the layer's data flow).
//
// Classification, the same for every sink so the outbox needs one rule:
//   kDelivered  the receiver has it (2xx; the line(s) written and fsynced)
//   kRetry      may work later: 408, 429, 5xx, refused or timed out
//               connections, a full disk
//   kFailed     will not work until someone changes something: other 4xx,
//               a redirect, a missing folder, missing credentials
// Secrets (webhook secret, AWS secret key, session token) never appear in a
// DeliveryResult: anything we report from a receiver is scrubbed of them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "alert/sink.h"

namespace gv {

struct Delivery {
  std::string id;     // unique per (incident, sink), the same on every retry
  std::string event;  // X-Gouvernante-Event, e.g. "incident"
  std::string body;   // JSON, for webhooks and S3
  std::vector<std::string> lines;  // syslog: CEF payloads; file: JSON lines
  std::string object_name;         // S3: "<incident-id>.json"
};

struct DeliveryResult {
  enum Kind { kDelivered, kRetry, kFailed };
  Kind kind = kFailed;
  int http_status = 0;  // webhooks and S3, when a response came back
  std::string detail;   // for people: what happened, never a secret
};

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
  std::string region;
};

// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION (required) and
// AWS_SESSION_TOKEN (optional). nullopt with *error naming the first missing
// variable, so the user learns about it before any network call.
std::optional<AwsCredentials> aws_from_env(std::string* error);

struct DeliverOptions {
  std::string webhook_secret;  // signs webhooks when non-empty; read from the env by the caller
  std::optional<AwsCredentials> aws;  // required by s3:// sinks
  std::string s3_endpoint;     // e.g. http://127.0.0.1:9000: path-style; empty = AWS virtual-host
  long connect_timeout_ms = 5000;
  long timeout_ms = 30000;     // whole attempt, per request or syslog connection
  std::string hostname;        // syslog HOSTNAME field; empty = gethostname()
};

DeliveryResult deliver(const Sink& sink, const Delivery& d, const DeliverOptions& opt);

// Hex digests over exact bytes (OpenSSL): the webhook signature and S3's
// x-amz-content-sha256.
std::string sha256_hex(std::string_view data);
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

}  // namespace gv
