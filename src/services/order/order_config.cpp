#include "services/order/order_config.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "platform/config/reader.h"
#include "platform/crypto/crypto.h"

namespace ticketly::order {

OrderConfig read_order_config(const config::Source& source, const std::string& environment) {
  config::Reader r(source);
  OrderConfig c;
  c.environment = environment;
  c.max_seats = static_cast<std::size_t>(r.integer("TICKETLY_ORDER_MAX_SEATS", 10, 1, 100));
  c.max_pending = static_cast<int>(r.integer("TICKETLY_ORDER_MAX_PENDING", 3, 1, 1000));
  c.hold = r.duration("TICKETLY_HOLD_DURATION", std::chrono::minutes(10));
  if (c.hold < std::chrono::seconds(1)) r.problem("TICKETLY_HOLD_DURATION", "must be at least 1s");
  c.sweep_interval = r.duration("TICKETLY_ORDER_SWEEP_INTERVAL", std::chrono::seconds(1));
  if (c.sweep_interval < std::chrono::milliseconds(10)) r.problem("TICKETLY_ORDER_SWEEP_INTERVAL", "must be at least 10ms");
  c.refund_interval = r.duration("TICKETLY_ORDER_REFUND_INTERVAL", std::chrono::seconds(30));
  if (c.refund_interval < std::chrono::milliseconds(10)) r.problem("TICKETLY_ORDER_REFUND_INTERVAL", "must be at least 10ms");
  c.hold_batch = static_cast<std::size_t>(r.integer("TICKETLY_ORDER_HOLD_BATCH", 256, 1, 10000));
  c.ticket_count_max_age = r.duration("TICKETLY_ORDER_TICKET_COUNT_MAX_AGE", std::chrono::seconds(10));
  if (c.ticket_count_max_age > std::chrono::hours(1)) r.problem("TICKETLY_ORDER_TICKET_COUNT_MAX_AGE", "must be at most 1h");
  c.stripe_secret_key = r.string("STRIPE_SECRET_KEY", "");
  c.stripe_webhook_secret = r.string("STRIPE_WEBHOOK_SECRET", "");
  c.stripe_api_url = r.string("TICKETLY_STRIPE_API_URL", "https://api.stripe.com");
  while (!c.stripe_api_url.empty() && c.stripe_api_url.back() == '/') c.stripe_api_url.pop_back();
  c.currency = r.string("TICKETLY_ORDER_CURRENCY", "lkr");
  c.data_dir = r.string("TICKETLY_DATA_DIR", ".ticketly");
  if (!c.stripe_secret_key.empty() && c.stripe_webhook_secret.empty()) {
    r.problem("STRIPE_WEBHOOK_SECRET", "is required with STRIPE_SECRET_KEY (webhooks must be verified)");
  }
  if (c.production() && c.stripe_secret_key.empty()) {
    r.problem("STRIPE_SECRET_KEY", "is required in production (the development payment provider is refused there)");
  }
  if (c.production() && !source.get("TICKETLY_QR_KEYS")) {
    r.problem("TICKETLY_QR_KEYS", "is required in production (kid:base64secret,…)");
  }
  r.finish();
  return c;
}

QrKeyRing load_qr_keys(const config::Source& source, const OrderConfig& config) {
  if (auto spec = source.get("TICKETLY_QR_KEYS"); spec && !spec->empty()) {
    try {
      return QrKeyRing::parse(*spec);
    } catch (const std::invalid_argument& e) {
      throw config::ConfigError({"TICKETLY_QR_KEYS: " + std::string(e.what())});
    }
  }
  if (config.production()) throw config::ConfigError({"TICKETLY_QR_KEYS: is required in production"});
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(config.data_dir) / "order";
  const fs::path file = dir / "qr-key";
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    fs::create_directories(dir, ec);
    const std::string spec = "dev1:" + crypto::base64_encode(crypto::random_bytes(32));
    const fs::path tmp = file.string() + ".tmp." + crypto::hex_encode(crypto::random_bytes(4));
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << spec << "\n";
      if (!out) throw config::ConfigError({"TICKETLY_QR_KEYS: cannot write " + tmp.string()});
    }
    ::chmod(tmp.c_str(), 0600);
    // A hard link never replaces an existing file: if another process created the key
    // first, keep theirs, so every process of this data directory signs alike.
    fs::create_hard_link(tmp, file, ec);
    fs::remove(tmp);
    if (!fs::exists(file)) throw config::ConfigError({"TICKETLY_QR_KEYS: cannot create " + file.string()});
  }
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  std::string spec = text.str();
  while (!spec.empty() && (spec.back() == '\n' || spec.back() == ' ')) spec.pop_back();
  try {
    return QrKeyRing::parse(spec);
  } catch (const std::invalid_argument& e) {
    throw config::ConfigError({file.string() + ": " + e.what()});
  }
}

}  // namespace ticketly::order
