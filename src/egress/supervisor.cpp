#include "egress/supervisor.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <sstream>
#include <mutex>
#include <thread>
#include <tuple>

#include "common/fd.h"
#include "egress/dns.h"
#include "egress/relay.h"
#include "egress/sockaddr.h"

namespace gv::egress {

std::string_view kind_name(EventKind k) {
  switch (k) {
    case EventKind::kConnect: return "connect";
    case EventKind::kSend: return "send";
    case EventKind::kDns: return "dns";
  }
  return "connect";
}

std::string_view action_name(Action a) { return a == Action::kBlocked ? "blocked" : "allowed"; }

namespace {

// Payloads copied out of the caller are capped: a datagram is at most 64 KiB,
// and a stream send may be answered with a partial count (callers loop).
constexpr size_t kMaxPayload = size_t{256} << 10;
constexpr size_t kMaxIov = 1024;  // UIO_MAXIOV

int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

int sys_pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
int sys_pidfd_getfd(int pidfd, int fd) { return static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, fd, 0)); }

// The caller's memory, read while it waits in the system call.
bool read_mem(pid_t pid, uint64_t addr, void* out, size_t len) {
  if (len == 0) return true;
  iovec local{out, len};
  iovec remote{reinterpret_cast<void*>(addr), len};
  return ::process_vm_readv(pid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(len);
}

bool write_mem(pid_t pid, uint64_t addr, const void* in, size_t len) {
  iovec local{const_cast<void*>(in), len};
  iovec remote{reinterpret_cast<void*>(addr), len};
  return ::process_vm_writev(pid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(len);
}

using Addr = SockAddr;

#if defined(__x86_64__)
constexpr uint32_t kNativeArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kNativeArch = AUDIT_ARCH_AARCH64;
#endif
constexpr int kX32Bit = 0x40000000;  // __X32_SYSCALL_BIT
constexpr unsigned kPidfdThread = O_EXCL;  // PIDFD_THREAD, Linux 6.9

// The calling thread's process and parent (Supervisor::proc_info): needed
// for every call (the socket is duplicated from the process). The executable
// and argv are read only when an event is recorded (describe()): most calls
// -- sends on connected streams, local sockets -- record nothing.
struct ProcInfo {
  pid_t tid = 0;
  int tgid = 0, ppid = 0;
};

// A small /proc file read with plain system calls (an ifstream costs more
// than the kernel's work here); "" when it cannot be read.
std::string read_proc(const std::string& path, size_t cap = 4096) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0) return "";
  std::string out(cap, '\0');
  size_t got = 0;
  for (;;) {
    const ssize_t n = ::read(fd.fd, out.data() + got, out.size() - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
    if (got == out.size()) {
      if (out.size() >= (size_t{1} << 20)) break;
      out.resize(out.size() * 2);
    }
  }
  out.resize(got);
  return out;
}

// The parent and start time from /proc/TID/stat (fields 4 and 22, counted
// after the command name, which may hold spaces and parentheses).
bool stat_of(pid_t tid, int* ppid, uint64_t* start) {
  const std::string st = read_proc("/proc/" + std::to_string(tid) + "/stat", 1024);
  const size_t close = st.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(st.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i) {
    if (i == 4) *ppid = std::atoi(field.c_str());
    if (i == 22) *start = std::strtoull(field.c_str(), nullptr, 10);
  }
  return true;
}

int tgid_of(pid_t tid) {
  const std::string status = read_proc("/proc/" + std::to_string(tid) + "/status");
  const size_t at = status.find("\nTgid:");
  return at == std::string::npos ? tid : std::atoi(status.c_str() + at + 6);
}

// The command's path, found in PATH as execvp would, before fork: the child
// calls only async-signal-safe functions.
std::string find_in_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string full = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(full.c_str(), X_OK) == 0 && !std::filesystem::is_directory(full)) return full;
  }
  return "";
}

// The filter, compiled by libseccomp in the parent (it allocates), loaded
// raw by the child. The socket calls go to the supervisor; io_uring, whose
// submissions would bypass the filter, is refused with ENOSYS so programs
// fall back to ordinary calls.
std::optional<Error> build_filter(std::vector<sock_filter>* prog) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == nullptr) return Error{"", 0, 0, "libseccomp: cannot create a filter"};
  std::unique_ptr<void, void (*)(void*)> own(ctx, [](void* c) { seccomp_release(c); });
#if defined(__x86_64__)
  // A 64-bit process can still enter through int 0x80 (i386 numbers,
  // socketcall) or the x32 ABI; without these the filter would kill any
  // 32-bit program outright, and with them its network calls are notified.
  for (const uint32_t arch : {SCMP_ARCH_X86, SCMP_ARCH_X32}) {
    if (const int rc = seccomp_arch_add(ctx, arch); rc != 0 && rc != -EEXIST)
      return Error{"", 0, 0, "libseccomp: cannot add the 32-bit architectures"};
  }
#endif
  for (const char* name : {"connect", "sendto", "sendmsg", "sendmmsg"}) {
    if (seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, seccomp_syscall_resolve_name(name), 0) != 0)
      return Error{"", 0, 0, std::string("libseccomp: cannot add a rule for ") + name};
  }
  // Reads that ask for the sender's address: a DNS answer the relay passes
  // on must look as if it came from the server asked (glibc and c-ares drop
  // it otherwise). recvfrom without an address -- curl's and Python's recv
  // -- is not notified.
  // (SCMP_A4() is a C compound literal; spelled out for C++.)
  scmp_arg_cmp asks_sender{};
  asks_sender.arg = 4;
  asks_sender.op = SCMP_CMP_NE;
  asks_sender.datum_a = 0;
  if (seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY, seccomp_syscall_resolve_name("recvfrom"), 1, &asks_sender) != 0)
    return Error{"", 0, 0, "libseccomp: cannot add a rule for recvfrom"};
  for (const char* name : {"recvmsg", "recvmmsg"}) {
    if (seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, seccomp_syscall_resolve_name(name), 0) != 0)
      return Error{"", 0, 0, std::string("libseccomp: cannot add a rule for ") + name};
  }
  for (const char* name : {"io_uring_setup", "io_uring_enter", "io_uring_register"}) {
    const int nr = seccomp_syscall_resolve_name(name);
    if (nr != __NR_SCMP_ERROR && seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0) != 0)
      return Error{"", 0, 0, std::string("libseccomp: cannot add a rule for ") + name};
  }
  const int mfd = ::memfd_create("gv-seccomp", MFD_CLOEXEC);
  if (mfd < 0) return Error{"", 0, 0, std::string("memfd_create: ") + std::strerror(errno)};
  UniqueFd m(mfd);
  if (seccomp_export_bpf(ctx, mfd) != 0) return Error{"", 0, 0, "libseccomp: cannot export the filter"};
  const off_t size = ::lseek(mfd, 0, SEEK_END);
  if (size <= 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0)
    return Error{"", 0, 0, "libseccomp: exported filter has an odd size"};
  prog->resize(static_cast<size_t>(size) / sizeof(sock_filter));
  if (::pread(mfd, prog->data(), static_cast<size_t>(size), 0) != size)
    return Error{"", 0, 0, "cannot read back the exported filter"};
  return std::nullopt;
}

