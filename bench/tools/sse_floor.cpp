// The floor under bench_sse_fanout's figures: the least work any server on this machine
// must do to put one event on N event streams. No routing, no JSON, no bus, no queue:
// each of T threads owns an epoll loop and the streams it accepted, and on a trigger it
// writes one chunk to each of them with a single non-blocking send(). Whatever latency
// the same client measures here is the cost of the sockets themselves (TCP over loopback,
// both ends on the same cores), which no server design can go below.
//
//   bench_sse_floor <port> [threads]
//
// Any request is a subscriber (200, text/event-stream, chunked), except
// `GET /fire/<seat id>`: that one is answered 204 and every thread then sends
//   event: LOCKED / data: {"seatIds":["<seat id>"],"status":"LOCKED"}
// to each of its streams, the frame event-query sends for a seat change. The client is
// bench_sse_fanout with `trigger` in place of the bus URL (bench/event_query/run.sh).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

constexpr std::string_view kStreamHead =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
    "Transfer-Encoding: chunked\r\n\r\n";
constexpr std::string_view kFired = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";

std::string chunk_of(const std::string& seat) {
  const std::string event = "event: LOCKED\ndata: {\"seatIds\":[\"" + seat + "\"],\"status\":\"LOCKED\"}\n\n";
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", event.size());
  return size + event + "\r\n";
}

class Loop;

// What every loop sees: the loops, to wake them all on a trigger.
struct Shared {
  std::vector<std::unique_ptr<Loop>> loops;
};

class Loop {
 public:
  Loop(int listener, Shared& shared) : listener_(::dup(listener)), shared_(shared) {
    epoll_ = ::epoll_create1(0);
    wake_ = ::eventfd(0, EFD_NONBLOCK);
    if (listener_ < 0 || epoll_ < 0 || wake_ < 0) throw std::runtime_error("epoll/eventfd/dup failed");
    watch(listener_);
    watch(wake_);
  }

  // From any thread: the next round's chunk, then a wake-up.
  void fire(const std::string& chunk) {
    {
      std::lock_guard lock(mu_);
      pending_.push_back(chunk);
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_, &one, sizeof one);
  }

  void run() {
    std::array<epoll_event, 512> events{};
    std::array<char, 4096> buffer{};
    for (;;) {
      const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), -1);
      for (int i = 0; i < n; ++i) {
        const int fd = events[static_cast<std::size_t>(i)].data.fd;
        if (fd == listener_) {
          accept_all();
        } else if (fd == wake_) {
          broadcast();
        } else {
          read_request(fd, buffer);
        }
      }
    }
  }

 private:
  void watch(int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
  }

  void accept_all() {
    for (;;) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK);
      if (fd < 0) return;
      const int on = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      heads_[fd];
      watch(fd);
    }
  }

  // Reads a request head; then the socket is a stream (kept, no longer read) or a trigger.
  void read_request(int fd, std::array<char, 4096>& buffer) {
    const auto got = ::recv(fd, buffer.data(), buffer.size(), 0);
    auto it = heads_.find(fd);
    if (got <= 0 || it == heads_.end()) {
      if (got < 0 && errno == EAGAIN) return;
      forget(fd);
      return;
    }
    std::string& head = it->second;
    head.append(buffer.data(), static_cast<std::size_t>(got));
    if (head.find("\r\n\r\n") == std::string::npos) return;
    constexpr std::string_view kFire = "GET /fire/";
    if (head.rfind(kFire, 0) == 0) {
      const auto end = head.find(' ', kFire.size());
      const std::string chunk = chunk_of(head.substr(kFire.size(), end - kFire.size()));
      for (auto& loop : shared_.loops) loop->fire(chunk);
      ::send(fd, kFired.data(), kFired.size(), MSG_NOSIGNAL);
      forget(fd);
      return;
    }
    heads_.erase(it);
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
    ::send(fd, kStreamHead.data(), kStreamHead.size(), MSG_NOSIGNAL);
    streams_.push_back(fd);
  }

  void forget(int fd) {
    heads_.erase(fd);
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
  }

  void broadcast() {
    std::uint64_t count = 0;
    [[maybe_unused]] auto r = ::read(wake_, &count, sizeof count);
    std::vector<std::string> chunks;
    {
      std::lock_guard lock(mu_);
      chunks.swap(pending_);
    }
    for (const auto& chunk : chunks) {
      for (const int fd : streams_) ::send(fd, chunk.data(), chunk.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    }
  }

  int listener_;
  Shared& shared_;
  int epoll_ = -1;
  int wake_ = -1;
  std::unordered_map<int, std::string> heads_;  // connections whose request head is incomplete
  std::vector<int> streams_;
  std::mutex mu_;
  std::vector<std::string> pending_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <port> [threads]\n", argv[0]);
    return 2;
  }
  const int port = std::stoi(argv[1]);
  const unsigned threads = argc > 2 ? static_cast<unsigned>(std::stoi(argv[2])) : std::thread::hardware_concurrency();

  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  const int on = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 4096) != 0) {
    std::perror("bind/listen");
    return 1;
  }
  Shared shared;
  for (unsigned i = 0; i < threads; ++i) shared.loops.push_back(std::make_unique<Loop>(listener, shared));
  std::vector<std::thread> running;
  for (auto& loop : shared.loops) running.emplace_back([&loop] { loop->run(); });
  std::fprintf(stderr, "sse_floor: port %d, %u threads\n", port, threads);
  for (auto& t : running) t.join();
}
