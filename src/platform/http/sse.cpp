#include "platform/http/sse.h"

#include <algorithm>

#include <boost/asio/post.hpp>

namespace ticketly::http {

std::string SseEvent::serialize() const {
  std::string out;
  out.reserve(event.size() + data.size() + 32);
  if (!id.empty()) out.append("id: ").append(id).push_back('\n');
  if (!event.empty()) out.append("event: ").append(event).push_back('\n');
  std::string_view rest = data;
  // Every line of the payload needs its own `data:` prefix; CR and CRLF count as
  // line breaks too, so a payload can never inject its own fields.
  do {
    auto nl = rest.find_first_of("\r\n");
    out.append("data: ").append(rest.substr(0, nl)).push_back('\n');
    if (nl == std::string_view::npos) break;
    if (rest[nl] == '\r' && nl + 1 < rest.size() && rest[nl + 1] == '\n') ++nl;
    rest.remove_prefix(nl + 1);
  } while (true);
  out.push_back('\n');
  return out;
}

SseStream::SseStream(SseOptions options) : options_(std::move(options)) {}

bool SseStream::push(const SseEvent& event) { return push_raw(event.serialize()); }

bool SseStream::push_raw(std::string serialized) {
  std::unique_lock lock(mutex_);
  if (closed_) return false;
  enqueue(lock, std::move(serialized));
  return true;
}

void SseStream::enqueue(std::unique_lock<std::mutex>& lock, std::string serialized) {
  if (queued_bytes_ + serialized.size() > options_.max_queued_bytes) {
    // The client is too slow: drop what it has not read and tell it to resync.
    queue_.clear();
    queued_bytes_ = 0;
    overflowed_ = true;
  } else {
    queued_bytes_ += serialized.size();
    queue_.push_back(std::move(serialized));
  }
  notify(lock);
}

std::optional<boost::asio::any_io_executor> SseStream::owner() const {
  std::lock_guard lock(mutex_);
  return owner_;
}

bool SseStream::deliver_here(std::string_view bytes) {
  std::unique_lock lock(mutex_);
  if (closed_) return false;
  if (idle_ && direct_ && queue_.empty() && !overflowed_) {
    switch (direct_(bytes)) {
      case DirectWrite::Sent:
        return true;
      case DirectWrite::Partial:
        idle_ = false;  // the connection writes the rest; later events queue behind it
        return true;
      case DirectWrite::NotSent:
        break;  // e.g. the socket's buffer is full: the connection writes it when it can
    }
  }
  enqueue(lock, std::string(bytes));
  return true;
}

void SseStream::attach(boost::asio::any_io_executor owner, DirectWriter writer) {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  owner_ = std::move(owner);
  direct_ = std::move(writer);
}

bool SseStream::enter_idle() {
  std::lock_guard lock(mutex_);
  idle_ = queue_.empty() && !overflowed_ && !closed_;
  return idle_;
}

void SseStream::leave_idle() {
  std::lock_guard lock(mutex_);
  idle_ = false;
}

void SseStream::close() {
  std::unique_lock lock(mutex_);
  if (closed_) return;
  closed_ = true;
  notify(lock);
}

bool SseStream::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

void SseStream::on_close(std::function<void()> callback) {
  std::unique_lock lock(mutex_);
  if (finished_) {
    lock.unlock();
    callback();
    return;
  }
  on_close_ = std::move(callback);
}

SseStream::Batch SseStream::take() {
  std::lock_guard lock(mutex_);
  Batch b;
  if (overflowed_) {
    b.bytes = options_.overflow_event.serialize();
    overflowed_ = false;
  }
  b.bytes.reserve(b.bytes.size() + queued_bytes_);
  for (auto& s : queue_) b.bytes += s;
  queue_.clear();
  queued_bytes_ = 0;
  b.closed = closed_;
  return b;
}

void SseStream::set_waker(std::function<void()> wake) {
  std::lock_guard lock(mutex_);
  waker_ = std::move(wake);
}

void SseStream::finish() {
  std::function<void()> callback;
  {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    finished_ = true;
    closed_ = true;
    queue_.clear();
    queued_bytes_ = 0;
    waker_ = nullptr;
    direct_ = nullptr;  // it writes to the connection's socket, which is closing
    owner_.reset();
    idle_ = false;
    callback = std::move(on_close_);
  }
  if (callback) callback();
}

void SseStream::notify(std::unique_lock<std::mutex>& lock) {
  auto wake = waker_;
  lock.unlock();
  if (wake) wake();
}

void fan_out(std::vector<std::shared_ptr<SseStream>> streams, std::string serialized) {
  // One task per worker (a handful), not one wake-up per stream (thousands).
  struct Group {
    boost::asio::any_io_executor owner;
    std::vector<std::shared_ptr<SseStream>> streams;
  };
  std::vector<Group> groups;
  auto bytes = std::make_shared<const std::string>(std::move(serialized));
  for (auto& stream : streams) {
    auto owner = stream->owner();
    if (!owner) {
      stream->push_raw(*bytes);
      continue;
    }
    auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.owner == *owner; });
    if (it == groups.end()) it = groups.insert(groups.end(), Group{std::move(*owner), {}});
    it->streams.push_back(std::move(stream));
  }
  for (auto& group : groups) {
    boost::asio::post(group.owner, [streams = std::move(group.streams), bytes] {
      for (const auto& s : streams) s->deliver_here(*bytes);
    });
  }
}

}  // namespace ticketly::http
