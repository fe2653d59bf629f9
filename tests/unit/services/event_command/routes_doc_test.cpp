// The route table and docs/services/event-command.md list the same routes with the same
// access rule: the documentation cannot drift from what the service serves.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "services/event_command/routes.h"

namespace ticketly::event_command {
namespace {

std::string read_doc() {
  // This file is <root>/tests/unit/services/event_command/routes_doc_test.cpp.
  const auto root = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path().parent_path();
  std::ifstream in(root / "docs" / "services" / "event-command.md");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string method_name(http::Verb v) { return std::string(boost::beast::http::to_string(v)); }

TEST(EventCommandRoutes, DocumentationListsEveryRoute) {
  const std::string doc = read_doc();
  ASSERT_FALSE(doc.empty()) << "docs/services/event-command.md is missing";
  std::set<std::string> expected;
  for (const RouteSpec& r : route_table()) {
    const std::string line =
        "| " + method_name(r.method) + " | `" + std::string(r.path) + "` | " + std::string(to_string(r.access)) + " |";
    EXPECT_NE(doc.find(line), std::string::npos) << "not documented: " << line;
    EXPECT_TRUE(expected.insert(method_name(r.method) + " " + std::string(r.path)).second) << "listed twice: " << line;
  }
  // And nothing documented that the table lacks.
  std::istringstream lines(doc);
  std::string l;
  std::size_t documented = 0;
  while (std::getline(lines, l)) {
    for (const char* m : {"| GET | `", "| POST | `", "| PUT | `", "| PATCH | `", "| DELETE | `"}) {
      if (l.rfind(m, 0) == 0) ++documented;
    }
  }
  EXPECT_EQ(documented, route_table().size());
}

TEST(EventCommandRoutes, OwnerRoutesNeedATokenAndInternalOnesAServiceAccount) {
  for (const RouteSpec& r : route_table()) {
    const std::string path(r.path);
    if (path.starts_with("/internal/")) {
      EXPECT_EQ(r.access, Access::Internal) << path;
    } else if (path.find("/admin/") != std::string::npos) {
      EXPECT_TRUE(r.access == Access::EventAdmin || r.access == Access::OrganizationAdmin) << path;
    } else if (path != "/images/{file}") {
      EXPECT_NE(r.access, Access::Public) << path;
    }
  }
}

}  // namespace
}  // namespace ticketly::event_command
