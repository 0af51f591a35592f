// Shared by the lockfile tests: read a fixture, parse it, collect owning copies.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "common/file.h"
#include "lockfile/format.h"

namespace gv::testing {

inline std::string testdata(const std::string& rel) {
  return std::string(GV_SOURCE_DIR) + "/tests/lockfile/testdata/" + rel;
}

// The package manager's own reading of a fixture (scripts/gen-*-fixtures.sh):
// testdata/<dir>/expected-<name>.txt, one "name@version" per line.
inline std::set<std::string> expected_set(const std::string& dir, const std::string& name) {
  std::ifstream in(testdata(dir + "/expected-" + name + ".txt"));
  EXPECT_TRUE(in) << dir << "/" << name;
  std::set<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.insert(line);
  return out;
}

struct Parsed {
  std::vector<Package> packages;
  std::optional<Error> error;
  ParseStats stats;
  std::string text;  // a copy of the file, for line numbers
};

// What a parse yielded, in the same "name@version" form as expected_set.
inline std::set<std::string> name_versions(const Parsed& r) {
  std::set<std::string> out;
  for (const Package& p : r.packages) out.insert(p.name + "@" + p.version);
  return out;
}

// Parses `text` as `kind`, padding it the way FileBuffer does.
inline Parsed parse_text(LockfileKind kind, std::string_view text, const std::string& path = "test.json") {
  Parsed r;
  r.text.assign(text);
  std::string padded(text);
  padded.append(kReadPadding, '\0');
  auto sink = [&](const PackageRef& p) { r.packages.emplace_back(p); };
  r.error = parse_lockfile(kind, path, std::string_view(padded.data(), text.size()), sink, &r.stats);
  return r;
}

inline Parsed parse_fixture(const std::string& rel, LockfileKind* kind_out = nullptr) {
  FileBuffer buf;
  std::string path = testdata(rel);
  if (auto e = read_file(path, &buf)) {
    ADD_FAILURE() << e->str();
    return {};
  }
  LockfileKind kind = detect_lockfile(path, buf.view().substr(0, 65536));
  if (kind_out != nullptr) *kind_out = kind;
  Parsed r;
  r.text.assign(buf.view());
  auto sink = [&](const PackageRef& p) { r.packages.emplace_back(p); };
  r.error = parse_lockfile(kind, path, buf.view(), sink, &r.stats);
  return r;
}

inline const Package* find(const Parsed& r, std::string_view location) {
  for (const Package& p : r.packages)
    if (p.location == location) return &p;
  return nullptr;
}

}  // namespace gv::testing