// Between fork and exec: async-signal-safe calls only. Reports the listener
// fd number on `ready`, waits for the parent to take it, then execs; a
// failure's errno goes to `err` (close-on-exec: EOF means exec succeeded).
[[noreturn]] void child(const std::vector<sock_filter>& prog, const char* path, char* const* argv,
                        int ready, int go, int err) {
  int e = 0;
  sock_fprog fprog{static_cast<unsigned short>(prog.size()), const_cast<sock_filter*>(prog.data())};
  int listener = -1;
  // The parent made itself non-dumpable, which fork copied; the parent must
  // be able to take our listener (pidfd_getfd checks ptrace access) before
  // exec resets it anyway.
  (void)::prctl(PR_SET_DUMPABLE, 1);
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    e = errno;
  } else {
    listener = static_cast<int>(::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &fprog));
    if (listener < 0) e = errno;
  }
  if (e != 0) {
    (void)!::write(err, &e, sizeof e);
    ::_exit(127);
  }
  char b = 0;
  if (::write(ready, &listener, sizeof listener) != sizeof listener || ::read(go, &b, 1) != 1) ::_exit(127);
  ::close(listener);
  ::close(ready);
  ::close(go);
  ::execv(path, argv);
  e = errno;
  (void)!::write(err, &e, sizeof e);
  ::_exit(127);
}

// Runs on the poll loop's thread (a block-mode connect's or a waiting
// receive's thread gets copies and its own listener fd). What the DNS relay's
// threads also touch -- the events, the names learnt from answers -- is
// behind mu_.
class Supervisor {
 public:
  Supervisor(int notify_fd, const SuperviseOptions& opt, SuperviseResult* out)
      : notify_(notify_fd), opt_(opt), out_(out) {}

  // The relay, once started (nullptr: DNS is judged where the supervisor
  // sees it, and write(2) questions are not seen).
  void use_relay(DnsRelay* relay) { relay_ = relay; }

