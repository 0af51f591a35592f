// DNS queries as clients put them on the wire, written out byte by byte, and
// the hostile variants a process tree could send instead.
#include "egress/dns.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gv::egress {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Bytes = std::vector<uint8_t>;

// `dig example.com A` (BIND 9.18): id 0x3a7c, flags 0x0120 (RD, AD), one
// question, one additional record: the EDNS OPT (UDP size 1232) carrying a
// client COOKIE.
const Bytes kDigExampleA = {
    0x3a, 0x7c, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,        // header
    0x07, 'e',  'x',  'a',  'm',  'p',  'l',  'e',  0x03, 'c',  'o',  'm',  0x00,  // example.com
    0x00, 0x01, 0x00, 0x01,                                                        // A, IN
    0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c,              // OPT
    0x00, 0x0a, 0x00, 0x08, 0x6a, 0x3b, 0x11, 0xe4, 0x09, 0x5c, 0x2d, 0x71,        // COOKIE
};
constexpr size_t kDigQuestionEnd = 29;

// glibc's stub resolver asking for AAAA: flags 0x0100 (RD), no EDNS.
const Bytes kGlibcAaaa = {
    0xb2, 0x19, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // header
    0x08, 'r',  'e',  'g',  'i',  's',  't',  'r',  'y',                     // registry
    0x05, 'n',  'p',  'm',  'j',  's',                                       // npmjs
    0x03, 'o',  'r',  'g',  0x00,                                            // org
    0x00, 0x1c, 0x00, 0x01,                                                  // AAAA, IN
};

// Two questions, the second compressed against the first: www.example.com A
// and mail + (pointer to "example.com" at byte 16) MX.
const Bytes kCompressed = {
    0x00, 0x01, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // header
    0x03, 'w',  'w',  'w',  0x07, 'e',  'x',  'a',  'm',  'p',  'l',  'e',   // www.example
    0x03, 'c',  'o',  'm',  0x00, 0x00, 0x01, 0x00, 0x01,                    // .com A IN
    0x04, 'm',  'a',  'i',  'l',  0xc0, 0x10, 0x00, 0x0f, 0x00, 0x01,        // mail.(16) MX IN
};

Bytes header(uint16_t qdcount, uint8_t flags_hi = 0x01) {
  const auto hi = static_cast<uint8_t>(qdcount >> 8), lo = static_cast<uint8_t>(qdcount);
  return {0x12, 0x34, flags_hi, 0x00, hi, lo, 0, 0, 0, 0, 0, 0};
}

void append(Bytes* b, const Bytes& more) { b->insert(b->end(), more.begin(), more.end()); }

Bytes label(size_t n, uint8_t fill = 'a') {
  Bytes b(n + 1, fill);
  b[0] = static_cast<uint8_t>(n);
  return b;
}

const Bytes kTypeAIn = {0x00, 0x01, 0x00, 0x01};

struct Parsed {
  bool ok = false;
  std::vector<DnsQuestion> qs;
  std::string error;
};

Parsed parse(const Bytes& msg) {
  Parsed p;
  p.ok = parse_dns_query(msg, &p.qs, &p.error);
  return p;
}

MATCHER_P2(Question, name, type, "") { return arg.name == name && arg.type == type; }

TEST(DnsQuery, DigExampleComA) {
  Parsed p = parse(kDigExampleA);
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_THAT(p.qs, ElementsAre(Question("example.com", kDnsA)));
}

TEST(DnsQuery, GlibcAaaa) {
  Parsed p = parse(kGlibcAaaa);
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_THAT(p.qs, ElementsAre(Question("registry.npmjs.org", kDnsAaaa)));
}

TEST(DnsQuery, TxtAndNull) {
  Parsed txt = parse(build_dns_query(9, "_dmarc.example.org", kDnsTxt));
  ASSERT_TRUE(txt.ok) << txt.error;
  EXPECT_THAT(txt.qs, ElementsAre(Question("_dmarc.example.org", 16)));
  Parsed null = parse(build_dns_query(9, "t.example.org.", kDnsNull));
  ASSERT_TRUE(null.ok) << null.error;
  EXPECT_THAT(null.qs, ElementsAre(Question("t.example.org", 10)));
}

TEST(DnsQuery, CompressionPointerToAnEarlierName) {
  Parsed p = parse(kCompressed);
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_THAT(p.qs, ElementsAre(Question("www.example.com", 1), Question("mail.example.com", 15)));
}

