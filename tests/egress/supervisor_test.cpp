// The supervisor on real processes, loopback only: what each kind of client
// does on the network is recorded with its process, block mode refuses what
// the allow-list does not name (in the caller, with EPERM), and the
// command's exit status comes through.
#include "egress/supervisor.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <poll.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include "egress/dns.h"

namespace gv::egress {
namespace {

using ::testing::HasSubstr;

// A loopback socket of `type` bound to an ephemeral port (listening for TCP).
struct Listener {
  int fd = -1;
  uint16_t port = 0;
  Listener(int type, int family = AF_INET, uint16_t want = 0) {
    fd = ::socket(family, type, 0);
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a->sin_port = htons(want);
      len = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_addr = in6addr_loopback;
      a->sin6_port = htons(want);
      len = sizeof *a;
    }
    if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
      ::close(fd);
      fd = -1;
      return;
    }
    if (type == SOCK_STREAM) ::listen(fd, 1024);  // the race test leaves 300 unaccepted
    len = sizeof ss;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port
                                   : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  }
  ~Listener() {
    if (fd >= 0) ::close(fd);
  }
};

SuperviseResult run(std::vector<std::string> argv, const AllowList* allow = nullptr) {
  SuperviseOptions opt;
  opt.argv = std::move(argv);
  opt.block = allow != nullptr;
  opt.allow = allow;
  SuperviseResult r;
  std::optional<Error> e = supervise(opt, &r);
  EXPECT_FALSE(e) << e->str();
  return r;
}

SuperviseResult python(const std::string& code, const AllowList* allow = nullptr) {
  return run({"/usr/bin/python3", "-c", code}, allow);
}

std::vector<std::string> shown(const SuperviseResult& r) {
  std::vector<std::string> out;
  for (const Event& e : r.events) {
    out.push_back(std::string(kind_name(e.kind)) + " " + e.protocol + " " + e.address + ":" +
                  std::to_string(e.port) + (e.domain.empty() ? "" : " " + e.domain) +
                  (e.query_type.empty() ? "" : " " + e.query_type) + " " + std::string(action_name(e.action)));
  }
  return out;
}

std::string p(uint16_t port) { return std::to_string(port); }

TEST(Supervise, RecordsATcpConnectWithItsProcessAndPassesTheExitStatus) {
  Listener l(SOCK_STREAM);
  SuperviseResult r = python("import socket,sys\ns=socket.create_connection(('127.0.0.1'," + p(l.port) +
                             "))\ns.close()\nsys.exit(7)");
  EXPECT_EQ(r.exit_status, 7);
  ASSERT_EQ(shown(r), std::vector<std::string>{"connect tcp 127.0.0.1:" + p(l.port) + " allowed"});
  const Event& e = r.events[0];
  EXPECT_THAT(e.exe, HasSubstr("python3"));
  EXPECT_EQ(e.argv.at(0), "/usr/bin/python3");
  EXPECT_EQ(e.ppid, ::getpid());
  EXPECT_GT(e.time_ns, 0);
}

TEST(Supervise, DatagramsAndDnsQuestionsBySendtoAndSendmsg) {
  Listener u(SOCK_DGRAM);
  const std::vector<uint8_t> q = build_dns_query(0x1234, "Example.ORG", 28);
  std::string bytes;
  for (uint8_t b : q) bytes += "\\x" + std::string(1, "0123456789abcdef"[b >> 4]) + "0123456789abcdef"[b & 15];
  SuperviseResult r = python("import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                             "s.sendto(b'hi',('127.0.0.1'," + p(u.port) + "))\n"
                             "s.sendto(b'again',('127.0.0.1'," + p(u.port) + "))\n"
                             "s.sendto(b'" + bytes + "',('127.0.0.1',53))\n"
                             "s.sendmsg([b'" + bytes.substr(0, 8) + "',b'" + bytes.substr(8) + "'],[],0,('127.0.0.1',53))\n");
  EXPECT_EQ(r.exit_status, 0);
  // The second datagram to the same place is not recorded again.
  EXPECT_EQ(shown(r), (std::vector<std::string>{"send udp 127.0.0.1:" + p(u.port) + " allowed",
                                                "dns udp 127.0.0.1:53 example.org AAAA allowed",
                                                "dns udp 127.0.0.1:53 example.org AAAA allowed"}));
}

