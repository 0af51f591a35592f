// The supervisor on real processes, loopback only: what each kind of client
// does on the network is recorded with its process, block mode refuses what
// the allow-list does not name (in the caller, with EPERM), and the
// command's exit status comes through.
#include "egress/supervisor.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
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
                  std::to_string(e.port) + (e.domain.empty() ? "" : " " + e.domain + " " + e.query_type) + " " +
                  std::string(action_name(e.action)));
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
