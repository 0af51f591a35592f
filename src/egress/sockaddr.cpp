#include "egress/sockaddr.h"

#include <arpa/inet.h>

#include <cstring>

namespace gv::egress {

std::string SockAddr::key() const {
  std::string k(reinterpret_cast<const char*>(bytes.data()), nbytes);
  k.push_back(static_cast<char>(port >> 8));
  k.push_back(static_cast<char>(port & 0xff));
  return k;
}

std::optional<SockAddr> parse_sockaddr(const void* p, size_t len) {
  SockAddr a;
  if (len < sizeof(sa_family_t) || len > sizeof a.raw) return std::nullopt;
  std::memcpy(&a.raw, p, len);
  a.len = static_cast<socklen_t>(len);
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.raw.ss_family == AF_INET && len >= sizeof(sockaddr_in)) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&a.raw);
    std::memcpy(a.bytes.data(), &in->sin_addr, 4);
    a.nbytes = 4;
    a.port = ntohs(in->sin_port);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
  } else if (a.raw.ss_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&a.raw);
    a.port = ntohs(in6->sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      // The same destination as its IPv4 form: judged and shown as such.
      std::memcpy(a.bytes.data(), in6->sin6_addr.s6_addr + 12, 4);
      a.nbytes = 4;
      inet_ntop(AF_INET, a.bytes.data(), buf, sizeof buf);
    } else {
      std::memcpy(a.bytes.data(), &in6->sin6_addr, 16);
      a.nbytes = 16;
      inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    }
  } else {
    return std::nullopt;
  }
  a.text = buf;
  return a;
}

std::optional<SockAddr> local_of(int sock) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(sock, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return std::nullopt;
  return parse_sockaddr(&ss, len);
}

std::optional<SockAddr> peer_of(int sock) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(sock, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return std::nullopt;
  return parse_sockaddr(&ss, len);
}

SockAddr loopback(int family, uint16_t port) {
  sockaddr_storage ss{};
  size_t len = 0;
  if (family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    a->sin6_port = htons(port);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a->sin_port = htons(port);
    len = sizeof *a;
  }
  return *parse_sockaddr(&ss, len);
}

}  // namespace gv::egress
