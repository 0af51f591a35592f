#include "cli/rules_import.h"

#include <ostream>

namespace gv {

// Placeholder until the importers land (issue #5); says so, never succeeds.
int run_rules_import(const std::vector<std::string>&, const CliEnv& env) {
  *env.err << "gouvernante: rules import is not in this build yet\n";
  return 1;
}

}  // namespace gv
