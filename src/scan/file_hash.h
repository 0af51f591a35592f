// Streaming file digests for host indicators (`hashes` on a `file` indicator).
//
// A host scan opens files an attacker may control, so opening is defensive:
// O_NOFOLLOW (a symlink planted at the path is refused, not followed),
// O_NONBLOCK (opening a FIFO must not wait for a writer), then fstat on the
// open descriptor so only a regular file is ever read; a device or FIFO is
// refused before the first read. Files are read in 64 KiB chunks and every
// requested digest is updated from the same chunk, so a multi-gigabyte file
// costs one pass and constant memory.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gv {

// Algorithms hash_file accepts, as rule files spell them.
bool is_supported_hash_algorithm(const std::string& name);  // md5, sha1, sha256, sha512

// Hashes the regular file at `path` with each of `algorithms` in one pass and
// stores lower-case hex digests in (*hex_out)[algorithm]. Returns the reason
// on failure ("permission denied", "not a regular file (fifo)", "is a symlink
// (not followed)", "unknown hash algorithm 'x'"); the caller adds the path.
std::optional<std::string> hash_file(const std::string& path, const std::vector<std::string>& algorithms,
                                     std::map<std::string, std::string>* hex_out);

}  // namespace gv
