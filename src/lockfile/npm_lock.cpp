// How an npm lockfile becomes packages (see docs/lockfiles.md for the quirks).
//
// v2/v3 "packages": key "" is the root project; keys under node_modules/ are
// installed packages; other keys ("packages/app", "local-lib") are workspace
// members or file: folders — the project's own code, not dependencies. An
// entry with "link": true is the symlink node_modules/x -> that folder and is
// not emitted either. The package name is the last node_modules/ segment of
// the key unless the entry has "name": npm writes it when the folder name
// differs, i.e. for an npm: alias.
//
// v1 "dependencies" nest; aliases are written as "version": "npm:real@1.2.3",
// git dependencies as "version": "git+ssh://...#sha" (reported as is, with
// SourceKind::kGit: the scanner cannot match a version that is not semver),
// file: folders as "version": "file:dir" (symlinks: not emitted).
//
// kDirect marks entries in the root's (or a workspace folder's) own
// node_modules whose name the root or a workspace member declares. Members'
// entries come after node_modules/ in the file, so when the root declares
// "workspaces" we first collect their dependency names in a pre-pass
// (rewinding the on-demand document; stage 1 is not repeated).
#include "lockfile/npm_lock.h"

#include <algorithm>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "lockfile/dep_chain.h"
#include "lockfile/json_error.h"
#include "lockfile/spec.h"

namespace gv {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

// v1 trees deeper than this are refused: real ones are a few dozen levels,
// and each level costs a stack frame here.
constexpr int kMaxV1Depth = 256;
constexpr std::string_view kNodeModules = "node_modules/";

// Position of the last "node_modules/" path segment in a packages key, or npos.
size_t last_node_modules(std::string_view key) {
  size_t pos = key.rfind(kNodeModules);
  while (pos != std::string_view::npos && pos > 0 && key[pos - 1] != '/')
    pos = pos == 0 ? std::string_view::npos : key.rfind(kNodeModules, pos - 1);
  return pos;
}

bool is_dep_map(const od::raw_json_string& k) {
  return k == "dependencies" || k == "devDependencies" || k == "optionalDependencies" ||
         k == "peerDependencies";
}

class NpmLockParser {
 public:
  NpmLockParser(const std::string& path, std::string_view text, PackageSink sink)
      : path_(path), text_(text), sink_(sink) {}

  std::optional<Error> run(ParseStats* stats) {
    od::parser& parser = thread_ondemand_parser();
    simdjson::padded_string_view in(text_.data(), text_.size(), text_.size() + simdjson::SIMDJSON_PADDING);
    if (error_code e = parser.iterate(in).get(doc_)) return invalid_json(path_, text_, e, nullptr);
    Step s = top_level();
    if (s == Step::kNeedWorkspaces) {
      direct_.clear();
      s = collect_workspace_deps() ? Step::kOk : Step::kFail;
      if (s == Step::kOk) {
        have_ws_ = true;
        doc_.rewind();
        s = top_level();
      }
    }
    if (stats != nullptr) {
      stats->format_version = version_;
      stats->packages = emitted_;
    }
    if (s == Step::kFail) return std::move(err_);
    return std::nullopt;
  }

 private:
  enum class Step { kOk, kFail, kNeedWorkspaces };

  size_t offset_of(const od::raw_json_string& k) const {
    return static_cast<size_t>(k.raw() - text_.data()) - 1;  // the key's opening quote
  }

  // After the top-level object: anything left is trailing content.
  bool at_document_end() {
    const char* rest = nullptr;
    return doc_.current_location().get(rest) != SUCCESS;
  }
  bool fail_json(error_code e) {
    const char* where = nullptr;
    if (doc_.current_location().get(where) != SUCCESS) where = nullptr;
    err_ = invalid_json(path_, text_, e, where);
    return false;
  }
  bool fail_shape(size_t off, std::string_view pointer, std::string_view expected) {
    err_ = shape_error(path_, text_, off, pointer, expected);
    return false;
  }
  // A value of the wrong type is the user's shape error; anything else (a
  // truncated file, a broken string) is invalid JSON.
  bool fail(error_code e, size_t off, std::string_view pointer, std::string_view expected) {
    if (e == simdjson::INCORRECT_TYPE || e == simdjson::NUMBER_ERROR || e == simdjson::NUMBER_OUT_OF_RANGE)
      return fail_shape(off, pointer, expected);
    return fail_json(e);
  }

