// package.json sections and npm "overrides".
//
// Overrides may nest ({"foo": {".": "1.0.0", "bar": "2.0.0"}}: foo itself
// and bar under foo), select by range ("foo@1": "2.0.0" overrides foo to
// 2.0.0 where foo@1 was wanted), and reference the root's own spec
// ("foo": "$foo"). A "$name" needs the dependency sections, which may come
// after "overrides" in the file, so overrides are read in a second pass over
// the on-demand document (rewind; stage 1 is not repeated).
#include "lockfile/package_json.h"

#include <unordered_map>

#include "lockfile/json_error.h"
#include "lockfile/spec.h"

namespace gv {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

constexpr int kMaxOverrideDepth = 64;

struct Section {
  std::string_view name;
  uint8_t flags;
};
constexpr Section kSections[] = {
    {"dependencies", 0},
    {"devDependencies", kDev},
    {"optionalDependencies", kOptional},
    {"peerDependencies", kPeer},
};

class PackageJsonParser {
 public:
  PackageJsonParser(const std::string& path, std::string_view text, PackageSink sink)
      : path_(path), text_(text), sink_(sink) {}

  std::optional<Error> run(ParseStats* stats) {
    od::parser& parser = thread_ondemand_parser();
    simdjson::padded_string_view in(text_.data(), text_.size(), text_.size() + simdjson::SIMDJSON_PADDING);
    bool ok = true;
    if (error_code e = parser.iterate(in).get(doc_)) {
      err_ = invalid_json(path_, text_, e, nullptr);
      ok = false;
    }
    ok = ok && sections();
    if (stats != nullptr) {
      stats->format_version = 0;
      stats->packages = emitted_;
    }
    if (!ok) return std::move(err_);
    return std::nullopt;
  }