TEST(DnsQuery, RootName) {
  Bytes m = header(1);
  append(&m, {0x00, 0x00, 0x02, 0x00, 0x01});  // . NS
  Parsed p = parse(m);
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_THAT(p.qs, ElementsAre(Question("", 2)));
}

TEST(DnsQuery, PointerToItselfIsALoop) {
  Bytes m = header(1);
  append(&m, {0xc0, 0x0c});
  append(&m, kTypeAIn);
  Parsed p = parse(m);
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.error,
            "compression pointer at byte 12 to byte 12 does not point backwards (a loop or a forward reference)");
}

TEST(DnsQuery, PointerBackToTheStartOfItsOwnNameIsALoop) {
  Bytes m = header(1);
  append(&m, {0x01, 'a', 0xc0, 0x0c});  // a, then back to a: a.a.a.a...
  append(&m, kTypeAIn);
  Parsed p = parse(m);
  EXPECT_FALSE(p.ok);
  EXPECT_THAT(p.error, HasSubstr("at byte 14 to byte 12 does not point backwards"));
}

TEST(DnsQuery, TwoPointersTakingTurnsAreALoop) {
  // Question 2 jumps back into question 1, whose own pointer jumps forward.
  Bytes m = header(2);
  append(&m, {0xc0, 0x11});  // byte 12: to 17, forward
  append(&m, kTypeAIn);
  append(&m, {0xc0, 0x0c});  // byte 18... never reached: question 1 fails first
  append(&m, kTypeAIn);
  Parsed p = parse(m);
  EXPECT_FALSE(p.ok);
  EXPECT_THAT(p.error, HasSubstr("compression pointer at byte 12 to byte 17"));
}

TEST(DnsQuery, ForwardPointer) {
  Bytes m = header(1);
  append(&m, {0xc0, 0x12});  // to byte 18, where a valid name waits
  append(&m, kTypeAIn);
  append(&m, {0x01, 'x', 0x00});
  Parsed p = parse(m);
  EXPECT_FALSE(p.ok);
  EXPECT_THAT(p.error, HasSubstr("to byte 18 does not point backwards"));
}

// A chain of pointers, each two bytes below the next, hidden in the contents
// of long labels (any bytes may be a label's content). The first pointer
// lands on the root name of question 1.
Bytes pointer_chain(size_t follow) {
  Bytes m = header(4);
  append(&m, {0x00});  // question 1: the root, byte 12
  append(&m, kTypeAIn);
  std::vector<size_t> pointers;
  size_t target = 12;
  for (int q = 0; q < 2; ++q) {  // questions 2 and 3: three labels of 62 bytes each
    for (int l = 0; l < 3; ++l) {
      m.push_back(62);
      for (int k = 0; k < 31; ++k) {
        pointers.push_back(m.size());
        m.push_back(static_cast<uint8_t>(0xc0 | target >> 8));
        m.push_back(static_cast<uint8_t>(target & 0xff));
        target = pointers.back();
      }
    }
    m.push_back(0);
    append(&m, kTypeAIn);
  }
  const size_t start = pointers.at(follow - 1);  // question 4 enters the chain here
  append(&m, {static_cast<uint8_t>(0xc0 | start >> 8), static_cast<uint8_t>(start & 0xff)});
  append(&m, kTypeAIn);
  return m;
}

TEST(DnsQuery, PointerChainsAreCappedAt128Jumps) {
  Parsed ok = parse(pointer_chain(127));  // 127 in the chain + question 4's own = 128
  ASSERT_TRUE(ok.ok) << ok.error;
  ASSERT_EQ(ok.qs.size(), 4u);
  EXPECT_EQ(ok.qs[3].name, "");
  Parsed p = parse(pointer_chain(128));
  EXPECT_FALSE(p.ok);
  EXPECT_THAT(p.error, HasSubstr("follows more than 128 compression pointers"));
}

TEST(DnsQuery, LabelOf63IsTheLongest) {
  Bytes m = header(1);
  append(&m, label(63));
  append(&m, {0x00});
  append(&m, kTypeAIn);
  Parsed p = parse(m);
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.qs.at(0).name, std::string(63, 'a'));

  Bytes bad = header(1);
  append(&bad, label(64));
  append(&bad, {0x00});
  append(&bad, kTypeAIn);
  Parsed q = parse(bad);
  EXPECT_FALSE(q.ok);
  EXPECT_EQ(q.error, "label length byte 0x40 at byte 12: labels are at most 63 bytes");
}

