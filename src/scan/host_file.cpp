// `file` host indicators: expand the rule's path, list what matches (lstat
// for a plain path, glob(3) for a pattern), and for each match report what it
// is without following symlinks; regular files are hashed when the indicator
// lists hashes.
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>

#include "scan/file_hash.h"
#include "scan/host_ioc.h"

namespace gv {
namespace {

bool is_glob_char(char c) { return c == '*' || c == '?' || c == '['; }

std::string glob_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (is_glob_char(c) || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

bool is_name_char(char c, bool first) {
  return c == '_' || std::isalpha(static_cast<unsigned char>(c)) || (!first && std::isdigit(static_cast<unsigned char>(c)));
}

// A variable value, with the error to report when it is missing. Empty counts
// as missing: "$HOME/.x" with an empty HOME would check "/.x".
std::optional<std::string> need_var(const HostContext& ctx, const std::string& name, std::string* err) {
  std::optional<std::string> v = host_getenv(ctx, name);
  if (!v || v->empty()) *err = "variable " + name + " is " + (v ? "empty" : "not set");
  return v && !v->empty() ? v : std::nullopt;
}

// $name when set, else a folder under HOME (the XDG defaults).
std::optional<std::string> var_or_home(const HostContext& ctx, const std::string& name, const std::string& home_rel,
                                       std::string* err) {
  std::optional<std::string> v = host_getenv(ctx, name);
  if (v && !v->empty()) return v;
  std::optional<std::string> home = need_var(ctx, "HOME", err);
  return home ? std::optional<std::string>(*home + home_rel) : std::nullopt;
}

// A Windows %VAR% on a POSIX host: the folder that plays the same part, since
// droppers written for Node use os.tmpdir() / the config folder on every OS.
std::optional<std::string> windows_var(const HostContext& ctx, const std::string& name, std::string* err) {
  std::string up = name;
  for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (up == "TEMP" || up == "TMP") {
    std::optional<std::string> t = host_getenv(ctx, "TMPDIR");
    return t && !t->empty() ? *t : std::string("/tmp");
  }
  if (up == "APPDATA") return var_or_home(ctx, "XDG_CONFIG_HOME", "/.config", err);
  if (up == "LOCALAPPDATA") return var_or_home(ctx, "XDG_DATA_HOME", "/.local/share", err);
  if (up == "USERPROFILE") return need_var(ctx, "HOME", err);
  if (up == "PROGRAMDATA") {
    *err = "%PROGRAMDATA% has no equivalent on " + ctx.os;
    return std::nullopt;
  }
  return need_var(ctx, name, err);
}

// Length of a $NAME, ${NAME} or %NAME% reference at raw[i] (0 if none) and the name.
size_t var_ref(const std::string& raw, size_t i, std::string* name) {
  char open = raw[i];
  size_t start = i + 1;
  char close = 0;
  if (open == '$' && start < raw.size() && raw[start] == '{') {
    close = '}';
    ++start;
  }
  if (open == '%') close = '%';
  size_t j = start;
  while (j < raw.size() && (is_name_char(raw[j], j == start) || (open == '%' && (raw[j] == '(' || raw[j] == ')')))) ++j;
  if (j == start) return 0;
  if (close != 0 && (j >= raw.size() || raw[j] != close)) return 0;
  *name = raw.substr(start, j - start);
  return j - i + (close != 0 ? 1 : 0);
}

void append_value(const std::string& v, ExpandedPath* out) {
  out->path += v;
  out->pattern += glob_escape(v);
}

bool has_windows_var(const std::string& raw) {
  std::string name;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && var_ref(raw, i, &name) != 0) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> expand_host_path(const std::string& raw_in, const HostContext& ctx, ExpandedPath* out) {
  *out = ExpandedPath{};
  std::string raw = raw_in;
  // "%APPDATA%\npm\x.js": a Windows path; its separators become '/'.
  if (has_windows_var(raw)) std::replace(raw.begin(), raw.end(), '\\', '/');
  std::string err;
  size_t i = 0;
  if (!raw.empty() && raw[0] == '~') {
    if (raw.size() > 1 && raw[1] != '/') return "'" + raw_in + "': ~user paths are not supported; write the full path";
    std::optional<std::string> home = need_var(ctx, "HOME", &err);
    if (!home) return err;
    append_value(*home, out);
    i = 1;
  }
  for (; i < raw.size(); ++i) {
    std::string name;
    size_t n = (raw[i] == '$' || raw[i] == '%') ? var_ref(raw, i, &name) : 0;
    if (n == 0) {
      out->path += raw[i];
      out->pattern += raw[i];
      out->has_glob = out->has_glob || is_glob_char(raw[i]);
      continue;
    }
    std::optional<std::string> v = raw[i] == '%' ? windows_var(ctx, name, &err) : need_var(ctx, name, &err);
    if (!v) return err;
    append_value(*v, out);
    i += n - 1;
  }
  return std::nullopt;
}

namespace {

// glob(3)'s error callback takes no user pointer; the folders it could not
// read are collected here for the one glob call running on this thread.
thread_local std::vector<std::string>* t_glob_problems = nullptr;

int on_glob_error(const char* path, int err) {
  // A missing or non-folder component is a normal non-match, not a problem.
  if (err != ENOENT && err != ENOTDIR && t_glob_problems != nullptr) {
    t_glob_problems->push_back(std::string(path) + ": " + std::strerror(err));
  }
  return 0;  // keep going: one unreadable folder must not hide matches elsewhere
}

void find_matches(const ExpandedPath& p, std::vector<std::string>* matches, std::vector<std::string>* problems) {
  if (!p.has_glob) {
    struct stat st {};
    if (::lstat(p.path.c_str(), &st) == 0) {
      matches->push_back(p.path);
    } else if (errno != ENOENT && errno != ENOTDIR) {
      problems->push_back(p.path + ": " + std::strerror(errno));
    }
    return;
  }
  glob_t g{};
  t_glob_problems = problems;
  int rc = ::glob(p.pattern.c_str(), 0, on_glob_error, &g);
  t_glob_problems = nullptr;
  if (rc == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) matches->push_back(g.gl_pathv[i]);
  } else if (rc == GLOB_NOSPACE) {
    problems->push_back(p.path + ": glob ran out of memory");
  } else if (rc == GLOB_ABORTED) {
    problems->push_back(p.path + ": glob stopped on a read error");
  }  // GLOB_NOMATCH: nothing there
  ::globfree(&g);
}

std::string kind_of(mode_t m) {
  if (S_ISDIR(m)) return "directory";
  if (S_ISFIFO(m)) return "fifo";
  if (S_ISSOCK(m)) return "socket";
  if (S_ISCHR(m) || S_ISBLK(m)) return "device";
  return "special file";
}

// What one matched path turned out to be.
struct Examined {
  std::string evidence;
  bool hash_matched = false;
  std::string matched_algo;
  std::string differs;         // "sha256 <hex>" when hashed and different
  std::string not_hashed_why;  // why no hash could be computed
  bool is_dir = false;
};

std::string link_target(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  return n < 0 ? std::string("?") : std::string(buf, static_cast<size_t>(n));
}

void compare_hashes(const std::string& path, const std::vector<FileHash>& hashes, Examined* e) {
  std::vector<std::string> algos;
  for (const FileHash& h : hashes) {
    if (std::find(algos.begin(), algos.end(), h.algorithm) == algos.end()) algos.push_back(h.algorithm);
  }
  std::map<std::string, std::string> hex;
  if (auto err = hash_file(path, algos, &hex)) {
    e->not_hashed_why = *err;
    e->evidence = path + " (hash not computed: " + *err + ")";
    return;
  }
  for (const FileHash& h : hashes) {
    if (hex[h.algorithm] == h.value) {
      e->hash_matched = true;
      e->matched_algo = h.algorithm;
      e->evidence = path + " (" + h.algorithm + " matched)";
      return;
    }
  }
  e->differs = algos.front() + " " + hex[algos.front()];
  e->evidence = path + " (content differs: " + e->differs + ")";
}

// Returns false when the path vanished between the match and this look.
bool examine(const std::string& path, const HostIndicator& ind, Examined* e) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return false;
  if (S_ISLNK(st.st_mode)) {
    e->evidence = path + " (symlink -> " + link_target(path) + ")";
    e->not_hashed_why = "is a symlink (not followed)";
  } else if (!S_ISREG(st.st_mode)) {
    e->is_dir = S_ISDIR(st.st_mode);
    e->evidence = path + " (" + kind_of(st.st_mode) + ")";
    e->not_hashed_why = "not a regular file (" + kind_of(st.st_mode) + ")";
  } else if (ind.hashes.empty()) {
    e->evidence = path;
  } else {
    compare_hashes(path, ind.hashes, e);
  }
  return true;
}

// Found: the best-supported statement over all matches. A hash match wins;
// then a file we could not hash (it may be the malicious one); a name match
// whose content differs from every known hash is only "low" confidence.
void judge(const HostIndicator& ind, const std::vector<Examined>& ex, HostCheck* out) {
  out->status = CheckStatus::kFound;
  std::string many = ex.size() > 1 ? " (" + std::to_string(ex.size()) + " paths match)" : "";
  if (ind.hashes.empty()) {
    bool all_dirs = std::all_of(ex.begin(), ex.end(), [](const Examined& e) { return e.is_dir; });
    out->detail = (all_dirs ? "exists (directory)" : "exists") + many;
    return;
  }
  for (const Examined& e : ex) {
    if (e.hash_matched) {
      out->detail = e.matched_algo + " matched" + many;
      return;
    }
  }
  for (const Examined& e : ex) {
    if (!e.not_hashed_why.empty()) {
      out->detail = "exists; hash could not be computed: " + e.not_hashed_why + many;
      return;
    }
  }
  out->confidence = "low";
  out->detail = "name matched, content differs (" + ex.front().differs + ")" + many;
}

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty() || dir.back() == '/' || dir.back() == '\\') return dir + name;
  return dir + "/" + name;
}

