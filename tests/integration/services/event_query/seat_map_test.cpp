// Seat maps with live status from ticketly.seats.status, and the seat-status stream.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <thread>

#include "support/bus_test_support.h"
#include "support/event_query_support.h"

namespace ticketly::testing {
namespace {

std::map<std::string, std::string> statuses(const json::Json& map) {
  std::map<std::string, std::string> out;
  for (const auto& block : map["layout"]["blocks"]) {
    if (block.contains("rows")) {
      for (const auto& row : block["rows"]) {
        for (const auto& seat : row["seats"]) out[seat["id"]] = seat["status"];
      }
    }
    if (block.contains("seats")) {
      for (const auto& seat : block["seats"]) out[seat["id"]] = seat["status"];
    }
  }
  return out;
}

class EventQuerySeatMap : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    app_ = TestApp::start({"event-query"}, {},
                          {{"TICKETLY_EVENT_QUERY_SSE_HEARTBEAT", "200ms"}, {"TICKETLY_EVENT_QUERY_SSE_MAX_PER_CLIENT", "3"},
                           {"TICKETLY_EVENT_QUERY_SSE_QUEUE_BYTES", "256KiB"}});
    bus_ = std::make_unique<BusPublisher>(*app_);
  }
  static void TearDownTestSuite() {
    bus_.reset();
    app_.reset();
  }
  std::uint16_t port() const { return app_->port(); }
  std::string map_path(const std::string& session) {
    return "/api/event-query/v1/sessions/" + session + "/seating-map";
  }
  // The raw request that opens a session's seat-status stream.
  static std::string stream_request(const std::string& session) {
    return "GET /api/event-query/v1/sse/sessions/" + session + "/seat-status HTTP/1.1\r\nHost: x\r\n\r\n";
  }
  BuiltSession published_session(SessionSpec spec = {}) {
    EventBuilder b;
    auto s = b.session(spec);
    bus_->event(b.snapshot(1));
    auto r = poll_get(port(), map_path(s.id), [](const HttpResult& res) { return res.status == 200; });
    EXPECT_EQ(r.status, 200) << r.body;
    return s;
  }
  HttpResult wait_seat(const std::string& session, const std::string& seat, const std::string& status) {
    return poll_get(port(), map_path(session), [&](const HttpResult& r) {
      return r.status == 200 && statuses(r.json())[seat] == status;
    });
  }

  // The process's open seat-status streams, from /metrics.
  int subscribers() {
    auto body = http_request(port(), "GET", "/metrics").body;
    auto pos = body.find("\nticketly_event_query_sse_subscribers ");
    if (pos == std::string::npos) return -1;
    return std::stoi(body.substr(pos + std::string("\nticketly_event_query_sse_subscribers ").size()));
  }

  static std::unique_ptr<TestApp> app_;
  static std::unique_ptr<BusPublisher> bus_;
};
std::unique_ptr<TestApp> EventQuerySeatMap::app_;
std::unique_ptr<BusPublisher> EventQuerySeatMap::bus_;

TEST_F(EventQuerySeatMap, ShowsLockedBookedAndReleasedSeats) {
  SessionSpec spec;
  spec.reserved_seats = {"3A"};
  const auto s = published_session(spec);
  auto initial = statuses(http_request(port(), "GET", map_path(s.id)).json());
  EXPECT_EQ(initial[s.seat_ids[0]], "AVAILABLE");
  EXPECT_EQ(initial[s.seat_ids[2]], "RESERVED");
  const std::string order = Uuid::random().str();
  bus_->seats(seat_status_message(s.id, {s.seat_ids[0], s.seat_ids[1]}, "LOCKED", 1, order));
  auto locked = statuses(wait_seat(s.id, s.seat_ids[1], "LOCKED").json());
  EXPECT_EQ(locked[s.seat_ids[0]], "LOCKED");
  EXPECT_EQ(locked[s.seat_ids[3]], "AVAILABLE");
  bus_->seats(seat_status_message(s.id, {s.seat_ids[0]}, "BOOKED", 2, order));
  bus_->seats(seat_status_message(s.id, {s.seat_ids[1]}, "AVAILABLE", 3, order));
  auto after = statuses(wait_seat(s.id, s.seat_ids[1], "AVAILABLE").json());
  EXPECT_EQ(after[s.seat_ids[0]], "BOOKED");
  EXPECT_EQ(after[s.seat_ids[2]], "RESERVED");
  auto plain = http_request(port(), "GET", map_path(s.id));
  auto full = plain.json();
  EXPECT_EQ(full["layout"]["blocks"][1]["rows"][0]["seats"][0]["tier"]["name"], "VIP");
  EXPECT_EQ(plain.header("vary"), "Accept-Encoding");
  EXPECT_EQ(plain.header("content-encoding"), "");
  // Browsers get it gzipped (the same bytes once inflated; checked in the unit tests).
  auto packed = http_request(port(), "GET", map_path(s.id), "", {{"Accept-Encoding", "gzip, deflate"}});
  ASSERT_EQ(packed.status, 200);
  EXPECT_EQ(packed.header("content-encoding"), "gzip");
  EXPECT_EQ(packed.header("content-type"), "application/json");
  ASSERT_GE(packed.body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(packed.body[0]), 0x1f);
  EXPECT_LT(packed.body.size(), plain.body.size());
  // A change drops the compressed copy too.
  bus_->seats(seat_status_message(s.id, {s.seat_ids[3]}, "LOCKED", 4, order));
  wait_seat(s.id, s.seat_ids[3], "LOCKED");
  auto repacked = http_request(port(), "GET", map_path(s.id), "", {{"Accept-Encoding", "gzip"}});
  EXPECT_NE(repacked.body, packed.body);
}

