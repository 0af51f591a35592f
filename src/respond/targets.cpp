#include "respond/targets.h"

#include "egress/queries.h"

namespace gv::respond {

void network_targets(const RuleSet& rules, std::vector<Target>* out, std::vector<UnusableIndicator>* unusable) {
  for (const Rule& rule : rules.rules) {
    for (const HostIndicator& ind : rule.host_indicators) {
      if (ind.type != "network") continue;
      Target t{rule.id.str(), ind.value, {}};
      std::string why;
      if (egress::parse_network_indicator(ind.value, &t.endpoint, &why)) {
        out->push_back(std::move(t));
      } else {
        unusable->push_back({rule.id.str(), ind.value, why});
      }
    }
  }
}

}  // namespace gv::respond
