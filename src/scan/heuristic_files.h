// The file side of the heuristic scan: which files are worth a YARA pass,
// how they are read (without trusting the tree), what part of a file a
// finding shows, and which package a file belongs to. Kept apart from
// heuristic.cpp, which only orchestrates: walk, schedule, merge.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gv {

enum class HeuristicFileKind : uint8_t {
  kScan,         // code, package.json, scripts and workflow files
  kMaybeScript,  // no extension: scanned only when it starts with "#!"
  kOther,        // counted, not read
};

// By name alone, so the walk never opens a file it will not scan.
HeuristicFileKind heuristic_file_kind(std::string_view name);

// ".js" for "a.JS"; "" for "Makefile" and ".npmrc".
std::string lower_extension(std::string_view name);

// "8 MiB" for whole MiB, "1000 bytes" otherwise.
std::string size_text(uint64_t bytes);

struct ReadOutcome {
  size_t size = 0;
  bool not_script = false;  // kMaybeScript file without "#!": not read, not an error
};

// Reads `path` whole into `*buf` (grown, never shrunk: one buffer per
// worker). O_NOFOLLOW: a file swapped for a symlink after the walk is
// refused, not followed; O_NONBLOCK: one swapped for a FIFO cannot stall the
// worker. Returns the reason on failure ("larger than 8 MiB (...)", ...).
std::optional<std::string> read_for_scan(const std::string& path, HeuristicFileKind kind, uint64_t max_bytes,
                                         std::vector<char>* buf, ReadOutcome* out);

// Up to ~120 bytes around a match, cut at line ends so a hit in a minified
// bundle shows its own neighbourhood, not the whole line.
std::string excerpt_around(std::string_view data, uint64_t offset, uint32_t length);

// "name@version" of the nearest package.json above a file (up to the scan
// root) that has a name: nested package.json files such as lib/package.json
// {"type": "module"} are passed over. Answers are remembered per folder.
class NearestPackage {
 public:
  std::string of(const std::string& file, const std::string& root);

 private:
  std::unordered_map<std::string, std::string> memo_;
};

}  // namespace gv
