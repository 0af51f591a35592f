#include "scan/heuristic.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_set>

#include "scan/bundled_yara.h"
#include "scan/heuristic_files.h"
#include "scan/heuristic_install.h"
#include "scan/tree_walk.h"
#include "scan/yara_engine.h"

namespace gv {
namespace {

namespace fs = std::filesystem;

struct Candidate {
  std::string path;
  uint64_t size = 0;
  HeuristicFileKind kind = HeuristicFileKind::kScan;
  uint32_t root = 0;  // index of the walked root it was found under
  bool install_script = false;
};

// Flags the files package.json install scripts run. A first pass over the
// package.json files only (small; the scan reads them again): the flag must
// be known before the file it names is scanned, by whichever thread.
void mark_install_scripts(std::vector<Candidate>* files, uint64_t max_bytes) {
  std::unordered_set<std::string> targets;
  std::vector<char> buf;
  for (const Candidate& c : *files) {
    if (!c.path.ends_with("/package.json")) continue;
    ReadOutcome r;
    if (read_for_scan(c.path, c.kind, std::min<uint64_t>(max_bytes, 1u << 20), &buf, &r)) continue;
    std::string dir = fs::path(c.path).parent_path().string();
    for (std::string& t : install_script_targets(std::string_view(buf.data(), r.size), dir)) {
      targets.insert(std::move(t));
    }
  }
  if (targets.empty()) return;
  for (Candidate& c : *files) {
    c.install_script = targets.count(fs::path(c.path).lexically_normal().string()) != 0;
  }
}

std::vector<YaraSource> rule_sources(const HeuristicOptions& opts, Errors* errors) {
  std::vector<YaraSource> sources;
  if (opts.bundled) {
    for (const BundledYara& b : bundled_yara()) {
      sources.push_back(YaraSource{"bundled:" + std::string(b.file), "", std::string(b.text)});
    }
  }
  std::set<std::string> seen;  // one file named twice (-yara and a rule's yara_rules) is compiled once
  for (const std::string& p : opts.yara_paths) {
    for (std::string& f : list_yara_files(p, errors)) {
      std::error_code ec;
      std::string key = fs::absolute(f, ec).lexically_normal().string();
      if (seen.insert(key).second) sources.push_back(YaraSource{f, f, ""});
    }
  }
  return sources;
}

}  // namespace

std::vector<std::string> list_yara_files(const std::string& path, Errors* errors) {
  std::vector<std::string> files;
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    errors->push_back(
        Error{path, 0, 0, "cannot open YARA rules: " + (ec ? ec.message() : "No such file or directory")});
    return files;
  }
  if (!fs::is_directory(st)) return {path};
  fs::recursive_directory_iterator it(path, fs::directory_options::none, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.starts_with(".")) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    std::string ext = lower_extension(name);
    if ((ext == ".yar" || ext == ".yara") && it->is_regular_file(ec)) files.push_back(it->path().string());
  }
  if (ec) {
    errors->push_back(Error{path, 0, 0, "cannot read folder: " + ec.message()});
    return {};
  }
  if (files.empty()) errors->push_back(Error{path, 0, 0, "no YARA rule files (*.yar, *.yara) found in this folder"});
  std::sort(files.begin(), files.end());
  return files;
}

