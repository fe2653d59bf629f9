#pragma once
// The development identity provider: a Keycloak-compatible OIDC provider for the realm
// "event-ticketing" (API.md §5), so the web client's keycloak-js, the reference test
// suites and the services' own clients work without a Keycloak. Refuses to start with
// TICKETLY_ENV=production; production uses Keycloak (deploy/keycloak/README.md).
#include <string>
#include <string_view>

#include "platform/config/source.h"
#include "platform/service/service.h"

namespace ticketly::idp {

// name "idp", base path /realms/event-ticketing (its admin API is under
// /admin/realms/event-ticketing), default port 8180.
const service::ServiceDescriptor& descriptor();

// The JWKS ({"keys":[…]}) of the provider's signing key in <data_dir>/idp/, creating the
// key when missing, so the process verifies the provider's tokens without an HTTP call.
std::string jwks_json(const std::string& data_dir);

// The secret of a confidential client (e.g. "order-service"): TICKETLY_IDP_SECRET_<ID>
// (upper case, '-' -> '_') when set, else <TICKETLY_DATA_DIR>/idp/client-secrets.json,
// generated there on first use.
std::string client_secret(const config::Source& config, std::string_view client_id);

// The provider's issuer: <TICKETLY_PUBLIC_URL>/realms/event-ticketing.
std::string issuer(const config::Source& config);

}  // namespace ticketly::idp
