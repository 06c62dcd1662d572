// Secrets at rest: AES-256-GCM sealing (NIST SP 800-38D) with the key from
// CONNECTOR_ENCRYPTION_KEY, and 0600 secret files written atomically. Sealed format:
//   "TCSB" | version (1) | nonce (12, random) | ciphertext | tag (16)
// The magic, the version and a caller label (which secret this is) are authenticated as
// associated data, so a sealed value moved to another file fails to open.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/rand.h"
#include "core/result.h"

namespace store {

inline constexpr char kEncryptionKeyEnv[] = "CONNECTOR_ENCRYPTION_KEY";

class SecretKey {
 public:
  // Base64 (standard alphabet) of exactly 32 bytes. Errc::Config with a where naming
  // CONNECTOR_ENCRYPTION_KEY and what is wrong (not base64 / wrong length).
  static core::Result<SecretKey> from_base64(std::string_view text);
  static SecretKey from_bytes_for_test(const std::array<uint8_t, 32>& bytes);
  ~SecretKey();
  SecretKey(const SecretKey&) = default;
  SecretKey& operator=(const SecretKey&) = default;
  const std::array<uint8_t, 32>& bytes() const { return bytes_; }

 private:
  SecretKey() = default;
  std::array<uint8_t, 32> bytes_{};
};

class SecretBox {
 public:
  explicit SecretBox(const SecretKey& key) : key_(key) {}

  // Seals plaintext for `label` (e.g. "twitter-api-secret"); the nonce comes from rng, which
  // must be the system CSPRNG outside tests.
  std::string seal(std::string_view plaintext, std::string_view label, core::Rng& rng) const;
  // Errors: Errc::Corrupt "sealed secret is truncated" / "unknown sealed secret version";
  // Errc::Crypto "wrong CONNECTOR_ENCRYPTION_KEY or tampered secret" when authentication fails
  // (GCM cannot tell the two apart).
  core::Result<std::string> open(std::string_view sealed, std::string_view label) const;
  static bool looks_sealed(std::string_view bytes);

 private:
  SecretKey key_;
};

// Writes bytes to path atomically with mode 0600: a temp file created 0600 in the same
// directory, fsync, rename over path, fsync of the directory. Errc::Io with detail = errno and
// where naming the step that failed.
core::Status write_secret_file(const std::string& path, std::string_view bytes);

// Reads a secret file, refusing (Errc::Config) one that is not a regular file, is owned by
// another user, or is readable/writable by group or others ("chmod 600" fixes it);
// Errc::NotFound when absent; Errc::TooLarge past limits::kMaxSecretFileBytes.
core::Result<std::string> read_secret_file(const std::string& path);

// A secret value stored under label at path: sealed when box is set, plain otherwise.
core::Status store_secret(const std::string& path, std::string_view label, std::string_view value,
                          const SecretBox* box, core::Rng& rng);
// Reads it back. A sealed file without a box is Errc::Config ("set CONNECTOR_ENCRYPTION_KEY");
// a plain file with a box is returned as is with *was_plain = true so the caller re-seals it.
core::Result<std::string> load_secret(const std::string& path, std::string_view label,
                                      const SecretBox* box, bool* was_plain);

}  // namespace store