TEST(DnsQuery, NameOf255BytesIsTheLongest) {
  Bytes m = header(1);
  for (int i = 0; i < 3; ++i) append(&m, label(63));
  append(&m, label(61));  // 3 * 64 + 62 + the root = 255
  append(&m, {0x00});
  append(&m, kTypeAIn);
  Parsed p = parse(m);
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.qs.at(0).name.size(), 253u);

  Bytes bad = header(1);
  for (int i = 0; i < 3; ++i) append(&bad, label(63));
  append(&bad, label(62));
  append(&bad, {0x00});
  append(&bad, kTypeAIn);
  Parsed q = parse(bad);
  EXPECT_FALSE(q.ok);
  EXPECT_EQ(q.error, "name at byte 12 is longer than 255 bytes");
}

TEST(DnsQuery, CompressedNamesCountTowardTheLimitToo) {
  // Question 1 is 4 labels (254 bytes); question 2 adds one label in front.
  Bytes m = header(2);
  for (int i = 0; i < 3; ++i) append(&m, label(63));
  append(&m, label(60));
  append(&m, {0x00});
  append(&m, kTypeAIn);
  append(&m, {0x01, 'x', 0xc0, 0x0c});
  append(&m, kTypeAIn);
  Parsed p = parse(m);
  EXPECT_FALSE(p.ok);
  EXPECT_THAT(p.error, HasSubstr("is longer than 255 bytes"));
}

TEST(DnsQuery, OnlyStandardQueries) {
  Bytes answer = kDigExampleA;
  answer[2] |= 0x80;
  EXPECT_EQ(parse(answer).error, "not a query (QR=1)");
  Bytes update = kDigExampleA;
  update[2] = (5 << 3);  // opcode UPDATE
  EXPECT_EQ(parse(update).error, "opcode 5 is not QUERY (0)");
  Bytes notify = kDigExampleA;
  notify[2] = (4 << 3) | 0x01;
  EXPECT_FALSE(parse(notify).ok);
}

TEST(DnsQuery, QuestionCount) {
  Parsed none = parse(header(0));
  EXPECT_TRUE(none.ok) << none.error;
  EXPECT_TRUE(none.qs.empty());

  Bytes many = header(17);
  for (int i = 0; i < 17; ++i) {
    append(&many, {0x00});
    append(&many, kTypeAIn);
  }
  EXPECT_EQ(parse(many).error, "17 questions in one query (at most 16 accepted)");
  Bytes sixteen = header(16);
  for (int i = 0; i < 16; ++i) {
    append(&sixteen, {0x00});
    append(&sixteen, kTypeAIn);
  }
  EXPECT_EQ(parse(sixteen).qs.size(), 16u);

  Bytes short_count = header(2);  // says two questions, carries one
  append(&short_count, {0x00});
  append(&short_count, kTypeAIn);
  EXPECT_EQ(parse(short_count).error, "DNS message truncated at byte 17: name");
}

TEST(DnsQuery, EveryTruncationIsAnErrorNamingTheByte) {
  for (const Bytes* msg : {&kDigExampleA, &kGlibcAaaa, &kCompressed}) {
    const size_t question_end = msg == &kDigExampleA ? kDigQuestionEnd : msg->size();
    for (size_t n = 0; n <= msg->size(); ++n) {
      const Bytes prefix(msg->begin(), msg->begin() + static_cast<std::ptrdiff_t>(n));
      std::vector<DnsQuestion> qs;
      std::string error;
      const bool ok = parse_dns_query(prefix, &qs, &error);
      if (n < question_end) {
        EXPECT_FALSE(ok) << n;
        EXPECT_THAT(error, HasSubstr("truncated at byte " + std::to_string(n))) << n;
        EXPECT_TRUE(qs.empty()) << n;
      } else {
        EXPECT_TRUE(ok) << n << ": " << error;  // the OPT record is not read
      }
    }
  }
}

