// Secrets at rest: key parsing, AES-256-GCM seal/open (wrong key, tamper, label binding), and
// 0600 secret files whose bytes never contain the secret when a key is set.
#include "store/secret_box.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/codec.h"
#include "core/limits.h"
#include "support/jwt_signer.h"
#include "support/subprocess.h"

using namespace store;
namespace ts = testing_support;

namespace {

SecretKey key(uint8_t fill) {
  std::array<uint8_t, 32> b;
  b.fill(fill);
  return SecretKey::from_bytes_for_test(b);
}

mode_t mode_of(const std::string& path) {
  struct stat st;
  EXPECT_EQ(stat(path.c_str(), &st), 0);
  return st.st_mode & 0777;
}

constexpr char kSecret[] = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw";

}  // namespace

TEST(SecretKey, ParsesExactly32BytesOfBase64) {
  auto k = SecretKey::from_base64(core::base64_encode(std::string(32, '\x07')) + "\n");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->bytes()[0], 7);
  auto short_key = SecretKey::from_base64(core::base64_encode(std::string(16, 'a')));
  EXPECT_EQ(short_key.error().code, core::Errc::Config);
  EXPECT_NE(std::string(short_key.error().where)
                .find("CONNECTOR_ENCRYPTION_KEY must decode to exactly 32 bytes"),
            std::string::npos);
  EXPECT_EQ(short_key.error().detail, 16);
  EXPECT_FALSE(SecretKey::from_base64(core::base64_encode(std::string(33, 'a'))).ok());
  auto junk = SecretKey::from_base64("not base64!");
  EXPECT_NE(std::string(junk.error().where).find("CONNECTOR_ENCRYPTION_KEY is not valid base64"),
            std::string::npos);
}

TEST(SecretBox, SealOpenRoundTripWithRandomNonces) {
  SecretBox box(key(1));
  core::SeededRng rng(3);
  std::string a = box.seal(kSecret, "twitter-api-secret", rng);
  std::string b = box.seal(kSecret, "twitter-api-secret", rng);
  EXPECT_NE(a, b);  // fresh nonce each time
  EXPECT_EQ(a.size(), 4 + 1 + 12 + strlen(kSecret) + 16);
  EXPECT_EQ(a.find(kSecret), std::string::npos);
  EXPECT_TRUE(SecretBox::looks_sealed(a));
  auto back = box.open(a, "twitter-api-secret");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, kSecret);
  auto empty = box.open(box.seal("", "x", rng), "x");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");
}

TEST(SecretBox, WrongKeyTamperAndLabelFail) {
  SecretBox box(key(1)), other(key(2));
  core::SeededRng rng(4);
  std::string s = box.seal(kSecret, "aad-app-secret", rng);
  auto wrong = other.open(s, "aad-app-secret");
  EXPECT_EQ(wrong.error().code, core::Errc::Crypto);
  EXPECT_STREQ(wrong.error().where, "wrong CONNECTOR_ENCRYPTION_KEY or tampered secret");
  EXPECT_EQ(box.open(s, "twitter-api-secret").error().code,
            core::Errc::Crypto);  // moved to another file
  for (size_t i = 0; i < s.size(); ++i) {
    std::string t = s;
    t[i] = static_cast<char>(t[i] ^ 0x01);
    EXPECT_FALSE(box.open(t, "aad-app-secret").ok()) << i;
  }
  EXPECT_EQ(box.open(s.substr(0, 20), "aad-app-secret").error().code, core::Errc::Corrupt);
  std::string v2 = s;
  v2[4] = 2;
  EXPECT_STREQ(box.open(v2, "aad-app-secret").error().where, "unknown sealed secret version");
}

