// Times as the reports print them: ISO 8601 in UTC.
#pragma once

#include <cstdint>
#include <string>

namespace gv {

// 2025-09-08T13:16:00Z, from seconds since the epoch.
std::string iso_utc(int64_t seconds);

}  // namespace gv
