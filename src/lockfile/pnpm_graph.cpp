// The YAML walk behind read_pnpm_graph(); see pnpm_graph.h for the shapes.
#include "lockfile/pnpm_graph.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_map>

#include "lockfile/json_error.h"
#include "lockfile/spec.h"
#include "lockfile/yaml_reader.h"

namespace gv {
namespace {

bool is_null(const YamlEvent& ev) {
  return ev.kind == YamlEvent::kScalar && ev.plain && (ev.value.empty() || ev.value == "~" || ev.value == "null");
}
bool is_true(const YamlEvent& ev) { return ev.kind == YamlEvent::kScalar && ev.plain && ev.value == "true"; }

std::string_view found(const YamlEvent& ev) {
  switch (ev.kind) {
    case YamlEvent::kScalar: return "a scalar";
    case YamlEvent::kMapStart: return "a map";
    case YamlEvent::kSeqStart: return "a list";
    default: return "nothing";
  }
}

// "5.4" -> 5, "9.0" -> 9; 0 when not a number.
uint32_t major_of(std::string_view v) {
  uint32_t m = 0;
  size_t i = 0;
  for (; i < v.size() && v[i] >= '0' && v[i] <= '9' && m < 100000; ++i) m = m * 10 + static_cast<uint32_t>(v[i] - '0');
  return i == 0 ? 0 : m;
}

// Strips a peer suffix: "(react@18.2.0)" (6.0, 9.0; nested in pnpm 10+) or,
// in 5.x, "_react@18.2.0" (semver never contains '_').
std::string_view strip_peers(std::string_view version, uint32_t major) {
  size_t p = version.find('(');
  if (p != std::string_view::npos && p > 0) version = version.substr(0, p);
  if (major < 6) {
    size_t u = version.find('_');
    if (u != std::string_view::npos && u > 0) version = version.substr(0, u);
  }
  return version;
}

// Name and version from a key, the way @pnpm/dependency-path parses it.
// False when the key is not of that shape (pnpm 7's "/tmp/x/tiny-git/<sha>"
// for a git+file: dependency, 6.0's "file:local-lib"): the entry's own
// name/version fields, or the edge pointing at it, must tell.
bool name_version_of_key(std::string_view key, uint32_t major, std::string_view* name,
                         std::string_view* version) {
  if (major < 9) {
    if (!key.starts_with('/')) return false;
    key.remove_prefix(1);
  }
  if (major < 6) {  // "name/1.2.3_peers" or "@scope/name/1.2.3_peers"
    size_t slash = key.find('/');
    if (slash != std::string_view::npos && key.starts_with('@')) slash = key.find('/', slash + 1);
    if (slash == std::string_view::npos || slash == 0) return false;
    std::string_view v = strip_peers(key.substr(slash + 1), major);
    if (v.empty() || v.find('/') != std::string_view::npos) return false;
    *name = key.substr(0, slash);
    *version = v;
    return true;
  }
  size_t at = key.find('@', 1);  // names never contain '@' past a scope's first char
  if (at == std::string_view::npos || at + 1 >= key.size()) return false;
  *name = key.substr(0, at);
  *version = strip_peers(key.substr(at + 1), major);
  return !version->empty();
}

// Each nesting level costs libyaml's scanner work per token (its simple-key
// stack), so deeply nested flow collections ("[[[[...") are quadratic.
// pnpm writes at most 5 levels.
constexpr int kMaxDepth = 64;

// "/packages/a@1.0.0/dependencies": a JSON pointer, as the npm parser's
// errors name fields, built only when there is an error to report.
// The parts are literals or stable views, so a Ptr is a few words on the stack.
struct Ptr {
  std::array<std::string_view, 5> part;
  size_t n = 0;
  Ptr with(std::string_view x) const {
    Ptr q = *this;
    if (q.n < q.part.size()) q.part[q.n++] = x;
    return q;
  }
  std::string str() const {
    std::string p;
    for (size_t i = 0; i < n; ++i) (p += '/') += json_pointer_token(part[i]);
    return p.empty() ? "/" : p;
  }
};
Ptr ptr(std::string_view a) { return Ptr{}.with(a); }

// Offset of the first byte that is not valid UTF-8, or npos.
size_t first_bad_utf8(std::string_view t) {
  const auto* s = reinterpret_cast<const unsigned char*>(t.data());
  size_t i = 0, n = t.size();
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (len == 0 || i + len > n) return i;
    for (size_t k = 1; k < len; ++k)
      if ((s[i + k] & 0xC0) != 0x80) return i;
    unsigned char c1 = s[i + 1];
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F))
      return i;
    i += len;
  }
  return std::string_view::npos;
}