HeuristicResult scan_heuristics(const HeuristicOptions& opts) {
  HeuristicResult result;
  std::mutex mu;  // serialises progress calls from the workers
  auto trace = [&](const std::string& s) {
    if (opts.trace) opts.trace(s);
  };

  std::vector<YaraSource> sources = rule_sources(opts, &result.errors);
  // A root that is not a folder is a typo, not a clean scan.
  std::vector<std::string> walk_roots;
  for (const std::string& root : opts.roots) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
      result.errors.push_back(
          Error{root, 0, 0, fs::exists(root, ec) ? "not a folder" : "cannot scan: No such file or directory"});
      continue;
    }
    // A project: its node_modules. A node_modules folder, or any other
    // folder (an unpacked tarball, a cache), as it is.
    fs::path norm = fs::path(root).lexically_normal();
    if (!norm.has_filename()) norm = norm.parent_path();
    std::string nm = (fs::path(root) / "node_modules").string();
    walk_roots.push_back(norm.filename() != "node_modules" && fs::is_directory(nm, ec) ? nm : root);
  }
  if (!result.errors.empty()) return result;
  if (sources.empty()) {
    result.errors.push_back(Error{"", 0, 0, "no YARA rules to run (bundled rules off and no -yara given)"});
    return result;
  }

  std::vector<std::string> warnings;
  std::unique_ptr<YaraRules> rules = YaraRules::compile(sources, &result.errors, &warnings);
  for (const std::string& w : warnings) trace("heuristic: " + w);
  if (!rules) return result;
  result.rules_loaded = rules->public_count();
  trace("heuristic: " + std::to_string(result.rules_loaded) + " YARA rules from " + std::to_string(sources.size()) +
        " files");

  // The walk: one thread, cheap next to the scan.
  std::vector<Candidate> files;
  std::vector<uint64_t> other_per_root;
  for (uint32_t ri = 0; ri < walk_roots.size(); ++ri) {
    const std::string& root = walk_roots[ri];
    trace("heuristic: walking " + root);
    result.scanned_roots.push_back(root);
    uint64_t other = 0;
    WalkVisitor v;
    v.file = [&](const std::string& path, uint64_t size) {
      std::string_view name = std::string_view(path).substr(path.rfind('/') + 1);
      HeuristicFileKind k = heuristic_file_kind(name);
      if (k == HeuristicFileKind::kOther) {
        ++other;
      } else if (k == HeuristicFileKind::kScan && size > opts.max_file_bytes) {
        // Extensionless files are sized after the "#!" check: a big native
        // binary is "another type", not a skipped script.
        result.skipped.emplace_back(path, "larger than " + size_text(opts.max_file_bytes) + " (" +
                                              std::to_string(size) + " bytes), not scanned");
      } else {
        files.push_back(Candidate{path, size, k, ri});
      }
    };
    v.skip = [&](const std::string& path, const std::string& reason) { result.skipped.emplace_back(path, reason); };
    walk_tree(root, WalkOptions{}, v);
    other_per_root.push_back(other);
  }

  mark_install_scripts(&files, opts.max_file_bytes);

  // Scanners are created up front: libyara caps live scanners per rule set.
  unsigned want = opts.threads != 0 ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
  want = std::clamp<unsigned>(want, 1, 32);
  want = std::min<unsigned>(want, std::max<size_t>(files.size(), 1));
  std::vector<std::unique_ptr<YaraScanner>> scanners;
  for (unsigned i = 0; i < want; ++i) {
    auto s = std::make_unique<YaraScanner>(*rules, opts.timeout_seconds);
    if (!s->init_error().empty()) {
      if (scanners.empty()) {
        result.errors.push_back(Error{"", 0, 0, s->init_error()});
        return result;
      }
      break;
    }
    scanners.push_back(std::move(s));
  }
  trace("heuristic: " + std::to_string(files.size()) + " files to scan on " + std::to_string(scanners.size()) +
        " threads");

  std::vector<std::vector<HeuristicFinding>> per_file(files.size());
  std::vector<std::string> skip_reason(files.size());
  std::atomic<size_t> next{0};
  std::vector<uint8_t> not_script_file(files.size(), 0);
  std::atomic<uint64_t> scanned{0}, bytes{0};
  using Clock = std::chrono::steady_clock;
  std::atomic<int64_t> next_progress{0};

  auto worker = [&](YaraScanner* scanner) {
    std::vector<char> buf;
    std::vector<YaraMatch> matches;
    std::string note;
    for (size_t i = next++; i < files.size(); i = next++) {
      const Candidate& c = files[i];
      ReadOutcome read;
      if (auto err = read_for_scan(c.path, c.kind, opts.max_file_bytes, &buf, &read)) {
        skip_reason[i] = *err;
        continue;
      }
      size_t size = read.size;
      if (read.not_script) {
        not_script_file[i] = 1;
        continue;
      }
      std::string_view data(buf.data(), size);
      std::string_view name = std::string_view(c.path).substr(c.path.rfind('/') + 1);
      std::string ext = lower_extension(name);
      YaraScanStatus st = scanner->scan(data, YaraFileVars{name, c.path, ext, c.install_script}, &matches, &note);
      if (st == YaraScanStatus::kTimeout) {
        skip_reason[i] = "YARA timeout (" + std::to_string(opts.timeout_seconds) + " s), not scanned";
        continue;
      }
      if (st == YaraScanStatus::kError) {
        skip_reason[i] = note;
        continue;
      }
      if (!note.empty()) skip_reason[i] = note;  // partial: findings kept, the limit reported
      ++scanned;
      bytes += size;
      for (const YaraMatch& m : matches) {
        const YaraRuleInfo& info = rules->rules()[m.rule];
        HeuristicFinding f;
        f.file = c.path;
        f.offset = m.offset;
        const std::string_view before = data.substr(0, std::min<uint64_t>(m.offset, data.size()));
        f.line = 1 + static_cast<uint32_t>(std::count(before.begin(), before.end(), '\n'));
        f.rule = info.identifier;
        f.rule_source = info.source;
        f.description = info.description;
        f.severity = info.severity;
        f.reference = info.reference;
        f.excerpt = excerpt_around(data, m.offset, m.length);
        f.install_script = c.install_script;
        per_file[i].push_back(std::move(f));
      }
      if (opts.progress) {
        int64_t now = Clock::now().time_since_epoch().count();
        int64_t due = next_progress.load();
        if (now >= due &&
            next_progress.compare_exchange_strong(
                due, now + std::chrono::duration_cast<Clock::duration>(std::chrono::milliseconds(100)).count())) {
          std::lock_guard<std::mutex> lock(mu);
          opts.progress(scanned.load(), bytes.load(), c.path.substr(0, c.path.rfind('/')));
        }
      }
    }
  };
  if (scanners.size() == 1) {
    worker(scanners[0].get());
  } else {
    std::vector<std::thread> pool;
    for (auto& s : scanners) pool.emplace_back(worker, s.get());
    for (std::thread& t : pool) t.join();
  }
  result.files_scanned = scanned;
  result.bytes_scanned = bytes;
  if (opts.progress) opts.progress(result.files_scanned, result.bytes_scanned, "");

  // Merge in file order (the walk's sorted order), whatever the thread timing.
  NearestPackage packages;
  for (size_t i = 0; i < files.size(); ++i) {
    other_per_root[files[i].root] += not_script_file[i];
    if (!skip_reason[i].empty()) result.skipped.emplace_back(files[i].path, std::move(skip_reason[i]));
    if (per_file[i].empty()) continue;
    std::string pkg = packages.of(files[i].path, walk_roots[files[i].root]);
    for (HeuristicFinding& f : per_file[i]) {
      f.package = pkg;
      result.findings.push_back(std::move(f));
    }
  }
  std::stable_sort(result.findings.begin(), result.findings.end(),
                   [](const HeuristicFinding& a, const HeuristicFinding& b) {
                     return a.file != b.file ? a.file < b.file : a.offset < b.offset;
                   });
  std::stable_sort(result.skipped.begin(), result.skipped.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t r = 0; r < walk_roots.size(); ++r) {
    result.files_other += other_per_root[r];
    if (other_per_root[r] != 0) {
      result.skipped.emplace_back(walk_roots[r],
                                  std::to_string(other_per_root[r]) + " files of other types not scanned");
    }
  }
  trace("heuristic: " + std::to_string(result.files_scanned) + " files, " + std::to_string(result.bytes_scanned) +
        " bytes scanned; " + std::to_string(result.findings.size()) + " findings");
  return result;
}

}  // namespace gv
