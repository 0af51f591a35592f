// The alert outbox and watch's memory in the inventory (schema 5): the same
// SQL on SQLite and PostgreSQL (store.cpp's rules: `?` placeholders, text
// repaired to valid UTF-8, bytewise ORDER BY).
#include "inventory/store_internal.h"

namespace gv::inventory::store_detail {

namespace {

// ON CONFLICT DO NOTHING: two processes responding to the same incident
// agree on one row, and the one that lost reads the winner's state.
constexpr const char* kInsertDelivery =
    "INSERT INTO deliveries (delivery_id, incident_id, sink, event, body, lines, object_name, secret_env,"
    " s3_endpoint, state, attempts, last_error, created_ns, updated_ns)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (delivery_id) DO NOTHING";
constexpr const char* kColumns =
    "SELECT delivery_id, incident_id, sink, event, body, lines, object_name, secret_env, s3_endpoint, state,"
    " attempts, last_error, created_ns, updated_ns FROM deliveries";
// A delivered row stays delivered: an attempt that raced a successful one
// (two flushes) cannot turn it back to pending.
constexpr const char* kUpdateDelivery =
    "UPDATE deliveries SET state = ?, attempts = ?, last_error = ?, updated_ns = ?"
    " WHERE delivery_id = ? AND state <> 'delivered'";
constexpr const char* kReadAlerted =
    "SELECT rule_id, item_key, incident_id, alerted_ns FROM alerted ORDER BY rule_id COLLATE \"C\","
    " item_key COLLATE \"C\"";
constexpr const char* kInsertAlerted =
    "INSERT INTO alerted (rule_id, item_key, incident_id, alerted_ns) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (rule_id, item_key) DO NOTHING";

std::string repaired(std::string s) {
  repair_text(&s);
  return s;
}

DeliveryRow read_row(const Row& r) {
  auto s = [&r](int col) { return std::string(r.text(col)); };
  return DeliveryRow{s(0), s(1), s(2), s(3), s(4), s(5), s(6), s(7), s(8), s(9),
                     r.integer(10), s(11), r.integer(12), r.integer(13)};
}

}  // namespace

std::optional<Error> add_delivery_row(Driver& db, const DeliveryRow& row, DeliveryRow* stored) {
  const std::string sink = repaired(row.sink), body = repaired(row.body), lines = repaired(row.lines),
                    object = repaired(row.object_name), error = repaired(row.last_error);
  const Param p[] = {row.delivery_id, row.incident_id, sink,      row.event,   body,
                     lines,           object,          row.secret_env, row.s3_endpoint, row.state,
                     row.attempts,    error,           row.created_ns, row.updated_ns};
  if (auto e = db.run(kInsertDelivery, p, {})) return e;
  bool found = false;
  const std::string sql = std::string(kColumns) + " WHERE delivery_id = ?";
  const Param id[] = {row.delivery_id};
  auto e = db.run(sql, id, [&](const Row& r) {
    *stored = read_row(r);
    found = true;
  });
  if (!e && !found) return db.error("delivery " + row.delivery_id + " vanished after insertion");
  return e;
}

std::optional<Error> update_delivery_row(Driver& db, const DeliveryRow& row) {
  const std::string error = repaired(row.last_error);
  const Param p[] = {row.state, row.attempts, error, row.updated_ns, row.delivery_id};
  return db.run(kUpdateDelivery, p, {});
}

std::optional<Error> read_deliveries(Driver& db, const std::string& state, std::vector<DeliveryRow>* out) {
  const std::string sql = std::string(kColumns) +
                          " WHERE (CAST(? AS TEXT) = '' OR state = ?)"
                          " ORDER BY created_ns, delivery_id COLLATE \"C\"";
  const Param p[] = {state, state};
  return db.run(sql, p, [&](const Row& r) { out->push_back(read_row(r)); });
}

std::optional<Error> read_alerted(Driver& db, std::vector<AlertedItem>* out) {
  return db.run(kReadAlerted, {}, [&](const Row& r) {
    out->push_back(AlertedItem{std::string(r.text(0)), std::string(r.text(1)), std::string(r.text(2)),
                               r.integer(3)});
  });
}

std::optional<Error> add_alerted_rows(Driver& db, const std::vector<AlertedItem>& items) {
  for (const AlertedItem& a : items) {
    const std::string rule = repaired(a.rule_id), key = repaired(a.item_key);
    const Param p[] = {rule, key, a.incident_id, a.alerted_ns};
    if (auto e = db.queue(kInsertAlerted, p, {})) return e;
  }
  return db.flush();
}

}  // namespace gv::inventory::store_detail
