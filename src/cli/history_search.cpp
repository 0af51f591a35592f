// `gouvernante search PACKAGE[@VERSION|@RANGE] | --rules DIR` and
// `gouvernante blast-radius --rules DIR`: answers from the history index.
//
// Both refuse to answer "nothing found" for something they did not look at:
// the inventory must exist and hold something, and a --repo or --org that
// names nothing indexed is an error, not an empty result (a typo during an
// incident must not read as "clean"). Exit codes follow the scan: 0 nothing
// found, 2 found, 1 error.
#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <system_error>

#include "cli/flags.h"
#include "cli/output.h"
#include "cli/history_cmd.h"
#include "common/utc.h"
#include "inventory/rule_search.h"
#include "report/escape.h"
#include "rules/index.h"
#include "rules/load.h"

namespace gv {

namespace {

using ojson = nlohmann::ordered_json;

// What every history query takes besides its subject.
struct Scope {
  std::string db = kDefaultDb;
  std::string repo, org, since, until;
  std::vector<std::string> rules;
  bool json = false;
};

void add_scope_flags(CLI::App& app, Scope* s) {
  app.add_option("--db", s->db, "Inventory: a SQLite file or postgres://...")->default_str(kDefaultDb);
  app.add_option("--repo", s->repo, "Only this repository (its name, as indexed)");
  app.add_option("--org", s->org, "Only this organisation");
  app.add_option("--since", s->since, "Introduced on or after this date (2025-09-08 or 2025-09-08T13:00:00Z)");
  app.add_option("--until", s->until, "Introduced on or before this date (a date alone: to its end)");
  app.add_flag("--json", s->json, "Machine-readable answer");
}

// Everything a query needs, opened and checked: the store, the filter, the
// date window and (with --rules) the loaded rules.
struct Opened {
  std::unique_ptr<inventory::Store> store;
  inventory::Filter filter;
  inventory::Query window;
  std::vector<inventory::Store::Indexed> indexed;  // within the filter
  RuleSet rules;
  std::unique_ptr<RuleIndex> index;
};

bool open_scope(const Scope& s, const CliEnv& env, const std::string& prog, Opened* o) {
  std::string why;
  if (!s.since.empty()) {
    o->window.since = parse_date(s.since, false, &why);
    if (!o->window.since) {
      *env.err << prog << ": --since: " << terminal_safe(why) << "\n";
      return false;
    }
  }
  if (!s.until.empty()) {
    o->window.until = parse_date(s.until, true, &why);
    if (!o->window.until) {
      *env.err << prog << ": --until: " << terminal_safe(why) << "\n";
      return false;
    }
  }
  if (!s.rules.empty()) {
    Errors errors;
    if (!load_rules(s.rules, &o->rules, &errors)) {
      for (const Error& e : errors) *env.err << terminal_safe(e.str()) << "\n";
      *env.err << prog << ": " << errors.size() << " problem(s) in the rules; refusing to answer with a partial "
               << "rule set\n";
      return false;
    }
    o->index = std::make_unique<RuleIndex>(o->rules.rules);
  }
  o->store = open_existing_store(s.db, env, prog);
  if (!o->store) return false;
  o->filter.org = s.org;
  o->filter.repo = s.repo;
  std::vector<inventory::Store::Indexed> all;
  if (auto e = o->store->indexed(&all)) {
    *env.err << prog << ": " << terminal_safe(e->str()) << "\n";
    return false;
  }
  if (all.empty()) {
    *env.err << prog << ": nothing is indexed in " << terminal_safe(inventory::redact_location(s.db))
             << "; run gouvernante index first\n";
    return false;
  }
  for (const auto& r : all) {
    if ((s.org.empty() || r.org == s.org) && (s.repo.empty() || r.repo == s.repo)) o->indexed.push_back(r);
  }
  if (o->indexed.empty()) {
    *env.err << prog << ": no indexed repository matches"
             << (s.org.empty() ? "" : " --org " + terminal_safe(s.org))
             << (s.repo.empty() ? "" : " --repo " + terminal_safe(s.repo)) << " in "
             << terminal_safe(inventory::redact_location(s.db)) << " (" << all.size()
             << " refs are indexed; gouvernante search has no --list yet: check the names given to index)\n";
    return false;
  }
  return true;
}

// How many distinct repositories the indexed refs belong to.
size_t repository_count(const std::vector<inventory::Store::Indexed>& indexed) {
  std::set<std::pair<std::string, std::string>> repos;
  for (const auto& r : indexed) repos.emplace(r.org, r.repo);
  return repos.size();
}

// "3 repositories (4 refs)"
std::string coverage(const std::vector<inventory::Store::Indexed>& indexed) {
  return count_of(repository_count(indexed), "repository", "repositories") + " (" +
         count_of(indexed.size(), "ref", "refs") + ")";
}

std::string duration_text(int64_t secs) {
  if (secs < 0) secs = 0;
  if (secs < 3600) return fmt::format("{} min", secs / 60);
  if (secs < 2 * 86400) return fmt::format("{} h", secs / 3600);
  return fmt::format("{} days", secs / 86400);
}

// How long a span was (or has been) in; nullopt when its start is unknown.
std::optional<int64_t> duration(const inventory::Span& s, int64_t now) {
  if (s.introduced_by.sha.empty()) return std::nullopt;
  return (s.removed_by ? s.removed_by->time : now) - s.introduced_by.time;
}

ojson commit_json(const inventory::CommitInfo& c) {
  ojson j;
  j["commit"] = c.sha;
  j["pr"] = c.pr != 0 ? ojson(c.pr) : ojson(nullptr);
  j["pr_commit"] = c.pr != 0 ? ojson(c.pr_commit) : ojson(nullptr);
  j["author"] = c.author;
  j["author_email"] = c.author_email;
  j["committer"] = c.committer;
  j["date"] = iso_utc(c.time);
  j["subject"] = c.subject;
  return j;
}

ojson span_json(const inventory::Span& s, int64_t now) {
  ojson j;
  j["repo"] = s.repo;
  j["org"] = s.org;
  j["ref"] = s.ref;
  j["lockfile"] = s.lockfile;
  j["package"] = s.package;
  j["version"] = s.version;
  j["declared"] = s.declared;
  j["introduced_by"] = s.introduced_by.sha.empty() ? ojson(nullptr) : commit_json(s.introduced_by);
  j["removed_by"] = s.removed_by ? commit_json(*s.removed_by) : ojson(nullptr);
  j["present_at_tip"] = s.present_at_tip;
  std::optional<int64_t> d = duration(s, now);
  j["duration_seconds"] = d ? ojson(*d) : ojson(nullptr);
  return j;
}

// "1a2b3c4d5e6f (PR #7) 2025-09-08 Alice: "Add ms""
std::string commit_text(const inventory::CommitInfo& c) {
  std::string out = c.sha.substr(0, 12);
  if (c.pr != 0) out += fmt::format(" (PR #{})", c.pr);
  out += " " + iso_utc(c.time).substr(0, 10) + " " + terminal_safe(c.author) + ": \"" +
         terminal_safe(c.subject) + "\"";
  return out;
}

void print_span(std::ostream& out, const inventory::Span& s, int64_t now, const std::string& indent) {
  out << indent << terminal_safe(s.package) << "@" << terminal_safe(s.version)
      << (s.declared ? " (declared range)" : "") << "  " << terminal_safe(s.org) << "/" << terminal_safe(s.repo)
      << " " << terminal_safe(s.ref) << "  " << terminal_safe(s.lockfile) << "\n";
  if (s.introduced_by.sha.empty()) {
    out << indent << "  introduced  by no indexed commit (shallow history, or a merge's own change)\n";
  } else {
    out << indent << "  introduced  " << commit_text(s.introduced_by) << "\n";
  }
  std::optional<int64_t> d = duration(s, now);
  const std::string held = d ? " -- in for " + duration_text(*d) : "";
  if (s.removed_by) {
    out << indent << "  removed     " << commit_text(*s.removed_by) << held << "\n";
  } else if (s.present_at_tip) {
    out << indent << "  STILL PRESENT at the tip" << held << "\n";
  } else {
    out << indent << "  not removed by any indexed commit, yet absent at the tip (a merge changed it)" << held
        << "\n";
  }
}

ojson unchecked_json(const std::vector<inventory::Unchecked>& v) {
  ojson a = ojson::array();
  for (const inventory::Unchecked& u : v) {
    a.push_back({{"org", u.span.org}, {"repo", u.span.repo}, {"ref", u.span.ref}, {"lockfile", u.span.lockfile},
                 {"package", u.span.package}, {"version", u.span.version}, {"rule_id", u.rule_id},
                 {"reason", u.reason}});
  }
  return a;
}

void print_unchecked(std::ostream& err, const std::string& prog, const std::vector<inventory::Unchecked>& v) {
  for (const inventory::Unchecked& u : v) {
    err << prog << ": not checked: " << terminal_safe(u.span.package) << "@" << terminal_safe(u.span.version)
        << " in " << terminal_safe(u.span.org + "/" + u.span.repo + " " + u.span.ref + " " + u.span.lockfile)
        << " (rule " << terminal_safe(u.rule_id) << "): " << u.reason << "\n";
  }
}

ojson hits_json(const std::vector<inventory::RuleHit>& hits) {
  ojson a = ojson::array();
  for (const inventory::RuleHit& h : hits) a.push_back({{"id", h.rule->id}, {"matched", h.matched}});
  return a;
}

}  // namespace

std::optional<int64_t> parse_date(const std::string& text, bool end_of_day, std::string* error) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, n = 0;
  std::tm tm{};
  int64_t offset = 0;
  bool date_only = false;
  if (text.size() == 10 && std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && n == 10) {
    date_only = true;
  } else if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) == 6 &&
             text.size() >= 19 && n == 19) {
    const std::string zone = text.substr(19);
    int oh = 0, om = 0, m = 0;
    if (zone == "Z" || zone == "z") {
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') &&
               std::sscanf(zone.c_str() + 1, "%2d:%2d%n", &oh, &om, &m) == 2 && m == 5) {
      offset = (zone[0] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    } else {
      *error = "'" + text + "': give a time zone (Z or +hh:mm), e.g. 2025-09-08T13:00:00Z";
      return std::nullopt;
    }
  } else {
    *error = "'" + text + "' is not a date (2025-09-08 or 2025-09-08T13:00:00Z)";
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    *error = "'" + text + "' is not a valid date";
    return std::nullopt;
  }
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  const int64_t t = static_cast<int64_t>(timegm(&tm));
  if (tm.tm_mday != d) {  // timegm normalised 2025-02-30 to March
    *error = "'" + text + "' is not a valid date";
    return std::nullopt;
  }
  return date_only && end_of_day ? t + 86399 : t - offset;
}

