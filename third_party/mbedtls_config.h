/* Minimal mbedTLS 3.6 configuration for twitter-connector.
 *
 * The product is a TLS *client* only (App Service or a reverse proxy terminates inbound TLS),
 * talking to Twitter/X, Azure AD, Azure Blob Storage and the M365 Event API. It needs:
 *   - TLS 1.2 and 1.3 client, SNI, full X.509 chain verification;
 *   - RSA (PKCS#1 v1.5 and PSS: PSS is mandatory for TLS 1.3 with RSA certificates) and
 *     ECDSA certificates on P-256/P-384; ECDHE on X25519 (most servers' first choice),
 *     P-256 and P-384;
 *   - AES-GCM and ChaCha20-Poly1305 AEAD suites only (no CBC, no RC4, no static RSA kx);
 *   - SHA-1 (OAuth 1.0a HMAC-SHA1, old intermediates), SHA-2 family, HKDF (TLS 1.3);
 *   - RSA signature verification for AAD JWTs (RS256), AES-256-GCM for secrets at rest.
 * Everything else is off to keep the static binary small. Our own code is compiled with the
 * same MBEDTLS_CONFIG_FILE because the library's headers depend on it.
 */
#ifndef TC_MBEDTLS_CONFIG_H
#define TC_MBEDTLS_CONFIG_H

/* System support */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
#define MBEDTLS_FS_IO
#define MBEDTLS_AESNI_C

/* Hashes and MACs */
#define MBEDTLS_MD_C
#define MBEDTLS_SHA1_C
#define MBEDTLS_SHA224_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C
#define MBEDTLS_HKDF_C

/* Ciphers */
#define MBEDTLS_CIPHER_C
#define MBEDTLS_AES_C
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C

/* Randomness */
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_CTR_DRBG_C

/* Public key */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C

/* X.509 */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT

/* PSA crypto: the TLS 1.3 key schedule runs on it. */
#define MBEDTLS_PSA_CRYPTO_C

/* TLS client */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE
#define MBEDTLS_SSL_ALL_ALERT_MESSAGES

/* Human-readable error strings for the messages we show admins. */
#define MBEDTLS_ERROR_C
#define MBEDTLS_VERSION_C

#endif /* TC_MBEDTLS_CONFIG_H */