TEST(Supervise, SeesAGrandchildThroughShAndIpv6) {
  Listener l6(SOCK_STREAM, AF_INET6);
  if (l6.fd < 0) GTEST_SKIP() << "no IPv6 loopback here";
  SuperviseResult r = run({"sh", "-c", "/usr/bin/python3 -c \"import socket\nsocket.create_connection(('::1'," +
                                           p(l6.port) + ")).close()\"; exit 3"});
  EXPECT_EQ(r.exit_status, 3);
  ASSERT_EQ(shown(r), std::vector<std::string>{"connect tcp ::1:" + p(l6.port) + " allowed"});
  EXPECT_NE(r.events[0].ppid, ::getpid());  // python's parent is the shell
}

TEST(Supervise, ThreadsAreOneTree) {
  Listener l(SOCK_STREAM);
  SuperviseResult r = python("import socket,threading\n"
                             "def go():\n  socket.create_connection(('127.0.0.1'," + p(l.port) + ")).close()\n"
                             "ts=[threading.Thread(target=go) for _ in range(8)]\n"
                             "[t.start() for t in ts]\n[t.join() for t in ts]\n");
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_EQ(r.events.size(), 8u);
}

TEST(Supervise, CurlIsSeen) {
  if (!std::filesystem::exists("/usr/bin/curl")) GTEST_SKIP() << "no curl";
  Listener l(SOCK_STREAM);
  SuperviseResult r = run({"/usr/bin/curl", "-s", "-m", "1", "http://127.0.0.1:" + p(l.port) + "/"});
  ASSERT_FALSE(r.events.empty());
  EXPECT_EQ(shown(r)[0], "connect tcp 127.0.0.1:" + p(l.port) + " allowed");
  EXPECT_THAT(r.events[0].exe, HasSubstr("curl"));
}

// A statically linked program makes the same system calls: the filter is
// in the kernel, not in a library the program could leave out.
TEST(Supervise, AStaticallyLinkedBusyboxWgetIsSeenAndBlocked) {
  if (!std::filesystem::exists("/usr/bin/busybox")) GTEST_SKIP() << "no busybox (busybox-static)";
  Listener l(SOCK_STREAM);
  // Each connection is closed at once: wget fails fast. (Its -T flag
  // crashes busybox 1.35's static build, with or without the recorder.)
  std::thread server([&] {
    const int c = ::accept(l.fd, nullptr, nullptr);
    if (c >= 0) ::close(c);
  });
  const std::vector<std::string> wget = {"/usr/bin/busybox", "wget", "-q", "-O", "/dev/null",
                                         "http://127.0.0.1:" + p(l.port) + "/"};
  SuperviseResult audit = run(wget);
  server.join();
  ASSERT_FALSE(audit.events.empty());
  EXPECT_EQ(shown(audit)[0], "connect tcp 127.0.0.1:" + p(l.port) + " allowed");
  EXPECT_THAT(audit.events[0].exe, HasSubstr("busybox"));
  AllowList allow;
  std::string why;
  ASSERT_TRUE(allow.add_text("127.0.0.2", &why)) << why;
  SuperviseResult block = run(wget, &allow);
  EXPECT_NE(block.exit_status, 0);
  EXPECT_EQ(shown(block), std::vector<std::string>{"connect tcp 127.0.0.1:" + p(l.port) + " blocked"});
}

TEST(Supervise, BlockModeRefusesWhatIsNotListedWithEperm) {
  Listener ok(SOCK_STREAM), other(SOCK_STREAM);
  AllowList allow;
  Endpoint e;
  std::string why;
  ASSERT_TRUE(parse_endpoint("127.0.0.1:" + p(ok.port), &e, &why)) << why;
  allow.add(e);
  ASSERT_TRUE(parse_endpoint("*.allowed.test", &e, &why)) << why;
  allow.add(e);
  // Exit code: 10 when the allowed connect worked, +1 when the other was
  // refused with EPERM, +2 when the blocked DNS send was refused too.
  const std::vector<uint8_t> good = build_dns_query(1, "api.allowed.test", 1);
  const std::vector<uint8_t> bad = build_dns_query(2, "c2.evil.test", 16);
  auto lit = [](const std::vector<uint8_t>& v) {
    std::string s = "bytes([";
    for (uint8_t b : v) s += std::to_string(b) + ",";
    return s + "])";
  };
  SuperviseResult r = python(
      "import socket,errno,sys\ncode=0\n"
      "socket.create_connection(('127.0.0.1'," + p(ok.port) + ")).close(); code+=10\n"
      "try:\n  socket.create_connection(('127.0.0.1'," + p(other.port) + "))\n"
      "except PermissionError: code+=1\n"
      "u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
      "u.sendto(" + lit(good) + ",('127.0.0.1',53))\n"
      "try:\n  u.sendto(" + lit(bad) + ",('127.0.0.1',53))\n"
      "except PermissionError: code+=2\n"
      "sys.exit(code)\n",
      &allow);
  EXPECT_EQ(r.exit_status, 13);
  EXPECT_EQ(shown(r), (std::vector<std::string>{"connect tcp 127.0.0.1:" + p(ok.port) + " allowed",
                                                "connect tcp 127.0.0.1:" + p(other.port) + " blocked",
                                                "dns udp 127.0.0.1:53 api.allowed.test A allowed",
                                                "dns udp 127.0.0.1:53 c2.evil.test TXT blocked"}));
}

