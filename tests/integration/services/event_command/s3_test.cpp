// Images in S3: the service signs its object requests (SigV4) and talks path-style to an
// S3-compatible endpoint — here a fake S3 that checks the signature headers and keeps
// objects in memory. URLs stay the service's own.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "platform/crypto/crypto.h"
#include "platform/http/router.h"
#include "support/event_command_support.h"
#include "support/test_app.h"
#include "support/test_server.h"
#include "support/tokens.h"

namespace ticketly::testing::ec {
namespace {

// Objects by path ("/bucket/images/<key>"), and what went wrong with a request.
struct FakeS3 {
  std::mutex mu;
  std::map<std::string, std::string> objects;
  std::vector<std::string> problems;
  int requests = 0;

  bool has(const std::string& path) {
    std::lock_guard lock(mu);
    return objects.contains(path);
  }
};

boost::asio::awaitable<http::Response> handle(FakeS3& s3, http::Request& req) {
  const std::string path(req.path);
  const std::string auth(req.header(http::Field::authorization));
  const std::string sha(req.header("x-amz-content-sha256"));
  std::lock_guard lock(s3.mu);
  ++s3.requests;
  if (!auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDTEST/") || auth.find("/eu-west-1/s3/aws4_request") == std::string::npos ||
      auth.find("Signature=") == std::string::npos) {
    s3.problems.push_back("bad Authorization: " + auth);
  }
  if (sha != crypto::hex_encode(crypto::sha256(req.body()))) s3.problems.push_back("bad payload hash on " + path);
  if (req.header("x-amz-date").size() != 16) s3.problems.push_back("bad x-amz-date");
  if (!path.starts_with("/media-bucket/img/")) s3.problems.push_back("not path-style under the prefix: " + path);
  if (req.method() == http::Verb::put) {
    s3.objects[path] = req.body();
    co_return http::Response::text(200, "", "text/plain");
  }
  if (req.method() == http::Verb::delete_) {
    s3.objects.erase(path);
    co_return http::Response::no_content();
  }
  auto it = s3.objects.find(path);
  if (it == s3.objects.end()) co_return http::Response::text(404, "<Error><Code>NoSuchKey</Code></Error>", "application/xml");
  co_return http::Response::text(200, it->second, "application/octet-stream");
}

TEST(EventCommandS3, StoresServesAndRemovesImagesInS3) {
  FakeS3 s3;
  TestServer fake([&s3](http::Router& router) {
    auto h = [&s3](http::Request& req) { return handle(s3, req); };
    router.put("/media-bucket/img/{key}", h);
    router.get("/media-bucket/img/{key}", h);
    router.del("/media-bucket/img/{key}", h);
  });
  TestApp app({"idp", "event-command"}, {},
              {{"TICKETLY_S3_BUCKET", "media-bucket"},
               {"TICKETLY_S3_REGION", "eu-west-1"},
               {"TICKETLY_S3_ENDPOINT", "http://127.0.0.1:" + std::to_string(fake.port())},
               {"TICKETLY_S3_PATH_STYLE", "true"},
               {"TICKETLY_S3_PREFIX", "img/"},
               {"TICKETLY_S3_ACCESS_KEY_ID", "AKIDTEST"},
               {"TICKETLY_S3_SECRET_ACCESS_KEY", "secret"}});
  EcClient api(app.port());
  const std::string token = user_token(app.port(), kEnterpriseUser, kEnterprisePassword);
  const std::string org = api.create_organization(token, "S3 org");

  auto up = api.multipart("POST", "/v1/organizations/" + org + "/logo", token, {},
                          {{"file", "logo.png", "image/png", png_bytes()}});
  ASSERT_EQ(up.status, 200) << up.body;
  const std::string url = up.json()["logoUrl"];
  const std::string file = url.substr(url.rfind('/') + 1);
  EXPECT_EQ(url, "http://localhost:8088/api/event-seating/images/" + file);
  EXPECT_TRUE(s3.has("/media-bucket/img/" + file));

  auto image = http_request(app.port(), "GET", kBase + "/images/" + file);
  ASSERT_EQ(image.status, 200) << image.body;
  EXPECT_EQ(image.body, png_bytes());
  EXPECT_EQ(image.header("content-type"), "image/png");

  EXPECT_EQ(api.del("/v1/organizations/" + org + "/logo", token).status, 204);
  EXPECT_FALSE(s3.has("/media-bucket/img/" + file));
  EXPECT_EQ(http_request(app.port(), "GET", kBase + "/images/" + file).status, 404);

  std::lock_guard lock(s3.mu);
  EXPECT_GE(s3.requests, 4);
  EXPECT_TRUE(s3.problems.empty()) << s3.problems.front();
}

}  // namespace
}  // namespace ticketly::testing::ec
