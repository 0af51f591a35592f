// The SQLite driver: one file, created when missing, in WAL mode so readers
// never block the writer and a 100,000-row save is one fsync'd commit.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>
#include <cstdlib>
#include <unordered_map>

#include "inventory/store_internal.h"

namespace gv::inventory::store_detail {
namespace {

// Another process indexing into the same file holds the write lock for one
// save; waiting that long beats failing with "database is locked".
// GOUVERNANTE_DB_BUSY_TIMEOUT (seconds) changes it (docs/history.md).
constexpr int kBusyTimeoutMs = 120'000;

int busy_timeout_ms() {
  const char* env = std::getenv("GOUVERNANTE_DB_BUSY_TIMEOUT");
  if (env == nullptr || *env == '\0') return kBusyTimeoutMs;
  char* end = nullptr;
  const double secs = std::strtod(env, &end);
  if (*end != '\0' || !(secs >= 0) || secs > 86'400) return kBusyTimeoutMs;
  return static_cast<int>(secs * 1000);
}

// Bytewise order under the name PostgreSQL uses, so the shared queries can say
// COLLATE "C" on both backends.
int compare_bytes(void*, int n1, const void* a, int n2, const void* b) {
  const int c = std::memcmp(a, b, static_cast<size_t>(std::min(n1, n2)));
  return c != 0 ? c : (n1 < n2 ? -1 : n1 > n2 ? 1 : 0);
}

class SqliteRow final : public Row {
 public:
  explicit SqliteRow(sqlite3_stmt* st) : st_(st) {}
  std::string_view text(int col) const override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, col));
    if (!p) return {};
    return {p, static_cast<size_t>(sqlite3_column_bytes(st_, col))};
  }
  int64_t integer(int col) const override { return sqlite3_column_int64(st_, col); }

 private:
  sqlite3_stmt* st_;
};

struct SqlHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class SqliteDriver final : public Driver {
 public:
  SqliteDriver(std::string path, sqlite3* db) : Driver(std::move(path)), db_(db) {}
  ~SqliteDriver() override {
    for (auto& [sql, st] : statements_) sqlite3_finalize(st);
    sqlite3_close_v2(db_);
  }

  std::optional<Error> exec(const std::string& sql) override {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) == SQLITE_OK) return std::nullopt;
    Error e = error(msg ? msg : sqlite3_errmsg(db_));
    sqlite3_free(msg);
    return e;
  }

  std::optional<Error> run(std::string_view sql, std::span<const Param> params,
                           const RowFn& row) override {
    sqlite3_stmt* st = nullptr;
    if (auto e = prepared(sql, &st)) return e;
    std::optional<Error> e = bind(st, params);
    if (!e) e = step_all(st, row);
    // Reset at once: a statement left mid-step would keep its read lock.
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return e;
  }

  std::optional<Error> queue(std::string_view sql, std::span<const Param> params, RowFn row) override {
    return run(sql, params, row);  // in-process: no round trip to save
  }
  std::optional<Error> flush() override { return std::nullopt; }

  std::optional<Error> begin() override { return exec("BEGIN IMMEDIATE"); }
  std::optional<Error> lock_schema() override { return std::nullopt; }  // BEGIN IMMEDIATE did

 private:
  std::optional<Error> prepared(std::string_view sql, sqlite3_stmt** out) {
    if (auto it = statements_.find(sql); it != statements_.end()) {
      *out = it->second;
      return std::nullopt;
    }
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), out, nullptr) != SQLITE_OK)
      return error(sqlite3_errmsg(db_));
    statements_.emplace(std::string(sql), *out);
    return std::nullopt;
  }

  std::optional<Error> bind(sqlite3_stmt* st, std::span<const Param> params) {
    for (size_t i = 0; i < params.size(); ++i) {
      const int at = static_cast<int>(i) + 1;
      int rc;
      if (const auto* s = std::get_if<std::string_view>(&params[i])) {
        // SQLITE_STATIC: the caller's text outlives the step; a null pointer
        // would bind NULL, so an empty view points at "".
        rc = sqlite3_bind_text64(st, at, s->data() ? s->data() : "", s->size(), SQLITE_STATIC,
                                 SQLITE_UTF8);
      } else {
        rc = sqlite3_bind_int64(st, at, static_cast<sqlite3_int64>(std::get<int64_t>(params[i])));
      }
      if (rc != SQLITE_OK) return error(sqlite3_errmsg(db_));
    }
    return std::nullopt;
  }

  std::optional<Error> step_all(sqlite3_stmt* st, const RowFn& row) {
    const SqliteRow r(st);
    for (;;) {
      const int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) return std::nullopt;
      if (rc != SQLITE_ROW) return error(sqlite3_errmsg(db_));
      if (row) row(r);
    }
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> statements_;
};

// Switching to WAL needs the file to itself, and SQLite answers SQLITE_BUSY
// at once rather than calling the busy handler when another connection is
// opening it at the same moment; so we wait here, as long as the handler would.
std::optional<Error> set_wal(sqlite3* db, const Driver& driver) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    const int rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) return std::nullopt;
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() > give_up)
      return driver.error(std::string("cannot open: ") + sqlite3_errmsg(db));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

std::unique_ptr<Driver> open_sqlite(const std::string& path, Error* error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    *error = Error{path, 0, 0, "is a directory, not a history store file"};
    return nullptr;
  }
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    *error = Error{path, 0, 0, std::string("cannot open: ") + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc))};
    sqlite3_close_v2(db);
    return nullptr;
  }
  auto driver = std::make_unique<SqliteDriver>(path, db);
  sqlite3_busy_timeout(db, busy_timeout_ms());
  if (sqlite3_create_collation(db, "C", SQLITE_UTF8, nullptr, compare_bytes) != SQLITE_OK) {
    *error = driver->error(std::string("cannot open: ") + sqlite3_errmsg(db));
    return nullptr;
  }
  // The first statements read the file: a file that is not SQLite fails here.
  if (auto e = set_wal(db, *driver)) {
    *error = std::move(*e);
    return nullptr;
  }
  if (auto e = driver->exec("PRAGMA synchronous=NORMAL")) {
    e->what = "cannot open: " + e->what;
    *error = std::move(*e);
    return nullptr;
  }
  return driver;
}

}  // namespace gv::inventory::store_detail
