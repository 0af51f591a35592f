// `gouvernante rules import FORMAT SRC -o FILE`: feeds (OSV, CSV, GitHub
// advisories) into a rule file. Called by the `rules` subcommand dispatcher.
#pragma once

#include <string>
#include <vector>

#include "cli/cli.h"

namespace gv {

// args: everything after "rules import". Returns the exit code (0 ok, 1 error).
int run_rules_import(const std::vector<std::string>& args, const CliEnv& env);

}  // namespace gv
