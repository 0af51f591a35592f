// What the `rules` subcommands share: flag parsing with the Go-style shim,
// listing rule files the way the loader does, loading with every problem
// printed. Internal to src/cli/rules_*.cpp.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "cli/output.h"
#include "common/error.h"
#include "rules/load.h"

namespace gv {

// Parses `args` with `app`, accepting every long flag with one dash or two.
// Returns -1 to go on, or the exit code to return now (0 after -help, 1 after
// a usage error, printed as "gouvernante rules NAME: ...").
int parse_rules_args(CLI::App& app, const std::vector<std::string>& args, const CliEnv& env,
                     const std::string& name);

// *.json files under `dir`, recursively and sorted, skipping hidden entries
// and never entering symlinked folders: the files `-rules DIR` loads.
// Returns false with *err on an unreadable folder.
bool list_rule_json_files(const std::string& dir, std::vector<std::string>* files, std::string* err);

// load_rules, printing every problem to env.err (terminal-safe) and a summary
// line naming the subcommand. Returns false when nothing may be used.
bool load_rules_or_report(const std::vector<std::string>& paths, RuleSet* rs, const CliEnv& env,
                          const std::string& name);

}  // namespace gv
