// SSE fan-out latency (bench/event_query/run.sh): N subscribers on one session's
// seat-status stream; each round appends one SeatStatus message to the bus log, as the
// order service would, and measures per subscriber the time from that append to the
// event's arrival. The whole path is measured: bus -> projector (commit + NOTIFY) ->
// change listener -> SeatHub -> sockets.
//
//   bench_sse_fanout <port> <session id> <subscribers> <bus db url> <seat id>...   (one round per seat)
//
// Why C++: the Python client this replaces read 10,000 sockets in one interpreter, and its
// own reading was most of what it measured (p50 ~200 ms). Here one epoll thread reads
// them; it still shares the machine's two cores with the server.
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Arrival times per seat id, filled by the reading thread.
struct Arrivals {
  std::mutex mu;
  std::map<std::string, std::vector<Clock::time_point>> by_seat;
  void add(std::string seat, Clock::time_point at) {
    std::lock_guard lock(mu);
    by_seat[std::move(seat)].push_back(at);
  }
  std::vector<Clock::time_point> of(const std::string& seat) {
    std::lock_guard lock(mu);
    auto it = by_seat.find(seat);
    return it == by_seat.end() ? std::vector<Clock::time_point>{} : it->second;
  }
};

class Subscriber : public std::enable_shared_from_this<Subscriber> {
 public:
  Subscriber(asio::io_context& io, tcp::endpoint server, std::string request, Arrivals& arrivals,
             std::atomic<int>& ready, std::atomic<int>& refused, std::atomic<int>& failed)
      : socket_(io), retry_(io), server_(server), request_(std::move(request)), arrivals_(arrivals), ready_(ready),
        refused_(refused), failed_(failed) {}

  void start() { connect(); }

 private:
  void connect() {
    auto self = shared_from_this();
    socket_ = tcp::socket(retry_.get_executor());
    socket_.async_connect(server_, [self](boost::system::error_code ec) {
      if (ec) return self->retry_later();
      asio::async_write(self->socket_, asio::buffer(self->request_), [self](boost::system::error_code ec, std::size_t) {
        if (ec) return self->retry_later();
        asio::async_read_until(self->socket_, self->head_, "\r\n\r\n",
                               [self](boost::system::error_code ec, std::size_t n) { self->on_head(ec, n); });
      });
    });
  }

  // A real client honours Retry-After on 503/429: up to 20 tries, 0.5 s apart.
  void retry_later() {
    if (++attempts_ >= 20) {
      ++failed_;  // gives up; main() reports it
      return;
    }
    ++refused_;
    boost::system::error_code ignored;
    socket_.close(ignored);
    head_.consume(head_.size());
    auto self = shared_from_this();
    retry_.expires_after(std::chrono::milliseconds(500));
    retry_.async_wait([self](boost::system::error_code) { self->connect(); });
  }

  void on_head(boost::system::error_code ec, std::size_t n) {
    if (ec) return retry_later();
    std::string head(asio::buffers_begin(head_.data()), asio::buffers_begin(head_.data()) + static_cast<long>(n));
    head_.consume(n);
    if (head.find(" 200 ") == std::string::npos || head.find(" 200 ") > head.find("\r\n")) return retry_later();
    // What came after the head is the start of the stream.
    buffer_.assign(asio::buffers_begin(head_.data()), asio::buffers_end(head_.data()));
    head_.consume(head_.size());
    ++ready_;
    scan(Clock::now());
    read();
  }

  void read() {
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(chunk_), [self](boost::system::error_code ec, std::size_t n) {
      if (ec) return;  // closed: the run is over
      const auto now = Clock::now();
      self->buffer_.append(self->chunk_.data(), n);
      self->scan(now);
      self->read();
    });
  }

  // Complete frames ("\n\n"-terminated) of the buffer: record the first seat id of each.
  void scan(Clock::time_point now) {
    static constexpr std::string_view kMarker = "\"seatIds\":[\"";
    std::size_t done = 0;
    for (;;) {
      const auto end = buffer_.find("\n\n", done);
      if (end == std::string::npos) break;
      const auto at = buffer_.find(kMarker, done);
      if (at != std::string::npos && at < end && at + kMarker.size() + 36 <= end) {
        arrivals_.add(buffer_.substr(at + kMarker.size(), 36), now);
      }
      done = end + 2;
    }
    buffer_.erase(0, done);
  }

  tcp::socket socket_;
  asio::steady_timer retry_;
  tcp::endpoint server_;
  std::string request_;
  Arrivals& arrivals_;
  std::atomic<int>& ready_;
  std::atomic<int>& refused_;
  std::atomic<int>& failed_;
  asio::streambuf head_;
  std::string buffer_;
  std::array<char, 16384> chunk_{};
  int attempts_ = 0;
};

