// `process` host indicators: walk <proc_root>/<pid>/{comm,cmdline}. A value
// matches a process whose name (comm) or argv[0] basename equals it, or whose
// command line contains it. Processes exit while we walk; that is normal and
// not reported. Our own process is excluded: its argv (the rule path, -trace
// output) must never match.
#include <dirent.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cerrno>
#include <cstring>

#include "scan/host_ioc.h"

namespace gv {
namespace {

// The kernel keeps at most 15 bytes of a process name (TASK_COMM_LEN - 1).
constexpr size_t kCommMax = 15;
constexpr size_t kEvidenceCmdline = 200;
// A command line is bounded by ARG_MAX (a quarter of the stack limit); a
// bigger /proc read means something odd, reported as unreadable.
constexpr size_t kCmdlineMax = size_t{16} << 20;

struct Proc {
  long pid = 0;
  std::string comm;
  std::string argv0;
  std::string cmdline;  // NULs as spaces
};

struct ProcTally {
  size_t checked = 0;
  size_t unreadable = 0;
  std::string first_unreadable;  // "pid 7: permission denied"
};

std::vector<long> list_pids(DIR* d) {
  std::vector<long> pids;
  while (dirent* e = ::readdir(d)) {
    const char* n = e->d_name;
    if (*n == '\0' || std::strspn(n, "0123456789") != std::strlen(n)) continue;
    pids.push_back(std::strtol(n, nullptr, 10));
  }
  std::sort(pids.begin(), pids.end());
  return pids;
}

std::string trim_newline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
  return s;
}

std::string basename_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Reads one process; false when it vanished or could not be read (tallied).
bool read_proc(const std::string& dir, long pid, Proc* p, ProcTally* tally) {
  int err = 0;
  std::string raw;
  std::optional<std::string> why = read_host_text(dir + "/comm", 4096, &p->comm, &err);
  if (!why) why = read_host_text(dir + "/cmdline", kCmdlineMax, &raw, &err);
  if (why) {
    // ENOENT/ESRCH: exited between readdir and read.
    if (err == ENOENT || err == ESRCH) return false;
    if (tally->unreadable++ == 0) tally->first_unreadable = "pid " + std::to_string(pid) + ": " + *why;
    return false;
  }
  p->pid = pid;
  p->comm = trim_newline(std::move(p->comm));
  ProcCmdline c = parse_proc_cmdline(std::move(raw));
  p->argv0 = std::move(c.argv0);
  p->cmdline = std::move(c.cmdline);
  return true;
}

// How `value` matches the process, or empty when it does not.
std::string how_matched(const Proc& p, const std::string& value) {
  if (p.comm == value) return "process name matched";
  if (!p.argv0.empty() && basename_of(p.argv0) == value) return "argv[0] matched";
  if (p.cmdline.find(value) != std::string::npos) return "command line matched";
  // A long program name shows truncated in comm even after its argv was rewritten.
  if (p.comm.size() == kCommMax && value.size() > kCommMax && value.compare(0, kCommMax, p.comm) == 0) {
    return "process name matched (truncated to 15 characters)";
  }
  return {};
}

// Cuts at a UTF-8 character boundary so writers get whole characters.
std::string truncate_utf8(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n) + "...";
}

std::string describe(const Proc& p) {
  return "pid " + std::to_string(p.pid) + " (" + p.comm + "): " + truncate_utf8(p.cmdline, kEvidenceCmdline);
}

std::string read_comm(const std::string& pid_dir) {
  std::string comm;
  read_host_text(pid_dir + "/comm", 4096, &comm);
  return trim_newline(std::move(comm));
}

// The inode of an fd link "socket:[12345]", or 0.
unsigned long socket_inode(int dir_fd, const char* name) {
  char buf[64];
  ssize_t n = ::readlinkat(dir_fd, name, buf, sizeof buf);
  std::string_view link(buf, n > 0 ? static_cast<size_t>(n) : 0);
  if (!link.starts_with("socket:[") || !link.ends_with(']')) return 0;
  unsigned long inode = 0;
  std::from_chars(link.data() + 8, link.data() + link.size() - 1, inode);
  return inode;
}

}  // namespace

