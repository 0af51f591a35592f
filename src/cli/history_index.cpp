// `gouvernante index REPO_OR_FOLDER... [--org NAME] [--db PATH|postgres://...] [--all-refs]`
//
// Walks each clone with libgit2 and saves what it learned, one transaction
// per ref, so an interrupted run keeps every ref it finished and the next run
// continues after each ref's last indexed tip. Problems inside a repository
// (a shallow clone, an unparsable lockfile in one commit) are printed and the
// rest is indexed; a clone that cannot be read at all makes the exit status 1
// while every other clone is still indexed.
#include <fmt/format.h>

#include <chrono>
#include <ostream>

#include "cli/flags.h"
#include "cli/output.h"
#include "cli/history_cmd.h"
#include "inventory/clones.h"
#include "inventory/git_walk.h"
#include "report/escape.h"

namespace gv {

namespace {

constexpr const char* kProg = "gouvernante index";

}  // namespace

int run_index_command(const std::vector<std::string>& args, const CliEnv& env) {
  std::vector<std::string> paths;
  std::string org, db = kDefaultDb;
  bool all_refs = false;
  CLI::App app{"Index the git history of clones: which commits and pull requests added or removed which package "
               "versions in which lockfile (docs/history.md).\nA folder of clones is an organisation. Exit 0 "
               "when every clone was indexed, 1 when one could not be (the others still are).",
               kProg};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("REPO_OR_FOLDER", paths, "A git clone (working tree or bare), or a folder of clones")->required();
  app.add_option("--org", org, "Organisation to file them under (default: the folder holding the clones)");
  app.add_option("--db", db, "Inventory: a SQLite file (created when missing) or postgres://...")
      ->default_str(kDefaultDb);
  app.add_flag("--all-refs", all_refs, "Every branch, not only the default one");
  if (int code = parse_flags(app, args, env, kProg); code >= 0) return code;

  bool failed = false;
  std::vector<inventory::Clone> clones;
  for (const std::string& p : paths) {
    std::vector<Error> skipped;
    if (auto e = inventory::find_clones(p, org, &clones, &skipped)) {
      *env.err << kProg << ": " << terminal_safe(e->str()) << "\n";
      failed = true;
    }
    for (const Error& s : skipped) *env.err << kProg << ": " << terminal_safe(s.str()) << "\n";
  }
  if (clones.empty()) return 1;

  Error open_error;
  std::unique_ptr<inventory::Store> store = inventory::Store::open(db, &open_error);
  if (!store) {
    *env.err << kProg << ": " << terminal_safe(open_error.str()) << "\n";
    return 1;
  }

  size_t refs_saved = 0, commits = 0, changed = 0, problems_total = 0, repos_ok = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const inventory::Clone& c : clones) {
    inventory::WalkOptions opt;
    opt.org = c.org;
    opt.repo = c.repo;
    opt.all_refs = all_refs;
    std::optional<Error> store_error;
    auto last_tip = [&](const std::string& ref) -> std::string {
      Error e;
      std::optional<std::string> tip = store->last_tip(c.org, c.repo, ref, &e);
      if (!tip && !store_error) store_error = e;
      return tip.value_or("");
    };
    std::vector<inventory::RefIndex> refs;
    std::vector<Error> problems;
    std::optional<Error> walk_error = inventory::walk_repository(c.path, opt, last_tip, &refs, &problems);
    const std::string label = terminal_safe(c.org + "/" + c.repo);
    for (const Error& p : problems) *env.err << kProg << ": " << label << ": " << terminal_safe(p.str()) << "\n";
    problems_total += problems.size();
    if (store_error) {
      *env.err << kProg << ": " << terminal_safe(store_error->str()) << "\n";
      return 1;  // the inventory itself is unusable: stop before saving anything more
    }
    if (walk_error) {
      *env.err << kProg << ": " << label << ": " << terminal_safe(walk_error->str()) << "; not indexed\n";
      failed = true;
      continue;
    }
    if (refs.empty()) *env.out << label << ": up to date\n";
    bool saved_all = true;
    for (const inventory::RefIndex& r : refs) {
      if (auto e = store->save(r)) {
        *env.err << kProg << ": " << label << " " << terminal_safe(r.ref) << ": " << terminal_safe(e->str())
                 << "; not saved\n";
        saved_all = false;
        continue;
      }
      ++refs_saved;
      commits += r.commits_walked;
      changed += r.commits.size();
      *env.out << label << " " << terminal_safe(r.ref) << ": "
               << count_of(r.commits_walked, "new commit", "new commits") << " walked, "
               << r.commits.size() << " changing a lockfile or package.json"
               << (r.base.empty() ? "" : fmt::format(" since {}", r.base.substr(0, 12))) << "; "
               << count_of(r.tip_packages.size(), "package version", "package versions") << " at the tip "
               << r.tip.substr(0, 12) << "\n";
    }
    if (saved_all) {
      ++repos_ok;
    } else {
      failed = true;
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  *env.err << fmt::format("{}: {} of {} indexed into {} ({} saved; {} walked, {} with changes), {}, in {:.2f} s\n",
                          kProg, repos_ok, count_of(clones.size(), "repository", "repositories"),
                          terminal_safe(inventory::redact_location(db)), count_of(refs_saved, "ref", "refs"),
                          count_of(commits, "commit", "commits"), changed,
                          count_of(problems_total, "problem reported", "problems reported"), secs);
  return failed ? 1 : 0;
}

}  // namespace gv