// 9.0 "packages" metadata, merged into the snapshots that share its key.
struct Meta {
  std::string_view name, version;
  SourceKind source = SourceKind::kRegistry;
  size_t offset = 0;
};

// Where an entry being read comes from.
struct EntryFields {
  std::string_view name, version;
  uint8_t flags = 0;
  SourceKind source = SourceKind::kRegistry;
};

class GraphReader {
 public:
  GraphReader(const std::string& path, std::string_view text, PnpmLock* out, YamlReader* y, bool plain_edges)
      : path_(path), text_(text), y_(y), out_(out), plain_edges_(plain_edges) {
    // Real lockfiles spend 200-600 bytes per package and per snapshot; a
    // table that must grow rehashes every key (cache misses), so guess high.
    // snapshots are sized again from the packages count when they start.
    const size_t guess = text.size() / 250;
    pkg_index_.reserve(guess);
    pkgs_.reserve(guess);
    edges_.reserve(guess * 2);
  }

  std::optional<Error> run() {
    if (!read_stream()) return std::move(err_);
    return std::nullopt;
  }

 private:
  bool next(YamlEvent* ev) {
    if (!y_->next(ev)) {
      err_ = y_->error();
      // libyaml decodes ahead, so its position for bad UTF-8 is not the byte's.
      if (err_.what.find("UTF-8") != std::string::npos) {
        if (size_t bad = first_bad_utf8(text_); bad != std::string_view::npos) {
          LineCol lc = line_col_at(text_, bad);
          err_.line = lc.line;
          err_.col = lc.col;
          err_.what += " (byte " + std::to_string(bad) + ")";
        }
      }
      return false;
    }
    return count_depth(*ev);  // offsets are bytes: YamlReader converts libyaml's character index
  }

  bool count_depth(const YamlEvent& e) {
    const YamlEvent* ev = &e;
    if (ev->kind == YamlEvent::kMapStart || ev->kind == YamlEvent::kSeqStart) {
      if (++depth_ > kMaxDepth)
        return fail(*ev, "nesting deeper than " + std::to_string(kMaxDepth) + " levels refused (pnpm writes at most 5)");
    } else if (ev->kind == YamlEvent::kMapEnd || ev->kind == YamlEvent::kSeqEnd) {
      --depth_;
    }
    return true;
  }

  // Skips the node `start` opened, through next() (so the depth limit holds).
  bool skip(const YamlEvent& start) {
    if (start.kind != YamlEvent::kMapStart && start.kind != YamlEvent::kSeqStart) return true;
    const int target = depth_ - 1;
    YamlEvent ev;
    while (depth_ > target)
      if (!next(&ev)) return false;
    return true;
  }
  bool fail(const YamlEvent& ev, std::string what) {
    err_ = Error{path_, ev.line, ev.col, std::move(what)};
    return false;
  }
  bool fail_shape(const YamlEvent& ev, std::string what, std::string_view expected) {
    ((((what += ": expected ") += expected) += ", found ") += found(ev));
    return fail(ev, std::move(what));
  }

  // A view of the scalar that outlives the event: into the file when the
  // text is there verbatim (plain or quoted without escapes), else a copy.
  std::string_view stable(const YamlEvent& ev) {
    std::string_view v = ev.value;
    size_t off = ev.offset + (ev.plain ? 0 : 1);
    // The fast tokenizer hands out views into the file itself: nothing to check.
    if (v.data() == text_.data() + off) return v;
    if (off <= text_.size() && v.size() <= text_.size() - off && text_.compare(off, v.size(), v) == 0)
      return text_.substr(off, v.size());
    return out_->owned.emplace_back(v);
  }

