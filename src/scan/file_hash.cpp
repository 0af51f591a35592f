#include "scan/file_hash.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "common/fd.h"

namespace gv {
namespace {

constexpr size_t kChunkBytes = size_t{64} << 10;

const EVP_MD* digest_for(const std::string& name) {
  if (name == "md5") return EVP_md5();
  if (name == "sha1") return EVP_sha1();
  if (name == "sha256") return EVP_sha256();
  if (name == "sha512") return EVP_sha512();
  return nullptr;
}

std::string open_error(int err) {
  switch (err) {
    case ENOENT: return "no such file";
    case EACCES:
    case EPERM: return "permission denied";
    case ELOOP: return "is a symlink (not followed)";
    default: return std::strerror(err);
  }
}

std::string kind_of_mode(mode_t m) {
  if (S_ISDIR(m)) return "directory";
  if (S_ISFIFO(m)) return "fifo";
  if (S_ISSOCK(m)) return "socket";
  if (S_ISCHR(m) || S_ISBLK(m)) return "device";
  return "special file";
}

std::string to_hex(const unsigned char* p, unsigned n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(size_t{n} * 2, '0');
  for (unsigned i = 0; i < n; ++i) {
    s[2 * i] = kDigits[p[i] >> 4];
    s[2 * i + 1] = kDigits[p[i] & 0xf];
  }
  return s;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// One initialised context per requested algorithm, in request order.
std::optional<std::string> start_digests(const std::vector<std::string>& algorithms, std::vector<MdCtx>* ctxs) {
  for (const std::string& name : algorithms) {
    const EVP_MD* md = digest_for(name);
    if (md == nullptr) return "unknown hash algorithm '" + name + "'";
    MdCtx c(EVP_MD_CTX_new());
    if (!c || EVP_DigestInit_ex(c.get(), md, nullptr) != 1) return "cannot initialise " + name + " digest";
    ctxs->push_back(std::move(c));
  }
  return std::nullopt;
}

std::optional<std::string> feed(int fd, std::vector<MdCtx>* ctxs) {
  auto buf = std::make_unique<unsigned char[]>(kChunkBytes);
  for (;;) {
    ssize_t n = ::read(fd, buf.get(), kChunkBytes);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::string("read error: ") + std::strerror(errno);
    if (n == 0) return std::nullopt;
    for (MdCtx& c : *ctxs) {
      if (EVP_DigestUpdate(c.get(), buf.get(), static_cast<size_t>(n)) != 1) return "digest update failed";
    }
  }
}

}  // namespace

bool is_supported_hash_algorithm(const std::string& name) { return digest_for(name) != nullptr; }

std::optional<std::string> hash_file(const std::string& path, const std::vector<std::string>& algorithms,
                                     std::map<std::string, std::string>* hex_out) {
  std::vector<MdCtx> ctxs;
  if (auto err = start_digests(algorithms, &ctxs)) return err;
  UniqueFd f{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)};
  if (f.fd < 0) return open_error(errno);
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return std::string("fstat failed: ") + std::strerror(errno);
  if (!S_ISREG(st.st_mode)) return "not a regular file (" + kind_of_mode(st.st_mode) + ")";
  if (auto err = feed(f.fd, &ctxs)) return err;
  for (size_t i = 0; i < ctxs.size(); ++i) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (EVP_DigestFinal_ex(ctxs[i].get(), md, &len) != 1) return "digest finalisation failed";
    (*hex_out)[algorithms[i]] = to_hex(md, len);
  }
  return std::nullopt;
}

}  // namespace gv
