// -heuristic: the bundled YARA rules against hand-written, defanged samples
// (tests/scan/testdata/heuristic/malicious: each triggers its rule, listed in
// expected.tsv) and look-alikes that must stay quiet (.../benign); the scan's
// limits (size, type, timeout, symlinks) reported rather than silent; user
// rules beside the bundled ones. HeuristicFalsePositives runs over a real
// install when GV_FP_DIR is set (scripts/heuristic-fp.sh).
#include "scan/heuristic.h"

#include <algorithm>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/temp_dir.h"
#include "rules/load.h"
#include "scan/bundled_yara.h"
#include "scan/heuristic_files.h"
#include "scan/heuristic_install.h"
#include "scan/yara_engine.h"

namespace gv {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::source_path;
using testing::TempDir;

const std::string kData = source_path("tests/scan/testdata/heuristic");

HeuristicResult scan_dir(const std::string& root, unsigned threads = 2) {
  HeuristicOptions o;
  o.roots = {root};
  o.threads = threads;
  return scan_heuristics(o);
}

std::string errors_of(const HeuristicResult& r) {
  std::string out;
  for (const Error& e : r.errors) out += e.str() + "\n";
  return out;
}

// (file relative to `root`, rule) for every finding.
std::set<std::pair<std::string, std::string>> pairs(const HeuristicResult& r, const std::string& root) {
  std::set<std::pair<std::string, std::string>> out;
  for (const HeuristicFinding& f : r.findings) {
    out.emplace(fs::path(f.file).lexically_relative(root).string(), f.rule);
  }
  return out;
}

std::set<std::pair<std::string, std::string>> expected_pairs() {
  std::set<std::pair<std::string, std::string>> out;
  std::istringstream in(testing::read_text(kData + "/expected.tsv"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    out.emplace(line.substr(0, tab), line.substr(tab + 1));
  }
  return out;
}

std::vector<YaraSource> bundled_sources() {
  std::vector<YaraSource> s;
  for (const BundledYara& b : bundled_yara()) s.push_back({"bundled:" + std::string(b.file), "", std::string(b.text)});
  return s;
}

size_t bundled_rule_count() {
  Errors errors;
  std::vector<std::string> warnings;
  std::unique_ptr<YaraRules> rules = YaraRules::compile(bundled_sources(), &errors, &warnings);
  return rules ? rules->public_count() : 0;
}

TEST(HeuristicRules, BundledRulesCompileWithoutWarningsAndCarryTheirMeta) {
  Errors errors;
  std::vector<std::string> warnings;
  std::unique_ptr<YaraRules> rules = YaraRules::compile(bundled_sources(), &errors, &warnings);
  ASSERT_TRUE(rules) << (errors.empty() ? "" : errors[0].str());
  // A "may slow down scanning" warning is a rule that costs every user time.
  EXPECT_THAT(warnings, IsEmpty());
  EXPECT_GE(rules->public_count(), 20u);
  for (const YaraRuleInfo& r : rules->rules()) {
    SCOPED_TRACE(r.identifier);
    EXPECT_TRUE(r.identifier.starts_with("gv_"));
    EXPECT_TRUE(r.source.starts_with("bundled:")) << r.source;
    EXPECT_FALSE(r.description.empty());
    EXPECT_FALSE(r.reference.empty());
    EXPECT_THAT((std::set<std::string>{"low", "medium", "high", "critical"}), ::testing::Contains(r.severity));
  }
  // Every bundled rule file states a severity explicitly (the default would hide a typo).
  for (const BundledYara& b : bundled_yara()) {
    std::string text(b.text);
    size_t rules_in_file = 0, severities = 0;
    for (size_t p = 0; (p = text.find("\nrule ", p)) != std::string::npos; ++p) ++rules_in_file;
    for (size_t p = 0; (p = text.find("severity = \"", p)) != std::string::npos; ++p) ++severities;
    EXPECT_EQ(rules_in_file, severities) << b.file;
  }
}

TEST(HeuristicRules, EachMaliciousSampleTriggersItsRuleAndNothingElse) {
  const std::string root = kData + "/malicious";
  HeuristicResult r = scan_dir(root);
  ASSERT_THAT(r.errors, IsEmpty()) << errors_of(r);
  EXPECT_EQ(pairs(r, root), expected_pairs());
  // Every bundled rule is exercised by some sample.
  std::set<std::string> covered;
  for (const auto& [file, rule] : expected_pairs()) covered.insert(rule);
  Errors errors;
  std::vector<std::string> warnings;
  std::unique_ptr<YaraRules> rules = YaraRules::compile(bundled_sources(), &errors, &warnings);
  ASSERT_TRUE(rules);
  for (const YaraRuleInfo& info : rules->rules()) {
    EXPECT_TRUE(covered.count(info.identifier)) << info.identifier << " has no sample";
  }
}

TEST(HeuristicRules, BenignLookAlikesStayQuiet) {
  HeuristicResult r = scan_dir(kData + "/benign");
  ASSERT_THAT(r.errors, IsEmpty()) << errors_of(r);
  for (const HeuristicFinding& f : r.findings) ADD_FAILURE() << f.file << ": " << f.rule << ": " << f.excerpt;
  EXPECT_GE(r.files_scanned, 15u);
}

TEST(Heuristic, FindingNamesFileOffsetRuleExcerptAndPackage) {
  HeuristicResult r = scan_dir(kData + "/malicious/evil-atob");
  ASSERT_EQ(r.findings.size(), 1u) << errors_of(r);
  const HeuristicFinding& f = r.findings[0];
  std::string text = testing::read_text(kData + "/malicious/evil-atob/index.js");
  EXPECT_EQ(f.file, kData + "/malicious/evil-atob/index.js");
  EXPECT_EQ(f.offset, text.find("eval(atob("));
  const std::string before = text.substr(0, f.offset);
  EXPECT_EQ(f.line, 1 + std::count(before.begin(), before.end(), '\n'));
  EXPECT_GT(f.line, 1u);
  EXPECT_EQ(f.rule, "gv_eval_decoded_payload");
  EXPECT_EQ(f.rule_source, "bundled:decoded-exec.yar");
  EXPECT_EQ(f.severity, "high");
  EXPECT_THAT(f.description, HasSubstr("Decoded string executed"));
  EXPECT_EQ(f.excerpt, "  eval(atob(\"Y29uc29sZS5sb2coJ2RlZmFuZ2VkIHNhbXBsZScp\"));");
  EXPECT_EQ(f.package, "evil-atob@1.0.0");
  EXPECT_FALSE(f.install_script);
  EXPECT_EQ(r.rules_loaded, bundled_rule_count());
}

TEST(Heuristic, ExcerptInAMinifiedLineIsCutToItsNeighbourhood) {
  TempDir t;
  std::string filler;
  while (filler.size() < 5000) filler += "ab ";  // text, not an encoded payload
  filler.resize(5000);
  t.write("m/x.min.js", "var s=\"" + filler + "\";eval(atob(\"QQ==\"));var z=\"" + filler + "\";\n");
  HeuristicResult r = scan_dir(t.str() + "/m");
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_LE(r.findings[0].excerpt.size(), 120u);
  EXPECT_THAT(r.findings[0].excerpt, HasSubstr("eval(atob(\"QQ==\"))"));
  EXPECT_EQ(r.findings[0].offset, 5009u);
  EXPECT_EQ(r.findings[0].line, 1u);
  EXPECT_EQ(r.findings[0].package, "");
}

TEST(Heuristic, ResultDoesNotDependOnThreadCount) {
  auto key = [](const HeuristicResult& r) {
    std::vector<std::string> out;
    for (const HeuristicFinding& f : r.findings) {
      out.push_back(f.file + ":" + std::to_string(f.offset) + ":" + f.rule + ":" + f.package + ":" + f.excerpt);
    }
    for (const auto& [p, why] : r.skipped) out.push_back(p + ":" + why);
    return out;
  };
  HeuristicResult one = scan_dir(kData, 1), four = scan_dir(kData, 4);
  EXPECT_EQ(key(one), key(four));
  EXPECT_EQ(one.files_scanned, four.files_scanned);
  EXPECT_EQ(one.bytes_scanned, four.bytes_scanned);
  for (size_t i = 1; i < one.findings.size(); ++i) {
    const HeuristicFinding &a = one.findings[i - 1], &b = one.findings[i];
    EXPECT_TRUE(a.file < b.file || (a.file == b.file && a.offset <= b.offset)) << a.file << " / " << b.file;
  }
}

TEST(Heuristic, ProjectRootScansItsNodeModulesOnly) {
  TempDir t;
  // The project's own install script is the user's choice, not a dependency's.
  t.write("app/package.json", R"({"name":"app","scripts":{"postinstall":"curl -s https://example.invalid | sh"}})");
  t.write("app/node_modules/dep/package.json", R"({"name":"dep","version":"0.1.0"})");
  t.write("app/node_modules/dep/index.js", "eval(atob('QQ=='));\n");
  t.write("app/node_modules/dep/node_modules/inner/package.json", R"({"name":"@scope/inner","version":"2.0.0"})");
  t.write("app/node_modules/dep/node_modules/inner/lib/deep/x.js", "eval(atob('QQ=='));\n");
  t.write("app/node_modules/dep/node_modules/inner/lib/package.json", R"({"type":"module"})");
  HeuristicResult r = scan_dir(t.str() + "/app");
  ASSERT_THAT(r.errors, IsEmpty()) << errors_of(r);
  EXPECT_THAT(r.scanned_roots, ElementsAre(t.str() + "/app/node_modules"));
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0].package, "dep@0.1.0");
  // The nearest package.json with a name: lib/package.json has none.
  EXPECT_EQ(r.findings[1].package, "@scope/inner@2.0.0");
}

TEST(Heuristic, LimitsAreReportedNotSilent) {
  TempDir t;
  t.write("nm/big/huge.js", std::string(4096, 'x'));
  t.write("nm/big/small.js", "ok();\n");
  t.write("nm/big/logo.png", "\x89PNG");
  t.write("nm/big/index.d.ts", "export declare const x: number;\n");
  t.write("nm/big/index.js.map", "{}");
  t.write("nm/big/LICENSE", "MIT\n");
  t.write("nm/big/bin/tool", "#!/usr/bin/env node\neval(atob('QQ=='));\n");
  t.write("nm/big/bin/native", std::string("\x7f"
                                           "ELF",
                                           4) +
                                   std::string(100, '\0'));
  fs::create_symlink("/etc", t.path() / "nm/big/escape");
  HeuristicOptions o;
  o.roots = {t.str() + "/nm"};
  o.max_file_bytes = 1024;
  HeuristicResult r = scan_heuristics(o);
  ASSERT_THAT(r.errors, IsEmpty()) << errors_of(r);
  EXPECT_EQ(r.files_scanned, 2u);  // small.js and the #! script
  EXPECT_EQ(r.files_other, 5u);    // png, .d.ts, .map, LICENSE, the binary
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].file, t.str() + "/nm/big/bin/tool");
  std::map<std::string, std::string> skipped(r.skipped.begin(), r.skipped.end());
  EXPECT_EQ(skipped[t.str() + "/nm/big/huge.js"], "larger than 1024 bytes (4096 bytes), not scanned");
  EXPECT_THAT(skipped[t.str() + "/nm/big/escape"], HasSubstr("outside the scanned tree, not followed"));
  EXPECT_EQ(r.skipped.back(),
            (std::pair<std::string, std::string>{t.str() + "/nm", "5 files of other types not scanned"}));
}