  // Next key of a map whose start was consumed: false on error; *end when the
  // map is over. Keys must be scalars (pnpm never writes complex keys).
  bool key(YamlEvent* ev, bool* end, const Ptr& where) {
    if (!next(ev)) return false;
    *end = ev->kind == YamlEvent::kMapEnd;
    if (*end || ev->kind == YamlEvent::kScalar) return true;
    return fail_shape(*ev, where.str(), "a scalar key");
  }

  // A map value, or null (treated as empty): *present false for null.
  bool open_map(const YamlEvent& ev, const Ptr& where, std::string_view what, bool* present) {
    *present = ev.kind == YamlEvent::kMapStart;
    if (*present || is_null(ev)) return true;
    return fail_shape(ev, where.str(), what);
  }

  bool read_stream() {
    YamlEvent ev;
    if (!next(&ev)) return false;
    if (ev.kind == YamlEvent::kStreamEnd)
      return fail(ev, "empty file: not a pnpm lockfile (no lockfileVersion)");
    bool have_version = false;
    // pnpm writes one document; a stream of several is read in order (a
    // later "lockfileVersion"/section simply adds to the earlier ones).
    while (ev.kind == YamlEvent::kDocStart) {
      YamlEvent root;
      if (!next(&root)) return false;
      if (root.kind == YamlEvent::kMapStart) {
        if (!top_level(&have_version)) return false;
      } else if (!is_null(root)) {
        return fail_shape(root, "the document", "a map (lockfileVersion, importers, packages, ...)");
      }
      if (!next(&ev) || !next(&ev)) return false;  // document end, then the next start or stream end
    }
    if (!have_version) return fail(YamlEvent{.line = 1, .col = 1}, "not a pnpm lockfile: no lockfileVersion");
    return finish();
  }

  bool top_level(bool* have_version) {
    for (;;) {
      YamlEvent k, v;
      bool end = false;
      if (!key(&k, &end, Ptr{})) return false;
      if (end) return true;
      enum { kOther, kVersion, kImporters, kPackages, kSnapshots, kDeps, kDevDeps, kOptDeps } which = kOther;
      if (k.value == "lockfileVersion") which = kVersion;
      else if (k.value == "importers") which = kImporters;
      else if (k.value == "packages") which = kPackages;
      else if (k.value == "snapshots") which = kSnapshots;
      else if (k.value == "dependencies") which = kDeps;
      else if (k.value == "devDependencies") which = kDevDeps;
      else if (k.value == "optionalDependencies") which = kOptDeps;
      if (which != kOther && which != kVersion && !seen_.emplace(stable(k), k.line).second)
        return fail(k, "duplicate top-level key '" + std::string(k.value) + "'");
      if (!next(&v)) return false;
      switch (which) {
        case kOther:
          if (!skip(v)) return false;
          break;
        case kVersion:
          if (v.kind != YamlEvent::kScalar || major_of(v.value) == 0)
            return fail_shape(v, "/lockfileVersion", "a version number such as '9.0'");
          out_->major = major_of(v.value);
          *have_version = true;
          break;
        case kImporters:
          if (!importers(v)) return false;
          break;
        case kPackages:
        case kSnapshots:
          // 9.0 separates metadata ("packages") from instances ("snapshots");
          // before 9.0 "packages" holds the instances. The version comes
          // first in every file pnpm writes; without it, assume 9.0 only
          // when a "snapshots" section shows up (see finish()).
          if (!entries(v, which == kSnapshots)) return false;
          break;
        case kDeps:
        case kDevDeps:
        case kOptDeps: {
          // Before 6.0 a workspace-less lockfile lists the root's
          // dependencies at the top; 6.0 too, as {specifier, version}.
          PnpmImporter& imp = root_importer();
          uint8_t sec = which == kDevDeps ? kDev : which == kOptDeps ? kOptional : 0;
          std::string_view name = which == kDeps      ? "dependencies"
                                  : which == kDevDeps ? "devDependencies"
                                                      : "optionalDependencies";
          if (!importer_section(v, &imp, ptr(name), sec))
            return false;
          break;
        }
      }
    }
  }

