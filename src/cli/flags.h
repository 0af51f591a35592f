// One way to parse a command's flags with CLI11, shared by the scan command
// and every subcommand: each long flag with one dash (Go style, as the
// runbook types) or two, usage errors worded the same everywhere.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/cli.h"

namespace gv {

// Parses `args` with `app`. Returns -1 to go on, or the exit code to return
// now: 0 after -help (printed on env.out), 1 after a usage error, printed as
// "<prog>: <what>" and "(run <prog> -help for usage)".
int parse_flags(CLI::App& app, const std::vector<std::string>& args, const CliEnv& env, const std::string& prog);

}  // namespace gv
