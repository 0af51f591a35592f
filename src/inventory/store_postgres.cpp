// The PostgreSQL driver (libpq): one connection, statements prepared once per
// connection by name and executed with text parameters. Errors name the URL
// with its password replaced, and messages are scrubbed of the password in
// case libpq echoes part of the URL back.
#include <libpq-fe.h>

#include <cstdlib>
#include <unordered_map>

#include "inventory/store_internal.h"

namespace gv::inventory::store_detail {
namespace {

// Any fixed number: pg_advisory_xact_lock(key) makes runners that open a
// fresh database at the same moment create its tables one after the other.
// Statements sent before waiting for their results. Their replies (about 40
// bytes each, a few hundred for a looked-up row) stay far below what socket
// buffers hold, so the server never blocks writing while we are still sending.
constexpr size_t kPipelineDepth = 500;

constexpr const char* kLockSchema = "SELECT pg_advisory_xact_lock(7436529167452)";

struct ResultFree {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultFree>;

class PgRow final : public Row {
 public:
  PgRow(const PGresult* res, int row) : res_(res), row_(row) {}
  std::string_view text(int col) const override {
    return {PQgetvalue(res_, row_, col), static_cast<size_t>(PQgetlength(res_, row_, col))};
  }
  int64_t integer(int col) const override { return std::strtoll(PQgetvalue(res_, row_, col), nullptr, 10); }

