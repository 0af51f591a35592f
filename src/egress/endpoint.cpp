#include "egress/endpoint.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "common/file.h"

namespace gv::egress {
namespace {

using Addr = std::array<uint8_t, 16>;

constexpr size_t kMaxAllowFile = size_t{16} << 20;
constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

constexpr std::string_view kSyntax = "expected host[:port], *.domain[:port], IP[:port], [IPv6]:port or CIDR";

std::string unknown_syntax(std::string_view text) {
  return fmt::format("unknown endpoint syntax '{}': {}", text, kSyntax);
}

bool is_mapped_v4(const Addr& a) { return std::memcmp(a.data(), kMappedPrefix, 12) == 0; }

Addr mapped(const uint8_t* v4) {
  Addr a{};
  std::memcpy(a.data(), kMappedPrefix, 12);
  std::memcpy(a.data() + 12, v4, 4);
  return a;
}

// inet_pton wants a NUL-terminated string; IPv4 comes back v4-mapped.
std::optional<Addr> parse_ip(std::string_view text, bool allow_v4 = true) {
  const std::string s(text);
  uint8_t v4[4];
  if (allow_v4 && ::inet_pton(AF_INET, s.c_str(), v4) == 1) return mapped(v4);
  Addr a{};
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

Addr masked(Addr a, int prefix) {
  for (size_t i = 0; i < a.size(); ++i) {
    const int keep = std::clamp(prefix - static_cast<int>(i) * 8, 0, 8);
    a[i] &= static_cast<uint8_t>(0xff00 >> keep);
  }
  return a;
}

std::string ip_str(const Addr& a) {
  char buf[INET6_ADDRSTRLEN];
  if (is_mapped_v4(a)) return ::inet_ntop(AF_INET, a.data() + 12, buf, sizeof buf);
  return ::inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
}

bool parse_port(std::string_view digits, std::string_view text, uint16_t* port, std::string* error) {
  unsigned value = 0;
  bool ok = !digits.empty() && digits.size() <= 5;
  for (char c : digits) {
    ok = ok && c >= '0' && c <= '9';
    if (ok) value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (!ok || value < 1 || value > 65535) {
    *error = fmt::format("invalid port '{}' in '{}': expected a number from 1 to 65535", digits, text);
    return false;
  }
  *port = static_cast<uint16_t>(value);
  return true;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Lower case, one trailing dot dropped: the form both entries and queried
// names are compared in.
std::string normalize_name(std::string_view name) {
  if (name.ends_with('.')) name.remove_suffix(1);
  std::string out(name);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

// A host name of the RFC 1123 kind, also allowing '_' (service labels such
// as _dns.resolver.arpa exist). A name whose last label is all digits is a
// mistyped IPv4 address ("1.2.3.400"): no top-level domain is numeric.
bool valid_host(std::string_view host, std::string_view text, std::string* error) {
  if (host.empty() || host.size() > 253) {
    *error = fmt::format("host name in '{}' must be 1 to 253 characters", text);
    return false;
  }
  std::string_view last;
  for (std::string_view rest = host;;) {
    const size_t dot = rest.find('.');
    const std::string_view label = rest.substr(0, dot);
    if (label.empty() || label.size() > 63) {
      *error = fmt::format("host name in '{}' has a label of {} characters (1 to 63 allowed)", text, label.size());
      return false;
    }
    for (char c : label) {
      if (c == '*') {
        *error = fmt::format("'*' in '{}': a wildcard is only allowed as a leading '*.' ('*.example.com')", text);
        return false;
      }
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
        *error = unknown_syntax(text);
        return false;
      }
    }
    last = label;
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  if (std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    *error = fmt::format("'{}' is neither a valid IP address nor a host name (its last label is a number)", text);
    return false;
  }
  return true;
}

bool parse_cidr(std::string_view text, Endpoint* out, std::string* error) {
  const size_t slash = text.find('/');
  const std::string_view ip = text.substr(0, slash), bits = text.substr(slash + 1);
  std::optional<Addr> a = parse_ip(ip);
  if (!a) {
    *error = fmt::format("'{}' is not a valid CIDR block: '{}' is not an IP address", text, ip);
    return false;
  }
  const bool v4 = is_mapped_v4(*a) && ip.find(':') == std::string_view::npos;
  if (v4 && bits.find(':') != std::string_view::npos) {
    *error = fmt::format("'{}': a CIDR block takes no port", text);
    return false;
  }
  const int max = v4 ? 32 : 128;
  int n = 0;
  bool ok = !bits.empty() && bits.size() <= 3;
  for (char c : bits) {
    ok = ok && c >= '0' && c <= '9';
    if (ok) n = n * 10 + (c - '0');
  }
  if (!ok || n > max) {
    *error = fmt::format("'{}' is not a valid CIDR block: prefix length '{}' must be 0 to {}", text, bits, max);
    return false;
  }
  const int prefix = v4 ? 96 + n : n;
  if (masked(*a, prefix) != *a) {
    // 10.1.2.3/8 means 10.0.0.0/8 to the kernel, but people who write it
    // usually meant something narrower: refuse rather than widen silently.
    *error = fmt::format("'{}' has bits set after the first {}: did you mean {}/{}?", text, n,
                         ip_str(masked(*a, prefix)), n);
    return false;
  }
  out->kind = EndpointKind::kCidr;
  out->addr = *a;
  out->prefix = prefix;
  return true;
}

bool parse_bracketed(std::string_view text, Endpoint* out, std::string* error) {
  const size_t close = text.find(']');
  std::optional<Addr> a;
  if (close != std::string_view::npos) a = parse_ip(text.substr(1, close - 1), false);
  if (!a) {
    *error = unknown_syntax(text);
    return false;
  }
  const std::string_view rest = text.substr(close + 1);
  if (!rest.empty()) {
    if (rest.front() != ':') {
      *error = unknown_syntax(text);
      return false;
    }
    if (!parse_port(rest.substr(1), text, &out->port, error)) return false;
  }
  out->kind = EndpointKind::kAddress;
  out->addr = *a;
  return true;
}

bool parse_host_or_ip(std::string_view text, Endpoint* out, std::string* error) {
  std::string_view host = text;
  if (const size_t colon = text.find(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    if (!parse_port(text.substr(colon + 1), text, &out->port, error)) return false;
  }
  if (std::optional<Addr> a = parse_ip(host)) {
    out->kind = EndpointKind::kAddress;
    out->addr = *a;
    return true;
  }
  std::string name = normalize_name(host);
  if (name == "loopback" || name == "private") {
    *error = fmt::format("'{}': '{}' is a shorthand, written alone and in lower case (no port)", text, name);
    return false;
  }
  out->kind = EndpointKind::kHost;
  if (name.starts_with("*.")) {
    out->kind = EndpointKind::kWildcard;
    name.erase(0, 2);
  }
  if (!valid_host(name, text, error)) return false;
  out->host = std::move(name);
  return true;
}

std::string_view trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

bool port_ok(const Endpoint& e, uint16_t port) { return e.port == 0 || e.port == port; }

bool name_matches(const Endpoint& e, std::string_view name) {
  if (e.kind == EndpointKind::kHost) return name == e.host;
  if (e.kind != EndpointKind::kWildcard) return false;
  return name.size() > e.host.size() + 1 && name.ends_with(e.host) && name[name.size() - e.host.size() - 1] == '.';
}

}  // namespace

bool parse_endpoint(std::string_view text, Endpoint* out, std::string* error) {
  text = trim(text);
  *out = Endpoint{};
  if (text.empty()) {
    *error = "empty endpoint: " + std::string(kSyntax);
    return false;
  }
  if (std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    *error =
        fmt::format("non-ASCII host name '{}': internationalized names are not supported, write the xn-- form", text);
    return false;
  }
  if (text.find("://") != std::string_view::npos) {  // a URL pasted whole: the '/' would read as CIDR
    *error = unknown_syntax(text);
    return false;
  }
  if (text.front() == '[') return parse_bracketed(text, out, error);
  if (text.find('/') != std::string_view::npos) return parse_cidr(text, out, error);
  if (std::count(text.begin(), text.end(), ':') >= 2) {  // bare IPv6: a port needs brackets
    std::optional<Addr> a = parse_ip(text, false);
    if (!a) {
      *error = unknown_syntax(text);
      return false;
    }
    out->kind = EndpointKind::kAddress;
    out->addr = *a;
    return true;
  }
  return parse_host_or_ip(text, out, error);
}

std::string endpoint_str(const Endpoint& e) {
  const std::string port = e.port ? ":" + std::to_string(e.port) : "";
  switch (e.kind) {
    case EndpointKind::kHost:
      return e.host + port;
    case EndpointKind::kWildcard:
      return "*." + e.host + port;
    case EndpointKind::kAddress:
      if (is_mapped_v4(e.addr)) return ip_str(e.addr) + port;
      return e.port ? "[" + ip_str(e.addr) + "]" + port : ip_str(e.addr);
    case EndpointKind::kCidr:
      if (is_mapped_v4(e.addr) && e.prefix >= 96) return fmt::format("{}/{}", ip_str(e.addr), e.prefix - 96);
      return fmt::format("{}/{}", ip_str(e.addr), e.prefix);
  }
  return {};
}

bool AllowList::add_text(std::string_view text, std::string* error) {
  text = trim(text);
  std::span<const std::string_view> shorthand;
  if (text == "loopback") shorthand = kLoopback;
  if (text == "private") shorthand = kPrivate;
  if (!shorthand.empty()) {
    for (std::string_view s : shorthand) {
      Endpoint e;
      if (!parse_endpoint(s, &e, error)) return false;  // a bug in the tables
      add(std::move(e));
    }
    return true;
  }
  Endpoint e;
  if (!parse_endpoint(text, &e, error)) return false;
  add(std::move(e));
  return true;
}

bool AllowList::load_text(std::string_view text, const std::string& file_name, Errors* errors) {
  bool ok = true;
  uint32_t line_no = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    const size_t line_start = pos;
    pos = end + 1;
    ++line_no;
    line = line.substr(0, line.find('#'));
    const std::string_view entry = trim(line);
    if (entry.empty()) continue;
    const auto col = static_cast<uint32_t>(entry.data() - text.data() - line_start + 1);
    std::string error;
    if (entry.find_first_of(" \t") != std::string_view::npos) {
      error = fmt::format("one endpoint per line, found '{}'", entry);
    } else if (add_text(entry, &error)) {
      continue;
    }
    errors->push_back(Error{file_name, line_no, col, error});
    ok = false;
  }
  return ok;
}

bool AllowList::load_file(const std::string& path, Errors* errors) {
  FileBuffer buf;
  if (std::optional<Error> err = read_file(path, &buf, kMaxAllowFile)) {
    errors->push_back(std::move(*err));
    return false;
  }
  return load_text(buf.view(), path, errors);
}

bool AllowList::allows_name(std::string_view name, uint16_t port) const {
  const std::string n = normalize_name(name);
  return std::any_of(endpoints_.begin(), endpoints_.end(),
                     [&](const Endpoint& e) { return (port == 0 || port_ok(e, port)) && name_matches(e, n); });
}

bool AllowList::allows_address(std::span<const uint8_t> addr, uint16_t port,
                               const std::vector<std::string>& names_resolved_to_it) const {
  Addr a{};
  if (addr.size() == 4) {
    a = mapped(addr.data());
  } else if (addr.size() == 16) {
    std::copy(addr.begin(), addr.end(), a.begin());
  } else {
    return false;
  }
  std::vector<std::string> names;
  names.reserve(names_resolved_to_it.size());
  for (const std::string& n : names_resolved_to_it) names.push_back(normalize_name(n));
  for (const Endpoint& e : endpoints_) {
    if (!port_ok(e, port)) continue;
    if (e.kind == EndpointKind::kAddress || e.kind == EndpointKind::kCidr) {
      if (in_prefix(a, e.addr, e.prefix)) return true;
    } else if (std::any_of(names.begin(), names.end(), [&](const std::string& n) { return name_matches(e, n); })) {
      return true;
    }
  }
  return false;
}

}  // namespace gv::egress
