// The Reader's shared parts: manifests, counted folder and file reads, and
// the symlink check. Symlinks are resolved with realpath(3) (the kernel
// walks the chain, so a loop is ELOOP, never a hang) but never traversed:
// the resolved path is only compared with the set of package folders the
// walk read where they live.
#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "lockfile/json_error.h"
#include "scan/installed_reader.h"

namespace gv::installed {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

constexpr std::string_view kInstallScripts[] = {"preinstall", "install", "postinstall"};

}  // namespace

std::string join(const std::string& dir, std::string_view name) {
  std::string p;
  p.reserve(dir.size() + 1 + name.size());
  p = dir;
  if (p.empty() || p.back() != '/') p += '/';
  p += name;
  return p;
}

bool plausible_package_name(std::string_view name) {
  if (name.empty() || name.find('\0') != std::string_view::npos) return false;
  std::string_view rest = name;
  if (name[0] == '@') {
    const size_t slash = name.find('/');
    if (slash == std::string_view::npos || slash == 1) return false;
    rest = name.substr(slash + 1);
  }
  return !rest.empty() && rest.find('/') == std::string_view::npos && rest != "." && rest != ".." &&
         name.substr(0, 2) != "@." && name != "." && name != "..";
}

std::optional<Error> parse_manifest(const std::string& path, std::string_view text, Manifest* out) {
  od::parser& parser = thread_ondemand_parser();
  simdjson::padded_string_view in(text.data(), text.size(), text.size() + simdjson::SIMDJSON_PADDING);
  od::document doc;
  if (error_code e = parser.iterate(in).get(doc)) return invalid_json(path, text, e, nullptr);
  auto fail_json = [&](error_code e) {
    const char* where = nullptr;
    if (doc.current_location().get(where) != SUCCESS) where = nullptr;
    return invalid_json(path, text, e, where);
  };
  od::object root;
  if (error_code e = doc.get_object().get(root)) {
    if (e == simdjson::INCORRECT_TYPE) return shape_error(path, text, 0, "", "a JSON object");
    return fail_json(e);
  }
  bool has_name = false, has_version = false;
  *out = Manifest{};
  for (auto fr : root) {
    od::field f;
    if (error_code e = std::move(fr).get(f)) return fail_json(e);
    od::raw_json_string k = f.key();
    const size_t off = static_cast<size_t>(k.raw() - text.data()) - 1;
    const bool is_name = k == "name";
    if (is_name || k == "version") {
      std::string_view v;
      if (error_code e = f.value().get_string().get(v)) {
        if (e == simdjson::INCORRECT_TYPE)
          return shape_error(path, text, off, is_name ? "/name" : "/version", "a string");
        return fail_json(e);
      }
      (is_name ? out->name : out->version).assign(v);
      (is_name ? has_name : has_version) = true;
    } else if (k == "scripts") {
      od::json_type t;
      if (error_code e = f.value().type().get(t)) return fail_json(e);
      if (t != od::json_type::object) continue;  // npm ignores a "scripts" that is not an object
      od::object scripts;
      if (error_code e = f.value().get_object().get(scripts)) return fail_json(e);
      for (auto sr : scripts) {
        od::field s;
        if (error_code e = std::move(sr).get(s)) return fail_json(e);
        od::raw_json_string sk = s.key();
        for (std::string_view hook : kInstallScripts) {
          if (!(sk == hook)) continue;
          od::json_type st;
          if (error_code e = s.value().type().get(st)) return fail_json(e);
          if (st == od::json_type::string) out->scripts = true;  // npm runs only string scripts
        }
      }
    } else if (k == "requiresBuild") {  // pnpm store index
      bool b = false;
      if (f.value().get_bool().get(b) == SUCCESS) out->requires_build = b;
    }
  }
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == SUCCESS) return fail_json(simdjson::TRAILING_CONTENT);
  if (!has_name) return Error{path, 0, 0, "no \"name\""};
  if (!has_version) return Error{path, 0, 0, "no \"version\""};
  return std::nullopt;
}

