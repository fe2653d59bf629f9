#pragma once
// What the event-command handlers share: the database, the token verifier, settings and
// the pluggable seams (image storage, overview generator, user directory). Built once by
// the service (event_command_service.cpp); handlers hold a reference.
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "platform/auth/verifier.h"
#include "platform/config/source.h"
#include "platform/db/database.h"
#include "platform/types/time.h"
#include "services/event_command/directory/user_directory.h"
#include "services/event_command/domain/model.h"
#include "services/event_command/domain/overview.h"
#include "services/event_command/images/s3_storage.h"
#include "services/event_command/images/storage.h"

namespace ticketly::event_command {

inline constexpr std::string_view kBasePath = "/api/event-seating";

struct Settings {
  std::string public_url = "http://localhost:8088";  // TICKETLY_PUBLIC_URL, no trailing '/'
  std::size_t max_seats_per_session = 100'000;       // TICKETLY_MAX_SEATS_PER_SESSION
  std::filesystem::path images_dir;                  // <TICKETLY_DATA_DIR>/images
  std::optional<S3Config> s3;                        // TICKETLY_S3_* (S3 when the bucket is set)
};

// Reads the service's settings; throws config::ConfigError listing every bad value.
Settings read_settings(const config::Source& source);

struct App {
  db::Database& db;
  auth::Verifier& verifier;
  Settings settings;
  std::unique_ptr<ImageStorage> images;
  std::unique_ptr<OverviewGenerator> overview;
  std::unique_ptr<UserDirectory> directory;
  std::function<Timestamp()> clock = [] { return Clock::now(); };

  // <public URL>/api/event-seating/images/<photoId>.<ext>
  std::string image_url(const ImageRef& image) const;
  Timestamp now() const { return clock(); }
};

}  // namespace ticketly::event_command