ProcCmdline parse_proc_cmdline(std::string raw) {
  ProcCmdline c;
  raw = trim_newline(std::move(raw));
  c.argv0 = raw.substr(0, raw.find('\0'));
  std::replace(raw.begin(), raw.end(), '\0', ' ');
  c.cmdline = std::move(raw);
  return c;
}

// For network evidence: one readlink per open fd of every process, so only
// run for the few sockets that matched. Our own process is included here: a
// socket the scanner holds is still a socket on this host.
std::map<unsigned long, std::string> socket_owners(const HostContext& ctx, const std::set<unsigned long>& inodes) {
  std::map<unsigned long, std::string> owners;
  DIR* proc = inodes.empty() ? nullptr : ::opendir(ctx.proc_root.c_str());
  if (proc == nullptr) return owners;
  while (dirent* e = ::readdir(proc)) {
    if (!std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
    std::string pid_dir = ctx.proc_root + "/" + e->d_name;
    DIR* fds = ::opendir((pid_dir + "/fd").c_str());
    if (fds == nullptr) continue;  // exited, or not ours to read
    while (dirent* f = ::readdir(fds)) {
      unsigned long inode = socket_inode(::dirfd(fds), f->d_name);
      if (inode == 0 || !inodes.count(inode)) continue;
      std::string& o = owners[inode];
      std::string who = std::string("pid ") + e->d_name + " (" + read_comm(pid_dir) + ")";
      if (o.find(who) == std::string::npos) o += (o.empty() ? "" : ", ") + who;
    }
    ::closedir(fds);
  }
  ::closedir(proc);
  return owners;
}

void check_process_indicator(const HostIndicator& ind, const HostContext& ctx, HostCheck* out) {
  out->target = "process name '" + ind.value + "'";
  out->status = CheckStatus::kSkipped;
  if (ind.value.empty()) {
    out->detail = "process indicator has no value";
    return;
  }
  if (ctx.os != "linux") {
    out->detail = "process checks read /proc, which " + ctx.os + " does not have";
    return;
  }
  DIR* d = ::opendir(ctx.proc_root.c_str());
  if (d == nullptr) {
    out->detail = "cannot read " + ctx.proc_root + ": " + std::strerror(errno);
    return;
  }
  std::vector<long> pids = list_pids(d);
  ::closedir(d);
  const long self = static_cast<long>(::getpid());
  ProcTally tally;
  std::string first_how;
  for (long pid : pids) {
    Proc p;
    if (pid == self || !read_proc(ctx.proc_root + "/" + std::to_string(pid), pid, &p, &tally)) continue;
    ++tally.checked;
    std::string how = how_matched(p, ind.value);
    if (how.empty()) continue;
    if (first_how.empty()) first_how = how + ": pid " + std::to_string(p.pid) + " (" + p.comm + ")";
    out->evidence.push_back(describe(p));
  }
  host_trace(ctx, "host: " + std::to_string(tally.checked) + " processes read, " + std::to_string(tally.unreadable) +
                      " unreadable");
  if (!out->evidence.empty()) {
    out->status = CheckStatus::kFound;
    size_t more = out->evidence.size() - 1;
    out->detail = first_how + (more ? " and " + std::to_string(more) + " more" : "");
    return;
  }
  if (tally.checked == 0) {
    // An empty or unreadable /proc (hidepid, a container without /proc) proves nothing.
    out->detail = "no process could be read in " + ctx.proc_root +
                  (tally.unreadable ? " (" + tally.first_unreadable + ")" : std::string());
    return;
  }
  out->status = CheckStatus::kClean;
  out->detail = "no running process matches (" + std::to_string(tally.checked) + " processes checked)";
  if (tally.unreadable > 0) {
    out->detail += "; " + std::to_string(tally.unreadable) + " processes unreadable (" + tally.first_unreadable + ")";
  }
}

}  // namespace gv