TEST(DnsQuery, TruncationMessagesSayWhatWasBeingRead) {
  auto cut = [](const Bytes& m, size_t n) {
    return parse(Bytes(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(n))).error;
  };
  EXPECT_EQ(cut(kDigExampleA, 5), "DNS message truncated at byte 5: header (12 bytes)");
  EXPECT_EQ(cut(kDigExampleA, 15), "DNS message truncated at byte 15: label of 7 bytes at byte 12");
  EXPECT_EQ(cut(kDigExampleA, 27), "DNS message truncated at byte 27: question type and class");
  EXPECT_EQ(cut(kCompressed, 39), "DNS message truncated at byte 39: compression pointer");
}

TEST(DnsQuery, FailureLeavesEarlierQuestionsAlone) {
  std::vector<DnsQuestion> qs = {{"kept.example", 1}};
  std::string error;
  EXPECT_FALSE(parse_dns_query(Bytes(kCompressed.begin(), kCompressed.end() - 1), &qs, &error));
  EXPECT_THAT(qs, ElementsAre(Question("kept.example", 1)));
  EXPECT_TRUE(parse_dns_query(kGlibcAaaa, &qs, &error));
  EXPECT_THAT(qs, ElementsAre(Question("kept.example", 1), Question("registry.npmjs.org", 28)));
}

TEST(DnsQuery, NamesAreLowerCased) {
  Parsed p = parse(build_dns_query(1, "ReGiStRy.NPMJS.org", kDnsA));  // resolvers randomize case (DNS 0x20)
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.qs.at(0).name, "registry.npmjs.org");
}

TEST(DnsQuery, HostileBytesAreEscaped) {
  Bytes m = header(1);
  append(&m, {0x0b, 'a', '.', 'b', '"', '\n', 0x00, 0xff, ' ', '\\', 'Z', '_'});
  append(&m, {0x03, 'c', '-', '9', 0x00});
  append(&m, kTypeAIn);
  Parsed p = parse(m);
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.qs.at(0).name, "a\\046b\\034\\010\\000\\255\\032\\092z_.c-9");
}

TEST(DnsTcp, TwoMessagesAndTheStartOfAThird) {
  Bytes stream;
  for (const Bytes* m : {&kDigExampleA, &kGlibcAaaa}) {
    stream.push_back(static_cast<uint8_t>(m->size() >> 8));
    stream.push_back(static_cast<uint8_t>(m->size()));
    append(&stream, *m);
  }
  const size_t two = stream.size();
  const Bytes third = build_dns_query(3, "github.com", kDnsA);
  stream.push_back(0);
  stream.push_back(static_cast<uint8_t>(third.size()));
  append(&stream, Bytes(third.begin(), third.begin() + 10));

  std::vector<DnsQuestion> qs;
  size_t consumed = 0;
  std::string error;
  ASSERT_TRUE(parse_dns_tcp(stream, &qs, &consumed, &error)) << error;
  EXPECT_EQ(consumed, two);
  EXPECT_THAT(qs, ElementsAre(Question("example.com", 1), Question("registry.npmjs.org", 28)));

  // The caller keeps the tail and appends what arrives next.
  Bytes rest(stream.begin() + static_cast<std::ptrdiff_t>(consumed), stream.end());
  append(&rest, Bytes(third.begin() + 10, third.end()));
  qs.clear();
  ASSERT_TRUE(parse_dns_tcp(rest, &qs, &consumed, &error)) << error;
  EXPECT_EQ(consumed, rest.size());
  EXPECT_THAT(qs, ElementsAre(Question("github.com", 1)));
}

TEST(DnsTcp, PartialLengthPrefixAndEmptyStream) {
  std::vector<DnsQuestion> qs;
  size_t consumed = 99;
  std::string error;
  EXPECT_TRUE(parse_dns_tcp(Bytes{}, &qs, &consumed, &error));
  EXPECT_EQ(consumed, 0u);
  EXPECT_TRUE(parse_dns_tcp(Bytes{0x00}, &qs, &consumed, &error));
  EXPECT_EQ(consumed, 0u);
  EXPECT_TRUE(qs.empty());
}

TEST(DnsTcp, BadMessageNamesItsOffset) {
  Bytes stream = {0x00, static_cast<uint8_t>(kGlibcAaaa.size())};
  append(&stream, kGlibcAaaa);
  append(&stream, {0x00, 0x02, 0xab, 0xcd});  // a 2-byte "message"
  std::vector<DnsQuestion> qs;
  size_t consumed = 0;
  std::string error;
  EXPECT_FALSE(parse_dns_tcp(stream, &qs, &consumed, &error));
  EXPECT_EQ(consumed, kGlibcAaaa.size() + 2);
  EXPECT_EQ(error, "DNS-over-TCP message at byte 38 of the stream: DNS message truncated at byte 2: header (12 bytes)");
  EXPECT_THAT(qs, ElementsAre(Question("registry.npmjs.org", 28)));
}

