#include "egress/relay.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace gv::egress {

namespace {

constexpr int64_t kAnswerWaitMs = 15'000;  // glibc gives up after 5 s x 2 tries
constexpr size_t kMaxPending = 4096;
constexpr size_t kMaxTcpMessage = 65535 + 2;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A loopback socket of `family`/`type` on an ephemeral port (listening for
// TCP); -1 when this machine has no such loopback (no IPv6, say).
UniqueFd bind_loopback(int family, int type, std::optional<SockAddr>* where) {
  UniqueFd s(::socket(family, type | SOCK_CLOEXEC, 0));
  if (s.fd < 0) return UniqueFd();
  if (family == AF_INET6) {
    const int one = 1;
    (void)::setsockopt(s.fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  }
  const SockAddr a = loopback(family, 0);
  if (::bind(s.fd, reinterpret_cast<const sockaddr*>(&a.raw), a.len) != 0) return UniqueFd();
  if (type == SOCK_STREAM && ::listen(s.fd, 128) != 0) return UniqueFd();
  if (type == SOCK_DGRAM) {
    const int one = 1;
    (void)::setsockopt(s.fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  }
  *where = local_of(s.fd);
  if (!*where) return UniqueFd();
  return s;
}

// The server's address as the upstream socket of its family takes it.
SockAddr plain(const SockAddr& server) {
  if (server.nbytes == 16) return server;
  sockaddr_in in{};
  in.sin_family = AF_INET;
  std::memcpy(&in.sin_addr, server.bytes.data(), 4);
  in.sin_port = htons(server.port);
  return *parse_sockaddr(&in, sizeof in);
}

void set_id(std::vector<uint8_t>* msg, uint16_t id) {
  (*msg)[0] = static_cast<uint8_t>(id >> 8);
  (*msg)[1] = static_cast<uint8_t>(id & 0xff);
}

// Writes all of `data`, or fails.
bool write_all(int fd, std::span<const uint8_t> data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data = data.subspan(static_cast<size_t>(n));
  }
  return true;
}

// A tree socket is known by its local port: a socket bound to the wildcard
// address says 0.0.0.0 where the relay sees 127.0.0.1.
std::string client_key(const SockAddr& local) { return std::to_string(local.port); }

}  // namespace

DnsRelay::DnsRelay(Hooks hooks) : hooks_(std::move(hooks)) {}

DnsRelay::~DnsRelay() { stop(); }

std::optional<Error> DnsRelay::start() {
  udp4_ = bind_loopback(AF_INET, SOCK_DGRAM, &udp4_addr_);
  tcp4_ = bind_loopback(AF_INET, SOCK_STREAM, &tcp4_addr_);
  if (udp4_.fd < 0 || tcp4_.fd < 0) return Error{"", 0, 0, std::string("DNS relay: cannot bind 127.0.0.1: ") + std::strerror(errno)};
  udp6_ = bind_loopback(AF_INET6, SOCK_DGRAM, &udp6_addr_);
  tcp6_ = bind_loopback(AF_INET6, SOCK_STREAM, &tcp6_addr_);
  up4_.reset(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  up6_.reset(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  int p[2];
  if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) return Error{"", 0, 0, std::string("pipe: ") + std::strerror(errno)};
  wake_r_.reset(p[0]);
  wake_w_.reset(p[1]);
  uint16_t seed = 0;
  (void)!::getrandom(&seed, sizeof seed, 0);
  next_id_ = seed;
  thread_ = std::thread([this] { loop(); });
  return std::nullopt;
}

void DnsRelay::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  const char b = 1;
  (void)!::write(wake_w_.fd, &b, 1);
  thread_.join();
  for (auto& c : conns_) {
    ::shutdown(c->client.fd, SHUT_RDWR);
    if (c->upstream.fd >= 0) ::shutdown(c->upstream.fd, SHUT_RDWR);
    if (c->thread.joinable()) c->thread.join();
  }
  conns_.clear();
}

std::optional<SockAddr> DnsRelay::target(int family, int type) const {
  const bool v6 = family == AF_INET6;
  if (type == SOCK_DGRAM) return v6 && udp6_addr_ ? udp6_addr_ : udp4_addr_;
  if (type == SOCK_STREAM) return v6 && tcp6_addr_ ? tcp6_addr_ : tcp4_addr_;
  return std::nullopt;
}

bool DnsRelay::is_relay(const SockAddr& a) const {
  const std::string k = a.key();
  for (const auto* r : {&udp4_addr_, &udp6_addr_, &tcp4_addr_, &tcp6_addr_}) {
    if (*r && (*r)->key() == k) return true;
  }
  return false;
}

void DnsRelay::add_client(const SockAddr& local, const SockAddr& server, int query_id, int pid, int ppid,
                          const std::string& exe, const std::vector<std::string>& argv) {
  std::lock_guard lock(mu_);
  RelayClient& c = clients_[client_key(local)];
  c.server = server;
  if (query_id >= 0) {
    if (c.server_by_id.size() > 256) c.server_by_id.clear();
    c.server_by_id[static_cast<uint16_t>(query_id)] = server;
  }
  c.pid = pid;
  c.ppid = ppid;
  c.exe = exe;
  c.argv = argv;
}

std::optional<RelayClient> DnsRelay::find(const SockAddr& local) const {
  std::lock_guard lock(mu_);
  auto it = clients_.find(client_key(local));
  if (it == clients_.end()) return std::nullopt;
  return it->second;
}

std::optional<SockAddr> DnsRelay::server_for(const SockAddr& local, int id) const {
  std::lock_guard lock(mu_);
  auto it = clients_.find(client_key(local));
  if (it == clients_.end()) return std::nullopt;
  if (id >= 0) {
    auto s = it->second.server_by_id.find(static_cast<uint16_t>(id));
    if (s != it->second.server_by_id.end()) return s->second;
  }
  return it->second.server;
}

// Judges one message; on refusal *refusal holds the answer to send back
// (empty when the message cannot be answered: it is dropped).
bool DnsRelay::ask(const RelayClient& client, const SockAddr& server, const std::string& protocol,
                   std::span<const uint8_t> msg, int64_t time_ns, std::vector<uint8_t>* refusal) {
  std::vector<DnsQuestion> qs;
  std::string why;
  if (!parse_dns_query(msg, &qs, &why)) qs.clear();
  if (qs.empty() && why.empty()) why = "a query without a question";
  const bool ok = hooks_.question(client, server, protocol, qs, why, time_ns);
  if (!ok) *refusal = build_dns_refused(msg);
  return ok;
}

void DnsRelay::loop() {
  for (;;) {
    std::vector<pollfd> fds;
    for (int fd : {wake_r_.fd, udp4_.fd, udp6_.fd, tcp4_.fd, tcp6_.fd, up4_.fd, up6_.fd})
      if (fd >= 0) fds.push_back({fd, POLLIN, 0});
    const int n = ::poll(fds.data(), fds.size(), pending_.empty() ? 1000 : 200);
    if (stopping_) {
      // What the tree sent before it exited is still queued: record it.
      for (int fd : {udp4_.fd, udp6_.fd}) {
        pollfd p{fd, POLLIN, 0};
        while (fd >= 0 && ::poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) on_query(fd);
      }
      return;
    }
    if (n < 0 && errno != EINTR) return;
    for (const pollfd& p : fds) {
      if ((p.revents & POLLIN) == 0) continue;
      if (p.fd == udp4_.fd || p.fd == udp6_.fd) on_query(p.fd);
      if (p.fd == up4_.fd || p.fd == up6_.fd) on_upstream(p.fd);
      if (p.fd == tcp4_.fd || p.fd == tcp6_.fd) on_accept(p.fd);
    }
    expire(now_ms());
    std::erase_if(conns_, [](const std::unique_ptr<Conn>& c) {
      if (!c->done) return false;
      c->thread.join();
      return true;
    });
  }
}

int DnsRelay::upstream_for(const SockAddr& server) { return server.nbytes == 16 ? up6_.fd : up4_.fd; }

void DnsRelay::on_query(int relay_fd) {
  std::vector<uint8_t> buf(65536);
  sockaddr_storage from{};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  iovec iov{buf.data(), buf.size()};
  msghdr m{};
  m.msg_name = &from;
  m.msg_namelen = sizeof from;
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = control;
  m.msg_controllen = sizeof control;
  const ssize_t n = ::recvmsg(relay_fd, &m, MSG_DONTWAIT);
  if (n < 0) return;
  buf.resize(static_cast<size_t>(n));
  const socklen_t from_len = m.msg_namelen;
  int64_t sent_ns = 0;
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec ts{};
      std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
      sent_ns = int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
    }
  }
  const std::optional<SockAddr> peer = parse_sockaddr(&from, from_len);
  if (!peer) return;
  const std::optional<RelayClient> client = find(*peer);
  if (!client) {
    if (hooks_.problem) hooks_.problem("a datagram to the DNS relay from a socket it did not redirect (dropped)");
    return;
  }
  const int id = dns_message_id(buf);
  const SockAddr server = server_for(*peer, id).value_or(client->server);
  std::vector<uint8_t> refusal;
  if (!ask(*client, server, "udp", buf, sent_ns, &refusal)) {
    if (!refusal.empty())
      (void)::sendto(relay_fd, refusal.data(), refusal.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&from),
                     from_len);
    return;
  }
  if (id < 0 || pending_.size() >= kMaxPending) return;  // no id to route the answer by; a flood
  uint16_t relay_id = 0;
  do {
    uint16_t r = 0;
    (void)!::getrandom(&r, sizeof r, 0);
    relay_id = static_cast<uint16_t>(r ^ next_id_++);
  } while (pending_.count(relay_id) != 0);
  set_id(&buf, relay_id);
  const SockAddr to = plain(server);
  const int up = upstream_for(server);
  if (up < 0 || ::sendto(up, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to.raw),
                         to.len) < 0)
    return;  // as a lost datagram: the resolver asks again
  pending_[relay_id] = Pending{relay_fd, *peer, static_cast<uint16_t>(id), to.key(), now_ms() + kAnswerWaitMs};
}