TEST_F(EventQuerySeatMap, OlderSeatUpdatesAreIgnored) {
  const auto s = published_session();
  const auto before = handled_messages(port(), "ticketly.seats.status");
  bus_->seats(seat_status_message(s.id, {s.seat_ids[0]}, "BOOKED", 10));
  bus_->seats(seat_status_message(s.id, {s.seat_ids[0]}, "AVAILABLE", 9));  // older: ignored
  bus_->seats(seat_status_message(s.id, {s.seat_ids[0]}, "BOOKED", 10));    // repeated
  ASSERT_TRUE(wait_handled(port(), "ticketly.seats.status", before + 3));
  auto m = statuses(http_request(port(), "GET", map_path(s.id)).json());
  EXPECT_EQ(m[s.seat_ids[0]], "BOOKED");
}

TEST_F(EventQuerySeatMap, AnUnknownSessionIs404) {
  EXPECT_EQ(http_request(port(), "GET", map_path(Uuid::random().str())).status, 404);
  EXPECT_EQ(http_request(port(), "GET", map_path("nope")).status, 400);
}

// Reads events from a stream until `n` named events arrived; returns them as name → data.
// Heartbeats keep arriving while nothing else does, so the whole read has one deadline.
std::vector<std::pair<std::string, json::Json>> read_events(TestConnection& c, std::size_t n, std::string& buffer) {
  std::vector<std::pair<std::string, json::Json>> out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (out.size() < n) {
    auto end = buffer.find("\n\n");
    if (end == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) {
        std::string names;
        for (const auto& e : out) names += e.first + " ";
        ADD_FAILURE() << "only " << out.size() << " of " << n << " events arrived: " << names;
        return out;
      }
      buffer += c.read_until("\n\n", std::chrono::seconds(10));
      continue;
    }
    std::string frame = buffer.substr(0, end);
    buffer.erase(0, end + 2);
    auto ev = frame.find("event: ");
    auto data = frame.find("data: ");
    if (ev == std::string::npos || data == std::string::npos) continue;  // heartbeat or preamble
    auto ev_end = frame.find('\n', ev);
    out.emplace_back(frame.substr(ev + 7, ev_end - ev - 7), json::Json::parse(frame.substr(data + 6)));
  }
  return out;
}

TEST_F(EventQuerySeatMap, StreamDeliversEveryChangeInOrderWithHeartbeats) {
  const auto s = published_session();
  TestConnection c(port());
  c.send_raw("GET /api/event-query/v1/sse/sessions/" + s.id +
             "/seat-status HTTP/1.1\r\nHost: x\r\nOrigin: http://localhost:3000\r\n\r\n");
  std::string head = c.read_until("\r\n\r\n", std::chrono::seconds(5));
  EXPECT_NE(head.find("200"), std::string::npos);
  EXPECT_NE(head.find("text/event-stream"), std::string::npos);
  EXPECT_NE(head.find("Access-Control-Allow-Origin: http://localhost:3000"), std::string::npos) << head;
  std::string buffer = head.substr(head.find("\r\n\r\n") + 4);
  // Heartbeat: the test app pings every 200 ms.
  buffer += c.read_until(": ping", std::chrono::seconds(3));
  const std::string order = Uuid::random().str();
  bus_->seats(seat_status_message(s.id, {s.seat_ids[0], s.seat_ids[1]}, "LOCKED", 1, order));
  bus_->seats(seat_status_message(s.id, {s.seat_ids[0]}, "BOOKED", 2, order));
  bus_->seats(seat_status_message(s.id, {s.seat_ids[1]}, "AVAILABLE", 3, order));
  buffer.erase(0, buffer.rfind(": ping"));
  // Chunked transfer encoding puts size lines between frames; strip them as we go.
  auto events = read_events(c, 3, buffer);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].first, "LOCKED");
  EXPECT_EQ(events[0].second["status"], "LOCKED");
  EXPECT_EQ(events[0].second["seatIds"], json::Json::array({s.seat_ids[0], s.seat_ids[1]}));
  EXPECT_EQ(events[1].first, "BOOKED");
  EXPECT_EQ(events[1].second["seatIds"], json::Json::array({s.seat_ids[0]}));
  EXPECT_EQ(events[2].first, "AVAILABLE");
  EXPECT_EQ(events[2].second["seatIds"], json::Json::array({s.seat_ids[1]}));
}