bool Reader::list(const std::string& dir, std::vector<DirEntry>* out) {
  if (auto err = list_dir(dir, out)) {
    skip(dir, "cannot read folder: " + *err);
    return false;
  }
  ++out_->dirs;
  return true;
}

bool Reader::read(const std::string& path, FileBuffer* buf, size_t max_bytes) {
  if (auto err = read_file(path, buf, max_bytes)) {
    skip(path, err->what);
    return false;
  }
  count_read(buf->size());
  return true;
}

std::optional<Manifest> Reader::manifest(const std::string& path) {
  if (!read(path, &buf_)) return std::nullopt;
  Manifest m;
  if (auto err = parse_manifest(path, buf_.view(), &m)) {
    skip(path, err->str());
    return std::nullopt;
  }
  if (!plausible_package_name(m.name)) {
    skip(path, "\"name\" is not a package name, not read");
    return std::nullopt;
  }
  if (m.version.empty() || m.version.find('\0') != std::string::npos) {
    skip(path, "\"version\" is empty or holds NUL, not read");
    return std::nullopt;
  }
  return m;
}

std::string Reader::canon(const std::string& path) const {
  if (!root_path_.empty() && path.compare(0, root_path_.size(), root_path_) == 0 &&
      (path.size() == root_path_.size() || path[root_path_.size()] == '/'))
    return root_canon_ + path.substr(root_path_.size());
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) != nullptr ? std::string(buf) : path;
}

bool Reader::first_visit(const std::string& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return true;  // list() reports it
  if (seen_.emplace(st.st_dev, st.st_ino).second) return true;
  trace("installed: " + dir + ": read already (overlapping roots or a bind mount)");
  return false;
}

void Reader::link(const std::string& path) {
  std::error_code ec;
  const std::string raw = std::filesystem::read_symlink(path, ec).string();
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) != nullptr) {
    links_.push_back({path, raw, buf});
    return;
  }
  const int err = errno;
  if (err == ELOOP) return skip(path, "symlink loop (-> " + raw + "), not followed");
  if (err == ENOENT) return skip(path, "dangling symlink to " + raw + ", not followed");
  skip(path, "symlink to " + raw + " that cannot be resolved (" + std::strerror(err) + "), not followed");
}

void Reader::finish_links() {
  size_t landed = 0;
  for (const Link& l : links_) {
    if (package_dirs_.contains(l.target)) {
      ++landed;
      continue;
    }
    std::string why = "symlink to " + l.raw;
    if (l.raw != l.target) why += " (" + l.target + ")";
    why += ", not followed: not a package folder read here (a workspace or linked package, or a link out of the tree)";
    skip(l.path, why);
  }
  if (!links_.empty())
    trace("installed: " + std::to_string(links_.size()) + " symlinks, " + std::to_string(landed) +
          " onto package folders read where they live");
  links_.clear();
}

void Reader::read_root(const std::string& path, const std::string& canon, InstallKind kind) {
  root_path_ = path;
  root_canon_ = canon;
  const size_t packages_before = packages(), skips_before = skips();
  switch (kind) {
    case InstallKind::kNodeModules: {
      const std::filesystem::path p(path);
      if (p.filename() == "unplugged" && p.parent_path().filename() == ".yarn") unplugged(path);
      else node_modules(path, kind, 0);
      break;
    }
    case InstallKind::kGlobal: node_modules(path, kind, 0); break;
    case InstallKind::kNpmCache: npm_cache(path); break;
    case InstallKind::kPnpmStore: pnpm_store(path); break;
    case InstallKind::kYarnCache: yarn_cache(path); break;
    case InstallKind::kBerryCache: berry_cache(path); break;
    case InstallKind::kBunCache: bun_cache(path); break;
  }
  trace("installed: " + std::string(install_kind_name(kind)) + " " + path + ": " +
        std::to_string(packages() - packages_before) + " packages, " + std::to_string(skips() - skips_before) +
        " skipped");
}

}  // namespace gv::installed
