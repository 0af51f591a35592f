// alert/: where an incident goes once it is built.
//
// Data flow: the caller (respond, watch, the outbox flush) turns an incident
// into one Delivery per sink — the JSON body for webhooks and S3, one line
// per affected repo, run or host for syslog (CEF) and files (JSON lines) —
// and hands it to deliver() with a parsed Sink. deliver() makes exactly one
// attempt and says whether it worked, may work later (kRetry: the outbox
// keeps it) or never will (kFailed: a 4xx, a missing folder). Retrying,
// backoff and bookkeeping belong to the caller, so each sink stays a plain
// function a test can aim at a loopback receiver.
//
// This file: the sink syntax users type after --sink.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gv {

struct Sink {
  enum Kind { kWebhook, kS3, kSyslogUdp, kSyslogTcp, kFile };
  Kind kind = kWebhook;
  std::string text;    // as the user wrote it, for messages
  std::string url;     // kWebhook: the whole http(s) URL
  std::string bucket;  // kS3
  std::string prefix;  // kS3: without leading or trailing '/', may be empty
  std::string host;    // kSyslog*: name or address (IPv6 without brackets)
  uint16_t port = 0;   // kSyslog*
  std::string path;    // kFile
};

// http://… https://… s3://bucket[/prefix] syslog+udp://host:port
// syslog+tcp://host:port file:PATH. On failure returns nullopt and sets
// *error to a message that quotes the sink text (escaped: it may come from a
// config file we did not write).
std::optional<Sink> parse_sink(std::string_view text, std::string* error);

// A user-supplied string quoted for a message: control bytes and non-ASCII
// become \xNN, so a hostile value cannot rewrite the terminal or the log line.
std::string quote_for_message(std::string_view s);

}  // namespace gv
