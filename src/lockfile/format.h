// One parser per lockfile format behind one small interface (osv-scanner's
// "extractor"): does this file concern me (by name, and by content so that a
// lockfile saved as "affected-lockfile.json" is still recognised), and parse it
// into a stream of packages. Nothing outside lockfile/ knows a format's shape.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "lockfile/package.h"

namespace gv {

enum class LockfileKind {
  kNpmLock,        // package-lock.json (v1, v2, v3)
  kNpmShrinkwrap,  // npm-shrinkwrap.json (same format)
  kPackageJson,    // package.json: declared ranges
  kPnpm,           // pnpm-lock.yaml (5.x, 6.0, 9.0)
  kYarn,           // yarn.lock classic (v1) and berry (yarn 2+)
  kBunText,        // bun.lock (text, JSONC)
  kBunBinary,      // bun.lockb               (never parsed: binary)
  kUnknown,
};

// Stable short name used in reports ("npm", "npm-shrinkwrap", "package.json", ...).
std::string_view lockfile_kind_name(LockfileKind k);
// The ecosystem a rule's `lockfile_ecosystems` names: "npm", "pnpm", "yarn", "bun".
std::string_view lockfile_ecosystem(LockfileKind k);

// Decides the format from the file name and, when the name says nothing
// (e.g. "affected-lockfile.json"), from the first bytes of content.
// `head` is at most the first 64 KiB of the file.
LockfileKind detect_lockfile(std::string_view filename, std::string_view head);
// True for names a directory walk should pick up without reading content.
bool is_lockfile_name(std::string_view filename);

// How much a parse derives. Flags that need the whole dependency graph
// (pnpm 9.0's dev flag: reachable only from devDependencies; berry's direct
// and optional flags: from the workspaces' and every dependent's entries)
// cost a graph walk per package. The scan skips them in its first pass and
// asks for them only for lockfiles with findings (graph_flags() below), the
// same split as dependency_paths().
struct ParseOptions {
  bool graph_flags = true;
};

struct ParseStats {
  uint32_t format_version = 0;  // e.g. lockfileVersion 1/2/3; 0 when not applicable
  size_t packages = 0;          // entries sent to the sink
};

// Parses `text` (which must stay readable for kReadPadding bytes past its end,
// see common/file.h) and calls `sink` per package. `path` is used only in
// error messages. Returns an error naming path:line:col on malformed input.
// Formats not yet supported return an Error whose `what` starts with
// "not scanned:" so callers can report them as skipped, never as clean.
std::optional<Error> parse_lockfile(LockfileKind kind, const std::string& path,
                                    std::string_view text, PackageSink sink,
                                    ParseStats* stats = nullptr, const ParseOptions& opts = {});

// True when a parse with graph_flags = false may leave out flags that a full
// parse sets (see ParseOptions).
bool flags_deferred(LockfileKind kind, std::string_view text);

}  // namespace gv

namespace gv {

// Slow path, run only for lockfiles that have findings: for each entry
// location (PackageRef::location), the chain of package names from the root
// project down to it, e.g. {"express", "body-parser", "qs"} — the first
// element is a direct dependency. An empty chain means the format does not
// record enough to tell (the caller then says "path unknown").
std::vector<std::vector<std::string>> dependency_paths(LockfileKind kind, std::string_view text,
                                                       const std::vector<std::string>& locations);

// Slow path too: the DepFlag bits a full parse (graph_flags = true) gives each
// entry location; 0 for a location the parse does not yield.
std::vector<uint8_t> graph_flags(LockfileKind kind, std::string_view text,
                                 const std::vector<std::string>& locations);

}  // namespace gv
