// Image handling of the event-command service: type by magic bytes, upload checks, keys,
// local storage, and AWS Signature V4 against AWS's published example.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <filesystem>

#include "platform/errors.h"
#include "platform/types/uuid.h"
#include "services/event_command/images/image_type.h"
#include "services/event_command/images/local_storage.h"
#include "services/event_command/images/sigv4.h"

namespace ticketly::event_command {
namespace {

const std::string kPng("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
const std::string kJpeg("\xFF\xD8\xFF\xE0\0\x10JFIF", 10);
const std::string kGif("GIF89a\x01\0\x01\0", 10);
const std::string kWebp("RIFF\x24\0\0\0WEBPVP8 ", 16);

TEST(EventCommandImages, SniffsTypesByMagicBytes) {
  EXPECT_EQ(sniff_image(kPng)->ext, "png");
  EXPECT_EQ(sniff_image(kJpeg)->ext, "jpg");
  EXPECT_EQ(sniff_image(kJpeg)->content_type, "image/jpeg");
  EXPECT_EQ(sniff_image(kGif)->ext, "gif");
  EXPECT_EQ(sniff_image(kWebp)->ext, "webp");
  EXPECT_FALSE(sniff_image("<svg xmlns='http://www.w3.org/2000/svg'/>"));
  EXPECT_FALSE(sniff_image("RIFF\x24\0\0\0WAVE"));
  EXPECT_FALSE(sniff_image(""));
  EXPECT_FALSE(sniff_image("\x89PN"));
}

int status_of(const http::MultipartPart& part, std::size_t max) {
  try {
    check_image_upload(part, max, "logo");
  } catch (const Error& e) {
    return e.status();
  }
  return 200;
}

TEST(EventCommandImages, ChecksUploadsWhateverTheClientDeclares) {
  http::MultipartPart part{"file", "logo.png", "image/png", kPng};
  EXPECT_EQ(status_of(part, 1024), 200);
  part.data = "";
  EXPECT_EQ(status_of(part, 1024), 400);
  part.data = kPng + std::string(2000, 'x');
  EXPECT_EQ(status_of(part, 1024), 413);
  part.data = "#!/bin/sh\necho pwned";
  EXPECT_EQ(status_of(part, 1024), 415);
  part.data = kGif;  // "logo.png" holding a GIF
  EXPECT_EQ(status_of(part, 1024), 415);
  part.filename = "logo";  // no extension: the bytes decide
  EXPECT_EQ(status_of(part, 1024), 200);
}

TEST(EventCommandImages, KeysAreUuidsWithAnImageExtension) {
  const std::string id = Uuid::random().str();
  EXPECT_TRUE(valid_image_key(id + ".png"));
  EXPECT_TRUE(valid_image_key(id + ".webp"));
  EXPECT_FALSE(valid_image_key(id + ".svg"));
  EXPECT_FALSE(valid_image_key("../" + id + ".png"));
  EXPECT_FALSE(valid_image_key(id));
  EXPECT_FALSE(valid_image_key("x.png"));
}

TEST(EventCommandImages, LocalStorageRoundTrip) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("ec-images-" + Uuid::random().str());
  LocalImageStorage storage(dir);
  const std::string key = Uuid::random().str() + ".png";
  boost::asio::io_context io;
  auto run = [&](auto coroutine) {
    auto f = boost::asio::co_spawn(io, std::move(coroutine), boost::asio::use_future);
    io.restart();
    io.run();
    return f.get();
  };
  auto put = [&]() -> boost::asio::awaitable<void> { co_await storage.put(key, kPng, "image/png"); };
  run(put());
  auto get = [&]() -> boost::asio::awaitable<std::optional<std::string>> { co_return co_await storage.get(key); };
  EXPECT_EQ(run(get()), kPng);
  auto remove = [&]() -> boost::asio::awaitable<void> { co_await storage.remove(key); };
  run(remove());
  EXPECT_FALSE(run(get()));
  run(remove());  // a missing file is fine
  auto traversal = [&]() -> boost::asio::awaitable<std::optional<std::string>> {
    co_return co_await storage.get("../../etc/passwd");
  };
  EXPECT_FALSE(run(traversal()));
  fs::remove_all(dir);
}

// AWS S3 documentation, "Signature Calculations for the Authorization Header", example
// "GET Object": GET /test.txt with a Range header.
TEST(EventCommandSigV4, MatchesTheS3GetObjectExample) {
  sigv4::CanonicalInput in;
  in.method = "GET";
  in.path = "/test.txt";
  in.payload_sha256_hex = sigv4::sha256_hex("");
  in.headers = {{"host", "examplebucket.s3.amazonaws.com"},
                {"range", "bytes=0-9"},
                {"x-amz-content-sha256", in.payload_sha256_hex},
                {"x-amz-date", "20130524T000000Z"}};
  EXPECT_EQ(in.payload_sha256_hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sigv4::signed_headers(in), "host;range;x-amz-content-sha256;x-amz-date");
  const auto auth = sigv4::authorization(in, {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
                                         {"us-east-1", "s3"}, "20130524T000000Z");
  EXPECT_EQ(auth,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(EventCommandSigV4, EncodesPathsAndQueries) {
  EXPECT_EQ(sigv4::encode_path("/bucket/a b+c~d.png"), "/bucket/a%20b%2Bc~d.png");
  EXPECT_EQ(sigv4::canonical_query({{"b", "2"}, {"a", "x y"}, {"a", "1"}}), "a=1&a=x%20y&b=2");
  EXPECT_EQ(sigv4::amz_date(Timestamp(std::chrono::seconds(1369353600))), "20130524T000000Z");
}

}  // namespace
}  // namespace ticketly::event_command