TEST(DnsTypeCode, InvertsTheNameForEveryType) {
  for (uint32_t t = 1; t <= 0xFFFF; ++t) {
    ASSERT_EQ(dns_type_code(dns_type_name(static_cast<uint16_t>(t))), t) << dns_type_name(static_cast<uint16_t>(t));
  }
  EXPECT_EQ(dns_type_code("nope"), 0);
  EXPECT_EQ(dns_type_code("TYPE70000"), 0);
  EXPECT_EQ(dns_type_code("TYPEx"), 0);
}

TEST(DnsTypeName, MnemonicsAndRfc3597) {
  EXPECT_EQ(dns_type_name(1), "A");
  EXPECT_EQ(dns_type_name(28), "AAAA");
  EXPECT_EQ(dns_type_name(16), "TXT");
  EXPECT_EQ(dns_type_name(10), "NULL");
  EXPECT_EQ(dns_type_name(33), "SRV");
  EXPECT_EQ(dns_type_name(41), "OPT");
  EXPECT_EQ(dns_type_name(64), "SVCB");
  EXPECT_EQ(dns_type_name(65), "HTTPS");
  EXPECT_EQ(dns_type_name(252), "AXFR");
  EXPECT_EQ(dns_type_name(255), "ANY");
  EXPECT_EQ(dns_type_name(257), "CAA");
  EXPECT_EQ(dns_type_name(0), "TYPE0");
  EXPECT_EQ(dns_type_name(65280), "TYPE65280");
}

TEST(BuildDnsQuery, MatchesWhatResolversSend) {
  const Bytes q = build_dns_query(0xb219, "registry.npmjs.org", kDnsAaaa);
  EXPECT_EQ(q, kGlibcAaaa);
  EXPECT_EQ(build_dns_query(0xb219, "registry.npmjs.org.", kDnsAaaa), kGlibcAaaa);
}

TEST(BuildDnsQuery, RootAndUnencodableNames) {
  Parsed root = parse(build_dns_query(1, ".", kDnsA));
  ASSERT_TRUE(root.ok);
  EXPECT_THAT(root.qs, ElementsAre(Question("", 1)));
  EXPECT_EQ(build_dns_query(1, "", kDnsA), build_dns_query(1, ".", kDnsA));
  EXPECT_TRUE(build_dns_query(1, "a..b", kDnsA).empty());
  EXPECT_TRUE(build_dns_query(1, ".a", kDnsA).empty());
  EXPECT_TRUE(build_dns_query(1, "a..", kDnsA).empty());
  EXPECT_TRUE(build_dns_query(1, std::string(64, 'x') + ".com", kDnsA).empty());
  EXPECT_FALSE(build_dns_query(1, std::string(63, 'x') + ".com", kDnsA).empty());
  std::string long_name;
  for (int i = 0; i < 4; ++i) long_name += std::string(63, 'x') + ".";
  EXPECT_TRUE(build_dns_query(1, long_name, kDnsA).empty());
}

TEST(BuildDnsResponse, OneARecordForAnAQuestion) {
  const Bytes r = build_dns_response_a(kDigExampleA, 0x0100007f);  // 127.0.0.1 as stored in memory on little-endian
  const Bytes head = {0x3a, 0x7c, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00};
  ASSERT_EQ(r.size(), 12u + 17u + 16u);
  EXPECT_EQ(Bytes(r.begin(), r.begin() + 12), head);
  EXPECT_EQ(Bytes(r.begin() + 12, r.begin() + 29), Bytes(kDigExampleA.begin() + 12, kDigExampleA.begin() + 29));
  uint32_t be = 0x0100007f;
  const auto* addr = reinterpret_cast<const uint8_t*>(&be);
  const Bytes answer = {0xc0, 0x0c, 0x00, 0x01, 0x00,    0x01,    0x00,    0x00,
                        0x00, 0x3c, 0x00, 0x04, addr[0], addr[1], addr[2], addr[3]};
  EXPECT_EQ(Bytes(r.begin() + 29, r.end()), answer);
  std::vector<DnsQuestion> qs;
  std::string error;
  EXPECT_FALSE(parse_dns_query(r, &qs, &error));
  EXPECT_EQ(error, "not a query (QR=1)");
}

