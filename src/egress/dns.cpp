#include "egress/dns.h"

#include <fmt/format.h>

#include <array>
#include <cstring>
#include <utility>

namespace gv::egress {
namespace {

constexpr size_t kHeaderSize = 12;
constexpr size_t kMaxQuestions = 16;  // real resolvers send 1; more is a crafted message
constexpr size_t kMaxNameWire = 255;  // RFC 1035 §2.3.4, length bytes and the root's zero included
constexpr size_t kMaxLabel = 63;
constexpr int kMaxJumps = 128;
constexpr uint16_t kClassIn = 1;

uint16_t be16(std::span<const uint8_t> m, size_t at) { return static_cast<uint16_t>(m[at] << 8 | m[at + 1]); }

void put16(std::vector<uint8_t>* out, uint16_t v) {
  out->push_back(static_cast<uint8_t>(v >> 8));
  out->push_back(static_cast<uint8_t>(v & 0xff));
}

// Input runs out only at its end, so the byte that is missing is always
// msg.size(); `what` says what was being read.
std::string truncated(std::span<const uint8_t> msg, std::string_view what) {
  return fmt::format("DNS message truncated at byte {}: {}", msg.size(), what);
}

bool plain_name_byte(uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'; }

void append_label(std::span<const uint8_t> label, std::string* name) {
  if (!name->empty()) name->push_back('.');
  for (uint8_t c : label) {
    if (c >= 'A' && c <= 'Z') c = static_cast<uint8_t>(c - 'A' + 'a');
    if (plain_name_byte(c)) {
      name->push_back(static_cast<char>(c));
    } else {
      name->append(fmt::format("\\{:03d}", c));
    }
  }
}

// Reads the name at *pos into *name and moves *pos past it (past the first
// pointer when it jumps: the rest of the name lives elsewhere).
bool read_name(std::span<const uint8_t> msg, size_t* pos, std::string* name, bool* compressed, std::string* error) {
  size_t at = *pos;
  // Every jump must land strictly below the previous one (or below the name's
  // start): targets then only decrease, which rules out loops outright.
  size_t floor = at;
  size_t wire = 1;  // the root's zero byte
  int jumps = 0;
  bool jumped = false;
  name->clear();
  for (;;) {
    if (at >= msg.size()) {
      *error = truncated(msg, "name");
      return false;
    }
    const uint8_t len = msg[at];
    if (len == 0) {
      if (!jumped) *pos = at + 1;
      return true;
    }
    if ((len & 0xC0) == 0xC0) {
      if (at + 1 >= msg.size()) {
        *error = truncated(msg, "compression pointer");
        return false;
      }
      const size_t target = static_cast<size_t>(len & 0x3F) << 8 | msg[at + 1];
      if (target >= floor) {
        *error = fmt::format(
            "compression pointer at byte {} to byte {} does not point backwards (a loop or a forward reference)", at,
            target);
        return false;
      }
      if (++jumps > kMaxJumps) {
        *error = fmt::format("name at byte {} follows more than {} compression pointers", *pos, kMaxJumps);
        return false;
      }
      if (!jumped) *pos = at + 2;
      jumped = *compressed = true;
      floor = target;
      at = target;
      continue;
    }
    if (len > kMaxLabel) {  // 0x40 and 0x80: extended and reserved label types (RFC 6891 §5)
      *error = fmt::format("label length byte 0x{:02x} at byte {}: labels are at most 63 bytes", len, at);
      return false;
    }
    wire += len + 1;
    if (wire > kMaxNameWire) {
      *error = fmt::format("name at byte {} is longer than 255 bytes", *pos);
      return false;
    }
    if (at + 1 + len > msg.size()) {
      *error = truncated(msg, fmt::format("label of {} bytes at byte {}", len, at));
      return false;
    }
    append_label(msg.subspan(at + 1, len), name);
    at += 1 + len;
  }
}

struct Question {
  DnsQuestion q;
  uint16_t qclass = 0;
  bool compressed = false;  // the name uses a compression pointer
  size_t end = 0;           // offset just past the question
};

// The header and questions of a standard query.
bool parse_questions(std::span<const uint8_t> msg, std::vector<Question>* out, std::string* error) {
  if (msg.size() < kHeaderSize) {
    *error = truncated(msg, "header (12 bytes)");
    return false;
  }
  const uint8_t flags = msg[2];
  if (flags & 0x80) {
    *error = "not a query (QR=1)";
    return false;
  }
  if (const int opcode = (flags >> 3) & 0x0F; opcode != 0) {
    *error = fmt::format("opcode {} is not QUERY (0)", opcode);
    return false;
  }
  const uint16_t qdcount = be16(msg, 4);
  if (qdcount > kMaxQuestions) {
    *error = fmt::format("{} questions in one query (at most {} accepted)", qdcount, kMaxQuestions);
    return false;
  }
  size_t pos = kHeaderSize;
  for (uint16_t i = 0; i < qdcount; ++i) {
    Question q;
    if (!read_name(msg, &pos, &q.q.name, &q.compressed, error)) return false;
    if (pos + 4 > msg.size()) {
      *error = truncated(msg, "question type and class");
      return false;
    }
    q.q.type = be16(msg, pos);
    q.qclass = be16(msg, pos + 2);
    pos += 4;
    q.end = pos;
    out->push_back(std::move(q));
  }
  return true;
}

// Mnemonics by type code, both ways.
constexpr std::pair<uint16_t, std::string_view> kNames[] = {
    {1, "A"},        {2, "NS"},          {5, "CNAME"},  {6, "SOA"},     {10, "NULL"},   {11, "WKS"},
    {12, "PTR"},     {13, "HINFO"},      {15, "MX"},    {16, "TXT"},    {17, "RP"},     {18, "AFSDB"},
    {24, "SIG"},     {25, "KEY"},        {28, "AAAA"},  {29, "LOC"},    {33, "SRV"},    {35, "NAPTR"},
    {36, "KX"},      {37, "CERT"},       {39, "DNAME"}, {41, "OPT"},    {42, "APL"},    {43, "DS"},
    {44, "SSHFP"},   {45, "IPSECKEY"},   {46, "RRSIG"}, {47, "NSEC"},   {48, "DNSKEY"}, {49, "DHCID"},
    {50, "NSEC3"},   {51, "NSEC3PARAM"}, {52, "TLSA"},  {53, "SMIMEA"}, {55, "HIP"},    {59, "CDS"},
    {60, "CDNSKEY"}, {61, "OPENPGPKEY"}, {62, "CSYNC"}, {63, "ZONEMD"}, {64, "SVCB"},   {65, "HTTPS"},
    {99, "SPF"},     {249, "TKEY"},      {250, "TSIG"}, {251, "IXFR"},  {252, "AXFR"},  {253, "MAILB"},
    {254, "MAILA"},  {255, "ANY"},       {256, "URI"},  {257, "CAA"},
};

}  // namespace

std::string dns_type_name(uint16_t type) {
  for (const auto& [code, name] : kNames) {
    if (code == type) return std::string(name);
  }
  return "TYPE" + std::to_string(type);
}

uint16_t dns_type_code(std::string_view name) {
  for (const auto& [code, mnemonic] : kNames) {
    if (mnemonic == name) return code;
  }
  if (name.starts_with("TYPE") && name.size() > 4 && name.size() <= 9) {
    uint32_t n = 0;
    for (char c : name.substr(4)) {
      if (c < '0' || c > '9') return 0;
      n = n * 10 + static_cast<uint32_t>(c - '0');
    }
    if (n <= 0xFFFF) return static_cast<uint16_t>(n);
  }
  return 0;
}

bool parse_dns_query(std::span<const uint8_t> msg, std::vector<DnsQuestion>* out, std::string* error) {
  std::vector<Question> qs;
  if (!parse_questions(msg, &qs, error)) return false;
  for (Question& q : qs) out->push_back(std::move(q.q));
  return true;
}

bool parse_dns_tcp(std::span<const uint8_t> stream, std::vector<DnsQuestion>* out, size_t* consumed,
                   std::string* error) {
  *consumed = 0;
  size_t pos = 0;
  while (stream.size() - pos >= 2) {
    const size_t len = be16(stream, pos);
    if (stream.size() - pos - 2 < len) break;  // the rest has not arrived yet
    std::string why;
    if (!parse_dns_query(stream.subspan(pos + 2, len), out, &why)) {
      *error = fmt::format("DNS-over-TCP message at byte {} of the stream: {}", pos, why);
      return false;
    }
    pos += 2 + len;
    *consumed = pos;
  }
  return true;
}

std::vector<uint8_t> build_dns_query(uint16_t id, std::string_view name, uint16_t type) {
  if (name.ends_with('.')) name.remove_suffix(1);
  std::vector<uint8_t> out;
  put16(&out, id);
  put16(&out, 0x0100);  // RD
  put16(&out, 1);       // qdcount
  put16(&out, 0);
  put16(&out, 0);
  put16(&out, 0);
  size_t wire = 1;
  while (!name.empty()) {
    const size_t dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    wire += label.size() + 1;
    if (label.empty() || label.size() > kMaxLabel || wire > kMaxNameWire) return {};
    out.push_back(static_cast<uint8_t>(label.size()));
    out.insert(out.end(), label.begin(), label.end());
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
    if (name.empty()) return {};  // "a.." once the trailing dot is gone
  }
  out.push_back(0);
  put16(&out, type);
  put16(&out, kClassIn);
  return out;
}

std::vector<uint8_t> build_dns_response_a(const std::vector<uint8_t>& query, uint32_t ipv4_be) {
  std::vector<Question> qs;
  std::string error;
  if (!parse_questions(query, &qs, &error) || qs.empty()) return {};
  const Question& q = qs.front();
  // The question is echoed byte for byte; a pointer in it could only point
  // into the header, which differs in the answer. No client compresses there.
  if (q.compressed) return {};
  const bool answer = q.q.type == kDnsA && q.qclass == kClassIn;
  std::vector<uint8_t> out;
  put16(&out, be16(query, 0));
  out.push_back(static_cast<uint8_t>(0x80 | (query[2] & 0x01)));  // QR, RD copied
  out.push_back(0x80);                                            // RA, NOERROR
  put16(&out, 1);
  put16(&out, answer ? 1 : 0);
  put16(&out, 0);
  put16(&out, 0);
  out.insert(out.end(), query.begin() + kHeaderSize, query.begin() + static_cast<std::ptrdiff_t>(q.end));
  if (!answer) return out;
  put16(&out, static_cast<uint16_t>(0xC000 | kHeaderSize));  // the name: a pointer to the question's
  put16(&out, kDnsA);
  put16(&out, kClassIn);
  put16(&out, 0);  // TTL 60, 32 bits
  put16(&out, 60);
  put16(&out, 4);
  std::array<uint8_t, 4> addr;
  std::memcpy(addr.data(), &ipv4_be, 4);
  out.insert(out.end(), addr.begin(), addr.end());
  return out;
}

bool parse_dns_answer(std::span<const uint8_t> msg, DnsAnswer* out, std::string* error) {
  if (msg.size() < kHeaderSize) {
    *error = truncated(msg, "header (12 bytes)");
    return false;
  }
  if ((msg[2] & 0x80) == 0) {
    *error = "not a response (QR=0)";
    return false;
  }
  const uint16_t qdcount = be16(msg, 4), ancount = be16(msg, 6);
  if (qdcount == 0 || qdcount > kMaxQuestions) {
    *error = fmt::format("{} questions in a response", qdcount);
    return false;
  }
  DnsAnswer a;
  a.id = be16(msg, 0);
  a.rcode = msg[3] & 0x0F;
  size_t pos = kHeaderSize;
  std::string name;
  bool compressed = false;
  for (uint16_t i = 0; i < qdcount; ++i) {
    if (!read_name(msg, &pos, &name, &compressed, error)) return false;
    if (pos + 4 > msg.size()) {
      *error = truncated(msg, "question type and class");
      return false;
    }
    if (i == 0) {
      a.name = name;
      a.type = be16(msg, pos);
    }
    pos += 4;
  }
  for (uint16_t i = 0; i < ancount; ++i) {
    if (!read_name(msg, &pos, &name, &compressed, error)) return false;
    if (pos + 10 > msg.size()) {
      *error = truncated(msg, "record type, class, TTL and length");
      return false;
    }
    const uint16_t type = be16(msg, pos), cls = be16(msg, pos + 2), len = be16(msg, pos + 8);
    pos += 10;
    if (pos + len > msg.size()) {
      *error = truncated(msg, fmt::format("record data of {} bytes", len));
      return false;
    }
    if (cls == kClassIn && ((type == kDnsA && len == 4) || (type == kDnsAaaa && len == 16)))
      a.addresses.emplace_back(msg.begin() + static_cast<std::ptrdiff_t>(pos),
                               msg.begin() + static_cast<std::ptrdiff_t>(pos + len));
    pos += len;
  }
  *out = std::move(a);
  return true;
}

std::vector<uint8_t> build_dns_refused(std::span<const uint8_t> query) {
  std::vector<Question> qs;
  std::string error;
  if (!parse_questions(query, &qs, &error) || qs.empty() || qs.front().compressed) return {};
  std::vector<uint8_t> out;
  put16(&out, be16(query, 0));
  out.push_back(static_cast<uint8_t>(0x80 | (query[2] & 0x01)));  // QR, RD copied
  out.push_back(0x80 | 5);                                        // RA, REFUSED
  put16(&out, 1);
  put16(&out, 0);
  put16(&out, 0);
  put16(&out, 0);
  out.insert(out.end(), query.begin() + kHeaderSize, query.begin() + static_cast<std::ptrdiff_t>(qs.front().end));
  return out;
}

int dns_message_id(std::span<const uint8_t> msg) { return msg.size() < 2 ? -1 : be16(msg, 0); }

}  // namespace gv::egress
