# twitter-connector: one static binary. See docs/architecture.md and README.md.
#
# Targets: all (static, stripped, -Os) · run · test · test-unit · test-integration · test-e2e
#          test-browser · sanitize · fuzz · bench · check · size · docker · clean
# Variables: CXX, CC, CXXFLAGS, BUILD (default build/), SANITIZE=1 (dynamic ASan+UBSan), V=1.

BUILD ?= build
CC ?= cc
CXX ?= g++
SANITIZE ?=
V ?=
Q := $(if $(V),,@)

TP_SRC := $(BUILD)/third_party/src
TP_LIB := $(BUILD)/lib
MBEDTLS_CONFIG := $(CURDIR)/third_party/mbedtls_config.h

ifeq ($(SANITIZE),1)
  # vptr checks need RTTI, which src/ is built without (-fno-rtti); tests would fail to link.
  OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize=vptr \
    -fno-sanitize-recover=undefined $(if $(FUZZ),-fsanitize=fuzzer-no-link)
  LINK_MODE :=
  STRIP :=
else
  OPT := -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables
  LINK_MODE := -static
  STRIP := -s
endif

TP_CFLAGS := $(OPT)
INCLUDES := -Isrc -I$(TP_SRC)/libuv/include -I$(TP_SRC)/mbedtls/include -I$(TP_SRC)/cjson \
  -I$(TP_SRC)/llhttp/include
DEFINES := '-DMBEDTLS_CONFIG_FILE="$(MBEDTLS_CONFIG)"' \
  -DTC_VERSION='"$(shell cat VERSION 2>/dev/null || echo 0.0.0)"'
CXXFLAGS ?=
SRC_CXXFLAGS := -std=c++20 $(OPT) -fno-exceptions -fno-rtti -Wall -Wextra -Werror \
  -Wno-missing-field-initializers $(INCLUDES) $(DEFINES) $(CXXFLAGS)
TEST_CXXFLAGS := -std=c++20 $(OPT) -Wall -Wextra -Wno-missing-field-initializers \
  $(INCLUDES) -Itests $(DEFINES) $(CXXFLAGS)
,:= ,
LDFLAGS_BIN := $(LINK_MODE) $(STRIP) -Wl,--gc-sections $(if $(SANITIZE),-fsanitize=address$(,)undefined)

TP_LIBS := $(TP_LIB)/libmbedtls.a $(TP_LIB)/libmbedx509.a $(TP_LIB)/libmbedcrypto.a \
  $(TP_LIB)/libuv.a $(TP_LIB)/libcjson.a $(TP_LIB)/libllhttp.a
TP_STAMP := $(TP_SRC)/.fetched

SRCS := $(shell find src -name '*.cc' ! -path src/main.cc 2>/dev/null | sort)
OBJS := $(patsubst src/%.cc,$(BUILD)/obj/%.o,$(SRCS))
LIB := $(BUILD)/libtc.a
BIN := $(BUILD)/twitter-connector
WEB_ASSETS := $(shell find src/web/assets -type f 2>/dev/null | LC_ALL=C sort)

