// Which format is this file? By name first (what npm, pnpm, yarn and bun
// write), then by content for files saved under other names — incident
// responders pass around "affected-lockfile.json". Content sniffing looks at
// the top-level keys of a JSON(C) object with a tolerant scanner (the head may
// be cut at 64 KiB mid-value, and bun.lock allows trailing commas), or at the
// marker lines of YAML/yarn lockfiles.
#include <array>

#include "lockfile/format.h"

namespace gv {
namespace {

std::string_view basename(std::string_view path) {
  size_t slash = path.find_last_of("/\\");
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

struct NamedKind {
  std::string_view name;
  LockfileKind kind;
};
constexpr std::array<NamedKind, 7> kNames{{
    {"package-lock.json", LockfileKind::kNpmLock},
    {"npm-shrinkwrap.json", LockfileKind::kNpmShrinkwrap},
    {"package.json", LockfileKind::kPackageJson},
    {"pnpm-lock.yaml", LockfileKind::kPnpm},
    {"yarn.lock", LockfileKind::kYarn},
    {"bun.lock", LockfileKind::kBunText},
    {"bun.lockb", LockfileKind::kBunBinary},
}};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// What the scanner saw at depth 1 of a JSON object.
struct TopKeys {
  bool lockfile_version_number = false;
  bool lockfile_version_other = false;
  bool packages = false, dependencies = false, name = false, dev_dependencies = false;
  bool workspaces_object = false;
  int keys = 0;
};

// A forgiving tokenizer: strings, nesting, and the first byte of each
// top-level value. Comments (JSONC) are skipped.
TopKeys scan_top_keys(std::string_view s) {
  TopKeys t;
  size_t i = 0;
  int depth = 0;
  std::string_view pending_key;
  bool expect_value = false;
  while (i < s.size()) {
    char c = s[i];
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
      size_t nl = s.find('\n', i);
      i = nl == std::string_view::npos ? s.size() : nl + 1;
      continue;
    }
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      size_t end = s.find("*/", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 2;
      continue;
    }
    if (c == '"') {
      size_t j = i + 1;
      while (j < s.size() && s[j] != '"') j += s[j] == '\\' ? 2 : 1;
      std::string_view str = s.substr(i + 1, std::min(j, s.size()) - i - 1);
      i = j + 1;
      if (depth != 1) continue;
      if (expect_value) {
        if (pending_key == "lockfileVersion") t.lockfile_version_other = true;
        expect_value = false;
        continue;
      }
      size_t k = i;
      while (k < s.size() && is_space(s[k])) ++k;
      if (k < s.size() && s[k] == ':') {
        pending_key = str;
        expect_value = true;
        ++t.keys;
        if (str == "packages") t.packages = true;
        else if (str == "dependencies") t.dependencies = true;
        else if (str == "devDependencies" || str == "peerDependencies" || str == "optionalDependencies")
          t.dev_dependencies = true;
        else if (str == "name") t.name = true;
        i = k + 1;
      }
      continue;
    }
    if (is_space(c) || c == ',') {
      ++i;
      continue;
    }
    if (depth == 1 && expect_value) {
      if (pending_key == "lockfileVersion") {
        (c == '-' || (c >= '0' && c <= '9') ? t.lockfile_version_number : t.lockfile_version_other) = true;
      } else if (pending_key == "workspaces" && c == '{') {
        t.workspaces_object = true;
      }
      expect_value = false;
    }
    if (c == '{' || c == '[') ++depth;
    else if (c == '}' || c == ']') {
      if (--depth <= 0) break;
    }
    ++i;
  }
  return t;
}

bool has_line_starting(std::string_view s, std::string_view prefix) {
  for (size_t pos = 0; pos < s.size();) {
    if (s.substr(pos).starts_with(prefix)) return true;
    size_t nl = s.find('\n', pos);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return false;
}

LockfileKind detect_by_content(std::string_view head) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  size_t i = 0;
  while (i < head.size() && is_space(head[i])) ++i;
  if (i < head.size() && (head[i] == '{' || head[i] == '/')) {
    TopKeys t = scan_top_keys(head.substr(i));
    if (t.lockfile_version_number && t.workspaces_object) return LockfileKind::kBunText;
    if (t.lockfile_version_number) return LockfileKind::kNpmLock;
    if (!t.lockfile_version_other && (t.name || t.dependencies || t.dev_dependencies))
      return LockfileKind::kPackageJson;
    return LockfileKind::kUnknown;
  }
  // bun.lockb starts with this banner.
  if (head.starts_with("#!/usr/bin/env bun\nbun-lockfile-format-v0")) return LockfileKind::kBunBinary;
  if (head.find("# yarn lockfile v1") != std::string_view::npos || has_line_starting(head, "__metadata:"))
    return LockfileKind::kYarn;
  if (has_line_starting(head, "lockfileVersion:")) return LockfileKind::kPnpm;
  return LockfileKind::kUnknown;
}

}  // namespace

std::string_view lockfile_kind_name(LockfileKind k) {
  switch (k) {
    case LockfileKind::kNpmLock: return "npm";
    case LockfileKind::kNpmShrinkwrap: return "npm-shrinkwrap";
    case LockfileKind::kPackageJson: return "package.json";
    case LockfileKind::kPnpm: return "pnpm";
    case LockfileKind::kYarn: return "yarn";
    case LockfileKind::kBunText: return "bun";
    case LockfileKind::kBunBinary: return "bun-binary";
    case LockfileKind::kUnknown: return "unknown";
  }
  return "unknown";
}

std::string_view lockfile_ecosystem(LockfileKind k) {
  switch (k) {
    case LockfileKind::kNpmLock:
    case LockfileKind::kNpmShrinkwrap:
    case LockfileKind::kPackageJson: return "npm";
    case LockfileKind::kPnpm: return "pnpm";
    case LockfileKind::kYarn: return "yarn";
    case LockfileKind::kBunText:
    case LockfileKind::kBunBinary: return "bun";
    case LockfileKind::kUnknown: return "";
  }
  return "";
}

bool is_lockfile_name(std::string_view filename) {
  std::string_view base = basename(filename);
  for (const NamedKind& n : kNames)
    if (base == n.name) return true;
  return false;
}

LockfileKind detect_lockfile(std::string_view filename, std::string_view head) {
  std::string_view base = basename(filename);
  for (const NamedKind& n : kNames)
    if (base == n.name) return n.kind;
  return detect_by_content(head);
}

}  // namespace gv