void exec(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(r);
  std::string error = PQresultErrorMessage(r);
  PQclear(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw std::runtime_error("bus database: " + error);
}

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s <port> <session id> <subscribers> <bus db url> <seat id>...\n", argv[0]);
    return 2;
  }
  const auto port = static_cast<unsigned short>(std::stoi(argv[1]));
  const std::string session = argv[2];
  const int n = std::stoi(argv[3]);
  const std::string bus_url = argv[4];
  std::vector<std::string> seats(argv + 5, argv + argc);

  asio::io_context io;
  const tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port);
  const std::string request = "GET /api/event-query/v1/sse/sessions/" + session +
                              "/seat-status HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n";
  Arrivals arrivals;
  std::atomic<int> ready{0}, refused{0}, failed{0};
  std::vector<std::shared_ptr<Subscriber>> subscribers;
  for (int i = 0; i < n; ++i) {
    subscribers.push_back(std::make_shared<Subscriber>(io, server, request, arrivals, ready, refused, failed));
  }
  auto guard = asio::make_work_guard(io);
  std::thread reader([&io] { io.run(); });
  // Connect in waves so the server's accept queue keeps up.
  for (int i = 0; i < n; i += 500) {
    for (int k = i; k < std::min(n, i + 500); ++k) asio::post(io, [s = subscribers[k]] { s->start(); });
    while (ready + failed < std::min(n, i + 500)) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::fprintf(stderr, "%d subscribers connected (%d refusals retried)\n", ready.load(), refused.load());
  if (failed > 0) {
    std::fprintf(stderr, "%d subscribers were refused 20 times\n", failed.load());
    guard.reset();
    io.stop();
    reader.join();
    return 1;
  }

  PGconn* conn = PQconnectdb(bus_url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::fprintf(stderr, "bus database: %s", PQerrorMessage(conn));
    return 1;
  }
  std::vector<double> latencies;
  for (std::size_t r = 0; r < seats.size(); ++r) {
    const std::string& seat = seats[r];
    const std::string payload = R"({"type":"SeatStatus","session_id":")" + session + R"(","seat_ids":[")" + seat +
                                R"("],"status":"LOCKED","order_id":null,"seq":)" + std::to_string(1000 + r) +
                                R"(,"occurredAt":"2026-11-27T00:00:00Z"})";
    // As bus_append does for one message: the next offset of partition 0, then the row.
    const std::string sql =
        "WITH p AS (UPDATE bus_partitions SET next_offset = next_offset + 1 WHERE topic = 'ticketly.seats.status' "
        "AND partition = 0 RETURNING next_offset - 1 AS o) INSERT INTO bus_messages (topic, partition, \"offset\", "
        "key, payload, headers) SELECT 'ticketly.seats.status', 0, o, '" + session + "', '" + payload +
        "', '{\"type\":\"SeatStatus\"}' FROM p; NOTIFY ticketly_bus, 'ticketly.seats.status'";
    const auto t0 = Clock::now();
    exec(conn, sql);
    const auto deadline = t0 + std::chrono::seconds(15);
    std::vector<Clock::time_point> got;
    while (Clock::now() < deadline) {
      got = arrivals.of(seat);
      if (static_cast<int>(got.size()) >= n) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    for (auto t : got) latencies.push_back(ms(t - t0));
    if (got.empty()) {
      std::fprintf(stderr, "round %zu: 0/%d delivered\n", r, n);
    } else {
      std::fprintf(stderr, "round %zu: %zu/%d delivered, first after %.1f ms, last after %.1f ms\n", r, got.size(), n,
                   ms(*std::min_element(got.begin(), got.end()) - t0),
                   ms(*std::max_element(got.begin(), got.end()) - t0));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  PQfinish(conn);
  guard.reset();
  io.stop();
  reader.join();
  if (latencies.empty()) {
    std::printf("sse_fanout subscribers=%d rounds=%zu deliveries=0\n", n, seats.size());
    return 1;
  }
  std::sort(latencies.begin(), latencies.end());
  auto q = [&](double p) { return latencies[std::min(latencies.size() - 1, static_cast<std::size_t>(p * latencies.size()))]; };
  double sum = 0;
  for (double l : latencies) sum += l;
  std::printf("sse_fanout subscribers=%d rounds=%zu deliveries=%zu p50=%.1fms p99=%.1fms max=%.1fms mean=%.1fms\n", n,
              seats.size(), latencies.size(), q(0.50), q(0.99), latencies.back(), sum / static_cast<double>(latencies.size()));
  return latencies.size() == static_cast<std::size_t>(n) * seats.size() ? 0 : 1;
}
