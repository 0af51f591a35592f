// The scan's two-step flags (format.h, ParseOptions): a first parse without
// graph-derived flags, then graph_flags() for the locations with findings.
// Both steps together must give exactly what one full parse gives.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "lockfile/format.h"
#include "parse_testing.h"

namespace gv {
namespace {

using testing::testdata;

struct Parse2 {
  std::vector<Package> packages;
  std::optional<Error> error;
};

Parse2 parse(LockfileKind kind, std::string_view text, bool graph) {
  Parse2 r;
  auto sink = [&](const PackageRef& p) { r.packages.emplace_back(p); };
  r.error = parse_lockfile(kind, "f", text, sink, nullptr, ParseOptions{.graph_flags = graph});
  return r;
}

// Every fixture of every format, read as the scan reads it.
std::vector<std::string> all_fixtures() {
  std::vector<std::string> out;
  for (const auto& d : std::filesystem::recursive_directory_iterator(testdata("")))
    if (d.is_regular_file() && d.path().extension() != ".txt" && d.path().filename().string().find("expected") == std::string::npos)
      out.push_back(d.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(GraphFlags, FastParsePlusGraphFlagsEqualsFullParse) {
  size_t deferred_differences = 0, files = 0;
  for (const std::string& path : all_fixtures()) {
    FileBuffer buf;
    ASSERT_FALSE(read_file(path, &buf)) << path;
    const LockfileKind kind = detect_lockfile(path, buf.view().substr(0, 65536));
    if (kind == LockfileKind::kUnknown || kind == LockfileKind::kBunBinary) continue;
    Parse2 full = parse(kind, buf.view(), true), fast = parse(kind, buf.view(), false);
    ASSERT_EQ(full.error.has_value(), fast.error.has_value()) << path;
    if (full.error) continue;
    ++files;
    ASSERT_EQ(full.packages.size(), fast.packages.size()) << path;
    std::vector<std::string> locations;
    for (const Package& p : fast.packages) locations.push_back(p.location);
    const std::vector<uint8_t> flags = graph_flags(kind, buf.view(), locations);
    ASSERT_EQ(flags.size(), locations.size());
    for (size_t i = 0; i < full.packages.size(); ++i) {
      const Package &a = full.packages[i], &b = fast.packages[i];
      SCOPED_TRACE(path + " " + a.location);
      EXPECT_EQ(a.name, b.name);
      EXPECT_EQ(a.version, b.version);
      EXPECT_EQ(a.alias, b.alias);
      EXPECT_EQ(a.location, b.location);
      EXPECT_EQ(a.offset, b.offset);
      EXPECT_EQ(a.source, b.source);
      EXPECT_EQ(flags[i], a.flags);
      if (!flags_deferred(kind, buf.view())) {
        EXPECT_EQ(a.flags, b.flags);
      }
      deferred_differences += a.flags != b.flags;
    }
  }
  EXPECT_GT(files, 30u);
  // The fast parse does leave flags out (else this test would prove nothing).
  EXPECT_GT(deferred_differences, 0u);
}

TEST(GraphFlags, Pnpm9DevOnlyAndBerryDirectAreDeferred) {
  for (auto [rel, location, flag] : {std::tuple{"pnpm/app-pnpm9.pnpm-lock.yaml", "mocha@10.8.2", kDev},
                                     std::tuple{"yarn-berry/app-yarn4.yarn.lock", "mocha@npm:^10.7.0", kDirect}}) {
    FileBuffer buf;
    ASSERT_FALSE(read_file(testdata(rel), &buf));
    const LockfileKind kind = detect_lockfile(rel, buf.view().substr(0, 65536));
    EXPECT_TRUE(flags_deferred(kind, buf.view()));
    Parse2 fast = parse(kind, buf.view(), false);
    const Package* p = nullptr;
    for (const Package& q : fast.packages)
      if (q.location == location) p = &q;
    ASSERT_NE(p, nullptr) << rel;
    EXPECT_EQ(p->flags & flag, 0) << rel;
    EXPECT_NE(graph_flags(kind, buf.view(), {location})[0] & flag, 0) << rel;
  }
}

}  // namespace
}  // namespace gv
