// Test-only RS256 signer over mbedTLS; see jwt_signer.h.
#include "support/jwt_signer.h"

#include <mbedtls/rsa.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/codec.h"
#include "core/rand.h"
#include "json/json.h"
#include "jwt/rsa_key.h"

namespace testing_support {

namespace {

[[noreturn]] void die(const char* what) {
  fprintf(stderr, "jwt_signer: %s\n", what);
  abort();
}

std::string b64(std::string_view s) {
  auto d = core::base64url_decode(s);
  if (!d.ok()) die("bad base64url in key");
  return *d;
}

int rng_cb(void* p, unsigned char* out, size_t len) {
  static_cast<core::Rng*>(p)->fill(out, len);
  return 0;
}

const unsigned char* u(const std::string& s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) die(("cannot read " + path).c_str());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

RsaPrivateJwk load_private_jwk(const std::string& path) {
  auto doc = json::parse(read_file(path));
  if (!doc.ok()) die("key file is not JSON");
  RsaPrivateJwk k;
  auto get = [&](const char* name) {
    auto v = json::get_string(doc->get(), name);
    if (!v) die(name);
    return std::string(*v);
  };
  k.kid = get("kid");
  k.n = get("n");
  k.e = get("e");
  k.d = get("d");
  k.p = get("p");
  k.q = get("q");
  return k;
}

std::string RsaPrivateJwk::public_jwk_json() const {
  return "{\"kty\":\"RSA\",\"use\":\"sig\",\"kid\":\"" + kid + "\",\"n\":\"" + n + "\",\"e\":\"" +
         e + "\"}";
}

std::string rs256_signature(const RsaPrivateJwk& key, std::string_view signing_input) {
  std::string n = b64(key.n), e = b64(key.e), d = b64(key.d), p = b64(key.p), q = b64(key.q);
  mbedtls_rsa_context ctx;
  mbedtls_rsa_init(&ctx);
  if (mbedtls_rsa_import_raw(&ctx, u(n), n.size(), u(p), p.size(), u(q), q.size(), u(d), d.size(),
                             u(e), e.size()) ||
      mbedtls_rsa_complete(&ctx))
    die("mbedTLS refused the private key");
  unsigned char hash[32];
  jwt::sha256(signing_input, hash);
  std::string sig(mbedtls_rsa_get_len(&ctx), '\0');
  core::SeededRng rng(1);  // blinding only; PKCS#1 v1.5 output does not depend on it
  if (mbedtls_rsa_pkcs1_sign(&ctx, rng_cb, &rng, MBEDTLS_MD_SHA256, 32, hash,
                             reinterpret_cast<unsigned char*>(sig.data())))
    die("sign failed");
  mbedtls_rsa_free(&ctx);
  return sig;
}

std::string sign_rs256(const RsaPrivateJwk& key, std::string_view header_json,
                       std::string_view payload_json) {
  std::string input =
      core::base64url_encode(header_json) + "." + core::base64url_encode(payload_json);
  return input + "." + core::base64url_encode(rs256_signature(key, input));
}

}  // namespace testing_support
