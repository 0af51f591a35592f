// `network` host indicators. An IP, IP:port or CIDR is looked for among the
// sockets open right now (<proc_root>/net/{tcp,tcp6,udp,udp6}) and among the
// hosts file's addresses; a domain only in the hosts file. A host scan sees
// the present, not the past: a connection that ended, or a DNS lookup, leaves
// no trace here, and the detail of a clean result says so.
//
// /proc/net addresses are the kernel's network-order bytes printed as
// host-endian 32-bit words ("%08X" of a __be32): "0100007F" is 127.0.0.1 on
// little-endian. Copying each parsed word's bytes back out in host order
// recovers the network-order address on any endianness. Ports are plain hex.
#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include "scan/host_ioc.h"

namespace gv {
namespace {

using Addr = NetAddr;  // IPv4 as v4-mapped IPv6: see host_ioc.h

constexpr size_t kProcNetMax = size_t{256} << 20;
constexpr size_t kHostsMax = size_t{64} << 20;

Addr mapped_v4(const unsigned char* v4) {
  Addr a{};
  a[10] = a[11] = 0xff;
  std::memcpy(a.data() + 12, v4, 4);
  return a;
}

bool is_mapped_v4(const Addr& a) {
  static constexpr unsigned char kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(a.data(), kPrefix, 12) == 0;
}

std::optional<Addr> parse_ip(const std::string& s) {
  unsigned char buf[16];
  if (::inet_pton(AF_INET, s.c_str(), buf) == 1) return mapped_v4(buf);
  Addr a{};
  if (::inet_pton(AF_INET6, s.c_str(), a.data()) == 1) return a;
  return std::nullopt;
}

std::string ip_text(const Addr& a) {
  char buf[INET6_ADDRSTRLEN];
  if (is_mapped_v4(a)) return ::inet_ntop(AF_INET, a.data() + 12, buf, sizeof buf);
  return ::inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
}

std::string endpoint_text(const Addr& a, int port) {
  std::string ip = ip_text(a);
  if (port < 0) return ip;
  return (is_mapped_v4(a) ? ip : "[" + ip + "]") + ":" + std::to_string(port);
}

struct NetTarget {
  bool is_domain = false;
  std::string domain;  // lower case, no trailing dot
  Addr addr{};
  int prefix = 128;  // bits of addr that must match (a CIDR, in v6-mapped terms)
  int port = -1;     // -1: any
  std::string display;
};

bool parse_port(std::string_view s, int* port) {
  int p = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), p);
  if (ec != std::errc() || end != s.data() + s.size() || p < 1 || p > 65535) return false;
  *port = p;
  return true;
}

bool valid_domain(const std::string& d) {
  if (d.empty() || d.size() > 253 || d.front() == '.' || d.front() == '-') return false;
  return std::all_of(d.begin(), d.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

// "https://user@host:8443/path" -> "host:8443": advisories often give URLs.
std::string strip_url(std::string v) {
  size_t scheme = v.find("://");
  if (scheme == std::string::npos) return v;
  v = v.substr(scheme + 3);
  v = v.substr(0, v.find_first_of("/?#"));
  size_t at = v.rfind('@');
  return at == std::string::npos ? v : v.substr(at + 1);
}

std::optional<std::string> parse_cidr(const std::string& v, NetTarget* t) {
  size_t slash = v.find('/');
  std::optional<Addr> a = parse_ip(v.substr(0, slash));
  int bits = -1;
  std::string_view len = std::string_view(v).substr(slash + 1);
  auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), bits);
  bool v4 = a && is_mapped_v4(*a);
  if (!a || ec != std::errc() || end != len.data() + len.size() || bits < 0 || bits > (v4 ? 32 : 128)) {
    return "'" + v + "' is not a valid CIDR block";
  }
  t->addr = *a;
  t->prefix = v4 ? 96 + bits : bits;
  return std::nullopt;
}