TEST(Heuristic, DefaultSizeLimitReadsEightMiB) {
  TempDir t;
  t.write("nm/a.js", std::string((8u << 20) + 1, ' '));
  HeuristicResult r = scan_dir(t.str() + "/nm");
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_EQ(r.skipped[0].second, "larger than 8 MiB (8388609 bytes), not scanned");
}

TEST(Heuristic, SlowRuleHitsTheTimeoutAndTheFileIsReported) {
  TempDir t;
  // A deliberately quadratic user rule: ~10^9 steps on 200 KB.
  t.write(
      "rules/slow.yar",
      R"(rule slow_rule { condition: for all i in (0..filesize - 1) : ( for all j in (0..5000) : ( uint8(i) != 0xFF ) ) })");
  t.write("nm/a.js", std::string(200000, 'a'));
  HeuristicOptions o;
  o.roots = {t.str() + "/nm"};
  o.yara_paths = {t.str() + "/rules"};
  o.bundled = false;
  o.timeout_seconds = 1;
  HeuristicResult r = scan_heuristics(o);
  ASSERT_THAT(r.errors, IsEmpty()) << errors_of(r);
  EXPECT_EQ(r.files_scanned, 0u);
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_EQ(r.skipped[0],
            (std::pair<std::string, std::string>{t.str() + "/nm/a.js", "YARA timeout (1 s), not scanned"}));
}

