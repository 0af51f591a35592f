// npm's cache (~/.npm/_cacache): a content-addressed store (cacache) whose
// index-v5/ bucket files say what each blob is. The blobs are never guessed
// at; the index is read the way cacache reads it:
//
//   - a bucket file is lines "<sha1 hex of json>\t<json>", appended, so the
//     file starts with "\n"; a line whose hash does not match its json is
//     ignored by npm (a torn write, or tampering) and reported here;
//   - the last line for a key wins; one with "integrity": null is a removal
//     (`npm cache clean <key>`), so the key is gone;
//   - npm 7+ caches HTTP responses under "make-fetch-happen:request-cache:<url>".
//     A registry tarball URL ends "<name>/-/<basename>-<version>.tgz"
//     (scoped: "@scope/name/-/name-1.2.3.tgz"), whatever registry or path
//     prefix precedes it; the package and version come from there. Other
//     URLs are packuments (metadata, "https://registry.npmjs.org/ms") or
//     other requests, and other keys ("pacote:tarball:is-number@7.0.0",
//     written by `npm cache add` beside the request-cache entry) are counted
//     in the trace, not listed.
#include <openssl/evp.h>

#include <unordered_map>

#include "lockfile/json_error.h"
#include "scan/installed_reader.h"
#include "semver/semver.h"