  std::string packages_pointer(std::string_view key, std::string_view field = {}) const {
    std::string p = "/packages/" + json_pointer_token(key);
    if (!field.empty()) (p += '/') += field;
    return p;
  }
  std::string v1_pointer(std::string_view field = {}) const {
    std::string p;
    for (std::string_view k : keys_) (p += "/dependencies/") += json_pointer_token(k);
    if (!field.empty()) (p += '/') += field;
    return p;
  }

  Step top_level() {
    od::object root;
    if (error_code e = doc_.get_object().get(root))
      return fail(e, 0, "", "a JSON object (an npm lockfile)"), Step::kFail;
    bool have_version = false, packages_seen = false, deps_seen = false, deps_deferred = false;
    for (auto fr : root) {
      od::field f;
      if (error_code e = std::move(fr).get(f)) return fail_json(e), Step::kFail;
      od::raw_json_string k = f.key();
      size_t off = offset_of(k);
      if (k == "lockfileVersion") {
        uint64_t v = 0;
        if (error_code e = f.value().get_uint64().get(v)) return fail(e, off, "/lockfileVersion", "a whole number"), Step::kFail;
        version_ = static_cast<uint32_t>(std::min<uint64_t>(v, UINT32_MAX));
        have_version = true;
      } else if (k == "packages") {
        od::object pkgs;
        if (error_code e = f.value().get_object().get(pkgs)) return fail(e, off, "/packages", "an object"), Step::kFail;
        Step s = packages(pkgs);
        if (s != Step::kOk) return s;
        packages_seen = true;
      } else if (k == "dependencies" && !packages_seen) {
        deps_seen = true;
        // npm writes lockfileVersion first; for v1 parse the tree now. For v2
        // without "packages" (yet), wait: "packages" may still follow.
        if (have_version && version_ < 2) {
          if (!v1_tree(f.value(), off)) return Step::kFail;
        } else {
          deps_deferred = true;
        }
      }
    }
    if (!at_document_end()) return fail_json(simdjson::TRAILING_CONTENT), Step::kFail;
    if (deps_deferred && !packages_seen) {
      doc_.rewind();
      od::object again;
      od::value deps;
      if (error_code e = doc_.get_object().get(again)) return fail_json(e), Step::kFail;
      if (error_code e = again.find_field_unordered("dependencies").get(deps)) return fail_json(e), Step::kFail;
      if (!v1_tree(deps, 0)) return Step::kFail;
    }
    if (!have_version && !packages_seen && !deps_seen) {
      err_ = Error{path_, 1, 1, "not an npm lockfile: no \"lockfileVersion\", \"packages\" or \"dependencies\""};
      return Step::kFail;
    }
    return Step::kOk;
  }

  // Adds the names of a dependency map to direct_ (views into the parser's
  // string buffer, or into ws_owned_ when `own`).
  bool read_dep_names(od::value v, size_t off, std::string_view pointer, bool own) {
    od::object deps;
    if (error_code e = v.get_object().get(deps)) return fail(e, off, pointer, "an object");
    for (auto fr : deps) {
      od::field f;
      std::string_view name;
      if (error_code e = std::move(fr).get(f)) return fail_json(e);
      if (error_code e = f.unescaped_key().get(name)) return fail_json(e);
      if (own) name = ws_owned_.emplace_back(name);
      direct_.insert(name);
    }
    return true;
  }

