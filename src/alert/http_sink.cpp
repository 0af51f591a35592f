// Webhook and S3 sinks: one HTTP request each through libcurl's easy API.
//
// Both send the body from memory with CURLOPT_POSTFIELDS (S3 switches the
// method to PUT): libcurl's SigV4 signer hashes the payload it can see, and a
// read callback would hide it. "Expect:" is cleared so bodies over 1 KiB do
// not wait a second for a 100 Continue that small receivers never send.
#include <curl/curl.h>

#include <memory>

#include "alert/deliver_internal.h"

namespace gv::alert_internal {

namespace {

struct CurlDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

constexpr size_t kBodyKept = 300;  // of a response body, for the detail

size_t keep_some(char* p, size_t size, size_t n, void* user) {
  auto* s = static_cast<std::string*>(user);
  size_t total = size * n;
  if (s->size() < kBodyKept) s->append(p, std::min(total, kBodyKept - s->size()));
  return total;
}

struct HttpRequest {
  std::string url;
  const char* method = "POST";
  std::vector<std::string> headers;
  std::string aws_sigv4;  // "aws:amz:REGION:s3" for S3
};

// curl errors that repeating cannot fix: a malformed URL, an unusable TLS
// setup. Everything else (refused, reset, timed out, DNS) may pass.
bool permanent_curl_error(CURLcode rc) {
  switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_LOGIN_DENIED:
      return true;
    default:
      return false;
  }
}

DeliveryResult perform(const HttpRequest& req, const std::string& body, const DeliverOptions& opt) {
  static const bool inited = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  DeliveryResult r;
  std::unique_ptr<CURL, CurlDeleter> h(inited ? curl_easy_init() : nullptr);
  if (!h) {
    r.kind = DeliveryResult::kRetry;
    r.detail = "libcurl could not be initialised";
    return r;
  }
  curl_slist* raw = nullptr;
  for (const std::string& line : req.headers) raw = curl_slist_append(raw, line.c_str());
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw);
  char errbuf[CURL_ERROR_SIZE] = "";
  std::string response;
  CURL* c = h.get();
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // we run inside threads; no SIGALRM for DNS timeouts
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, opt.connect_timeout_ms);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, opt.timeout_ms);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_some);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  if (!req.aws_sigv4.empty()) {
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, req.aws_sigv4.c_str());
    curl_easy_setopt(c, CURLOPT_USERNAME, opt.aws->access_key_id.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, opt.aws->secret_access_key.c_str());
  }
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    r.kind = permanent_curl_error(rc) ? DeliveryResult::kFailed : DeliveryResult::kRetry;
    r.detail = *errbuf ? errbuf : curl_easy_strerror(rc);
    return r;
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  r.http_status = static_cast<int>(status);
  r.kind = classify_http(status);
  r.detail = "HTTP " + std::to_string(status);
  if (r.kind != DeliveryResult::kDelivered && !response.empty())
    r.detail += ": " + quote_for_message(response);  // S3 says why in its XML error
  return r;
}

// RFC 3986 unreserved characters stay, '/' separates segments, everything
// else is %XX: the encoding SigV4's canonical URI expects for S3 keys.
std::string encode_key(std::string_view key) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : key) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string s3_url(const Sink& sink, const Delivery& d, const DeliverOptions& opt) {
  std::string key = sink.prefix.empty() ? d.object_name : sink.prefix + "/" + d.object_name;
  if (opt.s3_endpoint.empty())
    return "https://" + sink.bucket + ".s3." + opt.aws->region + ".amazonaws.com/" + encode_key(key);
  std::string endpoint = opt.s3_endpoint;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  return endpoint + "/" + sink.bucket + "/" + encode_key(key);
}

// Header values come from incident ids; a CR or LF would start a header of
// the receiver's choosing, so control bytes are dropped.
std::string header_value(std::string_view v) {
  std::string out;
  for (unsigned char c : v)
    if (c >= 0x20 && c != 0x7f) out += static_cast<char>(c);
  return out;
}

}  // namespace

DeliveryResult deliver_webhook(const Sink& sink, const Delivery& d, const DeliverOptions& opt) {
  HttpRequest req;
  req.url = sink.url;
  req.headers = {"Content-Type: application/json", "X-Gouvernante-Event: " + header_value(d.event),
                 "X-Gouvernante-Delivery: " + header_value(d.id), "Expect:"};
  // GitHub's convention: receivers already have code that checks it.
  if (!opt.webhook_secret.empty())
    req.headers.push_back("X-Gouvernante-Signature-256: sha256=" + hmac_sha256_hex(opt.webhook_secret, d.body));
  return perform(req, d.body, opt);
}

DeliveryResult deliver_s3(const Sink& sink, const Delivery& d, const DeliverOptions& opt) {
  if (!opt.aws) {
    DeliveryResult r;
    r.detail = "no AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION)";
    return r;
  }
  if (d.object_name.empty()) {
    DeliveryResult r;
    r.detail = "no object name for the S3 key";
    return r;
  }
  HttpRequest req;
  req.url = s3_url(sink, d, opt);
  req.method = "PUT";
  req.aws_sigv4 = "aws:amz:" + opt.aws->region + ":s3";
  // S3 refuses SigV4 requests without x-amz-content-sha256; libcurl 7.88
  // does not add it, and signs every header we pass, so this one is covered.
  req.headers = {"Content-Type: application/json", "x-amz-content-sha256: " + sha256_hex(d.body), "Expect:"};
  if (!opt.aws->session_token.empty())
    req.headers.push_back("x-amz-security-token: " + header_value(opt.aws->session_token));
  return perform(req, d.body, opt);
}

}  // namespace gv::alert_internal
