// The category tree walk: whatever the table holds (a parent cycle, a very deep chain),
// it ends instead of recursing until the stack overflows.
#include "services/event_command/api/dto.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace ticketly::event_command {
namespace {

Category category(const std::string& name, const std::optional<Uuid>& parent = std::nullopt) {
  return {Uuid::random(), name, parent, 1};
}

std::size_t depth(const Json& node) {
  std::size_t below = 0;
  for (const auto& child : node["subCategories"]) below = std::max(below, depth(child));
  return 1 + below;
}

TEST(CategoryTree, NestsSubcategories) {
  auto music = category("Music");
  auto rock = category("Rock", music.id);
  auto jazz = category("Jazz", music.id);
  auto tree = dto::category_tree(music, {music, rock, jazz});
  EXPECT_EQ(tree["name"], "Music");
  EXPECT_EQ(tree["subCategories"].size(), 2u);
  EXPECT_EQ(tree["subCategories"][0]["parentId"], music.id.str());
}

TEST(CategoryTree, StopsAtAParentCycle) {
  auto a = category("A");
  auto b = category("B", a.id);
  auto c = category("C", b.id);
  a.parent_id = c.id;  // A → C → B → A
  const std::vector<Category> all = {a, b, c};
  auto tree = dto::category_tree(a, all);
  EXPECT_EQ(depth(tree), 3u);  // A, B, C; A again is left out
  EXPECT_EQ(tree["subCategories"][0]["subCategories"][0]["name"], "C");
  EXPECT_TRUE(tree["subCategories"][0]["subCategories"][0]["subCategories"].empty());
  auto self = category("Self");
  self.parent_id = self.id;
  EXPECT_TRUE(dto::category_tree(self, {self})["subCategories"].empty());
  EXPECT_TRUE(dto::category_forest(all).empty());  // no root: nothing to list
}

TEST(CategoryTree, StopsAtTheDepthLimit) {
  std::vector<Category> chain = {category("Level 0")};
  for (int i = 1; i < 5000; ++i) chain.push_back(category("Level " + std::to_string(i), chain.back().id));
  auto tree = dto::category_tree(chain.front(), chain);
  EXPECT_EQ(depth(tree), dto::kMaxCategoryDepth);
  EXPECT_EQ(dto::category_forest(chain).size(), 1u);
}

}  // namespace
}  // namespace ticketly::event_command
