// Projector::apply_orders: the consumer's batch handler for order snapshots (one statement,
// one transaction for a burst). Same rules as one message at a time: only completed
// orders are kept, the newest version of an order wins whatever the order of arrival; a
// malformed payload fails the whole batch and writes nothing (the consumer then applies
// the messages one by one).
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>

#include "platform/db/database.h"
#include "platform/db/migrator.h"
#include "platform/runtime/io_pool.h"
#include "services/event_query/store/projector.h"
#include "support/bus_test_support.h"
#include "support/test_database.h"

namespace ticketly::migrations {
std::span<const db::MigrationFile> event_query();
}

namespace ticketly::testing {
namespace {

namespace asio = boost::asio;

class EventQueryProjectorBatch : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = std::make_unique<TestDatabase>("eq_projector_batch");
    db::migrate(database_->url(), migrations::event_query(), "event_query");
    io_ = std::make_unique<runtime::IoPool>(1);
    db_ = std::make_unique<db::Database>(*io_, db::PoolOptions{.conninfo = database_->url(), .size = 2});
    projector_ = std::make_unique<event_query::Projector>(*db_);
    io_->start();
  }
  void TearDown() override {
    io_->stop();
    io_->join();
    projector_.reset();
    db_.reset();
  }

  static bus::Message order(const std::string& id, std::int64_t version, const std::string& status, double price) {
    bus::Message m;
    m.topic = "ticketly.order.updated";
    m.key = id;
    m.payload = json::Json{{"OrderID", id},
                           {"Version", version},
                           {"Status", status},
                           {"EventID", "0b9f3c52-6f6e-4c1e-9d7c-1a2b3c4d5e6f"},
                           {"SessionID", "1c9f3c52-6f6e-4c1e-9d7c-1a2b3c4d5e6f"},
                           {"SubTotal", price},
                           {"DiscountAmount", 0},
                           {"Price", price},
                           {"CreatedAt", "2026-11-27T10:00:00Z"},
                           {"tickets", json::Json::array({{{"seat_id", "s1"}, {"tier_id", "t1"}, {"price_at_purchase", price}}})}}
                    .dump();
    return m;
  }
  static bus::Message seats(const std::string& session, const std::vector<std::string>& ids, const std::string& status,
                            std::int64_t seq) {
    bus::Message m;
    m.topic = "ticketly.seats.status";
    m.key = session;
    m.payload = json::Json{{"type", "SeatStatus"}, {"session_id", session}, {"seat_ids", ids}, {"status", status},
                           {"order_id", nullptr}, {"seq", seq}}
                    .dump();
    return m;
  }
  void apply_seats(const std::vector<bus::Message>& batch) {
    run_on(*io_, [&]() -> asio::awaitable<void> { co_await projector_->apply_seat_statuses(batch); });
  }
  std::string seat(const std::string& session, const std::string& id) {
    return scalar("SELECT status || ':' || seq FROM eq_seat_status WHERE session_id = '" + session +
                  "' AND seat_id = '" + id + "'");
  }
  void apply(const std::vector<bus::Message>& batch) {
    run_on(*io_, [&]() -> asio::awaitable<void> { co_await projector_->apply_orders(batch); });
  }
  std::string scalar(const std::string& sql) {
    return run_on(*io_, [&]() -> asio::awaitable<std::string> {
      auto r = co_await db_->query(sql);
      co_return r.empty() ? std::string("none") : r.scalar<std::string>();
    });
  }
  std::string row(const std::string& id) {
    return scalar("SELECT version || ':' || status || ':' || price_cents FROM eq_orders WHERE id = '" + id + "'");
  }

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<runtime::IoPool> io_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<event_query::Projector> projector_;
};

TEST_F(EventQueryProjectorBatch, NewestVersionOfEachOrderWinsWhateverTheOrderOfArrival) {
  const std::string a = Uuid::random().str(), b = Uuid::random().str();
  apply({order(a, 2, "completed", 12.5), order(b, 1, "completed", 3), order(a, 1, "pending", 12.5)});
  EXPECT_EQ(row(a), "2:completed:1250");
  EXPECT_EQ(row(b), "1:completed:300");
  // A later batch with an older snapshot changes nothing; a newer one replaces the row.
  apply({order(a, 1, "completed", 10), order(b, 3, "completed", 4)});
  EXPECT_EQ(row(a), "2:completed:1250");
  EXPECT_EQ(row(b), "3:completed:400");
}

TEST_F(EventQueryProjectorBatch, OnlyCompletedOrdersAreKept) {
  const std::string pending = Uuid::random().str(), cancelled = Uuid::random().str(), paid = Uuid::random().str();
  apply({order(pending, 1, "pending", 5), order(cancelled, 1, "pending", 5), order(cancelled, 2, "cancelled", 5),
         order(paid, 1, "pending", 7)});
  EXPECT_EQ(scalar("SELECT count(*)::text FROM eq_orders"), "0");
  apply({order(paid, 2, "Completed", 7)});  // the status is read without regard to case
  EXPECT_EQ(row(paid), "2:Completed:700");
  EXPECT_EQ(row(pending), "none");
  EXPECT_EQ(row(cancelled), "none");
}

TEST_F(EventQueryProjectorBatch, AMalformedPayloadFailsTheBatchAndWritesNothing) {
  const std::string a = Uuid::random().str();
  auto bad = order(Uuid::random().str(), 1, "pending", 1);
  bad.payload = R"({"OrderID": "not-a-uuid", "Status": "pending"})";  // malformed even though not kept
  EXPECT_THROW(apply({order(a, 1, "completed", 5), bad}), std::exception);
  EXPECT_EQ(scalar("SELECT count(*)::text FROM eq_orders"), "0");
}

TEST_F(EventQueryProjectorBatch, ABurstOfSeatStatusesIsAppliedInOrderAndANewerSeqWins) {
  const std::string session = Uuid::random().str(), a = Uuid::random().str(), b = Uuid::random().str();
  apply_seats({seats(session, {a, b}, "LOCKED", 5), seats(session, {a}, "BOOKED", 6),
               seats(session, {b}, "AVAILABLE", 4)});  // older than b's LOCKED: ignored
  EXPECT_EQ(seat(session, a), "BOOKED:6");
  EXPECT_EQ(seat(session, b), "LOCKED:5");
  apply_seats({seats(session, {b}, "AVAILABLE", 7)});
  EXPECT_EQ(seat(session, b), "AVAILABLE:7");
}

TEST_F(EventQueryProjectorBatch, AMalformedSeatStatusFailsTheBurstAndWritesNothing) {
  const std::string session = Uuid::random().str(), a = Uuid::random().str();
  EXPECT_THROW(apply_seats({seats(session, {a}, "LOCKED", 1), seats(session, {a}, "SOLD", 2)}), std::exception);
  EXPECT_EQ(scalar("SELECT count(*)::text FROM eq_seat_status"), "0");
}

}  // namespace
}  // namespace ticketly::testing