  PnpmImporter& root_importer() {
    if (root_importer_ == SIZE_MAX) {
      root_importer_ = out_->importers.size();
      out_->importers.push_back(PnpmImporter{".", 0});
    }
    return out_->importers[root_importer_];
  }

  bool importers(const YamlEvent& v) {
    bool present = false;
    if (!open_map(v, ptr("importers"), "a map of workspace folders", &present)) return false;
    if (!present) return true;
    for (;;) {
      YamlEvent k, body;
      bool end = false;
      if (!key(&k, &end, ptr("importers"))) return false;
      if (end) return true;
      std::string_view path = stable(k);
      if (!next(&body)) return false;
      if (!open_map(body, ptr("importers").with(path), "a map (dependencies, devDependencies, ...)", &present)) return false;
      if (!present) continue;
      // The root may already exist (5.x/6.0 top-level sections); a repeated
      // importer key elsewhere is kept as a second importer.
      PnpmImporter* imp = nullptr;
      if (path == "." && root_importer_ != SIZE_MAX) {
        imp = &out_->importers[root_importer_];
      } else {
        if (path == ".") root_importer_ = out_->importers.size();
        imp = &out_->importers.emplace_back(PnpmImporter{path, 0});
      }
      const size_t idx = static_cast<size_t>(imp - out_->importers.data());
      for (;;) {
        YamlEvent sk, sv;
        if (!key(&sk, &end, ptr("importers").with(path))) return false;
        if (end) break;
        uint8_t sec = 0;
        bool deps = true;
        std::string_view name;
        if (sk.value == "dependencies") name = "dependencies";
        else if (sk.value == "devDependencies") name = "devDependencies", sec = kDev;
        else if (sk.value == "optionalDependencies") name = "optionalDependencies", sec = kOptional;
        else deps = false;
        if (!next(&sv)) return false;
        if (!deps) {
          if (!skip(sv)) return false;
          continue;
        }
        if (!importer_section(sv, &out_->importers[idx], ptr("importers").with(path).with(name), sec)) return false;
      }
    }
  }

  // name: ref (5.x) or name: {specifier, version} (6.0, 9.0).
  bool importer_section(const YamlEvent& v, PnpmImporter* imp, const Ptr& where, uint8_t sec) {
    bool present = false;
    if (!open_map(v, where, "a map of dependencies", &present)) return false;
    if (!present) return true;
    const size_t idx = static_cast<size_t>(imp - out_->importers.data());
    for (;;) {
      YamlEvent k, dv;
      bool end = false;
      if (!key(&k, &end, where)) return false;
      if (end) return true;
      PnpmImporterDep dep;
      dep.section = sec;
      dep.edge.name = stable(k);
      if (!next(&dv)) return false;
      if (dv.kind == YamlEvent::kScalar) {
        dep.edge.ref = stable(dv);
      } else if (dv.kind == YamlEvent::kMapStart) {
        for (;;) {
          YamlEvent fk, fv;
          if (!key(&fk, &end, where)) return false;
          if (end) break;
          bool is_version = fk.value == "version";
          if (!next(&fv)) return false;
          if (!is_version) {
            if (!skip(fv)) return false;
          } else if (fv.kind != YamlEvent::kScalar) {
            return fail_shape(fv, where.with(dep.edge.name).with("version").str(), "a scalar");
          } else {
            dep.edge.ref = stable(fv);
          }
        }
      } else {
        return fail_shape(dv, where.with(dep.edge.name).str(), "a version or {specifier, version}");
      }
      dep.importer = static_cast<uint32_t>(idx);
      out_->importer_deps.push_back(dep);
      ++out_->importers[idx].dep_count;
    }
  }