TEST(Heuristic, UserRulesRunBesideBundledOnesInTheirOwnNamespace) {
  TempDir t;
  // Same identifier as a bundled rule: namespaces keep them apart.
  t.write("yara/common.yar", "private rule marker_present { strings: $m = \"GV-TEST-MARKER\" condition: $m }\n");
  t.write("yara/mine.yar",
          "include \"common.yar\"\n"
          "rule gv_eval_decoded_payload {\n"
          "  meta: description = \"test marker\" severity = \"LOW\"\n"
          "  strings: $m = \"GV-TEST-MARKER\"\n"
          "  condition: marker_present and $m and filename == \"x.js\" and extension == \".js\"\n"
          "}\n");
  t.write("yara/notes.txt", "not a rule file\n");
  t.write("nm/p/x.js", "// GV-TEST-MARKER\neval(atob('QQ=='));\n");
  HeuristicOptions o;
  o.roots = {t.str() + "/nm"};
  o.yara_paths = {t.str() + "/yara", t.str() + "/yara/mine.yar"};  // named twice: compiled once
  HeuristicResult r = scan_heuristics(o);
  ASSERT_THAT(r.errors, IsEmpty()) << errors_of(r);
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0].rule_source, t.str() + "/yara/mine.yar");
  EXPECT_EQ(r.findings[0].severity, "low");
  EXPECT_EQ(r.findings[0].offset, 3u);
  EXPECT_EQ(r.findings[1].rule_source, "bundled:decoded-exec.yar");
  EXPECT_EQ(r.rules_loaded, bundled_rule_count() + 1);  // the user's private rule is not counted
}

