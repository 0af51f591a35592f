#include "scan/scan.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "common/file.h"

namespace gv {
namespace fs = std::filesystem;

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Registry compromises concern registry tarballs; a package installed from git,
// a folder or a foreign tarball is not that artifact, so its version cannot be
// judged by the rule (it is reported as unevaluated instead of clean or affected).
bool from_registry(SourceKind s) { return s == SourceKind::kRegistry || s == SourceKind::kUnknown; }

Finding make_finding(const Rule& rule, FindingType type, const PackageRef& p, std::string matched,
                     const std::string& path, LockfileKind kind) {
  Finding f;
  f.rule = &rule;
  f.type = type;
  f.package = std::string(p.name);
  f.version = std::string(p.version);
  f.alias = std::string(p.alias);
  f.matched = std::move(matched);
  f.declared = (p.flags & kRange) != 0;
  f.lockfile = path;
  f.lockfile_kind = kind;
  f.location = std::string(p.location);
  f.offset = p.offset;  // line and col are filled in once the file is parsed (resolve_lines)
  f.flags = p.flags;
  f.source = p.source;
  return f;
}

// Called only when the package's name is in the index: the rare path.
// `eco`: the package manager the package is known to come from ("" when
// unknown, e.g. an installed node_modules copy: then every entry applies).
void match_package(const std::vector<RuleEntry>& entries, const PackageRef& p,
                   const std::string& path, LockfileKind kind, std::string_view eco,
                   std::vector<Finding>* findings, std::vector<Unevaluated>* unevaluated) {
  const bool declared = (p.flags & kRange) != 0;
  std::optional<semver::Version> version;
  std::optional<semver::Range> range;
  bool parsed = false;
  for (const RuleEntry& e : entries) {
    if (e.dropper) {
      findings->push_back(make_finding(*e.rule, FindingType::kDropper, p, "*", path, kind));
      continue;
    }
    const PackageRule& pr = *e.package_rule;
    if (!eco.empty() && !applies_to_ecosystem(pr, eco)) continue;
    if (!from_registry(p.source)) {
      unevaluated->push_back({path, 0, std::string(p.name), std::string(p.version), e.rule->id,
                              "installed from " + std::string(source_kind_name(p.source)) +
                                  ", not from the registry; the rule's versions cannot be checked",
                              p.offset});
      continue;
    }
    if (!parsed) {
      parsed = true;
      if (declared)
        range = semver::Range::parse(p.version);
      else
        version = semver::parse_version(p.version);
    }
    if (declared) {
      if (range) {
        if (const AffectedVersion* av = affected_intersect(pr, *range))
          findings->push_back(make_finding(*e.rule, FindingType::kPackage, p, av->expr, path, kind));
      } else {
        // A dist-tag ("latest", "next") resolves to whatever is published at
        // install time: during an incident that may be the hijacked release.
        findings->push_back(make_finding(*e.rule, FindingType::kPackage, p, join_exprs(pr), path, kind));
      }
      continue;
    }
    if (!version) {
      unevaluated->push_back({path, 0, std::string(p.name), std::string(p.version), e.rule->id,
                              "version is not a semver version; cannot be checked", p.offset});
      continue;
    }
    if (const AffectedVersion* av = affected_match(pr, *version))
      findings->push_back(make_finding(*e.rule, FindingType::kPackage, p, av->expr, path, kind));
  }
}

// Offsets -> line:col in one forward pass over the text: positions are
// visited in offset order and newlines counted only between them, so many
// findings in a large lockfile cost one scan, not one scan each.
void resolve_lines(std::string_view text, std::vector<Finding>::iterator first,
                   std::vector<Finding>::iterator last, std::vector<Unevaluated>::iterator ufirst,
                   std::vector<Unevaluated>::iterator ulast) {
  struct Slot {
    size_t offset;
    uint32_t* line;
    uint32_t* col;
  };
  std::vector<Slot> slots;
  for (auto it = first; it != last; ++it) slots.push_back({it->offset, &it->line, &it->col});
  for (auto it = ufirst; it != ulast; ++it) slots.push_back({it->offset, &it->line, nullptr});
  std::sort(slots.begin(), slots.end(), [](const Slot& a, const Slot& b) { return a.offset < b.offset; });
  size_t pos = 0, line_start = 0;
  uint32_t line = 1;
  for (const Slot& sl : slots) {
    const size_t target = std::min(sl.offset, text.size());
    for (const char* nl; pos < target &&
                         (nl = static_cast<const char*>(std::memchr(text.data() + pos, '\n', target - pos)));) {
      ++line;
      pos = line_start = static_cast<size_t>(nl - text.data()) + 1;
    }
    pos = target;
    *sl.line = line;
    if (sl.col) *sl.col = static_cast<uint32_t>(target - line_start) + 1;
  }
}

}  // namespace

