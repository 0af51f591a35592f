// A webhook receiver on loopback for the respond tests: a thread that
// accepts HTTP/1.1 requests one connection at a time, records each request
// (method, path, headers lower-cased, body) and answers with a status the
// test chooses. Connection: close after every answer, so each delivery is
// one connection and one record.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gv::testing {

struct HttpRequest {
  std::string method, path, body;
  std::map<std::string, std::string> headers;  // names lower-cased
};

class HttpReceiver {
 public:
  // port 0: an ephemeral one (port() says which).
  explicit HttpReceiver(uint16_t port = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    ok_ = bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && listen(fd_, 16) == 0;
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    if (ok_) thread_ = std::thread([this] { loop(); });
  }
  ~HttpReceiver() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  bool ok() const { return ok_; }
  uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void set_status(int status) { status_ = status; }
  std::vector<HttpRequest> requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }

 private:
  void loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      serve(c);
      close(c);
    }
  }

  // Reads until the headers end and Content-Length bytes of body arrived.
  void serve(int c) {
    std::string data;
    size_t header_end = std::string::npos, need = 0;
    char buf[8192];
    for (;;) {
      pollfd p{c, POLLIN, 0};
      if (poll(&p, 1, 5000) <= 0) return;
      ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) return;
      data.append(buf, static_cast<size_t>(n));
      if (header_end == std::string::npos && (header_end = data.find("\r\n\r\n")) != std::string::npos) {
        need = header_end + 4 + content_length(data.substr(0, header_end));
      }
      if (header_end != std::string::npos && data.size() >= need) break;
    }
    HttpRequest r = parse(data.substr(0, header_end));
    r.body = data.substr(header_end + 4, need - header_end - 4);
    {
      std::lock_guard<std::mutex> l(mu_);
      requests_.push_back(std::move(r));
    }
    const std::string answer = "HTTP/1.1 " + std::to_string(status_.load()) +
                               " X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    (void)!write(c, answer.data(), answer.size());
  }

  static size_t content_length(const std::string& head) {
    HttpRequest r = parse(head);
    auto it = r.headers.find("content-length");
    return it == r.headers.end() ? 0 : std::stoul(it->second);
  }

  static HttpRequest parse(const std::string& head) {
    HttpRequest r;
    size_t eol = head.find("\r\n");
    const std::string first = head.substr(0, eol);
    r.method = first.substr(0, first.find(' '));
    r.path = first.substr(first.find(' ') + 1, first.rfind(' ') - first.find(' ') - 1);
    while (eol != std::string::npos) {
      size_t next = head.find("\r\n", eol + 2);
      std::string line = head.substr(eol + 2, next == std::string::npos ? std::string::npos : next - eol - 2);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
        size_t v = line.find_first_not_of(' ', colon + 1);
        r.headers[name] = v == std::string::npos ? "" : line.substr(v);
      }
      eol = next;
    }
    return r;
  }

  int fd_ = -1;
  bool ok_ = false;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> status_{200};
  std::mutex mu_;
  std::vector<HttpRequest> requests_;
  std::thread thread_;
};

// A loopback port nothing listens on (bound, then closed).
inline uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

}  // namespace gv::testing