  bool read_string(od::field& f, const od::raw_json_string& k, std::string_view key, std::string_view field,
                   std::string_view* out) {
    if (error_code e = f.value().get_string().get(*out))
      return fail(e, offset_of(k), packages_pointer(key, field), "a string");
    return true;
  }
  bool read_bool(od::field& f, const od::raw_json_string& k, std::string_view key, std::string_view field,
                 uint8_t flag, uint8_t* flags) {
    bool b = false;
    if (error_code e = f.value().get_bool().get(b))
      return fail(e, offset_of(k), packages_pointer(key, field), "true or false");
    if (b) *flags |= flag;
    return true;
  }

  Step packages(od::object pkgs) {
    for (auto fr : pkgs) {
      od::field f;
      if (error_code e = std::move(fr).get(f)) return fail_json(e), Step::kFail;
      od::raw_json_string rk = f.key();
      size_t koff = offset_of(rk);
      std::string_view key;
      if (error_code e = f.unescaped_key().get(key)) return fail_json(e), Step::kFail;
      od::object entry;
      if (error_code e = f.value().get_object().get(entry))
        return fail(e, koff, packages_pointer(key), "an object"), Step::kFail;

      const bool root = key.empty();
      const size_t nm = last_node_modules(key);
      const bool installed = nm != std::string_view::npos;
      std::string_view version, name, resolved;
      uint8_t flags = 0;
      bool link = false, workspaces = false;
      for (auto er : entry) {
        od::field ef;
        if (error_code e = std::move(er).get(ef)) return fail_json(e), Step::kFail;
        od::raw_json_string k = ef.key();
        bool ok = true;
        if (k == "version") ok = read_string(ef, k, key, "version", &version);
        else if (k == "resolved") ok = read_string(ef, k, key, "resolved", &resolved);
        else if (k == "name") ok = read_string(ef, k, key, "name", &name);
        else if (k == "dev") ok = read_bool(ef, k, key, "dev", kDev, &flags);
        else if (k == "optional") ok = read_bool(ef, k, key, "optional", kOptional, &flags);
        else if (k == "devOptional") ok = read_bool(ef, k, key, "devOptional", kDevOptional, &flags);
        else if (k == "peer") ok = read_bool(ef, k, key, "peer", kPeer, &flags);
        else if (k == "link") {
          uint8_t l = 0;
          ok = read_bool(ef, k, key, "link", kLink, &l);
          link = l != 0;
        } else if (root && k == "workspaces") {
          workspaces = true;
        } else if (root && is_dep_map(k)) {
          std::string_view field = k == "dependencies"           ? "dependencies"
                                   : k == "devDependencies"      ? "devDependencies"
                                   : k == "optionalDependencies" ? "optionalDependencies"
                                                                 : "peerDependencies";
          ok = read_dep_names(ef.value(), offset_of(k), packages_pointer(key, field), false);
        }
        if (!ok) return Step::kFail;
      }
      if (root) {
        if (workspaces && !have_ws_ && emitted_ == 0) return Step::kNeedWorkspaces;
        continue;
      }
      if (!installed || link) continue;

      std::string_view folder = key.substr(nm + kNodeModules.size());
      PackageRef p;
      p.name = name.empty() ? folder : name;
      if (p.name != folder) p.alias = folder;
      p.version = version;
      p.location = key;
      p.offset = koff;
      p.flags = flags;
      p.source = source_of_resolved(resolved);
      // In the root's or a workspace folder's own node_modules, and declared there.
      if (key.substr(0, nm).find(kNodeModules) == std::string_view::npos && direct_.contains(folder))
        p.flags |= kDirect;
      sink_(p);
      ++emitted_;
    }
    return Step::kOk;
  }

