// npm cache (cacache) index-v5 bucket lines and the keys in them: parsing is
// total (an entry or a reason) whatever the bucket holds. A fuzzer rarely
// forges a sha1, so each line is parsed as written (the hash check) and again
// with the true sha1 of its JSON in front, which reaches the JSON reading and
// the key classification; the raw line is classified as a key as well.
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "scan/installed_reader.h"

namespace {

namespace in = gv::installed;

std::string sha1_hex(std::string_view text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(text.data(), text.size(), md, &len, EVP_sha1(), nullptr) != 1) __builtin_trap();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 0xf];
  }
  return out;
}

void classify(std::string_view key) {
  std::string name, version, why;
  switch (in::classify_cacache_key(key, &name, &version, &why)) {
    case in::CacacheKeyKind::kTarball:
      if (!in::plausible_package_name(name) || version.empty() || version[0] < '0' || version[0] > '9')
        __builtin_trap();
      break;
    case in::CacacheKeyKind::kBadTarball:
      if (why.empty()) __builtin_trap();
      break;
    case in::CacacheKeyKind::kMetadata:
    case in::CacacheKeyKind::kOther: break;
  }
}

// An entry has a key; a refusal says why.
void parse(std::string_view line, bool hash_ok) {
  std::string why;
  std::optional<in::CacacheLine> e = in::parse_cacache_line(line, &why);
  if (!e) {
    if (why.empty()) __builtin_trap();
    if (hash_ok && why.starts_with("corrupt")) __builtin_trap();
    return;
  }
  if (e->key.empty()) __builtin_trap();
  classify(e->key);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An exact-size copy per line, so reading past the end is caught by ASan.
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (size_t pos = 0; pos <= text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string line(text.substr(pos, end - pos));
    pos = end + 1;
    if (line.empty()) continue;
    parse(line, false);
    const size_t tab = line.find('\t');
    const std::string json = tab == std::string::npos ? line : line.substr(tab + 1);
    parse(sha1_hex(json) + "\t" + json, json.find('\t') == std::string::npos);
    classify(line);
  }
  return 0;
}
