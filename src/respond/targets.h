// The rules' `network` host indicators as targets for recorded egress: what
// `respond` and `net search --rules` look for. An indicator that cannot be
// read as a target is returned as unusable, so the caller reports it as not
// checked instead of dropping it.
#pragma once

#include <string>
#include <vector>

#include "egress/endpoint.h"
#include "rules/load.h"

namespace gv::respond {

struct Target {
  std::string rule_id, value;  // the rule and its indicator as written
  egress::Endpoint endpoint;
};

struct UnusableIndicator {
  std::string rule_id, value, reason;
};

void network_targets(const RuleSet& rules, std::vector<Target>* out, std::vector<UnusableIndicator>* unusable);

}  // namespace gv::respond
