// Destinations, baselines, anomalies and search matching over hand-made
// events (egress/queries.h): no store, no processes.
#include "egress/queries.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gv::egress {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Event dns(const std::string& name, int64_t t = 0) {
  Event e;
  e.kind = EventKind::kDns;
  e.protocol = "udp";
  e.address = "127.0.0.53";
  e.port = 53;
  e.domain = name;
  e.query_type = "A";
  e.time_ns = t;
  return e;
}

Event connect(const std::string& address, uint16_t port, const std::string& domain = "", int64_t t = 0) {
  Event e;
  e.kind = EventKind::kConnect;
  e.protocol = "tcp";
  e.address = address;
  e.port = port;
  e.domain = domain;
  e.time_ns = t;
  return e;
}

TEST(DestinationOf, IsTheNameWhenKnownElseAddressAndPort) {
  EXPECT_EQ(destination_of(dns("Registry.NPMJS.org.")), "registry.npmjs.org");
  EXPECT_EQ(destination_of(connect("104.16.1.1", 443, "registry.npmjs.org")), "registry.npmjs.org");
  EXPECT_EQ(destination_of(connect("140.82.112.3", 443)), "140.82.112.3:443");
  EXPECT_EQ(destination_of(connect("2606:4700::1", 443)), "[2606:4700::1]:443");
}

TEST(Baseline, CountsRunsKindsAndTimesPerDestination) {
  const std::vector<RunEvents> runs = {
      {"r1", {dns("registry.npmjs.org", 10), connect("104.16.1.1", 443, "registry.npmjs.org", 11)}},
      {"r2", {dns("registry.npmjs.org", 20), dns("REGISTRY.npmjs.org", 21), connect("140.82.112.3", 443, "", 22)}},
      {"r3", {}},  // an offline run: no destinations, still a run
  };
  const std::vector<BaselineEntry> b = baseline(runs);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].destination, "140.82.112.3:443");  // sorted bytewise
  EXPECT_EQ(b[0].runs, 1u);
  EXPECT_THAT(b[0].kinds, ElementsAre("connect"));
  EXPECT_EQ(b[1].destination, "registry.npmjs.org");
  EXPECT_EQ(b[1].runs, 2u);  // three DNS questions and a connect in two runs
  EXPECT_THAT(b[1].kinds, ElementsAre("connect", "dns"));
  EXPECT_EQ(b[1].first_seen_ns, 10);
  EXPECT_EQ(b[1].last_seen_ns, 21);
  EXPECT_TRUE(baseline({}).empty());
}

TEST(Anomalies, AreTheDestinationsTheBaselineNeverReachedOnceEach) {
  const std::vector<RunEvents> earlier = {{"r1", {dns("registry.npmjs.org"), connect("140.82.112.3", 443)}},
                                          {"r2", {dns("registry.npmjs.org")}}};
  Event first = dns("x.evil.example", 5);
  first.exe = "/usr/bin/node";
  first.argv = {"node", "install.js"};
  const RunEvents latest{"r3",
                         {dns("registry.npmjs.org", 1), connect("140.82.112.3", 443, "", 2), first,
                          dns("x.evil.example", 6), connect("203.0.113.7", 8000, "", 7)}};
  const std::vector<Anomaly> a = anomalies(latest, baseline(earlier));
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].destination, "x.evil.example");
  EXPECT_EQ(a[0].event.time_ns, 5);  // the first event that reached it
  EXPECT_EQ(a[0].event.exe, "/usr/bin/node");
  EXPECT_THAT(a[0].event.argv, ElementsAre("node", "install.js"));
  EXPECT_EQ(a[1].destination, "203.0.113.7:8000");
  // Without a baseline every destination is new.
  EXPECT_EQ(anomalies(latest, {}).size(), 4u);
}

TEST(ParseSearchQuery, TakesADomainOrAnAddress) {
  Endpoint e;
  std::string why;
  ASSERT_TRUE(parse_search_query("Evil.Example.", &e, &why)) << why;
  EXPECT_EQ(e.kind, EndpointKind::kHost);
  EXPECT_EQ(e.host, "evil.example");
  ASSERT_TRUE(parse_search_query("203.0.113.7:443", &e, &why)) << why;
  EXPECT_EQ(e.kind, EndpointKind::kAddress);
  EXPECT_EQ(e.port, 443);
  ASSERT_TRUE(parse_search_query("[2001:DB8:0::1]:8080", &e, &why)) << why;
  EXPECT_EQ(endpoint_str(e), "[2001:db8::1]:8080");
  ASSERT_TRUE(parse_search_query("2001:db8::1", &e, &why)) << why;
  EXPECT_EQ(e.port, 0);
}

TEST(ParseSearchQuery, RefusesWhatIsNeitherADomainNorAnIp) {
  auto refused = [](const std::string& q, const std::string& says) {
    Endpoint e;
    std::string why;
    EXPECT_FALSE(parse_search_query(q, &e, &why)) << q;
    EXPECT_THAT(why, HasSubstr(says)) << q;
  };
  refused("not a domain", "neither a domain nor an IP address");
  refused("", "neither a domain nor an IP address");
  refused("evil.example:443", "takes no port");
  refused("*.evil.example", "no wildcard needed");
  refused("10.0.0.0/8", "neither a domain nor an IP address");
  refused("https://evil.example/x", "neither a domain nor an IP address");
  refused("1.2.3.400", "its last label is a number");
  refused("1.2.3.4:99999", "invalid port");
}