void scan_lockfile_text(const RuleIndex& index, const std::string& path, LockfileKind kind,
                        std::string_view text, LockfileResult* result,
                        std::vector<Finding>* findings, std::vector<Unevaluated>* unevaluated) {
  const size_t first_finding = findings->size();
  const size_t first_uneval = unevaluated->size();
  auto sink = [&](const PackageRef& p) {
    if (const std::vector<RuleEntry>* entries = index.lookup(p.name))
      match_package(*entries, p, path, kind, lockfile_ecosystem(kind), findings, unevaluated);
  };
  ParseStats stats;
  // Graph-derived flags are computed below, only when there are findings.
  std::optional<Error> err =
      parse_lockfile(kind, path, text, PackageSink(sink), &stats, ParseOptions{.graph_flags = false});
  result->path = path;
  result->kind = kind;
  result->packages = stats.packages;
  result->format_version = stats.format_version;
  if (err) {
    result->status = starts_with(err->what, "not scanned:") ? LockfileStatus::kNotScanned
                                                            : LockfileStatus::kError;
    result->reason = err->str();
  }
  auto fbegin = findings->begin() + static_cast<std::ptrdiff_t>(first_finding);
  resolve_lines(text, fbegin, findings->end(),
                unevaluated->begin() + static_cast<std::ptrdiff_t>(first_uneval), unevaluated->end());
  result->findings = findings->size() - first_finding;
  if (result->findings == 0) return;
  std::vector<std::string> locations;
  for (auto it = fbegin; it != findings->end(); ++it) locations.push_back(it->location);
  std::vector<std::vector<std::string>> paths = dependency_paths(kind, text, locations);
  for (size_t i = 0; i < locations.size() && i < paths.size(); ++i)
    (fbegin + static_cast<std::ptrdiff_t>(i))->dependency_path = std::move(paths[i]);
  if (!flags_deferred(kind, text)) return;
  std::vector<uint8_t> flags = graph_flags(kind, text, locations);
  for (size_t i = 0; i < locations.size() && i < flags.size(); ++i)
    (fbegin + static_cast<std::ptrdiff_t>(i))->flags = flags[i];
}

namespace {
std::string_view ecosystem_of(InstallKind k) {
  switch (k) {
    case InstallKind::kNpmCache: return "npm";
    case InstallKind::kPnpmStore: return "pnpm";
    case InstallKind::kYarnCache:
    case InstallKind::kBerryCache: return "yarn";
    case InstallKind::kBunCache: return "bun";
    case InstallKind::kNodeModules:
    case InstallKind::kGlobal: return "";  // any package manager may have put it there
  }
  return "";
}
}  // namespace

void match_installed(const RuleIndex& index, const std::vector<InstalledPackage>& packages,
                     std::vector<Finding>* findings, std::vector<Unevaluated>* unevaluated) {
  for (const InstalledPackage& ip : packages) {
    const std::vector<RuleEntry>* entries = index.lookup(ip.name);
    if (entries == nullptr) continue;
    PackageRef p;
    p.name = ip.name;
    p.version = ip.version;
    p.location = ip.path;
    const size_t first = findings->size();
    match_package(*entries, p, ip.path, LockfileKind::kUnknown, ecosystem_of(ip.kind), findings, unevaluated);
    for (size_t i = first; i < findings->size(); ++i) {
      Finding& f = (*findings)[i];
      f.origin = FindingOrigin::kInstalled;
      f.install_kind = ip.kind;
      f.install_scripts = ip.has_install_scripts;
    }
  }
}

