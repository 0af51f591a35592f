#include "alert/deliver.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

#include "alert/deliver_internal.h"

namespace gv {

namespace {

std::string hex(const unsigned char* p, size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[p[i] >> 4];
    out[2 * i + 1] = kHex[p[i] & 15];
  }
  return out;
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  return hex(md, n);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &n);
  return hex(md, n);
}

std::optional<AwsCredentials> aws_from_env(std::string* error) {
  AwsCredentials c;
  for (auto [name, field] : {std::pair{"AWS_ACCESS_KEY_ID", &c.access_key_id},
                             std::pair{"AWS_SECRET_ACCESS_KEY", &c.secret_access_key},
                             std::pair{"AWS_REGION", &c.region}}) {
    const char* v = env(name);
    if (!v) {
      if (error) *error = std::string("s3 sink: environment variable ") + name + " is not set";
      return std::nullopt;
    }
    *field = v;
  }
  if (const char* t = env("AWS_SESSION_TOKEN")) c.session_token = t;
  return c;
}

namespace alert_internal {

DeliveryResult::Kind classify_http(long status) {
  if (status >= 200 && status < 300) return DeliveryResult::kDelivered;
  if (status == 408 || status == 429 || (status >= 500 && status < 600)) return DeliveryResult::kRetry;
  return DeliveryResult::kFailed;
}

std::string scrub(std::string text, const DeliverOptions& opt) {
  std::vector<std::string_view> secrets = {opt.webhook_secret};
  if (opt.aws) {
    secrets.push_back(opt.aws->secret_access_key);
    secrets.push_back(opt.aws->session_token);
  }
  for (std::string_view s : secrets) {
    if (s.empty()) continue;
    for (size_t at = text.find(s); at != std::string::npos; at = text.find(s, at))
      text.replace(at, s.size(), "[redacted]");
  }
  return text;
}

}  // namespace alert_internal

DeliveryResult deliver(const Sink& sink, const Delivery& d, const DeliverOptions& opt) {
  using namespace alert_internal;
  DeliveryResult r;
  switch (sink.kind) {
    case Sink::kWebhook: r = deliver_webhook(sink, d, opt); break;
    case Sink::kS3: r = deliver_s3(sink, d, opt); break;
    case Sink::kSyslogUdp:
    case Sink::kSyslogTcp: r = deliver_syslog(sink, d, opt); break;
    case Sink::kFile: r = deliver_file(sink, d); break;
  }
  // Last line of defence: receivers may echo request headers (the session
  // token, the signature) back in an error body we quote.
  r.detail = scrub(std::move(r.detail), opt);
  return r;
}

}  // namespace gv
