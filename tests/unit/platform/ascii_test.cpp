#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "platform/text/ascii.h"

namespace ticketly::text {
namespace {

TEST(Ascii, LowersMixedCase) {
  EXPECT_EQ(ascii_lower("Content-Type"), "content-type");
  EXPECT_EQ(ascii_lower("APPLICATION/JSON"), "application/json");
  EXPECT_EQ(ascii_lower("Ana.Perera@Example.LK"), "ana.perera@example.lk");
  EXPECT_EQ(ascii_lower(std::string("AZaz")), "azaz");
  EXPECT_EQ(ascii_lower(""), "");
}

TEST(Ascii, LeavesNonLettersAsTheyAre) {
  EXPECT_EQ(ascii_lower("0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\t\r\n"),
            "0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\t\r\n");
  EXPECT_EQ(ascii_lower('@'), '@');  // just before 'A'
  EXPECT_EQ(ascii_lower('['), '[');  // just after 'Z'
  EXPECT_EQ(ascii_lower('Q'), 'q');
  EXPECT_EQ(ascii_lower(std::string_view("a\0B", 3)), std::string("a\0b", 3));
}

TEST(Ascii, LeavesBytesAboveAsciiAsTheyAre) {
  EXPECT_EQ(ascii_lower("\xC3\x89T\xC3\x89"), "\xC3\x89t\xC3\x89");  // "ÉTÉ" in UTF-8: only the T folds
  for (int b = 0x80; b <= 0xFF; ++b) {
    const char c = static_cast<char>(b);
    EXPECT_EQ(ascii_lower(c), c) << b;
  }
  EXPECT_FALSE(iequals_ascii("\xC3\x89", "\xC3\xA9"));  // "É" vs "é": not ASCII, not folded
}

TEST(Ascii, IsUsableAtCompileTime) {
  static_assert(ascii_lower('A') == 'a');
  static_assert(iequals_ascii("Bearer ", "bEARER "));
  static_assert(!iequals_ascii("Basic", "Basic "));
}

TEST(Ascii, ComparesIgnoringAsciiCase) {
  EXPECT_TRUE(iequals_ascii("Content-Type", "content-type"));
  EXPECT_TRUE(iequals_ascii("COMPLETED", "completed"));
  EXPECT_TRUE(iequals_ascii("lkr", "LKR"));
  EXPECT_FALSE(iequals_ascii("completed", "complete!"));
  EXPECT_FALSE(iequals_ascii("at+jwt", "at-jwt"));
  EXPECT_FALSE(iequals_ascii("@", "`"));  // 0x40 and 0x60 differ by the case bit but are not letters
  EXPECT_FALSE(iequals_ascii("[", "{"));
}

TEST(Ascii, DifferentLengthsAreNeverEqual) {
  EXPECT_FALSE(iequals_ascii("JWT", "JWTs"));
  EXPECT_FALSE(iequals_ascii("bearer ", "Bearer"));
  EXPECT_FALSE(iequals_ascii("", "a"));
  EXPECT_FALSE(iequals_ascii("a", ""));
}

TEST(Ascii, EmptyStringsAreEqual) {
  EXPECT_TRUE(iequals_ascii("", ""));
  EXPECT_TRUE(iequals_ascii(std::string_view{}, ""));
}

}  // namespace
}  // namespace ticketly::text
