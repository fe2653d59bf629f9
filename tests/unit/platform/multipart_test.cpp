#include "platform/http/multipart.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>

#include "platform/errors.h"

namespace ticketly::http {
namespace {

using namespace std::string_literals;

const std::string kType = "multipart/form-data; boundary=XyZ";

std::string field(std::string_view name, std::string_view value) {
  return "--XyZ\r\nContent-Disposition: form-data; name=\"" + std::string(name) + "\"\r\n\r\n" + std::string(value) +
         "\r\n";
}
const std::string kClose = "--XyZ--\r\n";

// Parsing must fail with a 400 whose message mentions `expected`.
void expect_400(std::string_view content_type, std::string_view body, std::string_view expected,
                const MultipartLimits& limits = {}) {
  try {
    parse_multipart(content_type, body, limits);
    ADD_FAILURE() << "parsed without error; expected \"" << expected << "\"";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_NE(std::string_view(e.what()).find(expected), std::string_view::npos)
        << "message \"" << e.what() << "\" lacks \"" << expected << "\"";
  }
}

// --- well-formed bodies -------------------------------------------------------------

TEST(Multipart, ParsesTextFieldsInOrder) {
  const auto parts = parse_multipart(kType, field("title", "Jazz night") + field("seats", "120") + kClose);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "title");
  EXPECT_EQ(parts[0].data, "Jazz night");
  EXPECT_FALSE(parts[0].filename.has_value());
  EXPECT_EQ(parts[1].name, "seats");
  EXPECT_EQ(parts[1].data, "120");
}

TEST(Multipart, ParsesFileWithFilenameAndContentType) {
  const std::string body =
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"poster\"; filename=\"poster.png\"\r\n"
      "Content-Type: image/png\r\n"
      "\r\n"
      "\x89PNG\r\n\x1a\n"
      "\r\n--XyZ--\r\n";
  const auto parts = parse_multipart(kType, body);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "poster");
  EXPECT_EQ(parts[0].filename, "poster.png");
  EXPECT_EQ(parts[0].content_type, "image/png");
  EXPECT_EQ(parts[0].data, "\x89PNG\r\n\x1a\n");
}

TEST(Multipart, DefaultsContentTypeToTextPlain) {
  const auto parts = parse_multipart(kType, field("a", "1") + kClose);
  EXPECT_EQ(parts.at(0).content_type, "text/plain");
}

TEST(Multipart, IgnoresPreambleAndEpilogue) {
  const std::string body = "This is the preamble.\r\n--XyZ is not alone here\r\n" + field("a", "1") +
                           "--XyZ--\r\nThis is the epilogue.\r\n--XyZ\r\n";
  const auto parts = parse_multipart(kType, body);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].data, "1");
}

TEST(Multipart, AcceptsBareLineFeeds) {
  const std::string body =
      "--XyZ\n"
      "Content-Disposition: form-data; name=\"a\"\n"
      "\n"
      "line one\nline two\n"
      "--XyZ\n"
      "Content-Disposition: form-data; name=\"b\"\n"
      "\n"
      "2\n"
      "--XyZ--\n";
  const auto parts = parse_multipart(kType, body);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].data, "line one\nline two");
  EXPECT_EQ(parts[1].data, "2");
}

TEST(Multipart, MatchesHeaderNamesAndValuesCaseInsensitively) {
  const std::string body =
      "--XyZ\r\n"
      "CONTENT-DISPOSITION: Form-Data; NAME=\"a\"; FileName=\"f.txt\"\r\n"
      "content-type: text/csv\r\n"
      "\r\n"
      "x,y\r\n"
      "--XyZ--";
  const auto parts = parse_multipart("Multipart/Form-Data; Boundary=XyZ", body);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "a");
  EXPECT_EQ(parts[0].filename, "f.txt");
  EXPECT_EQ(parts[0].content_type, "text/csv");
}