  // The calling thread's process and parent. Linux 6.9+: a pidfd of the
  // thread itself (PIDFD_THREAD) is kept per tid, with the thread group and
  // parent read from /proc once, when the thread first calls (a /proc read
  // costs ~10 us here). Every call duplicates its socket through that pidfd
  // (dup_socket), which fails with ESRCH once that thread is gone: a tid
  // reused by a new thread is then read again before anything is decided or
  // recorded. The parent is the one at the thread's first call. Older
  // kernels: /proc/TID/stat every call, the thread group once per (tid,
  // start time).
  ProcInfo proc_info(pid_t tid) {
    if (thread_pidfds_) {
      auto it = callers_.find(tid);
      if (it != callers_.end()) return it->second.info;
      UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, tid, kPidfdThread)));
      if (pidfd.fd >= 0) {
        ProcInfo p{tid};
        const std::string status = read_proc("/proc/" + std::to_string(tid) + "/status");
        const size_t tg = status.find("\nTgid:"), pp = status.find("\nPPid:");
        p.tgid = tg == std::string::npos ? tid : std::atoi(status.c_str() + tg + 6);
        p.ppid = pp == std::string::npos ? 0 : std::atoi(status.c_str() + pp + 6);
        if (callers_.size() > 65536) callers_.clear();  // a tree that made 64k threads: start over
        callers_[tid] = Caller{std::move(pidfd), p};
        return p;
      }
      if (errno == EINVAL) thread_pidfds_ = false;  // before 6.9
    }
    ProcInfo p{tid};
    uint64_t start = 0;
    if (!stat_of(tid, &p.ppid, &start)) {
      p.tgid = tid;
      return p;
    }
    auto [it, fresh] = tgids_.try_emplace(tid, start, 0);
    if (fresh || it->second.first != start) it->second = {start, tgid_of(tid)};
    p.tgid = it->second.second;
    return p;
  }

  // The executable and argv of the calling thread, as /proc shows them now.
  // argv is read again only when the executable changed (an exec): a build
  // tool makes many calls from one process.
  void describe(pid_t tid, int tgid, std::string* exe, std::vector<std::string>* argv) {
    const std::string base = "/proc/" + std::to_string(tid);
    char link[4096];
    const ssize_t n = ::readlink((base + "/exe").c_str(), link, sizeof link);
    *exe = n > 0 ? std::string(link, static_cast<size_t>(n)) : "";
    Described& d = described_[tgid];
    if (d.exe != *exe || d.argv.empty()) {
      d.exe = *exe;
      d.argv.clear();
      const std::string cmd = read_proc(base + "/cmdline");
      for (size_t at = 0; at < cmd.size();) {
        const size_t end = std::min(cmd.find('\0', at), cmd.size());
        d.argv.emplace_back(cmd, at, end - at);
        at = end + 1;
      }
      // A process that set its title (node does) pads its argv with empty strings.
      while (d.argv.size() > 1 && d.argv.back().empty()) d.argv.pop_back();
    }
    *argv = d.argv;
  }

  // One notification: decide, record, answer.
  void handle(const seccomp_notif& req) {
    const ProcInfo p = proc_info(static_cast<pid_t>(req.pid));
    const int nr = req.data.nr;
    if (req.data.arch != kNativeArch || (nr & kX32Bit) != 0) return on_foreign(req, p);
    if (nr == nr_connect_) return on_connect(req, p);
    if (nr == nr_sendto_) return on_sendto(req, p);
    if (nr == nr_sendmsg_) return on_sendmsg(req, p);
    if (nr == nr_sendmmsg_) return on_sendmmsg(req, p);
    if (nr == nr_recvfrom_ || nr == nr_recvmsg_ || nr == nr_recvmmsg_) return on_recv(req, p);
    respond_continue(req.id);
  }

  // ---- a call from the 32-bit entry (i386) or the x32 ABI --------------------
  // Numbers and argument layouts differ. connect is decoded (a socket
  // address has the same layout) and judged as any other; a send's message
  // layout is not decoded, so block mode refuses it rather than let it pass
  // unread, and audit mode says it was not read. Receives decide nothing.
  void on_foreign(const seccomp_notif& req, ProcInfo p) {
    const uint32_t arch = (req.data.nr & kX32Bit) != 0 ? SCMP_ARCH_X32 : req.data.arch;
    char* resolved = seccomp_syscall_resolve_num_arch(arch, req.data.nr);
    std::string name = resolved != nullptr ? resolved : "";
    std::free(resolved);
    const auto pid = static_cast<pid_t>(req.pid);
    uint64_t args[3] = {req.data.args[0], req.data.args[1], req.data.args[2]};
    if (name == "socketcall") {
      // socketcall(call, args): the arguments are 32-bit words in memory.
      constexpr std::pair<uint64_t, const char*> kCalls[] = {{3, "connect"},   {11, "sendto"},  {16, "sendmsg"},
                                                             {20, "sendmmsg"}, {12, "recvfrom"}, {17, "recvmsg"},
                                                             {19, "recvmmsg"}};
      name.clear();
      for (const auto& [code, call] : kCalls)
        if (code == req.data.args[0]) name = call;
      if (name == "connect") {
        uint32_t words[3] = {};
        if (!read_mem(pid, req.data.args[1], words, sizeof words))
          return opt_.block ? respond_error(req.id, EFAULT) : respond_continue(req.id);
        args[0] = words[0], args[1] = words[1], args[2] = words[2];
      }
    }
    if (name == "connect") return connect_call(req, p, args[0], args[1], args[2]);
    if (name.empty() || name.starts_with("recv")) return respond_continue(req.id);
    unseen("a 32-bit " + name + " (pid " + std::to_string(p.tgid) + ") " +
           (opt_.block ? "was refused: its message is not decoded" : "was not decoded"));
    return opt_.block ? respond_error(req.id, EPERM) : respond_continue(req.id);
  }

  // ---- the relay's hooks (its threads) ----------------------------------------
  bool relay_question(const RelayClient& c, const SockAddr& server, const std::string& proto,
                      const std::vector<DnsQuestion>& qs, const std::string& unreadable, int64_t time_ns) {
    Event base;
    base.time_ns = time_ns != 0 ? time_ns : now_ns();
    base.pid = c.pid;
    base.ppid = c.ppid;
    base.exe = c.exe;
    base.argv = c.argv;
    base.protocol = proto;
    base.address = server.text;
    base.port = server.port;
    std::lock_guard lock(mu_);
    if (qs.empty()) {
      // Not a query we can read: in block mode it cannot be shown to carry
      // only allowed names, so it is not sent.
      base.kind = EventKind::kSend;
      base.action = opt_.block ? Action::kBlocked : Action::kAllowed;
      out_->events.push_back(std::move(base));
      (void)unreadable;
      return !opt_.block;
    }
    bool all = true;
    for (const DnsQuestion& q : qs) {
      Event e = base;
      e.kind = EventKind::kDns;
      e.domain = q.name;
      e.query_type = std::string(dns_type_name(q.type));
      const bool allowed = !opt_.block || opt_.allow->allows_name(q.name, 0);
      e.action = allowed ? Action::kAllowed : Action::kBlocked;
      all = all && allowed;
      out_->events.push_back(std::move(e));
    }
    return all;
  }
  void relay_answer(const DnsAnswer& a) {
    std::lock_guard lock(mu_);
    for (const std::vector<uint8_t>& addr : a.addresses) {
      std::vector<std::string>& names = names_[std::string(addr.begin(), addr.end())];
      std::erase(names, a.name);
      names.push_back(a.name);  // the latest last
      if (names.size() > 16) names.erase(names.begin());
    }
  }
  void relay_problem(const std::string& what) {
    std::lock_guard lock(mu_);
    unseen_locked(what);
  }

 private:
  // ---- answers -------------------------------------------------------------
  void respond(uint64_t id, int64_t val, int error, uint32_t flags) const {
    seccomp_notif_resp resp{};
    resp.id = id;
    resp.val = val;
    resp.error = error;
    resp.flags = flags;
    // ENOENT: the caller is gone or was interrupted by a signal; nothing to do.
    (void)::ioctl(notify_, SECCOMP_IOCTL_NOTIF_SEND, &resp);
  }
  void respond_continue(uint64_t id) const { respond(id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE); }
  void respond_error(uint64_t id, int err) const { respond(id, 0, -err, 0); }
  void respond_result(uint64_t id, int64_t r, int err) const {
    if (r < 0) {
      respond_error(id, err);
    } else {
      respond(id, r, 0, 0);
    }
  }
  // Still the same waiting call? (A pid read from /proc could have been reused.)
  bool still_valid(uint64_t id) const { return ::ioctl(notify_, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0; }

  // ---- helpers ---------------------------------------------------------------
  // A duplicate of the caller's socket (same open file description).
  // `p` is refreshed when its cached thread turns out to be gone.
  UniqueFd dup_socket(ProcInfo& p, uint64_t fd) {
    if (auto it = callers_.find(p.tid); thread_pidfds_ && it != callers_.end()) {
      const int dup = sys_pidfd_getfd(it->second.pidfd.fd, static_cast<int>(fd));
      if (dup >= 0 || errno != ESRCH) return UniqueFd(dup);
      callers_.erase(it);  // an earlier thread with this tid
      p = proc_info(p.tid);
      it = callers_.find(p.tid);
      if (it != callers_.end()) return UniqueFd(sys_pidfd_getfd(it->second.pidfd.fd, static_cast<int>(fd)));
    }
    UniqueFd& pidfd = pidfds_[p.tgid];
    if (pidfd.fd >= 0) {
      const int dup = sys_pidfd_getfd(pidfd.fd, static_cast<int>(fd));
      if (dup >= 0 || errno != ESRCH) return UniqueFd(dup);
      // ESRCH: the pidfd is of an earlier process that had this pid.
    }
    pidfd.reset(sys_pidfd_open(p.tgid));
    if (pidfd.fd < 0) return UniqueFd();
    return UniqueFd(sys_pidfd_getfd(pidfd.fd, static_cast<int>(fd)));
  }
  static std::string protocol_of(int sock) {
    int type = 0;
    socklen_t len = sizeof type;
    if (::getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) != 0) return "";
    return type == SOCK_STREAM ? "tcp" : type == SOCK_DGRAM ? "udp" : "";
  }
  static bool is_inet(int sock) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    return ::getsockname(sock, reinterpret_cast<sockaddr*>(&ss), &len) == 0 &&
           (ss.ss_family == AF_INET || ss.ss_family == AF_INET6);
  }
  static int type_of(int sock) {
    int type = 0;
    socklen_t len = sizeof type;
    return ::getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) == 0 ? type : -1;
  }

  // A connect or send event, annotated with the latest name the tree
  // resolved to the address (through the relay).
  Event event(const ProcInfo& p, EventKind kind, const std::string& proto, const Addr& a) {
    Event e;
    e.time_ns = now_ns();
    e.pid = p.tgid;
    e.ppid = p.ppid;
    describe(p.tid, p.tgid, &e.exe, &e.argv);
    e.kind = kind;
    e.protocol = proto;
    e.address = a.text;
    e.port = a.port;
    if (kind != EventKind::kDns) {
      std::lock_guard lock(mu_);
      auto it = names_.find(std::string(a.bytes.begin(), a.bytes.begin() + static_cast<std::ptrdiff_t>(a.nbytes)));
      if (it != names_.end()) e.domain = it->second.back();
    }
    return e;
  }
  void record(Event e) {
    std::lock_guard lock(mu_);
    out_->events.push_back(std::move(e));
  }
  void unseen(std::string what) {
    std::lock_guard lock(mu_);
    unseen_locked(std::move(what));
  }
  void unseen_locked(std::string what) {
    if (std::find(out_->unseen.begin(), out_->unseen.end(), what) == out_->unseen.end())
      out_->unseen.push_back(std::move(what));
  }
  // A datagram destination is recorded once per process (a QUIC or media
  // stream sends thousands); connects are recorded every time.
  bool first_send(int tgid, const Addr& a, const std::string& proto) {
    return sends_seen_.emplace(tgid, a.text, a.port, proto).second;
  }

  // By address, or by a name the tree resolved to it through the relay.
  bool address_allowed(const Addr& a) {
    std::vector<std::string> names;
    {
      std::lock_guard lock(mu_);
      auto it = names_.find(std::string(a.bytes.begin(), a.bytes.begin() + static_cast<std::ptrdiff_t>(a.nbytes)));
      if (it != names_.end()) names = it->second;
    }
    return opt_.allow->allows_address(a.address(), a.port, names);
  }

  // DNS questions in a payload sent to port 53: recorded, and in block mode
  // the send is refused unless every name is allowed. Returns false to block.
  bool dns_questions(const ProcInfo& p, const std::string& proto, const Addr& server,
                     std::span<const uint8_t> payload) {
    std::vector<DnsQuestion> qs;
    std::string why;
    const bool tcp = proto == "tcp";
    size_t consumed = 0;
    const bool ok = tcp ? parse_dns_tcp(payload, &qs, &consumed, &why) : parse_dns_query(payload, &qs, &why);
    if (!ok || qs.empty()) {
      // Not DNS, or not a query we can read: in block mode it cannot be
      // shown to carry only allowed names, so it is not sent.
      Event e = event(p, EventKind::kSend, proto, server);
      e.action = opt_.block ? Action::kBlocked : Action::kAllowed;
      record(std::move(e));
      return !opt_.block;
    }
    bool all = true;
    for (const DnsQuestion& q : qs) {
      Event e = event(p, EventKind::kDns, proto, server);
      e.domain = q.name;
      e.query_type = std::string(dns_type_name(q.type));
      const bool allowed = !opt_.block || opt_.allow->allows_name(q.name, 0);
      e.action = allowed ? Action::kAllowed : Action::kBlocked;
      all = all && allowed;
      record(std::move(e));
    }
    return all;
  }

  // ---- connect(fd, addr, len) ---------------------------------------------------
  void on_connect(const seccomp_notif& req, ProcInfo p) {
    connect_call(req, p, req.data.args[0], req.data.args[1], req.data.args[2]);
  }
  void connect_call(const seccomp_notif& req, ProcInfo p, uint64_t fd, uint64_t addr, uint64_t addr_len) {
    const uint64_t len = std::min<uint64_t>(addr_len, sizeof(sockaddr_storage));
    std::array<uint8_t, sizeof(sockaddr_storage)> buf{};
    if (!read_mem(static_cast<pid_t>(req.pid), addr, buf.data(), len)) {
      unseen("a connect whose address could not be read (pid " + std::to_string(p.tgid) + ")");
      return opt_.block ? respond_error(req.id, EFAULT) : respond_continue(req.id);
    }
    std::optional<Addr> a = parse_sockaddr(buf.data(), len);
    if (!a) return respond_continue(req.id);  // AF_UNIX, AF_UNSPEC, netlink: not egress
    UniqueFd sock = dup_socket(p, fd);
    if (sock.fd < 0) return opt_.block ? respond_error(req.id, EBADF) : respond_continue(req.id);
    if (!still_valid(req.id)) return;
    const std::string proto = protocol_of(sock.fd);
    Event e = event(p, EventKind::kConnect, proto, *a);
    // Port 53: what matters is the name asked, checked when it is sent.
    const bool allowed = !opt_.block || a->port == opt_.dns_port || address_allowed(*a);
    e.action = allowed ? Action::kAllowed : Action::kBlocked;
    if (a->port == opt_.dns_port && relay_ != nullptr && !proto.empty() && redirect_connect(req.id, p, sock.fd, *a, e)) {
      record(std::move(e));
      return;
    }
    record(std::move(e));
    if (!opt_.block) return respond_continue(req.id);
    if (!allowed) return respond_error(req.id, EPERM);
    // Performed here, on the checked copy. A non-blocking socket (node's,
    // curl's) and a datagram socket return at once: answered in place.
    const int fl = ::fcntl(sock.fd, F_GETFL);
    if (fl < 0 || (fl & O_NONBLOCK) != 0 || proto != "tcp") {
      const int r = ::connect(sock.fd, reinterpret_cast<const sockaddr*>(&a->raw), a->len);
      return respond_result(req.id, r, errno);
    }
    // A blocking stream socket: started without waiting (the file is made
    // non-blocking for the call -- the caller is inside connect(2) on it, so
    // nothing else of its own is using it), finished in place when it is
    // done at once (loopback, a refusal), else awaited on a thread of its
    // own so that a slow server does not hold up everyone else's calls.
    (void)::fcntl(sock.fd, F_SETFL, fl | O_NONBLOCK);
    int r = ::connect(sock.fd, reinterpret_cast<const sockaddr*>(&a->raw), a->len);
    int err = errno;
    (void)::fcntl(sock.fd, F_SETFL, fl);
    if (r != 0 && err == EINPROGRESS) {
      pollfd pfd{sock.fd, POLLOUT, 0};
      if (::poll(&pfd, 1, 0) == 1) {
        socklen_t len = sizeof err;
        r = ::getsockopt(sock.fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0 ? 0 : -1;
      }
    }
    if (r == 0 || err != EINPROGRESS) return respond_result(req.id, r, err);
    timeval tv{};
    socklen_t tvlen = sizeof tv;
    (void)::getsockopt(sock.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, &tvlen);
    const int limit_ms = tv.tv_sec == 0 && tv.tv_usec == 0 ? -1 : static_cast<int>(tv.tv_sec * 1000 + tv.tv_usec / 1000);
    // Its own copy of the listener: the supervisor may have closed its one
    // (the command exited) by the time a slow connect is done.
    const int notify = ::fcntl(notify_, F_DUPFD_CLOEXEC, 0);
    std::thread([notify, id = req.id, fd = sock.release(), limit_ms] {
      pollfd pfd{fd, POLLOUT, 0};
      int e = EINPROGRESS;  // what a blocking connect says when SO_SNDTIMEO runs out
      int n;
      while ((n = ::poll(&pfd, 1, limit_ms)) < 0 && errno == EINTR) {
      }
      if (n == 1) {
        socklen_t len = sizeof e;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0) e = errno;
      }
      ::close(fd);
      seccomp_notif_resp resp{};
      resp.id = id;
      resp.error = -e;
      if (notify >= 0) {
        (void)::ioctl(notify, SECCOMP_IOCTL_NOTIF_SEND, &resp);
        ::close(notify);
      }
    }).detach();
  }

  // The relay's address for a socket of `family` (IPv4-mapped when an IPv6
  // socket must reach the IPv4 relay).
  std::optional<Addr> relay_target(int family, int type) const {
    std::optional<Addr> t = relay_->target(family, type);
    if (!t || family != AF_INET6 || t->raw.ss_family == AF_INET6) return t;
    sockaddr_in6 m{};
    m.sin6_family = AF_INET6;
    m.sin6_port = htons(t->port);
    m.sin6_addr.s6_addr[10] = m.sin6_addr.s6_addr[11] = 0xff;
    std::memcpy(m.sin6_addr.s6_addr + 12, t->bytes.data(), 4);
    return parse_sockaddr(&m, sizeof m);
  }

  // A socket connected to port 53 is connected to the relay instead, in
  // either mode: whatever call then carries a question (write(2) too), it
  // reaches the relay, which records, judges and forwards it. False when
  // that cannot be done; the connect then goes its ordinary way.
  bool redirect_connect(uint64_t id, const ProcInfo& p, int sock, const Addr& server, const Event& e) {
    const std::optional<Addr> to = relay_target(server.raw.ss_family, type_of(sock));
    if (!to) return false;
    const int r = ::connect(sock, reinterpret_cast<const sockaddr*>(&to->raw), to->len);
    const int err = errno;
    if (r != 0 && err != EINPROGRESS) {
      unseen("DNS to " + server.text + " could not go through the relay (" + std::strerror(err) +
             "): write(2) questions on that socket are not seen");
      return false;
    }
    const std::optional<Addr> local = local_of(sock);
    if (local) relay_->add_client(*local, server, -1, p.tgid, p.ppid, e.exe, e.argv);
    respond_result(id, r, err);
    return true;
  }

  // One send with an optional destination, whichever call made it.
  struct Send {
    int sock = -1;
    std::string proto;
    std::optional<Addr> dest;  // from the call; else the socket's peer
    std::vector<uint8_t> payload;
    std::vector<uint8_t> control;
    int flags = 0;
  };

  // Records a send and decides it. Returns true when it may go.
  bool judge_send(const ProcInfo& p, const Send& s, const Addr& to) {
    if (to.port == opt_.dns_port) return dns_questions(p, s.proto, to, s.payload);
    bool allowed = !opt_.block || address_allowed(to);
    if (!allowed || first_send(p.tgid, to, s.proto)) {
      Event e = event(p, EventKind::kSend, s.proto, to);
      e.action = allowed ? Action::kAllowed : Action::kBlocked;
      record(std::move(e));
    }
    return allowed;
  }

  // Performs a checked send on the duplicate: the bytes sent are the bytes checked.
  static ssize_t perform(const Send& s, int* err) {
    iovec iov{const_cast<uint8_t*>(s.payload.data()), s.payload.size()};
    msghdr m{};
    if (s.dest) {
      m.msg_name = const_cast<sockaddr_storage*>(&s.dest->raw);
      m.msg_namelen = s.dest->len;
    }
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    if (!s.control.empty()) {
      m.msg_control = const_cast<uint8_t*>(s.control.data());
      m.msg_controllen = s.control.size();
    }
    const ssize_t r = ::sendmsg(s.sock, &m, s.flags | MSG_NOSIGNAL);
    *err = errno;
    return r;
  }

  enum class Verdict { kContinue, kPerform, kBlock };

  // A datagram addressed to port 53 is sent to the relay instead (which
  // records it and forwards it to `to`), so that the answer comes through the
  // relay too. Block mode refuses here, with EPERM, a question the relay
  // would refuse. nullopt: the relay cannot take it; judge it here.
  std::optional<Verdict> via_relay(const ProcInfo& p, Send* s, const Addr& to) {
    const int family = to.raw.ss_family;
    const std::optional<Addr> target = relay_target(family, SOCK_DGRAM);
    if (!target) return std::nullopt;
    if (opt_.block && !dns_allowed(s->payload)) {
      dns_questions(p, s->proto, to, s->payload);  // records them, refused
      return Verdict::kBlock;
    }
    // The relay knows the socket by its local address: an unbound socket is
    // bound now, as the kernel would bind it on this send.
    std::optional<Addr> local = local_of(s->sock);
    if (local && local->port == 0) {
      const Addr any = family == AF_INET6 ? loopback(AF_INET6, 0) : loopback(AF_INET, 0);
      sockaddr_storage wild{};
      std::memcpy(&wild, &any.raw, any.len);
      if (family == AF_INET6) {
        reinterpret_cast<sockaddr_in6*>(&wild)->sin6_addr = in6addr_any;
      } else {
        reinterpret_cast<sockaddr_in*>(&wild)->sin_addr.s_addr = htonl(INADDR_ANY);
      }
      (void)::bind(s->sock, reinterpret_cast<sockaddr*>(&wild), any.len);
      local = local_of(s->sock);
    }
    if (!local || local->port == 0) return std::nullopt;
    std::string exe;
    std::vector<std::string> argv;
    describe(p.tid, p.tgid, &exe, &argv);
    relay_->add_client(*local, to, dns_message_id(s->payload), p.tgid, p.ppid, exe, argv);
    s->dest = target;
    return Verdict::kPerform;
  }

  // Would every question in this DNS message be allowed?
  bool dns_allowed(std::span<const uint8_t> payload) const {
    std::vector<DnsQuestion> qs;
    std::string why;
    if (!parse_dns_query(payload, &qs, &why) || qs.empty()) return false;
    return std::all_of(qs.begin(), qs.end(), [&](const DnsQuestion& q) { return opt_.allow->allows_name(q.name, 0); });
  }

  // Where a send goes when it is ours to judge (and s->proto): nullopt for
  // non-IP sockets, unconnected ones (the kernel fails them), and connected
  // streams, whose peer was checked at connect -- except DNS over TCP. Known
  // before the payload is read, so a stream's data is never copied.
  std::optional<Addr> to_judge(Send* s) {
    if (!is_inet(s->sock)) return std::nullopt;
    s->proto = protocol_of(s->sock);
    std::optional<Addr> to = s->dest ? s->dest : peer_of(s->sock);
    // Connected to the relay by us: it can only reach the relay, which judges.
    if (to && !s->dest && relay_ != nullptr && relay_->is_relay(*to)) return std::nullopt;
    if (to && s->proto == "tcp" && !s->dest && to->port != opt_.dns_port) return std::nullopt;
    return to;
  }

  // The common path of sendto, sendmsg and one sendmmsg entry, once the
  // payload is read: record, and in block mode decide.
  Verdict decide(const ProcInfo& p, Send* sp, const Addr& to) {
    if (relay_ != nullptr && sp->dest && sp->proto == "udp" && to.port == opt_.dns_port) {
      if (std::optional<Verdict> v = via_relay(p, sp, to)) return *v;
    }
    const Send& s = *sp;
    const bool ok = judge_send(p, s, to);
    if (!opt_.block) return Verdict::kContinue;
    return ok ? Verdict::kPerform : Verdict::kBlock;
  }

  bool read_payload(pid_t pid, const std::vector<iovec>& iovs, std::vector<uint8_t>* out) {
    for (const iovec& v : iovs) {
      const size_t room = kMaxPayload - out->size();
      const size_t n = std::min(v.iov_len, room);
      const size_t at = out->size();
      out->resize(at + n);
      if (!read_mem(pid, reinterpret_cast<uint64_t>(v.iov_base), out->data() + at, n)) return false;
      if (out->size() == kMaxPayload) break;
    }
    return true;
  }

  // ---- sendto(fd, buf, len, flags, addr, addrlen) -----------------------------
  void on_sendto(const seccomp_notif& req, ProcInfo p) {
    const auto pid = static_cast<pid_t>(req.pid);
    UniqueFd sock = dup_socket(p, req.data.args[0]);
    if (sock.fd < 0) return opt_.block ? respond_error(req.id, EBADF) : respond_continue(req.id);
    Send s;
    s.sock = sock.fd;
    s.flags = static_cast<int>(req.data.args[3]);
    if (req.data.args[4] != 0 && req.data.args[5] != 0) {
      const uint64_t len = std::min<uint64_t>(req.data.args[5], sizeof(sockaddr_storage));
      std::array<uint8_t, sizeof(sockaddr_storage)> buf{};
      if (!read_mem(pid, req.data.args[4], buf.data(), len))
        return opt_.block ? respond_error(req.id, EFAULT) : respond_continue(req.id);
      s.dest = parse_sockaddr(buf.data(), len);
      if (!s.dest) return respond_continue(req.id);
    }
    const std::optional<Addr> to = to_judge(&s);
    if (!to) return respond_continue(req.id);
    const std::vector<iovec> iov{{reinterpret_cast<void*>(req.data.args[1]), static_cast<size_t>(req.data.args[2])}};
    if (!read_payload(pid, iov, &s.payload))
      return opt_.block ? respond_error(req.id, EFAULT) : respond_continue(req.id);
    if (!still_valid(req.id)) return;
    finish(req.id, decide(p, &s, *to), s);
  }

  void finish(uint64_t id, Verdict v, const Send& s) {
    if (v == Verdict::kContinue) return respond_continue(id);
    if (v == Verdict::kBlock) return respond_error(id, EPERM);
    int err = 0;
    const ssize_t r = perform(s, &err);
    respond_result(id, r, err);
  }

  // A msghdr from the caller: its destination, data and control messages.
  bool read_msghdr(pid_t pid, uint64_t addr, Send* s) {
    msghdr m{};
    if (!read_mem(pid, addr, &m, sizeof m)) return false;
    if (m.msg_name != nullptr && m.msg_namelen != 0) {
      std::array<uint8_t, sizeof(sockaddr_storage)> buf{};
      const size_t len = std::min<size_t>(m.msg_namelen, buf.size());
      if (!read_mem(pid, reinterpret_cast<uint64_t>(m.msg_name), buf.data(), len)) return false;
      s->dest = parse_sockaddr(buf.data(), len);
    }
    if (m.msg_iovlen > kMaxIov) return false;
    std::vector<iovec> iovs(m.msg_iovlen);
    if (!iovs.empty() && !read_mem(pid, reinterpret_cast<uint64_t>(m.msg_iov), iovs.data(), iovs.size() * sizeof(iovec)))
      return false;
    if (!read_payload(pid, iovs, &s->payload)) return false;
    if (m.msg_control != nullptr && m.msg_controllen != 0) {
      if (m.msg_controllen > 4096) return false;
      s->control.resize(m.msg_controllen);
      if (!read_mem(pid, reinterpret_cast<uint64_t>(m.msg_control), s->control.data(), s->control.size())) return false;
    }
    return true;
  }

  // ---- sendmsg(fd, msg, flags) ---------------------------------------------
  void on_sendmsg(const seccomp_notif& req, ProcInfo p) {
    UniqueFd sock = dup_socket(p, req.data.args[0]);
    if (sock.fd < 0) return opt_.block ? respond_error(req.id, EBADF) : respond_continue(req.id);
    Send s;
    s.sock = sock.fd;
    s.flags = static_cast<int>(req.data.args[2]);
    if (!read_msghdr(static_cast<pid_t>(req.pid), req.data.args[1], &s)) {
      unseen("a sendmsg whose message could not be read (pid " + std::to_string(p.tgid) + ")");
      return opt_.block ? respond_error(req.id, EFAULT) : respond_continue(req.id);
    }
    if (!still_valid(req.id)) return;
    const std::optional<Addr> to = to_judge(&s);
    if (!to) return respond_continue(req.id);
    finish(req.id, decide(p, &s, *to), s);
  }

  // ---- sendmmsg(fd, msgvec, vlen, flags) -----------------------------------
  // glibc's resolver sends its A and AAAA questions in one sendmmsg.
  void on_sendmmsg(const seccomp_notif& req, ProcInfo p) {
    const auto pid = static_cast<pid_t>(req.pid);
    UniqueFd sock = dup_socket(p, req.data.args[0]);
    if (sock.fd < 0) return opt_.block ? respond_error(req.id, EBADF) : respond_continue(req.id);
    const size_t n = std::min<uint64_t>(req.data.args[2], kMaxIov);
    std::vector<Send> sends(n);
    std::vector<Verdict> verdicts(n, Verdict::kContinue);
    bool any_decided = false;
    for (size_t i = 0; i < n; ++i) {
      sends[i].sock = sock.fd;
      sends[i].flags = static_cast<int>(req.data.args[3]);
      if (!read_msghdr(pid, req.data.args[1] + i * sizeof(mmsghdr), &sends[i])) {
        unseen("a sendmmsg whose messages could not be read (pid " + std::to_string(p.tgid) + ")");
        return opt_.block ? respond_error(req.id, EFAULT) : respond_continue(req.id);
      }
    }
    if (!still_valid(req.id)) return;
    for (size_t i = 0; i < n; ++i) {
      const std::optional<Addr> to = to_judge(&sends[i]);
      verdicts[i] = to ? decide(p, &sends[i], *to) : Verdict::kContinue;
      any_decided = any_decided || verdicts[i] != Verdict::kContinue;
    }
    if (!any_decided) return respond_continue(req.id);
    // Block mode: send in order until the first refusal, as the kernel stops
    // at the first failure; msg_len is written back as the kernel would.
    int64_t sent = 0;
    int err = 0;
    for (size_t i = 0; i < n; ++i) {
      if (verdicts[i] == Verdict::kBlock) {
        err = EPERM;
        break;
      }
      const ssize_t r = perform(sends[i], &err);
      if (r < 0) break;
      const auto len = static_cast<unsigned>(r);
      (void)write_mem(pid, req.data.args[1] + i * sizeof(mmsghdr) + offsetof(mmsghdr, msg_len), &len, sizeof len);
      ++sent;
    }
    if (sent > 0) return respond(req.id, sent, 0, 0);
    respond_error(req.id, err != 0 ? err : EPERM);
  }

  // ---- recvfrom, recvmsg, recvmmsg -----------------------------------------
  // Only on a socket the relay knows, and only when the caller asks who sent
  // the datagram: the relay's answer is then received here (on the
  // duplicate) and handed over with the server's address as its sender.
  struct Recv {
    pid_t pid = 0;
    int flags = 0;
    std::vector<iovec> iovs;  // the caller's buffers
    uint64_t name = 0, namelen_at = 0;
    socklen_t name_cap = 0;
    uint64_t control = 0, controllen_at = 0;
    size_t control_cap = 0;
    uint64_t msg_flags_at = 0, msg_len_at = 0;  // 0: not written back
    bool one_of_many = false;                   // recvmmsg: answers 1
  };

  void on_recv(const seccomp_notif& req, ProcInfo p) {
    if (relay_ == nullptr) return respond_continue(req.id);
    UniqueFd sock = dup_socket(p, req.data.args[0]);
    if (sock.fd < 0 || type_of(sock.fd) != SOCK_DGRAM) return respond_continue(req.id);
    const std::optional<Addr> local = local_of(sock.fd);
    if (!local || !relay_->server_for(*local, -1)) return respond_continue(req.id);
    Recv r;
    r.pid = static_cast<pid_t>(req.pid);
    const auto* a = req.data.args;
    if (req.data.nr == nr_recvfrom_) {
      r.flags = static_cast<int>(a[3]);
      r.iovs = {{reinterpret_cast<void*>(a[1]), static_cast<size_t>(a[2])}};
      r.name = a[4];
      r.namelen_at = a[5];
      if (!read_mem(r.pid, a[5], &r.name_cap, sizeof r.name_cap)) return respond_continue(req.id);
    } else {
      const bool many = req.data.nr == nr_recvmmsg_;
      if (many && a[2] == 0) return respond_continue(req.id);
      r.flags = static_cast<int>(many ? a[3] : a[2]);
      r.one_of_many = many;
      const uint64_t at = a[1];
      msghdr m{};
      if (!read_mem(r.pid, at, &m, sizeof m) || m.msg_name == nullptr || m.msg_iovlen > kMaxIov)
        return respond_continue(req.id);
      r.iovs.resize(m.msg_iovlen);
      if (!r.iovs.empty() && !read_mem(r.pid, reinterpret_cast<uint64_t>(m.msg_iov), r.iovs.data(),
                                       r.iovs.size() * sizeof(iovec)))
        return respond_continue(req.id);
      r.name = reinterpret_cast<uint64_t>(m.msg_name);
      r.name_cap = m.msg_namelen;
      r.namelen_at = at + offsetof(msghdr, msg_namelen);
      r.control = reinterpret_cast<uint64_t>(m.msg_control);
      r.control_cap = std::min<size_t>(m.msg_controllen, 4096);
      r.controllen_at = at + offsetof(msghdr, msg_controllen);
      r.msg_flags_at = at + offsetof(msghdr, msg_flags);
      if (many) r.msg_len_at = at + offsetof(mmsghdr, msg_len);
    }
    if ((r.flags & (MSG_ERRQUEUE | MSG_OOB)) != 0) return respond_continue(req.id);
    if (!still_valid(req.id)) return;
    if (deliver(notify_, req.id, sock.fd, *local, r, relay_)) return;
    // Nothing yet. A non-blocking caller is told so; a blocking one waits on
    // a thread of its own (honouring SO_RCVTIMEO), as connect does.
    const int fl = ::fcntl(sock.fd, F_GETFL);
    if ((r.flags & MSG_DONTWAIT) != 0 || (fl >= 0 && (fl & O_NONBLOCK) != 0)) return respond_error(req.id, EAGAIN);
    timeval tv{};
    socklen_t tvlen = sizeof tv;
    (void)::getsockopt(sock.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &tvlen);
    const int64_t limit_ms = tv.tv_sec == 0 && tv.tv_usec == 0 ? -1 : int64_t{tv.tv_sec} * 1000 + tv.tv_usec / 1000;
    const int notify = ::fcntl(notify_, F_DUPFD_CLOEXEC, 0);
    if (notify < 0) return respond_error(req.id, EAGAIN);
    auto done = std::make_shared<std::atomic<bool>>(false);
    waiters_.push_back({std::thread([this, notify, id = req.id, fd = sock.release(), l = *local, r, limit_ms, done] {
                          wait_and_deliver(notify, id, fd, l, r, limit_ms);
                          ::close(fd);
                          ::close(notify);
                          *done = true;
                        }),
                        done});
    std::erase_if(waiters_, [](Waiter& w) {
      if (!*w.done) return false;
      w.thread.join();
      return true;
    });
  }

  void wait_and_deliver(int notify, uint64_t id, int fd, const Addr& local, const Recv& r, int64_t limit_ms) {
    int64_t waited = 0;
    while (!stopping_) {
      pollfd pfd{fd, POLLIN, 0};
      if (::poll(&pfd, 1, 200) > 0 && deliver(notify, id, fd, local, r, relay_)) return;
      waited += 200;
      if (::ioctl(notify, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) != 0) return;  // the caller gave up (a signal)
      if (limit_ms >= 0 && waited >= limit_ms) {
        seccomp_notif_resp resp{};
        resp.id = id;
        resp.error = -EAGAIN;
        (void)::ioctl(notify, SECCOMP_IOCTL_NOTIF_SEND, &resp);
        return;
      }
    }
  }

  // Receives one datagram without waiting and hands it to the caller, the
  // relay's address replaced by the server's. False when nothing was there.
  static bool deliver(int notify, uint64_t id, int fd, const Addr& local, const Recv& r, const DnsRelay* relay) {
    size_t want = 0;
    for (const iovec& v : r.iovs) want += v.iov_len;
    std::vector<uint8_t> data(std::min<size_t>(want, 65536));
    std::vector<uint8_t> control(r.control_cap);
    sockaddr_storage from{};
    iovec iov{data.data(), data.size()};
    msghdr m{};
    m.msg_name = &from;
    m.msg_namelen = sizeof from;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    if (!control.empty()) {
      m.msg_control = control.data();
      m.msg_controllen = control.size();
    }
    const ssize_t n = ::recvmsg(fd, &m, r.flags | MSG_DONTWAIT);
    seccomp_notif_resp resp{};
    resp.id = id;
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
      resp.error = -errno;
      (void)::ioctl(notify, SECCOMP_IOCTL_NOTIF_SEND, &resp);
      return true;
    }
    const void* name = &from;
    socklen_t name_len = m.msg_namelen;
    std::optional<Addr> sender = parse_sockaddr(&from, m.msg_namelen);
    std::optional<Addr> server;
    if (sender && relay->is_relay(*sender)) {
      server = relay->server_for(local, dns_message_id(std::span<const uint8_t>(data.data(), static_cast<size_t>(std::min<ssize_t>(n, static_cast<ssize_t>(data.size()))))));
      if (server) {
        name = &server->raw;
        name_len = server->len;
      }
    }
    size_t left = std::min(static_cast<size_t>(n), data.size()), off = 0;
    for (const iovec& v : r.iovs) {
      const size_t k = std::min(left, v.iov_len);
      if (k > 0) (void)write_mem(r.pid, reinterpret_cast<uint64_t>(v.iov_base), data.data() + off, k);
      off += k;
      left -= k;
    }
    if (r.name != 0) (void)write_mem(r.pid, r.name, name, std::min(name_len, r.name_cap));
    if (r.namelen_at != 0) (void)write_mem(r.pid, r.namelen_at, &name_len, sizeof name_len);
    if (r.controllen_at != 0) {
      if (m.msg_controllen > 0) (void)write_mem(r.pid, r.control, control.data(), m.msg_controllen);
      const size_t clen = m.msg_controllen;
      (void)write_mem(r.pid, r.controllen_at, &clen, sizeof clen);
    }
    if (r.msg_flags_at != 0) (void)write_mem(r.pid, r.msg_flags_at, &m.msg_flags, sizeof m.msg_flags);
    if (r.msg_len_at != 0) {
      const auto len = static_cast<unsigned>(n);
      (void)write_mem(r.pid, r.msg_len_at, &len, sizeof len);
    }
    resp.val = r.one_of_many ? 1 : n;
    (void)::ioctl(notify, SECCOMP_IOCTL_NOTIF_SEND, &resp);
    return true;
  }

 public:
  // Ends the waiting receives (their callers are gone or stay unanswered).
  void stop_waiters() {
    stopping_ = true;
    for (Waiter& w : waiters_) w.thread.join();
    waiters_.clear();
  }

 private:
  struct Waiter {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Waiter> waiters_;
  std::map<pid_t, std::pair<uint64_t, int>> tgids_;  // tid -> (start time, thread group)
  struct Caller {
    UniqueFd pidfd;  // of the thread (PIDFD_THREAD)
    ProcInfo info;
  };
  std::map<pid_t, Caller> callers_;  // by tid
  bool thread_pidfds_ = true;
  struct Described {
    std::string exe;
    std::vector<std::string> argv;
  };
  std::map<int, Described> described_;  // by thread group
  std::atomic<bool> stopping_{false};
  DnsRelay* relay_ = nullptr;
  std::mutex mu_;
  std::map<std::string, std::vector<std::string>> names_;  // address bytes -> names resolved to it, latest last

  int notify_;
  const SuperviseOptions& opt_;
  SuperviseResult* out_;
  std::map<int, UniqueFd> pidfds_;
  std::set<std::tuple<int, std::string, uint16_t, std::string>> sends_seen_;
  const int nr_connect_ = seccomp_syscall_resolve_name("connect");
  const int nr_sendto_ = seccomp_syscall_resolve_name("sendto");
  const int nr_sendmsg_ = seccomp_syscall_resolve_name("sendmsg");
  const int nr_sendmmsg_ = seccomp_syscall_resolve_name("sendmmsg");
  const int nr_recvfrom_ = seccomp_syscall_resolve_name("recvfrom");
  const int nr_recvmsg_ = seccomp_syscall_resolve_name("recvmsg");
  const int nr_recvmmsg_ = seccomp_syscall_resolve_name("recvmmsg");
};

