#include "services/event_command/worker_clients.h"

#include <boost/asio/this_coro.hpp>

#include <stdexcept>

namespace ticketly::event_command {

namespace asio = boost::asio;

WorkerClients::WorkerClients(runtime::IoPool& io, http::ClientOptions options) : io_(io) {
  for (std::size_t i = 0; i < io.size(); ++i) clients_.push_back(std::make_unique<http::HttpClient>(io.context(i), options));
}

asio::awaitable<http::HttpClient*> WorkerClients::current() {
  auto executor = co_await asio::this_coro::executor;
  const asio::execution_context& context = asio::query(executor, asio::execution::context);
  auto worker = io_.worker_of(context);
  if (!worker) throw std::logic_error("outgoing HTTP calls must run on an IoPool worker");
  co_return clients_.at(*worker).get();
}

}  // namespace ticketly::event_command
