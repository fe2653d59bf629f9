#include "platform/service/service.h"

namespace ticketly::service {

std::string ServiceIdentity::admin_url() const {
  // https://kc/realms/x -> https://kc/admin/realms/x (Keycloak's layout)
  std::string realm = realm_url();
  auto pos = realm.rfind("/realms/");
  if (pos == std::string::npos) return realm;
  return realm.substr(0, pos) + "/admin" + realm.substr(pos);
}

}  // namespace ticketly::service
