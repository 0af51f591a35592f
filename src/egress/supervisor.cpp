#include "egress/supervisor.h"

#include <arpa/inet.h>
#include <fcntl.h>
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
#include <thread>
#include <tuple>

#include "common/fd.h"
#include "egress/dns.h"

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

// An IPv4 or IPv6 socket address, as copied from the caller.
struct Addr {
  sockaddr_storage raw{};
  socklen_t len = 0;
  std::array<uint8_t, 16> bytes{};  // 4 or 16 used
  size_t nbytes = 0;
  uint16_t port = 0;
  std::string text;
};

// nullopt for any family but AF_INET/AF_INET6 (or a short address).
std::optional<Addr> parse_sockaddr(const void* p, size_t len) {
  Addr a;
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

// The calling thread's process and parent, from /proc/TID/status: needed
// for every call (the socket is duplicated from the process). The executable
// and argv are read only when an event is recorded (describe()): most calls
// -- sends on connected streams, local sockets -- record nothing.
struct ProcInfo {
  pid_t tid = 0;
  int tgid = 0, ppid = 0;
};

ProcInfo proc_info(pid_t tid) {
  ProcInfo p{tid};
  std::ifstream status("/proc/" + std::to_string(tid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("Tgid:")) p.tgid = std::atoi(line.c_str() + 5);
    if (line.starts_with("PPid:")) p.ppid = std::atoi(line.c_str() + 5);
  }
  if (p.tgid == 0) p.tgid = tid;
  return p;
}

// The executable and argv of the calling thread, as /proc shows them now.
void describe(pid_t tid, std::string* exe, std::vector<std::string>* argv) {
  const std::string base = "/proc/" + std::to_string(tid);
  std::error_code ec;
  *exe = std::filesystem::read_symlink(base + "/exe", ec).string();
  std::ifstream cmd(base + "/cmdline", std::ios::binary);
  std::string arg;
  while (std::getline(cmd, arg, '\0')) argv->push_back(arg);
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
  for (const char* name : {"connect", "sendto", "sendmsg", "sendmmsg"}) {
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

// Runs on the poll loop's thread only (a block-mode connect's thread gets
// copies and its own listener fd), so its state needs no lock.
class Supervisor {
 public:
  Supervisor(int notify_fd, const SuperviseOptions& opt, SuperviseResult* out)
      : notify_(notify_fd), opt_(opt), out_(out) {}

  // One notification: decide, record, answer.
  void handle(const seccomp_notif& req) {
    const ProcInfo p = proc_info(static_cast<pid_t>(req.pid));
    const int nr = req.data.nr;
    if (nr == nr_connect_) return on_connect(req, p);
    if (nr == nr_sendto_) return on_sendto(req, p);
    if (nr == nr_sendmsg_) return on_sendmsg(req, p);
    if (nr == nr_sendmmsg_) return on_sendmmsg(req, p);
    respond_continue(req.id);
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
  static std::string exe_of(const ProcInfo& p) {
    std::string exe;
    std::vector<std::string> argv;
    describe(p.tid, &exe, &argv);
    return exe;
  }
  // A duplicate of the caller's socket (same open file description).
  UniqueFd dup_socket(const ProcInfo& p, uint64_t fd) {
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
  static std::optional<Addr> peer_of(int sock) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getpeername(sock, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return std::nullopt;
    return parse_sockaddr(&ss, len);
  }

  Event event(const ProcInfo& p, EventKind kind, const std::string& proto, const Addr& a) {
    Event e;
    e.time_ns = now_ns();
    e.pid = p.tgid;
    e.ppid = p.ppid;
    describe(p.tid, &e.exe, &e.argv);
    e.kind = kind;
    e.protocol = proto;
    e.address = a.text;
    e.port = a.port;
    return e;
  }
  void record(Event e) { out_->events.push_back(std::move(e)); }
  void unseen(std::string what) {
    if (std::find(out_->unseen.begin(), out_->unseen.end(), what) == out_->unseen.end())
      out_->unseen.push_back(std::move(what));
  }
  // A datagram destination is recorded once per process (a QUIC or media
  // stream sends thousands); connects are recorded every time.
  bool first_send(int tgid, const Addr& a, const std::string& proto) {
    return sends_seen_.emplace(tgid, a.text, a.port, proto).second;
  }

  bool address_allowed(const Addr& a) const {
    std::vector<std::string> names;  // names the tree resolved: with the DNS relay (docs/egress.md)
    return opt_.allow->allows_address(std::span<const uint8_t>(a.bytes.data(), a.nbytes), a.port, names);
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
  void on_connect(const seccomp_notif& req, const ProcInfo& p) {
    const uint64_t len = std::min<uint64_t>(req.data.args[2], sizeof(sockaddr_storage));
    std::array<uint8_t, sizeof(sockaddr_storage)> buf{};
    if (!read_mem(static_cast<pid_t>(req.pid), req.data.args[1], buf.data(), len)) {
      unseen("a connect whose address could not be read (pid " + std::to_string(p.tgid) + ")");
      return opt_.block ? respond_error(req.id, EFAULT) : respond_continue(req.id);
    }
    std::optional<Addr> a = parse_sockaddr(buf.data(), len);
    if (!a) return respond_continue(req.id);  // AF_UNIX, AF_UNSPEC, netlink: not egress
    UniqueFd sock = dup_socket(p, req.data.args[0]);
    if (sock.fd < 0) return opt_.block ? respond_error(req.id, EBADF) : respond_continue(req.id);
    if (!still_valid(req.id)) return;
    const std::string proto = protocol_of(sock.fd);
    Event e = event(p, EventKind::kConnect, proto, *a);
    // Port 53: what matters is the name asked, checked when it is sent.
    const bool allowed = !opt_.block || a->port == 53 || address_allowed(*a);
    e.action = allowed ? Action::kAllowed : Action::kBlocked;
    record(std::move(e));
    if (!opt_.block) return respond_continue(req.id);
    if (!allowed) return respond_error(req.id, EPERM);
    // Performed here, on the checked copy; a blocking connect may take a
    // while, so it runs on its own thread and answers when done.
    // Its own copy of the listener: the supervisor may have closed its one
    // (the command exited) by the time a slow connect returns.
    const int notify = ::fcntl(notify_, F_DUPFD_CLOEXEC, 0);
    const uint64_t id = req.id;
    std::thread([notify, id, fd = sock.release(), addr = *a] {
      const int r = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr.raw), addr.len);
      const int err = errno;
      ::close(fd);
      seccomp_notif_resp resp{};
      resp.id = id;
      resp.error = r < 0 ? -err : 0;
      if (notify >= 0) {
        (void)::ioctl(notify, SECCOMP_IOCTL_NOTIF_SEND, &resp);
        ::close(notify);
      }
    }).detach();
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
    if (to.port == 53) return dns_questions(p, s.proto, to, s.payload);
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

  // Where a send goes when it is ours to judge (and s->proto): nullopt for
  // non-IP sockets, unconnected ones (the kernel fails them), and connected
  // streams, whose peer was checked at connect -- except DNS over TCP. Known
  // before the payload is read, so a stream's data is never copied.
  std::optional<Addr> to_judge(Send* s) {
    if (!is_inet(s->sock)) return std::nullopt;
    s->proto = protocol_of(s->sock);
    std::optional<Addr> to = s->dest ? s->dest : peer_of(s->sock);
    if (to && s->proto == "tcp" && !s->dest && to->port != 53) return std::nullopt;
    return to;
  }

  // The common path of sendto, sendmsg and one sendmmsg entry, once the
  // payload is read: record, and in block mode decide.
  enum class Verdict { kContinue, kPerform, kBlock };
  Verdict decide(const ProcInfo& p, const Send& s, const Addr& to) {
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
  void on_sendto(const seccomp_notif& req, const ProcInfo& p) {
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
    finish(req.id, decide(p, s, *to), s);
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
  void on_sendmsg(const seccomp_notif& req, const ProcInfo& p) {
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
    finish(req.id, decide(p, s, *to), s);
  }

  // ---- sendmmsg(fd, msgvec, vlen, flags) -----------------------------------
  // glibc's resolver sends its A and AAAA questions in one sendmmsg.
  void on_sendmmsg(const seccomp_notif& req, const ProcInfo& p) {
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
      verdicts[i] = to ? decide(p, sends[i], *to) : Verdict::kContinue;
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

  int notify_;
  const SuperviseOptions& opt_;
  SuperviseResult* out_;
  std::map<int, UniqueFd> pidfds_;
  std::set<std::tuple<int, std::string, uint16_t, std::string>> sends_seen_;
  const int nr_connect_ = seccomp_syscall_resolve_name("connect");
  const int nr_sendto_ = seccomp_syscall_resolve_name("sendto");
  const int nr_sendmsg_ = seccomp_syscall_resolve_name("sendmsg");
  const int nr_sendmmsg_ = seccomp_syscall_resolve_name("sendmmsg");
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

  Supervisor sup(notify.fd, opt, out);
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
  return std::nullopt;
}

}  // namespace gv::egress