TEST(Multipart, UnescapesQuotedParameterValues) {
  const std::string body =
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"say \\\"hi\\\"\"; filename=\"a;b\\\\c.txt\"\r\n"
      "\r\n"
      "\r\n--XyZ--\r\n";
  const auto parts = parse_multipart(kType, body);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "say \"hi\"");
  EXPECT_EQ(parts[0].filename, "a;b\\c.txt");
}

TEST(Multipart, AcceptsUnquotedParameterValues) {
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data;name=plain ; filename=f.txt;\r\n\r\nv\r\n--XyZ--\r\n";
  const auto parts = parse_multipart(kType, body);
  EXPECT_EQ(parts.at(0).name, "plain");
  EXPECT_EQ(parts.at(0).filename, "f.txt");
}

TEST(Multipart, PrefersRfc5987FilenameOverPlainFilename) {
  const std::string body =
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"f\"; filename=\"rates.txt\"; "
      "filename*=UTF-8''%e2%82%AC%20rates.txt\r\n"
      "\r\n"
      "1\r\n--XyZ--\r\n";
  EXPECT_EQ(parse_multipart(kType, body).at(0).filename, "\xE2\x82\xAC rates.txt");
}

TEST(Multipart, DecodesLatin1Rfc5987FilenameToUtf8) {
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename*=iso-8859-1'fr'caf%E9.txt\r\n\r\n"
      "1\r\n--XyZ--\r\n";
  EXPECT_EQ(parse_multipart(kType, body).at(0).filename, "caf\xC3\xA9.txt");
}

TEST(Multipart, PreservesBinaryDataWithNewlinesAndBoundaryLikeText) {
  const std::string data = "\0\r\n--XyZZ\r\n--XyZ-x\r\n--Xy\r\n--XyZ is text\r\nmid --XyZ\r\n\r\n\r lone CR\n\r\n"s;
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"bin\"; filename=\"b\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\n" +
      data + "\r\n--XyZ--\r\n";
  const auto parts = parse_multipart(kType, body);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].data, data);
}

TEST(Multipart, ParsesEmptyFieldsAndHeadersOnlyParts) {
  const std::string body = field("empty", "") +
                           "--XyZ\r\nContent-Disposition: form-data; name=\"headers_only\"\r\n"
                           "\r\n--XyZ\r\n"
                           "Content-Disposition: form-data; name=\"file\"; filename=\"\"\r\n"
                           "Content-Type: application/octet-stream\r\n\r\n"
                           "\r\n--XyZ--\r\n";
  const auto parts = parse_multipart(kType, body);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].data, "");
  EXPECT_EQ(parts[1].name, "headers_only");
  EXPECT_EQ(parts[1].data, "");
  EXPECT_EQ(parts[2].filename, "");
  EXPECT_EQ(parts[2].data, "");
}

TEST(Multipart, AcceptsQuotedBoundaryWithEveryAllowedCharacter) {
  const std::string boundary = "a'()+_,-./:=? b9";
  const std::string body =
      "--" + boundary + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--" + boundary + "--\r\n";
  const auto parts = parse_multipart("multipart/form-data; boundary=\"" + boundary + "\"", body);
  EXPECT_EQ(parts.at(0).data, "1");
}

TEST(Multipart, AcceptsBoundaryOfSeventyCharacters) {
  const std::string boundary(70, 'b');
  const std::string body =
      "--" + boundary + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--" + boundary + "--";
  EXPECT_EQ(parse_multipart("multipart/form-data; charset=utf-8; boundary=" + boundary, body).size(), 1u);
}

TEST(Multipart, AcceptsTransportPaddingAfterDelimiters) {
  const std::string body =
      "--XyZ \t\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XyZ  \r\n"
      "Content-Disposition: form-data; name=\"b\"\r\n\r\n2\r\n--XyZ--  \r\n";
  const auto parts = parse_multipart(kType, body);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1].data, "2");
}

