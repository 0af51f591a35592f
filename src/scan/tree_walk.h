// Walking installed trees (node_modules, caches) without trusting them: a
// package tree is attacker-shaped input. Symlinks are never followed (a link
// to / must not turn a node_modules scan into a scan of the disk, and a link
// loop must not hang us); device files, FIFOs and sockets are never opened;
// unreadable folders and entries that vanish mid-walk are reported, not
// swallowed. Everything the walk did not look at reaches the caller's `skip`
// callback with a reason, so a report can say what was not checked.
//
// Built on readdir(3) with d_type: one syscall per folder batch instead of a
// stat per entry, which is what makes a 100k-file node_modules walk cheap.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gv {

enum class EntryType : uint8_t { kFile, kDir, kSymlink, kOther };  // kOther: device, FIFO, socket

struct DirEntry {
  std::string name;
  EntryType type = EntryType::kOther;
};

// The entries of one folder ("." and ".." left out), sorted by name so walks
// are deterministic. Returns the reason on failure ("permission denied",
// "vanished during the walk", "not a directory").
std::optional<std::string> list_dir(const std::string& path, std::vector<DirEntry>* out);

struct WalkVisitor {
  // A folder about to be entered (not called for the root); false = do not
  // descend (the caller's choice, so not reported as a skip).
  std::function<bool(const std::string& path, std::string_view name)> enter_dir;
  // A regular file. `size` from lstat.
  std::function<void(const std::string& path, uint64_t size)> file;
  // Something not looked at, with why: unreadable folder, symlink leaving
  // the tree, device file, too deep, loop.
  std::function<void(const std::string& path, const std::string& reason)> skip;
};

struct WalkOptions {
  // Symlinks whose target stays inside the root (pnpm's node_modules/x ->
  // .pnpm/x@1/node_modules/x, npm's .bin/ links) are counted but not
  // reported: their targets are walked where they live. Links leaving the
  // root are reported as skips when this is true.
  bool report_external_symlinks = true;
  uint32_t max_depth = 128;  // deeper folders are reported, not entered
};

struct WalkCounts {
  uint64_t dirs = 0, files = 0, symlinks = 0, skipped = 0, bytes = 0;
};

// Walks `root` depth-first. A root that is not a readable folder is one skip.
WalkCounts walk_tree(const std::string& root, const WalkOptions& opts, const WalkVisitor& v);

}  // namespace gv
