// A hostile client for supervisor_test: while the main thread connects a new
// socket to the address in `shared`, another thread keeps flipping that
// address between an allowed port and a forbidden one, trying to change it
// after the supervisor has checked it. Usage: race_client ALLOWED FORBIDDEN N.
// Prints how many connects succeeded; the test counts what reached the
// forbidden listener (it must be nothing).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  const uint16_t allowed = static_cast<uint16_t>(std::atoi(argv[1]));
  const uint16_t forbidden = static_cast<uint16_t>(std::atoi(argv[2]));
  const int n = std::atoi(argv[3]);
  static sockaddr_in shared{};
  shared.sin_family = AF_INET;
  shared.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  shared.sin_port = htons(allowed);
  std::atomic<bool> stop{false};
  std::thread flipper([&] {
    volatile uint16_t* port = &shared.sin_port;
    while (!stop.load(std::memory_order_relaxed)) {
      *port = htons(forbidden);
      *port = htons(allowed);
    }
  });
  int ok = 0;
  for (int i = 0; i < n; ++i) {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    if (::connect(s, reinterpret_cast<sockaddr*>(&shared), sizeof shared) == 0) ++ok;
    ::close(s);
  }
  stop = true;
  flipper.join();
  std::printf("%d\n", ok);
  return 0;
}