TEST(SecretFile, WrittenAtomically0600AndReadBack) {
  ts::TempDir dir;
  std::string path = dir.path() + "/twitter-api-secret";
  mode_t old_mask = umask(0);  // even with a permissive umask the file must be 0600
  ASSERT_TRUE(write_secret_file(path, kSecret).ok());
  umask(old_mask);
  EXPECT_EQ(mode_of(path), 0600u);
  auto back = read_secret_file(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, kSecret);
  ASSERT_TRUE(write_secret_file(path, "replaced").ok());
  EXPECT_EQ(*read_secret_file(path), "replaced");
  EXPECT_EQ(mode_of(path), 0600u);
  // No temporary files are left behind.
  int entries = 0;
  if (DIR* d = opendir(dir.path().c_str())) {
    while (dirent* e = readdir(d)) entries += e->d_name[0] != '.';
    closedir(d);
  }
  EXPECT_EQ(entries, 1);
}

TEST(SecretFile, RefusesLooseModesLinksAndHugeFiles) {
  ts::TempDir dir;
  std::string path = dir.path() + "/s";
  ASSERT_TRUE(write_secret_file(path, "x").ok());
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  auto r = read_secret_file(path);
  EXPECT_EQ(r.error().code, core::Errc::Config);
  EXPECT_STREQ(r.error().where,
               "secret file is accessible by group or others; run chmod 600 on it");
  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  EXPECT_FALSE(read_secret_file(path).ok());
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  EXPECT_TRUE(read_secret_file(path).ok());
  std::string link = dir.path() + "/link";
  ASSERT_EQ(symlink(path.c_str(), link.c_str()), 0);
  EXPECT_EQ(read_secret_file(link).error().code, core::Errc::Config);
  EXPECT_EQ(read_secret_file(dir.path() + "/absent").error().code, core::Errc::NotFound);
  EXPECT_EQ(read_secret_file(dir.path()).error().code, core::Errc::Config);
  ASSERT_TRUE(
      write_secret_file(path, std::string(core::limits::kMaxSecretFileBytes + 1, 'a')).ok());
  EXPECT_EQ(read_secret_file(path).error().code, core::Errc::TooLarge);
  EXPECT_EQ(write_secret_file(dir.path() + "/missing-dir/s", "x").error().code, core::Errc::Io);
}

TEST(SecretFile, StoredBytesDoNotContainTheSecretWhenEncrypted) {
  ts::TempDir dir;
  std::string path = dir.path() + "/twitter-access-token-secret";
  SecretBox box(key(9));
  core::SeededRng rng(5);
  ASSERT_TRUE(store_secret(path, "twitter-access-token-secret", kSecret, &box, rng).ok());
  std::string raw = ts::read_file(path);
  EXPECT_EQ(raw.find(kSecret), std::string::npos);
  EXPECT_EQ(raw.find(core::base64_encode(kSecret)), std::string::npos);
  EXPECT_EQ(raw.find(core::hex_encode(kSecret)), std::string::npos);
  EXPECT_EQ(mode_of(path), 0600u);
  bool was_plain = true;
  auto back = load_secret(path, "twitter-access-token-secret", &box, &was_plain);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, kSecret);
  EXPECT_FALSE(was_plain);
  // Without the key the file cannot be used, and the message says what to set.
  auto no_key = load_secret(path, "twitter-access-token-secret", nullptr, &was_plain);
  EXPECT_EQ(no_key.error().code, core::Errc::Config);
  EXPECT_NE(std::string(no_key.error().where).find("CONNECTOR_ENCRYPTION_KEY"), std::string::npos);
  SecretBox wrong(key(10));
  EXPECT_EQ(load_secret(path, "twitter-access-token-secret", &wrong, &was_plain).error().code,
            core::Errc::Crypto);
}

TEST(SecretFile, PlainStorageWithoutKeyAndMigrationFlag) {
  ts::TempDir dir;
  std::string path = dir.path() + "/s";
  core::SeededRng rng(6);
  ASSERT_TRUE(store_secret(path, "s", kSecret, nullptr, rng).ok());
  EXPECT_EQ(mode_of(path), 0600u);
  bool was_plain = true;
  EXPECT_EQ(*load_secret(path, "s", nullptr, &was_plain), kSecret);
  EXPECT_FALSE(was_plain);
  SecretBox box(key(1));
  EXPECT_EQ(*load_secret(path, "s", &box, &was_plain), kSecret);
  EXPECT_TRUE(was_plain);  // the caller re-seals it
}
