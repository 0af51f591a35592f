// The egress recorder's commands (docs/egress.md): `run` records a command's
// network egress into the inventory, `net ...` queries what was recorded.
#pragma once

#include <string>
#include <vector>

#include "cli/cli.h"

namespace gv {

int run_run_command(const std::vector<std::string>& args, const CliEnv& env);
int run_net_command(const std::vector<std::string>& args, const CliEnv& env);

}  // namespace gv