  // "packages" or "snapshots": key -> entry map.
  bool entries(const YamlEvent& v, bool snapshots) {
    const std::string_view section = snapshots ? "snapshots" : "packages";
    bool present = false;
    if (!open_map(v, ptr(section), "a map of packages", &present)) return false;
    if (snapshots) {
      have_snapshots_ = true;
      snap_index_.reserve(pkgs_.size() + pkgs_.size() / 4);  // 9.0: about one snapshot per package
      snaps_.reserve(pkgs_.size() + pkgs_.size() / 4);
    }
    if (!present) return true;
    for (;;) {
      YamlEvent k, body;
      bool end = false;
      if (!key(&k, &end, ptr(section))) return false;
      if (end) return true;
      std::string_view key_text = stable(k);
      const size_t koff = k.offset;
      PnpmKeyIndex& index = snapshots ? snap_index_ : pkg_index_;
      // The slot is fetched while the entry's body is read (see prefetch()).
      const uint64_t h = PnpmKeyIndex::hash(key_text);
      index.prefetch(h);
      if (!next(&body)) return false;
      PnpmEntry e;
      e.key = key_text;
      e.offset = koff;
      e.first_edge = static_cast<uint32_t>(edges_.size());
      EntryFields f;
      if (!entry(body, ptr(section).with(key_text), &f)) return false;
      const int32_t dup = index.insert(key_text, h, static_cast<int32_t>(snapshots ? snaps_.size() : pkgs_.size()));
      if (dup >= 0) {
        size_t first = snapshots ? snaps_[dup].offset : pkgs_[dup].offset;
        return fail(k, "duplicate key '" + std::string(key_text) + "' in " + std::string(section) +
                           " (first at line " + std::to_string(line_col_at(text_, first).line) + ")");
      }
      e.edge_count = static_cast<uint32_t>(edges_.size()) - e.first_edge;
      e.name = f.name;
      e.version = f.version;
      e.flags = f.flags;
      e.source = f.source;
      (snapshots ? snaps_ : pkgs_).push_back(e);
    }
  }

  bool entry(const YamlEvent& body, const Ptr& where, EntryFields* f) {
    bool present = false;
    if (!open_map(body, where, "a map (a package entry)", &present)) return false;
    if (!present) return true;
    for (;;) {
      YamlEvent k, v;
      bool end = false;
      if (!key(&k, &end, where)) return false;
      if (end) return true;
      enum { kOther, kName, kVersion, kResolution, kDevF, kOptionalF, kDeps } which = kOther;
      if (k.value == "resolution") which = kResolution;
      else if (k.value == "dependencies" || k.value == "optionalDependencies") which = kDeps;
      else if (k.value == "name") which = kName;
      else if (k.value == "version") which = kVersion;
      else if (k.value == "dev") which = kDevF;
      else if (k.value == "optional") which = kOptionalF;
      static constexpr std::string_view kFieldNames[] = {"",    "name",     "version",     "resolution",
                                                         "dev", "optional", "dependencies"};
      // The field's own name (dependencies or optionalDependencies) for errors.
      std::string_view fname = which == kDeps && k.value != "dependencies" ? "optionalDependencies" : kFieldNames[which];
      const Ptr field = where.with(fname);
      if (!next(&v)) return false;
      switch (which) {
        case kOther:
          if (!skip(v)) return false;
          break;
        case kName:
        case kVersion:
          if (v.kind != YamlEvent::kScalar) return fail_shape(v, field.str(), "a scalar");
          (which == kName ? f->name : f->version) = stable(v);
          break;
        case kDevF:
        case kOptionalF:
          if (v.kind != YamlEvent::kScalar) return fail_shape(v, field.str(), "true or false");
          if (is_true(v)) f->flags |= which == kDevF ? kDev : kOptional;
          break;
        case kResolution:
          if (!resolution(v, field, f)) return false;
          break;
        case kDeps:
          if (!dep_map(v, field)) return false;
          break;
      }
    }
  }

