#include "inventory/clones.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "inventory/git_walk.h"

namespace gv::inventory {

namespace fs = std::filesystem;

namespace {

std::string strip_slashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

// The real name of an existing folder ("." and "acme/" alike).
fs::path real(const std::string& path) {
  std::error_code ec;
  return fs::weakly_canonical(fs::absolute(path, ec), ec);
}

}  // namespace

std::optional<Error> find_clones(const std::string& path, const std::string& org, std::vector<Clone>* out,
                                 std::vector<Error>* skipped) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return Error{path, 0, 0, "no such file or folder"};
  if (!fs::is_directory(st)) return Error{path, 0, 0, "not a git clone or a folder of clones"};
  if (is_repository(path)) {
    const std::string holder = org.empty() ? real(path).parent_path().filename().string() : org;
    out->push_back(Clone{path, holder, repository_name(path)});
    return std::nullopt;
  }
  std::vector<std::string> children;
  std::vector<Error> not_clones;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with('.')) continue;
    const std::string child = strip_slashes(path) + "/" + name;
    std::error_code lec;
    if (it->is_symlink(lec)) {
      // A link may lead anywhere (and loop); index its target by naming it.
      not_clones.push_back(Error{child, 0, 0, "symbolic link, not followed (name its target to index it)"});
    } else if (it->is_directory(lec)) {
      children.push_back(name);
    }
  }
  if (ec) return Error{path, 0, 0, "cannot list the folder: " + ec.message()};
  std::sort(children.begin(), children.end());
  const std::string holder = org.empty() ? real(path).filename().string() : org;
  const size_t before = out->size();
  for (const std::string& name : children) {
    const std::string child = strip_slashes(path) + "/" + name;
    if (is_repository(child)) {
      out->push_back(Clone{child, holder, repository_name(child)});
    } else {
      not_clones.push_back(Error{child, 0, 0, "not a git clone; skipped"});
    }
  }
  if (out->size() == before) {
    return Error{path, 0, 0, "neither a git clone nor a folder holding clones (looked one level deep)"};
  }
  skipped->insert(skipped->end(), not_clones.begin(), not_clones.end());
  return std::nullopt;
}

}  // namespace gv::inventory