TEST(BuildDnsResponse, NoRecordsForOtherTypesAndNothingForNonQueries) {
  const Bytes r = build_dns_response_a(kGlibcAaaa, 0x0100007f);
  ASSERT_EQ(r.size(), kGlibcAaaa.size());
  EXPECT_EQ(r[2], 0x81);
  EXPECT_EQ(r[7], 0x00);  // ancount 0: NODATA
  EXPECT_TRUE(build_dns_response_a(header(0), 1).empty());
  EXPECT_TRUE(build_dns_response_a(Bytes(kDigExampleA.begin(), kDigExampleA.begin() + 20), 1).empty());
  const Bytes r2 = build_dns_response_a(kDigExampleA, 1);
  EXPECT_TRUE(build_dns_response_a(r2, 1).empty());
}

TEST(ParseDnsAnswer, ReadsTheQuestionAndItsAddresses) {
  Bytes r = build_dns_response_a(kDigExampleA, 0x0100007f);
  DnsAnswer a;
  std::string error;
  ASSERT_TRUE(parse_dns_answer(r, &a, &error)) << error;
  EXPECT_EQ(a.id, 0x3a7c);
  EXPECT_EQ(a.name, "example.com");
  EXPECT_EQ(a.type, kDnsA);
  EXPECT_EQ(a.rcode, 0);
  ASSERT_EQ(a.addresses.size(), 1u);
  EXPECT_EQ(a.addresses[0], (Bytes{127, 0, 0, 1}));
  // A CNAME, then an AAAA record of the target: the address is the asked name's.
  Bytes q = build_dns_query(5, "www.example.org", kDnsAaaa);
  Bytes m = q;
  m[2] = 0x81;
  m[3] = 0x80;
  m[7] = 2;  // ancount
  const Bytes cname = {0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6, 3, 'c', 'd', 'n', 0xc0, 0x10};
  m.insert(m.end(), cname.begin(), cname.end());
  const Bytes aaaa = {0xc0, 0x21, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  m.insert(m.end(), aaaa.begin(), aaaa.end());
  ASSERT_TRUE(parse_dns_answer(m, &a, &error)) << error;
  EXPECT_EQ(a.name, "www.example.org");
  ASSERT_EQ(a.addresses.size(), 1u);
  EXPECT_EQ(a.addresses[0].size(), 16u);
  EXPECT_EQ(a.addresses[0][0], 0x20);
}

TEST(ParseDnsAnswer, RefusesQueriesAndTruncatedRecords) {
  DnsAnswer a;
  std::string error;
  EXPECT_FALSE(parse_dns_answer(kDigExampleA, &a, &error));
  EXPECT_EQ(error, "not a response (QR=0)");
  const Bytes r = build_dns_response_a(kDigExampleA, 0x0100007f);
  for (size_t cut = 0; cut < r.size(); ++cut) {
    error.clear();
    EXPECT_FALSE(parse_dns_answer(Bytes(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(cut)), &a, &error))
        << cut;
    EXPECT_FALSE(error.empty());
  }
}

TEST(BuildDnsRefused, EchoesTheQuestionWithRcode5) {
  const Bytes r = build_dns_refused(kDigExampleA);
  ASSERT_EQ(r.size(), 12u + 17u);
  EXPECT_EQ(r[0], kDigExampleA[0]);
  EXPECT_EQ(r[1], kDigExampleA[1]);
  EXPECT_EQ(r[2] & 0x80, 0x80);  // QR
  EXPECT_EQ(r[3] & 0x0f, 5);     // REFUSED
  DnsAnswer a;
  std::string error;
  ASSERT_TRUE(parse_dns_answer(r, &a, &error)) << error;
  EXPECT_EQ(a.name, "example.com");
  EXPECT_EQ(a.rcode, 5);
  EXPECT_TRUE(a.addresses.empty());
  EXPECT_TRUE(build_dns_refused(header(0)).empty());
  EXPECT_TRUE(build_dns_refused(r).empty());  // an answer is not refused again
  EXPECT_EQ(dns_message_id(r), 0x3a7c);
  EXPECT_EQ(dns_message_id(Bytes{1}), -1);
}

}  // namespace
}  // namespace gv::egress
