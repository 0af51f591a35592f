// Human report: findings grouped by severity (critical first), each rule's
// remediation once after its findings, then everything that was NOT checked,
// so a reader can never mistake an incomplete scan for a clean one.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "report/escape.h"
#include "report/report.h"

namespace gv {

namespace {

struct Style {
  bool on;
  std::string operator()(std::string_view code, std::string_view s) const {
    if (!on) return std::string(s);
    return fmt::format("\x1b[{}m{}\x1b[0m", code, s);
  }
};

std::string_view severity_colour(Severity s) {
  switch (s) {
    case Severity::kCritical: return "1;31";
    case Severity::kHigh: return "31";
    case Severity::kMedium: return "33";
    case Severity::kLow: return "36";
  }
  return "0";
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string how_it_got_in(const Finding& f) {
  std::vector<std::string> tags;
  if (f.declared) tags.push_back("declared range");
  else if (f.flags & kDirect || f.dependency_path.size() == 1) tags.push_back("direct");
  else if (f.dependency_path.size() > 1) tags.push_back("transitive");
  if (f.flags & kDev) tags.push_back("dev");
  if (f.flags & kOptional) tags.push_back("optional");
  if (f.flags & kDevOptional) tags.push_back("dev-optional");
  if (f.flags & kPeer) tags.push_back("peer");
  std::string out;
  for (const std::string& t : tags) out += (out.empty() ? "" : ", ") + t;
  return out;
}

void write_finding(std::string* out, const Finding& f, const Style& st) {
  const std::string pkg = terminal_safe(f.package) + "@" + terminal_safe(f.version);
  std::string head = fmt::format("  {:<8} {}", finding_type_name(f.type), st("1", pkg));
  if (!f.alias.empty()) head += fmt::format("  (installed as {})", terminal_safe(f.alias));
  if (f.declared)
    head += fmt::format("  declared range can resolve to affected {}", terminal_safe(f.matched));
  else if (f.type == FindingType::kPackage)
    head += fmt::format("  matches {}", terminal_safe(f.matched));
  else
    head += "  dropper package (any version)";
  *out += head + "\n";
  if (f.origin == FindingOrigin::kInstalled) {
    *out += fmt::format("           {}  {} ({}){}\n", st("1;31", "INSTALLED"), terminal_safe(f.lockfile),
                        install_kind_name(f.install_kind),
                        f.install_kind == InstallKind::kNodeModules || f.install_kind == InstallKind::kGlobal
                            ? (f.install_scripts ? ": it has install scripts, assume they ran"
                                                 : ": assume its code ran")
                            : ": a cached tarball, reinstalled without a download");
    return;
  }
  std::string where = terminal_safe(f.lockfile);
  if (f.line) where += fmt::format(":{}", f.line);
  if (!f.location.empty()) where += "  " + terminal_safe(f.location);
  *out += fmt::format("           in   {}\n", where);
  std::string via;
  for (const std::string& p : f.dependency_path) via += (via.empty() ? "" : " > ") + terminal_safe(p);
  if (via.empty()) via = "(dependency path not recorded)";
  const std::string tags = how_it_got_in(f);
  *out += fmt::format("           via  {}{}\n", via, tags.empty() ? "" : "  [" + tags + "]");
}

std::string_view status_word(CheckStatus s) {
  switch (s) {
    case CheckStatus::kFound: return "FOUND";
    case CheckStatus::kClean: return "clean";
    case CheckStatus::kSkipped: return "skipped";
  }
  return "?";
}

// Every host check, found first, one line each with its evidence below.
void write_host(std::string* out, const HostResult& h, const Style& st) {
  if (!h.ran) return;
  *out += st("1", "Host checks") + fmt::format(" ({} found, {} clean, {} skipped):\n", h.count(CheckStatus::kFound),
                                               h.count(CheckStatus::kClean), h.count(CheckStatus::kSkipped));
  for (CheckStatus want : {CheckStatus::kFound, CheckStatus::kSkipped, CheckStatus::kClean}) {
    for (const HostCheck& c : h.checks) {
      if (c.status != want) continue;
      const std::string word = fmt::format("{:<7}", status_word(c.status));
      *out += fmt::format("  {}  {:<11} {}  {}{}\n",
                          c.status == CheckStatus::kFound ? st("1;31", word) : word,
                          c.type, terminal_safe(c.target), c.rule ? "rule " + terminal_safe(c.rule->id) : "",
                          c.detail.empty() ? "" : ": " + terminal_safe(c.detail));
      for (const std::string& e : c.evidence) *out += "           " + terminal_safe(e) + "\n";
    }
  }
  *out += fmt::format("  Installed packages: {} read from {} location{}", h.installed_packages, h.roots_read.size(),
                      h.roots_read.size() == 1 ? "" : "s");
  if (!h.roots_absent.empty()) *out += fmt::format("; {} other locations absent", h.roots_absent.size());
  *out += ".\n";
  constexpr size_t kShown = 20;
  if (!h.skipped.empty()) {
    *out += fmt::format("  Not read ({}):\n", h.skipped.size());
    for (size_t i = 0; i < h.skipped.size() && i < kShown; ++i)
      *out += "    " + terminal_safe(h.skipped[i].first) + ": " + terminal_safe(h.skipped[i].second) + "\n";
    if (h.skipped.size() > kShown) *out += fmt::format("    ... and {} more (all in -json)\n", h.skipped.size() - kShown);
  }
  *out += "\n";
}

void write_heuristic(std::string* out, const HeuristicReport& hr, const Style& st) {
  if (!hr.ran) return;
  const HeuristicResult& h = hr.result;
  *out += st("1", "Heuristic scan") + fmt::format(" ({} files, {:.1f} MB, {} YARA rules): {} match{}\n",
                                                  h.files_scanned, static_cast<double>(h.bytes_scanned) / 1e6,
                                                  h.rules_loaded, h.findings.size(), h.findings.size() == 1 ? "" : "es");
  for (const HeuristicFinding& f : h.findings) {
    *out += fmt::format("  {}  {}  {}:{} (byte {}){}\n", st("1;31", fmt::format("{:<8}", upper(f.severity))),
                        st("1", terminal_safe(f.rule)), terminal_safe(f.file), f.line, f.offset,
                        f.package.empty() ? "" : "  (" + terminal_safe(f.package) + ")");
    if (!f.description.empty()) *out += "           " + terminal_safe(f.description) + "\n";
    *out += "           > " + terminal_safe(f.excerpt) + "\n";
  }
  for (const Error& e : h.errors) *out += "  " + st("1;33", "error") + " " + terminal_safe(e.str()) + "\n";
  constexpr size_t kShown = 20;
  if (!h.skipped.empty()) {
    *out += fmt::format("  Not scanned ({}):\n", h.skipped.size());
    for (size_t i = 0; i < h.skipped.size() && i < kShown; ++i)
      *out += "    " + terminal_safe(h.skipped[i].first) + ": " + terminal_safe(h.skipped[i].second) + "\n";
    if (h.skipped.size() > kShown) *out += fmt::format("    ... and {} more (all in -json)\n", h.skipped.size() - kShown);
  }
  *out += "\n";
}

}  // namespace

std::string render_text(const ScanReport& r, const TextOptions& opts) {
  const Style st{opts.color};
  std::string out;
  // Group: severity (desc) -> rule (in first-seen order) -> findings.
  std::vector<const Finding*> fs;
  for (const Finding& f : r.findings) fs.push_back(&f);
  std::stable_sort(fs.begin(), fs.end(), [](const Finding* a, const Finding* b) {
    if (a->rule->severity != b->rule->severity) return a->rule->severity > b->rule->severity;
    return a->rule->id < b->rule->id;
  });
  const Rule* current = nullptr;
  auto close_rule = [&] {
    if (!current) return;
    const Remediation& rem = current->remediation;
    if (!rem.summary.empty() || !rem.steps.empty()) {
      out += "  " + st("1", "Remediation:") + " " + terminal_safe(rem.summary) + "\n";
      for (size_t i = 0; i < rem.steps.size(); ++i)
        out += fmt::format("    {}. {}\n", i + 1, terminal_safe(rem.steps[i]));
    }
    out += "\n";
  };
  for (const Finding* f : fs) {
    if (f->rule != current) {
      close_rule();
      current = f->rule;
      const std::string sev = upper(severity_name(current->severity));
      out += fmt::format("{}  {}  {}\n", st(severity_colour(current->severity), fmt::format("{:<8}", sev)),
                         st("1", terminal_safe(current->id)), terminal_safe(current->title));
    }
    write_finding(&out, *f, st);
  }
  close_rule();

  if (!r.unevaluated.empty()) {
    out += st("33", "Could not evaluate") + " (named by a rule, version not checkable):\n";
    for (const Unevaluated& u : r.unevaluated)
      out += fmt::format("  {}@{}  {}:{}  rule {}: {}\n", terminal_safe(u.package),
                         terminal_safe(u.version), terminal_safe(u.lockfile), u.line,
                         terminal_safe(u.rule_id), terminal_safe(u.reason));
    out += "\n";
  }
  bool any_skip = false;
  for (const LockfileResult& l : r.lockfiles) {
    if (l.status != LockfileStatus::kNotScanned && l.status != LockfileStatus::kError) continue;
    if (!any_skip) out += st("1;33", "NOT SCANNED") + " (these files were not checked):\n";
    any_skip = true;
    out += "  " + terminal_safe(l.reason) + "\n";
  }
  for (const Error& e : r.errors) {
    if (!any_skip) out += st("1;33", "NOT SCANNED") + " (these files were not checked):\n";
    any_skip = true;
    out += "  " + terminal_safe(e.str()) + "\n";
  }
  if (any_skip) out += "\n";
  write_host(&out, r.host, st);
  write_heuristic(&out, r.heuristic, st);

  // Summary line and verdict.
  std::map<Severity, size_t> by_sev;
  for (const Finding& f : r.findings) ++by_sev[f.rule->severity];
  std::string sev_parts;
  for (auto it = by_sev.rbegin(); it != by_sev.rend(); ++it)
    sev_parts += (sev_parts.empty() ? "" : ", ") + fmt::format("{} {}", it->second, severity_name(it->first));
  const size_t scanned = r.count(LockfileStatus::kScanned);
  const size_t covered = r.count(LockfileStatus::kCovered);
  out += fmt::format("Scanned {} lockfile{} ({} packages) with {} rule{} in {:.1f} ms", scanned,
                     scanned == 1 ? "" : "s", r.packages_total, r.rules_loaded,
                     r.rules_loaded == 1 ? "" : "s", r.elapsed_ms);
  if (covered) out += fmt::format("; {} package.json covered by their lockfile", covered);
  out += ".\n";
  const int code = exit_code_for(r);
  if (r.host.ran || r.heuristic.ran) {
    out += fmt::format("Host: {} indicator checks ({} found, {} skipped), {} installed packages; heuristic: {}.\n",
                       r.host.checks.size(), r.host.count(CheckStatus::kFound), r.host.count(CheckStatus::kSkipped),
                       r.host.installed_packages,
                       r.heuristic.ran ? fmt::format("{} files, {} matches", r.heuristic.result.files_scanned,
                                                     r.heuristic.result.findings.size())
                                       : std::string("not run"));
  }
  if (code == 2) {
    std::string what = fmt::format("FINDINGS: {}", r.findings.size());
    if (!sev_parts.empty()) what += " (" + sev_parts + ")";
    if (r.host.count(CheckStatus::kFound)) what += fmt::format("; host indicators found: {}", r.host.count(CheckStatus::kFound));
    if (!r.heuristic.result.findings.empty()) what += fmt::format("; heuristic matches: {}", r.heuristic.result.findings.size());
    out += st("1;31", what) + "\n";
  } else if (code == 1) {
    if (r.lockfiles.empty() && r.errors.empty() && !r.host.ran && !r.heuristic.ran)
      out += st("1;33", "INCOMPLETE: no lockfiles found; nothing was checked") + "\n";
    else
      out += st("1;33", "INCOMPLETE: no findings in what was scanned, but not everything could be "
                        "scanned (see above)") + "\n";
  } else {
    out += st("1;32", "CLEAN: no findings") + "\n";
  }
  return out;
}

}  // namespace gv