std::optional<std::string> parse_host_port(const std::string& v, NetTarget* t) {
  std::string host = v, port;
  if (v.front() == '[') {  // [v6]:port
    size_t close = v.find(']');
    if (close == std::string::npos) return "unterminated '[' in '" + v + "'";
    host = v.substr(1, close - 1);
    if (close + 1 < v.size()) {
      if (v[close + 1] != ':') return "unexpected text after ']' in '" + v + "'";
      port = v.substr(close + 2);
    }
  } else if (std::count(v.begin(), v.end(), ':') == 1) {  // v4:port or domain:port
    host = v.substr(0, v.find(':'));
    port = v.substr(v.find(':') + 1);
  }
  if (!port.empty() && !parse_port(port, &t->port)) return "invalid port '" + port + "' in '" + v + "'";
  if (std::optional<Addr> a = parse_ip(host)) {
    t->addr = *a;
    return std::nullopt;
  }
  std::string d = host;
  for (char& c : d) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (d.starts_with("*.")) d = d.substr(2);
  if (!d.empty() && d.back() == '.') d.pop_back();
  if (!valid_domain(d)) return "'" + v + "' is not an IP address, IP:port, CIDR block or domain";
  t->is_domain = true;
  t->domain = d;
  return std::nullopt;
}

std::optional<std::string> parse_target(const std::string& value, NetTarget* t) {
  std::string v = value;
  v.erase(0, v.find_first_not_of(" \t"));
  v.erase(v.find_last_not_of(" \t") + 1);
  if (v.empty()) return std::string("network indicator has no value");
  v = strip_url(v);
  std::optional<std::string> err;
  if (size_t slash = v.find('/'); slash != std::string::npos) {
    // "10.0.0.0/8" is a CIDR block; "webhook.site/<uuid>" (as the Shai-Hulud
    // advisories write it) is a URL without its scheme: its host is the indicator.
    if (parse_ip(v.substr(0, slash)) || slash == 0) {
      err = parse_cidr(v, t);
    } else {
      v = v.substr(0, slash);
      err = parse_host_port(v, t);
    }
  } else if (std::optional<Addr> a = parse_ip(v)) {
    t->addr = *a;
  } else {
    err = parse_host_port(v, t);
  }
  if (err) return "cannot parse network value: " + *err;
  t->display = t->is_domain ? "domain " + t->domain : v;
  return std::nullopt;
}

bool addr_in(const Addr& a, const NetTarget& t) {
  int full = t.prefix / 8, rest = t.prefix % 8;
  if (std::memcmp(a.data(), t.addr.data(), static_cast<size_t>(full)) != 0) return false;
  if (rest == 0) return true;
  auto mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a[static_cast<size_t>(full)] & mask) == (t.addr[static_cast<size_t>(full)] & mask);
}

// ---- /proc/net/{tcp,udp}[6] ----

struct Socket : ProcNetLine {
  std::string proto;  // tcp, tcp6, udp, udp6
};

bool parse_hex(std::string_view s, unsigned long* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, 16);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

// "0100007F:1F90" (v4) or 32 hex digits ":" port (v6).
bool parse_endpoint(std::string_view s, Addr* a, int* port) {
  size_t colon = s.find(':');
  if (colon != 8 && colon != 32) return false;
  unsigned char bytes[16];
  for (size_t w = 0; w < colon / 8; ++w) {
    unsigned long word = 0;
    if (!parse_hex(s.substr(w * 8, 8), &word)) return false;
    auto w32 = static_cast<uint32_t>(word);
    std::memcpy(bytes + w * 4, &w32, 4);
  }
  unsigned long p = 0;
  if (!parse_hex(s.substr(colon + 1), &p) || p > 65535) return false;
  *port = static_cast<int>(p);
  if (colon == 8) {
    *a = mapped_v4(bytes);
  } else {
    std::memcpy(a->data(), bytes, 16);
  }
  return true;
}

std::string state_name(const Socket& s) {
  static constexpr const char* kNames[] = {"?",         "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
                                           "FIN_WAIT2", "TIME_WAIT",   "CLOSE",    "CLOSE_WAIT", "LAST_ACK",
                                           "LISTEN",    "CLOSING",     "NEW_SYN_RECV"};
  if (s.proto.starts_with("udp") && s.state == 7) return "UNCONN";
  return s.state < std::size(kNames) ? kNames[s.state] : "state " + std::to_string(s.state);
}

