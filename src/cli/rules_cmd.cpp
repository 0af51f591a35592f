// The `rules` dispatcher and what its subcommands share (rules_cmd_shared.h).
#include "cli/rules_cmd.h"

#include "cli/flags.h"

#include <algorithm>
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
  return parse_flags(app, raw_args, env, "gouvernante rules " + name);
}

bool list_rule_json_files(const std::string& dir, std::vector<std::string>* files, std::string* err) {
  Errors errors;
  if (list_rule_files(dir, files, &errors)) return true;
  *err = errors.back().what;
  return false;
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

}  // namespace gv