TEST(Multipart, ReturnsNoPartsForAnEmptyForm) { EXPECT_TRUE(parse_multipart(kType, kClose).empty()); }

TEST(Multipart, IgnoresOtherHeadersAndUnfoldsContinuationLines) {
  const std::string body =
      "--XyZ\r\n"
      "X-Custom: one\r\n"
      "  continued\r\n"
      "Content-Disposition: form-data;\r\n"
      "\tname=\"folded\"\r\n"
      "Content-Transfer-Encoding: 8bit\r\n"
      "\r\n"
      "v\r\n--XyZ--\r\n";
  EXPECT_EQ(parse_multipart(kType, body).at(0).name, "folded");
}

TEST(Multipart, AcceptsBodiesExactlyAtTheLimits) {
  const std::string headers = "Content-Disposition: form-data; name=\"a\"\r\n\r\n";
  MultipartLimits limits;
  limits.max_parts = 2;
  limits.max_part_size = 4;
  limits.max_header_bytes = headers.size();
  const std::string body = "--XyZ\r\n" + headers + "1234\r\n--XyZ\r\n" + headers + "5678\r\n" + kClose;
  EXPECT_EQ(parse_multipart(kType, body, limits).size(), 2u);
}

TEST(Multipart, FindPartReturnsTheFirstMatchOrNull) {
  const auto parts = parse_multipart(kType, field("tag", "a") + field("x", "1") + field("tag", "b") + kClose);
  ASSERT_NE(find_part(parts, "tag"), nullptr);
  EXPECT_EQ(find_part(parts, "tag")->data, "a");
  EXPECT_EQ(find_part(parts, "missing"), nullptr);
}

TEST(Multipart, FindPartsReturnsEveryMatchInOrder) {
  const auto parts = parse_multipart(kType, field("tag", "a") + field("x", "1") + field("tag", "b") + kClose);
  const auto tags = find_parts(parts, "tag");
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[0]->data, "a");
  EXPECT_EQ(tags[1]->data, "b");
  EXPECT_TRUE(find_parts(parts, "missing").empty());
}

// --- the request's Content-Type -----------------------------------------------------

TEST(Multipart, RejectsContentTypesOtherThanFormData) {
  const std::string body = field("a", "1") + kClose;
  expect_400("application/json", body, "must be multipart/form-data");
  expect_400("multipart/mixed; boundary=XyZ", body, "must be multipart/form-data");
  expect_400("", body, "must be multipart/form-data");
}

TEST(Multipart, RejectsMissingBoundary) {
  expect_400("multipart/form-data", kClose, "has no boundary");
  expect_400("multipart/form-data; charset=utf-8", kClose, "has no boundary");
}

TEST(Multipart, RejectsEmptyBoundary) {
  expect_400("multipart/form-data; boundary=", kClose, "invalid multipart boundary");
  expect_400("multipart/form-data; boundary=\"\"", kClose, "invalid multipart boundary");
}

TEST(Multipart, RejectsBoundaryLongerThanSeventyCharacters) {
  expect_400("multipart/form-data; boundary=" + std::string(71, 'b'), kClose, "invalid multipart boundary");
}

TEST(Multipart, RejectsBoundaryWithCharactersOutsideBchars) {
  expect_400("multipart/form-data; boundary=a@b", kClose, "invalid multipart boundary");
  expect_400("multipart/form-data; boundary=\"a\\\"b\"", kClose, "invalid multipart boundary");
  expect_400("multipart/form-data; boundary=\"a\r\nb\"", kClose, "invalid multipart boundary");
}

TEST(Multipart, RejectsBoundaryEndingInSpace) {
  expect_400("multipart/form-data; boundary=\"XyZ \"", kClose, "invalid multipart boundary");
}

