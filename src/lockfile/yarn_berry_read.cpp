#include "lockfile/yarn_berry_read.h"

#include <cstring>
#include <unordered_map>

namespace gv::berry {

bool split_descriptor(std::string_view d, std::string_view* name, std::string_view* range) {
  size_t at = d.find('@', 1);  // a scoped name starts with '@'
  if (d.empty() || at == std::string_view::npos) return false;
  *name = d.substr(0, at);
  *range = d.substr(at + 1);
  return true;
}

void normalize_descriptor(std::string_view name, std::string_view range, std::string* out) {
  // Keys of file:/portal:/link: entries carry a binding the dependency does
  // not: "local-lib@file:./local-lib::locator=fixture-app%40workspace%3A."
  // is what `local-lib: "file:./local-lib"` resolved to.
  range = range.substr(0, range.find("::"));
  out->assign(name);
  out->push_back('@');
  // A protocol is letters then ':' ("npm:", "patch:", "git+ssh:"); a semver
  // range never has one.
  size_t colon = range.find(':');
  bool has_protocol = colon != std::string_view::npos && colon > 0;
  for (size_t i = 0; has_protocol && i < colon; ++i) {
    char c = range[i];
    if (!((c >= 'a' && c <= 'z') || c == '+' || c == '-')) has_protocol = false;
  }
  if (!has_protocol) out->append("npm:");
  out->append(range);
}

namespace {

bool all_ascii(std::string_view s) {
  unsigned char acc = 0;
  for (char c : s) acc |= static_cast<unsigned char>(c);
  return acc < 0x80;
}

// Known entry fields read twice in one entry are an error, like yarn's
// YAML loader (js-yaml) says "duplicated mapping key".
enum Field : uint8_t { kVersion = 1, kResolution = 2, kDependencies = 4, kDependenciesMeta = 8 };

}  // namespace

Reader::Reader(const std::string& path, std::string_view text, bool keep_edges)
    : path_(path), text_(text), yaml_(path, text), ascii_(all_ascii(text)), keep_edges_(keep_edges) {}

std::string_view Reader::keep(const YamlEvent& ev) {
  size_t at = ev.offset;  // YamlReader offsets are bytes
  std::string_view v = ev.value;
  if (!ev.plain && at < text_.size() && (text_[at] == '"' || text_[at] == '\'')) ++at;
  if (v.data() == text_.data() + at) return v;  // the fast tokenizer's views into the file
  if (at <= text_.size() && text_.size() - at >= v.size() && std::memcmp(text_.data() + at, v.data(), v.size()) == 0)
    return text_.substr(at, v.size());
  // An escaped or folded scalar: libyaml's decoded text differs from the file.
  owned_.emplace_back(v);
  return owned_.back();
}

std::optional<Error> Reader::read(Lock* out) {
  // libyaml reports bad UTF-8 without a position; find it ourselves.
  if (!ascii_) {
    for (size_t i = 0; i < text_.size();) {
      auto b = static_cast<unsigned char>(text_[i]);
      size_t n = b < 0x80 ? 1 : (b >= 0xC2 && b < 0xE0) ? 2 : (b >= 0xE0 && b < 0xF0) ? 3 : (b >= 0xF0 && b < 0xF5) ? 4 : 0;
      bool ok = n != 0 && i + n <= text_.size();
      for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(text_[i + k]) & 0xC0) == 0x80;
      if (!ok) {
        LineCol lc = line_col_at(text_, i);
        return Error{path_, lc.line, lc.col, "invalid UTF-8 (byte 0x" + std::string(1, "0123456789abcdef"[b >> 4]) +
                                                 std::string(1, "0123456789abcdef"[b & 15]) + ")"};
      }
      i += n;
    }
  }
  std::optional<YamlEvent> ev = yaml_.next();
  if (!ev) return yaml_.error();
  if (ev->kind == YamlEvent::kStreamEnd) return Error{path_, 1, 1, "not a yarn berry lockfile: the file is empty"};
  if (ev->kind != YamlEvent::kDocStart) return error_at(*ev, "invalid YAML: expected a document");
  if (!(ev = yaml_.next())) return yaml_.error();
  if (ev->kind != YamlEvent::kMapStart)
    return error_at(*ev, "not a yarn berry lockfile: expected a mapping of entries at the top");