  bool collect_workspace_deps() {
    doc_.rewind();
    od::object root;
    od::object pkgs;
    if (error_code e = doc_.get_object().get(root)) return fail_json(e);
    if (error_code e = root.find_field_unordered("packages").get_object().get(pkgs)) return fail_json(e);
    for (auto fr : pkgs) {
      od::field f;
      std::string_view key;
      if (error_code e = std::move(fr).get(f)) return fail_json(e);
      if (error_code e = f.unescaped_key().get(key)) return fail_json(e);
      if (key.empty() || last_node_modules(key) != std::string_view::npos) continue;
      std::string owned_key(key);  // the string buffer is reused by the names below
      od::object entry;
      if (error_code e = f.value().get_object().get(entry)) return fail(e, 0, packages_pointer(owned_key), "an object");
      for (auto er : entry) {
        od::field ef;
        if (error_code e = std::move(er).get(ef)) return fail_json(e);
        od::raw_json_string k = ef.key();
        if (is_dep_map(k) && !read_dep_names(ef.value(), offset_of(k), packages_pointer(owned_key), true))
          return false;
      }
    }
    return true;
  }

  // The v1 "dependencies" tree. `loc_` holds the location being built and
  // `keys_` the key chain (for error pointers); both only grow to the
  // tree's depth, so steady state allocates nothing.
  bool v1_tree(od::value v, size_t off) {
    od::object deps;
    if (error_code e = v.get_object().get(deps)) return fail(e, off, v1_pointer() + "/dependencies", "an object");
    return v1_deps(deps, 1);
  }

  bool v1_deps(od::object deps, int depth) {
    if (depth > kMaxV1Depth) {
      err_ = Error{path_, 0, 0, v1_pointer() + ": dependencies nested deeper than " +
                                    std::to_string(kMaxV1Depth) + " levels"};
      if (const char* where = nullptr; doc_.current_location().get(where) == SUCCESS) {
        LineCol lc = line_col_at(text_, static_cast<size_t>(where - text_.data()));
        err_->line = lc.line;
        err_->col = lc.col;
      }
      return false;
    }
    for (auto fr : deps) {
      od::field f;
      if (error_code e = std::move(fr).get(f)) return fail_json(e);
      od::raw_json_string rk = f.key();
      size_t koff = offset_of(rk);
      std::string_view key;
      if (error_code e = f.unescaped_key().get(key)) return fail_json(e);
      const size_t mark = loc_.size();
      if (!loc_.empty()) loc_ += '/';
      (loc_ += kNodeModules) += key;
      keys_.push_back(key);
      od::object entry;
      if (error_code e = f.value().get_object().get(entry)) return fail(e, koff, v1_pointer(), "an object");
      std::string_view version, resolved;
      uint8_t flags = 0;
      for (auto er : entry) {
        od::field ef;
        if (error_code e = std::move(er).get(ef)) return fail_json(e);
        od::raw_json_string k = ef.key();
        size_t off = offset_of(k);
        if (k == "version" || k == "resolved") {
          std::string_view s;
          if (error_code e = ef.value().get_string().get(s))
            return fail(e, off, v1_pointer(k == "version" ? "version" : "resolved"), "a string");
          (k == "version" ? version : resolved) = s;
        } else if (k == "dev" || k == "optional") {
          bool b = false;
          if (error_code e = ef.value().get_bool().get(b))
            return fail(e, off, v1_pointer(k == "dev" ? "dev" : "optional"), "true or false");
          if (b) flags |= k == "dev" ? kDev : kOptional;
        } else if (k == "dependencies") {
          od::object nested;
          if (error_code e = ef.value().get_object().get(nested))
            return fail(e, off, v1_pointer("dependencies"), "an object");
          if (!v1_deps(nested, depth + 1)) return false;
        }
      }
      emit_v1(key, version, resolved, flags, koff);
      loc_.resize(mark);
      keys_.pop_back();
    }
    return true;
  }