  // {integrity} (registry), {tarball}, {type: git, repo, commit},
  // {type: directory, directory}.
  bool resolution(const YamlEvent& v, const Ptr& where, EntryFields* f) {
    bool present = false;
    if (!open_map(v, where, "a map", &present)) return false;
    if (!present) return true;
    for (;;) {
      YamlEvent k, fv;
      bool end = false;
      if (!key(&k, &end, where)) return false;
      if (end) return true;
      enum { kOther, kTarball, kType, kDirectory, kRepo } which = kOther;
      if (k.value == "tarball") which = kTarball;
      else if (k.value == "type") which = kType;
      else if (k.value == "directory") which = kDirectory;
      else if (k.value == "repo") which = kRepo;
      if (!next(&fv)) return false;
      if (which == kOther) {
        if (!skip(fv)) return false;
        continue;
      }
      if (fv.kind != YamlEvent::kScalar) return fail_shape(fv, where.str(), "scalar fields");
      if (which == kTarball) {
        // Not the "type" (git) or "directory" verdict: those win.
        if (f->source == SourceKind::kRegistry) {
          SourceKind s = source_of_resolved(fv.value);
          f->source = s == SourceKind::kUnknown ? SourceKind::kTarball : s;
        }
      } else if (which == kType) {
        if (fv.value == "git") f->source = SourceKind::kGit;
        else if (fv.value == "directory") f->source = SourceKind::kFile;
      } else if (which == kDirectory) {
        f->source = SourceKind::kFile;
      } else if (which == kRepo) {
        f->source = SourceKind::kGit;
      }
    }
  }

  // name: ref edges of an entry.
  bool dep_map(const YamlEvent& v, const Ptr& where) {
    bool present = false;
    if (!open_map(v, where, "a map of dependencies", &present)) return false;
    if (!present) return true;
    for (;;) {
      YamlEvent k, rv;
      bool end = false;
      if (!key(&k, &end, where)) return false;
      if (end) return true;
      PnpmEdge e;
      e.name = stable(k);
      if (!next(&rv)) return false;
      if (rv.kind != YamlEvent::kScalar) return fail_shape(rv, where.with(e.name).str(), "a version");
      e.ref = stable(rv);
      // The version comes first in every file pnpm writes; until it is
      // known, every edge is kept.
      if (!plain_edges_ && out_->major != 0 && pnpm_plain_ref(e.ref, out_->major)) continue;
      edges_.push_back(e);
    }
  }

  // Builds out_->entries: 9.0 snapshots merged with their packages metadata;
  // before 9.0 (or a 9.0 file without "snapshots"), the packages entries.
  bool finish() {
    PnpmLock& o = *out_;
    if (o.major == 0) o.major = have_snapshots_ ? 9 : 5;
    const bool split = o.major >= 9 && have_snapshots_;
    o.edges = std::move(edges_);
    if (!split) {
      o.entries = std::move(pkgs_);
      o.index = std::move(pkg_index_);
    } else {
      o.entries = std::move(snaps_);
      o.index = std::move(snap_index_);
      // "react-dom@18.2.0(react@18.2.0)" -> metadata under "react-dom@18.2.0".
      auto base_of = [](std::string_view key) {
        size_t p = key.find('(');
        return p != std::string_view::npos && p > 0 ? key.substr(0, p) : key;
      };
      // Hashes computed a few entries ahead so their slots are in cache when
      // looked up.
      constexpr size_t kAhead = 8;
      std::array<uint64_t, kAhead> ahead{};
      for (size_t i = 0; i < o.entries.size() && i < kAhead; ++i)
        pkg_index_.prefetch(ahead[i] = PnpmKeyIndex::hash(base_of(o.entries[i].key)));
      for (size_t i = 0; i < o.entries.size(); ++i) {
        PnpmEntry& e = o.entries[i];
        const std::string_view base = base_of(e.key);
        const uint64_t h = ahead[i % kAhead];
        if (i + kAhead < o.entries.size())
          pkg_index_.prefetch(ahead[i % kAhead] = PnpmKeyIndex::hash(base_of(o.entries[i + kAhead].key)));
        const int32_t mi = pkg_index_.find(base, h);
        if (mi < 0) continue;
        const PnpmEntry& m = pkgs_[mi];
        if (e.name.empty()) e.name = m.name;
        if (e.version.empty()) e.version = m.version;
        if (e.source == SourceKind::kRegistry) e.source = m.source;
        e.flags |= m.flags;
      }
    }
    for (PnpmEntry& e : o.entries) {
      std::string_view kn, kv;
      bool parsed = name_version_of_key(e.key, o.major, &kn, &kv);
      if (o.major >= 9) {
        // "alias@npm:real@1.2.3" (not written by pnpm 9-12, but the
        // dependency-path grammar allows it).
        if (parsed && kv.starts_with("npm:")) {
          std::string_view rn, rv;
          if (split_name_at_version(kv.substr(4), &rn, &rv)) {
            e.alias = kn;
            kn = rn;
            kv = strip_peers(rv, o.major);
          }
        }
        // @pnpm/lockfile-utils: the name is the key's, the version field wins.
        if (parsed) e.name = kn;
        if (e.version.empty() && parsed) e.version = kv;
      } else if (e.name.empty() && parsed) {
        // pnpm 7/8 write name/version fields only for non-registry keys.
        e.name = kn;
        if (e.version.empty()) e.version = kv;
      }
    }
    return true;
  }

