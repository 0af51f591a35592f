// What the egress recorder saw a process tree do on the network: plain data,
// filled by the supervisor (egress/supervisor.h), kept by the inventory
// store and queried by `gouvernante net ...` (docs/egress.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gv::egress {

enum class EventKind { kConnect, kSend, kDns };
enum class Action { kAllowed, kBlocked };

struct Event {
  int64_t time_ns = 0;  // wall clock (CLOCK_REALTIME), nanoseconds since the epoch
  int pid = 0;          // the process (thread group) that made the call
  int ppid = 0;
  std::string exe;  // /proc/PID/exe at the time of the call
  std::vector<std::string> argv;
  EventKind kind = EventKind::kConnect;
  std::string protocol;  // "tcp", "udp", or "" when the socket type is neither
  std::string address;   // numeric IPv4 or IPv6 text ("::ffff:1.2.3.4" as "1.2.3.4")
  uint16_t port = 0;
  // kDns: the name asked. kConnect/kSend: a name the tree resolved to this
  // address, when one is known.
  std::string domain;
  std::string query_type;  // kDns: "A", "AAAA", "TXT", ...
  Action action = Action::kAllowed;
};

std::string_view kind_name(EventKind k);  // "connect", "send", "dns"
std::string_view action_name(Action a);   // "allowed", "blocked"

}  // namespace gv::egress
