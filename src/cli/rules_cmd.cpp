// The `rules` dispatcher and what its subcommands share (rules_cmd_shared.h).
#include "cli/rules_cmd.h"

#include <algorithm>
#include <filesystem>
#include <ostream>
#include <system_error>

#include "cli/rules_cmd_shared.h"
#include "cli/rules_import.h"
#include "report/escape.h"

namespace gv {

namespace {

constexpr const char* kRulesUsage =
    "gouvernante rules: write, check and inspect incident rules (docs/rules-cli.md)\n"
    "\n"
    "  gouvernante rules validate PATH... [--json]\n"
    "      every problem in every rule file, as file:line:col: /pointer: reason\n"
    "  gouvernante rules new --title TEXT --severity LEVEL --package NAME@V1,V2 ... [-o FILE]\n"
    "      write a rule from flags (next free SSC-YYYY-NNN id unless --id)\n"
    "  gouvernante rules test RULES... --affected LOCKFILE --clean LOCKFILE\n"
    "      pass only if the rules find something in every affected lockfile and nothing in the clean ones\n"
    "  gouvernante rules list [RULES...] [--json]\n"
    "      the loaded rules, with counts by kind and severity (default ./rules)\n"
    "  gouvernante rules show ID [--rules PATH...] [--json]\n"
    "      one rule in full\n"
    "  gouvernante rules import FORMAT SRC -o FILE\n"
    "      advisory feeds into a rule file\n"
    "\n"
    "Run \"gouvernante rules SUBCOMMAND -help\" for its flags. Exit codes: 0 ok, 1 problem.\n";

}  // namespace

int run_rules_command(const std::vector<std::string>& args, const CliEnv& env) {
  if (args.empty()) {
    *env.err << kRulesUsage;
    return 1;
  }
  const std::string& sub = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (sub == "-h" || sub == "-help" || sub == "--help" || sub == "help") {
    *env.out << kRulesUsage;
    return 0;
  }
  if (sub == "validate") return run_rules_validate(rest, env);
  if (sub == "new") return run_rules_new(rest, env);
  if (sub == "test") return run_rules_test(rest, env);
  if (sub == "list") return run_rules_list(rest, env);
  if (sub == "show") return run_rules_show(rest, env);
  if (sub == "import") return run_rules_import(rest, env);
  *env.err
      << "gouvernante rules: unknown subcommand '" << terminal_safe(sub)
      << "'; expected validate, new, test, list, show or import\n(run gouvernante rules -help for usage)\n";
  return 1;
}

int parse_rules_args(CLI::App& app, const std::vector<std::string>& raw_args, const CliEnv& env,
                     const std::string& name) {
  std::vector<std::string> long_flags;
  for (const CLI::Option* o : app.get_options())
    for (const std::string& n : o->get_lnames()) long_flags.push_back(n);
  std::vector<std::string> args = normalize_go_flags(raw_args, long_flags);
  std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp&) {
    *env.out << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    *env.err << "gouvernante rules " << name << ": " << terminal_safe(e.what()) << "\n(run gouvernante rules "
             << name << " -help for usage)\n";
    return 1;
  }
  return -1;
}

bool list_rule_json_files(const std::string& dir, std::vector<std::string>* files, std::string* err) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    if (entry.path().filename().string().starts_with(".")) {
      std::error_code dec;
      if (entry.is_directory(dec)) it.disable_recursion_pending();
      continue;
    }
    std::error_code fec;
    if (entry.path().extension() == ".json" && entry.is_regular_file(fec))
      files->push_back(entry.path().string());
  }
  if (ec) {
    *err = "cannot read folder: " + ec.message();
    return false;
  }
  std::sort(files->begin(), files->end());
  return true;
}

bool load_rules_or_report(const std::vector<std::string>& paths, RuleSet* rs, const CliEnv& env,
                          const std::string& name) {
  Errors errors;
  if (load_rules(paths, rs, &errors)) return true;
  for (const Error& e : errors) *env.err << terminal_safe(e.str()) << "\n";
  *env.err << "gouvernante rules " << name << ": " << count_of(errors.size(), "problem", "problems")
           << " in the rules (gouvernante rules validate lists them by file)\n";
  return false;
}

std::string count_of(size_t n, const char* singular, const char* plural) {
  return std::to_string(n) + " " + (n == 1 ? singular : plural);
}

}  // namespace gv
