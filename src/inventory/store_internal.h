// What the two Store backends share: a minimal SQL driver (one per backend:
// store_sqlite.cpp, store_postgres.cpp) under one store (store.cpp) that
// holds the schema, the migrations and every statement, written once with
// `?` placeholders. Tests use the driver to look at the rows directly.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/error.h"
#include "inventory/store.h"

namespace gv::inventory::store_detail {

// A bound parameter: text (bound, never spliced into SQL) or an integer.
using Param = std::variant<std::string_view, int64_t>;

// One result row; valid only during the callback that receives it.
class Row {
 public:
  virtual ~Row() = default;
  virtual std::string_view text(int col) const = 0;
  virtual int64_t integer(int col) const = 0;
};
using RowFn = std::function<void(const Row&)>;

class Driver {
 public:
  // `name` is what errors are reported against: the file path, or the URL
  // without its password.
  explicit Driver(std::string name) : name_(std::move(name)) {}
  virtual ~Driver() = default;
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  const std::string& name() const { return name_; }
  Error error(std::string what) const { return Error{name_, 0, 0, std::move(what)}; }

  // Runs SQL without parameters (schema changes, COMMIT, ROLLBACK); rows are ignored.
  virtual std::optional<Error> exec(const std::string& sql) = 0;
  // Runs one statement with `?` parameters, calling `row` (when set) for each
  // result row. The statement is prepared on first use and kept for the
  // connection's life: a save runs the same few statements 100,000 times.
  virtual std::optional<Error> run(std::string_view sql, std::span<const Param> params,
                                   const RowFn& row) = 0;
  // Like run() for statements whose results can wait: PostgreSQL sends them
  // in batches (pipeline mode) instead of one round trip each, which is what
  // makes a 100,000-row save fast against a server across a network. Rows
  // reach `row` and errors are reported by flush() at the latest; SQLite
  // simply runs the statement now. Parameters are copied before it returns.
  virtual std::optional<Error> queue(std::string_view sql, std::span<const Param> params, RowFn row) = 0;
  // Waits for everything queued; the first error of the batch, if any.
  virtual std::optional<Error> flush() = 0;
  // Starts a write transaction. SQLite takes the write lock up front (BEGIN
  // IMMEDIATE) so two writers wait instead of failing to upgrade a read lock;
  // PostgreSQL pins READ COMMITTED, which the per-ref locking relies on.
  virtual std::optional<Error> begin() = 0;
  // Inside a transaction: makes concurrent openers migrate one at a time.
  virtual std::optional<Error> lock_schema() = 0;

 private:
  std::string name_;
};

bool is_postgres_url(std::string_view where);
// Opens the database without touching its schema (Store::open migrates).
std::unique_ptr<Driver> open_driver(const std::string& where, Error* error);
std::unique_ptr<Driver> open_sqlite(const std::string& path, Error* error);
std::unique_ptr<Driver> open_postgres(const std::string& url, Error* error);

// Brings the schema to the newest version, one transaction; an error when the
// database is newer than this code.
std::optional<Error> migrate(Driver& db);
// Invalid UTF-8 replaced (U+FFFD per bad byte), as both backends must store it.
void repair_text(std::string* s);

// The recorded runs' SQL (store_net.cpp), called by the store inside its
// own transaction handling.
std::optional<Error> save_run_rows(Driver& db, const RunRecord& run, const std::vector<egress::Event>& events);
std::optional<Error> read_net_events(Driver& db, const EventFilter& f, std::vector<EventRow>* out);
std::optional<Error> read_runs(Driver& db, const EventFilter& f, std::vector<RunRecord>* out);

// Ingested scan reports' SQL (store_host.cpp), likewise.
std::optional<Error> save_host_rows(Driver& db, const HostReport& report, const std::vector<HostFinding>& findings);
std::optional<Error> read_host_findings(Driver& db, const HostFilter& f, std::vector<HostFindingRow>* out);
std::optional<Error> read_host_reports(Driver& db, const HostFilter& f, std::vector<HostReportRow>* out);

// The alert outbox's SQL (store_alert.cpp), likewise.
std::optional<Error> add_delivery_row(Driver& db, const DeliveryRow& row, DeliveryRow* stored);
std::optional<Error> update_delivery_row(Driver& db, const DeliveryRow& row);
std::optional<Error> read_deliveries(Driver& db, const std::string& state, std::vector<DeliveryRow>* out);
std::optional<Error> read_alerted(Driver& db, std::vector<AlertedItem>* out);
std::optional<Error> add_alerted_rows(Driver& db, const std::vector<AlertedItem>& items);

// The newest schema version this code knows.
int64_t schema_version();

// "? ... ?" -> "$1 ... $2" for PostgreSQL; '?' inside quotes is left alone.
std::string dollar_params(std::string_view sql);
// The URL with any password (user:password@, ?password=) replaced by "***".
std::string redact_url(std::string_view url);
// The password texts as written in the URL (still percent-encoded), to scrub
// from messages that might echo them.
std::vector<std::string> url_secrets(std::string_view url);
// `text` with every occurrence of each non-empty secret replaced by "***".
std::string scrub(std::string text, const std::vector<std::string>& secrets);

}  // namespace gv::inventory::store_detail
