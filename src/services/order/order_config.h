#pragma once
// The order service's settings (environment; the README's table lists them):
//
//   TICKETLY_ORDER_MAX_SEATS        seats per order                              10
//   TICKETLY_ORDER_MAX_PENDING      pending orders per user and session          3
//   TICKETLY_HOLD_DURATION          how long seats stay held for payment         10m
//   TICKETLY_ORDER_SWEEP_INTERVAL   how often expired holds are swept            1s
//   TICKETLY_ORDER_REFUND_INTERVAL  how often due refunds are (re)sent            30s
//   TICKETLY_ORDER_HOLD_BATCH       orders per hold transaction (group commit)   256
//   TICKETLY_ORDER_TICKET_COUNT_MAX_AGE  how long the public ticket count is kept    10s
//                                   (0: counted on every request)
//   STRIPE_SECRET_KEY               Stripe API key; without it the development provider is used
//   STRIPE_WEBHOOK_SECRET           Stripe webhook signing secret (required with a key)
//   TICKETLY_STRIPE_API_URL         Stripe's API base URL (tests point it elsewhere)   https://api.stripe.com
//   TICKETLY_ORDER_CURRENCY         currency of payments                         lkr
//   TICKETLY_QR_KEYS                kid:base64secret,… (first signs, all verify); outside
//                                   production generated into <data dir>/order/qr-key
#include <chrono>
#include <cstddef>
#include <string>

#include "platform/config/source.h"
#include "services/order/domain/qr.h"
#include "services/order/inventory/fence.h"

namespace ticketly::order {

struct OrderConfig {
  std::string environment = "development";
  std::size_t max_seats = 10;
  int max_pending = 3;
  std::chrono::milliseconds hold{std::chrono::minutes(10)};
  std::chrono::milliseconds sweep_interval{std::chrono::seconds(1)};
  std::chrono::milliseconds refund_interval{std::chrono::seconds(30)};
  std::size_t hold_batch = 256;
  std::chrono::milliseconds ticket_count_max_age{std::chrono::seconds(10)};
  std::string stripe_secret_key;
  std::string stripe_webhook_secret;
  std::string stripe_api_url = "https://api.stripe.com";
  std::string currency = "lkr";
  std::string data_dir = ".ticketly";
  inventory::FenceOptions fence;

  bool production() const { return environment == "production"; }
  bool development_payments() const { return stripe_secret_key.empty(); }
};

// Reads and validates the settings; throws config::ConfigError listing every problem
// (e.g. production without TICKETLY_QR_KEYS or without Stripe).
OrderConfig read_order_config(const config::Source& source, const std::string& environment);

// TICKETLY_QR_KEYS, or outside production the key kept in <data dir>/order/qr-key
// (created, mode 0600, on first use). Throws config::ConfigError.
QrKeyRing load_qr_keys(const config::Source& source, const OrderConfig& config);

}  // namespace ticketly::order
