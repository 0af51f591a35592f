// DNS exfiltration heuristics: the shapes tunnels and stealers give their
// queries are caught with the reason named, and the names a normal npm
// install asks for are not.
#include "egress/exfil.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "egress/dns.h"

namespace gv::egress {

// gtest prints a suspect this way (found by argument-dependent lookup).
void PrintTo(const ExfilSuspect& s, std::ostream* os) {
  *os << "{" << s.run_id << " " << s.parent_domain << " queries=" << s.queries << " unique=" << s.unique_subdomains
      << " max_label=" << s.max_label_length << " entropy=" << s.entropy << " reasons:";
  for (const std::string& r : s.reasons) *os << " [" << r << "]";
  *os << "}";
}

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

// What an install-time stealer gathers: tokens and the environment.
const std::string kSecret =
    "NPM_TOKEN=npm_4f8KqR2vXz9LmN3pT7sW1yB6cD0eF5gH\n"
    "GITHUB_TOKEN=ghp_16C7e42F292c6912E7710c838347Ae178B4a\n"
    "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
    "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    "HOME=/home/runner\nUSER=runner\n";

// RFC 4648 base32, lower case, no padding: what DNS tunnels use (case-blind).
std::string base32(std::string_view in) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buffer = buffer << 8 | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

std::string hex(std::string_view in) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : in) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// "<chunk>.<sequence>.<domain>", as stealers number their chunks.
std::vector<DnsRecord> chunked(const std::string& payload, size_t size, const std::string& domain,
                               uint16_t type = kDnsA, const std::string& run = "run-1") {
  std::vector<DnsRecord> out;
  for (size_t i = 0; i * size < payload.size(); ++i) {
    out.push_back({run, static_cast<int64_t>(i) * 1000,
                   payload.substr(i * size, size) + "." + std::to_string(i) + "." + domain, type});
  }
  return out;
}