TEST(Heuristic, CompileErrorsNameFileAndLineAndNothingIsScanned) {
  TempDir t;
  t.write("y/a.yar", "rule ok { condition: true }\n");
  t.write("y/b.yar", "rule broken {\n  strings: $a = \"x\"\n  condition: $b }\n");
  t.write("y/c.yar", "rule also_broken { condition: }\n");
  t.write("nm/x.js", "x\n");
  HeuristicOptions o;
  o.roots = {t.str() + "/nm"};
  o.yara_paths = {t.str() + "/y"};
  HeuristicResult r = scan_heuristics(o);
  std::vector<std::string> msgs;
  for (const Error& e : r.errors) msgs.push_back(e.str());
  EXPECT_THAT(msgs, ElementsAre(t.str() + "/y/b.yar:3: undefined string \"$b\"", t.str() + "/y/c.yar:1: syntax error"));
  EXPECT_EQ(r.files_scanned, 0u);
}

TEST(Heuristic, MissingPathsAreErrors) {
  TempDir t;
  t.write("empty/readme.md", "no rules here\n");
  HeuristicOptions o;
  o.roots = {t.str() + "/nope"};
  o.yara_paths = {t.str() + "/missing.yar", t.str() + "/empty"};
  HeuristicResult r = scan_heuristics(o);
  std::vector<std::string> msgs;
  for (const Error& e : r.errors) msgs.push_back(e.str());
  EXPECT_THAT(msgs, ElementsAre(t.str() + "/missing.yar: cannot open YARA rules: No such file or directory",
                                t.str() + "/empty: no YARA rule files (*.yar, *.yara) found in this folder",
                                t.str() + "/nope: cannot scan: No such file or directory"));
}

