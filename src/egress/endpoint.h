// The allow-list of `gouvernante run --policy block`: which names a process
// tree may look up and which addresses it may connect to. Nothing is allowed
// implicitly, not even loopback or private ranges: an install script talking
// to a local Docker socket proxy or to the cloud metadata service at
// 169.254.169.254 is exactly what block mode exists to stop.
//
// Endpoint syntax (one per --allow, or per line of an --allow-file):
//   host[:port]          registry.npmjs.org, registry.npmjs.org:443
//   *.domain[:port]      *.githubusercontent.com: any name strictly below the
//                        domain (sub.d, a.b.d), NOT the domain itself; list
//                        both when both are wanted
//   IPv4[:port]          140.82.112.3, 140.82.112.3:443
//   IPv6, [IPv6]:port    2606:4700::6810:84e5, [::1]:8080
//   CIDR                 10.0.0.0/8, 2001:db8::/32 (no port; host bits must be
//                        zero: 10.1.2.3/8 is refused as a likely typo)
//   loopback, private    shorthands for lists of CIDR blocks (kLoopback,
//                        kPrivate below say exactly which)
// Names are ASCII, compared case-insensitively, a trailing dot ignored;
// internationalized names must be written in their xn-- form. No name is
// ever resolved here: addresses are parsed with inet_pton, and a host entry
// allows an address only through the names the tree itself resolved to it.
//
// IPv4 is held as IPv4-mapped IPv6 (::ffff:a.b.c.d), so a connection from an
// AF_INET6 socket to ::ffff:1.2.3.4 meets the same rules as one to 1.2.3.4.
// A consequence: ::/0 covers IPv4 too (it is "every address").
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace gv::egress {

enum class EndpointKind { kHost, kWildcard, kAddress, kCidr };

struct Endpoint {
  EndpointKind kind = EndpointKind::kHost;
  // kHost: the name; kWildcard: the domain under the "*." ("example.com").
  // Lower case, no trailing dot.
  std::string host;
  // kAddress, kCidr: an IPv6 address, IPv4 as ::ffff:a.b.c.d.
  std::array<uint8_t, 16> addr{};
  // kCidr: leading bits of addr that must match, in IPv6 terms (an IPv4 /8 is
  // 104); 128 for kAddress.
  int prefix = 128;
  uint16_t port = 0;  // 0: any port (CIDR blocks always)
};

// The shorthands, as endpoint text.
// loopback: 127.0.0.0/8 and ::1.
inline constexpr std::string_view kLoopback[] = {"127.0.0.0/8", "::1"};
// private: RFC 1918 (10/8, 172.16/12, 192.168/16), link-local (169.254/16,
// which holds cloud metadata services, and fe80::/10), shared CGNAT space
// (100.64/10, RFC 6598) and IPv6 unique-local (fc00::/7). Not loopback.
inline constexpr std::string_view kPrivate[] = {"10.0.0.0/8",    "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
                                                "100.64.0.0/10", "fc00::/7",      "fe80::/10"};

// Parses one endpoint (not a shorthand). On failure sets *error, e.g.
// "unknown endpoint syntax 'x:y:z': expected host[:port], *.domain[:port],
// IP[:port], [IPv6]:port or CIDR".
bool parse_endpoint(std::string_view text, Endpoint* out, std::string* error);

// Canonical text: "example.com:443", "*.example.com", "1.2.3.4", "[::1]:80",
// "10.0.0.0/8", "2001:db8::/32".
std::string endpoint_str(const Endpoint& e);

class AllowList {
 public:
  void add(Endpoint e) { endpoints_.push_back(std::move(e)); }
  // One --allow value: an endpoint or a shorthand (loopback, private).
  bool add_text(std::string_view text, std::string* error);
  // --allow-file: one endpoint or shorthand per line; '#' starts a comment,
  // blank lines are skipped. Every bad line is reported (file:line:col) and
  // the good ones are still added; false when any line was bad or the file
  // could not be read.
  bool load_file(const std::string& path, Errors* errors);
  bool load_text(std::string_view text, const std::string& file_name, Errors* errors);

  // May the tree look `name` up? For DNS questions pass port 0: a host or
  // wildcard entry allows the lookup whatever port it names (resolving is
  // harmless where connecting is not). A nonzero port also requires the
  // entry's port, if it has one, to be that port. Address entries never
  // allow a name.
  bool allows_name(std::string_view name, uint16_t port = 0) const;

  // May the tree connect to `addr` (4 or 16 bytes, network order) on `port`?
  // Yes when an address or CIDR entry covers it (and its port, if any, is
  // `port`), or when a host or wildcard entry matches one of the names the
  // tree resolved to this address (and its port, if any, is `port`).
  bool allows_address(std::span<const uint8_t> addr, uint16_t port,
                      const std::vector<std::string>& names_resolved_to_it) const;

  const std::vector<Endpoint>& endpoints() const { return endpoints_; }
  bool empty() const { return endpoints_.empty(); }

 private:
  // A linear scan: allow-lists are a few dozen entries, and each check runs
  // once per connect() or DNS question, not per packet.
  std::vector<Endpoint> endpoints_;
};

}  // namespace gv::egress