TEST(Supervise, ABlockedDnsQuestionIsNeverSent) {
  if (::geteuid() != 0) GTEST_SKIP() << "binding port 53 needs root";
  Listener dns(SOCK_DGRAM, AF_INET, 53);
  if (dns.fd < 0) GTEST_SKIP() << "port 53 is taken here";
  AllowList allow;
  std::string why;
  ASSERT_TRUE(allow.add_text("ok.test", &why)) << why;
  // ok.test is sent (by the supervisor, from its checked copy); leak.test never is.
  SuperviseResult r = python("import socket\nu=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                             "u.sendto(bytes([0,8,1,0,0,1,0,0,0,0,0,0,2,111,107,4,116,101,115,116,0,0,1,0,1]),"
                             "('127.0.0.1',53))\n"
                             "try:\n  u.sendto(bytes([0,9,1,0,0,1,0,0,0,0,0,0,4,108,101,97,107,4,116,101,115,116,0,0,1,0,1]),"
                             "('127.0.0.1',53))\nexcept PermissionError: pass\n",
                             &allow);
  EXPECT_EQ(r.exit_status, 0);
  std::vector<uint8_t> buf(512);
  const ssize_t n = ::recv(dns.fd, buf.data(), buf.size(), MSG_DONTWAIT);
  ASSERT_GT(n, 0);
  std::vector<DnsQuestion> qs;
  ASSERT_TRUE(parse_dns_query(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)), &qs, &why)) << why;
  EXPECT_EQ(qs.at(0).name, "ok.test");
  EXPECT_LT(::recv(dns.fd, buf.data(), buf.size(), MSG_DONTWAIT), 0);  // nothing else arrived
}

TEST(Supervise, AThreadRewritingTheAddressCannotGetPastBlockMode) {
  Listener ok(SOCK_STREAM), forbidden(SOCK_STREAM);
  AllowList allow;
  std::string why;
  ASSERT_TRUE(allow.add_text("127.0.0.1:" + p(ok.port), &why)) << why;
  SuperviseResult r = run({GV_RACE_CLIENT, p(ok.port), p(forbidden.port), "300"}, &allow);
  EXPECT_EQ(r.exit_status, 0);
  size_t allowed = 0, blocked = 0;
  for (const Event& e : r.events) (e.action == Action::kAllowed ? allowed : blocked) += 1;
  EXPECT_EQ(allowed + blocked, 300u);
  EXPECT_GT(blocked, 0u);  // the flipper did win some reads: the race was real
  // Whatever was read and allowed went to the allowed port; nothing reached the other.
  int reached = 0;
  ::fcntl(forbidden.fd, F_SETFL, O_NONBLOCK);
  for (;;) {
    const int c = ::accept(forbidden.fd, nullptr, nullptr);
    if (c < 0) break;
    ++reached;
    ::close(c);
  }
  EXPECT_EQ(reached, 0);
}

// A DNS server on loopback, UDP and TCP on one ephemeral port, answering
// every A question with 127.0.0.1; it remembers the names it was asked.
struct DnsServer {
  std::unique_ptr<Listener> udp, tcp;
  std::thread thread;
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::string> asked;