namespace gv::installed {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

constexpr std::string_view kRequestCache = "make-fetch-happen:request-cache:";

std::string sha1_hex(std::string_view text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(text.data(), text.size(), md, &len, EVP_sha1(), nullptr) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(size_t{len} * 2, '0');
  for (unsigned i = 0; i < len; ++i) {
    out[2 * i] = kHex[md[i] >> 4];
    out[2 * i + 1] = kHex[md[i] & 0xf];
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoded (some registries write "@scope%2fname"); raw otherwise.
std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct Counts {
  uint64_t buckets = 0, tarballs = 0, metadata = 0, other = 0, removed = 0, corrupt = 0;
};

struct IndexLine {
  std::string key;
  bool live = false;  // integrity not null
  uint32_t line = 0;
};

}  // namespace

std::optional<CacacheLine> parse_cacache_line(std::string_view line, std::string* why) {
  const size_t tab = line.find('\t');
  const std::string_view json = tab == std::string_view::npos ? std::string_view{} : line.substr(tab + 1);
  // cacache splits on every tab and hashes the second piece: a json
  // holding a tab never matches.
  if (tab == std::string_view::npos || json.find('\t') != std::string_view::npos ||
      sha1_hex(json) != line.substr(0, tab)) {
    *why = "corrupt index line (its sha1 does not match its content; npm ignores it)";
    return std::nullopt;
  }
  thread_local std::string padded;
  padded.assign(json);
  padded.append(simdjson::SIMDJSON_PADDING, '\0');
  od::parser& parser = thread_ondemand_parser();
  od::document doc;
  CacacheLine out;
  od::object obj;
  error_code e = parser.iterate(padded.data(), json.size(), padded.size()).get(doc);
  if (!e) e = doc.get_object().get(obj);
  if (!e) {
    for (auto fr : obj) {
      od::field f;
      if ((e = std::move(fr).get(f))) break;
      if (f.key() == "key") {
        std::string_view key;
        if ((e = f.value().get_string().get(key))) break;
        out.key.assign(key);  // a repeated "key": the last one, as JSON.parse
      } else if (f.key() == "integrity") {
        bool is_null = false;
        if ((e = f.value().is_null().get(is_null))) break;
        out.live = !is_null;
      }
    }
  }
  if (e || out.key.empty()) {
    *why = std::string("index line that is not an entry npm can read (") +
           (e ? simdjson::error_message(e) : "no key") + ")";
    return std::nullopt;
  }
  return out;
}

CacacheKeyKind classify_cacache_key(std::string_view key, std::string* name, std::string* version, std::string* why) {
  if (!key.starts_with(kRequestCache)) return CacacheKeyKind::kOther;
  std::string_view url = key.substr(kRequestCache.size());
  if (size_t q = url.find_first_of("?#"); q != std::string_view::npos) url = url.substr(0, q);
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return CacacheKeyKind::kOther;
  const size_t path_start = url.find('/', scheme + 3);
  if (path_start == std::string_view::npos) return CacacheKeyKind::kMetadata;
  const std::string_view path = url.substr(path_start);
  const size_t dash = path.rfind("/-/");
  if (dash == std::string_view::npos) return CacacheKeyKind::kMetadata;
  const std::string_view file = path.substr(dash + 3);
  if (file.find('/') != std::string_view::npos || !file.ends_with(".tgz")) return CacacheKeyKind::kOther;
  // The package: the last one or two segments before "/-/".
  const std::string_view left = path.substr(0, dash);
  const size_t s1 = left.rfind('/');
  std::string last = percent_decode(left.substr(s1 + 1));
  std::string pkg = last;
  if (last.find('/') == std::string::npos && s1 != std::string_view::npos && s1 > 0) {
    const size_t s0 = left.rfind('/', s1 - 1);
    const std::string_view prev = left.substr(s0 + 1, s1 - s0 - 1);
    if (prev.starts_with("@")) pkg = percent_decode(prev) + "/" + last;
  }
  if (!plausible_package_name(pkg)) {
    *why = "cached tarball URL whose package name is not valid: " + std::string(url);
    return CacacheKeyKind::kBadTarball;
  }
  const std::string_view base = pkg[0] == '@' ? std::string_view(pkg).substr(pkg.find('/') + 1) : std::string_view(pkg);
  std::string_view stem = file.substr(0, file.size() - 4);
  if (!stem.starts_with(base) || stem.size() <= base.size() + 1 || stem[base.size()] != '-') {
    *why = "cached tarball whose file name does not start with its package name: " + std::string(url);
    return CacacheKeyKind::kBadTarball;
  }
  const std::string ver = percent_decode(stem.substr(base.size() + 1));
  if (!semver::parse_version(ver) || !(ver[0] >= '0' && ver[0] <= '9')) {
    *why = "cached tarball whose file name holds no version: " + std::string(url);
    return CacacheKeyKind::kBadTarball;
  }
  *name = std::move(pkg);
  *version = ver;
  return CacacheKeyKind::kTarball;
}

void Reader::npm_cache(const std::string& root) {
  const std::string index = join(root, "index-v5");
  std::vector<DirEntry> probe;
  if (list_dir(index, &probe)) {
    trace("installed: " + root + ": no index-v5/ (nothing cached by npm 5 or later)");
    return;
  }
  Counts n;
  std::vector<IndexLine> lines;
  std::unordered_map<std::string, size_t> last;
  FileBuffer buf;

  auto bucket = [&](const std::string& path) {
    if (!read(path, &buf)) return;
    ++n.buckets;
    lines.clear();
    last.clear();
    const std::string_view text = buf.view();
    uint32_t line_no = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      const std::string_view line = text.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      if (line.empty()) continue;
      std::string why;
      std::optional<CacacheLine> entry = parse_cacache_line(line, &why);
      if (!entry) {
        ++n.corrupt;
        skip(path + ":" + std::to_string(line_no), why);
        continue;
      }
      lines.push_back({std::move(entry->key), entry->live, line_no});
      last[lines.back().key] = lines.size() - 1;
    }
    for (size_t i = 0; i < lines.size(); ++i) {
      const IndexLine& l = lines[i];
      if (last[l.key] != i) continue;  // a later line for the same key wins
      if (!l.live) {
        ++n.removed;
        continue;
      }
      std::string name, version, why;
      switch (classify_cacache_key(l.key, &name, &version, &why)) {
        case CacacheKeyKind::kTarball: {
          ++n.tarballs;
          InstalledPackage p;
          p.name = std::move(name);
          p.version = std::move(version);
          p.path = path;
          p.kind = InstallKind::kNpmCache;
          emit(std::move(p));
          break;
        }
        case CacacheKeyKind::kBadTarball: skip(path + ":" + std::to_string(l.line), why); break;
        case CacacheKeyKind::kMetadata: ++n.metadata; break;
        case CacacheKeyKind::kOther: ++n.other; break;
      }
    }
  };

  WalkOptions opts;
  opts.max_depth = 8;  // index-v5/xx/yy/<bucket>
  WalkVisitor v;
  v.file = [&](const std::string& path, uint64_t) { bucket(path); };
  v.skip = [&](const std::string& path, const std::string& reason) { skip(path, reason); };
  const WalkCounts c = walk_tree(index, opts, v);
  out_->dirs += c.dirs;
  trace("installed: " + root + ": " + std::to_string(n.buckets) + " index buckets: " + std::to_string(n.tarballs) +
        " tarballs, " + std::to_string(n.metadata) + " metadata responses, " + std::to_string(n.other) +
        " other keys, " + std::to_string(n.removed) + " removed, " + std::to_string(n.corrupt) + " corrupt lines");
}

}  // namespace gv::installed
