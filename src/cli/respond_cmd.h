// `gouvernante respond`, `gouvernante alerts pending|flush`, `gouvernante
// watch`: incidents over the inventory, delivered to sinks (docs/respond.md).
#pragma once

#include <string>
#include <vector>

#include "cli/cli.h"

namespace gv {

int run_respond_command(const std::vector<std::string>& args, const CliEnv& env);
int run_alerts_command(const std::vector<std::string>& args, const CliEnv& env);
int run_watch_command(const std::vector<std::string>& args, const CliEnv& env);

}  // namespace gv
