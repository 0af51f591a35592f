// How a bun.lock becomes packages (see docs/lockfiles.md, "bun.lock").
//
// bun.lock is JSONC; jsonc_to_json() blanks its trailing commas (and any
// comments) in a copy with identical byte offsets, which simdjson On-Demand
// then reads in one forward pass:
//
//   "workspaces": { "": {name, dependencies, devDependencies, ...},
//                   "packages/app": {...} }
//   "packages": { "<key>": ["name@version", <registry>, {deps...},
//   "sha512-..."] }
//
// A packages key is the install path: "debug" is hoisted, "express/debug" is
// debug as seen from express, "@fixture/util/semver" semver as seen from the
// workspace member @fixture/util. The tuple's first element names the real
// package, so an npm: alias is a key whose last segment differs from it
// ("my-lodash": ["lodash@4.17.20", ...]). Its version says where it came
// from: "workspace:" / "link:" (the project's own code, not emitted), "file:"
// (a folder: not emitted, like npm's file: links; a tarball: kFile), git
// ("git+...#sha", "github:..."), tarball (an http(s) URL), else registry.
// Only the first element is read here; the rest is skipped.
//
// Workspaces come before packages in what bun writes; a file with packages
// first is handled by skipping packages and rewinding the document once.
#include "lockfile/bun_lock.h"

#include <algorithm>
#include <deque>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "lockfile/bun_jsonc.h"
#include "lockfile/dep_chain.h"
#include "lockfile/json_error.h"
#include "lockfile/spec.h"

namespace gv {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

// Which dependency maps of the workspaces declare a name.
enum Declared : uint8_t { kInDeps = 1, kInDev = 2, kInOptional = 4, kInPeer = 8 };

uint8_t declared_bit(const od::raw_json_string& k) {
  if (k == "dependencies") return kInDeps;
  if (k == "devDependencies") return kInDev;
  if (k == "optionalDependencies") return kInOptional;
  if (k == "peerDependencies") return kInPeer;
  return 0;
}

std::string_view map_name(uint8_t bit) {
  switch (bit) {
    case kInDeps:
      return "dependencies";
    case kInDev:
      return "devDependencies";
    case kInOptional:
      return "optionalDependencies";
    default:
      return "peerDependencies";
  }
}

// Flags for a direct dependency from where the workspaces declare it: dev or
// optional only when no other map declares it (then it is installed anyway).
uint8_t direct_flags(uint8_t declared) {
  uint8_t f = kDirect;
  if (declared & (kInDeps | kInPeer | kInOptional)) {
    if (!(declared & (kInDeps | kInPeer)) && (declared & kInOptional))
      f |= kOptional;
    else if (declared == kInPeer)
      f |= kPeer;
  } else if (declared & kInDev) {
    f |= kDev;
  }
  return f;
}

// Splits a packages key at its last path segment: "express/debug" ->
// ("express", "debug"), "@s/a/@t/b" -> ("@s/a", "@t/b"), "@s/a" -> ("",
// "@s/a").
void split_key(std::string_view key, std::string_view* parent, std::string_view* last) {
  size_t slash = key.rfind('/');
  if (slash != std::string_view::npos && slash > 0) {
    size_t prev = key.rfind('/', slash - 1);
    size_t seg = prev == std::string_view::npos ? 0 : prev + 1;
    if (key[seg] == '@') slash = seg == 0 ? std::string_view::npos : seg - 1;
  }
  if (slash == std::string_view::npos) {
    *parent = {};
    *last = key;
  } else {
    *parent = key.substr(0, slash);
    *last = key.substr(slash + 1);
  }
}

bool is_tarball_path(std::string_view v) {
  return v.ends_with(".tgz") || v.ends_with(".tar.gz") || v.ends_with(".tar");
}

// Where a package came from, from the version part of "name@version".
// Returns false for the project's own code (workspace, link, file: folder).
bool bun_source(std::string_view v, SourceKind* out) {
  if (v.starts_with("workspace:") || v.starts_with("link:") || v.starts_with("root:")) return false;
  if (v.starts_with("file:")) {
    if (!is_tarball_path(v)) return false;
    *out = SourceKind::kFile;
  } else if (v.starts_with("git+") || v.starts_with("git:") || v.starts_with("github:") || v.starts_with("gitlab:") ||
             v.starts_with("bitbucket:") || v.starts_with("ssh:")) {
    *out = SourceKind::kGit;
  } else if (v.starts_with("http://") || v.starts_with("https://")) {
    *out = SourceKind::kTarball;
  } else if (is_tarball_path(v) && !v.empty() && (v[0] == '.' || v[0] == '/')) {
    *out = SourceKind::kFile;
  } else {
    *out = SourceKind::kRegistry;
  }
  return true;
}

class BunLockParser {
 public:
  BunLockParser(const std::string& path, std::string_view text, PackageSink sink)
      : path_(path), text_(text), sink_(sink) {}

