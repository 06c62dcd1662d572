// AES-256-GCM sealing and 0600 secret files; see secret_box.h. mbedTLS and errno codes are
// mapped here and nowhere else.
#include "store/secret_box.h"

#include <fcntl.h>
#include <mbedtls/gcm.h>
#include <mbedtls/platform_util.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/codec.h"
#include "core/limits.h"

namespace store {

namespace {

using core::Errc;
using core::make_error;

constexpr char kMagic[4] = {'T', 'C', 'S', 'B'};
constexpr uint8_t kVersion = 1;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr size_t kHeaderBytes = sizeof kMagic + 1 + kNonceBytes;

std::string associated_data(std::string_view label) {
  std::string ad(kMagic, sizeof kMagic);
  ad += static_cast<char>(kVersion);
  ad += label;
  return ad;
}

const unsigned char* u(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

struct Gcm {
  mbedtls_gcm_context ctx;
  Gcm() { mbedtls_gcm_init(&ctx); }
  ~Gcm() { mbedtls_gcm_free(&ctx); }
};

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

core::Result<SecretKey> SecretKey::from_base64(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.remove_suffix(1);
  auto raw = core::base64_decode(text);
  if (!raw.ok())
    return make_error(Errc::Config,
                      "CONNECTOR_ENCRYPTION_KEY is not valid base64 (generate one with: openssl "
                      "rand -base64 32)");
  if (raw->size() != 32) {
    mbedtls_platform_zeroize(raw->data(), raw->size());
    return make_error(
        Errc::Config,
        "CONNECTOR_ENCRYPTION_KEY must decode to exactly 32 bytes (openssl rand -base64 32)",
        static_cast<int>(raw->size()));
  }
  SecretKey k;
  memcpy(k.bytes_.data(), raw->data(), 32);
  mbedtls_platform_zeroize(raw->data(), raw->size());
  return k;
}

SecretKey SecretKey::from_bytes_for_test(const std::array<uint8_t, 32>& bytes) {
  SecretKey k;
  k.bytes_ = bytes;
  return k;
}

SecretKey::~SecretKey() { mbedtls_platform_zeroize(bytes_.data(), bytes_.size()); }

bool SecretBox::looks_sealed(std::string_view bytes) {
  return bytes.size() >= kHeaderBytes + kTagBytes &&
         memcmp(bytes.data(), kMagic, sizeof kMagic) == 0;
}

std::string SecretBox::seal(std::string_view plaintext, std::string_view label,
                            core::Rng& rng) const {
  std::string out(kMagic, sizeof kMagic);
  out += static_cast<char>(kVersion);
  unsigned char nonce[kNonceBytes];
  rng.fill(nonce, sizeof nonce);
  out.append(reinterpret_cast<char*>(nonce), sizeof nonce);
  size_t ct_at = out.size();
  out.resize(ct_at + plaintext.size() + kTagBytes);
  std::string ad = associated_data(label);
  Gcm gcm;
  unsigned char* base = reinterpret_cast<unsigned char*>(out.data());
  int rc = mbedtls_gcm_setkey(&gcm.ctx, MBEDTLS_CIPHER_ID_AES, key_.bytes().data(), 256);
  if (rc == 0)
    rc = mbedtls_gcm_crypt_and_tag(&gcm.ctx, MBEDTLS_GCM_ENCRYPT, plaintext.size(), nonce,
                                   sizeof nonce, u(ad), ad.size(), u(plaintext), base + ct_at,
                                   kTagBytes, base + ct_at + plaintext.size());
  // AES-GCM is compiled in and the arguments are ours: failure is a build defect.
  if (rc != 0) {
    fprintf(stderr, "fatal: AES-256-GCM unavailable (mbedTLS %d)\n", rc);
    abort();
  }
  return out;
}

core::Result<std::string> SecretBox::open(std::string_view sealed, std::string_view label) const {
  if (sealed.size() < kHeaderBytes + kTagBytes || memcmp(sealed.data(), kMagic, sizeof kMagic) != 0)
    return make_error(Errc::Corrupt, "sealed secret is truncated or not a sealed secret");
  if (static_cast<uint8_t>(sealed[sizeof kMagic]) != kVersion)
    return make_error(Errc::Corrupt, "unknown sealed secret version");
  const unsigned char* nonce = u(sealed) + sizeof kMagic + 1;
  size_t ct_len = sealed.size() - kHeaderBytes - kTagBytes;
  std::string_view ct = sealed.substr(kHeaderBytes, ct_len);
  const unsigned char* tag = u(sealed) + kHeaderBytes + ct_len;
  std::string ad = associated_data(label);
  std::string out(ct_len, '\0');
  Gcm gcm;
  int rc = mbedtls_gcm_setkey(&gcm.ctx, MBEDTLS_CIPHER_ID_AES, key_.bytes().data(), 256);
  if (rc == 0)
    rc = mbedtls_gcm_auth_decrypt(&gcm.ctx, ct_len, nonce, kNonceBytes, u(ad), ad.size(), tag,
                                  kTagBytes, u(ct), reinterpret_cast<unsigned char*>(out.data()));
  if (rc != 0) {
    mbedtls_platform_zeroize(out.data(), out.size());
    return make_error(Errc::Crypto, "wrong CONNECTOR_ENCRYPTION_KEY or tampered secret", rc);
  }
  return out;
}

core::Status write_secret_file(const std::string& path, std::string_view bytes) {
  std::string tmp = path + ".tmp.XXXXXX";
  Fd f;
  f.fd = mkostemp(tmp.data(), O_CLOEXEC);  // creates the file 0600
  if (f.fd < 0) return make_error(Errc::Io, "secret file: cannot create the temporary file", errno);
  auto fail = [&](const char* where) {
    int e = errno;
    unlink(tmp.c_str());
    return make_error(Errc::Io, where, e);
  };
  if (fchmod(f.fd, 0600) != 0) return fail("secret file: chmod 600 failed");
  if (!write_all(f.fd, bytes)) return fail("secret file: write failed");
  if (fsync(f.fd) != 0) return fail("secret file: fsync failed");
  if (close(f.fd) != 0) {
    f.fd = -1;
    return fail("secret file: close failed");
  }
  f.fd = -1;
  if (rename(tmp.c_str(), path.c_str()) != 0) return fail("secret file: rename into place failed");
  // The rename is durable only once the directory entry is on disk.
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  Fd d;
  d.fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d.fd < 0 || fsync(d.fd) != 0)
    return make_error(Errc::Io, "secret file: fsync of the directory failed", errno);
  return core::ok_status();
}

core::Result<std::string> read_secret_file(const std::string& path) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (f.fd < 0) {
    if (errno == ENOENT) return make_error(Errc::NotFound, "secret file does not exist");
    if (errno == ELOOP)
      return make_error(Errc::Config, "secret file is a symbolic link; refusing to follow it");
    return make_error(Errc::Io, "secret file: cannot open", errno);
  }
  struct stat st;
  if (fstat(f.fd, &st) != 0) return make_error(Errc::Io, "secret file: stat failed", errno);
  if (!S_ISREG(st.st_mode)) return make_error(Errc::Config, "secret file is not a regular file");
  if (st.st_uid != geteuid())
    return make_error(Errc::Config, "secret file is owned by another user");
  if ((st.st_mode & 077) != 0)
    return make_error(Errc::Config,
                      "secret file is accessible by group or others; run chmod 600 on it",
                      static_cast<int>(st.st_mode & 0777));
  if (static_cast<uint64_t>(st.st_size) > core::limits::kMaxSecretFileBytes)
    return make_error(Errc::TooLarge, "secret file larger than 64 KiB");
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = read(f.fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(Errc::Io, "secret file: read failed", errno);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

core::Status store_secret(const std::string& path, std::string_view label, std::string_view value,
                          const SecretBox* box, core::Rng& rng) {
  if (!box) return write_secret_file(path, value);
  std::string sealed = box->seal(value, label, rng);
  return write_secret_file(path, sealed);
}

core::Result<std::string> load_secret(const std::string& path, std::string_view label,
                                      const SecretBox* box, bool* was_plain) {
  *was_plain = false;
  auto raw = read_secret_file(path);
  if (!raw.ok()) return raw.error();
  bool sealed = SecretBox::looks_sealed(*raw);
  if (sealed && !box)
    return make_error(
        Errc::Config,
        "secret file is encrypted; set CONNECTOR_ENCRYPTION_KEY to the key it was sealed with");
  if (!sealed) {
    *was_plain = box != nullptr;
    return raw;
  }
  auto plain = box->open(*raw, label);
  mbedtls_platform_zeroize(raw->data(), raw->size());
  return plain;
}

}  // namespace store