bool is_unspecified(const Addr& a) {
  static constexpr unsigned char kZero4[4] = {};
  return a == Addr{} || a == mapped_v4(kZero4);
}

bool is_listening(const Socket& s) {
  if (s.proto.starts_with("tcp")) return s.state == 0x0A;
  return s.rport == 0 && is_unspecified(s.remote);  // a bound, unconnected UDP socket
}

bool socket_matches(const Socket& s, const NetTarget& t) {
  auto side = [&](const Addr& a, int port) { return addr_in(a, t) && (t.port < 0 || t.port == port); };
  return side(s.remote, s.rport) || (is_listening(s) && side(s.local, s.lport));
}

// Reads one table; a missing tcp6/udp6 means IPv6 is off, not a problem.
void scan_table(const HostContext& ctx, const std::string& proto, const NetTarget& t, std::vector<Socket>* hits,
                std::vector<std::string>* problems) {
  std::string path = ctx.proc_root + "/net/" + proto, text;
  int err = 0;
  if (auto why = read_host_text(path, kProcNetMax, &text, &err)) {
    if (err == ENOENT && proto.ends_with('6')) {
      host_trace(ctx, "host: " + path + " absent (IPv6 off)");
    } else {
      problems->push_back("cannot read " + path + ": " + *why);
    }
    return;
  }
  std::istringstream in(text);
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (n == 1 || line.find_first_not_of(" \t") == std::string::npos) continue;  // header
    std::optional<ProcNetLine> parsed = parse_proc_net_line(line);
    if (!parsed) {
      problems->push_back(path + ":" + std::to_string(n) + ": cannot parse socket line");
      return;
    }
    Socket s{*parsed, proto};
    if (socket_matches(s, t)) hits->push_back(s);
  }
}

std::string describe(const Socket& s, const std::map<unsigned long, std::string>& owners) {
  std::string d = s.proto + " " + endpoint_text(s.local, s.lport) + " -> " + endpoint_text(s.remote, s.rport) + " (" +
                  state_name(s) + ")";
  auto it = owners.find(s.inode);
  return it == owners.end() ? d : d + " " + it->second;
}

// ---- hosts file ----

bool name_matches(std::string name, const std::string& domain) {
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!name.empty() && name.back() == '.') name.pop_back();
  // The entry's own name or a subdomain of the indicator's: an entry for a
  // parent domain says nothing about how the indicator's name resolves.
  return name == domain || (name.size() > domain.size() && name.ends_with("." + domain));
}

bool is_sinkhole(const Addr& a) {
  Addr lo6{};
  lo6[15] = 1;
  return is_unspecified(a) || a == lo6 || (is_mapped_v4(a) && a[12] == 127);
}

// Lines of the hosts file naming the domain (or, for an IP, with that address).
struct HostsHits {
  std::vector<std::string> lines;
  bool all_sinkholes = true;
};

std::optional<std::string> scan_hosts(const HostContext& ctx, const NetTarget& t, HostsHits* hits) {
  std::string text;
  int err = 0;
  if (auto why = read_host_text(ctx.hosts_file, kHostsMax, &text, &err)) {
    if (err == ENOENT) return std::nullopt;  // no hosts file: no entries
    return "cannot read " + ctx.hosts_file + ": " + *why;
  }
  std::istringstream in(text);
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    std::optional<HostsLine> h = parse_hosts_line(line);
    if (!h) continue;
    const std::optional<Addr>& a = h->ip;
    bool hit = !t.is_domain && a && addr_in(*a, t);
    for (size_t i = 0; t.is_domain && !hit && i < h->names.size(); ++i) hit = name_matches(h->names[i], t.domain);
    if (!hit) continue;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    hits->lines.push_back(ctx.hosts_file + ":" + std::to_string(n) + ": " + line);
    hits->all_sinkholes = hits->all_sinkholes && a && is_sinkhole(*a);
  }
  return std::nullopt;
}

const char kPastNote[] =
    "live DNS lookups and past connections to this domain are not visible to a host scan (use `gouvernante run` "
    "egress recording)";

