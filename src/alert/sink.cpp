#include "alert/sink.h"

#include <charconv>

namespace gv {

std::string quote_for_message(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

namespace {

bool fail(std::string* error, std::string_view text, std::string_view why) {
  if (error) *error = "sink " + quote_for_message(text) + ": " + std::string(why);
  return false;
}

// AWS's bucket naming rules (3-63 characters, lowercase letters, digits,
// dots, hyphens): checked here so a typo fails before any credentials are
// read, instead of as an opaque 400 from the store.
bool valid_bucket(std::string_view b) {
  if (b.size() < 3 || b.size() > 63) return false;
  for (char c : b)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
  return b.front() != '.' && b.front() != '-' && b.back() != '.' && b.back() != '-';
}

bool parse_s3(std::string_view text, std::string_view rest, Sink* sink, std::string* error) {
  size_t slash = rest.find('/');
  std::string_view bucket = rest.substr(0, slash);
  std::string_view prefix = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  if (bucket.empty()) return fail(error, text, "missing bucket (expected s3://bucket/prefix)");
  if (!valid_bucket(bucket))
    return fail(error, text, "bad bucket name (3-63 lowercase letters, digits, '.', '-')");
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  if (prefix.starts_with('/') || prefix.find("//") != std::string_view::npos)
    return fail(error, text, "empty path segment in prefix");
  sink->kind = Sink::kS3;
  sink->bucket = bucket;
  sink->prefix = prefix;
  return true;
}

// host:port, host may be [IPv6]. Nothing after the port: a path would be
// silently ignored by syslog, so it is an error rather than a surprise.
bool parse_host_port(std::string_view text, std::string_view rest, Sink* sink, std::string* error) {
  std::string_view host;
  std::string_view after;
  if (rest.starts_with('[')) {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return fail(error, text, "unterminated '[' in host");
    host = rest.substr(1, close - 1);
    after = rest.substr(close + 1);
  } else {
    size_t colon = rest.rfind(':');
    host = rest.substr(0, colon);
    after = colon == std::string_view::npos ? "" : rest.substr(colon);
  }
  if (host.empty()) return fail(error, text, "missing host (expected syslog+udp://host:port)");
  if (!after.starts_with(':') || after.size() == 1)
    return fail(error, text, "missing port (expected syslog+udp://host:port)");
  std::string_view digits = after.substr(1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || end != digits.data() + digits.size() || port == 0 || port > 65535)
    return fail(error, text, "bad port (expected 1-65535)");
  sink->host = host;
  sink->port = static_cast<uint16_t>(port);
  return true;
}

bool parse_webhook(std::string_view text, size_t scheme_len, Sink* sink, std::string* error) {
  std::string_view rest = text.substr(scheme_len);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  size_t at = authority.rfind('@');
  std::string_view hostport = at == std::string_view::npos ? authority : authority.substr(at + 1);
  if (hostport.empty() || hostport.starts_with(':')) return fail(error, text, "missing host in URL");
  for (unsigned char c : text)
    if (c <= 0x20 || c == 0x7f) return fail(error, text, "space or control character in URL");
  sink->kind = Sink::kWebhook;
  sink->url = text;
  return true;
}

}  // namespace

std::optional<Sink> parse_sink(std::string_view text, std::string* error) {
  Sink sink;
  sink.text = text;
  bool ok = false;
  if (text.starts_with("http://")) {
    ok = parse_webhook(text, 7, &sink, error);
  } else if (text.starts_with("https://")) {
    ok = parse_webhook(text, 8, &sink, error);
  } else if (text.starts_with("s3://")) {
    ok = parse_s3(text, text.substr(5), &sink, error);
  } else if (text.starts_with("syslog+udp://")) {
    sink.kind = Sink::kSyslogUdp;
    ok = parse_host_port(text, text.substr(13), &sink, error);
  } else if (text.starts_with("syslog+tcp://")) {
    sink.kind = Sink::kSyslogTcp;
    ok = parse_host_port(text, text.substr(13), &sink, error);
  } else if (text.starts_with("file:")) {
    // file:///var/log/x is accepted as the URL spelling of /var/log/x.
    std::string_view path = text.substr(5);
    if (path.starts_with("///")) path.remove_prefix(2);
    sink.kind = Sink::kFile;
    sink.path = path;
    ok = !path.empty() || fail(error, text, "missing path (expected file:PATH)");
  } else {
    ok = fail(error, text,
              "unknown scheme (expected http://, https://, s3://, syslog+udp://, syslog+tcp:// or file:)");
  }
  if (!ok) return std::nullopt;
  return sink;
}

}  // namespace gv
