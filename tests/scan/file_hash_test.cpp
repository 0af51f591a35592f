#include "scan/file_hash.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>

#include "common/temp_dir.h"

namespace gv {
namespace {

using testing::TempDir;

std::map<std::string, std::string> hash_all(const std::string& path) {
  std::map<std::string, std::string> hex;
  std::optional<std::string> err = hash_file(path, {"md5", "sha1", "sha256", "sha512"}, &hex);
  EXPECT_FALSE(err) << *err;
  return hex;
}

TEST(FileHash, KnownVectorsOfAbc) {
  TempDir dir;
  auto hex = hash_all(dir.write("abc", "abc"));
  EXPECT_EQ(hex["md5"], "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(hex["sha1"], "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex["sha256"], "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex["sha512"],
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(FileHash, KnownVectorsOfEmptyFile) {
  TempDir dir;
  auto hex = hash_all(dir.write("empty", ""));
  EXPECT_EQ(hex["md5"], "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hex["sha1"], "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(hex["sha256"], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex["sha512"],
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
            "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
}

std::string one_shot_hex(const std::string& data, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), out, &len, md, nullptr), 1);
  std::string hex;
  for (unsigned i = 0; i < len; ++i) {
    char b[3];
    std::snprintf(b, sizeof b, "%02x", out[i]);
    hex += b;
  }
  return hex;
}

// 5 MB plus an odd tail: many 64 KiB chunks and a short last one.
TEST(FileHash, ChunkedDigestOfFiveMegabytesEqualsOneShot) {
  TempDir dir;
  std::string data((size_t{5} << 20) + 12345, '\0');
  std::mt19937 rng(42);
  for (char& c : data) c = static_cast<char>(rng());
  std::string path = dir.write("big.bin", data);
  std::map<std::string, std::string> hex;
  ASSERT_FALSE(hash_file(path, {"sha256", "md5"}, &hex));
  EXPECT_EQ(hex["sha256"], one_shot_hex(data, EVP_sha256()));
  EXPECT_EQ(hex["md5"], one_shot_hex(data, EVP_md5()));
  EXPECT_EQ(hex.size(), 2u);
}

TEST(FileHash, FifoIsRefusedWithoutBlocking) {
  TempDir dir;
  std::string fifo = dir.str() + "/pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::map<std::string, std::string> hex;
  std::optional<std::string> err = hash_file(fifo, {"sha256"}, &hex);  // would hang if opened blocking
  ASSERT_TRUE(err);
  EXPECT_EQ(*err, "not a regular file (fifo)");
  EXPECT_TRUE(hex.empty());
}

TEST(FileHash, SymlinkDirectoryMissingAndUnknownAlgorithmAreErrors) {
  TempDir dir;
  std::string target = dir.write("real", "abc");
  std::string link = dir.str() + "/link";
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  std::map<std::string, std::string> hex;
  EXPECT_EQ(hash_file(link, {"sha256"}, &hex).value_or(""), "is a symlink (not followed)");
  EXPECT_EQ(hash_file(dir.str(), {"sha256"}, &hex).value_or(""), "not a regular file (directory)");
  EXPECT_EQ(hash_file(dir.str() + "/nope", {"sha256"}, &hex).value_or(""), "no such file");
  EXPECT_EQ(hash_file(target, {"sha3"}, &hex).value_or(""), "unknown hash algorithm 'sha3'");
  EXPECT_TRUE(hex.empty());
  EXPECT_TRUE(is_supported_hash_algorithm("sha512"));
  EXPECT_FALSE(is_supported_hash_algorithm("SHA256"));
}

}  // namespace
}  // namespace gv
