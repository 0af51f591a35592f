// DNS queries come from the supervised process tree, byte for byte: parsing
// must be total (questions or a reason), stay inside the buffer, and write
// names that carry no byte outside [0-9a-z-_.] except as a \DDD escape. The
// input is read as one UDP message and as a DNS-over-TCP stream; what parses
// rebuilds to the same question and goes through the exfil heuristics.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "egress/dns.h"
#include "egress/exfil.h"

namespace {

bool clean_name(const std::string& name) {
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.') continue;
    if (c != '\\' || i + 3 >= name.size()) return false;
    for (size_t d = i + 1; d <= i + 3; ++d) {
      if (name[d] < '0' || name[d] > '9') return false;
    }
    i += 3;
  }
  return true;
}

void check(const std::vector<gv::egress::DnsQuestion>& qs) {
  std::vector<gv::egress::DnsRecord> records;
  for (const gv::egress::DnsQuestion& q : qs) {
    if (!clean_name(q.name) || q.name.size() > 4 * 255) __builtin_trap();
    records.push_back({"fuzz", 0, q.name, q.type});
    if (q.name.find('\\') != std::string::npos) continue;
    // An unescaped name is plain ASCII and rebuilds to the same question.
    std::vector<uint8_t> again = gv::egress::build_dns_query(7, q.name, q.type);
    std::vector<gv::egress::DnsQuestion> back;
    std::string error;
    if (again.empty() || !gv::egress::parse_dns_query(again, &back, &error)) __builtin_trap();
    if (back.size() != 1 || back[0].name != q.name || back[0].type != q.type) __builtin_trap();
  }
  (void)gv::egress::find_exfil(records);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An exact-size copy, so reading past the end is caught by ASan.
  const std::vector<uint8_t> msg(data, data + size);
  std::vector<gv::egress::DnsQuestion> qs;
  std::string error;
  if (gv::egress::parse_dns_query(msg, &qs, &error)) {
    if (qs.size() > 16) __builtin_trap();
    check(qs);
    std::vector<uint8_t> answer = gv::egress::build_dns_response_a(msg, 0x0100007f);
    std::vector<gv::egress::DnsQuestion> none;
    if (!answer.empty() && gv::egress::parse_dns_query(answer, &none, &error)) __builtin_trap();  // QR=1
  } else if (error.empty() || !qs.empty()) {
    __builtin_trap();
  }
  std::vector<gv::egress::DnsQuestion> tcp;
  size_t consumed = 0;
  error.clear();
  const bool ok = gv::egress::parse_dns_tcp(std::span<const uint8_t>(msg), &tcp, &consumed, &error);
  if (consumed > size || (!ok && error.empty())) __builtin_trap();
  check(tcp);
  // The same bytes as an answer (the relay reads the server's): total, and
  // every address it reports is 4 or 16 bytes.
  gv::egress::DnsAnswer answer;
  error.clear();
  if (gv::egress::parse_dns_answer(msg, &answer, &error)) {
    for (const std::vector<uint8_t>& a : answer.addresses)
      if (a.size() != 4 && a.size() != 16) __builtin_trap();
    if (!clean_name(answer.name)) __builtin_trap();
  } else if (error.empty()) {
    __builtin_trap();
  }
  (void)gv::egress::build_dns_refused(msg);
  return 0;
}