UNIT_SRCS := $(shell find tests/unit -name '*.cc' 2>/dev/null | sort)
INTEG_SRCS := $(shell find tests/integration -name '*.cc' 2>/dev/null | sort)
E2E_SRCS := $(shell find tests/e2e -name '*.cc' 2>/dev/null | sort)
SUPPORT_SRCS := $(shell find tests/support -name '*.cc' 2>/dev/null | sort)
FUZZ_TARGETS := $(patsubst tests/fuzz/%_fuzz.cc,%,$(wildcard tests/fuzz/*_fuzz.cc))
UNIT_BIN := $(BUILD)/tests/unit_tests
INTEG_BIN := $(BUILD)/tests/integration_tests
E2E_BIN := $(BUILD)/tests/e2e_tests
FUZZ_REPLAY := $(addprefix $(BUILD)/tests/fuzz_replay_,$(FUZZ_TARGETS))
GTEST_LIBS := -lgtest -lpthread

# Keep intermediate objects (fuzz drivers) so a second `make test` relinks nothing.
.SECONDARY:

.PHONY: all run test test-unit test-integration test-e2e test-browser sanitize fuzz bench check \
  size docker clean \
  third_party test-bins
all: $(BIN)

# --- third-party libraries: fetched, verified, built statically --------------------------
$(TP_STAMP): third_party/fetch.sh third_party/versions.txt $(wildcard third_party/*.patch)
	$(Q)sh third_party/fetch.sh $(TP_SRC)
	$(Q)touch $@
$(TP_LIBS) &: $(TP_STAMP) third_party/libs.mk $(MBEDTLS_CONFIG)
	$(Q)$(MAKE) --no-print-directory -f third_party/libs.mk SRC=$(TP_SRC) OUT=$(TP_LIB) \
	  CC="$(CC)" TP_CFLAGS="$(TP_CFLAGS)" MBEDTLS_CONFIG=$(MBEDTLS_CONFIG) $(if $(V),,-s)
third_party: $(TP_LIBS)

# --- our code ------------------------------------------------------------------------------
$(BUILD)/obj/%.o: src/%.cc $(TP_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CXX     $<")
	$(Q)$(CXX) $(SRC_CXXFLAGS) -MMD -MP -c $< -o $@
# The CA bundle compiled into the binary (used when neither CONNECTOR_CA_FILE nor the system
# bundle exists, e.g. in a scratch container). Empty if the build host has no bundle. Stored as
# concatenated DER (each PEM body base64-decoded with coreutils; no openssl needed): 28% smaller
# than the PEM text and parsed in place, without a heap copy (tls/client_config.cc).
CA_BUNDLE ?= /etc/ssl/certs/ca-certificates.crt
GEN_OBJS := $(BUILD)/obj/gen/ca_bundle_der.o $(BUILD)/obj/gen/web_assets.o
$(BUILD)/gen/ca_bundle.der: $(wildcard $(CA_BUNDLE)) Makefile
	@mkdir -p $(dir $@)
	$(Q): > $@.tmp; $(if $(wildcard $(CA_BUNDLE)),awk '/^-----BEGIN CERTIFICATE-----/ {b = ""; on = 1; next} \
	  /^-----END CERTIFICATE-----/ {print b; on = 0; next} on {b = b $$0}' $(CA_BUNDLE) | \
	  while read -r b64; do printf '%s\n' "$$b64" | base64 -d >> $@.tmp || exit 1; done &&) mv $@.tmp $@
$(BUILD)/gen/ca_bundle_der.cc: $(BUILD)/gen/ca_bundle.der
	$(Q){ printf '// Generated from %s (DER certificates, concatenated); do not edit.\nextern "C" {\nextern const unsigned char tc_embedded_ca_bundle[] = {\n' '$(CA_BUNDLE)'; \
	  od -An -v -tu1 $< | sed 's/  */,/g; s/^,//; s/$$/,/'; \
	  printf '0};\nextern const unsigned long tc_embedded_ca_bundle_size = sizeof tc_embedded_ca_bundle - 1;\n}\n'; } > $@.tmp && mv $@.tmp $@
# The admin pages (src/web/assets) compiled in as byte arrays; the directory is a prerequisite
# so adding or removing a file regenerates the table.
$(BUILD)/gen/web_assets.cc: $(WEB_ASSETS) src/web/assets src/web/embed_assets.sh
	@mkdir -p $(dir $@)
	$(Q)sh src/web/embed_assets.sh src/web/assets $(WEB_ASSETS) > $@.tmp && mv $@.tmp $@
$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.cc
	@mkdir -p $(dir $@)
	$(Q)$(CXX) $(SRC_CXXFLAGS) -c $< -o $@
$(LIB): $(OBJS) $(GEN_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^
$(BIN): $(BUILD)/obj/main.o $(LIB) $(TP_LIBS)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CXX) $(SRC_CXXFLAGS) $< $(LIB) $(TP_LIBS) $(LDFLAGS_BIN) -o $@ 2>&1 | \
	  { grep -v -e "in statically linked applications requires at runtime" \
	    -e 'libuv.a(.*): in function' || true; }
	$(Q)test -x $@

# --- tests -----------------------------------------------------------------------------
$(BUILD)/tobj/%.o: tests/%.cc $(TP_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CXX     $<")
	$(Q)$(CXX) $(TEST_CXXFLAGS) -MMD -MP -c $< -o $@
tobj = $(patsubst tests/%.cc,$(BUILD)/tobj/%.o,$(1))
$(UNIT_BIN): $(call tobj,$(UNIT_SRCS) $(SUPPORT_SRCS)) $(LIB) $(TP_LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(CXX) $(TEST_CXXFLAGS) $^ $(GTEST_LIBS) -lgtest_main $(if $(SANITIZE),-fsanitize=address$(,)undefined) -o $@
$(INTEG_BIN): $(call tobj,$(INTEG_SRCS) $(SUPPORT_SRCS)) $(LIB) $(TP_LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(CXX) $(TEST_CXXFLAGS) $^ $(GTEST_LIBS) -lgtest_main $(if $(SANITIZE),-fsanitize=address$(,)undefined) -o $@
$(E2E_BIN): $(call tobj,$(E2E_SRCS) $(SUPPORT_SRCS)) $(LIB) $(TP_LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(CXX) $(TEST_CXXFLAGS) $^ $(GTEST_LIBS) -lgtest_main $(if $(SANITIZE),-fsanitize=address$(,)undefined) -o $@
$(BUILD)/tests/fuzz_replay_%: $(BUILD)/tobj/fuzz/%_fuzz.o $(BUILD)/tobj/fuzz/replay_main.o $(LIB) $(TP_LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(CXX) $(TEST_CXXFLAGS) $^ $(if $(SANITIZE),-fsanitize=address$(,)undefined) -o $@

test-bins: $(BIN) $(UNIT_BIN) $(if $(INTEG_SRCS),$(INTEG_BIN)) $(if $(E2E_SRCS),$(E2E_BIN)) $(FUZZ_REPLAY)
# Test-only Node.js packages (Azurite), installed from tests/package-lock.json on first use.
NODE_DEPS := tests/node_modules/.package-lock.json
$(NODE_DEPS): tests/package.json tests/package-lock.json
	$(Q)npm ci --prefix tests --no-audit --no-fund --loglevel=error
test: test-bins $(NODE_DEPS)
	$(Q)BUILD=$(BUILD) sh tests/run.sh all
test-unit: $(UNIT_BIN)
	$(Q)BUILD=$(BUILD) sh tests/run.sh unit
test-integration: test-bins $(NODE_DEPS)
	$(Q)BUILD=$(BUILD) sh tests/run.sh integration
test-browser: $(BIN) $(NODE_DEPS)
	$(Q)BUILD=$(BUILD) sh tests/run.sh browser
test-e2e: $(BIN) $(E2E_BIN) $(NODE_DEPS)
	$(Q)BUILD=$(BUILD) sh tests/run.sh e2e
sanitize:
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/sanitize SANITIZE=1 test

# libFuzzer build (clang); each target runs for FUZZ_SECONDS and grows its corpus. The library
# and the third-party code are built with coverage instrumentation (FUZZ=1 adds
# fuzzer-no-link), so libFuzzer is guided by the parsers, not only by the driver file.
FUZZ_SECONDS ?= 60
fuzz:
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/fuzz CC=clang CXX=clang++ SANITIZE=1 FUZZ=1 \
	  $(BUILD)/fuzz/libtc.a third_party
	$(Q)for t in $(FUZZ_TARGETS); do \
	  clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize=vptr $(INCLUDES) -Itests $(DEFINES) \
	    tests/fuzz/$${t}_fuzz.cc $(BUILD)/fuzz/libtc.a $(subst $(BUILD)/,$(BUILD)/fuzz/,$(TP_LIBS)) \
	    -o $(BUILD)/fuzz/fuzz_$$t || exit 1; \
	  mkdir -p tests/fuzz/corpus/$$t; \
	  $(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) tests/fuzz/corpus/$$t || exit 1; \
	done

BENCH_BIN := $(BUILD)/bench/client_bench
$(BENCH_BIN): tests/bench/client_bench.cc $(LIB) $(TP_LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(CXX) $(TEST_CXXFLAGS) $< $(LIB) $(TP_LIBS) -o $@
TWITTER_BENCH_BIN := $(BUILD)/bench/twitter_bench
$(TWITTER_BENCH_BIN): tests/bench/twitter_bench.cc $(LIB) $(TP_LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(CXX) $(TEST_CXXFLAGS) $< $(LIB) $(TP_LIBS) -o $@
ITEM_BENCH_BIN := $(BUILD)/bench/item_stream_bench
$(ITEM_BENCH_BIN): tests/bench/item_stream_bench.cc $(call tobj,$(SUPPORT_SRCS)) $(LIB) $(TP_LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(CXX) $(TEST_CXXFLAGS) $^ -lpthread -o $@
bench: $(BIN) $(BENCH_BIN) $(TWITTER_BENCH_BIN) $(ITEM_BENCH_BIN) $(NODE_DEPS)
	$(Q)BUILD=$(BUILD) sh tests/bench/run.sh

size: $(BIN)
	$(Q)sh tests/bench/size.sh $(BIN) $(BUILD)

check:
	$(Q)sh tests/check_style.sh

run: $(BIN)
	$(Q)$(BIN) serve

docker:
	docker build -t twitter-connector .

clean:
	rm -rf $(BUILD)

-include $(patsubst %.o,%.d,$(OBJS) $(BUILD)/obj/main.o $(call tobj,$(UNIT_SRCS) $(INTEG_SRCS) $(E2E_SRCS) $(SUPPORT_SRCS)) \
  $(BUILD)/tobj/fuzz/replay_main.o $(FUZZ_TARGETS:%=$(BUILD)/tobj/fuzz/%_fuzz.o))
