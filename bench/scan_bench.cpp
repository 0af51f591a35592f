// Micro-benchmarks of the hot paths, on inputs generated in memory so they run
// anywhere: npm lockfile parsing (bytes/s), the rule index lookup per package,
// loading 100,000- and 200,000-entry rule documents, the per-package cost of a
// scan against 1,000 vs 200,000 entries, and semver matching.
// Whole-process figures (vs cat) live in bench/whole_process.sh.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <string>

#include "common/file.h"
#include "rules/index.h"
#include "rules/load.h"
#include "scan/scan.h"

namespace gv {
namespace {

std::string pkg_name(size_t i) { return "pkg-" + std::to_string(i * 2654435761u % 1000003); }

// A package-lock.json v3 shaped like npm's output.
std::string make_lockfile(size_t n) {
  std::mt19937 rng(7);
  std::string s = R"({
  "name": "bench",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "bench",
      "version": "1.0.0",
      "dependencies": {
        "pkg-1": "^1.0.0"
      }
    })";
  for (size_t i = 0; i < n; ++i) {
    const std::string name = pkg_name(i);
    const std::string v = std::to_string(rng() % 10) + "." + std::to_string(rng() % 20) + "." +
                          std::to_string(rng() % 30);
    s += ",\n    \"node_modules/" + name + "\": {\n      \"version\": \"" + v +
         "\",\n      \"resolved\": \"https://registry.npmjs.org/" + name + "/-/" + name + "-" + v +
         ".tgz\",\n      \"integrity\": \"sha512-"
         "3u7fKq1tXtLqrAXg0S2LkZ0wQbNfR9n5mJmQH8b5wQe0aZmYc8v1lJk2yQ4n8jH6sW3hGJq0cGQ2bXzK1m9gFQ==\",\n"
         "      \"dev\": true,\n      \"license\": \"MIT\",\n      \"dependencies\": {\n        \"" +
         pkg_name(i + 1) + "\": \"^1.0.0\",\n        \"" + pkg_name(i + 2) + "\": \"~2.1.0\"\n      }\n    }";
  }
  s += "\n  }\n}\n";
  return s;
}

// n package entries, 100 per rule. The first `shared` entries name packages
// of make_lockfile (every 100th one), the others names no lockfile has, so
// two feeds of different sizes can hit the same packages.
std::string make_rules(size_t n, size_t shared = 0) {
  std::string s = R"({"schema_version":"1.0.0","rules":[)";
  for (size_t r = 0; r < n; r += 100) {
    if (r) s += ",";
    s += R"({"id":"MAL-)" + std::to_string(r) +
         R"(","title":"feed","kind":"malicious-package","ecosystem":"npm","severity":"critical","package_rules":[)";
    for (size_t i = r; i < r + 100 && i < n; ++i) {
      if (i != r) s += ",";
      const std::string name = i < shared ? pkg_name(i * 100) : "mal-" + std::to_string(i);
      s += R"({"package_name":")" + name + R"(","affected_versions":["=1.0.)" + std::to_string(i % 7) + "\"]}";
    }
    s += "]}";
  }
  return s + "]}";
}

void BM_ParseNpmLockV3(benchmark::State& state) {
  const std::string text = make_lockfile(static_cast<size_t>(state.range(0)));
  std::string buf = text + std::string(kReadPadding, '\0');
  std::string_view view(buf.data(), text.size());
  size_t n = 0;
  auto sink = [&](const PackageRef& p) { n += p.name.size(); };
  for (auto _ : state) {
    auto err = parse_lockfile(LockfileKind::kNpmLock, "bench.json", view, PackageSink(sink));
    if (err) state.SkipWithError(err->str().c_str());
  }
  benchmark::DoNotOptimize(n);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseNpmLockV3)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

// Per format, on the ~30 MB files bench/whole_process.sh generates from the
// real fixtures ($GV_BENCH_CORPUS, default /tmp/gouvernante-bench-corpus):
// one core, the scan's first pass (graph_flags off), file already in memory.
void BM_ParseFormat(benchmark::State& state, const char* rel) {
  const char* env = std::getenv("GV_BENCH_CORPUS");
  const std::string path = std::string(env != nullptr ? env : "/tmp/gouvernante-bench-corpus") + "/formats/" + rel;
  FileBuffer buf;
  if (auto e = read_file(path, &buf)) {
    state.SkipWithError(("run bench/whole_process.sh first: " + e->str()).c_str());
    return;
  }
  const LockfileKind kind = detect_lockfile(path, buf.view().substr(0, 65536));
  size_t n = 0;
  auto sink = [&](const PackageRef& p) { n += p.name.size(); };
  for (auto _ : state) {
    auto err = parse_lockfile(kind, path, buf.view(), PackageSink(sink), nullptr, ParseOptions{.graph_flags = false});
    if (err) state.SkipWithError(err->str().c_str());
  }
  benchmark::DoNotOptimize(n);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * buf.view().size()));
}
BENCHMARK_CAPTURE(BM_ParseFormat, npm, "npm/package-lock.json")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ParseFormat, pnpm9, "pnpm/pnpm-lock.yaml")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ParseFormat, yarn_classic, "yarn-classic/yarn.lock")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ParseFormat, yarn_berry, "yarn-berry/yarn.lock")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ParseFormat, bun, "bun/bun.lock")->Unit(benchmark::kMillisecond);