void check_domain(const NetTarget& t, const HostContext& ctx, HostCheck* out) {
  HostsHits hits;
  if (auto err = scan_hosts(ctx, t, &hits)) {
    out->status = CheckStatus::kSkipped;
    out->detail = *err;
    return;
  }
  if (hits.lines.empty()) {
    out->status = CheckStatus::kClean;
    out->detail = "checked " + ctx.hosts_file + " only; " + kPastNote;
    return;
  }
  out->status = CheckStatus::kFound;
  out->evidence = hits.lines;
  out->detail = "listed in " + ctx.hosts_file;
  if (hits.all_sinkholes) out->detail += " with a local or null address (usually an entry that blocks the domain)";
}

void check_ip(const NetTarget& t, const HostContext& ctx, HostCheck* out) {
  std::vector<Socket> socks;
  std::vector<std::string> problems;
  if (ctx.os == "linux") {
    for (const char* proto : {"tcp", "tcp6", "udp", "udp6"}) scan_table(ctx, proto, t, &socks, &problems);
  } else {
    problems.push_back("open sockets are read from /proc/net, which " + ctx.os + " does not have");
  }
  HostsHits hosts;
  if (auto err = scan_hosts(ctx, t, &hosts)) problems.push_back(*err);
  std::set<unsigned long> inodes;
  for (const Socket& s : socks) {
    if (s.inode != 0) inodes.insert(s.inode);  // 0: TIME_WAIT and other ownerless sockets
  }
  std::map<unsigned long, std::string> owners = socket_owners(ctx, inodes);
  for (const Socket& s : socks) out->evidence.push_back(describe(s, owners));
  for (const std::string& l : hosts.lines) out->evidence.push_back(l);
  std::string caveat;
  for (const std::string& p : problems) caveat += "; " + p;
  if (!out->evidence.empty()) {
    out->status = CheckStatus::kFound;
    out->detail = std::to_string(socks.size()) + " open socket(s) and " + std::to_string(hosts.lines.size()) +
                  " hosts-file line(s) involve " + t.display + caveat;
  } else if (!problems.empty()) {
    out->status = CheckStatus::kSkipped;
    out->detail = caveat.substr(2);
  } else {
    out->status = CheckStatus::kClean;
    out->detail = "no open socket involves " + t.display + " (checked " + ctx.proc_root + "/net/tcp, tcp6, udp, udp6 and " +
                  ctx.hosts_file + "); past connections are not visible to a host scan (use `gouvernante run` egress "
                  "recording)";
  }
}

}  // namespace

std::optional<ProcNetLine> parse_proc_net_line(const std::string& line) {
  std::istringstream in(line);
  std::string f[10];
  for (std::string& x : f) {
    if (!(in >> x)) return std::nullopt;
  }
  ProcNetLine s;
  unsigned long st = 0;
  if (!parse_endpoint(f[1], &s.local, &s.lport) || !parse_endpoint(f[2], &s.remote, &s.rport)) return std::nullopt;
  if (!parse_hex(f[3], &st) || st > 0xff) return std::nullopt;
  s.state = static_cast<unsigned>(st);
  if (std::from_chars(f[9].data(), f[9].data() + f[9].size(), s.inode).ec != std::errc()) return std::nullopt;
  return s;
}

std::optional<HostsLine> parse_hosts_line(const std::string& line) {
  std::istringstream words(line.substr(0, line.find('#')));
  HostsLine h;
  if (!(words >> h.addr)) return std::nullopt;
  h.ip = parse_ip(h.addr);
  for (std::string name; words >> name;) h.names.push_back(std::move(name));
  return h;
}

void check_network_indicator(const HostIndicator& ind, const HostContext& ctx, HostCheck* out) {
  NetTarget t;
  out->target = ind.value;
  if (auto err = parse_target(ind.value, &t)) {
    out->status = CheckStatus::kSkipped;
    out->detail = *err;
    return;
  }
  out->target = t.display;
  if (t.is_domain) {
    check_domain(t, ctx, out);
  } else {
    check_ip(t, ctx, out);
  }
}

}  // namespace gv
