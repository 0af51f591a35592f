// `gouvernante rules new`: runbook step 3 as one command.
//
// Flags become a Rule, the Rule goes through rule_document_json (the writer
// `rules import` uses too), and the text is parsed back with
// parse_rule_document before anything is printed or written: the output is
// exactly what the loader accepts, or nothing and exit 1. Problems the loader
// finds are reported against the flag that caused them ("--os linux,mac:
// ..."), not against a JSON document the user never wrote.
//
// Host indicator modifiers are positional: --sha256/--sha1/--md5/--sha512
// apply to the --file before them, --os and --confidence to the host
// indicator before them (CLI11's parse_order() keeps the command-line order
// across options). Given before any indicator, --os and --confidence set the
// default for every indicator; a hash before any --file is allowed only when
// there is exactly one --file.
#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <system_error>

#include "cli/rules_cmd.h"
#include "cli/rules_cmd_shared.h"
#include "common/file.h"
#include "report/escape.h"
#include "rules/load.h"
#include "rules/write.h"
#include "semver/semver.h"

namespace gv {

namespace {

namespace fs = std::filesystem;

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> split_commas(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    out.push_back(
        trim(s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

// 'value' quoted and terminal-safe, for messages.
std::string q(std::string_view s) { return "'" + terminal_safe(s) + "'"; }

// --file PATH -> the runbook's shape: path = folder, file_name = name.
// "DIR/" is a folder only; a bare name is a file_name searched in the usual
// places (docs/host-indicators.md). Windows paths split at '\' as well.
void split_file_path(const std::string& raw, HostIndicator* ind) {
  if (raw.size() > 1 && (raw.back() == '/' || raw.back() == '\\')) {
    ind->path = raw.substr(0, raw.size() - 1);
    return;
  }
  size_t sep = raw.find_last_of("/\\");
  if (sep == std::string::npos) {
    ind->file_name = raw;
    return;
  }
  ind->path = sep == 0 ? raw.substr(0, 1) : raw.substr(0, sep);
  ind->file_name = raw.substr(sep + 1);
}

// An address for a network indicator: 203.0.113.7, 2001:db8::1, with an
// optional /prefix or :port ([v6]:port), as the host scan reads them.
bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_ip_value(std::string s) {
  if (size_t slash = s.find('/'); slash != std::string::npos) {
    std::string bits = s.substr(slash + 1);
    if (bits.empty() || bits.size() > 3 || !all_digits(bits)) return false;
    s.resize(slash);
  }
  unsigned char buf[16];
  if (s.starts_with("[")) {
    size_t close = s.find(']');
    if (close == std::string::npos) return false;
    std::string port = s.substr(close + 1);
    if (!port.empty() && (port[0] != ':' || port.size() < 2 || !all_digits(port.substr(1)))) return false;
    return inet_pton(AF_INET6, s.substr(1, close - 1).c_str(), buf) == 1;
  }
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) return true;
  if (size_t colon = s.find(':'); colon != std::string::npos) {
    std::string port = s.substr(colon + 1);
    if (port.empty() || !all_digits(port)) return false;
    s.resize(colon);
  }
  return inet_pton(AF_INET, s.c_str(), buf) == 1;
}

std::string alias_type(const std::string& v) {
  const std::string u = upper(v);
  if (u.starts_with("CVE-")) return "cve";
  if (u.starts_with("GHSA-")) return "ghsa";
  if (u.starts_with("SNYK-")) return "snyk";
  return "other";
}

// An advisory database page rather than a blog post, a repository or an issue.
std::string reference_type(const std::string& url) {
  static constexpr std::string_view kAdvisory[] = {"/advisories/",
                                                   "/security/advisories",
                                                   "GHSA-",
                                                   "nvd.nist.gov/vuln",
                                                   "cve.org/",
                                                   "cve.mitre.org",
                                                   "osv.dev/vulnerability",
                                                   "security.snyk.io/vuln",
                                                   "snyk.io/vuln",
                                                   "npmjs.com/advisories"};
  for (std::string_view m : kAdvisory)
    if (url.find(m) != std::string::npos) return "advisory";
  return "other";
}

size_t hash_digits(std::string_view alg) {
  if (alg == "md5") return 32;
  if (alg == "sha1") return 40;
  if (alg == "sha256") return 64;
  return 128;
}

// Ids defined under `dir`: every "id": "..." in its *.json files, found in
// the text so a file with problems elsewhere still counts.
void existing_ids(const std::string& dir, std::map<std::string, std::string>* ids) {
  std::vector<std::string> files;
  std::string err;
  if (!list_rule_json_files(dir, &files, &err)) return;
  for (const std::string& f : files) {
    FileBuffer buf;
    if (read_file(f, &buf)) continue;
    std::string_view t = buf.view();
    for (size_t pos = t.find("\"id\""); pos != std::string_view::npos; pos = t.find("\"id\"", pos + 1)) {
      size_t i = pos + 4;
      while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) ++i;
      if (i >= t.size() || t[i] != ':') continue;
      ++i;
      while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) ++i;
      if (i >= t.size() || t[i] != '"') continue;
      size_t end = t.find('"', i + 1);
      if (end == std::string_view::npos) continue;
      ids->emplace(std::string(t.substr(i + 1, end - i - 1)),
                   f + ":" + std::to_string(line_col_at(t, pos).line));
    }
  }
}

// One host indicator being built, with the flag that made it for messages.
struct Draft {
  HostIndicator ind;
  std::string flag;  // "--file /tmp/.node-cache"
  bool has_os = false;
  bool has_confidence = false;
};

bool parse_oses(const std::string& v, std::vector<std::string>* out, std::string* err) {
  out->clear();
  for (std::string os : split_commas(v)) {
    os = lower(os);
    if (os == "darwin") os = "macos";
    if (os != "linux" && os != "macos" && os != "windows") {
      *err = "--os " + q(v) + ": unknown OS " + q(os) + "; expected linux, macos or windows, comma-separated";
      return false;
    }
    if (std::find(out->begin(), out->end(), os) == out->end()) out->push_back(os);
  }
  return true;
}

// The host indicators in command-line order, each with the hashes, --os and
// --confidence that follow it (see the note at the top).
bool host_indicators_in_order(const CLI::App& app, std::vector<Draft>* out, std::string* err) {
  auto fail_with = [&](const std::string& msg) {
    *err = msg;
    return false;
  };
  enum class Mod { kFile, kDomain, kIp, kProcess, kEnv, kHash, kOs, kConfidence };
  std::map<const CLI::Option*, std::pair<Mod, std::string>> mods;
  auto mod = [&](const char* name, Mod m, std::string arg = {}) {
    mods[app.get_option_no_throw(name)] = {m, arg};
  };
  mod("--file", Mod::kFile);
  mod("--domain", Mod::kDomain);
  mod("--ip", Mod::kIp);
  mod("--process", Mod::kProcess);
  mod("--env", Mod::kEnv);
  mod("--sha256", Mod::kHash, "sha256");
  mod("--sha1", Mod::kHash, "sha1");
  mod("--md5", Mod::kHash, "md5");
  mod("--sha512", Mod::kHash, "sha512");
  mod("--os", Mod::kOs);
  mod("--confidence", Mod::kConfidence);

  std::vector<Draft>& drafts = *out;
  int last_file = -1, last_any = -1;
  std::vector<FileHash> early_hashes;  // before any --file
  std::vector<std::string> default_oses = {"linux", "macos"};
  bool default_os_set = false;
  std::string default_confidence;
  std::map<const CLI::Option*, size_t> used;
  for (const CLI::Option* o : app.parse_order()) {
    auto m = mods.find(o);
    if (m == mods.end()) continue;
    const std::string value = trim(o->results()[used[o]++]);
    auto add = [&](const char* type, const std::string& flag) {
      Draft d;
      d.ind.type = type;
      d.flag = flag + " " + q(value);
      drafts.push_back(std::move(d));
      last_any = static_cast<int>(drafts.size() - 1);
      return &drafts.back().ind;
    };
    switch (m->second.first) {
      case Mod::kFile:
        if (value.empty()) return fail_with("--file: empty path");
        split_file_path(value, add("file", "--file"));
        last_file = last_any;
        break;
      case Mod::kDomain:
        if (value.empty() || value.find_first_of(" \t") != std::string::npos)
          return fail_with("--domain " + q(value) + ": expected a domain such as evil.example");
        add("network", "--domain")->value = value;
        break;
      case Mod::kIp:
        if (!is_ip_value(value))
          return fail_with("--ip " + q(value) +
                           ": not an IP address, IP:port or CIDR block (use --domain for names)");
        add("network", "--ip")->value = value;
        break;
      case Mod::kProcess:
        if (value.empty()) return fail_with("--process: empty name");
        add("process", "--process")->value = value;
        break;
      case Mod::kEnv:
        if (value.empty() || value.starts_with("="))
          return fail_with("--env " + q(value) + ": expected NAME or NAME=VALUE");
        add("environment", "--env")->value = value;
        break;
      case Mod::kHash: {
        const std::string& alg = m->second.second;
        const std::string hex = lower(value);
        if (hex.size() != hash_digits(alg))
          return fail_with(fmt::format("--{} {}: a {} hash has {} hex digits, got {}", alg, q(value), alg,
                                       hash_digits(alg), hex.size()));
        if (size_t bad = hex.find_first_not_of("0123456789abcdef"); bad != std::string::npos)
          return fail_with(fmt::format("--{} {}: not hexadecimal ({} at index {})", alg, q(value),
                                       q(hex.substr(bad, 1)), bad));
        FileHash h{alg, hex};
        if (last_file < 0) {
          early_hashes.push_back(h);
        } else {
          auto& hs = drafts[static_cast<size_t>(last_file)].ind.hashes;
          if (std::none_of(hs.begin(), hs.end(), [&](const FileHash& x) { return x.value == h.value; }))
            hs.push_back(h);
        }
        break;
      }
      case Mod::kOs: {
        std::vector<std::string> list;
        std::string why;
        if (!parse_oses(value, &list, &why)) return fail_with(why);
        if (last_any < 0) {
          if (default_os_set) return fail_with("--os given twice before any host indicator");
          default_oses = list;
          default_os_set = true;
        } else {
          Draft& d = drafts[static_cast<size_t>(last_any)];
          if (d.has_os) return fail_with("two --os for " + d.flag + "; give one comma-separated list");
          d.ind.oses = list;
          d.has_os = true;
        }
        break;
      }
      case Mod::kConfidence: {
        const std::string c = lower(value);
        if (c != "low" && c != "medium" && c != "high")
          return fail_with("--confidence " + q(value) + ": expected low, medium or high");
        if (last_any < 0) {
          default_confidence = c;
        } else {
          Draft& d = drafts[static_cast<size_t>(last_any)];
          if (d.has_confidence) return fail_with("two --confidence for " + d.flag);
          d.ind.confidence = c;
          d.has_confidence = true;
        }
        break;
      }
    }
  }
  if (!early_hashes.empty()) {
    std::vector<size_t> file_drafts;
    for (size_t i = 0; i < drafts.size(); ++i)
      if (drafts[i].ind.type == "file") file_drafts.push_back(i);
    if (file_drafts.empty())
      return fail_with("--" + early_hashes[0].algorithm +
                       " is the hash of a dropped file: add the --file it belongs to");
    if (file_drafts.size() > 1)
      return fail_with("--" + early_hashes[0].algorithm + " " + q(early_hashes[0].value) +
                       " comes before any --file and there are several: put each hash after its --file");
    auto& hs = drafts[file_drafts[0]].ind.hashes;
    hs.insert(hs.begin(), early_hashes.begin(), early_hashes.end());
  }
  for (Draft& d : drafts) {
    if (!d.has_os) d.ind.oses = default_oses;
    if (!d.has_confidence) d.ind.confidence = default_confidence;
  }
  return true;
}

// The flags that made each entry of the rule, for messages.
struct FlagNames {
  std::vector<std::string> packages;    // per package_rules entry: "--package 'a@1.0.0'"
  std::vector<std::string> indicators;  // per host_indicators entry: "--file '/tmp/x'"
};

// "/rules/0/<field>/<index>/..." -> the flag that put it there.
std::string flag_behind(const std::string& pointer, const Rule& r, const FlagNames& names) {
  std::vector<std::string> seg;
  for (size_t i = 1; i < pointer.size();) {
    size_t slash = pointer.find('/', i);
    seg.push_back(pointer.substr(i, slash == std::string::npos ? std::string::npos : slash - i));
    i = slash == std::string::npos ? pointer.size() : slash + 1;
  }
  const std::string field = seg.size() > 2 ? seg[2] : "";
  auto index = [&](size_t n) -> long {
    if (seg.size() <= 3) return -1;
    long v = std::strtol(seg[3].c_str(), nullptr, 10);
    return v >= 0 && static_cast<size_t>(v) < n ? v : -1;
  };
  if (field == "id") return "--id " + q(r.id);
  if (field == "title") return "--title";
  if (field == "kind") return "--kind " + q(r.kind);
  if (field == "ecosystem") return "--ecosystem " + q(r.ecosystem);
  if (field == "summary") return "--summary";
  if (field == "remediation") return "--remediation/--step";
  if (field == "metadata") return "the clock (metadata)";
  if (field == "package_rules" && index(names.packages.size()) >= 0)
    return names.packages[static_cast<size_t>(index(names.packages.size()))];
  if (field == "dropper_packages" && index(r.dropper_packages.size()) >= 0)
    return "--dropper " +
           q(r.dropper_packages[static_cast<size_t>(index(r.dropper_packages.size()))].package_name);
  if (field == "aliases" && index(r.aliases.size()) >= 0)
    return "--alias " + q(r.aliases[static_cast<size_t>(index(r.aliases.size()))].value);
  if (field == "references" && index(r.references.size()) >= 0)
    return "--reference " + q(r.references[static_cast<size_t>(index(r.references.size()))].url);
  if (field == "host_indicators" && index(names.indicators.size()) >= 0)
    return (seg.size() > 4 && seg[4] == "oses" ? "--os for " : "") +
           names.indicators[static_cast<size_t>(index(names.indicators.size()))];
  return pointer;
}

}  // namespace

bool parse_package_spec(const std::string& raw, PackageSpec* out, std::string* err) {
  const std::string spec = trim(raw);
  // A scoped name starts with '@': its version separator is the next one.
  const size_t at = spec.find('@', spec.starts_with("@") ? 1 : 0);
  if (at == std::string::npos) {
    *err = q(spec) +
           " has no versions: write NAME@VERSION[,VERSION...] (NAME@* for every version, or "
           "--dropper NAME for a package whose every version is the attack)";
    return false;
  }
  out->name = trim(spec.substr(0, at));
  out->exprs.clear();
  if (out->name.empty()) {
    *err = q(spec) + ": empty package name";
    return false;
  }
  if (out->name.starts_with("@") && out->name.find('/') == std::string::npos) {
    *err = q(spec) + ": a scoped package name is @scope/name";
    return false;
  }
  for (const std::string& item : split_commas(std::string_view(spec).substr(at + 1))) {
    if (item.empty()) {
      *err = q(spec) + ": empty version (versions are comma-separated: NAME@1.2.3,1.2.4)";
      return false;
    }
    std::string expr;
    const bool plain = (item[0] >= '0' && item[0] <= '9') || item[0] == 'v' || item[0] == 'V';
    if (plain && semver::parse_version(item)) {
      expr = "=" + (item[0] == 'v' || item[0] == 'V' ? item.substr(1) : item);
    } else {
      std::string why;
      if (!semver::Range::parse(item, &why)) {
        *err = q(spec) + ": invalid version or range " + q(item) + ": " + terminal_safe(why);
        return false;
      }
      expr = item;
    }
    if (std::find(out->exprs.begin(), out->exprs.end(), expr) == out->exprs.end()) out->exprs.push_back(expr);
  }
  return true;
}

std::string rfc3339_utc(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string next_rule_id(const std::string& dir, int year) {
  const std::string prefix = fmt::format("SSC-{}-", year);
  unsigned long max = 0;
  auto scan = [&](std::string_view t) {
    for (size_t pos = t.find(prefix); pos != std::string_view::npos; pos = t.find(prefix, pos + 1)) {
      size_t i = pos + prefix.size();
      unsigned long n = 0;
      size_t digits = 0;
      for (; i < t.size() && t[i] >= '0' && t[i] <= '9' && digits < 9; ++i, ++digits)
        n = n * 10 + static_cast<unsigned long>(t[i] - '0');
      if (digits > 0) max = std::max(max, n);
    }
  };
  std::vector<std::string> files;
  std::string err;
  std::error_code ec;
  if (fs::is_directory(dir, ec) && list_rule_json_files(dir, &files, &err)) {
    for (const std::string& f : files) {
      scan(fs::path(f).filename().string());
      FileBuffer buf;
      if (!read_file(f, &buf)) scan(buf.view());
    }
  }
  return fmt::format("{}{:03}", prefix, max + 1);
}

int run_rules_new(const std::vector<std::string>& args, const CliEnv& env) {
  std::ostream& err = *env.err;
  std::string id, title, severity, kind = "compromised-release", ecosystem = "npm", summary, remediation;
  std::string rules_dir, output;
  bool force = false;
  std::vector<std::string> packages, droppers, aliases, references, steps;
  std::vector<std::string> files, domains, ips, processes, envs, oses, confidences;
  std::vector<std::string> sha256, sha1, md5, sha512;

  CLI::App app{
      "Write a rule from flags (runbook step 3). Prints the rule file, or writes it with -o.\n"
      "The output is checked by the rule loader first: it always loads.",
      "gouvernante rules new"};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("--id", id, "Rule id (default: the next free SSC-<year>-NNN in --rules-dir)");
  app.add_option("--title", title, "One-line title")->required();
  app.add_option("--severity", severity, "low, medium, high or critical")->required();
  app.add_option("--kind", kind,
                 "compromised-release (default), malicious-package, vulnerability, dropper, "
                 "suspicious-artifact");
  app.add_option("--ecosystem", ecosystem, "npm (the only one)");
  app.add_option("--summary", summary, "What happened");
  app.add_option(
         "--package", packages,
         "NAME@V1,V2: affected versions of a package (repeatable); scoped @scope/name@1.2.3; a version "
         "X.Y.Z is exact (=X.Y.Z), anything else a range ('>=1.0.0 <1.0.5', '^2.1.0', '*')")
      ->allow_extra_args(false);
  app.add_option("--dropper", droppers, "A dropper package name; any version matches (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--file", files,
                 "A dropped file (repeatable): /tmp/.node-cache becomes path /tmp + file_name .node-cache; "
                 "DIR/ is a folder; a bare name is looked for in $HOME, /tmp, /var/tmp, $TMPDIR")
      ->allow_extra_args(false);
  app.add_option("--sha256", sha256, "Hash of the --file before it (repeatable)")->allow_extra_args(false);
  app.add_option("--sha1", sha1, "Hash of the --file before it (repeatable)")->allow_extra_args(false);
  app.add_option("--md5", md5, "Hash of the --file before it (repeatable)")->allow_extra_args(false);
  app.add_option("--sha512", sha512, "Hash of the --file before it (repeatable)")->allow_extra_args(false);
  app.add_option("--domain", domains, "A domain the attack contacts (network indicator; repeatable)")
      ->allow_extra_args(false);
  app.add_option("--ip", ips, "An address the attack contacts: IP, IP:port, [v6]:port or CIDR (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--process", processes, "A process name or command-line fragment (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--env", envs, "An environment variable NAME or NAME=VALUE (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--os", oses,
                 "linux,macos,windows: the OSes of the host indicator before it; before any indicator, the "
                 "default for all (default linux,macos)")
      ->allow_extra_args(false);
  app.add_option("--confidence", confidences,
                 "low, medium or high: of the host indicator before it; before any indicator, of all")
      ->allow_extra_args(false);
  app.add_option("--alias", aliases, "Another id of the incident: CVE-..., GHSA-..., SNYK-... (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--reference", references,
                 "A URL to read more (repeatable); advisory pages are typed advisory")
      ->allow_extra_args(false);
  app.add_option("--remediation", remediation, "What to do, in one sentence");
  app.add_option("--step", steps, "One remediation step (repeatable, in order)")->allow_extra_args(false);
  app.add_option("--rules-dir", rules_dir,
                 "Rules folder for the next free id and the duplicate check "
                 "(default ./rules)");
  app.add_option("-o,--output", output,
                 "Write the rule file here (a folder: FOLDER/<id>.json) instead of stdout");
  app.add_flag("--force", force, "Overwrite the -o file if it exists");
  if (int code = parse_rules_args(app, args, env, "new"); code >= 0) return code;

  auto fail = [&](const std::string& msg) {
    err << "gouvernante rules new: " << msg << "\n";
    return 1;
  };

  if (trim(title).empty()) return fail("--title: empty title");
  Rule r;
  r.title = title;
  r.kind = kind;
  r.ecosystem = ecosystem;
  r.summary = summary;
  const std::string sev = lower(severity);
  bool sev_ok = false;
  for (Severity s : {Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    if (severity_name(s) == sev) {
      r.severity = s;
      sev_ok = true;
    }
  }
  if (!sev_ok) return fail("--severity " + q(severity) + ": expected low, medium, high or critical");

  // Packages, merged by name in the order first named.
  std::vector<std::string> package_flags;
  for (const std::string& p : packages) {
    PackageSpec spec;
    std::string why;
    if (!parse_package_spec(p, &spec, &why)) return fail("--package " + why);
    auto it = std::find_if(r.package_rules.begin(), r.package_rules.end(),
                           [&](const PackageRule& pr) { return pr.package_name == spec.name; });
    if (it == r.package_rules.end()) {
      r.package_rules.push_back(PackageRule{spec.name, {}, {}, {}, 0});
      package_flags.push_back("--package " + q(p));
      it = r.package_rules.end() - 1;
    } else {
      package_flags[static_cast<size_t>(it - r.package_rules.begin())] += ", --package " + q(p);
    }
    for (const std::string& e : spec.exprs) {
      if (std::none_of(it->affected_versions.begin(), it->affected_versions.end(),
                       [&](const AffectedVersion& av) { return av.expr == e; }))
        it->affected_versions.push_back(AffectedVersion{e, {}});
    }
  }
  for (const std::string& raw : droppers) {
    const std::string d = trim(raw);
    if (d.find('@', d.starts_with("@") ? 1 : 0) != std::string::npos)
      return fail("--dropper " + q(d) +
                  ": a dropper is named without a version (every version matches); "
                  "for affected versions use --package NAME@VERSION");
    r.dropper_packages.push_back(DropperPackage{d, {}, 0});
  }

  std::vector<Draft> drafts;
  if (std::string why; !host_indicators_in_order(app, &drafts, &why)) return fail(why);
  FlagNames names;
  names.packages = package_flags;
  for (const Draft& d : drafts) {
    r.host_indicators.push_back(d.ind);
    names.indicators.push_back(d.flag);
  }
  if (r.package_rules.empty() && r.dropper_packages.empty() && r.host_indicators.empty())
    return fail(
        "the rule would match nothing: give at least one --package, --dropper, --file, --domain, --ip, "
        "--process or --env");

  for (const std::string& a : aliases) r.aliases.push_back(Alias{alias_type(trim(a)), trim(a)});
  for (const std::string& raw : references) {
    const std::string u = trim(raw);
    if (!u.starts_with("https://") && !u.starts_with("http://"))
      return fail("--reference " + q(u) + ": expected an http(s) URL");
    r.references.push_back(Reference{reference_type(u), u});
  }
  r.remediation.summary = remediation;
  for (const std::string& s : steps) r.remediation.steps.push_back(s);
  r.published_at = r.last_updated_at = rfc3339_utc(env.now);

  // The id: given, or the next free one of this year in the rules folder.
  const bool dir_given = !rules_dir.empty();
  if (!dir_given) rules_dir = "rules";
  std::error_code ec;
  const bool dir_exists = fs::is_directory(rules_dir, ec);
  if (dir_given && !dir_exists) return fail("--rules-dir " + q(rules_dir) + ": not a folder");
  std::map<std::string, std::string> taken;
  if (dir_exists) existing_ids(rules_dir, &taken);
  if (id.empty()) {
    std::tm tm{};
    gmtime_r(&env.now, &tm);
    id = next_rule_id(rules_dir, tm.tm_year + 1900);
    if (!dir_exists)
      err << "gouvernante rules new: no ./rules folder here, so " << id
          << " is the first id of the year (--rules-dir DIR or --id ID to choose)\n";
  } else if (auto it = taken.find(id); it != taken.end()) {
    return fail("--id " + q(id) + ": already used at " + terminal_safe(it->second) +
                " (leave out --id to take the next free one)");
  }
  r.id = id;

  // Where it goes; then the loader's check on exactly that text.
  std::string path;
  if (!output.empty() && output != "-") {
    path = output;
    if (path.back() == '/' || fs::is_directory(path, ec)) {
      if (!fs::is_directory(path, ec) && !fs::create_directories(path, ec))
        return fail("-o " + q(output) + ": cannot create the folder: " + ec.message());
      // The id names the file: it must stay one plain name in that folder.
      if (id.find_first_of("/\\") != std::string::npos || id.starts_with("."))
        return fail("--id " + q(id) + ": cannot name a file in " + q(output) + "; give -o FILE");
      path = (fs::path(path) / (id + ".json")).string();
    }
    if (fs::exists(path, ec) && !force) return fail(q(path) + " exists; --force overwrites it");
  }
  const std::string text = rule_document_json({r});
  RuleSet check;
  Errors problems;
  if (!parse_rule_document(text, path.empty() ? "<rules new>" : path, &check, &problems)) {
    // Name the flag behind each problem, not a document the user never wrote.
    for (const Error& e : problems) {
      const size_t colon = e.what.find(": ");
      const std::string pointer = colon == std::string::npos ? "" : e.what.substr(0, colon);
      const std::string reason = colon == std::string::npos ? e.what : e.what.substr(colon + 2);
      err << "gouvernante rules new: " << flag_behind(pointer, r, names) << ": " << terminal_safe(reason)
          << "\n";
    }
    err << "gouvernante rules new: nothing written (" << count_of(problems.size(), "problem", "problems")
        << ")\n";
    return 1;
  }

  if (path.empty()) {
    *env.out << text;
    return 0;
  }
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (f) f << text;
    f.close();
    if (!f) return fail(q(path) + ": cannot write");
  }
  err << "gouvernante rules new: wrote " << terminal_safe(path) << " (" << terminal_safe(id)
      << "); next: gouvernante rules test " << terminal_safe(path)
      << " --affected LOCKFILE --clean LOCKFILE\n";
  return 0;
}

}  // namespace gv