  // Duplicate keys: js-yaml (yarn's loader) refuses them, and silently
  // keeping one would hide a package. Keys are views, so the set copies nothing.
  std::unordered_map<std::string_view, uint32_t> seen;
  for (;;) {
    if (!(ev = yaml_.next())) return yaml_.error();
    if (ev->kind == YamlEvent::kMapEnd) break;
    if (ev->kind != YamlEvent::kScalar) return error_at(*ev, "expected an entry key (a string)");
    YamlEvent key = *ev;
    key.value = keep(*ev);
    auto [it, inserted] = seen.emplace(key.value, key.line);
    if (!inserted)
      return error_at(key, "duplicate key \"" + std::string(key.value) + "\" (first at line " +
                               std::to_string(it->second) + ")");
    if (key.value == "__metadata") {
      if (auto e = read_metadata(out)) return e;
    } else if (auto e = read_entry(key, out)) {
      return e;
    }
  }
  if (!(ev = yaml_.next())) return yaml_.error();
  if (ev->kind != YamlEvent::kDocEnd) return error_at(*ev, "invalid YAML: expected the end of the document");
  if (!(ev = yaml_.next())) return yaml_.error();
  if (ev->kind != YamlEvent::kStreamEnd)
    return error_at(*ev, "not a yarn berry lockfile: more than one YAML document");
  return std::nullopt;
}