  DnsServer() {
    for (int tries = 0; tries < 20 && !tcp; ++tries) {
      udp = std::make_unique<Listener>(SOCK_DGRAM);
      auto t = std::make_unique<Listener>(SOCK_STREAM, AF_INET, udp->port);
      if (t->fd >= 0) tcp = std::move(t);
    }
    thread = std::thread([this] { serve(); });
  }
  ~DnsServer() {
    stop = true;
    thread.join();
  }
  uint16_t port() const { return udp->port; }
  std::vector<std::string> names() {
    std::lock_guard lock(mu);
    return asked;
  }
  std::vector<uint8_t> answer(const std::vector<uint8_t>& q) {
    std::vector<DnsQuestion> qs;
    std::string why;
    if (parse_dns_query(q, &qs, &why) && !qs.empty()) {
      std::lock_guard lock(mu);
      asked.push_back(qs[0].name);
    }
    return build_dns_response_a(q, htonl(INADDR_LOOPBACK));
  }
  void serve() {
    while (!stop) {
      pollfd fds[2] = {{udp->fd, POLLIN, 0}, {tcp->fd, POLLIN, 0}};
      if (::poll(fds, 2, 50) <= 0) continue;
      std::vector<uint8_t> buf(4096);
      if (fds[0].revents & POLLIN) {
        sockaddr_storage from{};
        socklen_t len = sizeof from;
        const ssize_t n = ::recvfrom(udp->fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n > 0) {
          const std::vector<uint8_t> a = answer(std::vector<uint8_t>(buf.begin(), buf.begin() + n));
          ::sendto(udp->fd, a.data(), a.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
        }
      }
      if (fds[1].revents & POLLIN) {
        const int c = ::accept(tcp->fd, nullptr, nullptr);
        uint8_t hdr[2];
        if (c >= 0 && ::recv(c, hdr, 2, MSG_WAITALL) == 2) {
          const size_t len = static_cast<size_t>(hdr[0] << 8 | hdr[1]);
          std::vector<uint8_t> q(len);
          if (::recv(c, q.data(), len, MSG_WAITALL) == static_cast<ssize_t>(len)) {
            const std::vector<uint8_t> a = answer(q);
            const uint8_t out[2] = {static_cast<uint8_t>(a.size() >> 8), static_cast<uint8_t>(a.size())};
            ::send(c, out, 2, MSG_NOSIGNAL);
            ::send(c, a.data(), a.size(), MSG_NOSIGNAL);
          }
        }
        if (c >= 0) ::close(c);
      }
    }
  }
};

SuperviseResult run_dns(const DnsServer& dns, const std::string& code, const AllowList* allow = nullptr) {
  SuperviseOptions opt;
  opt.argv = {"/usr/bin/python3", "-c", code};
  opt.block = allow != nullptr;
  opt.allow = allow;
  opt.dns_port = dns.port();
  SuperviseResult r;
  std::optional<Error> e = supervise(opt, &r);
  EXPECT_FALSE(e) << e->str();
  return r;
}

std::string pylit(const std::vector<uint8_t>& v) {
  std::string s = "bytes([";
  for (uint8_t b : v) s += std::to_string(b) + ",";
  return s + "])";
}

// Go's resolver: connect a UDP socket, write(2) the question, read(2) the
// answer. seccomp cannot tell that write from a file write; the relay sees it.
TEST(Supervise, AQuestionWrittenOnAConnectedSocketIsSeenAndNamesTheConnectThatFollows) {
  DnsServer dns;
  Listener web(SOCK_STREAM);
  SuperviseResult r = run_dns(dns, "import socket,os,sys\n"
                                   "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                                   "s.connect(('127.0.0.1'," + p(dns.port()) + "))\n"
                                   "os.write(s.fileno()," + pylit(build_dns_query(7, "svc.example.test", 1)) + ")\n"
                                   "a=os.read(s.fileno(),512)\n"
                                   "ip='.'.join(str(b) for b in a[-4:])\n"
                                   "socket.create_connection((ip," + p(web.port) + ")).close()\n"
                                   "sys.exit(a[3]&15)\n");
  EXPECT_EQ(r.exit_status, 0);  // NOERROR came back through the relay
  EXPECT_EQ(shown(r), (std::vector<std::string>{
                          "connect udp 127.0.0.1:" + p(dns.port()) + " allowed",
                          "dns udp 127.0.0.1:" + p(dns.port()) + " svc.example.test A allowed",
                          "connect tcp 127.0.0.1:" + p(web.port) + " svc.example.test allowed"}));
  EXPECT_EQ(dns.names(), std::vector<std::string>{"svc.example.test"});
  EXPECT_THAT(r.events.at(1).exe, HasSubstr("python3"));
}

// glibc and c-ares drop an answer whose sender is not the server they asked:
// through the relay, recvfrom and recvmsg still name that server.
TEST(Supervise, AnswersThroughTheRelayComeFromTheServerAsked) {
  DnsServer dns;
  const std::string q = pylit(build_dns_query(9, "a.example.test", 1));
  const std::string server = "('127.0.0.1'," + p(dns.port()) + ")";
  SuperviseResult r = run_dns(dns, "import socket,sys\ncode=0\n"
                                   "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                                   "s.connect(" + server + ")\ns.send(" + q + ")\n"
                                   "a,frm=s.recvfrom(512)\n"
                                   "if frm==" + server + " and a[3]&15==0: code+=1\n"
                                   "u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                                   "u.sendto(" + q + "," + server + ")\n"
                                   "a,frm=u.recvfrom(512)\n"
                                   "if frm==" + server + ": code+=2\n"
                                   "u.sendto(" + q + "," + server + ")\n"
                                   "a,anc,fl,frm=u.recvmsg(512)\n"
                                   "if frm==" + server + " and len(a)>12: code+=4\n"
                                   "sys.exit(code)\n");
  EXPECT_EQ(r.exit_status, 7);
  EXPECT_EQ(dns.names().size(), 3u);
  size_t questions = 0;
  for (const Event& e : r.events) questions += e.kind == EventKind::kDns ? 1 : 0;
  EXPECT_EQ(questions, 3u);
}

TEST(Supervise, DnsOverTcpGoesThroughTheRelay) {
  DnsServer dns;
  Listener web(SOCK_STREAM);
  const std::vector<uint8_t> q = build_dns_query(11, "tcp.example.test", 1);
  SuperviseResult r = run_dns(dns, "import socket,sys\n"
                                   "s=socket.create_connection(('127.0.0.1'," + p(dns.port()) + "))\n"
                                   "q=" + pylit(q) + "\n"
                                   "s.sendall(bytes([0,len(q)])+q)\n"
                                   "n=s.recv(2,socket.MSG_WAITALL)\n"
                                   "a=s.recv(n[1],socket.MSG_WAITALL)\n"
                                   "ip='.'.join(str(b) for b in a[-4:])\n"
                                   "socket.create_connection((ip," + p(web.port) + ")).close()\n"
                                   "sys.exit(a[3]&15)\n");
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_EQ(shown(r), (std::vector<std::string>{
                          "connect tcp 127.0.0.1:" + p(dns.port()) + " allowed",
                          "dns tcp 127.0.0.1:" + p(dns.port()) + " tcp.example.test A allowed",
                          "connect tcp 127.0.0.1:" + p(web.port) + " tcp.example.test allowed"}));
}

// Block mode through the relay: a refused name is answered REFUSED at once
// and never reaches the server, and `host:port` allows a connect to what
// that host resolved to -- with no address entry in the list.
TEST(Supervise, BlockModeAllowsByResolvedNameAndRefusesOtherNames) {
  DnsServer dns;
  Listener web(SOCK_STREAM), other(SOCK_STREAM);
  AllowList allow;
  std::string why;
  ASSERT_TRUE(allow.add_text("svc.example.test:" + p(web.port), &why)) << why;
  SuperviseResult r = run_dns(dns, "import socket,os,sys\ncode=0\n"
                                   "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                                   "s.connect(('127.0.0.1'," + p(dns.port()) + "))\n"
                                   "os.write(s.fileno()," + pylit(build_dns_query(1, "svc.example.test", 1)) + ")\n"
                                   "a=os.read(s.fileno(),512)\n"
                                   "ip='.'.join(str(b) for b in a[-4:])\n"
                                   "socket.create_connection((ip," + p(web.port) + ")).close(); code+=1\n"
                                   "os.write(s.fileno()," + pylit(build_dns_query(2, "leak.evil.test", 16)) + ")\n"
                                   "a=os.read(s.fileno(),512)\n"
                                   "if a[3]&15==5: code+=2\n"
                                   "try:\n  socket.create_connection(('127.0.0.1'," + p(other.port) + "))\n"
                                   "except PermissionError: code+=4\n"
                                   "sys.exit(code)\n",
                              &allow);
  EXPECT_EQ(r.exit_status, 7);
  EXPECT_EQ(dns.names(), std::vector<std::string>{"svc.example.test"});  // leak.evil.test never left
  EXPECT_EQ(shown(r), (std::vector<std::string>{
                          "connect udp 127.0.0.1:" + p(dns.port()) + " allowed",
                          "dns udp 127.0.0.1:" + p(dns.port()) + " svc.example.test A allowed",
                          "connect tcp 127.0.0.1:" + p(web.port) + " svc.example.test allowed",
                          "dns udp 127.0.0.1:" + p(dns.port()) + " leak.evil.test TXT blocked",
                          "connect tcp 127.0.0.1:" + p(other.port) + " svc.example.test blocked"}));
}

// A blocking connect that does not finish at once is awaited off the poll
// loop and answered as the kernel would. A listener whose accept queue is
// full drops new SYNs, so a blocking connect to it waits until SO_SNDTIMEO
// runs out and fails with EINPROGRESS -- with the recorder as without it.
TEST(Supervise, ASlowBlockingConnectEndsAsTheKernelWouldEndIt) {
  const int l = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(l, 0), 0);
  ASSERT_EQ(::getsockname(l, reinterpret_cast<sockaddr*>(&a), &len), 0);
  std::vector<int> fill;
  for (int i = 0; i < 4; ++i) {  // fills the queue (backlog 0 takes one or two)
    const int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a);
    fill.push_back(c);
  }
  const std::string port = p(ntohs(a.sin_port));
  const std::string code =
      "import socket,struct,sys,time\n"
      "s=socket.socket(socket.AF_INET,socket.SOCK_STREAM)\n"
      "s.setsockopt(socket.SOL_SOCKET,socket.SO_SNDTIMEO,struct.pack('ll',0,300000))\n"
      "t=time.time()\n"
      "try:\n  s.connect(('127.0.0.1'," + port + ")); sys.exit(0)\n"
      "except OSError as e: sys.exit(e.errno % 200 + (50 if time.time()-t>0.25 else 0))\n";
  const int plain = ::system(("/usr/bin/python3 -c \"" + code + "\"").c_str());
  ASSERT_TRUE(WIFEXITED(plain));
  EXPECT_EQ(WEXITSTATUS(plain), EINPROGRESS % 200 + 50);  // waited, then EINPROGRESS
  AllowList allow;
  std::string why;
  ASSERT_TRUE(allow.add_text("loopback", &why)) << why;
  SuperviseResult r = python(code, &allow);
  EXPECT_EQ(r.exit_status, WEXITSTATUS(plain));
  EXPECT_EQ(shown(r), std::vector<std::string>{"connect tcp 127.0.0.1:" + port + " allowed"});
  for (int c : fill) ::close(c);
  ::close(l);
}

