#include "services/event_command/app.h"

#include "platform/config/reader.h"

namespace ticketly::event_command {

Settings read_settings(const config::Source& source) {
  config::Reader r(source);
  Settings s;
  s.public_url = r.string("TICKETLY_PUBLIC_URL", "http://localhost:8088");
  while (!s.public_url.empty() && s.public_url.back() == '/') s.public_url.pop_back();
  s.max_seats_per_session = static_cast<std::size_t>(
      r.integer("TICKETLY_MAX_SEATS_PER_SESSION", 100'000, 1, 1'000'000));
  s.images_dir = std::filesystem::path(r.string("TICKETLY_DATA_DIR", ".ticketly")) / "images";
  if (auto bucket = r.optional_string("TICKETLY_S3_BUCKET"); bucket && !bucket->empty()) {
    S3Config s3;
    s3.bucket = *bucket;
    s3.region = r.string("TICKETLY_S3_REGION", "us-east-1");
    s3.endpoint = r.string("TICKETLY_S3_ENDPOINT", "https://s3." + s3.region + ".amazonaws.com");
    s3.credentials.access_key_id = r.required_string("TICKETLY_S3_ACCESS_KEY_ID", "the S3 access key id");
    s3.credentials.secret_access_key = r.required_string("TICKETLY_S3_SECRET_ACCESS_KEY", "the S3 secret key");
    s3.path_style = r.boolean("TICKETLY_S3_PATH_STYLE", false);
    s3.prefix = r.string("TICKETLY_S3_PREFIX", "images/");
    if (!s3.endpoint.starts_with("http://") && !s3.endpoint.starts_with("https://")) {
      r.problem("TICKETLY_S3_ENDPOINT", "must be an http(s) URL");
    }
    s.s3 = std::move(s3);
  }
  r.finish();
  return s;
}

std::string App::image_url(const ImageRef& image) const {
  return settings.public_url + std::string(kBasePath) + "/images/" + image.file_name();
}

}  // namespace ticketly::event_command