std::unique_ptr<inventory::Store> open_existing_store(const std::string& where, const CliEnv& env,
                                                      const std::string& prog) {
  if (!inventory::is_database_url(where)) {
    std::error_code ec;
    if (!std::filesystem::exists(where, ec)) {
      *env.err << prog << ": no inventory at " << terminal_safe(where)
               << " (run gouvernante index first, or name it with --db)\n";
      return nullptr;
    }
  }
  Error e;
  std::unique_ptr<inventory::Store> store = inventory::Store::open(where, &e);
  if (!store) *env.err << prog << ": " << terminal_safe(e.str()) << "\n";
  return store;
}

int run_search_command(const std::vector<std::string>& args, const CliEnv& env) {
  const std::string prog = "gouvernante search";
  Scope scope;
  std::string what;
  CLI::App app{"Where did a package version come in: every commit and pull request that introduced a matching "
               "version, where it is still present, when it was removed (docs/history.md).\nExit 0 nothing "
               "found, 2 found, 1 error.",
               prog};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("PACKAGE", what, "name, name@1.2.3 or name@RANGE (e.g. debug@4.4.2, @ctrl/tinycolor@>=4.1.1)");
  app.add_option("--rules", scope.rules, "Instead of PACKAGE: everything these rules match (repeatable)")
      ->allow_extra_args(false);
  add_scope_flags(app, &scope);
  if (int code = parse_flags(app, args, env, prog); code >= 0) return code;
  if (what.empty() == scope.rules.empty()) {
    *env.err << prog << ": give a PACKAGE or --rules (one of the two)\n(run " << prog << " -help for usage)\n";
    return 1;
  }
  inventory::Query q;
  std::string why;
  if (!what.empty() && !inventory::parse_package_query(what, &q, &why)) {
    *env.err << prog << ": " << terminal_safe(why) << "\n";
    return 1;
  }
  Opened o;
  if (!open_scope(scope, env, prog, &o)) return 1;
  q.since = o.window.since;
  q.until = o.window.until;

  std::vector<inventory::RuleSpan> found;
  inventory::RuleSearch rs;
  if (o.index) {
    if (auto e = inventory::search_rules(*o.store, *o.index, o.filter, q, &rs)) {
      *env.err << prog << ": " << terminal_safe(e->str()) << "\n";
      return 1;
    }
    found = std::move(rs.matches);
  } else {
    std::vector<inventory::Span> spans;
    if (auto e = inventory::search_package(*o.store, o.filter, q, &spans)) {
      *env.err << prog << ": " << terminal_safe(e->str()) << "\n";
      return 1;
    }
    for (inventory::Span& s : spans) found.push_back({std::move(s), {}});
  }
  const int64_t now = env.now;
  if (scope.json) {
    ojson matches = ojson::array();
    for (const inventory::RuleSpan& m : found) {
      ojson j = span_json(m.span, now);
      if (o.index) j["rules"] = hits_json(m.hits);
      matches.push_back(std::move(j));
    }
    ojson doc;
    doc["matches"] = std::move(matches);
    if (o.index) doc["unchecked"] = unchecked_json(rs.unchecked);
    *env.out << json_text(doc);
  } else {
    std::set<std::pair<std::string, std::string>> repos;
    size_t present = 0;
    for (const inventory::RuleSpan& m : found) {
      print_span(*env.out, m.span, now, "");
      for (const inventory::RuleHit& h : m.hits) {
        *env.out << "  rule        " << terminal_safe(h.rule->id) << " (" << severity_name(h.rule->severity)
                 << "): " << terminal_safe(h.rule->title) << " [" << terminal_safe(h.matched) << "]\n";
      }
      repos.emplace(m.span.org, m.span.repo);
      present += m.span.present_at_tip ? 1 : 0;
    }
    *env.out << (found.empty() ? "" : "\n")
             << fmt::format("{} {} in {} {}, {} still present at a tip; searched {} in {}\n", found.size(),
                            found.size() == 1 ? "match" : "matches", repos.size(),
                            repos.size() == 1 ? "repository" : "repositories", present, coverage(o.indexed),
                            terminal_safe(inventory::redact_location(scope.db)));
  }
  if (o.index) print_unchecked(*env.err, prog, rs.unchecked);
  return found.empty() ? 0 : 2;
}

