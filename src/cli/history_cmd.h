// The history index's commands (docs/history.md): `index` walks clones into
// the inventory, `search` and `blast-radius` answer from it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "inventory/store.h"

namespace gv {

int run_index_command(const std::vector<std::string>& args, const CliEnv& env);
int run_search_command(const std::vector<std::string>& args, const CliEnv& env);
int run_blast_radius_command(const std::vector<std::string>& args, const CliEnv& env);

// Where the inventory lives unless --db says otherwise.
inline constexpr const char* kDefaultDb = "gouvernante.db";

// "2025-09-08" (start of that day UTC, or its last second with end_of_day),
// "2025-09-08T13:16:00Z", "2025-09-08T15:16:00+02:00". nullopt with *error.
std::optional<int64_t> parse_date(const std::string& text, bool end_of_day, std::string* error);

// Opens an inventory that must already exist (a query on a mistyped path
// must not create an empty database and answer "nothing found"). Prints the
// error as "<prog>: ..." and returns nullptr on failure.
std::unique_ptr<inventory::Store> open_existing_store(const std::string& where, const CliEnv& env,
                                                      const std::string& prog);

}  // namespace gv