  std::optional<Error> run(ParseStats* stats) {
    if (text_.find_first_not_of(" \t\r\n") == std::string_view::npos)
      return invalid_json(path_, text_, simdjson::EMPTY, nullptr);
    json_ = jsonc_to_json(text_, simdjson::SIMDJSON_PADDING);
    base_ = json_.buf.get();
    od::parser& parser = thread_ondemand_parser();
    simdjson::padded_string_view in(base_, json_.size, json_.size + simdjson::SIMDJSON_PADDING);
    bool ok = false;
    if (error_code e = parser.iterate(in).get(doc_))
      err_ = invalid_json(path_, text_, e, nullptr);
    else
      ok = top_level();
    if (stats != nullptr) {
      stats->format_version = version_;
      stats->packages = emitted_;
    }
    if (!ok) return std::move(err_);
    return std::nullopt;
  }

 private:
  size_t offset_of(const od::raw_json_string& k) const {
    return static_cast<size_t>(k.raw() - base_) - 1;  // the key's opening quote
  }
  bool fail_json(error_code e) {
    const char* where = nullptr;
    if (doc_.current_location().get(where) != SUCCESS) where = nullptr;
    // Locations point into the copy; the same offset in the file.
    if (where != nullptr) where = text_.data() + (where - base_);
    err_ = invalid_json(path_, text_, e, where);
    return false;
  }
  bool fail(error_code e, size_t off, std::string_view pointer, std::string_view expected) {
    if (e == simdjson::INCORRECT_TYPE || e == simdjson::NUMBER_ERROR || e == simdjson::NUMBER_OUT_OF_RANGE) {
      err_ = shape_error(path_, text_, off, pointer, expected);
      return false;
    }
    return fail_json(e);
  }

  bool top_level() {
    od::object root;
    if (error_code e = doc_.get_object().get(root)) return fail(e, 0, "", "a JSON object (a bun.lock)");
    bool have_version = false, have_ws = false, have_pkgs = false, deferred = false;
    size_t deferred_off = 0;
    for (auto fr : root) {
      od::field f;
      if (error_code e = std::move(fr).get(f)) return fail_json(e);
      od::raw_json_string k = f.key();
      size_t off = offset_of(k);
      if (k == "lockfileVersion") {
        uint64_t v = 0;
        if (error_code e = f.value().get_uint64().get(v)) return fail(e, off, "/lockfileVersion", "a whole number");
        version_ = static_cast<uint32_t>(std::min<uint64_t>(v, UINT32_MAX));
        have_version = true;
      } else if (k == "workspaces") {
        if (!workspaces(f.value(), off)) return false;
        have_ws = true;
      } else if (k == "packages") {
        if (!have_ws) {  // declared names are not known yet: come back for it
          deferred = true;
          deferred_off = off;
          continue;
        }
        if (!packages(f.value(), off)) return false;
        have_pkgs = true;
      }
    }
    if (const char* rest = nullptr; doc_.current_location().get(rest) == SUCCESS)
      return fail_json(simdjson::TRAILING_CONTENT);
    if (deferred) {
      doc_.rewind();
      od::object again;
      od::value pkgs;
      if (error_code e = doc_.get_object().get(again)) return fail_json(e);
      if (error_code e = again.find_field_unordered("packages").get(pkgs)) return fail_json(e);
      if (!packages(pkgs, deferred_off)) return false;
      have_pkgs = true;
    }
    if (!have_version && !have_ws && !have_pkgs) {
      err_ = Error{path_, 1, 1,
                   "not a bun.lock: no \"lockfileVersion\", \"workspaces\" or "
                   "\"packages\""};
      return false;
    }
    return true;
  }