std::vector<DnsRecord> operator+(std::vector<DnsRecord> a, const std::vector<DnsRecord>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The names a `npm ci` of a mid-sized web project asks for, with the native
// and browser downloads of postinstall scripts (sharp, esbuild, cypress,
// playwright, puppeteer, prisma, electron, node-gyp headers), each asked as
// A and AAAA, several times over the run.
const std::vector<std::string> kNpmInstallNames = {
    "registry.npmjs.org",
    "registry.yarnpkg.com",
    "www.npmjs.com",
    "github.com",
    "api.github.com",
    "codeload.github.com",
    "objects.githubusercontent.com",
    "raw.githubusercontent.com",
    "release-assets.githubusercontent.com",
    "pkg-containers.githubusercontent.com",
    "github-production-release-asset-2e65be.s3.amazonaws.com",
    "nodejs.org",
    "unofficial-builds.nodejs.org",
    "www.google-analytics.com",
    "fonts.googleapis.com",
    "fonts.gstatic.com",
    "storage.googleapis.com",
    "chromedriver.storage.googleapis.com",
    "edgedl.me.gvt1.com",
    "dl.google.com",
    "cdn.cypress.io",
    "download.cypress.io",
    "binaries.prisma.sh",
    "playwright.azureedge.net",
    "playwright-akamai.azureedge.net",
    "playwright-verizon.azureedge.net",
    "playwright.download.prss.microsoft.com",
    "d2l3kq9example.cloudfront.net",
    "d1x2y3z4abcdef.cloudfront.net",
    "d3rpkd0b2el7q2.cloudfront.net",
    "dt7mtclfbfy2l.cloudfront.net",
    "d1s9k3t6w8n0qe.cloudfront.net",
    "artifacts.electronjs.org",
    "electronjs.org",
    "cdn.jsdelivr.net",
    "fastly.jsdelivr.net",
    "unpkg.com",
    "o450123.ingest.sentry.io",
    "telemetry.nextjs.org",
    "sentry.io",
    "productionresultssa19.blob.core.windows.net",
    "pipelinesghubeus22.actions.githubusercontent.com",
    "api.segment.io",
    "cdn.sheetjs.com",
    "deb.nodesource.com",
};

std::vector<DnsRecord> npm_install(const std::string& run = "npm-ci") {
  std::vector<DnsRecord> out;
  int64_t t = 0;
  for (int round = 0; round < 3; ++round) {
    for (const std::string& name : kNpmInstallNames) {
      out.push_back({run, t++, name, kDnsA});
      out.push_back({run, t++, name, kDnsAaaa});
    }
  }
  return out;
}

TEST(Exfil, NormalNpmInstallIsNotFlagged) { EXPECT_THAT(find_exfil(npm_install()), IsEmpty()); }

// The DNS questions of a real `npm ci` with an empty cache, as `gouvernante
// run` recorded them (scripts/gen-egress-fixtures.sh; `net events --json`).
std::vector<DnsRecord> recorded_npm_ci() {
  std::ifstream in(std::string(GV_SOURCE_DIR) + "/tests/egress/testdata/npm-ci-dns.json");
  const nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  std::vector<DnsRecord> out;
  if (!doc.is_object() || !doc.contains("events")) return out;
  int64_t t = 0;
  for (const nlohmann::json& e : doc["events"]) {
    if (e.value("kind", "") != "dns") continue;
    out.push_back({e.value("run_id", ""), t++, e.value("domain", ""), dns_type_code(e.value("query_type", ""))});
  }
  return out;
}

TEST(Exfil, RecordedNpmCiIsNotFlagged) {
  const std::vector<DnsRecord> npm = recorded_npm_ci();
  ASSERT_THAT(npm, Not(IsEmpty())) << "tests/egress/testdata/npm-ci-dns.json is missing or has no DNS events";
  EXPECT_TRUE(std::any_of(npm.begin(), npm.end(), [](const DnsRecord& r) { return r.name == "registry.npmjs.org"; }));
  EXPECT_THAT(find_exfil(npm), IsEmpty());

  // The same run with a stealer's burst: 40 names of 32 base32 characters
  // under one domain of its own, among the registry's questions.
  std::string secret;
  for (int i = 0; i < 4; ++i) secret += kSecret;
  std::vector<DnsRecord> burst = chunked(base32(secret), 32, "x.exfil-collector.net", kDnsA, npm[0].run_id);
  ASSERT_GE(burst.size(), 40u);
  burst.resize(40);
  std::vector<ExfilSuspect> s = find_exfil(npm + burst);
  ASSERT_THAT(s, SizeIs(1));
  EXPECT_EQ(s[0].run_id, npm[0].run_id);
  EXPECT_EQ(s[0].parent_domain, "exfil-collector.net");
  EXPECT_EQ(s[0].queries, 40u);
  EXPECT_EQ(s[0].unique_subdomains, 40u);
}

TEST(Exfil, SearchListExpansionsAreFoldedIntoTheirName) {
  // A Kubernetes pod (ndots:5) asks every name with each search suffix first.
  std::vector<DnsRecord> records;
  int64_t t = 0;
  for (const std::string& name : kNpmInstallNames) {
    for (const char* suffix : {".ci.svc.cluster.local", ".svc.cluster.local", ".cluster.local", ""}) {
      records.push_back({"k8s", t++, name + suffix, kDnsA});
      records.push_back({"k8s", t++, name + suffix, kDnsAaaa});
    }
  }
  EXPECT_THAT(find_exfil(records), IsEmpty());
  // The expansions are counted as queries of the name they expand.
  ExfilThresholds low;
  low.unique_subdomains = 2;
  std::vector<ExfilSuspect> s = find_exfil(records, low);
  auto github = std::find_if(s.begin(), s.end(), [](const ExfilSuspect& x) { return x.parent_domain == "github.com"; });
  ASSERT_NE(github, s.end());
  EXPECT_EQ(github->queries, 3u * 8u);
  EXPECT_EQ(github->unique_subdomains, 2u);  // api. and codeload.
  EXPECT_TRUE(
      std::none_of(s.begin(), s.end(), [](const ExfilSuspect& x) { return x.parent_domain == "cluster.local"; }));
}

TEST(Exfil, Base32ChunksOfASecret) {
  std::vector<ExfilSuspect> s = find_exfil(chunked(base32(kSecret), 40, "x.exfil-collector.net"));
  ASSERT_THAT(s, SizeIs(1));
  EXPECT_EQ(s[0].run_id, "run-1");
  EXPECT_EQ(s[0].parent_domain, "exfil-collector.net");
  EXPECT_EQ(s[0].queries, 10u);  // 373 characters: 9 chunks of 40 and one of 13
  EXPECT_EQ(s[0].unique_subdomains, 10u);
  EXPECT_EQ(s[0].max_label_length, 40u);
  EXPECT_GT(s[0].entropy, 3.9);
  ASSERT_THAT(s[0].reasons, SizeIs(1));
  EXPECT_THAT(s[0].reasons[0],
              StartsWith("9 high-entropy labels (20+ characters at 3.8+ bits/character, hex at 2.0+; max 4."));
  EXPECT_THAT(s[0].samples, SizeIs(5));
  EXPECT_EQ(s[0].samples[0], base32(kSecret).substr(0, 40) + ".0.x.exfil-collector.net");
}

TEST(Exfil, FullLengthLabelsAsTunnelsSendThem) {
  std::vector<ExfilSuspect> s = find_exfil(chunked(base32(kSecret), 63, "t.example.com", kDnsTxt));
  ASSERT_THAT(s, SizeIs(1));
  EXPECT_EQ(s[0].max_label_length, 63u);
  EXPECT_THAT(s[0].reasons, ElementsAre("6 labels of 50+ characters (max 63)", StartsWith("6 high-entropy labels")));
}

TEST(Exfil, HexChunksOfASecret) {
  // Hex of text spreads over few digits (2.1 to 2.7 bits per character).
  for (size_t size : {20, 24, 32, 40}) {
    std::vector<ExfilSuspect> s = find_exfil(chunked(hex(kSecret), size, "cdn-metrics.io"));
    ASSERT_THAT(s, SizeIs(1)) << size;
    EXPECT_THAT(s[0].reasons, ElementsAre(HasSubstr("high-entropy labels"))) << size;
  }
}

TEST(Exfil, Base64UrlChunks) {
  // base64url, lower-cased by the trip through DNS, '-' and '_' included.
  const std::string b64 = "wjalrxutnfemi-k7mdeng_bpxrficyexamplekeyzxhhbxbszs1rzxktaw4tytewmdvszxjlz2ltzw50cy1pcy1ub3q";
  std::vector<ExfilSuspect> s = find_exfil(chunked(b64, 32, "a.b.sync-service.co.uk"));
  ASSERT_THAT(s, SizeIs(1));
  EXPECT_EQ(s[0].parent_domain, "sync-service.co.uk");
  // The first chunk's '-' leaves runs of 13 and 18 characters: too short to judge.
  EXPECT_THAT(s[0].reasons, ElementsAre(StartsWith("2 high-entropy labels")));
}

TEST(Exfil, ManyUniqueSubdomains) {
  std::vector<DnsRecord> records;
  for (int i = 0; i < 100; ++i)
    records.push_back({"r", i, "s" + std::to_string(i * 7919 % 1000) + ".beacon.example", kDnsA});
  std::vector<ExfilSuspect> s = find_exfil(records);
  ASSERT_THAT(s, SizeIs(1));
  EXPECT_EQ(s[0].parent_domain, "beacon.example");
  EXPECT_EQ(s[0].unique_subdomains, 100u);
  EXPECT_THAT(s[0].reasons, ElementsAre("100 unique subdomains in one run (30+)"));
  EXPECT_THAT(s[0].samples, ElementsAre("s0.beacon.example", "s919.beacon.example", "s838.beacon.example",
                                        "s757.beacon.example", "s676.beacon.example"));
}

TEST(Exfil, UniqueSubdomainThresholdIsInclusive) {
  auto names = [](int n) {
    std::vector<DnsRecord> records;
    for (int i = 0; i < n; ++i) records.push_back({"r", i, "n" + std::to_string(i) + ".example.org", kDnsA});
    records.push_back({"r", n, "example.org", kDnsA});  // the parent itself is no subdomain
    return records;
  };
  EXPECT_THAT(find_exfil(names(29)), IsEmpty());
  std::vector<ExfilSuspect> s = find_exfil(names(30));
  ASSERT_THAT(s, SizeIs(1));
  EXPECT_EQ(s[0].queries, 31u);
  EXPECT_EQ(s[0].unique_subdomains, 30u);
}

TEST(Exfil, TxtAndNullBursts) {
  std::vector<DnsRecord> records;
  for (int i = 0; i < 6; ++i) records.push_back({"r", i, "cmd.c2.example", kDnsTxt});
  for (int i = 0; i < 3; ++i) records.push_back({"r", 10 + i, "c2.example", kDnsNull});
  EXPECT_THAT(find_exfil(records), IsEmpty());  // 9
  records.push_back({"r", 20, "C2.Example.", kDnsNull});
  std::vector<ExfilSuspect> s = find_exfil(records);
  ASSERT_THAT(s, SizeIs(1));
  EXPECT_EQ(s[0].parent_domain, "c2.example");
  EXPECT_EQ(s[0].queries, 10u);
  EXPECT_EQ(s[0].unique_subdomains, 1u);
  EXPECT_THAT(s[0].reasons, ElementsAre("10 TXT/NULL queries in one run (10+)"));
  EXPECT_THAT(s[0].samples, ElementsAre("cmd.c2.example", "c2.example"));
}

TEST(Exfil, OneRandomLookingNameIsOrdinary) {
  const std::string id = base32("an account id, 24 bytes");
  std::vector<DnsRecord> one = {{"r", 0, id + ".assets.example.net", kDnsA},
                                {"r", 1, id + ".assets.example.net", kDnsAaaa}};
  EXPECT_THAT(find_exfil(one), IsEmpty());
  one.push_back({"r", 2, base32("a second id, also random") + ".assets.example.net", kDnsA});
  std::vector<ExfilSuspect> s = find_exfil(one);
  ASSERT_THAT(s, SizeIs(1));
  EXPECT_THAT(s[0].reasons, ElementsAre(StartsWith("2 high-entropy labels")));
}

TEST(Exfil, HyphenatedWordsAreNotEntropy) {
  std::vector<DnsRecord> records;
  for (const char* n :
       {"my-loadbalancer-1234567890.eu-west-1.elb.example.com", "internal-my-internal-elb-123456789.example.com",
        "actions-results-receiver-production.example.com", "vuln-report-prod-1234567.example.com"}) {
    records.push_back({"r", 0, n, kDnsA});
  }
  EXPECT_THAT(find_exfil(records), IsEmpty());
}

TEST(Exfil, GroupsPerRun) {
  std::vector<DnsRecord> records;
  for (int i = 0; i < 40; ++i)
    records.push_back({i % 2 ? "b" : "a", i, "h" + std::to_string(i) + ".example.com", kDnsA});
  EXPECT_THAT(find_exfil(records), IsEmpty());  // 20 and 20
  std::vector<ExfilSuspect> s =
      find_exfil(chunked(base32(kSecret), 40, "z.example", kDnsA, "run-2") +
                 chunked(base32(kSecret), 40, "y.example", kDnsA, "run-1") + npm_install("run-1"));
  ASSERT_THAT(s, SizeIs(2));
  EXPECT_EQ(s[0].run_id, "run-1");
  EXPECT_EQ(s[0].parent_domain, "y.example");
  EXPECT_EQ(s[1].run_id, "run-2");
  EXPECT_EQ(s[1].parent_domain, "z.example");
}

TEST(Exfil, SamplesPutFlaggedNamesFirst) {
  std::vector<DnsRecord> records;
  for (int i = 0; i < 35; ++i) records.push_back({"r", i, "w" + std::to_string(i) + ".evil.example", kDnsA});
  records = records + chunked(base32(kSecret), 60, "evil.example", kDnsA, "r");
  std::vector<ExfilSuspect> s = find_exfil(records);
  ASSERT_THAT(s, SizeIs(1));
  ASSERT_THAT(s[0].samples, SizeIs(5));
  for (const std::string& n : s[0].samples) EXPECT_GT(n.size(), 60u) << n;
  EXPECT_THAT(s[0].reasons, ElementsAre(StartsWith("6 labels of 50+"), StartsWith("6 high-entropy"),
                                        "42 unique subdomains in one run (30+)"));
}

TEST(Exfil, EscapedBytesCountOnce) {
  // A label of 50 raw 0xff bytes, as parse_dns_query writes it.
  std::string label;
  for (int i = 0; i < 50; ++i) label += "\\255";
  std::vector<ExfilSuspect> s = find_exfil({{"r", 0, label + ".bin.example", kDnsA}});
  ASSERT_THAT(s, SizeIs(1));
  EXPECT_EQ(s[0].max_label_length, 50u);
  EXPECT_THAT(s[0].reasons, ElementsAre("1 label of 50+ characters (max 50)"));
  EXPECT_EQ(s[0].entropy, 0.0);
}

TEST(Exfil, CustomThresholds) {
  ExfilThresholds t;
  t.long_label = 30;
  std::vector<ExfilSuspect> s = find_exfil({{"r", 0, std::string(35, 'a') + ".example.com", kDnsA}}, t);
  ASSERT_THAT(s, SizeIs(1));
  EXPECT_THAT(s[0].reasons, ElementsAre("1 label of 30+ characters (max 35)"));
}

TEST(Exfil, EmptyAndRootNames) {
  EXPECT_THAT(find_exfil({}), IsEmpty());
  EXPECT_THAT(find_exfil({{"r", 0, "", kDnsNull}, {"r", 0, ".", kDnsNull}}), IsEmpty());
}

TEST(RegistrableDomain, BuiltInSuffixes) {
  EXPECT_EQ(registrable_domain("registry.npmjs.org"), "npmjs.org");
  EXPECT_EQ(registrable_domain("a.b.c.example.com."), "example.com");
  EXPECT_EQ(registrable_domain("Example.COM"), "example.com");
  EXPECT_EQ(registrable_domain("npmjs.org"), "npmjs.org");
  EXPECT_EQ(registrable_domain("localhost"), "localhost");
  EXPECT_EQ(registrable_domain(""), "");
  EXPECT_EQ(registrable_domain("www.bbc.co.uk"), "bbc.co.uk");
  EXPECT_EQ(registrable_domain("co.uk"), "co.uk");
  EXPECT_EQ(registrable_domain("x.co.uk"), "x.co.uk");
  EXPECT_EQ(registrable_domain("a.b.example.com.au"), "example.com.au");
  EXPECT_EQ(registrable_domain("d2l3kq9example.cloudfront.net"), "d2l3kq9example.cloudfront.net");
  EXPECT_EQ(registrable_domain("x.d2l3kq9example.cloudfront.net"), "d2l3kq9example.cloudfront.net");
  EXPECT_EQ(registrable_domain("bucket.s3.amazonaws.com"), "bucket.s3.amazonaws.com");  // longest suffix wins
  EXPECT_EQ(registrable_domain("s3.amazonaws.com"), "s3.amazonaws.com");
  EXPECT_EQ(registrable_domain("ec2.compute.amazonaws.com"), "compute.amazonaws.com");
  EXPECT_EQ(registrable_domain("user.github.io"), "user.github.io");
  EXPECT_EQ(registrable_domain("objects.githubusercontent.com"), "objects.githubusercontent.com");
  EXPECT_EQ(registrable_domain("notgithub.io"), "notgithub.io");  // a suffix matches whole labels only
  EXPECT_EQ(registrable_domain("a.notgithub.io"), "notgithub.io");
  EXPECT_EQ(registrable_domain("a.herokuapp.com"), "a.herokuapp.com");
  EXPECT_EQ(registrable_domain("x.productionresultssa0.blob.core.windows.net"),
            "productionresultssa0.blob.core.windows.net");
  EXPECT_FALSE(public_suffixes().empty());
}

TEST(ShannonEntropy, BitsPerCharacter) {
  EXPECT_EQ(shannon_entropy(""), 0.0);
  EXPECT_EQ(shannon_entropy("aaaa"), 0.0);
  EXPECT_DOUBLE_EQ(shannon_entropy("ab"), 1.0);
  EXPECT_DOUBLE_EQ(shannon_entropy("abcd"), 2.0);
  EXPECT_DOUBLE_EQ(shannon_entropy("0123456789abcdef"), 4.0);
  EXPECT_NEAR(shannon_entropy("aab"), 0.9183, 1e-4);
}

}  // namespace
}  // namespace gv::egress