std::optional<Error> Reader::read_metadata(Lock* out) {
  std::optional<YamlEvent> ev = yaml_.next();
  if (!ev) return yaml_.error();
  if (ev->kind != YamlEvent::kMapStart) return error_at(*ev, "__metadata: expected a mapping");
  for (;;) {
    if (!(ev = yaml_.next())) return yaml_.error();
    if (ev->kind == YamlEvent::kMapEnd) return std::nullopt;
    if (ev->kind != YamlEvent::kScalar) return error_at(*ev, "__metadata: expected a key (a string)");
    bool is_version = ev->value == "version";
    if (!(ev = yaml_.next())) return yaml_.error();
    if (!is_version) {
      if (!yaml_.skip_node(*ev)) return yaml_.error();
      continue;
    }
    std::string_view v = ev->kind == YamlEvent::kScalar ? ev->value : std::string_view();
    uint64_t n = 0;
    bool ok = !v.empty() && v.size() <= 9;
    for (char c : v) {
      ok = ok && c >= '0' && c <= '9';
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    if (!ok) return error_at(*ev, "__metadata.version: expected a whole number");
    out->format_version = static_cast<uint32_t>(n);
  }
}

std::optional<Error> Reader::read_entry(const YamlEvent& key, Lock* out) {
  std::optional<YamlEvent> ev = yaml_.next();
  if (!ev) return yaml_.error();
  // Built only on error: a string per entry would be most of the allocations.
  auto where = [&key] { return "entry \"" + std::string(key.value) + "\": "; };
  if (ev->kind != YamlEvent::kMapStart) return error_at(*ev, where() + "expected a mapping");
  Entry e;
  e.key = key.value;
  e.offset = key.offset;
  e.line = key.line;
  e.col = key.col;
  e.edges_begin = e.edges_end = static_cast<uint32_t>(out->edges.size());
  optional_names_.clear();
  uint8_t fields = 0;
  for (;;) {
    if (!(ev = yaml_.next())) return yaml_.error();
    if (ev->kind == YamlEvent::kMapEnd) break;
    if (ev->kind != YamlEvent::kScalar) return error_at(*ev, where() + "expected a field name (a string)");
    std::string_view field = ev->value;
    uint8_t bit = field == "version"            ? kVersion
                  : field == "resolution"       ? kResolution
                  : field == "dependencies"     ? kDependencies
                  : field == "dependenciesMeta" ? kDependenciesMeta
                                                : 0;
    if ((fields & bit) != 0) return error_at(*ev, where() + "duplicate key \"" + std::string(field) + "\"");
    fields |= bit;
    if (!(ev = yaml_.next())) return yaml_.error();
    if (bit == kVersion || bit == kResolution) {
      if (ev->kind != YamlEvent::kScalar)
        return error_at(*ev, where() + (bit == kVersion ? "version" : "resolution") + ": expected a string");
      (bit == kVersion ? e.version : e.resolution) = keep(*ev);
    } else if (bit == kDependencies) {
      if (ev->kind != YamlEvent::kMapStart) return error_at(*ev, where() + "dependencies: expected a mapping");
      if (auto err = read_dependencies(out)) return err;
    } else if (bit == kDependenciesMeta) {
      if (ev->kind != YamlEvent::kMapStart) return error_at(*ev, where() + "dependenciesMeta: expected a mapping");
      if (auto err = read_dependencies_meta()) return err;
    } else if (!yaml_.skip_node(*ev)) {
      return yaml_.error();
    }
  }
  if (e.resolution.empty()) return error_at(key, where() + "no \"resolution\"");
  std::string_view rname, rrange;
  if (!split_descriptor(e.resolution, &rname, &rrange))
    return error_at(key, where() + "resolution \"" + std::string(e.resolution) + "\" is not name@reference");
  if (e.version.empty()) return error_at(key, where() + "no \"version\"");
  e.edges_end = static_cast<uint32_t>(out->edges.size());
  for (const std::string& n : optional_names_)
    for (uint32_t i = e.edges_begin; i < e.edges_end; ++i)
      if (out->edges[i].name == n) out->edges[i].optional = true;
  out->entries.push_back(e);
  return std::nullopt;
}

std::optional<Error> Reader::read_dependencies(Lock* out) {
  for (;;) {
    std::optional<YamlEvent> ev = yaml_.next();
    if (!ev) return yaml_.error();
    if (ev->kind == YamlEvent::kMapEnd) return std::nullopt;
    if (ev->kind != YamlEvent::kScalar) return error_at(*ev, "dependencies: expected a package name");
    Edge edge;
    edge.name = keep(*ev);
    if (!(ev = yaml_.next())) return yaml_.error();
    if (ev->kind != YamlEvent::kScalar)
      return error_at(*ev, "dependencies: " + std::string(edge.name) + ": expected a range (a string)");
    edge.range = keep(*ev);
    if (keep_edges_) out->edges.push_back(edge);
  }
}

std::optional<Error> Reader::read_dependencies_meta() {
  // dependenciesMeta: { fsevents: { optional: true } }; the key may also be
  // "name@version".
  for (;;) {
    std::optional<YamlEvent> ev = yaml_.next();
    if (!ev) return yaml_.error();
    if (ev->kind == YamlEvent::kMapEnd) return std::nullopt;
    if (ev->kind != YamlEvent::kScalar) return error_at(*ev, "dependenciesMeta: expected a package name");
    std::string name(ev->value);
    if (size_t at = name.find('@', 1); at != std::string::npos) name.resize(at);
    if (!(ev = yaml_.next())) return yaml_.error();
    if (ev->kind != YamlEvent::kMapStart) {
      if (!yaml_.skip_node(*ev)) return yaml_.error();
      continue;
    }
    for (;;) {
      if (!(ev = yaml_.next())) return yaml_.error();
      if (ev->kind == YamlEvent::kMapEnd) break;
      bool is_optional = ev->kind == YamlEvent::kScalar && ev->value == "optional";
      if (!yaml_.skip_node(*ev)) return yaml_.error();  // a non-scalar key
      if (!(ev = yaml_.next())) return yaml_.error();
      if (is_optional && ev->kind == YamlEvent::kScalar && ev->value == "true") optional_names_.push_back(name);
      if (!yaml_.skip_node(*ev)) return yaml_.error();
    }
  }
}

}  // namespace gv::berry