void DnsRelay::on_upstream(int up_fd) {
  std::vector<uint8_t> buf(65536);
  sockaddr_storage from{};
  socklen_t from_len = sizeof from;
  const ssize_t n =
      ::recvfrom(up_fd, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &from_len);
  if (n < 0) return;
  buf.resize(static_cast<size_t>(n));
  const std::optional<SockAddr> src = parse_sockaddr(&from, from_len);
  const int id = dns_message_id(buf);
  if (!src || id < 0) return;
  auto it = pending_.find(static_cast<uint16_t>(id));
  // Only the server asked, with the id it was given: anyone else is spoofing.
  if (it == pending_.end() || it->second.server_key != src->key()) return;
  const Pending p = it->second;
  pending_.erase(it);
  set_id(&buf, p.client_id);
  DnsAnswer answer;
  std::string why;
  if (parse_dns_answer(buf, &answer, &why) && hooks_.answer) hooks_.answer(answer);
  (void)::sendto(p.relay_fd, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&p.client.raw),
                 p.client.len);
}

void DnsRelay::expire(int64_t now) {
  std::erase_if(pending_, [now](const auto& kv) { return kv.second.deadline_ms < now; });
}

void DnsRelay::on_accept(int listen_fd) {
  UniqueFd c(::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC));
  if (c.fd < 0) return;
  auto conn = std::make_unique<Conn>();
  conn->client = std::move(c);
  Conn* raw = conn.get();
  conn->thread = std::thread([this, raw] {
    serve_tcp(raw);
    raw->done = true;
  });
  conns_.push_back(std::move(conn));
}