 private:
  size_t offset_of(const od::raw_json_string& k) const {
    return static_cast<size_t>(k.raw() - text_.data()) - 1;
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
  bool fail(error_code e, size_t off, std::string_view pointer, std::string_view expected) {
    if (e == simdjson::INCORRECT_TYPE) {
      err_ = shape_error(path_, text_, off, pointer, expected);
      return false;
    }
    return fail_json(e);
  }
  std::string pointer(std::string_view key) const {
    // loc_ is "section/key/key..." with raw keys; rebuild it as a JSON pointer.
    std::string p;
    for (std::string_view k : keys_) (p += '/') += json_pointer_token(k);
    if (!key.empty()) (p += '/') += json_pointer_token(key);
    return p;
  }

  bool sections() {
    od::object root;
    if (error_code e = doc_.get_object().get(root)) return fail(e, 0, "", "a JSON object (a package.json)");
    bool overrides = false;
    for (auto fr : root) {
      od::field f;
      if (error_code e = std::move(fr).get(f)) return fail_json(e);
      od::raw_json_string k = f.key();
      if (k == "overrides") {
        overrides = true;
        continue;
      }
      for (const Section& s : kSections) {
        if (!(k == s.name)) continue;
        keys_.assign(1, s.name);
        od::object deps;
        if (error_code e = f.value().get_object().get(deps)) return fail(e, offset_of(k), pointer({}), "an object");
        if (!section(deps, s)) return false;
      }
    }
    if (!at_document_end()) return fail_json(simdjson::TRAILING_CONTENT);
    if (!overrides) return true;
    doc_.rewind();
    if (error_code e = doc_.get_object().get(root)) return fail_json(e);
    for (auto fr : root) {
      od::field f;
      if (error_code e = std::move(fr).get(f)) return fail_json(e);
      od::raw_json_string k = f.key();
      if (!(k == "overrides")) continue;
      keys_.assign(1, "overrides");
      od::object o;
      if (error_code e = f.value().get_object().get(o)) return fail(e, offset_of(k), "/overrides", "an object");
      return override_map(o, {}, 1);
    }
    return true;
  }

  bool section(od::object deps, const Section& s) {
    for (auto fr : deps) {
      od::field f;
      std::string_view key, spec;
      if (error_code e = std::move(fr).get(f)) return fail_json(e);
      od::raw_json_string rk = f.key();
      size_t off = offset_of(rk);
      if (error_code e = f.unescaped_key().get(key)) return fail_json(e);
      if (error_code e = f.value().get_string().get(spec)) return fail(e, off, pointer(key), "a string");
      // Overrides' "$name" resolve to these; owned because the second pass
      // reuses the parser's string buffer. package.json is small.
      root_specs_.try_emplace(std::string(key), spec);
      emit(key, spec, s.flags, off, key);
    }
    return true;
  }

  // `parent` is the package an object of overrides applies under ("." keys).
  bool override_map(od::object o, std::string_view parent, int depth) {
    if (depth > kMaxOverrideDepth) {
      err_ = Error{path_, 0, 0, pointer({}) + ": overrides nested deeper than " + std::to_string(kMaxOverrideDepth) + " levels"};
      return false;
    }
    for (auto fr : o) {
      od::field f;
      std::string_view key;
      if (error_code e = std::move(fr).get(f)) return fail_json(e);
      od::raw_json_string rk = f.key();
      size_t off = offset_of(rk);
      if (error_code e = f.unescaped_key().get(key)) return fail_json(e);
      std::string_view name, selector;
      split_name_at_version(key, &name, &selector);
      od::json_type type;
      if (error_code e = f.value().type().get(type)) return fail_json(e);
      if (type == od::json_type::object) {
        od::object nested;
        if (error_code e = f.value().get_object().get(nested)) return fail_json(e);
        keys_.push_back(key);
        if (!override_map(nested, name, depth + 1)) return false;
        keys_.pop_back();
        continue;
      }
      std::string_view spec;
      if (error_code e = f.value().get_string().get(spec)) return fail(e, off, pointer(key), "a string or an object");
      if (key == ".") {
        if (parent.empty()) continue;  // "." at the top of overrides means nothing
        emit(parent, spec, 0, off, {});
      } else {
        emit(name, spec, 0, off, key);
      }
    }
    return true;
  }

  // `last` is appended to the location ("dependencies/<last>"); empty for ".".
  void emit(std::string_view key, std::string_view spec, uint8_t flags, size_t off, std::string_view last) {
    loc_.clear();
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (i > 0) loc_ += '/';
      loc_ += keys_[i];
    }
    if (!last.empty()) (loc_ += '/') += last;

    SourceKind unresolved = SourceKind::kRegistry;
    if (spec.starts_with("$")) {
      auto it = root_specs_.find(std::string(spec.substr(1)));
      if (it != root_specs_.end()) spec = it->second;
      else unresolved = SourceKind::kUnknown;  // npm itself refuses such a file
    }
    DepSpec d = parse_dep_spec(key, spec);
    PackageRef p;
    p.name = d.name;
    p.version = d.version;
    if (d.aliased) p.alias = key;
    p.location = loc_;
    p.offset = off;
    p.flags = static_cast<uint8_t>(flags | kRange | kDirect);
    p.source = unresolved == SourceKind::kUnknown ? unresolved : d.source;
    sink_(p);
    ++emitted_;
  }

  const std::string& path_;
  std::string_view text_;
  PackageSink sink_;
  od::document doc_;
  std::optional<Error> err_;
  size_t emitted_ = 0;
  std::unordered_map<std::string, std::string> root_specs_;
  std::vector<std::string_view> keys_;
  std::string loc_;
};

}  // namespace

std::optional<Error> parse_package_json(const std::string& path, std::string_view text, PackageSink sink,
                                        ParseStats* stats) {
  return PackageJsonParser(path, text, sink).run(stats);
}

std::vector<std::vector<std::string>> package_json_dependency_paths(
    std::string_view text, const std::vector<std::string>& locations) {
  std::vector<std::vector<std::string>> out(locations.size());
  simdjson::padded_string padded(text);
  std::unordered_map<std::string, std::string> names;
  auto record = [&](const PackageRef& p) { names.try_emplace(std::string(p.location), p.name); };
  if (parse_package_json("", std::string_view(padded.data(), padded.size()), record, nullptr)) return out;
  for (size_t i = 0; i < locations.size(); ++i)
    if (auto it = names.find(locations[i]); it != names.end()) out[i] = {it->second};
  return out;
}

}  // namespace gv