TEST(Multipart, RejectsMalformedContentTypeParameters) {
  expect_400("multipart/form-data; boundary=\"XyZ", kClose, "unterminated quoted string");
  expect_400("multipart/form-data; boundary", kClose, "malformed parameter");
  expect_400("multipart/form-data; =XyZ", kClose, "malformed parameter");
  expect_400("multipart/form-data; boundary=\"XyZ\"junk", kClose, "unexpected text after quoted parameter");
  expect_400("multipart/form-data; boundary=a; boundary=b", kClose, "duplicate parameter 'boundary'");
}

// --- the body -----------------------------------------------------------------------

TEST(Multipart, RejectsBodyWithoutOpeningBoundary) {
  expect_400(kType, "", "no opening boundary");
  expect_400(kType, "just text", "no opening boundary");
  expect_400(kType, "x--XyZ\r\n--XyZx\r\n--XyZ", "no opening boundary");
}

TEST(Multipart, RejectsMissingClosingDelimiter) {
  expect_400(kType, field("a", "1"), "no closing boundary");
  expect_400(kType, field("a", "1") + "--XyZ", "no closing boundary");
  expect_400(kType, field("a", "1") + "--XyZ-", "no closing boundary");
  expect_400(kType, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\ntruncated", "no closing boundary");
}

TEST(Multipart, RejectsPartWithoutContentDisposition) {
  expect_400(kType, "--XyZ\r\nContent-Type: text/plain\r\n\r\n1\r\n" + kClose,
             "part 1 has no Content-Disposition header");
  expect_400(kType, "--XyZ\r\n\r\n\r\n" + kClose, "part 1 has no Content-Disposition header");
  expect_400(kType, "--XyZ\r\n--XyZ--", "part 1 has no Content-Disposition header");
}

TEST(Multipart, RejectsDispositionOtherThanFormData) {
  expect_400(kType, "--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n1\r\n" + kClose,
             "Content-Disposition is not form-data");
}

TEST(Multipart, RejectsPartWithoutName) {
  expect_400(kType, field("a", "1") + "--XyZ\r\nContent-Disposition: form-data; filename=\"f\"\r\n\r\n1\r\n" + kClose,
             "part 2 has no form-data name");
  expect_400(kType, "--XyZ\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n1\r\n" + kClose,
             "part 1 has no form-data name");
}

TEST(Multipart, RejectsDuplicateDispositionOrContentType) {
  expect_400(kType,
             "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\ncontent-disposition: form-data; "
             "name=\"b\"\r\n\r\n1\r\n" +
                 kClose,
             "duplicate content-disposition header");
  expect_400(
      kType,
      "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Type: a/b\r\nContent-Type: c/d\r\n\r\n1\r\n" +
          kClose,
      "duplicate Content-Type header");
  expect_400(kType, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"; name=\"b\"\r\n\r\n1\r\n" + kClose,
             "duplicate parameter 'name'");
}

TEST(Multipart, RejectsMalformedHeaderLines) {
  expect_400(kType, "--XyZ\r\nContent-Disposition form-data\r\n\r\n1\r\n" + kClose, "malformed header line");
  expect_400(kType, "--XyZ\r\n: no name\r\n\r\n1\r\n" + kClose, "malformed header line");
  expect_400(kType, "--XyZ\r\n  folded first\r\n\r\n1\r\n" + kClose, "malformed header line");
  expect_400(kType, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nbody without blank line\r\n" + kClose,
             "malformed header line");
}

TEST(Multipart, RejectsMalformedRfc5987Filename) {
  auto with_ext = [](std::string ext) {
    return "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename*=" + ext + "\r\n\r\n1\r\n" + kClose;
  };
  expect_400(kType, with_ext("no-quotes.txt"), "malformed filename*");
  expect_400(kType, with_ext("UTF-8'only-one"), "malformed filename*");
  expect_400(kType, with_ext("UTF-8''bad%E"), "malformed percent-encoding");
  expect_400(kType, with_ext("UTF-8''bad%G1"), "malformed percent-encoding");
  expect_400(kType, with_ext("KOI8-R''x"), "unsupported filename* charset");
}

TEST(Multipart, RejectsTooManyParts) {
  MultipartLimits limits;
  limits.max_parts = 2;
  expect_400(kType, field("a", "1") + field("b", "2") + field("c", "3") + kClose, "more than 2 parts", limits);
}

TEST(Multipart, RejectsPartLargerThanLimit) {
  MultipartLimits limits;
  limits.max_part_size = 4;
  expect_400(kType, field("a", "1234") + field("big", "12345") + kClose, "part 2 (\"big\") exceeds 4 bytes", limits);
}

TEST(Multipart, RejectsHeaderBlockLongerThanLimit) {
  MultipartLimits limits;
  limits.max_header_bytes = 64;
  expect_400(kType, field("a" + std::string(60, 'x'), "1") + kClose, "headers exceed 64 bytes", limits);
  expect_400(kType, "--XyZ\r\nX-Long: " + std::string(100, 'x') + "\r\n" + kClose, "headers exceed 64 bytes", limits);
}

// --- hostile input ------------------------------------------------------------------

// Parsing either succeeds or throws a 400 Error: nothing else, and (under ASan) no
// out-of-bounds reads.
void expect_parses_or_400(std::string_view content_type, std::string_view body) {
  try {
    parse_multipart(content_type, body);
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 400);
  }
}

