#pragma once
// Where uploaded images live. Keys are "<photoId>.<ext>"; the service serves every image
// itself at <public URL>/api/event-seating/images/<key>, so URLs stay the same whichever
// storage holds the bytes. Implementations: LocalImageStorage (default, a directory) and
// S3ImageStorage (when TICKETLY_S3_BUCKET is set).
#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

namespace ticketly::event_command {

class ImageStorage {
 public:
  virtual ~ImageStorage() = default;
  // Stores (or replaces) the object. Throws ticketly::Error(503) when the store fails.
  virtual boost::asio::awaitable<void> put(std::string key, std::string bytes, std::string content_type) = 0;
  // The bytes, or nullopt when there is no such object.
  virtual boost::asio::awaitable<std::optional<std::string>> get(std::string key) = 0;
  // Removes the object; a missing one is not an error. Never throws: a file left behind
  // is logged, not worth failing the request that deleted its owner.
  virtual boost::asio::awaitable<void> remove(std::string key) = 0;
};

// True for keys this service creates ("<uuid>.<jpg|png|gif|webp>"): anything else (a
// path, "..") never reaches a storage.
bool valid_image_key(std::string_view key);

}  // namespace ticketly::event_command
