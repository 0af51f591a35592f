// `gouvernante report ...`: scan reports from laptops, servers and CI jobs
// brought into the inventory (`ingest`) and listed per host (`hosts`), so
// an incident's central queries see hosts as well as repositories and runs.
#pragma once

#include <string>
#include <vector>

#include "cli/cli.h"

namespace gv {

int run_report_command(const std::vector<std::string> &args, const CliEnv &env);

} // namespace gv