TEST(Heuristic, InstallScriptTargetsAreFlagged) {
  HeuristicResult r = scan_dir(kData + "/malicious/obfuscated-installer");
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_TRUE(r.findings[0].install_script);
  EXPECT_EQ(r.findings[0].rule, "gv_install_script_obfuscated");
}

TEST(Heuristic, FileKindsByName) {
  using K = HeuristicFileKind;
  for (const char* n : {"index.js", "a.CJS", "b.mjs", "c.jsx", "d.ts", "e.tsx", "package.json", "setup.sh", "x.py",
                        "run.ps1", "go.bat", "shai-hulud-workflow.yml", "discussion.yaml"}) {
    EXPECT_EQ(heuristic_file_kind(n), K::kScan) << n;
  }
  for (const char* n : {"index.d.ts", "x.D.MTS", "a.js.map", "logo.png", "data.json", "README.md", "LICENSE",
                        "license-MIT", "Makefile", ".npmrc", "CHANGELOG"}) {
    EXPECT_EQ(heuristic_file_kind(n), K::kOther) << n;
  }
  EXPECT_EQ(heuristic_file_kind("esbuild"), K::kMaybeScript);
  EXPECT_EQ(lower_extension("A.JS"), ".js");
  EXPECT_EQ(lower_extension(".npmrc"), "");
  EXPECT_EQ(size_text(8u << 20), "8 MiB");
  EXPECT_EQ(size_text(1000), "1000 bytes");
}

TEST(Heuristic, InstallScriptTargetsOfCommonScripts) {
  auto targets = [](const std::string& script) {
    return install_script_targets(R"({"scripts":{"postinstall":)" + script + "}}", "nm/p");
  };
  EXPECT_THAT(targets(R"("node install.js")"), ElementsAre("nm/p/install.js"));
  EXPECT_THAT(targets(R"("node-gyp rebuild")"), IsEmpty());
  EXPECT_THAT(targets(R"("prebuild-install || node-gyp rebuild")"), IsEmpty());
  EXPECT_THAT(targets(R"("node -e \"try{require('./postinstall')}catch(e){}\"")"),
              ElementsAre("nm/p/postinstall", "nm/p/postinstall.js"));
  EXPECT_THAT(targets(R"("FOO=1 node --no-warnings ./scripts/x.js && echo done")"), ElementsAre("nm/p/scripts/x.js"));
  EXPECT_THAT(targets(R"("sh ./setup.sh; ./run.sh")"), ElementsAre("nm/p/setup.sh", "nm/p/run.sh"));
  EXPECT_THAT(targets(R"("node ../../elsewhere.js")"), IsEmpty());
  EXPECT_THAT(targets(R"("node /usr/lib/x.js")"), IsEmpty());
  EXPECT_THAT(install_script_targets("not json", "nm/p"), IsEmpty());
  EXPECT_THAT(
      install_script_targets(R"({"scripts":{"preinstall":"node a.js","install":"node b.js","test":"node c.js"}})", "p"),
      ElementsAre("p/a.js", "p/b.js"));
}

TEST(Heuristic, ARuleFilesYaraRulesFeedTheScan) {
  TempDir t;
  t.write("rules/yara/marker.yar",
          "rule team_marker { meta: severity = \"critical\" strings: $m = \"TEAM-IOC-42\" condition: $m }\n");
  t.write("rules/incident.json", R"({"schema_version": "1.0.0", "rules": [{"id": "T-1", "title": "t",
    "kind": "malicious-package", "ecosystem": "npm", "severity": "high", "yara_rules": ["yara/marker.yar"]}]})");
  t.write("nm/p/index.js", "const tag = 'TEAM-IOC-42';\n");
  RuleSet rs;
  Errors errs;
  ASSERT_TRUE(load_rules({t.str() + "/rules"}, &rs, &errs)) << errs[0].str();
  HeuristicOptions o;
  o.roots = {t.str() + "/nm"};
  for (const Rule& rule : rs.rules)
    o.yara_paths.insert(o.yara_paths.end(), rule.yara_rules.begin(), rule.yara_rules.end());
  HeuristicResult r = scan_heuristics(o);
  ASSERT_EQ(r.findings.size(), 1u) << errors_of(r);
  EXPECT_EQ(r.findings[0].rule, "team_marker");
  EXPECT_EQ(r.findings[0].severity, "critical");
  EXPECT_EQ(r.findings[0].rule_source, t.str() + "/rules/yara/marker.yar");
}

