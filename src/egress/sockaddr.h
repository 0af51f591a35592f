// An IPv4 or IPv6 socket address as the supervisor copies it out of a
// traced process, with the forms it is judged and shown in. Shared by the
// supervisor and its DNS relay.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace gv::egress {

struct SockAddr {
  sockaddr_storage raw{};  // as given (an IPv4-mapped IPv6 address stays one)
  socklen_t len = 0;
  std::array<uint8_t, 16> bytes{};  // 4 or 16 used; IPv4-mapped as its IPv4 form
  size_t nbytes = 0;
  uint16_t port = 0;
  std::string text;  // numeric, without the port

  std::span<const uint8_t> address() const { return {bytes.data(), nbytes}; }
  // Address and port as one map key: equal for 1.2.3.4 and ::ffff:1.2.3.4.
  std::string key() const;
};

// nullopt for any family but AF_INET/AF_INET6, or an address too short for it.
std::optional<SockAddr> parse_sockaddr(const void* p, size_t len);

// The local (getsockname) and remote (getpeername) address of a socket.
std::optional<SockAddr> local_of(int sock);
std::optional<SockAddr> peer_of(int sock);

// A loopback address and port of `family` (127.0.0.1 or ::1).
SockAddr loopback(int family, uint16_t port);

}  // namespace gv::egress
