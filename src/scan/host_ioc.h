// Host indicators (`-host`): does this machine carry the artefacts a rule's
// `host_indicators` describe? Files on disk, running processes, environment
// variables, network endpoints (current sockets and the hosts file), and
// Windows registry values (reported skipped off Windows).
//
// Every indicator yields exactly one HostCheck, found, clean or skipped with
// the reason: a check that could not run must never read as "clean". What a
// check reads from the machine comes through HostContext (/proc root, hosts
// file, environment), so tests point it at a fake /proc or a temporary HOME.
// docs/host-indicators.md describes each check and what it cannot see.
//
// One file per indicator type: host_file.cpp, host_process.cpp (also the
// socket -> process lookup), host_network.cpp; host_ioc.cpp dispatches and
// holds the environment check. file_hash.h hashes files for `hashes`.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rules/rule.h"

namespace gv {

enum class CheckStatus { kFound, kClean, kSkipped };
std::string_view check_status_name(CheckStatus s);  // "found" | "clean" | "skipped"

struct HostCheck {
  const Rule* rule = nullptr;  // the rule the indicator belongs to
  size_t indicator = 0;        // index into rule->host_indicators
  std::string type;            // file | process | environment | network | registry
  // What was checked, human-readable: "/tmp/.node-cache", "process name 'evil'",
  // "env NPM_TOKEN", "203.0.113.7", "domain evil.example".
  std::string target;
  CheckStatus status = CheckStatus::kClean;
  // The indicator's (high|medium|low; "high" when absent); "low" when a file's
  // name matched but its content did not.
  std::string confidence;
  // found: what matched ("sha256 matched", "name matched, content differs (sha256 <hex>)",
  // "pid 42 (node): cmdline ..."); clean: what was looked at; skipped: why.
  std::string detail;
  // Matching paths, "pid N (comm): cmdline", "tcp 10.0.0.1:443 -> 203.0.113.7:443 (ESTABLISHED)",
  // hosts-file lines. Untrusted text: stored raw; writers escape.
  std::vector<std::string> evidence;
  // False when skipped because the indicator cannot concern this host: it is
  // for another OS, or a registry value off Windows. Such a skip leaves the
  // scan complete; any other skip (unset variable, unreadable /proc) does not.
  bool applicable = true;
};

// The OS this binary runs on: linux | macos | windows.
std::string_view running_os();

// Everything a check reads from the machine, injectable so tests use a fake
// /proc, HOME, hosts file and environment.
struct HostContext {
  std::string os = std::string(running_os());  // linux | macos | windows
  std::string proc_root = "/proc";
  std::string hosts_file = "/etc/hosts";
  std::function<std::optional<std::string>(const std::string&)> getenv;  // default (when empty): ::getenv
  std::function<void(const std::string&)> trace;                         // -trace lines (may be empty)
  // Where a `file` indicator with only a file_name is looked for, besides
  // $HOME and $TMPDIR (non-recursive).
  std::vector<std::string> temp_dirs = {"/tmp", "/var/tmp"};
};

std::vector<HostCheck> check_host_indicators(const std::vector<Rule>& rules, const HostContext& ctx);

// ---- Building blocks, one per indicator type; tests call them directly. ----
// Each fills out->status/detail/evidence (and target, and confidence when it
// differs from the indicator's); the OS gate has already passed.
void check_file_indicator(const HostIndicator& ind, const HostContext& ctx, HostCheck* out);
void check_process_indicator(const HostIndicator& ind, const HostContext& ctx, HostCheck* out);
void check_environment_indicator(const HostIndicator& ind, const HostContext& ctx, HostCheck* out);
void check_network_indicator(const HostIndicator& ind, const HostContext& ctx, HostCheck* out);

// Which processes hold these socket inodes ("pid 42 (node)", comma-separated
// when shared), from one pass over <proc_root>/<pid>/fd. Other users' fd
// folders are unreadable unless we are root: their sockets get no entry.
std::map<unsigned long, std::string> socket_owners(const HostContext& ctx, const std::set<unsigned long>& inodes);

// ctx.getenv, or ::getenv when it is empty.
std::optional<std::string> host_getenv(const HostContext& ctx, const std::string& name);
void host_trace(const HostContext& ctx, const std::string& line);

// A rule path after `~`, $VAR, ${VAR} and %VAR% expansion.
struct ExpandedPath {
  std::string path;     // plain text: for display and lstat
  std::string pattern;  // for glob(3): substituted values have glob characters escaped
  bool has_glob = false;  // the rule's own text uses *, ? or [...]
};
// Expands `raw`; returns why it cannot be ("variable X is not set") or nullopt.
std::optional<std::string> expand_host_path(const std::string& raw, const HostContext& ctx, ExpandedPath* out);

// ---- Parsers of what the checks read; pure, for tests and fuzz/. ----

// An address as 16 bytes in network order; IPv4 as v4-mapped IPv6
// (::ffff:a.b.c.d), so an IPv4 indicator also matches a v4 peer of a
// dual-stack socket in tcp6.
using NetAddr = std::array<unsigned char, 16>;

// One line of /proc/net/{tcp,tcp6,udp,udp6} after the header:
// "sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...".
struct ProcNetLine {
  NetAddr local{}, remote{};
  int lport = 0, rport = 0;
  unsigned state = 0;  // the kernel's TCP state number (0x0A: LISTEN)
  unsigned long inode = 0;
};
std::optional<ProcNetLine> parse_proc_net_line(const std::string& line);

// One hosts-file line: an address and the names it gives, after any '#'.
struct HostsLine {
  std::string addr;           // as written
  std::optional<NetAddr> ip;  // nullopt when `addr` is not an IP address
  std::vector<std::string> names;
};
// Nullopt for a blank or comment-only line.
std::optional<HostsLine> parse_hosts_line(const std::string& line);

// /proc/<pid>/cmdline: arguments separated by NUL, usually NUL-terminated (a
// process may rewrite it as one string).
struct ProcCmdline {
  std::string argv0;    // up to the first NUL
  std::string cmdline;  // NULs as spaces, trailing NULs and newlines removed
};
ProcCmdline parse_proc_cmdline(std::string raw);

// Reads a small text file (/proc entries, the hosts file) without following a
// FIFO or device: opened non-blocking, refused unless fstat says regular file.
// Returns the reason on failure; *err_no gets errno (0 when it is not an errno).
std::optional<std::string> read_host_text(const std::string& path, size_t max_bytes, std::string* out,
                                          int* err_no = nullptr);

}  // namespace gv