// The 32-bit entry of a 64-bit process: its connects are seen and judged
// like native ones (direct and through socketcall), not killed, not missed.
TEST(Supervise, ThirtyTwoBitConnectsAreSeenAndJudged) {
  Listener l(SOCK_STREAM);
  SuperviseResult audit = run({GV_COMPAT_CLIENT, p(l.port)});
  if (audit.exit_status == 3) GTEST_SKIP() << "this kernel has no 32-bit system call entry";
  EXPECT_EQ(audit.exit_status, 0);
  EXPECT_EQ(shown(audit), (std::vector<std::string>{"connect tcp 127.0.0.1:" + p(l.port) + " allowed",
                                                    "connect tcp 127.0.0.1:" + p(l.port) + " allowed"}));
  AllowList allow;
  std::string why;
  ASSERT_TRUE(allow.add_text("127.0.0.2", &why)) << why;
  SuperviseResult block = run({GV_COMPAT_CLIENT, p(l.port)}, &allow);
  EXPECT_EQ(block.exit_status, 10 + EPERM);
  EXPECT_EQ(shown(block), std::vector<std::string>{"connect tcp 127.0.0.1:" + p(l.port) + " blocked"});
}

TEST(Supervise, KilledBySignalIs128PlusIt) {
  SuperviseResult r = run({"sh", "-c", "kill -TERM $$"});
  EXPECT_EQ(r.exit_status, 128 + 15);
}

TEST(Supervise, ACommandThatDoesNotExistIsAnError) {
  SuperviseOptions opt;
  opt.argv = {"gouvernante-no-such-command"};
  SuperviseResult r;
  std::optional<Error> e = supervise(opt, &r);
  ASSERT_TRUE(e);
  EXPECT_THAT(e->str(), HasSubstr("command not found"));
}

}  // namespace
}  // namespace gv::egress
