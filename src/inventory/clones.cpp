#include "inventory/clones.h"

#include <git2.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace gv::inventory {

namespace fs = std::filesystem;

namespace {

std::string strip_slashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

std::string name_of(const std::string& path) {
  std::string name = fs::path(strip_slashes(path)).filename().string();
  if (name == "." || name == "..") {
    std::error_code ec;
    name = fs::weakly_canonical(fs::absolute(path, ec), ec).filename().string();
  }
  return name;
}

std::string repo_name_of(const std::string& path) {
  std::string name = name_of(path);
  if (name.size() > 4 && name.ends_with(".git")) name.resize(name.size() - 4);
  return name;
}

}  // namespace

bool is_repository(const std::string& path) {
  static const int once = git_libgit2_init();
  (void)once;
  git_repository* repo = nullptr;
  const bool ok = git_repository_open_ext(&repo, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) == 0;
  git_repository_free(repo);
  return ok;
}

std::optional<Error> find_clones(const std::string& path, const std::string& org, std::vector<Clone>* out,
                                 std::vector<Error>* skipped) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return Error{path, 0, 0, "no such file or folder"};
  if (!fs::is_directory(st)) return Error{path, 0, 0, "not a git clone or a folder of clones"};
  if (is_repository(path)) {
    std::string holder = org;
    if (holder.empty()) {
      std::error_code ec2;
      holder = fs::weakly_canonical(fs::absolute(path, ec2), ec2).parent_path().filename().string();
    }
    out->push_back(Clone{path, holder, repo_name_of(path)});
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
  const std::string holder = org.empty() ? name_of(path) : org;
  const size_t before = out->size();
  for (const std::string& name : children) {
    const std::string child = strip_slashes(path) + "/" + name;
    if (is_repository(child)) {
      out->push_back(Clone{child, holder, repo_name_of(child)});
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