  // Collects, per workspace member (by its package name) and for all of them
  // together, which dependency maps declare each name. Owned strings: a
  // rewind reuses the parser's string buffer, and workspaces are few.
  bool workspaces(od::value v, size_t off) {
    od::object ws;
    if (error_code e = v.get_object().get(ws)) return fail(e, off, "/workspaces", "an object");
    for (auto fr : ws) {
      od::field f;
      std::string_view wkey;
      if (error_code e = std::move(fr).get(f)) return fail_json(e);
      size_t woff = offset_of(f.key());
      if (error_code e = f.unescaped_key().get(wkey)) return fail_json(e);
      std::string ptr = "/workspaces/" + json_pointer_token(wkey);
      od::object member;
      if (error_code e = f.value().get_object().get(member)) return fail(e, woff, ptr, "an object");
      std::string name;
      std::map<std::string, uint8_t> declared;
      for (auto mr : member) {
        od::field mf;
        if (error_code e = std::move(mr).get(mf)) return fail_json(e);
        od::raw_json_string mk = mf.key();
        size_t moff = offset_of(mk);
        if (mk == "name") {
          std::string_view s;
          if (error_code e = mf.value().get_string().get(s)) return fail(e, moff, ptr + "/name", "a string");
          name = s;
        } else if (uint8_t bit = declared_bit(mk)) {
          od::object deps;
          if (error_code e = mf.value().get_object().get(deps))
            return fail(e, moff, ptr + "/" + std::string(map_name(bit)), "an object");
          for (auto dr : deps) {
            od::field df;
            std::string_view dep;
            if (error_code e = std::move(dr).get(df)) return fail_json(e);
            if (error_code e = df.unescaped_key().get(dep)) return fail_json(e);
            declared[std::string(dep)] |= bit;
          }
        }
      }
      for (const auto& [dep, bits] : declared) all_declared_[dep] |= bits;
      if (!wkey.empty() && !name.empty()) member_declared_[name] = std::move(declared);
    }
    return true;
  }

  bool packages(od::value v, size_t off) {
    od::object pkgs;
    if (error_code e = v.get_object().get(pkgs)) return fail(e, off, "/packages", "an object");
    for (auto fr : pkgs) {
      od::field f;
      if (error_code e = std::move(fr).get(f)) return fail_json(e);
      size_t koff = offset_of(f.key());
      std::string_view key;
      if (error_code e = f.unescaped_key().get(key)) return fail_json(e);
      od::array tuple;
      if (error_code e = f.value().get_array().get(tuple))
        return fail(e, koff, "/packages/" + json_pointer_token(key), "an array [\"name@version\", ...]");
      std::string_view nv;
      bool got = false;
      for (auto er : tuple) {  // only the first element; the loop body breaks
        od::value first;
        if (error_code e = std::move(er).get(first)) return fail_json(e);
        if (error_code e = first.get_string().get(nv))
          return fail(e, koff, "/packages/" + json_pointer_token(key) + "/0", "a string \"name@version\"");
        got = true;
        break;
      }
      if (!got)
        return fail(simdjson::INCORRECT_TYPE, koff, "/packages/" + json_pointer_token(key),
                    "an array [\"name@version\", ...]");
      PackageRef p;
      if (!split_name_at_version(nv, &p.name, &p.version) || p.name.empty())
        return fail(simdjson::INCORRECT_TYPE, koff, "/packages/" + json_pointer_token(key) + "/0",
                    "a string \"name@version\"");
      if (!bun_source(p.version, &p.source)) continue;
      std::string_view parent, last;
      split_key(key, &parent, &last);
      if (last != p.name) p.alias = last;
      p.location = key;
      p.offset = koff;
      p.flags = flags_for(parent, last);
      sink_(p);
      ++emitted_;
    }
    return true;
  }

  // A hoisted key declared by any workspace, or a key nested under a member
  // ("@fixture/util/semver") declared by that member, is a direct dependency.
  uint8_t flags_for(std::string_view parent, std::string_view last) const {
    if (all_declared_.empty()) return 0;
    scratch_.assign(last);
    if (parent.empty()) {
      auto it = all_declared_.find(scratch_);
      return it == all_declared_.end() ? 0 : direct_flags(it->second);
    }
    if (member_declared_.empty()) return 0;
    scratch_parent_.assign(parent);
    auto m = member_declared_.find(scratch_parent_);
    if (m == member_declared_.end()) return 0;
    auto it = m->second.find(scratch_);
    return it == m->second.end() ? 0 : direct_flags(it->second);
  }

