#include "egress/exfil.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "egress/dns.h"

namespace gv::egress {
namespace {

// Multi-label public suffixes, from the Public Suffix List's ICANN section
// (the second levels most registrations use) and its private section (hosts
// that hand each customer a name of their own). Not the full list: see exfil.h.
// clang-format off
constexpr std::string_view kSuffixes[] = {
    // ICANN second levels
    "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "net.uk", "ltd.uk", "plc.uk",
    "com.au", "net.au", "org.au", "edu.au", "gov.au", "co.nz", "net.nz", "org.nz",
    "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "co.kr", "or.kr", "co.in", "net.in", "org.in",
    "com.br", "net.br", "org.br", "com.cn", "net.cn", "org.cn", "com.hk", "com.tw", "com.sg",
    "com.my", "com.mx", "com.ar", "com.co", "com.tr", "com.ua", "co.za", "co.il", "co.id",
    "com.ph", "com.vn", "com.pl",
    // Hosting, one label per customer
    "github.io", "githubusercontent.com", "gitlab.io", "bitbucket.io", "readthedocs.io",
    "herokuapp.com", "appspot.com", "firebaseapp.com", "web.app", "vercel.app", "netlify.app",
    "pages.dev", "workers.dev", "r2.dev", "fly.dev", "onrender.com",
    "amazonaws.com", "s3.amazonaws.com", "cloudfront.net", "elasticbeanstalk.com",
    "azurewebsites.net", "azureedge.net", "azurefd.net", "cloudapp.net", "cloudapp.azure.com",
    "core.windows.net", "blob.core.windows.net", "trafficmanager.net",
    "storage.googleapis.com", "r2.cloudflarestorage.com",
};
// clang-format on

constexpr size_t kMaxSamples = 5;
constexpr size_t kEntropyReportMin = 16;  // ExfilSuspect::entropy looks at labels this long

std::string normalize(std::string_view name) {
  if (name.ends_with('.')) name.remove_suffix(1);
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    const size_t at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The label's bytes, with parse_dns_query's \DDD escapes undone: lengths and
// entropy are about what went over the wire.
std::string decode_label(std::string_view label) {
  std::string out;
  for (size_t i = 0; i < label.size(); ++i) {
    if (label[i] == '\\' && i + 3 < label.size() && is_digit(label[i + 1]) && is_digit(label[i + 2]) &&
        is_digit(label[i + 3])) {
      const int v = (label[i + 1] - '0') * 100 + (label[i + 2] - '0') * 10 + (label[i + 3] - '0');
      if (v <= 255) {
        out.push_back(static_cast<char>(v));
        i += 3;
        continue;
      }
    }
    out.push_back(label[i]);
  }
  return out;
}

bool is_hex_run(std::string_view s) {
  bool digit = false, letter = false;
  for (char c : s) {
    if (is_digit(c)) {
      digit = true;
    } else if (c >= 'a' && c <= 'f') {
      letter = true;
    } else {
      return false;
    }
  }
  return digit && letter;
}

// The highest entropy among the label's hyphen-free runs that reach their
// threshold; 0 when none does.
double high_entropy(std::string_view label, const ExfilThresholds& t) {
  double best = 0;
  for (std::string_view run : split(label, '-')) {
    if (run.size() < t.entropy_min_run) continue;
    const double h = shannon_entropy(run);
    if (h >= (is_hex_run(run) ? t.hex_entropy_bits : t.entropy_bits)) best = std::max(best, h);
  }
  return best;
}

// A search-list expansion of a name asked in the same run ("a.b.c" +
// ".svc.cluster.local") is folded into that name: see exfil.h.
std::string fold_expansion(const std::string& name, const std::unordered_set<std::string>& run_names) {
  size_t dots = 0;
  for (size_t p = name.find('.'); p != std::string::npos; p = name.find('.', p + 1)) {
    if (++dots < 2) continue;  // the prefix must have two labels or more
    std::string prefix = name.substr(0, p);
    if (run_names.count(prefix)) return prefix;
  }
  return name;
}

struct Group {
  size_t queries = 0;
  size_t txt_null = 0;
  size_t below = 0;  // distinct names strictly below the parent
  size_t max_label = 0;
  double entropy = 0;
  double max_flagged_entropy = 0;
  std::unordered_set<std::string> seen;
  std::set<std::string> long_labels, entropic_labels;
  std::vector<std::string> flagged_names, other_names;  // first-seen order
};

void measure(const std::string& name, const std::string& parent, const ExfilThresholds& t, Group* g) {
  const std::string_view below = std::string_view(name).substr(0, name.size() - parent.size() - 1);
  bool flagged = false;
  for (std::string_view escaped : split(below, '.')) {
    const std::string label = decode_label(escaped);
    g->max_label = std::max(g->max_label, label.size());
    if (label.size() >= kEntropyReportMin) g->entropy = std::max(g->entropy, shannon_entropy(label));
    if (label.size() >= t.long_label) {
      g->long_labels.insert(label);
      flagged = true;
    }
    if (const double h = high_entropy(label, t); h > 0) {
      g->entropic_labels.insert(label);
      g->max_flagged_entropy = std::max(g->max_flagged_entropy, h);
      flagged = true;
    }
  }
  (flagged ? g->flagged_names : g->other_names).push_back(name);
}

std::string plural(size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::vector<std::string> reasons(const Group& g, const ExfilThresholds& t) {
  std::vector<std::string> out;
  if (!g.long_labels.empty()) {
    out.push_back(fmt::format("{} of {}+ characters (max {})", plural(g.long_labels.size(), "label", "labels"),
                              t.long_label, g.max_label));
  }
  if (g.entropic_labels.size() >= t.high_entropy_labels && !g.entropic_labels.empty()) {
    out.push_back(fmt::format("{} ({}+ characters at {:.1f}+ bits/character, hex at {:.1f}+; max {:.2f})",
                              plural(g.entropic_labels.size(), "high-entropy label", "high-entropy labels"),
                              t.entropy_min_run, t.entropy_bits, t.hex_entropy_bits, g.max_flagged_entropy));
  }
  if (g.below >= t.unique_subdomains) {
    out.push_back(fmt::format("{} in one run ({}+)", plural(g.below, "unique subdomain", "unique subdomains"),
                              t.unique_subdomains));
  }
  if (g.txt_null >= t.txt_null_queries) {
    out.push_back(fmt::format("{} in one run ({}+)", plural(g.txt_null, "TXT/NULL query", "TXT/NULL queries"),
                              t.txt_null_queries));
  }
  return out;
}

}  // namespace

std::span<const std::string_view> public_suffixes() { return kSuffixes; }

std::string registrable_domain(std::string_view raw) {
  const std::string name = normalize(raw);
  size_t suffix_labels = 1;  // a single-label suffix unless a listed one is longer
  for (std::string_view s : kSuffixes) {
    const size_t n = static_cast<size_t>(std::count(s.begin(), s.end(), '.')) + 1;
    if (n > suffix_labels && name.ends_with(s) &&
        (name.size() == s.size() || name[name.size() - s.size() - 1] == '.')) {
      suffix_labels = n;
    }
  }
  // The registrable domain is the suffix and one label more: find the dot
  // before it, counting from the right.
  size_t dot = name.size();
  for (size_t i = 0; i <= suffix_labels; ++i) {
    if (dot == 0) return name;
    dot = name.rfind('.', dot - 1);
    if (dot == std::string::npos) return name;  // no more labels than that
  }
  return name.substr(dot + 1);
}

double shannon_entropy(std::string_view s) {
  if (s.empty()) return 0;
  std::array<size_t, 256> counts{};
  for (char c : s) ++counts[static_cast<unsigned char>(c)];
  double h = 0;
  const auto n = static_cast<double>(s.size());
  for (size_t c : counts) {
    if (c == 0) continue;
    const double p = static_cast<double>(c) / n;
    h -= p * std::log2(p);
  }
  return h;
}

std::vector<ExfilSuspect> find_exfil(const std::vector<DnsRecord>& records, const ExfilThresholds& t) {
  std::vector<std::string> names(records.size());
  std::map<std::string, std::unordered_set<std::string>> run_names;
  for (size_t i = 0; i < records.size(); ++i) {
    names[i] = normalize(records[i].name);
    run_names[records[i].run_id].insert(names[i]);
  }
  // Time order, so samples are the first names asked.
  std::vector<size_t> order(records.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return records[a].time_ns < records[b].time_ns; });

  std::map<std::pair<std::string, std::string>, Group> groups;
  std::unordered_map<std::string, std::string> parents;  // a run asks the same few names over and over
  for (size_t i : order) {
    const DnsRecord& r = records[i];
    if (names[i].empty()) continue;  // the root: no domain to speak of
    const std::string name = fold_expansion(names[i], run_names[r.run_id]);
    auto [it, added] = parents.try_emplace(name);
    if (added) it->second = registrable_domain(name);
    const std::string& parent = it->second;
    Group& g = groups[{r.run_id, parent}];
    ++g.queries;
    if (r.type == kDnsTxt || r.type == kDnsNull) ++g.txt_null;
    if (!g.seen.insert(name).second) continue;
    if (name == parent) {
      g.other_names.push_back(name);
      continue;
    }
    ++g.below;
    measure(name, parent, t, &g);
  }

  std::vector<ExfilSuspect> out;
  for (auto& [key, g] : groups) {
    std::vector<std::string> why = reasons(g, t);
    if (why.empty()) continue;
    ExfilSuspect s;
    s.run_id = key.first;
    s.parent_domain = key.second;
    s.queries = g.queries;
    s.unique_subdomains = g.below;
    s.max_label_length = g.max_label;
    s.entropy = g.entropy;
    s.reasons = std::move(why);
    for (const auto* list : {&g.flagged_names, &g.other_names}) {
      for (const std::string& n : *list) {
        if (s.samples.size() < kMaxSamples) s.samples.push_back(n);
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace gv::egress
