// SSE fan-out latency (bench/event_query/run.sh): N subscribers on one session's
// seat-status stream; each round appends one SeatStatus message to the bus log, as the
// order service would, and measures per subscriber the time from that append to the
// event's arrival. The whole path is measured: bus -> projector (commit + NOTIFY) ->
// change listener -> SeatHub -> sockets.
//
//   bench_sse_fanout <port> <session id> <subscribers> <bus db url> <seat id>...   (one round per seat)
//   bench_sse_fanout <port> <session id> <subscribers> trigger <seat id>...
//
// With `trigger` instead of a bus URL a round is `GET /fire/<seat id>` on the same port:
// that is bench_sse_floor (sse_floor.cpp), the bare-socket floor under these figures.
//
// Why C++: the Python client this replaces read 10,000 sockets in one interpreter, and its
// own reading was most of what it measured (p50 ~200 ms). Here Asio connects the streams
// and reads their heads; then one thread reads all of them with a plain epoll loop (a
// recv per ready socket, no handler per read) and records arrivals in batches. The client
// still shares the machine's two cores with the server, so what it costs still counts.
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cerrno>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Arrival times per round (one seat per round), appended by the reading thread in batches.
struct Arrivals {
  explicit Arrivals(const std::vector<std::string>& seats) : seats(seats), by_round(seats.size()) {}
  const std::vector<std::string>& seats;
  std::mutex mu;
  std::vector<std::vector<Clock::time_point>> by_round;
  void add(const std::vector<std::pair<std::size_t, Clock::time_point>>& batch) {
    std::lock_guard lock(mu);
    for (const auto& [round, at] : batch) by_round[round].push_back(at);
  }
  std::size_t count(std::size_t round) {
    std::lock_guard lock(mu);
    return by_round[round].size();
  }
  std::vector<Clock::time_point> of(std::size_t round) {
    std::lock_guard lock(mu);
    return by_round[round];
  }
  // The round whose seat id starts at `id` (36 characters), if any.
  std::optional<std::size_t> round_of(std::string_view id) const {
    for (std::size_t r = 0; r < seats.size(); ++r) {
      if (seats[r] == id) return r;
    }
    return std::nullopt;
  }
};

// Streams whose head was read, handed from the connecting (Asio) thread to the reader.
struct Handoff {
  std::mutex mu;
  std::vector<std::pair<int, std::string>> ready;  // descriptor, bytes read after the head
};

// One thread reads every stream: epoll, one recv per ready socket, frames scanned in place.
class Reader {
 public:
  Reader(Arrivals& arrivals, Handoff& handoff) : arrivals_(arrivals), handoff_(handoff), epoll_(::epoll_create1(0)) {
    if (epoll_ < 0) throw std::runtime_error("epoll_create1 failed");
  }
  ~Reader() {
    for (auto& [fd, _] : buffers_) ::close(fd);
    ::close(epoll_);
  }
  void run(const std::atomic<bool>& stop) {
    std::array<epoll_event, 1024> events{};
    std::array<char, 65536> chunk{};
    std::vector<std::pair<std::size_t, Clock::time_point>> batch;
    while (!stop.load()) {
      adopt();
      const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 20);
      const auto now = Clock::now();
      for (int i = 0; i < n; ++i) {
        const int fd = events[static_cast<std::size_t>(i)].data.fd;
        const auto got = ::recv(fd, chunk.data(), chunk.size(), 0);
        if (got <= 0) {
          if (got < 0 && errno == EAGAIN) continue;
          ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);  // closed: the run is over for it
          continue;
        }
        auto& buffer = buffers_[fd];
        buffer.append(chunk.data(), static_cast<std::size_t>(got));
        scan(buffer, now, batch);
      }
      if (!batch.empty()) {
        arrivals_.add(batch);
        batch.clear();
      }
    }
  }

 private:
  void adopt() {
    std::vector<std::pair<int, std::string>> fresh;
    {
      std::lock_guard lock(handoff_.mu);
      fresh.swap(handoff_.ready);
    }
    std::vector<std::pair<std::size_t, Clock::time_point>> batch;
    for (auto& [fd, start] : fresh) {
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
      auto& buffer = buffers_[fd];
      buffer = std::move(start);
      scan(buffer, Clock::now(), batch);
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.fd = fd;
      ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
    }
    if (!batch.empty()) arrivals_.add(batch);
  }

  // Complete frames ("\n\n"-terminated) of the buffer: the round of the first seat id of each.
  void scan(std::string& buffer, Clock::time_point now, std::vector<std::pair<std::size_t, Clock::time_point>>& batch) {
    static constexpr std::string_view kMarker = "\"seatIds\":[\"";
    std::size_t done = 0;
    for (;;) {
      const auto end = buffer.find("\n\n", done);
      if (end == std::string::npos) break;
      const auto at = buffer.find(kMarker, done);
      if (at != std::string::npos && at < end && at + kMarker.size() + 36 <= end) {
        if (auto round = arrivals_.round_of(std::string_view(buffer).substr(at + kMarker.size(), 36))) {
          batch.emplace_back(*round, now);
        }
      }
      done = end + 2;
    }
    buffer.erase(0, done);
  }

  Arrivals& arrivals_;
  Handoff& handoff_;
  int epoll_;
  std::unordered_map<int, std::string> buffers_;
};