// Where a bare file_name is looked for: $HOME, the temp folders, $TMPDIR.
std::vector<std::string> name_only_dirs(const HostContext& ctx, std::string* note) {
  std::vector<std::string> dirs;
  auto add = [&](const std::string& d) {
    std::string t = d.size() > 1 && d.back() == '/' ? d.substr(0, d.size() - 1) : d;
    if (!t.empty() && std::find(dirs.begin(), dirs.end(), t) == dirs.end()) dirs.push_back(t);
  };
  std::optional<std::string> home = host_getenv(ctx, "HOME");
  if (home && !home->empty()) {
    add(*home);
  } else {
    *note = "HOME is not set, so the home folder was not checked";
  }
  for (const std::string& d : ctx.temp_dirs) add(d);
  if (std::optional<std::string> t = host_getenv(ctx, "TMPDIR")) add(*t);
  return dirs;
}

void skip(HostCheck* out, std::string why) {
  out->status = CheckStatus::kSkipped;
  out->detail = std::move(why);
}

std::string join_list(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// Lists what matches a path or a bare file name; returns false (out skipped)
// when the pattern cannot be built.
bool collect(const HostIndicator& ind, const HostContext& ctx, std::vector<std::string>* matches,
             std::vector<std::string>* problems, std::string* where, std::string* note, HostCheck* out) {
  ExpandedPath p;
  std::optional<std::string> err;
  if (!ind.path.empty()) {
    std::string raw = ind.file_name.empty() ? ind.path : join_path(ind.path, ind.file_name);
    out->target = raw;
    err = expand_host_path(raw, ctx, &p);
    if (!err && (p.path.empty() || p.path.front() != '/')) err = "path '" + p.path + "' is not absolute";
    if (err) {
      skip(out, *err);
      return false;
    }
    out->target = p.path;
    find_matches(p, matches, problems);
    *where = "at " + p.path;
    return true;
  }
  out->target = "file name '" + ind.file_name + "'";
  if ((err = expand_host_path(ind.file_name, ctx, &p))) {
    skip(out, *err);
    return false;
  }
  std::vector<std::string> dirs = name_only_dirs(ctx, note);
  for (const std::string& d : dirs) {
    ExpandedPath in_dir{d + "/" + p.path, glob_escape(d) + "/" + p.pattern, p.has_glob};
    find_matches(in_dir, matches, problems);
  }
  *where = "in " + join_list(dirs) + " (not recursive)";
  return true;
}

}  // namespace