  const std::string& path_;
  std::string_view text_;
  YamlReader* y_;
  PnpmLock* out_;
  const bool plain_edges_;
  Error err_;
  size_t root_importer_ = SIZE_MAX;
  bool have_snapshots_ = false;
  int depth_ = 0;
  std::unordered_map<std::string_view, uint32_t> seen_;
  std::vector<PnpmEntry> pkgs_, snaps_;
  std::vector<PnpmEdge> edges_;
  PnpmKeyIndex pkg_index_, snap_index_;
};

}  // namespace

void PnpmKeyIndex::reserve(size_t n) {
  // Load at most 2/3: linear probing stays short, and the table (which
  // must be zeroed, then is touched at random) stays small.
  size_t cap = 16;
  while (cap * 2 < n * 3) cap *= 2;
  if (cap <= slots_.size()) return;
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(cap, Slot{});
  size_ = 0;
  for (const Slot& s : old)
    if (s.value >= 0) insert(s.key, s.value);
}

void PnpmKeyIndex::grow() { reserve(slots_.empty() ? 8 : slots_.size()); }  // doubles

// Keys are short (20-60 bytes) and mostly in cache-cold text; a multiply-mix
// over 8-byte words is ~3x cheaper than std::hash's byte loop here, and
// lockfile keys are not attacker-chosen collisions worth more (a flood of
// colliding keys degrades to linear probing, bounded by the file size).
uint64_t PnpmKeyIndex::hash(std::string_view k) {
  const char* p = k.data();
  size_t n = k.size();
  uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
  auto mix = [](uint64_t x) {
    x *= 0xBF58476D1CE4E5B9ull;
    return x ^ (x >> 31);
  };
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = mix(h ^ w) * 0x94D049BB133111EBull;
    p += 8;
    n -= 8;
  }
  uint64_t w = 0;
  if (n != 0) std::memcpy(&w, p, n);  // p may be null for an empty key
  h = mix(h ^ w);
  return h ^ (h >> 29);
}

int32_t PnpmKeyIndex::insert(std::string_view key, uint64_t h, int32_t value) {
  if ((size_ + 1) * 3 > slots_.size() * 2) grow();
  const uint32_t h32 = static_cast<uint32_t>(h >> 32);
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.value < 0) {
      s = Slot{key, h32, value};
      ++size_;
      return -1;
    }
    if (s.hash == h32 && s.key == key) return s.value;
  }
}

int32_t PnpmKeyIndex::find(std::string_view key, uint64_t h) const {
  if (slots_.empty()) return -1;
  const uint32_t h32 = static_cast<uint32_t>(h >> 32);
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.value < 0) return -1;
    if (s.hash == h32 && s.key == key) return s.value;
  }
}

// YamlReader reads the YAML subset pnpm writes with its own fast tokenizer
// and falls back to libyaml transparently for anything else (yaml_reader.h).
bool pnpm_plain_ref(std::string_view ref, uint32_t major) {
  std::string_view head = ref.substr(0, ref.find('('));
  return head.find_first_of(major >= 9 ? "@:/" : ":/") == std::string_view::npos;
}

std::optional<Error> read_pnpm_graph(const std::string& path, std::string_view text, PnpmLock* out,
                                     bool plain_edges) {
  YamlReader y(path, text);
  return GraphReader(path, text, out, &y, plain_edges).run();
}

}  // namespace gv