TEST(Heuristic, ProgressIsReportedAndEndsWithTheTotals) {
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  HeuristicOptions o;
  o.roots = {kData};
  o.progress = [&](uint64_t files, uint64_t bytes, const std::string&) { calls.emplace_back(files, bytes); };
  HeuristicResult r = scan_heuristics(o);
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.back(), (std::pair<uint64_t, uint64_t>{r.files_scanned, r.bytes_scanned}));
  EXPECT_LE(calls.size(), 3u);  // ~10/s at most; this scan takes milliseconds
}

// scripts/heuristic-fp.sh: popular real packages, every finding a false positive.
TEST(HeuristicFalsePositives, PopularPackages) {
  const char* dir = std::getenv("GV_FP_DIR");
  if (dir == nullptr) GTEST_SKIP() << "set GV_FP_DIR to an npm install (scripts/heuristic-fp.sh)";
  using Clock = std::chrono::steady_clock;
  // Baseline: the same walk and reads with a rule set that matches nothing.
  TempDir t;
  t.write("nothing.yar", "rule gv_nothing { condition: false }\n");
  HeuristicOptions base;
  base.roots = {dir};
  base.bundled = false;
  base.yara_paths = {t.str() + "/nothing.yar"};
  HeuristicOptions full;
  full.roots = {dir};
  scan_heuristics(full);  // warm the page cache for both timings
  auto t0 = Clock::now();
  HeuristicResult b = scan_heuristics(base);
  auto t1 = Clock::now();
  HeuristicResult r = scan_heuristics(full);
  auto t2 = Clock::now();
  ASSERT_THAT(r.errors, IsEmpty()) << errors_of(r);
  double read_s = std::chrono::duration<double>(t1 - t0).count();
  double scan_s = std::chrono::duration<double>(t2 - t1).count();
  std::map<std::string, std::vector<const HeuristicFinding*>> by_rule;
  std::set<std::string> files;
  for (const HeuristicFinding& f : r.findings) {
    by_rule[f.rule].push_back(&f);
    files.insert(f.file);
  }
  std::printf("files scanned: %llu (%llu bytes); files of other types: %llu; skipped: %zu\n",
              static_cast<unsigned long long>(r.files_scanned), static_cast<unsigned long long>(r.bytes_scanned),
              static_cast<unsigned long long>(r.files_other), r.skipped.size());
  for (const auto& [path, why] : r.skipped) std::printf("  skipped %s: %s\n", path.c_str(), why.c_str());
  std::printf("files matched: %zu; findings: %zu; false-positive rate: %.4f%% of files\n", files.size(),
              r.findings.size(), r.files_scanned ? 100.0 * files.size() / r.files_scanned : 0.0);
  for (const auto& [rule, fs_] : by_rule) {
    std::printf("  %s: %zu\n", rule.c_str(), fs_.size());
    for (const HeuristicFinding* f : fs_)
      std::printf("    %s @%llu (%s)\n", f->file.c_str(), static_cast<unsigned long long>(f->offset),
                  f->package.c_str());
  }
  std::printf("time: %.2f s with the rules, %.2f s walking and reading alone (ratio %.2f)\n", scan_s, read_s,
              read_s > 0 ? scan_s / read_s : 0.0);
  EXPECT_EQ(b.files_scanned, r.files_scanned);
}

}  // namespace
}  // namespace gv