void check_file_indicator(const HostIndicator& ind, const HostContext& ctx, HostCheck* out) {
  if (ind.path.empty() && ind.file_name.empty()) {
    skip(out, "file indicator has neither path nor file_name");
    return;
  }
  std::vector<std::string> matches, problems;
  std::string where, note;
  if (!collect(ind, ctx, &matches, &problems, &where, &note, out)) return;
  std::sort(matches.begin(), matches.end());  // several temp folders may hold the same file
  matches.erase(std::unique(matches.begin(), matches.end()), matches.end());
  std::vector<Examined> ex;
  for (const std::string& m : matches) {
    Examined e;
    if (examine(m, ind, &e)) ex.push_back(std::move(e));
  }
  for (const Examined& e : ex) out->evidence.push_back(e.evidence);
  std::string caveat = problems.empty() ? "" : "could not read " + join_list(problems);
  if (!note.empty()) caveat += (caveat.empty() ? "" : "; ") + note;
  if (!ex.empty()) {
    judge(ind, ex, out);
    if (!caveat.empty()) out->detail += "; " + caveat;
  } else if (!caveat.empty()) {
    skip(out, "not found " + where + ", but " + caveat);
  } else {
    out->status = CheckStatus::kClean;
    out->detail = "not present " + where;
  }
}

}  // namespace gv