int run_blast_radius_command(const std::vector<std::string>& args, const CliEnv& env) {
  const std::string prog = "gouvernante blast-radius";
  Scope scope;
  CLI::App app{"The repositories an incident touches, still affected first, then affected in the past (the "
               "version reached a branch, so CI may have run it), with the pull requests that brought it and "
               "what each repository must do (docs/history.md).\nExit 0 nothing affected, 2 affected, 1 error.",
               prog};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("--rules", scope.rules, "Rule file or folder of *.json rules (repeatable)")
      ->required()
      ->allow_extra_args(false);
  add_scope_flags(app, &scope);
  if (int code = parse_flags(app, args, env, prog); code >= 0) return code;
  Opened o;
  if (!open_scope(scope, env, prog, &o)) return 1;
  inventory::RuleSearch rs;
  if (auto e = inventory::search_rules(*o.store, *o.index, o.filter, o.window, &rs)) {
    *env.err << prog << ": " << terminal_safe(e->str()) << "\n";
    return 1;
  }
  const std::vector<inventory::AffectedRepo> repos = inventory::blast_radius(rs.matches);
  const int64_t now = env.now;
  size_t still = 0;
  for (const auto& r : repos) still += r.still_affected ? 1 : 0;
  if (scope.json) {
    ojson rules = ojson::array();
    for (const Rule& r : o.rules.rules) {
      rules.push_back({{"id", r.id}, {"title", r.title}, {"severity", severity_name(r.severity)}});
    }
    ojson out = ojson::array();
    for (const inventory::AffectedRepo& r : repos) {
      ojson j;
      j["org"] = r.org;
      j["repo"] = r.repo;
      j["status"] = r.still_affected ? "affected" : "affected-in-the-past";
      j["severity"] = severity_name(r.severity);
      ojson matches = ojson::array();
      for (const inventory::RuleSpan& m : r.spans) {
        ojson mj = span_json(m.span, now);
        mj["rules"] = hits_json(m.hits);
        matches.push_back(std::move(mj));
      }
      j["matches"] = std::move(matches);
      ojson rj = ojson::array();
      for (const Rule* rule : r.rules) {
        rj.push_back({{"id", rule->id},
                      {"title", rule->title},
                      {"severity", severity_name(rule->severity)},
                      {"remediation", {{"summary", rule->remediation.summary}, {"steps", rule->remediation.steps}}}});
      }
      j["rules"] = std::move(rj);
      j["actions"] = inventory::repo_actions(r);
      out.push_back(std::move(j));
    }
    ojson doc;
    doc["rules"] = std::move(rules);
    doc["repos"] = std::move(out);
    doc["unchecked"] = unchecked_json(rs.unchecked);
    doc["summary"] = {{"repositories_searched", repository_count(o.indexed)},
                      {"refs_searched", o.indexed.size()},
                      {"affected", still},
                      {"affected_in_the_past", repos.size() - still},
                      {"unchecked", rs.unchecked.size()}};
    *env.out << json_text(doc);
  } else {
    std::ostream& out = *env.out;
    out << "Blast radius of " << o.rules.rules.size() << (o.rules.rules.size() == 1 ? " rule" : " rules")
        << " over " << coverage(o.indexed) << " in " << terminal_safe(inventory::redact_location(scope.db))
        << "\n";
    bool header_still = false, header_past = false;
    for (const inventory::AffectedRepo& r : repos) {
      if (r.still_affected && !header_still) {
        header_still = true;
        out << fmt::format("\nSTILL AFFECTED ({} {}): the version is at a branch tip now\n", still,
                           still == 1 ? "repository" : "repositories");
      } else if (!r.still_affected && !header_past) {
        header_past = true;
        const size_t past = repos.size() - still;
        out << fmt::format("\nAFFECTED IN THE PAST ({} {}): the version reached a branch and was removed; CI may "
                           "have run it, so rotate secrets\n",
                           past, past == 1 ? "repository" : "repositories");
      }
      out << "\n" << terminal_safe(r.org) << "/" << terminal_safe(r.repo) << "  [" << severity_name(r.severity)
          << "]\n";
      for (const inventory::RuleSpan& m : r.spans) {
        print_span(out, m.span, now, "  ");
        for (const inventory::RuleHit& h : m.hits) {
          out << "    rule        " << terminal_safe(h.rule->id) << " [" << terminal_safe(h.matched) << "]\n";
        }
      }
      out << "  what to do:\n";
      for (const std::string& a : inventory::repo_actions(r)) out << "    - " << terminal_safe(a) << "\n";
      for (const Rule* rule : r.rules) {
        out << "  " << terminal_safe(rule->id) << " (" << severity_name(rule->severity)
            << "): " << terminal_safe(rule->title) << "\n";
        if (!rule->remediation.summary.empty())
          out << "    " << terminal_safe(rule->remediation.summary) << "\n";
        size_t n = 0;
        for (const std::string& step : rule->remediation.steps)
          out << "    " << ++n << ". " << terminal_safe(step) << "\n";
      }
    }
    out << fmt::format("\n{} still affected, {} affected in the past; {} searched\n", still, repos.size() - still,
                       coverage(o.indexed));
  }
  print_unchecked(*env.err, prog, rs.unchecked);
  return repos.empty() ? 0 : 2;
}

}  // namespace gv
