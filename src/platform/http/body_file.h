#pragma once
// BodyFile: an immutable copy of a large shared response body in an anonymous in-memory
// file (memfd), so the server can hand it to the kernel with sendfile() instead of copying
// it into the socket on every request.
//
// Why: a cached 10,000-seat map is 1.8 MB (303 KB gzipped) and is sent thousands of times
// a second during an on-sale rush. Written from user memory, every response is copied
// into the socket buffer; sendfile() from the memfd's pages hands the kernel references
// to them instead (what nginx does for static files; docs/BENCHMARKS.md, "the floors").
// The file is sealed against writes and resizes, so pages still queued on a socket can
// never change under it; a new version of the body is a new file.
#include <cstddef>
#include <memory>
#include <string_view>

namespace ticketly::http {

class BodyFile {
 public:
  // Bodies below this size are written from memory: for them a copy costs less than the
  // extra system call.
  static constexpr std::size_t kMinimumSize = std::size_t{64} << 10;

  // A sealed memfd holding `bytes`, or nullptr when the kernel refuses one (the caller
  // then keeps sending from memory; nothing else changes).
  static std::shared_ptr<const BodyFile> create(std::string_view bytes);
  // create() when `bytes` is at least kMinimumSize, else nullptr.
  static std::shared_ptr<const BodyFile> for_body(std::string_view bytes);

  struct Key {  // only create() can make one (make_shared needs a public constructor)
   private:
    friend class BodyFile;
    Key() = default;
  };
  BodyFile(Key, int fd, std::size_t size) : fd_(fd), size_(size) {}
  ~BodyFile();
  BodyFile(const BodyFile&) = delete;
  BodyFile& operator=(const BodyFile&) = delete;

  int fd() const { return fd_; }
  std::size_t size() const { return size_; }

 private:
  int fd_;
  std::size_t size_;
};

}  // namespace ticketly::http
