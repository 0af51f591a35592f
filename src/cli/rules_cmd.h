// `gouvernante rules SUBCOMMAND`: the rule author's tools (docs/rules-cli.md).
//
//   validate PATH...                 every problem in every file, file:line:col: pointer: reason
//   new --title ... --package ...    a valid rule file from flags (runbook step 3)
//   test RULES --affected L --clean L  runbook step 4 in one command
//   list [RULES...]  /  show ID      what is loaded
//   import FORMAT SRC -o FILE        feeds into rules (rules_import.h)
//
// Each subcommand is one function taking the arguments after its name, so
// tests call them in process; run_cli sends "gouvernante rules ..." here.
// Everything written goes through rule_document_json and is parsed back with
// parse_rule_document before it is printed: what `rules new` emits loads.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "common/error.h"

namespace gv {

// args: everything after "rules". Returns the exit code.
int run_rules_command(const std::vector<std::string>& args, const CliEnv& env);

// args: everything after "rules <subcommand>". Exit 0 ok / 1 problem.
int run_rules_validate(const std::vector<std::string>& args, const CliEnv& env);
int run_rules_new(const std::vector<std::string>& args, const CliEnv& env);
int run_rules_test(const std::vector<std::string>& args, const CliEnv& env);
int run_rules_list(const std::vector<std::string>& args, const CliEnv& env);
int run_rules_show(const std::vector<std::string>& args, const CliEnv& env);

// --- pieces of `rules new`, exposed for tests ---

// "--package NAME@V1,V2": the name (scoped names keep their leading '@') and
// one affected_versions expression per comma-separated item; a plain version
// "1.2.3" becomes "=1.2.3", a range is kept as written. Each item is checked
// with the semver parser. On error returns false with *err saying why.
struct PackageSpec {
  std::string name;
  std::vector<std::string> exprs;
};
bool parse_package_spec(const std::string& spec, PackageSpec* out, std::string* err);

// The next free "SSC-<year>-NNN" for the rule files under `dir`: the highest
// NNN of that year mentioned in any *.json file (text or name) plus one,
// zero-padded to three digits. Mentions anywhere count (a summary naming
// SSC-2026-007 makes the next id 008): a skipped number is harmless, a
// reused one is not. `dir` missing: "SSC-<year>-001".
std::string next_rule_id(const std::string& dir, int year);

// "2026-04-01T12:00:00Z" (RFC 3339, UTC).
std::string rfc3339_utc(std::time_t t);

}  // namespace gv