int exit_status_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

// SIGINT and SIGQUIT reach the command (same process group); the supervisor
// outlives them to record to the end and report its exit, as time(1) does.
struct IgnoreInterrupts {
  struct sigaction old_int {}, old_quit {};
  IgnoreInterrupts() {
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    sigaction(SIGINT, &ign, &old_int);
    sigaction(SIGQUIT, &ign, &old_quit);
  }
  ~IgnoreInterrupts() {
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGQUIT, &old_quit, nullptr);
  }
};

// The tree runs as our user: while we supervise it, it must not ptrace us
// or read our memory (which a dumpable same-user process allows).
struct NotDumpable {
  int old = ::prctl(PR_GET_DUMPABLE);
  NotDumpable() { ::prctl(PR_SET_DUMPABLE, 0); }
  ~NotDumpable() {
    if (old > 0) ::prctl(PR_SET_DUMPABLE, old);
  }
};

}  // namespace

std::optional<Error> supervise(const SuperviseOptions& opt, SuperviseResult* out) {
  if (opt.argv.empty()) return Error{"", 0, 0, "no command to run"};
  if (opt.block && opt.allow == nullptr) return Error{"", 0, 0, "block mode needs an allow-list"};
  const std::string path = find_in_path(opt.argv[0]);
  if (path.empty()) return Error{opt.argv[0], 0, 0, "command not found (searched PATH)"};
  std::vector<sock_filter> prog;
  if (auto e = build_filter(&prog)) return e;
  std::vector<std::string> args = opt.argv;
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int ready[2], go[2], err[2];
  if (::pipe2(ready, O_CLOEXEC) != 0 || ::pipe2(go, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
    return Error{"", 0, 0, std::string("pipe: ") + std::strerror(errno)};
  IgnoreInterrupts quiet;
  NotDumpable guard;
  const pid_t pid = ::fork();
  if (pid < 0) return Error{"", 0, 0, std::string("fork: ") + std::strerror(errno)};
  if (pid == 0) {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGINT, &dfl, nullptr);
    sigaction(SIGQUIT, &dfl, nullptr);
    ::close(ready[0]);
    ::close(go[1]);
    ::close(err[0]);
    child(prog, path.c_str(), argv.data(), ready[1], go[0], err[1]);
  }
  ::close(ready[1]);
  ::close(go[0]);
  ::close(err[1]);
  UniqueFd ready_r(ready[0]), go_w(go[1]), err_r(err[0]);
  auto reap = [&] {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
  };
  UniqueFd pidfd(sys_pidfd_open(pid));
  int remote = -1;
  UniqueFd notify;
  if (::read(ready_r.fd, &remote, sizeof remote) == sizeof remote && pidfd.fd >= 0)
    notify.reset(sys_pidfd_getfd(pidfd.fd, remote));
  if (notify.fd < 0) {
    int child_errno = 0;
    const bool told = ::read(err_r.fd, &child_errno, sizeof child_errno) == sizeof child_errno;
    ::kill(pid, SIGKILL);
    reap();
    return Error{"", 0, 0, told ? std::string("cannot install the seccomp filter: ") + std::strerror(child_errno)
                                : std::string("cannot take the seccomp listener from the child: ") +
                                      std::strerror(errno)};
  }
  const char go_byte = 1;
  if (::write(go_w.fd, &go_byte, 1) != 1) {
    ::kill(pid, SIGKILL);
    reap();
    return Error{"", 0, 0, "the child died before running the command"};
  }
  int exec_errno = 0;
  if (::read(err_r.fd, &exec_errno, sizeof exec_errno) == sizeof exec_errno) {
    reap();
    return Error{opt.argv[0], 0, 0, std::string("cannot run: ") + std::strerror(exec_errno)};
  }

  // Linux 6.6+: the kernel switches straight to the supervisor on the
  // caller's CPU instead of waking it elsewhere, and back -- the two
  // cross-CPU wake-ups are most of a notification's cost. Older kernels
  // refuse the flag; nothing else changes.
  {
    constexpr unsigned long kSetFlags = _IOW('!', 4, __u64);  // SECCOMP_IOCTL_NOTIF_SET_FLAGS
    constexpr __u64 kSyncWakeUp = 1;                           // SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
    (void)::ioctl(notify.fd, kSetFlags, kSyncWakeUp);
  }
  Supervisor sup(notify.fd, opt, out);
  DnsRelay relay({[&sup](const RelayClient& c, const SockAddr& server, const std::string& proto,
                         const std::vector<DnsQuestion>& qs,
                         const std::string& why,
                         int64_t time_ns) { return sup.relay_question(c, server, proto, qs, why, time_ns); },
                  [&sup](const DnsAnswer& a) { sup.relay_answer(a); },
                  [&sup](const std::string& what) { sup.relay_problem(what); }});
  if (auto e = relay.start()) {
    out->unseen.push_back(e->what + ": DNS questions written with write(2) are not seen, connects are not "
                          "annotated with names");
  } else {
    sup.use_relay(&relay);
  }
  seccomp_notif* req = nullptr;
  seccomp_notif_resp* resp = nullptr;
  if (seccomp_notify_alloc(&req, &resp) != 0) {
    ::kill(pid, SIGKILL);
    reap();
    return Error{"", 0, 0, "libseccomp: cannot allocate a notification"};
  }
  std::unique_ptr<seccomp_notif, void (*)(seccomp_notif*)> own_req(req, [](seccomp_notif* r) {
    seccomp_notify_free(r, nullptr);
  });
  std::unique_ptr<seccomp_notif_resp, void (*)(seccomp_notif_resp*)> own_resp(resp, [](seccomp_notif_resp* r) {
    seccomp_notify_free(nullptr, r);
  });
  for (;;) {
    pollfd fds[2] = {{notify.fd, POLLIN, 0}, {pidfd.fd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents & POLLIN) {
      // The kernel requires a zeroed buffer on every receive.
      std::memset(req, 0, sizeof *req);
      if (::ioctl(notify.fd, SECCOMP_IOCTL_NOTIF_RECV, req) == 0) sup.handle(*req);
      continue;
    }
    if (fds[1].revents & POLLIN) break;  // the command exited
    if (fds[0].revents & (POLLHUP | POLLERR)) break;
  }
  out->exit_status = exit_status_of(reap());
  sup.stop_waiters();
  relay.stop();
  // The relay records from its own thread: one timeline.
  std::stable_sort(out->events.begin(), out->events.end(),
                   [](const Event& a, const Event& b) { return a.time_ns < b.time_ns; });
  return std::nullopt;
}

}  // namespace gv::egress