void BM_ScanLockfileWith100kRules(benchmark::State& state) {
  RuleSet rs;
  Errors errs;
  parse_rule_document(make_rules(100000), "feed.json", &rs, &errs);
  RuleIndex index(rs.rules);
  const std::string text = make_lockfile(100000);
  std::string buf = text + std::string(kReadPadding, '\0');
  std::string_view view(buf.data(), text.size());
  for (auto _ : state) {
    LockfileResult res;
    std::vector<Finding> f;
    std::vector<Unevaluated> u;
    scan_lockfile_text(index, "bench.json", LockfileKind::kNpmLock, view, &res, &f, &u);
    benchmark::DoNotOptimize(res.packages);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ScanLockfileWith100kRules)->Unit(benchmark::kMillisecond);

// One 100,000-package lockfile (33 MB) against feeds of 1,000 and 200,000
// entries that name the same 1,000 of its packages: the time per package
// must not grow with the feed, since each package costs one Bloom-filtered
// lookup whatever the feed's size, and versions are parsed only on a hit.
void BM_ScanLockfileAgainstRules(benchmark::State& state) {
  const size_t entries = static_cast<size_t>(state.range(0));
  RuleSet rs;
  Errors errs;
  if (!parse_rule_document(make_rules(entries, 1000), "feed.json", &rs, &errs)) {
    state.SkipWithError(errs.front().str().c_str());
    return;
  }
  RuleIndex index(rs.rules);
  const size_t packages = 100000;
  const std::string text = make_lockfile(packages);
  std::string buf = text + std::string(kReadPadding, '\0');
  std::string_view view(buf.data(), text.size());
  size_t findings = 0;
  for (auto _ : state) {
    LockfileResult res;
    std::vector<Finding> f;
    std::vector<Unevaluated> u;
    scan_lockfile_text(index, "bench.json", LockfileKind::kNpmLock, view, &res, &f, &u);
    findings = f.size();
    benchmark::DoNotOptimize(res.packages);
  }
  state.counters["findings"] = static_cast<double>(findings);
  // Packages per second, inverted: seconds per package (printed as "196ns").
  state.counters["per_package"] = benchmark::Counter(static_cast<double>(state.iterations() * packages),
                                                     benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * packages));
}
BENCHMARK(BM_ScanLockfileAgainstRules)->Arg(1000)->Arg(200000)->Unit(benchmark::kMillisecond);

void BM_LoadAndIndexRules(benchmark::State& state) {
  const std::string text = make_rules(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    RuleSet rs;
    Errors errs;
    parse_rule_document(text, "feed.json", &rs, &errs);
    RuleIndex index(rs.rules);
    benchmark::DoNotOptimize(index.entries());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_LoadAndIndexRules)->Arg(100000)->Arg(200000)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_IndexLookupMiss(benchmark::State& state) {
  RuleSet rs;
  Errors errs;
  parse_rule_document(make_rules(100000), "feed.json", &rs, &errs);
  RuleIndex index(rs.rules);
  std::vector<std::string> names;
  for (size_t i = 0; i < 4096; ++i) names.push_back(pkg_name(i));
  size_t i = 0, hits = 0;
  for (auto _ : state) hits += index.lookup(names[i++ & 4095]) != nullptr;
  benchmark::DoNotOptimize(hits);
}
BENCHMARK(BM_IndexLookupMiss);

void BM_RangeSatisfies(benchmark::State& state) {
  auto range = semver::Range::parse(">=1.2.3 <1.4.0 || ^2.0.0-beta.1 || =3.1.4");
  auto v = semver::parse_version("2.5.1-rc.2");
  bool r = false;
  for (auto _ : state) {
    r ^= range->satisfies(*v);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_RangeSatisfies);

}  // namespace
}  // namespace gv
