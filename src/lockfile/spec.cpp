#include "lockfile/spec.h"

namespace gv {
namespace {

bool starts_with_any(std::string_view s, std::initializer_list<std::string_view> prefixes) {
  for (std::string_view p : prefixes)
    if (s.starts_with(p)) return true;
  return false;
}

bool is_git(std::string_view s) {
  return starts_with_any(s, {"git+", "git:", "git@", "github:", "gitlab:", "bitbucket:", "gist:"});
}

bool is_url(std::string_view s) { return starts_with_any(s, {"http://", "https://"}); }

// "user/repo" or "user/repo#ref": npm's GitHub shorthand.
bool is_github_shorthand(std::string_view s) {
  if (s.empty() || s[0] == '@' || s[0] == '.' || s[0] == '/' || s[0] == '~') return false;
  size_t slash = s.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == s.size()) return false;
  for (char c : s.substr(0, s.find('#')))
    if (c == ':' || c == ' ' || c == '@' || c == '\\') return false;
  return s.find('/', slash + 1) == std::string_view::npos || s.find('#') < s.find('/', slash + 1);
}

bool is_path(std::string_view s) {
  return starts_with_any(s, {"./", "../", "/", "~/", ".\\", "..\\"}) || s == "." || s == ".." ||
         s.ends_with(".tgz") || s.ends_with(".tar.gz") || s.ends_with(".tar");
}

}  // namespace

bool split_name_at_version(std::string_view s, std::string_view* name, std::string_view* version) {
  size_t at = s.find('@', 1);  // position 0 may be a scope's '@'
  if (at == std::string_view::npos) {
    *name = s;
    *version = {};
    return false;
  }
  *name = s.substr(0, at);
  *version = s.substr(at + 1);
  return true;
}

DepSpec parse_dep_spec(std::string_view key, std::string_view spec) {
  DepSpec d;
  d.name = key;
  d.version = spec;
  if (spec.starts_with("npm:")) {
    std::string_view rest = spec.substr(4), name, version;
    if (!split_name_at_version(rest, &name, &version)) version = "*";  // "npm:foo" means any version
    d.name = name;
    d.version = version;
    d.aliased = name != key;
    d.source = SourceKind::kRegistry;
  } else if (is_git(spec) || is_github_shorthand(spec)) {
    d.source = SourceKind::kGit;
  } else if (is_url(spec)) {
    d.source = SourceKind::kTarball;
  } else if (spec.starts_with("file:") || is_path(spec)) {
    d.source = SourceKind::kFile;
  } else if (starts_with_any(spec, {"link:", "workspace:", "portal:"})) {
    d.source = SourceKind::kLink;
  }
  return d;
}

SourceKind source_of_resolved(std::string_view r) {
  if (r.empty()) return SourceKind::kRegistry;  // npm >= 11 omits "resolved" for registry packages
  if (is_git(r) || r.starts_with("ssh://")) return SourceKind::kGit;
  if (r.starts_with("file:")) return SourceKind::kFile;
  if (is_url(r)) return r.find("/-/") != std::string_view::npos ? SourceKind::kRegistry : SourceKind::kTarball;
  return SourceKind::kUnknown;
}

}  // namespace gv