// One DNS-over-TCP connection: questions judged message by message, answers
// read for their addresses, bytes passed through otherwise.
void DnsRelay::serve_tcp(Conn* c) {
  const std::optional<SockAddr> peer = peer_of(c->client.fd);
  if (!peer) return;
  std::optional<RelayClient> client;
  // The supervisor registers the socket just after it connected it here.
  for (int i = 0; i < 50 && !(client = find(*peer)) && !stopping_; ++i) ::usleep(10'000);
  if (!client) {
    if (hooks_.problem) hooks_.problem("a connection to the DNS relay from a socket it did not redirect (closed)");
    return;
  }
  const SockAddr to = plain(client->server);
  c->upstream.reset(::socket(to.raw.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  // connect(2) honours the send timeout: a server that never answers must
  // not hold this thread (and the run's end) for the kernel's two minutes.
  const timeval limit{5, 0};
  if (c->upstream.fd >= 0) (void)::setsockopt(c->upstream.fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  std::vector<uint8_t> in, out;  // client -> server, server -> client
  std::vector<uint8_t> buf(16384);
  bool connected = false;
  for (;;) {
    pollfd fds[2] = {{c->client.fd, POLLIN, 0}, {connected ? c->upstream.fd : -1, POLLIN, 0}};
    if (::poll(fds, 2, 1000) < 0 && errno != EINTR) return;
    if (stopping_) return;
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = ::recv(c->client.fd, buf.data(), buf.size(), 0);
      if (n <= 0) return;
      in.insert(in.end(), buf.begin(), buf.begin() + n);
      while (in.size() >= 2) {
        const size_t len = static_cast<size_t>(in[0] << 8 | in[1]);
        if (in.size() < 2 + len) break;
        const std::span<const uint8_t> msg(in.data() + 2, len);
        std::vector<uint8_t> refusal;
        if (ask(*client, client->server, "tcp", msg, 0, &refusal)) {
          if (!connected) {
            if (c->upstream.fd < 0 ||
                ::connect(c->upstream.fd, reinterpret_cast<const sockaddr*>(&to.raw), to.len) != 0)
              return;  // the tree sees the connection close, as a server going away
            connected = true;
          }
          if (!write_all(c->upstream.fd, std::span<const uint8_t>(in.data(), 2 + len))) return;
        } else {
          if (refusal.empty()) return;
          const uint8_t hdr[2] = {static_cast<uint8_t>(refusal.size() >> 8), static_cast<uint8_t>(refusal.size())};
          if (!write_all(c->client.fd, hdr) || !write_all(c->client.fd, refusal)) return;
        }
        in.erase(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(2 + len));
      }
      if (in.size() > kMaxTcpMessage) return;
    }
    if (connected && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      const ssize_t n = ::recv(c->upstream.fd, buf.data(), buf.size(), 0);
      if (n <= 0) return;
      // Learnt before the client reads it: its next connect is to one of these.
      out.insert(out.end(), buf.begin(), buf.begin() + n);
      while (out.size() >= 2) {
        const size_t len = static_cast<size_t>(out[0] << 8 | out[1]);
        if (out.size() < 2 + len) break;
        DnsAnswer answer;
        std::string why;
        if (parse_dns_answer(std::span<const uint8_t>(out.data() + 2, len), &answer, &why) && hooks_.answer)
          hooks_.answer(answer);
        out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(2 + len));
      }
      if (out.size() > kMaxTcpMessage) return;
      if (!write_all(c->client.fd, std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)))) return;
    }
  }
}

}  // namespace gv::egress
