#pragma once
// Small helpers every handler uses: the caller, paging, expected versions, multipart
// bodies, ownership checks, and read-only transactions.
#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/auth/guards.h"
#include "platform/auth/principal.h"
#include "platform/db/database.h"
#include "platform/http/multipart.h"
#include "platform/http/request.h"
#include "platform/http/response.h"
#include "services/event_command/app.h"
#include "services/event_command/store/events_store.h"
#include "services/event_command/store/paging.h"

namespace ticketly::event_command::api {

namespace asio = boost::asio;
using http::Request;
using http::Response;

// Consistent reads of several tables: one REPEATABLE READ, READ ONLY transaction.
inline constexpr db::TxOptions kReadOnly{.isolation = db::Isolation::RepeatableRead, .read_only = true};

inline constexpr std::int64_t kMaxPageSize = 100;

inline const auth::Principal& caller(const Request& req) { return auth::principal_of(req); }

// ?page (0-based) and ?size (1–100, else 400).
PageRequest read_page(const Request& req, std::int64_t default_size = 20);
// ?sort=field,asc|desc for event listings (createdAt, updatedAt, title); default updatedAt,desc.
store::EventSort read_event_sort(const Request& req);

// The version the client last saw: the If-Match header ("3", "\"3\"", W/"3") or the body's
// "version" field; nullopt when it sent neither (then the change still runs under the
// aggregate's row lock, so it cannot be lost — it just cannot be refused as stale).
std::optional<std::int64_t> expected_version(const Request& req, const Json* body = nullptr);
// 409 when the client's version is not the current one.
void check_version(const std::optional<std::int64_t>& expected, std::int64_t actual, std::string_view what);

// The parts of a multipart/form-data body; 415 for another content type.
std::vector<http::MultipartPart> multipart(const Request& req);
// A JSON body: parsed with Request::json(), and required to be an object.
Json json_object(const Request& req);

// 403 unless the caller is `owner_id` (owner routes: even admins use the admin routes).
void require_owner(const std::string& owner_id, const auth::Principal& who, std::string_view what);

// The organization, 404 when missing, 403 when the caller does not own it.
asio::awaitable<Organization> owned_organization(db::Connection& c, const auth::Principal& who, const Uuid& id,
                                                 bool lock = false);
// The event, 404 when missing, 403 when the caller does not own it.
asio::awaitable<store::EventRow> owned_event(db::Connection& c, const auth::Principal& who, const Uuid& id,
                                             bool lock = false);

// Removes stored images once the change that dropped them committed (or after a failed
// change, the ones it had stored). Failures are logged by the storage, never thrown.
asio::awaitable<void> remove_images(App& app, const std::vector<ImageRef>& images);
asio::awaitable<void> remove_image(App& app, const ImageRef& image);
// Stores an uploaded image under a new id.
asio::awaitable<ImageRef> store_image(App& app, const http::MultipartPart& part, std::size_t max_bytes,
                                      std::string_view what);

Response json(int status, const Json& body);
Response ok(const Json& body);

}  // namespace ticketly::event_command::api
