// The `gouvernante net` subcommands beyond events and exfil (net_cmd.cpp
// dispatches): baseline, anomalies and search answer from the recorded runs
// (net_query.cpp); import adds runs recorded elsewhere (net_import.cpp).
#pragma once

#include <string>
#include <vector>

#include "cli/cli.h"

namespace gv {

int net_baseline(const std::vector<std::string>& args, const CliEnv& env);
int net_anomalies(const std::vector<std::string>& args, const CliEnv& env);
int net_search(const std::vector<std::string>& args, const CliEnv& env);
int net_import(const std::vector<std::string>& args, const CliEnv& env);

}  // namespace gv