class Subscriber : public std::enable_shared_from_this<Subscriber> {
 public:
  Subscriber(asio::io_context& io, tcp::endpoint server, std::string request, Handoff& handoff,
             std::atomic<int>& ready, std::atomic<int>& refused, std::atomic<int>& failed)
      : socket_(io), retry_(io), server_(server), request_(std::move(request)), handoff_(handoff), ready_(ready),
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
    // What came after the head is the start of the stream; the reader takes it from here.
    std::string start(asio::buffers_begin(head_.data()), asio::buffers_end(head_.data()));
    head_.consume(head_.size());
    const int fd = socket_.release();
    {
      std::lock_guard lock(handoff_.mu);
      handoff_.ready.emplace_back(fd, std::move(start));
    }
    ++ready_;
  }

  tcp::socket socket_;
  asio::steady_timer retry_;
  tcp::endpoint server_;
  std::string request_;
  Handoff& handoff_;
  std::atomic<int>& ready_;
  std::atomic<int>& refused_;
  std::atomic<int>& failed_;
  asio::streambuf head_;
  int attempts_ = 0;
};

void exec(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(r);
  std::string error = PQresultErrorMessage(r);
  PQclear(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw std::runtime_error("bus database: " + error);
}

// One round of the floor server: GET /fire/<seat>, answered once every stream was handed
// its event. The time starts before the request is sent, as the bus append's does.
void fire(unsigned short port, const std::string& seat) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("trigger: cannot connect");
  }
  const std::string request = "GET /fire/" + seat + " HTTP/1.1\r\nHost: bench\r\n\r\n";
  const bool sent = ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size());
  ::close(fd);
  if (!sent) throw std::runtime_error("trigger: send failed");
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
  Arrivals arrivals(seats);
  Handoff handoff;
  std::atomic<int> ready{0}, refused{0}, failed{0};
  std::vector<std::shared_ptr<Subscriber>> subscribers;
  for (int i = 0; i < n; ++i) {
    subscribers.push_back(std::make_shared<Subscriber>(io, server, request, handoff, ready, refused, failed));
  }
  auto guard = asio::make_work_guard(io);
  std::thread connector([&io] { io.run(); });
  std::atomic<bool> stop{false};
  Reader reader_loop(arrivals, handoff);
  std::thread reader([&] { reader_loop.run(stop); });
  auto finish = [&] {
    guard.reset();
    io.stop();
    connector.join();
    stop = true;
    reader.join();
  };
  // Connect in waves so the server's accept queue keeps up.
  for (int i = 0; i < n; i += 500) {
    for (int k = i; k < std::min(n, i + 500); ++k) asio::post(io, [s = subscribers[k]] { s->start(); });
    while (ready + failed < std::min(n, i + 500)) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::fprintf(stderr, "%d subscribers connected (%d refusals retried)\n", ready.load(), refused.load());
  if (failed > 0) {
    std::fprintf(stderr, "%d subscribers were refused 20 times\n", failed.load());
    finish();
    return 1;
  }

  const bool trigger = bus_url == "trigger";
  PGconn* conn = trigger ? nullptr : PQconnectdb(bus_url.c_str());
  if (!trigger && PQstatus(conn) != CONNECTION_OK) {
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
    if (trigger) {
      fire(port, seat);
    } else {
      exec(conn, sql);
    }
    const auto deadline = t0 + std::chrono::seconds(15);
    while (Clock::now() < deadline && static_cast<int>(arrivals.count(r)) < n) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    const auto got = arrivals.of(r);
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
  if (conn != nullptr) PQfinish(conn);
  finish();
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