WalkResult find_lockfiles(const std::string& dir, bool recursive) {
  WalkResult out;
  std::error_code ec;
  fs::path root = fs::path(dir);
  if (!fs::is_directory(root, ec)) {
    out.errors.push_back({dir, 0, 0, fs::exists(root, ec) ? "not a directory" : "no such directory"});
    return out;
  }
  const fs::path canon_root = fs::weakly_canonical(root, ec);
  // An explicit stack instead of recursive_directory_iterator: we decide per
  // entry whether to descend, and report (not swallow) unreadable folders.
  std::vector<fs::path> stack{root};
  while (!stack.empty()) {
    fs::path d = std::move(stack.back());
    stack.pop_back();
    fs::directory_iterator it(d, ec);
    if (ec) {
      out.errors.push_back({d.string(), 0, 0, "cannot read directory: " + ec.message()});
      ec.clear();
      continue;
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) break;
      const fs::directory_entry& e = *it;
      const std::string name = e.path().filename().string();
      std::error_code sec;
      const bool is_link = e.is_symlink(sec);
      if (e.is_directory(sec)) {
        if (!recursive || is_link || name == "node_modules" || name == ".git") continue;
        stack.push_back(e.path());
        continue;
      }
      const bool candidate =
          is_lockfile_name(name) ||
          (name.size() > 5 && name.ends_with(".json") && name.find("lock") != std::string::npos);
      if (!candidate) continue;
      if (is_link) {
        fs::path target = fs::weakly_canonical(e.path(), sec);
        auto rel = target.lexically_relative(canon_root);
        if (sec || rel.empty() || *rel.begin() == "..") {
          LockfileResult r;
          r.path = e.path().string();
          r.kind = detect_lockfile(name, {});
          r.status = LockfileStatus::kNotScanned;
          r.reason = r.path + ": not scanned: symlink points outside the scanned tree (" +
                     target.string() + ")";
          out.skipped.push_back(std::move(r));
          continue;
        }
      }
      if (!e.is_regular_file(sec)) continue;
      out.files.push_back(e.path().string());
    }
    if (ec) {
      out.errors.push_back({d.string(), 0, 0, "error while listing directory: " + ec.message()});
      ec.clear();
    }
  }
  std::sort(out.files.begin(), out.files.end());
  return out;
}

namespace {

struct Job {
  std::string path;
  bool explicit_file = false;
  LockfileKind kind = LockfileKind::kUnknown;
  // outputs
  bool dropped = false;  // a walk candidate whose content turned out not to be a lockfile
  LockfileResult result;
  std::vector<Finding> findings;
  std::vector<Unevaluated> unevaluated;
};

void run_job(const RuleIndex& index, Job* job, FileBuffer* buf) {
  job->result.path = job->path;
  if (std::optional<Error> err = read_file(job->path, buf)) {
    job->result.status = LockfileStatus::kError;
    job->result.reason = err->str();
    return;
  }
  std::string_view text = buf->view();
  const std::string name = fs::path(job->path).filename().string();
  job->kind = detect_lockfile(name, text.substr(0, 64 * 1024));
  job->result.kind = job->kind;
  if (job->kind == LockfileKind::kUnknown) {
    if (!job->explicit_file) {
      job->dropped = true;
      return;
    }
    job->result.status = LockfileStatus::kError;
    job->result.reason = job->path +
                         ": not a lockfile this build recognises (looked at the name and the "
                         "content: expected package-lock.json, npm-shrinkwrap.json, package.json, "
                         "pnpm-lock.yaml, yarn.lock or bun.lock content)";
    return;
  }
  scan_lockfile_text(index, job->path, job->kind, text, &job->result, &job->findings,
                     &job->unevaluated);
}

bool is_parsed_lockfile(const Job& j) {
  // kUnknown also excludes jobs not run yet (the package.json files themselves).
  return !j.dropped && j.kind != LockfileKind::kPackageJson && j.kind != LockfileKind::kUnknown &&
         j.result.status == LockfileStatus::kScanned;
}

// Folder -> a lockfile scanned there, built once after the lockfiles ran.
using CoverMap = std::unordered_map<std::string, const Job*>;

CoverMap scanned_lockfile_dirs(const std::vector<Job>& jobs, size_t n_lock) {
  CoverMap dirs;
  for (size_t i = 0; i < n_lock; ++i)
    if (is_parsed_lockfile(jobs[i])) dirs.emplace(fs::path(jobs[i].path).parent_path().string(), &jobs[i]);
  return dirs;
}

// A package.json is covered when its folder or an ancestor (up to the scan
// root) holds a lockfile that was scanned.
const Job* covering_lockfile(const Job& pj, const CoverMap& dirs) {
  if (pj.explicit_file) return nullptr;  // asked for by name: always scanned
  for (fs::path dir = fs::path(pj.path).parent_path();; dir = dir.parent_path()) {
    if (auto it = dirs.find(dir.string()); it != dirs.end()) return it->second;
    if (dir.empty() || !dir.has_parent_path() || dir.parent_path() == dir) return nullptr;
  }
}

// Runs fn(index, buffer) for every index in `todo` on up to `threads` threads;
// each thread reuses one read buffer for all its files.
template <class F>
void parallel_for(const std::vector<size_t>& todo, unsigned threads, F&& fn) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    FileBuffer buf;
    for (size_t k; (k = next.fetch_add(1)) < todo.size();) fn(todo[k], &buf);
  };
  const size_t n = std::min<size_t>(threads, todo.size());
  std::vector<std::thread> pool;
  for (size_t t = 1; t < n; ++t) pool.emplace_back(worker);
  if (n > 0) worker();
  for (std::thread& t : pool) t.join();
}

}  // namespace