  void emit_v1(std::string_view key, std::string_view version, std::string_view resolved, uint8_t flags,
               size_t koff) {
    PackageRef p;
    p.name = key;
    p.version = version;
    p.location = loc_;
    p.offset = koff;
    p.flags = flags;
    p.source = source_of_resolved(resolved);
    if (version.starts_with("npm:")) {
      DepSpec d = parse_dep_spec(key, version);
      p.name = d.name;
      p.version = d.version;
      if (d.aliased) p.alias = key;
    } else if (version.starts_with("file:")) {
      // A file: folder is a symlink to the project's own code (like a v2
      // link entry); a file: tarball is a package.
      DepSpec d = parse_dep_spec(key, version.substr(5));
      bool tarball = d.version.ends_with(".tgz") || d.version.ends_with(".tar.gz") || d.version.ends_with(".tar");
      if (!tarball) return;
      p.source = SourceKind::kFile;
    } else if (!version.empty() && !(version[0] >= '0' && version[0] <= '9')) {
      SourceKind s = parse_dep_spec(key, version).source;
      if (s != SourceKind::kRegistry) p.source = s == SourceKind::kTarball ? source_of_resolved(version) : s;
    }
    sink_(p);
    ++emitted_;
  }

  const std::string& path_;
  std::string_view text_;
  PackageSink sink_;
  od::document doc_;
  std::optional<Error> err_;
  uint32_t version_ = 0;
  size_t emitted_ = 0;
  bool have_ws_ = false;
  std::unordered_set<std::string_view> direct_;
  std::deque<std::string> ws_owned_;  // deque: growing never moves the strings direct_ points into
  std::string loc_;
  std::vector<std::string_view> keys_;
};

// ---- dependency paths (slow path, DOM) -------------------------------------

// Views into the DOM's strings (alive as long as the dom::parser) or into
// Arena-owned strings for locations composed from v1's nesting: building the
// tree of a 100,000-package lockfile allocates per entry only its deps vector.
struct Node {
  std::string_view name;               // real package name
  std::vector<std::string_view> deps;  // declared dependency names, in resolution order
  std::string_view link_to;            // for link entries: the folder they point at
};
using Tree = std::unordered_map<std::string_view, Node>;
using Arena = std::deque<std::string>;  // deque: growing never moves the strings

void add_dep_names(simdjson::dom::element entry, std::string_view field,
                   std::vector<std::string_view>* out) {
  simdjson::dom::object deps;
  if (entry[field].get(deps) != SUCCESS) return;
  for (auto [k, v] : deps) out->push_back(k);
}

// node's require(): NAME from folder L is L/node_modules/NAME, then the same in
// each enclosing package folder, up to the root's node_modules/NAME. Returns
// the tree's own key (a stable view), or empty when nothing resolves.
std::string_view resolve(const Tree& tree, std::string_view from, std::string_view dep,
                         std::string* scratch) {
  std::string_view base = from;
  for (;;) {
    scratch->assign(base);
    if (!base.empty()) scratch->push_back('/');
    scratch->append(kNodeModules);
    scratch->append(dep);
    if (auto it = tree.find(std::string_view(*scratch)); it != tree.end()) return it->first;
    if (base.empty()) return {};
    size_t pos = base.rfind("/node_modules/");
    base = pos == std::string_view::npos ? std::string_view() : base.substr(0, pos);
  }
}

void build_v2_tree(simdjson::dom::object pkgs, Tree* tree, std::vector<std::string_view>* members) {
  for (auto [key, entry] : pkgs) {
    Node n;
    std::string_view name, resolved;
    bool link = false;
    size_t nm = last_node_modules(key);
    n.name = entry["name"].get(name) == SUCCESS ? name
             : nm != std::string_view::npos     ? key.substr(nm + kNodeModules.size())
                                                : key;
    if (entry["link"].get(link) == SUCCESS && link && entry["resolved"].get(resolved) == SUCCESS)
      n.link_to = resolved;
    add_dep_names(entry, "dependencies", &n.deps);
    add_dep_names(entry, "optionalDependencies", &n.deps);
    add_dep_names(entry, "peerDependencies", &n.deps);
    if (nm == std::string_view::npos) {  // the root and workspace members install their devDependencies
      add_dep_names(entry, "devDependencies", &n.deps);
      if (!key.empty()) members->push_back(key);
    }
    tree->emplace(key, std::move(n));
  }
}

void build_v1_tree(simdjson::dom::object deps, std::string_view parent, Tree* tree, Arena* arena,
                   int depth) {
  if (depth > kMaxV1Depth) return;
  for (auto [key, entry] : deps) {
    std::string& loc = arena->emplace_back(parent);
    if (!parent.empty()) loc.push_back('/');
    loc += kNodeModules;
    loc += key;
    Node n;
    std::string_view version;
    n.name = key;
    if (entry["version"].get(version) == SUCCESS && version.starts_with("npm:"))
      n.name = parse_dep_spec(key, version).name;
    simdjson::dom::object requires_, nested;
    if (entry["requires"].get(requires_) == SUCCESS)
      for (auto [k, v] : requires_) n.deps.push_back(k);
    tree->emplace(loc, std::move(n));
    if (entry["dependencies"].get(nested) == SUCCESS) build_v1_tree(nested, loc, tree, arena, depth + 1);
  }
}

}  // namespace

