// What the network and process checks read from the machine: /proc/net/{tcp,
// tcp6,udp,udp6} table lines, hosts-file lines and /proc/<pid>/cmdline.
// Every line of the input goes through each line parser; the whole input is
// also a cmdline. Parsing is total, and what it yields is in range.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "scan/host_ioc.h"

namespace {

bool has_space(std::string_view s) { return s.find_first_of(" \t\n\v\f\r") != std::string_view::npos; }

void proc_net(const std::string& line) {
  std::optional<gv::ProcNetLine> s = gv::parse_proc_net_line(line);
  if (!s) return;
  if (s->lport < 0 || s->lport > 65535 || s->rport < 0 || s->rport > 65535 || s->state > 0xff) __builtin_trap();
}

void hosts(const std::string& line) {
  std::optional<gv::HostsLine> h = gv::parse_hosts_line(line);
  if (!h) return;
  if (h->addr.empty() || has_space(h->addr) || h->addr.find('#') != std::string::npos) __builtin_trap();
  for (const std::string& n : h->names)
    if (n.empty() || has_space(n) || n.find('#') != std::string::npos) __builtin_trap();
}

void cmdline(const std::string& raw) {
  gv::ProcCmdline c = gv::parse_proc_cmdline(raw);
  if (c.argv0.find('\0') != std::string::npos || c.cmdline.find('\0') != std::string::npos) __builtin_trap();
  if (!c.cmdline.starts_with(c.argv0) || c.cmdline.size() > raw.size()) __builtin_trap();
  if (!c.cmdline.empty() && c.cmdline.back() == '\n') __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (size_t pos = 0; pos <= text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    // An exact-size copy per line, so reading past the end is caught by ASan.
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    proc_net(line);
    hosts(line);
  }
  cmdline(text);
  return 0;
}