  const std::string& path_;
  std::string_view text_;
  PackageSink sink_;
  StrictJson json_;
  const char* base_ = nullptr;
  od::document doc_;
  std::optional<Error> err_;
  uint32_t version_ = 0;
  size_t emitted_ = 0;
  std::unordered_map<std::string, uint8_t> all_declared_;
  std::unordered_map<std::string, std::map<std::string, uint8_t>> member_declared_;
  mutable std::string scratch_,
      scratch_parent_;  // lookup keys, reused: no allocation per package
};

// ---- dependency paths (slow path, DOM) -------------------------------------

// Views into the DOM's strings, alive as long as the dom::parser.
struct Node {
  std::string_view name;               // real package name
  std::vector<std::string_view> deps;  // declared dependency names
};
using Tree = std::unordered_map<std::string_view, Node>;

void add_dep_names(simdjson::dom::object meta, std::string_view field, std::vector<std::string_view>* out) {
  simdjson::dom::object deps;
  if (meta[field].get(deps) != SUCCESS) return;
  for (auto [k, v] : deps) out->push_back(k);
}

// bun's resolution: NAME seen from key K is K/NAME, else the same from each
// shorter prefix of K ("express/debug" -> "express"), else the hoisted NAME.
std::string_view resolve(const Tree& tree, std::string_view from, std::string_view dep, std::string* scratch) {
  std::string_view base = from;
  for (;;) {
    scratch->assign(base);
    if (!base.empty()) scratch->push_back('/');
    scratch->append(dep);
    if (auto it = tree.find(std::string_view(*scratch)); it != tree.end()) return it->first;
    if (base.empty()) return {};
    std::string_view parent, last;
    split_key(base, &parent, &last);
    base = parent;
  }
}

}  // namespace

std::optional<Error> parse_bun_lock(const std::string& path, std::string_view text, PackageSink sink,
                                    ParseStats* stats) {
  return BunLockParser(path, text, sink).run(stats);
}

std::vector<std::vector<std::string>> bun_lock_dependency_paths(std::string_view text,
                                                                const std::vector<std::string>& locations) {
  std::vector<std::vector<std::string>> out(locations.size());
  StrictJson json = jsonc_to_json(text, simdjson::SIMDJSON_PADDING);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object pkgs, ws;
  if (parser.parse(json.buf.get(), json.size, false).get(doc) != SUCCESS) return out;
  if (doc["packages"].get(pkgs) != SUCCESS) return out;

  Tree tree;
  tree.reserve(pkgs.size() + 1);
  for (auto [key, tuple] : pkgs) {
    simdjson::dom::array arr;
    std::string_view nv, version;
    Node n;
    if (tuple.get(arr) != SUCCESS || arr.at(0).get(nv) != SUCCESS) continue;
    split_name_at_version(nv, &n.name, &version);
    for (auto el : arr) {  // the metadata is the tuple's only object
      simdjson::dom::object meta;
      if (el.get(meta) != SUCCESS) continue;
      add_dep_names(meta, "dependencies", &n.deps);
      add_dep_names(meta, "optionalDependencies", &n.deps);
      add_dep_names(meta, "peerDependencies", &n.deps);
      break;
    }
    tree.emplace(key, std::move(n));
  }
  // The root and workspace members install their devDependencies too. A
  // member is the packages entry named after it ("@fixture/app"); its chains
  // start with its folder ("packages/app"), as in npm_lock.cpp.
  std::vector<std::pair<std::string_view, std::string_view>> members;  // (folder, key)
  Node& root = tree[""];
  if (doc["workspaces"].get(ws) == SUCCESS) {
    for (auto [folder, member] : ws) {
      simdjson::dom::object m;
      if (member.get(m) != SUCCESS) continue;
      std::vector<std::string_view> deps;
      for (std::string_view field : {"dependencies", "devDependencies", "optionalDependencies", "peerDependencies"})
        add_dep_names(m, field, &deps);
      if (folder.empty()) {
        root.deps = std::move(deps);
        continue;
      }
      std::string_view name;
      if (m["name"].get(name) != SUCCESS) continue;
      auto it = tree.find(name);
      if (it == tree.end()) continue;
      it->second.deps = std::move(deps);
      members.emplace_back(folder, it->first);
    }
  }
  std::sort(members.begin(), members.end());

  // Breadth-first from the root and the workspace members (dep_chain.h).
  ShortestChains walk(locations);
  walk.start("", "");
  for (auto [folder, key] : members) walk.start(key, folder);
  std::string scratch;
  for (std::string_view key; walk.next(&key);) {
    for (std::string_view dep : tree.at(key).deps) {
      std::string_view target = resolve(tree, key, dep, &scratch);
      if (!target.empty()) walk.reach(target, key, tree.at(target).name);
    }
  }
  out = walk.chains(locations);
  return out;
}

}  // namespace gv