std::optional<Error> parse_npm_lock(const std::string& path, std::string_view text, PackageSink sink,
                                    ParseStats* stats) {
  return NpmLockParser(path, text, sink).run(stats);
}

std::vector<std::vector<std::string>> npm_lock_dependency_paths(std::string_view text,
                                                                const std::vector<std::string>& locations) {
  std::vector<std::vector<std::string>> out(locations.size());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  // A padded copy: unlike parse_lockfile, this entry point does not require
  // its caller's buffer to be padded, and it runs only for files with findings.
  simdjson::padded_string padded(text);
  if (parser.parse(padded).get(doc) != SUCCESS) return out;

  Tree tree;
  Arena arena;
  std::vector<std::string_view> seeds;  // folders BFS starts from, root first
  simdjson::dom::object pkgs, deps;
  bool v1 = false;
  if (doc["packages"].get(pkgs) == SUCCESS) {
    tree.reserve(pkgs.size());
    build_v2_tree(pkgs, &tree, &seeds);
    std::sort(seeds.begin(), seeds.end());
    tree.try_emplace("");  // a lockfile without a root entry still resolves from the root
  } else if (doc["dependencies"].get(deps) == SUCCESS) {
    // v1 does not record the root's own dependencies: treat every top-level
    // entry nobody else requires as one; the rest are picked up afterwards.
    v1 = true;
    build_v1_tree(deps, "", &tree, &arena, 1);
    std::unordered_set<std::string_view> required;
    for (const auto& [loc, n] : tree) required.insert(n.deps.begin(), n.deps.end());
    Node root;
    for (auto [key, entry] : deps)
      if (!required.contains(key)) root.deps.push_back(key);
    tree[""] = std::move(root);
  } else {
    return out;
  }

  // Breadth-first from the root and the workspace members (dep_chain.h).
  ShortestChains walk(locations);
  std::string scratch;
  auto bfs = [&] {
    for (std::string_view loc; walk.next(&loc);) {
      const Node& node = tree.at(loc);
      for (std::string_view dep : node.deps) {
        std::string_view target = resolve(tree, loc, dep, &scratch);
        if (target.empty()) continue;
        const Node& t = tree.at(target);
        auto linked = t.link_to.empty() ? tree.end() : tree.find(t.link_to);
        std::string_view name = linked == tree.end() ? t.name : linked->second.name;
        if (linked != tree.end()) walk.reach(linked->first, loc, name);
        walk.reach(target, loc, name);
      }
    }
  };
  walk.start("", "");
  for (std::string_view m : seeds) walk.start(m, m);
  bfs();
  if (v1) {
    for (auto [key, entry] : deps) {
      if (walk.done()) break;
      auto it = tree.find(std::string(kNodeModules) + std::string(key));
      if (it != tree.end() && !walk.visited(it->first)) {
        walk.start(it->first, it->second.name);
        bfs();
      }
    }
  }
  out = walk.chains(locations);
  return out;
}

}  // namespace gv