TEST(SearchMatches, ADomainMatchesItselfAndItsSubdomainsOnNamedEvents) {
  Endpoint t;
  std::string why, dest;
  ASSERT_TRUE(parse_search_query("evil.example", &t, &why));
  EXPECT_TRUE(search_matches(t, dns("EVIL.example."), &dest));
  EXPECT_EQ(dest, "evil.example");
  EXPECT_TRUE(search_matches(t, dns("a.b.Evil.Example"), &dest));
  EXPECT_EQ(dest, "a.b.evil.example");
  EXPECT_TRUE(search_matches(t, connect("203.0.113.7", 443, "cdn.evil.example"), &dest));
  EXPECT_FALSE(search_matches(t, dns("notevil.example"), &dest));
  EXPECT_FALSE(search_matches(t, dns("evil.example.org"), &dest));
  EXPECT_FALSE(search_matches(t, connect("203.0.113.7", 443), &dest));  // no name known
}

TEST(SearchMatches, AnAddressMatchesExactlyWithItsPortWhenGiven) {
  Endpoint t;
  std::string why, dest;
  ASSERT_TRUE(parse_search_query("203.0.113.7:8000", &t, &why));
  EXPECT_TRUE(search_matches(t, connect("203.0.113.7", 8000), &dest));
  EXPECT_EQ(dest, "203.0.113.7:8000");
  EXPECT_FALSE(search_matches(t, connect("203.0.113.7", 443), &dest));
  EXPECT_FALSE(search_matches(t, connect("203.0.113.70", 8000), &dest));
  ASSERT_TRUE(parse_search_query("203.0.113.7", &t, &why));
  EXPECT_TRUE(search_matches(t, connect("203.0.113.7", 443), &dest));
  EXPECT_FALSE(search_matches(t, dns("anything.example"), &dest));  // asked of another address
  ASSERT_TRUE(parse_search_query("2001:0db8:0000::0001", &t, &why));
  EXPECT_TRUE(search_matches(t, connect("2001:db8::1", 443), &dest));
  EXPECT_EQ(dest, "[2001:db8::1]:443");
  ASSERT_TRUE(parse_search_query("::ffff:203.0.113.7", &t, &why));
  EXPECT_TRUE(search_matches(t, connect("203.0.113.7", 443), &dest));
}

TEST(ParseNetworkIndicator, ReadsEveryDocumentedForm) {
  auto read = [](const std::string& v) {
    Endpoint e;
    std::string why;
    EXPECT_TRUE(parse_network_indicator(v, &e, &why)) << v << ": " << why;
    return endpoint_str(e);
  };
  EXPECT_EQ(read("142.11.206.73"), "142.11.206.73");
  EXPECT_EQ(read("142.11.206.73:8000"), "142.11.206.73:8000");
  EXPECT_EQ(read("[2001:db8::1]:443"), "[2001:db8::1]:443");
  EXPECT_EQ(read("2001:db8::1"), "2001:db8::1");
  EXPECT_EQ(read("203.0.113.0/24"), "203.0.113.0/24");
  EXPECT_EQ(read("Evil.Example"), "evil.example");
  EXPECT_EQ(read("*.evil.example"), "evil.example");           // the domain and below
  EXPECT_EQ(read("sfrclak.com:8000"), "sfrclak.com");          // a domain's port is ignored
  EXPECT_EQ(read("webhook.site/bb8ca5f6-4175-45d2-b042-fc9ebb8170b7"), "webhook.site");
  EXPECT_EQ(read("https://user@evil.example:8443/payload.sh?x=1"), "evil.example");
  EXPECT_EQ(read("http://203.0.113.7:8000/6202033"), "203.0.113.7:8000");
  EXPECT_EQ(read("  evil.example  "), "evil.example");
}

TEST(ParseNetworkIndicator, SaysWhyAValueCannotBeRead) {
  auto unread = [](const std::string& v, const std::string& says) {
    Endpoint e;
    std::string why;
    EXPECT_FALSE(parse_network_indicator(v, &e, &why)) << v;
    EXPECT_THAT(why, HasSubstr(says)) << v;
  };
  unread("", "no value");
  unread("evil example", "is not an address, address:port, CIDR block, domain or URL");
  unread("10.1.2.3/8", "did you mean 10.0.0.0/8");
  unread("évil.example", "non-ASCII");
}

TEST(SearchMatches, ACidrBlockFromARuleMatchesItsAddresses) {
  Endpoint t;
  std::string why, dest;
  ASSERT_TRUE(parse_network_indicator("203.0.113.0/24", &t, &why)) << why;
  EXPECT_TRUE(search_matches(t, connect("203.0.113.99", 22), &dest));
  EXPECT_FALSE(search_matches(t, connect("203.0.114.1", 22), &dest));
  ASSERT_TRUE(parse_network_indicator("sfrclak.com:8000", &t, &why)) << why;
  EXPECT_TRUE(search_matches(t, dns("sfrclak.com"), &dest));  // the DNS question, on port 53
}

}  // namespace
}  // namespace gv::egress
