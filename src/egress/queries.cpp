#include "egress/queries.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <unordered_set>

namespace gv::egress {
namespace {

using Addr = std::array<uint8_t, 16>;

constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// Lower case, one trailing dot dropped: "Registry.NPMJS.org." is
// "registry.npmjs.org" (endpoint.cpp compares allow-list names the same way).
std::string normalize_name(std::string_view name) {
  if (name.ends_with('.')) name.remove_suffix(1);
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// IPv4 comes back v4-mapped, as Endpoint holds it.
std::optional<Addr> parse_ip(const std::string& s) {
  uint8_t v4[4];
  Addr a{};
  if (::inet_pton(AF_INET, s.c_str(), v4) == 1) {
    std::memcpy(a.data(), kMappedPrefix, 12);
    std::memcpy(a.data() + 12, v4, 4);
    return a;
  }
  if (::inet_pton(AF_INET6, s.c_str(), a.data()) == 1) return a;
  return std::nullopt;
}

bool in_prefix(const Addr& a, const Addr& net, int prefix) {
  const auto full = static_cast<size_t>(prefix / 8);
  if (std::memcmp(a.data(), net.data(), full) != 0) return false;
  if (prefix % 8 == 0) return true;
  const auto mask = static_cast<uint8_t>(0xff << (8 - prefix % 8));
  return (a[full] & mask) == (net[full] & mask);
}

std::string address_port(const Event& e) {
  if (e.address.find(':') != std::string::npos) return fmt::format("[{}]:{}", e.address, e.port);
  return fmt::format("{}:{}", e.address, e.port);
}

std::string_view trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// "https://user@evil.example:8443/x?y" -> "evil.example:8443".
std::string_view url_authority(std::string_view v) {
  v.remove_prefix(v.find("://") + 3);
  v = v.substr(0, v.find_first_of("/?#"));
  if (const size_t at = v.rfind('@'); at != std::string_view::npos) v.remove_prefix(at + 1);
  return v;
}

}  // namespace

std::string destination_of(const Event& e) {
  if (!e.domain.empty()) return normalize_name(e.domain);
  return address_port(e);
}

std::vector<BaselineEntry> baseline(std::span<const RunEvents> runs) {
  std::map<std::string, BaselineEntry> by_dest;
  std::map<std::string, std::set<std::string>> kinds;
  for (const RunEvents& run : runs) {
    std::unordered_set<std::string> in_this_run;
    for (const Event& e : run.events) {
      std::string dest = destination_of(e);
      auto [it, fresh] = by_dest.try_emplace(dest);
      BaselineEntry& b = it->second;
      if (fresh) {
        b.destination = dest;
        b.first_seen_ns = b.last_seen_ns = e.time_ns;
      }
      b.first_seen_ns = std::min(b.first_seen_ns, e.time_ns);
      b.last_seen_ns = std::max(b.last_seen_ns, e.time_ns);
      kinds[dest].emplace(kind_name(e.kind));
      if (in_this_run.insert(std::move(dest)).second) ++b.runs;
    }
  }
  std::vector<BaselineEntry> out;
  out.reserve(by_dest.size());
  for (auto& [dest, b] : by_dest) {
    const std::set<std::string>& k = kinds[dest];
    b.kinds.assign(k.begin(), k.end());
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<Anomaly> anomalies(const RunEvents& run, std::span<const BaselineEntry> base) {
  std::unordered_set<std::string> known;
  for (const BaselineEntry& b : base) known.insert(b.destination);
  std::vector<Anomaly> out;
  for (const Event& e : run.events) {
    std::string dest = destination_of(e);
    if (!known.insert(dest).second) continue;  // in the baseline, or reported already
    out.push_back({std::move(dest), e});
  }
  return out;
}

bool parse_search_query(std::string_view text, Endpoint* out, std::string* error) {
  const std::string expected = fmt::format("'{}' is neither a domain nor an IP address: expected DOMAIN, IP, "
                                           "IPv4:PORT or [IPv6]:PORT",
                                           text);
  std::string why;
  if (!parse_endpoint(text, out, &why)) {
    // The allow-list parser's own "expected ..." names syntaxes a search
    // does not take; other reasons (a bad port, a numeric last label) help.
    *error = why.starts_with("unknown endpoint syntax") || why.starts_with("empty endpoint")
                 ? expected
                 : expected + " (" + why + ")";
    return false;
  }
  switch (out->kind) {
    case EndpointKind::kAddress:
      return true;
    case EndpointKind::kHost:
      if (out->port == 0) return true;
      *error = fmt::format("'{}': a DOMAIN search takes no port (its DNS questions have none); search {} alone",
                           text, out->host);
      return false;
    case EndpointKind::kWildcard:
      *error = fmt::format("'{}': no wildcard needed, a DOMAIN search covers its subdomains; search {}", text,
                           out->host);
      return false;
    case EndpointKind::kCidr:
      break;
  }
  *error = expected;
  return false;
}

bool parse_network_indicator(std::string_view value, Endpoint* out, std::string* error) {
  std::string_view v = trim(value);
  if (v.empty()) {
    *error = "the indicator has no value";
    return false;
  }
  if (v.find("://") != std::string_view::npos) {
    v = url_authority(v);
  } else if (const size_t slash = v.find('/'); slash != std::string_view::npos) {
    // "10.0.0.0/8" is a CIDR block; "webhook.site/<uuid>" (as the Shai-Hulud
    // advisories write it) is a URL without its scheme: its host counts.
    if (!parse_ip(std::string(v.substr(0, slash)))) v = v.substr(0, slash);
  }
  std::string why;
  if (!parse_endpoint(v, out, &why)) {
    *error = fmt::format("'{}' is not an address, address:port, CIDR block, domain or URL ({})", value, why);
    return false;
  }
  if (out->kind == EndpointKind::kWildcard) out->kind = EndpointKind::kHost;
  if (out->kind == EndpointKind::kHost) out->port = 0;  // docs/host-indicators.md: a domain's port is ignored
  return true;
}

bool search_matches(const Endpoint& target, const Event& e, std::string* destination) {
  if (target.kind == EndpointKind::kHost || target.kind == EndpointKind::kWildcard) {
    if (e.domain.empty()) return false;
    std::string name = normalize_name(e.domain);
    const std::string& d = target.host;
    const bool below = name.size() > d.size() && name.ends_with(d) && name[name.size() - d.size() - 1] == '.';
    const bool hit = name == d || below;
    if (hit) *destination = std::move(name);
    return hit;
  }
  std::optional<Addr> a = parse_ip(e.address);
  if (!a || !in_prefix(*a, target.addr, target.prefix)) return false;
  if (target.port != 0 && target.port != e.port) return false;
  *destination = address_port(e);
  return true;
}

}  // namespace gv::egress
