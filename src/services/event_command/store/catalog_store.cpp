#include "services/event_command/store/catalog_store.h"

#include "platform/db/error.h"
#include "platform/errors.h"
#include "services/event_command/domain/discounts.h"

namespace ticketly::event_command::store {
namespace {

constexpr db::Statement kInsertTier{"ec.tier.insert", R"sql(
  INSERT INTO tiers (id, event_id, name, color, price_cents, position)
  VALUES ($1, $2, $3, $4, $5, (SELECT coalesce(max(position), 0) + 1 FROM tiers WHERE event_id = $2)))sql"};
constexpr db::Statement kTiers{"ec.tier.list",
                               "SELECT id, name, color, price_cents FROM tiers WHERE event_id = $1 "
                               "ORDER BY position, created_at, id"};
constexpr db::Statement kUpdateTier{"ec.tier.update", R"sql(
  UPDATE tiers SET name = $3, color = $4, price_cents = $5, updated_at = now()
   WHERE event_id = $1 AND id = $2)sql"};
constexpr db::Statement kDeleteTier{"ec.tier.delete", "DELETE FROM tiers WHERE event_id = $1 AND id = $2"};
constexpr db::Statement kTierInUse{"ec.tier.in_use", R"sql(
  SELECT EXISTS (SELECT 1 FROM session_layouts l JOIN sessions s ON s.id = l.session_id
                  WHERE s.event_id = $1 AND l.tier_ids @> ARRAY[$2::uuid]))sql"};
constexpr db::Statement kForget{"ec.discount.forget", R"sql(
  UPDATE discounts SET applicable_tier_ids = array_remove(applicable_tier_ids, $2::uuid),
                       applicable_session_ids = array_remove(applicable_session_ids, $2::uuid),
                       updated_at = now()
   WHERE event_id = $1 AND ($2::uuid = ANY (applicable_tier_ids) OR $2::uuid = ANY (applicable_session_ids)))sql"};
// Discounts whose list names only this tier (or session): without it the list would be
// empty, which means "every tier (session)".
constexpr db::Statement kOnlyFor{"ec.discount.only_for", R"sql(
  SELECT code FROM discounts
   WHERE event_id = $1
     AND (($2::uuid = ANY (applicable_tier_ids) AND cardinality(array_remove(applicable_tier_ids, $2::uuid)) = 0)
       OR ($2::uuid = ANY (applicable_session_ids) AND cardinality(array_remove(applicable_session_ids, $2::uuid)) = 0))
   ORDER BY lower(code))sql"};

#define DISCOUNT_COLUMNS                                                                                       \
  "id, event_id, code, parameters, max_usage, current_usage, discounted_total_cents, active, is_public, "      \
  "active_from, expires_at, applicable_tier_ids, applicable_session_ids"
constexpr db::Statement kInsertDiscount{"ec.discount.insert", R"sql(
  INSERT INTO discounts (id, event_id, code, type, parameters, max_usage, active, is_public, active_from,
                         expires_at, applicable_tier_ids, applicable_session_ids)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12))sql"};
constexpr db::Statement kUpdateDiscount{"ec.discount.update", R"sql(
  UPDATE discounts SET code = $3, type = $4, parameters = $5, max_usage = $6, active = $7, is_public = $8,
                       active_from = $9, expires_at = $10, applicable_tier_ids = $11,
                       applicable_session_ids = $12, updated_at = now()
   WHERE event_id = $2 AND id = $1)sql"};
constexpr db::Statement kDeleteDiscount{"ec.discount.delete", "DELETE FROM discounts WHERE event_id = $1 AND id = $2"};
constexpr db::Statement kDiscounts{"ec.discount.list", "SELECT " DISCOUNT_COLUMNS
                                                       " FROM discounts WHERE event_id = $1 AND (is_public OR NOT $2) "
                                                       "ORDER BY created_at, id"};
constexpr db::Statement kFindDiscount{"ec.discount.find",
                                      "SELECT " DISCOUNT_COLUMNS " FROM discounts WHERE event_id = $1 AND id = $2"};
constexpr db::Statement kCountUse{"ec.discount.count_use", R"sql(
  UPDATE discounts SET current_usage = current_usage + 1,
                       discounted_total_cents = discounted_total_cents + $2
   WHERE id = $1 AND event_id = $3)sql"};

Discount discount_from(const db::Row& r) {
  Discount d;
  d.id = r.get<Uuid>(0);
  d.event_id = r.get<Uuid>(1);
  d.code = r.get<std::string>(2);
  d.parameters = read_parameters(r.get<Json>(3), "parameters");
  d.max_usage = r.get<std::optional<std::int64_t>>(4);
  d.current_usage = r.get<std::int64_t>(5);
  d.discounted_total = r.get<std::int64_t>(6);
  d.active = r.get<bool>(7);
  d.is_public = r.get<bool>(8);
  d.active_from = r.get<std::optional<Timestamp>>(9);
  d.expires_at = r.get<std::optional<Timestamp>>(10);
  d.applicable_tier_ids = r.get<std::vector<Uuid>>(11);
  d.applicable_session_ids = r.get<std::vector<Uuid>>(12);
  return d;
}

// A unique violation here is the caller's doing: a code used twice or an id used before.
[[noreturn]] void rethrow_conflict(const db::DbError& e, std::string_view what) {
  if (e.constraint() == "discounts_event_code_uq") throw conflict("This event already has a discount with that code");
  throw conflict("The " + std::string(what) + " id is already in use");
}

}  // namespace

