// Event documents through the document cache (see api.h).
#include <unordered_map>

#include "services/event_query/api/api.h"
#include "services/event_query/api/single_flight.h"

namespace ticketly::event_query {

asio::awaitable<Document> event_document(Api& api, const Uuid& event_id) {
  const std::string key = event_id.str();
  if (auto hit = api.documents.find(key)) co_return hit;
  const auto ticket = api.documents.ticket(key);  // see fill() in cached.h
  auto load = [&]() -> asio::awaitable<Document> {
    auto e = co_await api.store.event(event_id);
    if (!e) co_return nullptr;
    auto doc = std::make_shared<const StoredEvent>(std::move(*e));
    api.documents.store(key, ticket, doc);
    co_return doc;
  };
  // Keyed by this Api too: several service instances may share a process (tests).
  co_return co_await single_flight<StoredEvent>(flight_name(api.flight_prefix + "doc:" + key, ticket), load);
}

asio::awaitable<Document> session_document(Api& api, const Uuid& session_id) {
  auto event_id = co_await api.store.event_id_of_session(session_id);
  if (!event_id) co_return nullptr;
  co_return co_await event_document(api, *event_id);
}

asio::awaitable<std::vector<Document>> event_documents(Api& api, const std::vector<Uuid>& ids) {
  std::unordered_map<std::string, Document> found;
  std::vector<Uuid> missing;
  std::vector<DocumentCache::Ticket> tickets;
  for (const auto& id : ids) {
    if (auto hit = api.documents.find(id.str())) {
      found.emplace(id.str(), hit);
    } else {
      tickets.push_back(api.documents.ticket(id.str()));
      missing.push_back(id);
    }
  }
  if (!missing.empty()) {
    std::unordered_map<std::string, DocumentCache::Ticket> ticket_of;
    for (std::size_t i = 0; i < missing.size(); ++i) ticket_of.emplace(missing[i].str(), tickets[i]);
    auto rows = co_await api.store.events(missing);
    for (auto& [id, e] : rows) {
      const std::string key = id.str();
      auto doc = std::make_shared<const StoredEvent>(std::move(e));
      api.documents.store(key, ticket_of.at(key), doc);
      found.emplace(key, std::move(doc));
    }
  }
  std::vector<Document> out;
  for (const auto& id : ids) {
    if (auto it = found.find(id.str()); it != found.end()) out.push_back(it->second);
  }
  co_return out;
}

}  // namespace ticketly::event_query
