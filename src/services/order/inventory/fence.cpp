#include "services/order/inventory/fence.h"

#include <algorithm>

namespace ticketly::order::inventory {
namespace {

constexpr db::Statement kAcquire{"order.fence.acquire", R"sql(
  INSERT INTO inventory_fences AS f (session_id, holder, epoch, valid_until)
  VALUES ($1, $2, 1, now() + $3::float8 * interval '1 millisecond')
  ON CONFLICT (session_id) DO UPDATE
     SET holder = EXCLUDED.holder, epoch = f.epoch + 1, valid_until = EXCLUDED.valid_until,
         wanted_by = NULL, wanted_at = NULL
   WHERE (f.holder = EXCLUDED.holder AND f.wanted_by IS NULL)
      OR (f.valid_until <= now()
          AND (f.wanted_by IS NULL OR f.wanted_by = EXCLUDED.holder OR f.wanted_at < now() - interval '10 seconds'))
  RETURNING epoch)sql"};

constexpr db::Statement kRenew{"order.fence.renew", R"sql(
  UPDATE inventory_fences SET valid_until = now() + $3::float8 * interval '1 millisecond',
                              wanted_by = NULL, wanted_at = NULL
   WHERE session_id = ANY ($1::uuid[]) AND holder = $2
     AND (wanted_by IS NULL OR wanted_at < now() - interval '10 seconds')
  RETURNING session_id, epoch)sql"};

// Sorted input, so concurrent releasers lock fences in one order.
constexpr db::Statement kReleaseStep{"order.fence.release_step", R"sql(
  INSERT INTO inventory_fences AS f (session_id, holder, epoch, valid_until)
  SELECT s, $2::uuid, 1, now() FROM unnest($1::uuid[]) AS s ORDER BY s
  ON CONFLICT (session_id) DO UPDATE
     SET holder = EXCLUDED.holder,
         epoch = CASE WHEN f.holder = EXCLUDED.holder THEN f.epoch ELSE f.epoch + 1 END,
         valid_until = CASE WHEN f.holder = EXCLUDED.holder THEN f.valid_until ELSE now() END,
         wanted_by = CASE WHEN f.wanted_by = EXCLUDED.holder THEN NULL ELSE f.wanted_by END,
         wanted_at = CASE WHEN f.wanted_by = EXCLUDED.holder THEN NULL ELSE f.wanted_at END
   WHERE f.holder = EXCLUDED.holder OR f.valid_until <= now()
  RETURNING session_id)sql"};

constexpr db::Statement kWant{"order.fence.want", R"sql(
  UPDATE inventory_fences SET wanted_by = $2, wanted_at = now()
   WHERE session_id = $1 AND holder <> $2 AND valid_until > now()
  RETURNING extract(epoch FROM valid_until - now())::float8 * 1000)sql"};

}  // namespace

asio::awaitable<std::optional<std::int64_t>> acquire_fence(db::Database& db, const Uuid& session, const Uuid& me,
                                                           std::chrono::milliseconds lease) {
  auto r = co_await db.execute(kAcquire, session, me, static_cast<double>(lease.count()));
  if (r.empty()) co_return std::nullopt;
  co_return r[0].get<std::int64_t>(0);
}

asio::awaitable<std::vector<RenewedFence>> renew_fences(db::Database& db, const std::vector<Uuid>& sessions,
                                                        const Uuid& me, std::chrono::milliseconds lease) {
  std::vector<RenewedFence> out;
  if (sessions.empty()) co_return out;
  auto r = co_await db.execute(kRenew, sessions, me, static_cast<double>(lease.count()));
  for (auto row : r) out.push_back(RenewedFence{row.get<Uuid>(0), row.get<std::int64_t>(1)});
  co_return out;
}

asio::awaitable<std::vector<Uuid>> release_step(db::Connection& tx, std::vector<Uuid> sessions, const Uuid& me) {
  std::sort(sessions.begin(), sessions.end());
  sessions.erase(std::unique(sessions.begin(), sessions.end()), sessions.end());
  std::vector<Uuid> out;
  if (sessions.empty()) co_return out;
  auto r = co_await tx.execute(kReleaseStep, sessions, me);
  for (auto row : r) out.push_back(row.get<Uuid>(0));
  co_return out;
}

asio::awaitable<std::optional<std::chrono::milliseconds>> want_fence(db::Database& db, const Uuid& session,
                                                                     const Uuid& me) {
  auto r = co_await db.execute(kWant, session, me);
  if (r.empty()) co_return std::nullopt;
  co_return std::chrono::milliseconds(static_cast<std::int64_t>(r[0].get<double>(0)) + 1);
}

}  // namespace ticketly::order::inventory
