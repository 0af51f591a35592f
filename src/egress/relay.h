// The supervisor's DNS relay. A socket of the supervised tree that is
// connected to port 53 is connected here instead (the supervisor performs
// that connect on a duplicate of the socket), and a datagram the tree sends
// to port 53 is sent here; the relay reads every question whichever system
// call carried it -- write(2) on a connected socket included, which seccomp
// cannot tell from a file write -- records it, refuses it in block mode
// (answering REFUSED, so the resolver fails at once), forwards the rest to
// the server the tree meant, and reads the answers, so that later connects
// are annotated with the names that resolved to their address (and block
// mode can allow `host:port` entries by the names the tree resolved).
//
// UDP is forwarded on one upstream socket per family with the message id
// rewritten (so many clients can use one socket), answers are accepted only
// from the server the question went to, with the relay's id. TCP (RFC 7766
// framing) gets a thread and an upstream connection per client connection.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "common/fd.h"
#include "egress/dns.h"
#include "egress/sockaddr.h"

namespace gv::egress {

// A tree socket whose DNS goes through the relay, and whom to attribute its
// questions to: the process that connected it or last sent on it.
struct RelayClient {
  SockAddr server;  // where the tree meant its questions to go
  // Unconnected sends name their server each time (musl asks every server
  // at once from one socket): the server by message id, when known.
  std::map<uint16_t, SockAddr> server_by_id;
  int pid = 0, ppid = 0;
  std::string exe;
  std::vector<std::string> argv;
};

class DnsRelay {
 public:
  struct Hooks {
    // A message from a client, on the relay's threads. `questions` is empty
    // and `unreadable` says why when it is not a query we can read. Returns
    // whether it may be forwarded.
    // `time_ns` is when the kernel queued the datagram (SO_TIMESTAMPNS), so
    // the question sorts where it was asked, not where the relay got to it.
    std::function<bool(const RelayClient& client, const SockAddr& server, const std::string& protocol,
                       const std::vector<DnsQuestion>& questions, const std::string& unreadable, int64_t time_ns)>
        question;
    // An answer on its way back to a client.
    std::function<void(const DnsAnswer& answer)> answer;
    // Something the relay could not do, one sentence.
    std::function<void(const std::string& what)> problem;
  };

  explicit DnsRelay(Hooks hooks);
  ~DnsRelay();
  DnsRelay(const DnsRelay&) = delete;
  DnsRelay& operator=(const DnsRelay&) = delete;

  // Binds the loopback sockets and starts the relay's thread.
  std::optional<Error> start();
  // Stops and joins every thread (also done by the destructor).
  void stop();

  // Where a tree socket of this family and type (SOCK_DGRAM, SOCK_STREAM) is
  // connected or sent to instead of a DNS server; nullopt when there is no
  // relay for it (no IPv6 loopback, say).
  std::optional<SockAddr> target(int family, int type) const;
  // Is `a` one of the relay's addresses (a datagram from it is an answer)?
  bool is_relay(const SockAddr& a) const;

  // Registers (or updates) the tree socket whose local address is `local`;
  // `query_id` >= 0 records the server for that message id.
  void add_client(const SockAddr& local, const SockAddr& server, int query_id, int pid, int ppid,
                  const std::string& exe, const std::vector<std::string>& argv);
  // The server an answer with this id, delivered to `local`, stands for.
  std::optional<SockAddr> server_for(const SockAddr& local, int id) const;

 private:
  struct Pending {
    int relay_fd;
    SockAddr client;
    uint16_t client_id;
    std::string server_key;
    int64_t deadline_ms;
  };
  struct Conn {
    UniqueFd client, upstream;
    std::thread thread;
    std::atomic<bool> done{false};
  };

  void loop();
  void on_query(int relay_fd);
  void on_upstream(int up_fd);
  void expire(int64_t now_ms);
  void on_accept(int listen_fd);
  void serve_tcp(Conn* c);
  std::optional<RelayClient> find(const SockAddr& local) const;
  bool ask(const RelayClient& client, const SockAddr& server, const std::string& protocol,
           std::span<const uint8_t> msg, int64_t time_ns, std::vector<uint8_t>* refusal);
  int upstream_for(const SockAddr& server);

  Hooks hooks_;
  UniqueFd udp4_, udp6_, tcp4_, tcp6_, up4_, up6_;
  std::optional<SockAddr> udp4_addr_, udp6_addr_, tcp4_addr_, tcp6_addr_;
  UniqueFd wake_r_, wake_w_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};

  mutable std::mutex mu_;  // clients_ (the supervisor adds, the relay reads)
  std::map<std::string, RelayClient> clients_;

  // The relay thread's own state.
  std::map<uint16_t, Pending> pending_;
  uint16_t next_id_ = 0;
  std::vector<std::unique_ptr<Conn>> conns_;
};

}  // namespace gv::egress