asio::awaitable<void> insert_tier(db::Connection& c, const Uuid& event_id, const Tier& t) {
  try {
    co_await c.execute(kInsertTier, t.id, event_id, t.name, t.color, t.price);
  } catch (const db::DbError& e) {
    if (!e.is_unique_violation()) throw;
    rethrow_conflict(e, "tier");
  }
}

asio::awaitable<std::vector<Tier>> tiers_of_event(db::Connection& c, const Uuid& event_id) {
  auto r = co_await c.execute(kTiers, event_id);
  std::vector<Tier> out;
  for (auto row : r) {
    out.push_back({row.get<Uuid>(0), row.get<std::string>(1), row.get<std::string>(2), row.get<std::int64_t>(3)});
  }
  co_return out;
}

asio::awaitable<bool> update_tier(db::Connection& c, const Uuid& event_id, const Tier& t) {
  co_return (co_await c.execute(kUpdateTier, event_id, t.id, t.name, t.color, t.price)).affected_rows() == 1;
}

asio::awaitable<bool> delete_tier(db::Connection& c, const Uuid& event_id, const Uuid& tier_id) {
  co_return (co_await c.execute(kDeleteTier, event_id, tier_id)).affected_rows() == 1;
}

asio::awaitable<bool> tier_in_use(db::Connection& c, const Uuid& event_id, const Uuid& tier_id) {
  co_return (co_await c.execute(kTierInUse, event_id, tier_id)).scalar<bool>();
}

asio::awaitable<void> forget_in_discounts(db::Connection& c, const Uuid& event_id, const Uuid& id) {
  co_await c.execute(kForget, event_id, id);
}

asio::awaitable<std::vector<std::string>> discounts_only_for(db::Connection& c, const Uuid& event_id, const Uuid& id) {
  auto r = co_await c.execute(kOnlyFor, event_id, id);
  std::vector<std::string> codes;
  for (auto row : r) codes.push_back(row.get<std::string>(0));
  co_return codes;
}

asio::awaitable<void> insert_discount(db::Connection& c, const Discount& d) {
  try {
    co_await c.execute(kInsertDiscount, d.id, d.event_id, d.code, std::string(to_string(d.parameters.type)),
                       parameters_to_json(d.parameters), d.max_usage, d.active, d.is_public, d.active_from,
                       d.expires_at, d.applicable_tier_ids, d.applicable_session_ids);
  } catch (const db::DbError& e) {
    if (!e.is_unique_violation()) throw;
    rethrow_conflict(e, "discount");
  }
}

asio::awaitable<bool> update_discount(db::Connection& c, const Discount& d) {
  try {
    auto r = co_await c.execute(kUpdateDiscount, d.id, d.event_id, d.code, std::string(to_string(d.parameters.type)),
                                parameters_to_json(d.parameters), d.max_usage, d.active, d.is_public, d.active_from,
                                d.expires_at, d.applicable_tier_ids, d.applicable_session_ids);
    co_return r.affected_rows() == 1;
  } catch (const db::DbError& e) {
    if (!e.is_unique_violation()) throw;
    rethrow_conflict(e, "discount");
  }
}

asio::awaitable<bool> delete_discount(db::Connection& c, const Uuid& event_id, const Uuid& discount_id) {
  co_return (co_await c.execute(kDeleteDiscount, event_id, discount_id)).affected_rows() == 1;
}

asio::awaitable<std::vector<Discount>> discounts_of_event(db::Connection& c, const Uuid& event_id, bool public_only) {
  auto r = co_await c.execute(kDiscounts, event_id, public_only);
  std::vector<Discount> out;
  for (auto row : r) out.push_back(discount_from(row));
  co_return out;
}

asio::awaitable<std::optional<Discount>> find_discount(db::Connection& c, const Uuid& event_id, const Uuid& discount_id) {
  auto r = co_await c.execute(kFindDiscount, event_id, discount_id);
  if (r.empty()) co_return std::nullopt;
  co_return discount_from(r[0]);
}

asio::awaitable<void> count_discount_use(db::Connection& c, const Uuid& event_id, const Uuid& discount_id,
                                         Cents amount) {
  co_await c.execute(kCountUse, discount_id, amount, event_id);
}

}  // namespace ticketly::event_command::store
