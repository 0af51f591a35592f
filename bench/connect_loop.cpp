// The client the egress benchmarks time (bench/egress_bench.cpp,
// bench/egress_whole.sh): N TCP connects to a listener of its own on
// 127.0.0.1, then M UDP datagrams to a socket of its own, and the time per
// operation as JSON on stdout. Run plain and under the recorder, the
// difference is what the recorder adds to each call.
//
// Each connect is socket + connect + close, as a client making one request
// per connection does; the listener's thread accepts and closes. The client
// closes with SO_LINGER 0 (a reset, no TIME_WAIT), so thousands of runs in a
// row do not exhaust the ephemeral ports. The datagrams are sent with sendto
// on one unconnected socket: every one goes through the recorder's filter,
// though it records a destination once per process.
//
// Usage: gv_connect_loop [CONNECTS [DATAGRAMS]]   (defaults: 1000, 0)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace {

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "gv_connect_loop: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

// A socket of `type` bound to 127.0.0.1 on a port the kernel picks.
int bind_loopback(int type, sockaddr_in* addr) {
  const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  *addr = {};
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof *addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(addr), len) != 0) die("bind");
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(addr), &len) != 0) die("getsockname");
  return fd;
}

long arg(int argc, char** argv, int i, long def) {
  if (argc <= i) return def;
  char* end = nullptr;
  const long v = std::strtol(argv[i], &end, 10);
  if (*end != '\0' || v < 0) {
    std::fprintf(stderr, "usage: gv_connect_loop [CONNECTS [DATAGRAMS]]\n");
    std::exit(2);
  }
  return v;
}

double ns_per(std::chrono::steady_clock::duration d, long n) {
  return n == 0 ? 0.0 : static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()) / n;
}

}  // namespace

int main(int argc, char** argv) {
  const long connects = arg(argc, argv, 1, 1000);
  const long datagrams = arg(argc, argv, 2, 0);

  sockaddr_in tcp_addr{};
  const int listener = bind_loopback(SOCK_STREAM, &tcp_addr);
  if (::listen(listener, SOMAXCONN) != 0) die("listen");
  std::atomic<bool> done{false};
  std::thread acceptor([&] {
    while (!done.load()) {
      const int c = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) ::close(c);
    }
  });

  const linger reset{1, 0};
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < connects; ++i) {
    const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) die("socket");
    if (::connect(s, reinterpret_cast<const sockaddr*>(&tcp_addr), sizeof tcp_addr) != 0) die("connect");
    (void)::setsockopt(s, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    ::close(s);
  }
  const auto t1 = std::chrono::steady_clock::now();

  // Wakes the acceptor with one last connection, made after `done`.
  done.store(true);
  const int last = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (last < 0 || ::connect(last, reinterpret_cast<const sockaddr*>(&tcp_addr), sizeof tcp_addr) != 0) die("connect");
  acceptor.join();
  ::close(last);
  ::close(listener);

  sockaddr_in udp_addr{};
  const int sink = bind_loopback(SOCK_DGRAM, &udp_addr);
  const int out = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (out < 0) die("socket");
  const char payload[32] = "gv_connect_loop datagram";
  const auto t2 = std::chrono::steady_clock::now();
  for (long i = 0; i < datagrams; ++i) {
    // The sink is never read: once its buffer is full the kernel drops the
    // datagram after the call succeeded, which is all that is timed here.
    if (::sendto(out, payload, sizeof payload, 0, reinterpret_cast<const sockaddr*>(&udp_addr), sizeof udp_addr) < 0)
      die("sendto");
  }
  const auto t3 = std::chrono::steady_clock::now();
  ::close(out);
  ::close(sink);

  std::printf("{\"connects\":%ld,\"connect_ns\":%.0f,\"datagrams\":%ld,\"sendto_ns\":%.0f}\n", connects,
              ns_per(t1 - t0, connects), datagrams, ns_per(t3 - t2, datagrams));
  return 0;
}