 private:
  const PGresult* res_;
  int row_;
};

struct SqlHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// libpq ends messages with a newline and indents hints on further lines;
// an Error is one line.
std::string one_line(const char* msg) {
  std::string out;
  bool space = false;
  for (const char* p = msg ? msg : ""; *p; ++p) {
    const bool ws = *p == '\n' || *p == '\t' || *p == '\r' || *p == ' ';
    if (ws) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += *p;
  }
  return out.empty() ? "unknown PostgreSQL error" : out;
}

bool ok(const PGresult* r) {
  const ExecStatusType s = PQresultStatus(r);
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

void ignore_notice(void*, const char*) {}  // "relation already exists, skipping" is not news

// A libpq message made safe to show: one line, any echo of the URL replaced
// by its redacted form, then any password text left replaced too.
std::string safe_message(const char* msg, const std::string& url, const std::string& name,
                         const std::vector<std::string>& secrets) {
  std::string text = one_line(msg);
  for (size_t p = text.find(url); p != std::string::npos; p = text.find(url, p + name.size()))
    text.replace(p, url.size(), name);
  return scrub(std::move(text), secrets);
}

class PgDriver final : public Driver {
 public:
  PgDriver(std::string name, std::string url, PGconn* conn, std::vector<std::string> secrets)
      : Driver(std::move(name)), url_(std::move(url)), conn_(conn), secrets_(std::move(secrets)) {}
  ~PgDriver() override { PQfinish(conn_); }

  std::optional<Error> exec(const std::string& sql) override {
    if (auto e = flush()) return e;
    Result r(PQexec(conn_, sql.c_str()));
    if (!ok(r.get())) return failure(r.get());
    return std::nullopt;
  }

  std::optional<Error> run(std::string_view sql, std::span<const Param> params,
                           const RowFn& row) override {
    if (auto e = flush()) return e;
    const std::string* name = nullptr;
    if (auto e = prepared(sql, &name)) return e;
    set_values(params);
    Result r(PQexecPrepared(conn_, name->c_str(), static_cast<int>(values_.size()), values_.data(),
                            nullptr, nullptr, 0));
    if (!ok(r.get())) return failure(r.get());
    if (row) {
      const int n = PQntuples(r.get());
      for (int i = 0; i < n; ++i) row(PgRow(r.get(), i));
    }
    return std::nullopt;
  }

  std::optional<Error> queue(std::string_view sql, std::span<const Param> params, RowFn row) override {
    // PQprepare is synchronous and not allowed in pipeline mode: the first use
    // of a statement ends the current batch (once per statement and connection).
    if (names_.find(sql) == names_.end()) {
      if (auto e = flush()) return e;
    }
    const std::string* name = nullptr;
    if (auto e = prepared(sql, &name)) return e;
    if (PQpipelineStatus(conn_) == PQ_PIPELINE_OFF && PQenterPipelineMode(conn_) != 1) return failure(nullptr);
    set_values(params);
    if (PQsendQueryPrepared(conn_, name->c_str(), static_cast<int>(values_.size()), values_.data(), nullptr,
                            nullptr, 0) != 1) {
      Error e = failure(nullptr);
      flush();
      return e;
    }
    pending_.push_back(std::move(row));
    return pending_.size() >= kPipelineDepth ? flush() : std::nullopt;
  }

  std::optional<Error> flush() override {
    if (PQpipelineStatus(conn_) == PQ_PIPELINE_OFF) return std::nullopt;
    std::optional<Error> e;
    if (PQpipelineSync(conn_) != 1) {
      e = failure(nullptr);
    } else {
      e = collect();
    }
    pending_.clear();
    if (PQexitPipelineMode(conn_) != 1 && !e) e = failure(nullptr);
    return e;
  }

  std::optional<Error> begin() override { return exec("BEGIN ISOLATION LEVEL READ COMMITTED"); }
  std::optional<Error> lock_schema() override { return exec(kLockSchema); }

  Error failure(const PGresult* r) const {
    const char* msg = r ? PQresultErrorMessage(r) : nullptr;
    if (!msg || !*msg) msg = PQerrorMessage(conn_);
    return error(safe_message(msg, url_, name(), secrets_));
  }

 private:
  // Prepared statements belong to the session, not the transaction, so a
  // rolled-back save leaves them usable.
  std::optional<Error> prepared(std::string_view sql, const std::string** name) {
    if (auto it = names_.find(sql); it != names_.end()) {
      *name = &it->second;
      return std::nullopt;
    }
    std::string id = "gv_" + std::to_string(names_.size() + 1);
    Result r(PQprepare(conn_, id.c_str(), dollar_params(sql).c_str(), 0, nullptr));
    if (!ok(r.get())) return failure(r.get());
    *name = &names_.emplace(std::string(sql), std::move(id)).first->second;
    return std::nullopt;
  }

  // Reads the batch's results up to the sync point: one result per queued
  // statement, each followed by a null. After a failure the server skips the
  // rest (PGRES_PIPELINE_ABORTED) and the first error is the one to report.
  std::optional<Error> collect() {
    std::optional<Error> first;
    size_t at = 0;
    bool after_null = false;
    for (;;) {
      Result r(PQgetResult(conn_));
      if (!r) {
        // Two nulls in a row never happen on a live connection: do not spin.
        if (after_null || PQstatus(conn_) == CONNECTION_BAD) return first ? first : failure(nullptr);
        after_null = true;
        ++at;
        continue;
      }
      after_null = false;
      switch (PQresultStatus(r.get())) {
        case PGRES_PIPELINE_SYNC:
          return first;
        case PGRES_TUPLES_OK:
          if (!first && at < pending_.size() && pending_[at]) {
            for (int i = 0, n = PQntuples(r.get()); i < n; ++i) pending_[at](PgRow(r.get(), i));
          }
          break;
        case PGRES_COMMAND_OK:
        case PGRES_PIPELINE_ABORTED:
          break;
        default:
          if (!first) first = failure(r.get());
      }
    }
  }

  // Text format for every parameter: the server infers each type from the
  // statement, and integers are short as text anyway.
  void set_values(std::span<const Param> params) {
    buffers_.resize(params.size());
    values_.resize(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      if (const auto* s = std::get_if<std::string_view>(&params[i])) {
        buffers_[i].assign(s->data() ? s->data() : "", s->size());
      } else {
        buffers_[i] = std::to_string(std::get<int64_t>(params[i]));
      }
      values_[i] = buffers_[i].c_str();
    }
  }

  std::string url_;
  PGconn* conn_;
  std::vector<std::string> secrets_;
  std::unordered_map<std::string, std::string, SqlHash, std::equal_to<>> names_;
  std::vector<std::string> buffers_;  // kept between calls: no allocation per row
  std::vector<const char*> values_;
  std::vector<RowFn> pending_;  // one per statement queued since the last flush
};

// The password as libpq decodes it (percent-escapes resolved), plus the
// texts as written in the URL: any of them may show up in a message.
std::vector<std::string> secrets_of(const std::string& url) {
  std::vector<std::string> out = url_secrets(url);
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (err) PQfreemem(err);
  for (PQconninfoOption* o = opts; o && o->keyword; ++o) {
    if (std::string_view(o->keyword) == "password" && o->val && *o->val) out.emplace_back(o->val);
  }
  if (opts) PQconninfoFree(opts);
  return out;
}

}  // namespace

std::unique_ptr<Driver> open_postgres(const std::string& url, Error* error) {
  const std::string name = redact_url(url);
  std::vector<std::string> secrets = secrets_of(url);
  // Later entries win, so a connect_timeout or application_name in the URL
  // overrides these defaults; without a timeout an unreachable host would
  // hang a CI job for minutes.
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {"15", "gouvernante", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (!conn) {
    *error = Error{name, 0, 0, "cannot connect: out of memory"};
    return nullptr;
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    *error = Error{name, 0, 0, "cannot connect: " + safe_message(PQerrorMessage(conn), url, name, secrets)};
    PQfinish(conn);
    return nullptr;
  }
  PQsetNoticeProcessor(conn, ignore_notice, nullptr);
  auto driver = std::make_unique<PgDriver>(name, url, conn, std::move(secrets));
  // Whatever the server's encoding, we send and expect UTF-8.
  if (PQsetClientEncoding(conn, "UTF8") != 0) {
    *error = driver->failure(nullptr);
    error->what = "cannot connect: " + error->what;
    return nullptr;
  }
  return driver;
}

}  // namespace gv::inventory::store_detail
