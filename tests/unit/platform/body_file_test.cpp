// BodyFile: the sealed in-memory copy of a large shared body (http/body_file.h).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "platform/http/body_file.h"
#include "platform/http/response.h"

namespace ticketly::http {
namespace {

std::string read_back(const BodyFile& file) {
  std::string out(file.size(), '\0');
  EXPECT_EQ(::pread(file.fd(), out.data(), out.size(), 0), static_cast<ssize_t>(out.size()));
  return out;
}

TEST(BodyFile, HoldsTheBytesItWasMadeOf) {
  const std::string bytes = std::string("{\"a\":\"\0\xff\",\"b\":[1,2,3]}", 22) + std::string(100000, 'x');
  auto file = BodyFile::create(bytes);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->size(), bytes.size());
  EXPECT_EQ(read_back(*file), bytes);
}

TEST(BodyFile, IsSealedAgainstWritesAndResizes) {
  auto file = BodyFile::create("immutable");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(::pwrite(file->fd(), "X", 1, 0), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_NE(::ftruncate(file->fd(), 3), 0);
  EXPECT_NE(::ftruncate(file->fd(), 100), 0);
  EXPECT_EQ(read_back(*file), "immutable");
}

TEST(BodyFile, OnlyLargeBodiesGetOne) {
  EXPECT_EQ(BodyFile::for_body(std::string(BodyFile::kMinimumSize - 1, 'x')), nullptr);
  auto file = BodyFile::for_body(std::string(BodyFile::kMinimumSize, 'x'));
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->size(), BodyFile::kMinimumSize);
}

TEST(BodyFile, ClosesItsDescriptorWithTheLastReference) {
  int fd = -1;
  {
    auto file = BodyFile::create("x");
    ASSERT_NE(file, nullptr);
    fd = file->fd();
    EXPECT_NE(::fcntl(fd, F_GETFD), -1);
  }
  EXPECT_EQ(::fcntl(fd, F_GETFD), -1);
}

TEST(BodyFile, AResponseTakesOnlyAFileOfItsBodysSize) {
  const auto body = std::make_shared<const std::string>("12345");
  auto matching = Response::json_shared(200, body, BodyFile::create("12345"));
  EXPECT_NE(matching.body_file, nullptr);
  // Another body's file would send other bytes under this body's Content-Length.
  auto other = Response::json_shared(200, body, BodyFile::create("123456"));
  EXPECT_EQ(other.body_file, nullptr);
  EXPECT_EQ(other.body(), "12345");
}

}  // namespace
}  // namespace ticketly::http
