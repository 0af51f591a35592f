// The block-mode allow-list: every endpoint form, what each one lets
// through, and that nothing gets through an empty list.
#include "egress/endpoint.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "common/temp_dir.h"

namespace gv::egress {
namespace {

using ::testing::HasSubstr;

Endpoint ok(std::string_view text) {
  Endpoint e;
  std::string error;
  EXPECT_TRUE(parse_endpoint(text, &e, &error)) << text << ": " << error;
  return e;
}

std::string bad(std::string_view text) {
  Endpoint e;
  std::string error;
  EXPECT_FALSE(parse_endpoint(text, &e, &error)) << text << " parsed as " << endpoint_str(e);
  return error;
}

// Text in, canonical text out.
std::string canon(std::string_view text) { return endpoint_str(ok(text)); }

std::vector<uint8_t> ip(const char* text) {
  std::array<uint8_t, 16> buf{};
  if (::inet_pton(AF_INET, text, buf.data()) == 1) return {buf.begin(), buf.begin() + 4};
  EXPECT_EQ(::inet_pton(AF_INET6, text, buf.data()), 1) << text;
  return {buf.begin(), buf.end()};
}

AllowList list(std::initializer_list<std::string_view> entries) {
  AllowList l;
  for (std::string_view e : entries) {
    std::string error;
    EXPECT_TRUE(l.add_text(e, &error)) << e << ": " << error;
  }
  return l;
}

bool allows(const AllowList& l, const char* addr, uint16_t port, std::vector<std::string> names = {}) {
  return l.allows_address(ip(addr), port, names);
}

TEST(ParseEndpoint, Hosts) {
  Endpoint e = ok("registry.npmjs.org");
  EXPECT_EQ(e.kind, EndpointKind::kHost);
  EXPECT_EQ(e.host, "registry.npmjs.org");
  EXPECT_EQ(e.port, 0);
  EXPECT_EQ(ok("registry.npmjs.org:443").port, 443);
  EXPECT_EQ(canon("Registry.NPMJS.org."), "registry.npmjs.org");
  EXPECT_EQ(canon("REGISTRY.npmjs.org.:443"), "registry.npmjs.org:443");
  EXPECT_EQ(canon("  localhost\t"), "localhost");
  EXPECT_EQ(canon("_dns.resolver.arpa"), "_dns.resolver.arpa");
  EXPECT_EQ(canon("xn--mnchen-3ya.de"), "xn--mnchen-3ya.de");
  EXPECT_EQ(canon("1password.com"), "1password.com");
}

TEST(ParseEndpoint, Wildcards) {
  Endpoint e = ok("*.GitHubUserContent.com");
  EXPECT_EQ(e.kind, EndpointKind::kWildcard);
  EXPECT_EQ(e.host, "githubusercontent.com");
  EXPECT_EQ(canon("*.example.com.:8443"), "*.example.com:8443");
  const std::string where = "a wildcard is only allowed as a leading '*.' ('*.example.com')";
  EXPECT_THAT(bad("*"), HasSubstr(where));
  EXPECT_THAT(bad("*."), HasSubstr(where));
  EXPECT_THAT(bad("a.*.example.com"), HasSubstr(where));
  EXPECT_THAT(bad("*.*.example.com"), HasSubstr(where));
  EXPECT_THAT(bad("*example.com"), HasSubstr(where));
  EXPECT_THAT(bad("example.*"), HasSubstr(where));
}

TEST(ParseEndpoint, Ipv4) {
  Endpoint e = ok("140.82.112.3");
  EXPECT_EQ(e.kind, EndpointKind::kAddress);
  EXPECT_EQ(e.prefix, 128);
  EXPECT_EQ(canon("140.82.112.3:443"), "140.82.112.3:443");
  EXPECT_THAT(bad("1.2.3.400"), HasSubstr("neither a valid IP address nor a host name"));
  EXPECT_THAT(bad("1.2.3"), HasSubstr("neither a valid IP address nor a host name"));
}

TEST(ParseEndpoint, Ipv6) {
  EXPECT_EQ(canon("2606:4700:0::6810:84E5"), "2606:4700::6810:84e5");
  EXPECT_EQ(canon("::1"), "::1");
  EXPECT_EQ(canon("[::1]"), "::1");
  EXPECT_EQ(canon("[::1]:443"), "[::1]:443");
  EXPECT_EQ(ok("[2001:db8::1]:8080").port, 8080);
  // IPv4-mapped is IPv4.
  EXPECT_EQ(canon("::ffff:1.2.3.4"), "1.2.3.4");
  EXPECT_EQ(canon("[::ffff:1.2.3.4]:80"), "1.2.3.4:80");
  EXPECT_EQ(ok("::ffff:1.2.3.4").addr, ok("1.2.3.4").addr);
  EXPECT_THAT(bad("[1.2.3.4]:80"), HasSubstr("unknown endpoint syntax"));
  EXPECT_THAT(bad("[::1"), HasSubstr("unknown endpoint syntax"));
  EXPECT_THAT(bad("[::1]443"), HasSubstr("unknown endpoint syntax"));
  EXPECT_THAT(bad("fe80::1%eth0"), HasSubstr("unknown endpoint syntax"));
}

TEST(ParseEndpoint, Cidr) {
  Endpoint e = ok("10.0.0.0/8");
  EXPECT_EQ(e.kind, EndpointKind::kCidr);
  EXPECT_EQ(e.prefix, 96 + 8);
  EXPECT_EQ(canon("10.0.0.0/8"), "10.0.0.0/8");
  EXPECT_EQ(canon("0.0.0.0/0"), "0.0.0.0/0");
  EXPECT_EQ(canon("192.0.2.7/32"), "192.0.2.7/32");
  EXPECT_EQ(canon("2001:DB8::/32"), "2001:db8::/32");
  EXPECT_EQ(canon("::/0"), "::/0");
  EXPECT_EQ(canon("2001:db8::1/128"), "2001:db8::1/128");
  EXPECT_EQ(canon("::ffff:10.0.0.0/104"), "10.0.0.0/8");  // mapped prefixes count IPv6 bits
  EXPECT_EQ(bad("10.1.2.3/8"), "'10.1.2.3/8' has bits set after the first 8: did you mean 10.0.0.0/8?");
  EXPECT_EQ(bad("2001:db8::1/32"), "'2001:db8::1/32' has bits set after the first 32: did you mean 2001:db8::/32?");
  EXPECT_THAT(bad("10.0.0.0/33"), HasSubstr("prefix length '33' must be 0 to 32"));
  EXPECT_THAT(bad("::/129"), HasSubstr("prefix length '129' must be 0 to 128"));
  EXPECT_THAT(bad("10.0.0.0/"), HasSubstr("prefix length '' must be 0 to 32"));
  EXPECT_THAT(bad("10.0.0.0/-1"), HasSubstr("prefix length"));
  EXPECT_THAT(bad("10.0.0.0/8:443"), HasSubstr("a CIDR block takes no port"));
  EXPECT_THAT(bad("example.com/24"), HasSubstr("'example.com' is not an IP address"));
}

TEST(ParseEndpoint, Ports) {
  EXPECT_EQ(ok("h.example:1").port, 1);
  EXPECT_EQ(ok("h.example:65535").port, 65535);
  const std::string range = "expected a number from 1 to 65535";
  EXPECT_EQ(bad("h.example:0"), "invalid port '0' in 'h.example:0': " + range);
  EXPECT_THAT(bad("h.example:65536"), HasSubstr(range));
  EXPECT_THAT(bad("h.example:http"), HasSubstr(range));
  EXPECT_THAT(bad("h.example:"), HasSubstr(range));
  EXPECT_THAT(bad("h.example:-1"), HasSubstr(range));
  EXPECT_THAT(bad("h.example:0443000"), HasSubstr(range));
  EXPECT_THAT(bad("[::1]:0"), HasSubstr(range));
  EXPECT_THAT(bad("1.2.3.4:99999"), HasSubstr(range));
}

TEST(ParseEndpoint, Errors) {
  EXPECT_EQ(bad("x:y:z"),
            "unknown endpoint syntax 'x:y:z': expected host[:port], *.domain[:port], IP[:port], [IPv6]:port or CIDR");
  EXPECT_THAT(bad(""), HasSubstr("empty endpoint"));
  EXPECT_THAT(bad("   "), HasSubstr("empty endpoint"));
  EXPECT_EQ(bad("münchen.de"),
            "non-ASCII host name 'münchen.de': internationalized names are not supported, write the xn-- form");
  EXPECT_THAT(bad("https://example.com"), HasSubstr("unknown endpoint syntax"));
  EXPECT_THAT(bad("exa mple.com"), HasSubstr("unknown endpoint syntax"));
  EXPECT_THAT(bad("a..b"), HasSubstr("a label of 0 characters"));
  EXPECT_THAT(bad(".example.com"), HasSubstr("a label of 0 characters"));
  EXPECT_THAT(bad(std::string(64, 'a') + ".com"), HasSubstr("a label of 64 characters"));
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'a') + ".";
  EXPECT_THAT(bad(long_name + "com"), HasSubstr("must be 1 to 253 characters"));
  EXPECT_THAT(bad(":443"), HasSubstr("must be 1 to 253 characters"));
}

TEST(AllowList, EmptyAllowsNothing) {
  AllowList l;
  EXPECT_TRUE(l.empty());
  EXPECT_FALSE(l.allows_name("registry.npmjs.org"));
  EXPECT_FALSE(l.allows_name("localhost"));
  EXPECT_FALSE(allows(l, "127.0.0.1", 80, {"localhost"}));
  EXPECT_FALSE(allows(l, "::1", 80));
  EXPECT_FALSE(allows(l, "10.0.0.1", 443));
  EXPECT_FALSE(allows(l, "169.254.169.254", 80));
}

TEST(AllowList, HostNames) {
  AllowList l = list({"registry.npmjs.org"});
  EXPECT_TRUE(l.allows_name("registry.npmjs.org"));
  EXPECT_TRUE(l.allows_name("REGISTRY.npmjs.ORG."));
  EXPECT_FALSE(l.allows_name("npmjs.org"));
  EXPECT_FALSE(l.allows_name("x.registry.npmjs.org"));
  EXPECT_FALSE(l.allows_name("registry.npmjs.org.evil.com"));
  EXPECT_FALSE(l.allows_name("evilregistry.npmjs.org"));
}

TEST(AllowList, WildcardsCoverSubdomainsNotTheDomain) {
  AllowList l = list({"*.example.com"});
  EXPECT_TRUE(l.allows_name("sub.example.com"));
  EXPECT_TRUE(l.allows_name("a.b.example.com"));
  EXPECT_TRUE(l.allows_name("A.Example.COM."));
  EXPECT_FALSE(l.allows_name("example.com"));
  EXPECT_FALSE(l.allows_name("badexample.com"));
  EXPECT_FALSE(l.allows_name(".example.com"));
  EXPECT_FALSE(l.allows_name("example.com.evil"));
  AllowList both = list({"*.example.com", "example.com"});
  EXPECT_TRUE(both.allows_name("example.com"));
}

TEST(AllowList, NamePorts) {
  AllowList l = list({"registry.npmjs.org:443", "*.githubusercontent.com:443"});
  // DNS (port 0): a port-limited entry still allows the lookup.
  EXPECT_TRUE(l.allows_name("registry.npmjs.org"));
  EXPECT_TRUE(l.allows_name("objects.githubusercontent.com", 0));
  EXPECT_TRUE(l.allows_name("registry.npmjs.org", 443));
  EXPECT_FALSE(l.allows_name("registry.npmjs.org", 80));
  EXPECT_TRUE(list({"registry.npmjs.org"}).allows_name("registry.npmjs.org", 80));
}

TEST(AllowList, AddressEntriesNeverAllowNames) {
  AllowList l = list({"0.0.0.0/0", "::/0", "1.2.3.4"});
  EXPECT_FALSE(l.allows_name("example.com"));
  EXPECT_FALSE(l.allows_name("1.2.3.4"));
}

TEST(AllowList, AddressesThroughTheNamesResolvedToThem) {
  AllowList l = list({"registry.npmjs.org:443", "*.githubusercontent.com"});
  EXPECT_TRUE(allows(l, "104.16.1.34", 443, {"registry.npmjs.org"}));
  EXPECT_TRUE(allows(l, "104.16.1.34", 443, {"other.example", "Registry.Npmjs.Org."}));
  EXPECT_FALSE(allows(l, "104.16.1.34", 80, {"registry.npmjs.org"}));
  EXPECT_FALSE(allows(l, "104.16.1.34", 443));
  EXPECT_FALSE(allows(l, "104.16.1.34", 443, {"npmjs.org"}));
  EXPECT_TRUE(allows(l, "2606:50c0:8000::154", 443, {"objects.githubusercontent.com"}));
  EXPECT_TRUE(allows(l, "2606:50c0:8000::154", 22, {"objects.githubusercontent.com"}));
  EXPECT_FALSE(allows(l, "2606:50c0:8000::154", 443, {"githubusercontent.com"}));
}

TEST(AllowList, AddressesAndPorts) {
  AllowList l = list({"140.82.112.3", "192.0.2.1:8080", "[2001:db8::1]:443", "2001:db8::2"});
  EXPECT_TRUE(allows(l, "140.82.112.3", 22));
  EXPECT_TRUE(allows(l, "140.82.112.3", 443));
  EXPECT_FALSE(allows(l, "140.82.112.4", 443));
  EXPECT_TRUE(allows(l, "192.0.2.1", 8080));
  EXPECT_FALSE(allows(l, "192.0.2.1", 80));
  EXPECT_FALSE(allows(l, "192.0.2.1", 0));  // port 0 is no wildcard for addresses
  EXPECT_TRUE(allows(l, "2001:db8::1", 443));
  EXPECT_FALSE(allows(l, "2001:db8::1", 80));
  EXPECT_TRUE(allows(l, "2001:db8::2", 80));
  EXPECT_FALSE(allows(l, "2001:db8::3", 80));
}

TEST(AllowList, MappedAddressesMeetIpv4Rules) {
  AllowList l = list({"1.2.3.4:443", "10.0.0.0/8"});
  EXPECT_TRUE(allows(l, "::ffff:1.2.3.4", 443));
  EXPECT_TRUE(allows(l, "::ffff:10.9.8.7", 80));
  EXPECT_FALSE(allows(l, "::ffff:11.0.0.1", 80));
  EXPECT_FALSE(allows(l, "::1.2.3.4", 443));  // IPv4-compatible (deprecated) is not IPv4
  AllowList mapped = list({"::ffff:1.2.3.4"});
  EXPECT_TRUE(allows(mapped, "1.2.3.4", 443));
}

TEST(AllowList, CidrEdges) {
  AllowList v4 = list({"192.0.2.0/24"});
  EXPECT_TRUE(allows(v4, "192.0.2.0", 1));
  EXPECT_TRUE(allows(v4, "192.0.2.255", 1));
  EXPECT_FALSE(allows(v4, "192.0.3.0", 1));
  EXPECT_FALSE(allows(v4, "192.0.1.255", 1));
  AllowList odd = list({"172.16.0.0/12"});  // not on a byte boundary
  EXPECT_TRUE(allows(odd, "172.31.255.255", 1));
  EXPECT_FALSE(allows(odd, "172.32.0.0", 1));
  EXPECT_FALSE(allows(odd, "172.15.255.255", 1));
  AllowList host = list({"192.0.2.7/32"});
  EXPECT_TRUE(allows(host, "192.0.2.7", 1));
  EXPECT_FALSE(allows(host, "192.0.2.6", 1));
  AllowList all4 = list({"0.0.0.0/0"});
  EXPECT_TRUE(allows(all4, "203.0.113.9", 1));
  EXPECT_TRUE(allows(all4, "::ffff:203.0.113.9", 1));
  EXPECT_FALSE(allows(all4, "2001:db8::1", 1));
  AllowList all = list({"::/0"});  // every address, IPv4 included
  EXPECT_TRUE(allows(all, "2001:db8::1", 1));
  EXPECT_TRUE(allows(all, "203.0.113.9", 1));
  AllowList one6 = list({"2001:db8::1/128"});
  EXPECT_TRUE(allows(one6, "2001:db8::1", 1));
  EXPECT_FALSE(allows(one6, "2001:db8::", 1));
  AllowList v6 = list({"2001:db8::/33"});
  EXPECT_TRUE(allows(v6, "2001:db8:7fff:ffff::1", 1));
  EXPECT_FALSE(allows(v6, "2001:db8:8000::", 1));
}

TEST(AllowList, LoopbackShorthand) {
  AllowList l = list({"loopback"});
  EXPECT_EQ(l.endpoints().size(), 2u);
  EXPECT_TRUE(allows(l, "127.0.0.1", 80));
  EXPECT_TRUE(allows(l, "127.255.255.254", 80));
  EXPECT_TRUE(allows(l, "::ffff:127.0.0.1", 80));
  EXPECT_TRUE(allows(l, "::1", 5432));
  EXPECT_FALSE(allows(l, "128.0.0.1", 80));
  EXPECT_FALSE(allows(l, "::2", 80));
  EXPECT_FALSE(allows(l, "10.0.0.1", 80));
  EXPECT_FALSE(l.allows_name("localhost"));  // a name needs its own entry
}

TEST(AllowList, PrivateShorthand) {
  AllowList l = list({"private"});
  for (const char* in : {"10.0.0.0", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.0.1", "192.168.255.255",
                         "169.254.169.254", "100.64.0.1", "100.127.255.255", "fc00::1", "fdff:ffff::1", "fe80::1",
                         "febf:ffff::1", "::ffff:192.168.1.1"}) {
    EXPECT_TRUE(allows(l, in, 443)) << in;
  }
  for (const char* out : {"9.255.255.255", "11.0.0.0", "172.15.255.255", "172.32.0.0", "192.167.255.255", "192.169.0.0",
                          "169.253.255.255", "100.63.255.255", "100.128.0.0", "127.0.0.1", "::1", "fe00::1", "fec0::1",
                          "2001:db8::1", "8.8.8.8"}) {
    EXPECT_FALSE(allows(l, out, 443)) << out;
  }
}

TEST(AllowList, BadAddressSizeIsRefused) {
  AllowList l = list({"::/0"});
  const std::vector<uint8_t> five = {1, 2, 3, 4, 5};
  EXPECT_FALSE(l.allows_address(five, 443, {}));
  EXPECT_FALSE(l.allows_address({}, 443, {}));
}

TEST(AllowList, AllowTextErrors) {
  AllowList l;
  std::string error;
  EXPECT_FALSE(l.add_text("loopback:80", &error));
  EXPECT_EQ(error, "'loopback:80': 'loopback' is a shorthand, written alone and in lower case (no port)");
  EXPECT_FALSE(l.add_text("Private.", &error));  // parse_endpoint reserves the names
  EXPECT_THAT(error, HasSubstr("is a shorthand"));
  EXPECT_FALSE(l.add_text("x:y:z", &error));
  EXPECT_TRUE(l.empty());
}

TEST(AllowFile, CommentsBlankLinesAndErrorsWithLineNumbers) {
  const std::string text =
      "# npm and GitHub\n"
      "registry.npmjs.org:443\n"
      "\n"
      "   *.githubusercontent.com   # release assets\n"
      "  x:y:z\n"
      "10.1.2.3/8\r\n"
      "loopback\n"
      "a.example b.example\n"
      "\t# indented comment\n"
      "github.com";
  AllowList l;
  Errors errors;
  EXPECT_FALSE(l.load_text(text, "allow.txt", &errors));
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].str(),
            "allow.txt:5:3: unknown endpoint syntax 'x:y:z': expected host[:port], *.domain[:port], IP[:port], "
            "[IPv6]:port or CIDR");
  EXPECT_EQ(errors[1].str(), "allow.txt:6:1: '10.1.2.3/8' has bits set after the first 8: did you mean 10.0.0.0/8?");
  EXPECT_EQ(errors[2].str(), "allow.txt:8:1: one endpoint per line, found 'a.example b.example'");
  // The good lines are in.
  std::vector<std::string> got;
  for (const Endpoint& e : l.endpoints()) got.push_back(endpoint_str(e));
  EXPECT_EQ(got, (std::vector<std::string>{"registry.npmjs.org:443", "*.githubusercontent.com", "127.0.0.0/8", "::1",
                                           "github.com"}));
}

TEST(AllowFile, ReadsAFile) {
  testing::TempDir dir;
  const std::string path = dir.write("allow", "registry.npmjs.org\nprivate\n");
  AllowList l;
  Errors errors;
  EXPECT_TRUE(l.load_file(path, &errors));
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(l.allows_name("registry.npmjs.org"));
  EXPECT_TRUE(allows(l, "10.0.0.1", 22));

  Errors missing;
  EXPECT_FALSE(l.load_file(dir.str() + "/nope", &missing));
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_THAT(missing[0].str(), HasSubstr("nope"));
}

TEST(AllowFile, EmptyFileIsAnEmptyList) {
  AllowList l;
  Errors errors;
  EXPECT_TRUE(l.load_text("# nothing yet\n\n", "allow", &errors));
  EXPECT_TRUE(l.empty());
}

}  // namespace
}  // namespace gv::egress
