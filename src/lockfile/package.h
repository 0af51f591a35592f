// The one record every lockfile parser produces.
//
// Parsers stream packages to a sink as PackageRef views into the file buffer
// (or the parser's own string storage), valid only during the sink call: the
// scanner looks the name up in the rule index and copies only what matches, so
// the hot path allocates nothing per package. Package is the owning copy used
// by findings and tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>

namespace gv {

enum DepFlag : uint8_t {
  kDev = 1 << 0,        // only needed for development ("dev": true)
  kOptional = 1 << 1,   // optional dependency ("optional": true)
  kPeer = 1 << 2,       // peer dependency
  kDevOptional = 1 << 3,// npm's "devOptional": optional and reachable only via dev deps
  kDirect = 1 << 4,     // declared by the root project or a workspace member
  kRange = 1 << 5,      // `version` is a declared range (package.json), not a resolved version
  kLink = 1 << 6,       // a link/workspace entry pointing at a folder
};

// Where a package came from, when the lockfile says.
enum class SourceKind : uint8_t { kRegistry, kGit, kFile, kLink, kTarball, kUnknown };

struct PackageRef {
  std::string_view name;     // the real package name (an alias resolved to its target)
  std::string_view version;  // resolved version, or declared range when flags & kRange
  std::string_view alias;    // name it is installed/declared under when aliased (npm:), else empty
  std::string_view location; // where in the lockfile, e.g. "node_modules/a/node_modules/b"
  size_t offset = 0;         // byte offset of the entry in the file (for line numbers)
  uint8_t flags = 0;
  SourceKind source = SourceKind::kRegistry;
};

struct Package {
  std::string name;
  std::string version;
  std::string alias;
  std::string location;
  size_t offset = 0;
  uint8_t flags = 0;
  SourceKind source = SourceKind::kRegistry;

  Package() = default;
  explicit Package(const PackageRef& r)
      : name(r.name), version(r.version), alias(r.alias), location(r.location),
        offset(r.offset), flags(r.flags), source(r.source) {}
  bool operator==(const Package&) const = default;
};

// Called once per package entry. A std::function would allocate for capturing
// lambdas on some paths; this non-owning reference never does.
class PackageSink {
 public:
  // The constraint keeps copies of a PackageSink on the implicit copy
  // constructor: without it, copying a non-const PackageSink would wrap a
  // reference to the (often temporary) sink being copied.
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, PackageSink>)
  PackageSink(F& f)  // NOLINT(google-explicit-constructor): lambdas convert implicitly
      : obj_(&f), call_([](void* o, const PackageRef& p) { (*static_cast<F*>(o))(p); }) {}
  void operator()(const PackageRef& p) const { call_(obj_, p); }

 private:
  void* obj_;
  void (*call_)(void*, const PackageRef&);
};

std::string_view source_kind_name(SourceKind k);

}  // namespace gv
