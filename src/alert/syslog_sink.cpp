// Syslog sinks: each line one RFC 5424 message,
//   <PRI>1 TIMESTAMP HOSTNAME gouvernante - - - MSG
// over UDP (one datagram per message, RFC 5426) or TCP with octet-counting
// framing (RFC 6587 3.4.1: "LEN SP MSG"), which survives newlines in MSG
// where LF framing would split an alert in two.
//
// PRI = facility local4 (20) * 8 + severity. The severity is read from the
// line's CEF header (the 7th field, 0-10): 9-10 critical (2), 7-8 error (3),
// 4-6 warning (4), 0-3 notice (5); a line that is not CEF is a warning.
//
// Delivery is at least once: a connection that breaks half way is retried
// from the first line, so a receiver may see some lines twice. UDP cannot
// tell a lost datagram from a delivered one; only a port that answers
// "unreachable" (seen as ECONNREFUSED on a later send) is noticed.
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "alert/deliver_internal.h"
#include "common/fd.h"

namespace gv::alert_internal {

namespace {

constexpr int kLocal4 = 20;

int cef_to_syslog_severity(std::string_view line) {
  if (!line.starts_with("CEF:")) return 4;
  int field = 0;
  size_t start = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\') {
      ++i;  // an escaped pipe does not end a header field
    } else if (line[i] == '|' && ++field == 6) {
      start = i + 1;
    } else if (line[i] == '|' && field == 7) {
      int sev = -1;
      auto [end, ec] = std::from_chars(line.data() + start, line.data() + i, sev);
      if (ec != std::errc() || end != line.data() + i) return 4;
      return sev >= 9 ? 2 : sev >= 7 ? 3 : sev >= 4 ? 4 : 5;
    }
  }
  return 4;
}

// RFC 5424 TIMESTAMP: RFC 3339 in UTC with milliseconds.
std::string timestamp_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  gmtime_r(&ts.tv_sec, &t);
  char buf[40];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
  snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ts.tv_nsec / 1000000));
  return buf;
}

// HOSTNAME is PRINTUSASCII (33-126), at most 255 octets, "-" when unknown.
std::string syslog_hostname(const std::string& given) {
  std::string raw = given;
  if (raw.empty()) {
    char buf[256] = "";
    if (gethostname(buf, sizeof buf - 1) == 0) raw = buf;
  }
  std::string out;
  for (unsigned char c : raw)
    if (c >= 33 && c <= 126 && out.size() < 255) out += static_cast<char>(c);
  return out.empty() ? "-" : out;
}

DeliveryResult result(DeliveryResult::Kind kind, std::string detail) {
  DeliveryResult r;
  r.kind = kind;
  r.detail = std::move(detail);
  return r;
}

DeliveryResult errno_result(const char* what, int err) {
  // EMSGSIZE: a datagram too large for UDP will never fit; the rest (refused,
  // unreachable, reset, timed out) may pass later.
  auto kind = err == EMSGSIZE ? DeliveryResult::kFailed : DeliveryResult::kRetry;
  return result(kind, std::string(what) + ": " + std::strerror(err));
}

// Connects within timeout_ms; returns the socket or sets *r.
UniqueFd connect_to(const Sink& sink, const DeliverOptions& opt, DeliveryResult* r) {
  addrinfo hints{};
  hints.ai_socktype = sink.kind == Sink::kSyslogTcp ? SOCK_STREAM : SOCK_DGRAM;
  addrinfo* list = nullptr;
  int gai = getaddrinfo(sink.host.c_str(), std::to_string(sink.port).c_str(), &hints, &list);
  if (gai != 0) {
    *r = result(DeliveryResult::kRetry, "resolve " + quote_for_message(sink.host) + ": " + gai_strerror(gai));
    return UniqueFd();
  }
  int last_err = ECONNREFUSED;
  for (addrinfo* a = list; a; a = a->ai_next) {
    UniqueFd fd(socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol));
    if (fd.fd < 0) {
      last_err = errno;
      continue;
    }
    int rc = connect(fd.fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd.fd, POLLOUT, 0};
      rc = poll(&p, 1, static_cast<int>(opt.connect_timeout_ms));
      int err = rc == 0 ? ETIMEDOUT : 0;
      socklen_t len = sizeof err;
      if (rc > 0) getsockopt(fd.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      errno = err;
      rc = err == 0 ? 0 : -1;
    }
    if (rc != 0) {
      last_err = errno;
      continue;
    }
    freeaddrinfo(list);
    return fd;
  }
  freeaddrinfo(list);
  *r = errno_result("connect", last_err);
  return UniqueFd();
}

// Blocking sends bounded by timeout_ms (SO_SNDTIMEO); MSG_NOSIGNAL so a
// receiver that hangs up costs an EPIPE, not the process.
bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0 || errno == EAGAIN) errno = ETIMEDOUT;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

DeliveryResult deliver_syslog(const Sink& sink, const Delivery& d, const DeliverOptions& opt) {
  DeliveryResult r;
  UniqueFd fd = connect_to(sink, opt, &r);
  if (fd.fd < 0) return r;
  // Back to blocking, bounded by the send timeout.
  fcntl(fd.fd, F_SETFL, fcntl(fd.fd, F_GETFL) & ~O_NONBLOCK);
  timeval tv{opt.timeout_ms / 1000, static_cast<suseconds_t>((opt.timeout_ms % 1000) * 1000)};
  setsockopt(fd.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  std::string head = " " + timestamp_now() + " " + syslog_hostname(opt.hostname) + " gouvernante - - - ";
  bool tcp = sink.kind == Sink::kSyslogTcp;
  for (const std::string& line : d.lines) {
    std::string msg = "<" + std::to_string(kLocal4 * 8 + cef_to_syslog_severity(line)) + ">1" + head + line;
    if (tcp) msg = std::to_string(msg.size()) + " " + msg;
    if (!send_all(fd.fd, msg)) return errno_result("send", errno);
  }
  return result(DeliveryResult::kDelivered, std::to_string(d.lines.size()) + " syslog message(s) sent");
}

}  // namespace gv::alert_internal
