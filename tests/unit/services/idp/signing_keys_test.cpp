#include "services/idp/signing_keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "platform/crypto/crypto.h"
#include "services/idp/client_secrets.h"
#include "services/idp/idp_service.h"

namespace ticketly::idp {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ticketly-idp-test-" + crypto::hex_encode(crypto::random_bytes(6)));
  }
  void TearDown() override { fs::remove_all(dir_); }
  unsigned mode(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 0777;
  }
  fs::path dir_;
};

using SigningKeys = TempDir;
using ClientSecrets = TempDir;

TEST_F(SigningKeys, AreCreatedOnceOwnerOnlyAndReused) {
  auto first = SigningKey::load_or_create(dir_ / "data");
  EXPECT_EQ(mode(dir_ / "data" / "idp"), 0700u);
  EXPECT_EQ(mode(signing_key_path(dir_ / "data")), 0600u);
  auto second = SigningKey::load_or_create(dir_ / "data");
  EXPECT_EQ(first.kid(), second.kid());
  EXPECT_EQ(first.jwks_json(), jwks_json((dir_ / "data").string()));
}

TEST_F(SigningKeys, KidIsDerivedFromTheModulus) {
  auto key = SigningKey::load_or_create(dir_);
  const auto& jwk = key.public_jwk();
  EXPECT_EQ(jwk["kty"], "RSA");
  EXPECT_EQ(jwk["alg"], "RS256");
  EXPECT_EQ(jwk["use"], "sig");
  EXPECT_EQ(key.kid().size(), 16u);
  EXPECT_EQ(key.kid(), crypto::base64url_encode(crypto::sha256(jwk["n"].get<std::string>())).substr(0, 16));
  EXPECT_EQ(jwk["kid"], key.kid());
  auto jwks = Json::parse(key.jwks_json());
  ASSERT_EQ(jwks["keys"].size(), 1u);
  EXPECT_EQ(jwks["keys"][0], jwk);
}

TEST_F(SigningKeys, SignedTokensVerifyWithThePublishedJwkAndTamperingFails) {
  auto key = SigningKey::load_or_create(dir_);
  std::string token = key.sign({{"sub", "x"}, {"typ", "Bearer"}});
  auto claims = key.verify(token);
  ASSERT_TRUE(claims);
  EXPECT_EQ((*claims)["sub"], "x");

  // Independently of SigningKey: the JWKS member verifies the signature.
  const auto& jwk = key.public_jwk();
  auto pub = crypto::public_key_from_jwk("RSA", jwk["n"].get<std::string>(), jwk["e"].get<std::string>());
  ASSERT_TRUE(pub);
  auto dot = token.rfind('.');
  EXPECT_TRUE(crypto::verify_rs256(pub.get(), token.substr(0, dot), *crypto::base64url_decode(token.substr(dot + 1))));
  auto header = Json::parse(*crypto::base64url_decode(token.substr(0, token.find('.'))));
  EXPECT_EQ(header, Json({{"alg", "RS256"}, {"typ", "JWT"}, {"kid", key.kid()}}));

  std::string forged = token;
  forged[token.find('.') + 3] ^= 1;
  EXPECT_FALSE(key.verify(forged));
  EXPECT_FALSE(key.verify("a.b"));
  EXPECT_FALSE(key.verify(""));
  std::string none =
      crypto::base64url_encode(R"({"alg":"none"})") + "." + crypto::base64url_encode(R"({"sub":"x"})") + ".";
  EXPECT_FALSE(key.verify(none));
  auto other = SigningKey::load_or_create(dir_ / "other");
  EXPECT_FALSE(other.verify(token));
}

TEST_F(SigningKeys, ConcurrentFirstStartsAgreeOnOneKey) {
  std::vector<std::string> kids(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < kids.size(); ++i) {
    threads.emplace_back([&, i] { kids[i] = SigningKey::load_or_create(dir_).kid(); });
  }
  for (auto& t : threads) t.join();
  for (const auto& k : kids) EXPECT_EQ(k, kids[0]);
}

TEST_F(ClientSecrets, AreGeneratedOnceIntoAnOwnerOnlyFile) {
  auto source = config::Source::from_map({{"TICKETLY_DATA_DIR", dir_.string()}});
  std::string a = client_secret(source, "order-service");
  EXPECT_GE(a.size(), 40u);
  EXPECT_EQ(client_secret(source, "order-service"), a);
  EXPECT_NE(client_secret(source, "scheduler-service"), a);
  EXPECT_EQ(client_secret(source, "order-service"), a);  // adding another kept the first
  auto file = dir_ / "idp" / "client-secrets.json";
  EXPECT_EQ(mode(file), 0600u);
  std::ifstream in(file);
  auto stored = Json::parse(in);
  EXPECT_EQ(stored["order-service"], a);
}

TEST_F(ClientSecrets, EnvironmentOverridesTheFile) {
  EXPECT_EQ(secret_override_key("event-command-service"), "TICKETLY_IDP_SECRET_EVENT_COMMAND_SERVICE");
  auto source = config::Source::from_map(
      {{"TICKETLY_DATA_DIR", dir_.string()}, {"TICKETLY_IDP_SECRET_ORDER_SERVICE", "from-env"}});
  EXPECT_EQ(client_secret(source, "order-service"), "from-env");
  EXPECT_FALSE(fs::exists(dir_ / "idp" / "client-secrets.json"));
}

TEST_F(ClientSecrets, ACorruptFileIsReportedNotReplaced) {
  fs::create_directories(dir_ / "idp");
  { std::ofstream(dir_ / "idp" / "client-secrets.json") << "not json"; }
  auto source = config::Source::from_map({{"TICKETLY_DATA_DIR", dir_.string()}});
  EXPECT_THROW(client_secret(source, "order-service"), std::runtime_error);
}

}  // namespace
}  // namespace ticketly::idp