// Through real sockets: one subscriber stops reading while changes keep coming. Its
// bounded queue overflows and it gets RESYNC; a subscriber beside it gets every change,
// in order, and the slow one gets live changes again once it reads.
TEST_F(EventQuerySeatMap, ASubscriberThatStopsReadingGetsResyncWhileOthersMissNothing) {
  SessionSpec spec;
  spec.rows = 3;
  spec.seats_per_row = 50;  // each change names 150 seats, one event of ~6 KB
  const auto s = published_session(spec);
  const std::string request = stream_request(s.id);
  TestConnection fast(port());
  TestConnection slow(port(), std::chrono::seconds(10), 4096);
  std::string fast_buffer;
  for (auto* c : {&fast, &slow}) {
    c->send_raw(request);
    auto head = c->read_until("\r\n\r\n", std::chrono::seconds(5));
    EXPECT_NE(head.find(" 200 "), std::string::npos) << head;
    if (c == &fast) fast_buffer = head.substr(head.find("\r\n\r\n") + 4);
  }
  // 160 changes of ~6 KB: far more than the slow client's 256 KiB queue and its stalled
  // socket hold. They go in rounds the fast client reads as they come, so no burst ever
  // fills its queue (a burst larger than the queue would be a RESYNC for anyone).
  constexpr int kChanges = 160;
  constexpr int kRound = 10;
  std::vector<std::pair<std::string, json::Json>> events;
  for (int i = 1; i <= kChanges; ++i) {
    bus_->seats(seat_status_message(s.id, s.seat_ids, i % 2 ? "LOCKED" : "AVAILABLE", i, std::nullopt));
    if (i % kRound == 0) {
      auto round = read_events(fast, kRound, fast_buffer);
      ASSERT_EQ(round.size(), static_cast<std::size_t>(kRound)) << "the round ending with change " << i;
      for (auto& e : round) events.push_back(std::move(e));
    }
  }
  ASSERT_EQ(events.size(), static_cast<std::size_t>(kChanges));
  for (int i = 1; i <= kChanges; ++i) {
    const char* status = i % 2 ? "LOCKED" : "AVAILABLE";
    EXPECT_EQ(events[i - 1].first, status) << "change " << i;
    EXPECT_EQ(events[i - 1].second["seatIds"].size(), s.seat_ids.size()) << "change " << i;
  }
  // The slow client now drains what it was sent: the RESYNC comes before the last change.
  std::string slow_bytes = slow.read_until("event: RESYNC", std::chrono::seconds(10));
  slow_bytes += slow.read_until("event: AVAILABLE", std::chrono::seconds(10));
  EXPECT_NE(slow_bytes.find("\"sessionId\":\"" + s.id + "\""), std::string::npos);
  EXPECT_EQ(subscribers(), 2);  // overflow dropped events, not the subscriber
  bus_->seats(seat_status_message(s.id, {s.seat_ids[0]}, "BOOKED", kChanges + 1, std::nullopt));
  auto live = slow.read_until("event: BOOKED", std::chrono::seconds(10));
  EXPECT_NE(live.find("[\"" + s.seat_ids[0] + "\"]"), std::string::npos);
}

TEST_F(EventQuerySeatMap, StreamsAreCappedPerClientAndFreedOnDisconnect) {
  const auto s = published_session();
  const std::string request = stream_request(s.id);
  std::vector<std::unique_ptr<TestConnection>> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(std::make_unique<TestConnection>(port()));
    open.back()->send_raw(request);
    EXPECT_NE(open.back()->read_until("\r\n\r\n", std::chrono::seconds(5)).find(" 200 "), std::string::npos);
  }
  auto refused = http_request(port(), "GET", "/api/event-query/v1/sse/sessions/" + s.id + "/seat-status");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(subscribers(), 3);
  open.front()->close();  // a client leaves: its stream is dropped once the server notices
  open.erase(open.begin());
  EXPECT_TRUE(wait_until([&] { return subscribers() == 2; }, std::chrono::seconds(5)));
  bool admitted = false;
  for (int i = 0; i < 100 && !admitted; ++i) {
    TestConnection c(port());
    c.send_raw(request);
    admitted = c.read_until("\r\n\r\n", std::chrono::seconds(5)).find(" 200 ") != std::string::npos;
    if (!admitted) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(admitted);
  open.clear();
  EXPECT_TRUE(wait_until([&] { return subscribers() == 0; }, std::chrono::seconds(5))) << subscribers();
}

