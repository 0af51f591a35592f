// The fast YAML tokenizer (yaml_fast.h) against libyaml, event by event: every
// YAML lockfile fixture, truncations of them, and hand-written edge cases must
// give the same stream (kind, value, plain, line, col, offset) or the same
// error. Also pins that the real pnpm / yarn berry fixtures never leave the
// fast path (a fallback there would silently cost the speed-up).
#include "lockfile/yaml_fast.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "lockfile/yaml_reader.h"

namespace gv {
namespace {

struct Stream {
  std::vector<std::string> events;
  bool fell_back = false;
  bool fast_at_start = false;
};

Stream drain(std::string_view text, bool libyaml_only) {
  Stream run;
  YamlReader r("t.yaml", text);
  if (libyaml_only) YamlReaderTestPeer::force_libyaml(r);
  run.fast_at_start = YamlReaderTestPeer::fast_active(r);
  for (;;) {
    std::optional<YamlEvent> ev = r.next();
    if (!ev) {
      run.events.push_back("ERROR " + r.error().str());
      break;
    }
    std::string s = std::to_string(ev->kind) + " " + std::to_string(ev->line) + ":" + std::to_string(ev->col) +
                    "@" + std::to_string(ev->offset);
    if (ev->kind == YamlEvent::kScalar) s += (ev->plain ? " plain=" : " quoted=") + std::string(ev->value);
    run.events.push_back(std::move(s));
    if (ev->kind == YamlEvent::kStreamEnd) break;
  }
  run.fell_back = YamlReaderTestPeer::fell_back(r);
  return run;
}

// Compares the two modes; returns the number of events compared.
size_t expect_same(std::string_view text, const std::string& label, Stream* fast_out = nullptr) {
  Stream lib = drain(text, true);
  Stream fast = drain(text, false);
  EXPECT_EQ(lib.events.size(), fast.events.size()) << label;
  for (size_t i = 0; i < lib.events.size() && i < fast.events.size(); ++i) {
    if (lib.events[i] != fast.events[i]) {
      ADD_FAILURE() << label << ": event " << i << " differs\n  libyaml: " << lib.events[i]
                    << "\n  fast:    " << fast.events[i];
      break;
    }
  }
  if (fast_out) *fast_out = fast;
  return lib.events.size();
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::filesystem::path> yaml_fixtures() {
  std::vector<std::filesystem::path> out;
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(std::string(GV_SOURCE_DIR) + "/tests/lockfile/testdata")) {
    if (!e.is_regular_file()) continue;
    const std::string ext = e.path().extension().string();
    if (ext == ".yaml" || ext == ".yml" || ext == ".lock") out.push_back(e.path());
  }
  return out;
}

TEST(YamlFast, EveryFixtureMatchesLibyaml) {
  size_t files = 0, events = 0;
  for (const auto& path : yaml_fixtures()) {
    const std::string text = read_file(path);
    Stream fast;
    events += expect_same(text, path.string(), &fast);
    ++files;
    // Real pnpm and yarn berry lockfiles must stay on the fast path.
    const std::string dir = path.parent_path().filename().string();
    if (dir == "pnpm" || dir == "yarn-berry") {
      EXPECT_TRUE(fast.fast_at_start) << path;
      EXPECT_FALSE(fast.fell_back) << path << " left the fast path";
    }
  }
  EXPECT_GE(files, 15u);
  std::printf("[ yaml_fast ] %zu fixture files, %zu events compared\n", files, events);
}

TEST(YamlFast, TruncatedFixturesMatchLibyaml) {
  size_t cuts = 0;
  for (const auto& path : yaml_fixtures()) {
    const std::string text = read_file(path);
    // Every line end in the first 3 KB, then every 997 bytes (mid-token cuts).
    for (size_t i = 0; i < text.size(); ++i) {
      if ((i < 3000 && text[i] == '\n') || i % 997 == 0) {
        expect_same(std::string_view(text).substr(0, i), path.string() + " cut at " + std::to_string(i));
        expect_same(std::string_view(text).substr(0, i + 1), path.string() + " cut at " + std::to_string(i + 1));
        cuts += 2;
      }
    }
  }
  std::printf("[ yaml_fast ] %zu truncations compared\n", cuts);
}

TEST(YamlFast, EdgeCasesMatchLibyaml) {
  const std::vector<std::string> cases = {
      "",
      "\n",
      "# only a comment",
      "# only a comment\n\n",
      "a: 1",
      "a: 1\n",
      "a:",
      "a:\n",
      "a:   \n",
      "a: # comment\nb: 2\n",
      "a:\nb:\n",
      "a:\n  b:\n    c:\n",
      "a:\n  b:\n    c:\nd: 1",
      "'quoted key: with colon': v\n",
      "\"dq key # not comment\": \"v # nor this\"\n",
      "a: 'it''s'\n",
      "a: ''\nb: \"\"\n",
      "a: \"esc \\\" \\\\ \\n \\t \\/ \\u00e9 \\u65e5\"\n",
      "a: \"\\x41\"\n",
      "a: \"\\u0000 \\u007f \\u0085 \\uFEFF \\u2028 \\uFFFF \\b\\f\\r\"\n",
      "a: \"\\U0001F600 \\e \\N \\_ \\0\"\n",
      "a: \"x\"  # c\nb: 'y # z'   # c\n",
      "a: \"unterminated \\\"\n",
      "a: \"\\ud800\"\n",
      "a: \"\\uZZZZ\"\n",
      "a: \"\\\n  b\"\n",
      "a: {}\nb: []\n",
      "a: { }\nb: [ ]\n",
      "a: {x: 1, y: 'two', z: \"3\"}\n",
      "a: {x: {y: [1, 2, {z: w}]}}\n",
      "a: [x64]\nb: [darwin, linux]\n",
      "a: [x: 1]\n",
      "a: {x: 1,}\n",
      "a: [1,]\n",
      "a: {x}\n",
      "a: {x:}\n",
      "a: {x:1}\n",
      "a: {url: https://example.com/a.tgz}\n",
      "a: {x: a:b}\n",
      "a: {x: a:,b}\n",
      "a: {x: 'b'}#c\n",
      "a: [1, 2\n",
      "a: [1, 2\n  , 3]\n",
      "a: {x: 1,\n  y: 2}\n",
      "a: b   \nc: d  # trailing comment\n",
      "a: b#not comment\n",
      "a: b: c\n",
      "a: b:\n",
      "a b: c d\n",
      "a  : b\n",
      "a: http://x.y/z?q=1&r=2\n",
      "a: b\n  c\n",
      "a: b\n  c: d\n",
      "a:\n    b: 1\n  c: 2\n",
      "a:\n  b: 1\n c: 2\n",
      "  a: 1\n  b: 2\n",
      "  a: 1\nb: 2\n",
      "a:\n  - x\n  - 'y'\n  - \"z\"\n  - {k: v}\n  - [1]\nb: 1\n",
      "a:\n- x\n- y\n",
      "a:\n  - x\n  -\n",
      "a:\n  - x: 1\n",
      "a:\n  - - x\n",
      "a:\n  - x\n    y\n",
      "a:\n  - x # c\n  # c2\n  - y\n",
      "- a\n- b\n",
      "a\n",
      "a: 1\nb\n",
      "a:\n  b\n",
      "---\na: 1\n",
      "a: 1\n---\nb: 2\n",
      "---\na: 1\n",
      "---  # c\na: 1\n",
      "# c\n---\n\n  a:\n    b: 1\n---\nc: [x]\n",
      "---\nlockfileVersion: '9.0'\n\nimporters:\n  .:\n    configDependencies: {}\n---\nlockfileVersion: '9.0'\n",
      "a:\n---\nb:\n",
      "a:\n  - x\n---\n- y\n",
      "---\n",
      "---",
      "---\n---\na: 1\n",
      "a: 1\n---\n",
      "--- a: 1\n",
      "--- |\n  x\n",
      "---x: 1\n",
      "a: 1\n--- \nb: 1\n",
      "a: 1\n ---\n",
      "a:\n  b: 1\n---\n  c: 1\n",
      "a: 1\n...\n",
      "%YAML 1.1\n---\na: 1\n",
      "a: &x 1\nb: *x\n",
      "a: *x\n",
      "a: !tag 1\n",
      "a: |\n  text\n",
      "a: >\n  text\n",
      "? a\n: b\n",
      "a:\tb\n",
      "a:\n\tb: 1\n",
      "a: 1\r\nb: 2\r\n",
      "\xEF\xBB\xBF" "a: 1\n",
      "a: \xC3\xA9t\xC3\xA9\nb: \xE6\x97\xA5\xE6\x9C\xAC: 1\n",
      "\xC3\xA9: {\xC3\xA9: \xE6\x97\xA5}\nb: 1\n",
      "a: \xFF\n",
      "a: \xC2\x85\n",
      "a: \xE2\x80\xA8\n",
      "a: \x01\n",
      std::string("a: 1\n\0b: 2\n", 11),
      "a: 'multi\n  line'\n",
      "a: \"multi\n  line\"\n",
      "a: 'unterminated\n",
      "a: -1\nb: - x\n",
      "a: @x\nb: `x`\n",
      "a: %x\n",
      "a: ,x\n",
      "a: x]\n",
      "a: 'x' y\n",
      "a: 'x'y\n",
      "'a':b\n",
      "'a' : b\n",
      "\"a\":\n  b: 1\n",
      "a:\n  # comment at depth\n  b: 1\n# top comment\nc: 2\n",
      "a: 1\n\n\n\nb: 2\n\n",
      "a: 1\n   \n",
      "a: 1\n   ",
      "a:\n  b: 1\n  ",
      "a:\n  b:\n    c: 1\n  ",
      "a:\n  b:\n    c: 1\n # \xC3\xA9",
      "a:\n  b:\n    c: 1\n      # deep",
      "a:\n  b:\n    c:\n ",
      "x:\n" + std::string(1100, 'k') + ": v\n",
      "x:\n  " + std::string(1100, 'k') + ": v\n",
      "'" + std::string(1030, 'k') + "': v\n",
      "a: {" + std::string(1030, 'k') + ": v}\n",
      "a: " + std::string(5000, 'v') + "\n",
      [] {
        std::string s = "\xC3\xA9:\n  - {";
        for (int i = 0; i < 2000; ++i) s += (i ? ", \xC3\xA9" : "\xC3\xA9") + std::to_string(i) + ": '\xE6\x97\xA5'";
        return s + "}\n  - \xC3\xA9\n";
      }(),
  };
  std::string deep;
  for (int d = 0; d < 300; ++d) deep += std::string(static_cast<size_t>(d) * 2, ' ') + "k" + std::to_string(d) + ":\n";
  std::string deep_flow = "a: ";
  for (int d = 0; d < 300; ++d) deep_flow += "[";
  for (int d = 0; d < 300; ++d) deep_flow += "]";
  deep_flow += "\n";
  std::vector<std::string> all = cases;
  all.push_back(deep);
  all.push_back(deep_flow);
  size_t events = 0;
  for (const std::string& c : all) events += expect_same(c, "case: " + c.substr(0, 80));
  std::printf("[ yaml_fast ] %zu edge cases, %zu events compared\n", all.size(), events);
}

TEST(YamlFast, SubsetStaysOnTheFastPath) {
  for (const char* text : {"a: 1\n", "a:\n  'b@1': {integrity: x, tarball: https://x/y.tgz}\n  c: [x64]\n",
                           "\"@a/b@npm:1, @a/b@npm:^1\":\n  version: 1.0.0\n  bin:\n    x: y\n",
                           "---\nlockfileVersion: '9.0'\nimporters:\n  .: {}\n---\nlockfileVersion: '9.0'\n"}) {
    Stream fast = drain(text, false);
    EXPECT_TRUE(fast.fast_at_start) << text;
    EXPECT_FALSE(fast.fell_back) << text;
  }
  EXPECT_TRUE(drain("a: &x 1\n", false).fell_back);
  EXPECT_FALSE(drain("a:\tb\n", false).fast_at_start);  // tabs: libyaml from the start
}

// Random documents from the lockfile grammar, with a pinch of everything
// outside it, at random places: deterministic, so a failure reproduces.
std::string random_yaml(std::mt19937& rng) {
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  static const char* const kAtoms[] = {"a", "b-c", "@s/p@1.0.0", "x y", "http://h/p.tgz", "1.2.3(a@1)", "v#1",
                                       "\xC3\xA9", "n:m", "k,l", "'q'", "'it''s'", "\"d\"", "\"e\\\"\\u00e9\"",
                                       "''", "\"\"", "~", "null", "sha512-AbC+/="};
  static const char* const kWeird[] = {"&a ", "*a", "!t ", "|", ">", "? ", "\t", "\r", "---", "...", "- ", "-",
                                       ":", " #c", "#", "{", "}", "[", "]", ",", "\"", "'", "\\", "%", "@", "`",
                                       "\xEF\xBB\xBF", "\xC2\x85", "\xFF", " ", "\n", "\n  "};
  auto atom = [&]() { return std::string(kAtoms[pick(std::size(kAtoms))]); };
  std::function<std::string(int)> flow = [&](int depth) {
    const bool map = pick(2) == 0;
    std::string s = map ? "{" : "[";
    const size_t n = pick(4);
    for (size_t i = 0; i < n; ++i) {
      if (i) s += pick(5) ? ", " : ",";
      if (map) s += atom() + ": ";
      s += (depth < 3 && pick(4) == 0) ? flow(depth + 1) : atom();
    }
    return s + (map ? "}" : "]");
  };
  std::string out;
  if (pick(4) == 0) out += "# header\n\n";
  std::vector<int> indents = {0};
  const size_t lines = 1 + pick(30);
  for (size_t l = 0; l < lines; ++l) {
    const int ind = indents[pick(indents.size())];
    std::string line(static_cast<size_t>(ind), ' ');
    const size_t shape = pick(10);
    if (shape < 4) {
      line += atom() + ":";
      indents.push_back(ind + 2 * static_cast<int>(1 + pick(2)));
    } else if (shape < 7) {
      line += atom() + ": " + atom();
    } else if (shape < 8) {
      line += atom() + ": " + flow(0);
    } else if (shape < 9) {
      line += "- " + (pick(3) ? atom() : flow(0));
    } else {
      const size_t k = pick(4);
      line = k == 0 ? "# comment" : k == 1 ? "---" : "";
    }
    if (pick(6) == 0) line += pick(2) ? "  # trailing" : "   ";
    if (pick(8) == 0) line.insert(pick(line.size() + 1), kWeird[pick(std::size(kWeird))]);
    out += line;
    if (l + 1 < lines || pick(2)) out += "\n";
  }
  return out;
}

TEST(YamlFast, RandomDocumentsMatchLibyaml) {
  std::mt19937 rng(20241123);
  size_t events = 0, fast_whole = 0;
  const int n = 50000;
  for (int i = 0; i < n; ++i) {
    const std::string doc = random_yaml(rng);
    Stream fast;
    events += expect_same(doc, "random #" + std::to_string(i) + ":\n" + doc, &fast);
    if (fast.fast_at_start && !fast.fell_back) ++fast_whole;
    if (HasFailure()) break;
  }
  std::printf("[ yaml_fast ] %d random documents (%zu wholly on the fast path), %zu events compared\n", n,
              fast_whole, events);
}

// Throughput and lockstep equivalence on big generated lockfiles
// (bench/gen_yaml_lockfiles.py). Run with:
//   GV_YAML_BENCH_DIR=/tmp/yaml-bench lockfile_test --gtest_also_run_disabled_tests
//     --gtest_filter='YamlFast.DISABLED_Throughput'
TEST(YamlFast, DISABLED_Throughput) {
  const char* dir = std::getenv("GV_YAML_BENCH_DIR");
  ASSERT_NE(dir, nullptr) << "set GV_YAML_BENCH_DIR";
  for (const char* name : {"pnpm-lock.yaml", "yarn.lock"}) {
    const std::string text = read_file(std::filesystem::path(dir) / name);
    ASSERT_FALSE(text.empty()) << name;
    // Lockstep: both modes, event by event.
    {
      YamlReader lib("t", text), fast("t", text);
      YamlReaderTestPeer::force_libyaml(lib);
      size_t n = 0;
      for (;; ++n) {
        std::optional<YamlEvent> a = lib.next(), b = fast.next();
        ASSERT_TRUE(a && b) << name;
        ASSERT_TRUE(a->kind == b->kind && a->value == b->value && a->plain == b->plain && a->line == b->line &&
                    a->col == b->col && a->offset == b->offset)
            << name << " event " << n;
        if (a->kind == YamlEvent::kStreamEnd) break;
      }
      EXPECT_FALSE(YamlReaderTestPeer::fell_back(fast)) << name;
      std::printf("[ yaml_fast ] %s: %.1f MB, %zu events identical\n", name, text.size() / 1e6, n + 1);
    }
    for (bool libyaml_only : {true, false}) {
      double best = 1e9;
      size_t sink = 0;
      for (int rep = 0; rep < 3; ++rep) {
        const auto t0 = std::chrono::steady_clock::now();
        YamlReader r("t", text);
        if (libyaml_only) YamlReaderTestPeer::force_libyaml(r);
        for (;;) {
          std::optional<YamlEvent> ev = r.next();
          if (!ev || ev->kind == YamlEvent::kStreamEnd) break;
          sink += ev->value.size();
        }
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
      std::printf("[ yaml_fast ] %s %-8s %7.1f MB/s (%.3f s, sink %zu)\n", name, libyaml_only ? "libyaml" : "fast",
                  text.size() / 1e6 / best, best, sink);
    }
  }
}

}  // namespace
}  // namespace gv
