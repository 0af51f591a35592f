// DNS queries on the wire (RFC 1035 §4), as a supervised process tree sends
// them: the question names and types of a UDP datagram or of a DNS-over-TCP
// stream. Only queries are read (QR=0, opcode QUERY); answers, authority and
// additional records (an EDNS OPT, say) are left unread.
//
// Every byte is attacker-chosen: names may use compression pointers (RFC 1035
// §4.1.4), which are followed only backwards, strictly below the previous
// jump (so they cannot loop, RFC 9267 §2), at most 128 times, and within the
// 255-byte name limit. A name comes out lower-cased with bytes outside
// [0-9a-z-_] written as \DDD (decimal, as dig prints them): a label cannot
// smuggle a dot, a quote or a control character into a log line or a report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gv::egress {

// The query types the egress layer reasons about (IANA "Resource Record (RR)
// TYPEs"); dns_type_name knows more.
inline constexpr uint16_t kDnsA = 1;
inline constexpr uint16_t kDnsNull = 10;
inline constexpr uint16_t kDnsTxt = 16;
inline constexpr uint16_t kDnsAaaa = 28;
inline constexpr uint16_t kDnsAny = 255;

struct DnsQuestion {
  std::string name;  // "www.example.com", "" for the root; hostile bytes as \DDD
  uint16_t type = 0;
};

// "A", "AAAA", "TXT", ...; "TYPE<n>" for a type without a mnemonic (RFC 3597 §5).
std::string dns_type_name(uint16_t type);
// The inverse: the code of "A", "TXT", "TYPE1234"...; 0 for an unknown name.
uint16_t dns_type_code(std::string_view name);

// Parses one DNS message that must be a standard query and appends its
// questions to *out (at most 16: real resolvers send one). On failure returns
// false, leaves *out as it was and sets *error ("DNS message truncated at
// byte 17: question type and class", "not a query (QR=1)").
bool parse_dns_query(std::span<const uint8_t> msg, std::vector<DnsQuestion>* out, std::string* error);

// DNS over TCP (RFC 1035 §4.2.2, RFC 7766): messages each preceded by a
// 2-byte big-endian length. Parses the complete messages at the front of
// `stream`, appending their questions to *out; *consumed is the bytes they
// took. A partial message at the end is not an error: *consumed stops before
// it and the caller keeps those bytes for the next read. On a bad message
// returns false with *error naming its offset; *consumed stops before it and
// *out holds the questions of the messages before it.
bool parse_dns_tcp(std::span<const uint8_t> stream, std::vector<DnsQuestion>* out, size_t* consumed,
                   std::string* error);

// A standard query for `name` ("example.com", a trailing dot allowed, "" or
// "." for the root), recursion desired, class IN. The name's bytes are used
// as they are (no \DDD decoding). Empty when the name cannot be encoded: an
// empty label ("a..b"), a label over 63 bytes, or over 255 bytes in all.
std::vector<uint8_t> build_dns_query(uint16_t id, std::string_view name, uint16_t type);

// A minimal answer to `query`, for loopback test servers: same id, QR=1, RD
// copied, RA=1, NOERROR, the first question echoed, and, when that question
// asks for an A record (class IN), one A record pointing at `ipv4_be` (the
// address in network byte order, as in struct in_addr) with a TTL of 60.
// Other types get an answer with no records (NODATA), which is what a real
// server says about a name with only an A record. Empty when `query` is not a
// query parse_dns_query accepts, has no question, or compresses the first
// question's name (it would point into the header, which the answer rewrites).
std::vector<uint8_t> build_dns_response_a(const std::vector<uint8_t>& query, uint32_t ipv4_be);

// What an answer says, as far as attributing connections goes: the name
// asked and the IPv4 and IPv6 addresses among its answer records (whatever
// owner name they carry: a CNAME chain ends at addresses of another name,
// but they are what the asked name resolved to).
struct DnsAnswer {
  uint16_t id = 0;
  std::string name;  // the first question's, as parse_dns_query writes names
  uint16_t type = 0;
  uint8_t rcode = 0;
  std::vector<std::vector<uint8_t>> addresses;  // 4 or 16 bytes each, network order
};

// Parses a response (QR=1) with at least one question. Records other than A
// and AAAA of class IN are skipped; a record that runs past the end is an
// error (the answer is not trusted for any of its addresses).
bool parse_dns_answer(std::span<const uint8_t> msg, DnsAnswer* out, std::string* error);

// REFUSED (RCODE 5) for `query`, with its first question echoed so that
// resolvers which match answers to questions (glibc, c-ares) take it and
// fail at once instead of waiting. Empty when `query` is not a query
// parse_dns_query accepts, has no question, or compresses its name.
std::vector<uint8_t> build_dns_refused(std::span<const uint8_t> query);

// The message id (first two bytes), or -1 for a message shorter than that.
int dns_message_id(std::span<const uint8_t> msg);

}  // namespace gv::egress