TEST(Multipart, EveryTruncationParsesOrFailsWith400) {
  const std::string body =
      "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"a\\\"b\"; "
      "filename*=UTF-8''%41%42\r\nContent-Type: x/y\r\n\r\n\0\r\n--XyZx\r\n" +
      field("b", "2") + "--XyZ--  \r\nepilogue"s;
  for (std::size_t n = 0; n <= body.size(); ++n) expect_parses_or_400(kType, body.substr(0, n));
  const std::string type = "multipart/form-data; a=\"q\\\"\"; boundary=\"XyZ\"";
  for (std::size_t n = 0; n <= type.size(); ++n) expect_parses_or_400(type.substr(0, n), body);
}

TEST(Multipart, RandomMutationsParseOrFailWith400) {
  const std::string seed_body = field("a", "1") +
                                "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\n\r\n" +
                                field("c", "--XyZ") + kClose;
  const std::string alphabet = "\r\n-XyZ\";=\\% :abc\0\t'*"s;
  std::mt19937 rng(12345);
  for (int i = 0; i < 20000; ++i) {
    std::string body = seed_body;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !body.empty(); ++e) {
      const std::size_t at = rng() % body.size();
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0:
          body[at] = c;
          break;
        case 1:
          body.insert(at, 1, c);
          break;
        default:
          body.erase(at, 1 + rng() % 8);
          break;
      }
    }
    expect_parses_or_400(kType, body);
  }
}

TEST(Multipart, ScansHostileBodiesInLinearTime) {
  // Millions of lines that almost start a delimiter: a quadratic scan would not finish.
  std::string lines;
  for (int i = 0; i < 1'000'000; ++i) lines += "\r\n--XyZ!";
  const std::string body = "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n" + lines + "\r\n" + kClose;
  const auto parts = parse_multipart(kType, body);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].data, lines);

  expect_400(kType, std::string(20u << 20, '\n'), "no opening boundary");
  expect_400(kType, "--XyZ" + std::string(20u << 20, ' '), "no opening boundary");
  expect_400(kType, "--XyZ\r\n" + std::string(20u << 20, '-'), "no closing boundary");
}

TEST(Multipart, ParsesAFiftyMebibyteFile) {
  std::string data(50u << 20, 'x');
  for (std::size_t i = 0; i < data.size(); i += 4096) data.replace(i, 8, "\r\n--XyZ-");
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"big.bin\"\r\n\r\n" + data + "\r\n" + kClose;
  const auto parts = parse_multipart(kType, body);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].data.size(), data.size());
  EXPECT_TRUE(parts[0].data == data);
}

}  // namespace
}  // namespace ticketly::http
