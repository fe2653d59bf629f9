#pragma once
// One running application (identity provider + event-command) per test suite, with
// tokens of the development provider's seed users: `owner` (ENTERPRISE, so suites stay
// under the plan limits) owns what a test creates, `other` (PRO) owns nothing of it, `admin` is a system administrator.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

#include "support/event_command_support.h"
#include "support/test_app.h"
#include "support/tokens.h"

namespace ticketly::testing::ec {

class EcSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    app_ = std::make_unique<TestApp>(std::vector<std::string>{"idp", "event-command"});
    owner_ = user_token(app_->port(), kEnterpriseUser, kEnterprisePassword);
    other_ = user_token(app_->port(), kProUser, kProPassword);
    admin_ = user_token(app_->port(), kAdminUser, kAdminPassword);
  }
  static void TearDownTestSuite() { app_.reset(); }

  EcClient api() const { return EcClient(app_->port()); }
  static std::string subject_of(const std::string& token) {
    return EcClient(app_->port()).get("/whoami", token).json().value("sub", "");
  }
  static std::string owner_subject() { return subject_of(owner_); }
  // Waits until at least `n` messages with `key` reached `topic` (the relay is asynchronous).
  static bool wait_published(const std::string& topic, const std::string& key, std::size_t n) {
    for (int i = 0; i < 200; ++i) {
      if (published(*app_, topic, key).size() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }
  static bool wait_until_published(const std::string& org_id, std::size_t n) {
    return wait_published("ticketly.catalog.organizations", org_id, n);
  }
  static std::string service() { return service_token(*app_, "scheduler-service"); }

  // A new organization of `owner` and an event in it (PENDING), returned as ids.
  struct Created {
    std::string org;
    std::string event;
    std::string category;
    Json request;  // as sent: its tier, session and discount ids were kept
    std::string session() const { return session_id(request); }
    std::string discount() const { return discount_id(request); }
  };
  Created create_event(Json request = nullptr) const {
    Created c;
    c.org = api().create_organization(owner_, "Org " + Uuid::random().str().substr(0, 8));
    c.category = api().any_category(owner_);
    if (request.is_null()) request = event_request(c.org, c.category);
    request["organizationId"] = c.org;
    c.request = request;
    auto r = api().create_event(owner_, request);
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status == 201) c.event = r.json()["id"];
    return c;
  }

  static inline std::unique_ptr<TestApp> app_;
  static inline std::string owner_, other_, admin_;
};

}  // namespace ticketly::testing::ec