ScanReport scan(const RuleIndex& index, const ScanOptions& opts) {
  const auto t0 = std::chrono::steady_clock::now();
  ScanReport report;
  std::vector<Job> jobs;
  for (const std::string& f : opts.lockfiles) {
    Job j;
    j.path = f;
    j.explicit_file = true;
    jobs.push_back(std::move(j));
  }
  for (const std::string& d : opts.dirs) {
    WalkResult w = find_lockfiles(d, opts.recursive);
    for (std::string& f : w.files) {
      Job j;
      j.path = std::move(f);
      jobs.push_back(std::move(j));
    }
    for (LockfileResult& s : w.skipped) report.lockfiles.push_back(std::move(s));
    for (Error& e : w.errors) report.errors.push_back(std::move(e));
    if (opts.trace)
      opts.trace("walk " + d + (opts.recursive ? " (recursive)" : "") + ": " +
                 std::to_string(jobs.size()) + " candidate files");
  }

  // package.json files go last: whether they are covered depends on the
  // lockfiles' results.
  const size_t n_lock = static_cast<size_t>(
      std::stable_partition(jobs.begin(), jobs.end(),
                            [](const Job& j) { return fs::path(j.path).filename() != "package.json"; }) -
      jobs.begin());

  const unsigned threads =
      opts.threads ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
  std::mutex trace_mu;
  auto run_one = [&](size_t i, FileBuffer* buf) {
    const auto s = std::chrono::steady_clock::now();
    run_job(index, &jobs[i], buf);
    const Job& j = jobs[i];
    if (!opts.trace || j.dropped) return;
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count();
    std::lock_guard<std::mutex> lock(trace_mu);
    opts.trace(j.path + ": " + std::string(lockfile_kind_name(j.kind)) +
               (j.result.format_version ? " v" + std::to_string(j.result.format_version) : "") +
               ", " + std::string(lockfile_status_name(j.result.status)) + ", " +
               std::to_string(j.result.packages) + " packages, " +
               std::to_string(j.findings.size()) + " findings, " + std::to_string(ms) + " ms");
  };
  std::vector<size_t> todo(n_lock);
  for (size_t i = 0; i < n_lock; ++i) todo[i] = i;
  parallel_for(todo, threads, run_one);
  // Then the package.json files the scanned lockfiles do not cover.
  todo.clear();
  const CoverMap covers = scanned_lockfile_dirs(jobs, n_lock);
  for (size_t i = n_lock; i < jobs.size(); ++i) {
    if (const Job* cover = covering_lockfile(jobs[i], covers)) {
      jobs[i].kind = LockfileKind::kPackageJson;
      jobs[i].result.path = jobs[i].path;
      jobs[i].result.kind = LockfileKind::kPackageJson;
      jobs[i].result.status = LockfileStatus::kCovered;
      jobs[i].result.reason = "ranges resolved by " + cover->path + ", which was scanned";
    } else {
      todo.push_back(i);
    }
  }
  parallel_for(todo, threads, run_one);

  std::sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) { return a.path < b.path; });
  for (Job& j : jobs) {
    if (j.dropped) {
      if (opts.trace) opts.trace(j.path + ": not a lockfile (content), ignored");
      continue;
    }
    report.packages_total += j.result.packages;
    report.lockfiles.push_back(std::move(j.result));
    for (Finding& f : j.findings) report.findings.push_back(std::move(f));
    for (Unevaluated& u : j.unevaluated) report.unevaluated.push_back(std::move(u));
  }
  std::stable_sort(report.lockfiles.begin(), report.lockfiles.end(),
                   [](const LockfileResult& a, const LockfileResult& b) { return a.path < b.path; });
  report.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace gv