// Catalog changes reach stream subscribers only where the seating map changed. A status
// change (the sale opening) sends nothing: 10,000 watchers re-fetching a 300 KB map at
// once is what a sale's opening must not cause. A tier's new price changes every map of
// the event; a removed session's and a deleted event's subscribers must learn too.
TEST_F(EventQuerySeatMap, CatalogChangesSendResyncOnlyToSessionsWhoseMapChanged) {
  ASSERT_TRUE(wait_until([&] { return subscribers() == 0; }, std::chrono::seconds(5)));  // 3 streams per client
  EventBuilder event, other_event;
  const BuiltSession a = event.session(), b = event.session(), other = other_event.session();
  bus_->event(event.snapshot(1));
  bus_->event(other_event.snapshot(1));
  for (const auto* s : {&a, &b, &other}) {
    ASSERT_EQ(poll_get(port(), map_path(s->id), [](const HttpResult& r) { return r.status == 200; }).status, 200);
  }
  struct Stream {
    std::unique_ptr<TestConnection> connection;
    std::string buffer;
    std::string next(std::size_t n = 1) {  // the next named event (heartbeats skipped)
      auto events = read_events(*connection, n, buffer);
      return events.size() == n ? events.back().first : "(none)";
    }
  };
  auto open = [&](const BuiltSession& s) {
    Stream out{std::make_unique<TestConnection>(port()), ""};
    out.connection->send_raw(stream_request(s.id));
    std::string head = out.connection->read_until("\r\n\r\n", std::chrono::seconds(5));
    EXPECT_NE(head.find(" 200 "), std::string::npos) << head;
    out.buffer = head.substr(head.find("\r\n\r\n") + 4);
    return out;
  };
  Stream to_a = open(a), to_b = open(b), to_other = open(other);
  auto applied = [&](std::int64_t before, std::int64_t n) {
    ASSERT_TRUE(wait_handled(port(), "ticketly.catalog.events", before + n));
  };
  std::int64_t seq = 0;
  std::map<std::string, std::size_t> changed;  // a new seat each time: an unchanged status is not news
  auto seat_change = [&](const BuiltSession& s) {
    const std::string& seat = s.seat_ids.at(changed[s.id]++);
    bus_->seats(seat_status_message(s.id, {seat}, "LOCKED", ++seq, Uuid::random().str()));
  };

  // Statuses and dates: no RESYNC; the next thing each stream sees is a seat change.
  auto before = handled_messages(port(), "ticketly.catalog.events");
  event.event()["sessions"][0]["status"] = "SOLD_OUT";
  event.event()["sessions"][1]["salesStartTime"] = "2026-01-01T00:00:00Z";
  bus_->event(event.snapshot(2));
  applied(before, 1);
  seat_change(a);
  seat_change(b);
  EXPECT_EQ(to_a.next(), "LOCKED");
  EXPECT_EQ(to_b.next(), "LOCKED");

  // A tier's price: both sessions of the event, not the other event's.
  before = handled_messages(port(), "ticketly.catalog.events");
  event.event()["tiers"][0]["price"] = 1.0;
  bus_->event(event.snapshot(3));
  applied(before, 1);
  seat_change(other);
  EXPECT_EQ(to_a.next(), "RESYNC");
  EXPECT_EQ(to_b.next(), "RESYNC");
  EXPECT_EQ(to_other.next(), "LOCKED");

  // A session removed: its subscribers only (its map is gone now: 404).
  before = handled_messages(port(), "ticketly.catalog.events");
  event.event()["sessions"].erase(1);
  bus_->event(event.snapshot(4));
  applied(before, 1);
  EXPECT_EQ(to_b.next(), "RESYNC");
  EXPECT_EQ(http_request(port(), "GET", map_path(b.id)).status, 404);
  seat_change(a);
  EXPECT_EQ(to_a.next(), "LOCKED");

  // The event deleted.
  bus_->event(event.deleted(5));
  EXPECT_EQ(to_a.next(), "RESYNC");
}

TEST_F(EventQuerySeatMap, StreamForUnknownSessionIs404) {
  auto r = http_request(port(), "GET", "/api/event-query/v1/sse/sessions/" + Uuid::random().str() + "/seat-status");
  EXPECT_EQ(r.status, 404);
}

}  // namespace
}  // namespace ticketly::testing
