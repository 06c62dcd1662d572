# Builds the four C libraries from the verified sources unpacked by fetch.sh into static
# archives under $(OUT). Invoked by the top-level Makefile after fetch.sh has run, so the
# wildcards below see the unpacked trees. Flags come from the caller (size-optimised release
# build, or the sanitizer build).
SRC ?= build/third_party/src
OUT ?= build/lib
CC ?= cc
AR ?= ar
TP_CFLAGS ?= -Os
MBEDTLS_CONFIG ?= $(CURDIR)/third_party/mbedtls_config.h

uv_src := $(addprefix $(SRC)/libuv/src/, fs-poll.c idna.c inet.c random.c strscpy.c strtok.c \
  thread-common.c threadpool.c timer.c uv-common.c uv-data-getter-setters.c version.c) \
  $(addprefix $(SRC)/libuv/src/unix/, async.c core.c dl.c fs.c getaddrinfo.c getnameinfo.c \
  loop-watcher.c loop.c pipe.c poll.c process.c random-devurandom.c signal.c stream.c tcp.c \
  thread.c tty.c udp.c proctitle.c linux.c procfs-exepath.c random-getrandom.c \
  random-sysctl-linux.c)
mbedcrypto_names := aes aesni aesce aria asn1parse asn1write base64 bignum bignum_core \
  bignum_mod bignum_mod_raw block_cipher camellia ccm chacha20 chachapoly cipher cipher_wrap \
  cmac constant_time ctr_drbg des dhm ecdh ecdsa ecjpake ecp ecp_curves ecp_curves_new entropy \
  entropy_poll error gcm hkdf hmac_drbg lmots lms md md5 memory_buffer_alloc nist_kw oid \
  padlock pem pk pk_ecc pk_wrap pkcs12 pkcs5 pkparse pkwrite platform platform_util poly1305 \
  psa_crypto psa_crypto_aead psa_crypto_cipher psa_crypto_client psa_crypto_driver_wrappers_no_static \
  psa_crypto_ecp psa_crypto_ffdh psa_crypto_hash psa_crypto_mac psa_crypto_pake psa_crypto_random psa_crypto_rsa \
  psa_crypto_se psa_crypto_slot_management psa_crypto_storage psa_its_file psa_util ripemd160 \
  rsa rsa_alt_helpers sha1 sha256 sha3 sha512 threading timing version version_features
mbedx509_names := pkcs7 x509 x509_create x509_crl x509_crt x509_csr x509write x509write_crt \
  x509write_csr
mbedtls_names := debug mps_reader mps_trace net_sockets ssl_cache ssl_ciphersuites ssl_client \
  ssl_cookie ssl_debug_helpers_generated ssl_msg ssl_ticket ssl_tls ssl_tls12_client \
  ssl_tls12_server ssl_tls13_keys ssl_tls13_client ssl_tls13_server ssl_tls13_generic
cjson_src := $(SRC)/cjson/cJSON.c
llhttp_src := $(addprefix $(SRC)/llhttp/src/, api.c http.c llhttp.c)

# The handshake's public-key arithmetic (ECDHE key agreement, ECDSA/RSA signature checks) and
# the hashes on every record run in these files; at -Os they made a full TLS 1.3 handshake cost
# several times more CPU than at -O2 (docs/performance.md, "TLS handshake CPU"). Only the
# release build (-Os) is changed; the sanitizer build keeps its own flags.
mbed_hot_names := bignum bignum_core ecp ecp_curves ecdh ecdsa rsa sha256 sha512
MBED_HOT_CFLAGS ?= -O2
mbed_hot_flags := $(if $(findstring -Os,$(TP_CFLAGS)),$(MBED_HOT_CFLAGS))

obj = $(patsubst $(SRC)/%.c,$(OUT)/obj/%.o,$(1))
mb = $(call obj,$(addprefix $(SRC)/mbedtls/library/,$(addsuffix .c,$(1))))

libs := $(OUT)/libuv.a $(OUT)/libmbedcrypto.a $(OUT)/libmbedx509.a $(OUT)/libmbedtls.a \
  $(OUT)/libcjson.a $(OUT)/libllhttp.a
all: $(libs)

$(OUT)/libuv.a: $(call obj,$(uv_src))
$(OUT)/libmbedcrypto.a: $(call mb,$(mbedcrypto_names))
$(OUT)/libmbedx509.a: $(call mb,$(mbedx509_names))
$(OUT)/libmbedtls.a: $(call mb,$(mbedtls_names))
$(OUT)/libcjson.a: $(call obj,$(cjson_src))
$(OUT)/libllhttp.a: $(call obj,$(llhttp_src))
$(libs):
	@rm -f $@
	$(AR) rcs $@ $^

$(OUT)/obj/libuv/%.o: $(SRC)/libuv/%.c
	@mkdir -p $(dir $@)
	$(CC) $(TP_CFLAGS) -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -D_LARGEFILE_SOURCE \
	  -I$(SRC)/libuv/include -I$(SRC)/libuv/src -w -c $< -o $@
$(call mb,$(mbed_hot_names)): HOT_CFLAGS := $(mbed_hot_flags)
$(OUT)/obj/mbedtls/%.o: $(SRC)/mbedtls/%.c $(MBEDTLS_CONFIG)
	@mkdir -p $(dir $@)
	$(CC) $(TP_CFLAGS) $(HOT_CFLAGS) '-DMBEDTLS_CONFIG_FILE="$(MBEDTLS_CONFIG)"' \
	  -I$(SRC)/mbedtls/include -I$(SRC)/mbedtls/library -c $< -o $@
$(OUT)/obj/cjson/%.o: $(SRC)/cjson/%.c
	@mkdir -p $(dir $@)
	$(CC) $(TP_CFLAGS) -I$(SRC)/cjson -c $< -o $@
$(OUT)/obj/llhttp/%.o: $(SRC)/llhttp/%.c
	@mkdir -p $(dir $@)
	$(CC) $(TP_CFLAGS) -I$(SRC)/llhttp/include -c $< -o $@
