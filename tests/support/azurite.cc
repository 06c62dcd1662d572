// Implementation of azurite.h.
#include "support/azurite.h"

#include <sys/stat.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

#include <mbedtls/md.h>

#include "core/codec.h"
#include "support/test_servers.h"

namespace testing_support {
namespace {

constexpr char kVersion[] = "2021-08-06";

std::string azurite_main() {
  return project_root() + "/tests/node_modules/azurite/dist/src/blob/main.js";
}

std::string utc_text(time_t t, const char* fmt) {
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}

std::string xml_value(const std::string& text, const std::string& tag, size_t* pos) {
  std::string open = "<" + tag + ">", close = "</" + tag + ">";
  size_t a = text.find(open, *pos);
  if (a == std::string::npos) return {};
  a += open.size();
  size_t b = text.find(close, a);
  if (b == std::string::npos) return {};
  *pos = b;
  return text.substr(a, b - a);
}

}  // namespace

std::string storage_signature(const std::string& key_b64, const std::string& string_to_sign) {
  auto key = core::base64_decode(key_b64);
  if (!key.ok()) return {};
  unsigned char mac[32];
  mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
                  reinterpret_cast<const unsigned char*>(key->data()), key->size(),
                  reinterpret_cast<const unsigned char*>(string_to_sign.data()),
                  string_to_sign.size(), mac);
  return core::base64_encode(std::string_view(reinterpret_cast<char*>(mac), sizeof mac));
}

Azurite::Azurite() = default;
Azurite::~Azurite() { stop(); }

std::string Azurite::missing_reason() {
  struct stat st;
  if (stat(azurite_main().c_str(), &st) == 0) return {};
  return "Azurite is not installed (" + azurite_main() +
         " is missing): run `npm ci --prefix tests` in the project root first";
}

std::string Azurite::ca_file() const { return test_pki_dir() + "/ca.crt"; }
std::string Azurite::account_url() const {
  return "https://127.0.0.1:" + std::to_string(port_) + "/" + kAccount;
}

bool Azurite::start(int port) {
  error_ = missing_reason();
  if (!error_.empty()) return false;
  if (test_pki_dir().empty()) {
    error_ = "test PKI generation failed (openssl)";
    return false;
  }
  std::string location = dir_.path() + "/data";
  mkdir(location.c_str(), 0700);
  const std::string& pki = test_pki_dir();
  Subprocess::Options o;
  o.argv = {"node",
            azurite_main(),
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            std::to_string(port),
            "--location",
            location,
            "--cert",
            pki + "/good.crt",
            "--key",
            pki + "/good.key",
            "--disableTelemetry",
            "--skipApiVersionCheck",
            "--silent"};
  proc_ = std::make_unique<Subprocess>(o);
  // Azurite loads ~190 MB of JavaScript: allow for a busy machine.
  auto line = proc_->wait_for_line("successfully listens on https://127.0.0.1:", 90000);
  if (!line) {
    error_ = "Azurite did not start: " + proc_->output();
    proc_.reset();
    return false;
  }
  port_ = static_cast<int>(strtol(line->c_str() + line->rfind(':') + 1, nullptr, 10));
  return port_ > 0;
}

void Azurite::stop() {
  if (proc_) proc_->stop();
  proc_.reset();
}

std::pair<int, std::string> Azurite::curl(std::vector<std::string> args) {
  std::vector<std::string> argv = {"curl", "-sS", "--cacert", ca_file(), "--max-time", "60"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, 90000);
}

bool Azurite::create_container(const std::string& name) {
  std::string date = utc_text(time(nullptr), "%a, %d %b %Y %H:%M:%S GMT");
  // Shared Key string to sign (Blob service, 2009-09-19 and later): verb, 11 standard headers
  // (all empty here; Content-Length 0 is written as empty), canonical x-ms headers, resource.
  std::string sts = "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:" + date + "\nx-ms-version:" + kVersion +
                    "\n/" + kAccount + "/" + kAccount + "/" + name + "\nrestype:container";
  std::string auth =
      std::string("SharedKey ") + kAccount + ":" + storage_signature(kAccountKey, sts);
  auto [rc, out] =
      curl({"-X", "PUT", "-H", "Content-Length: 0", "-H", "x-ms-date: " + date, "-H",
            std::string("x-ms-version: ") + kVersion, "-H", "Authorization: " + auth, "-w",
            "\nHTTP %{http_code}", account_url() + "/" + name + "?restype=container"});
  if (rc != 0 || out.find("HTTP 201") == std::string::npos) {
    error_ = "create container " + name + " failed: " + out;
    return false;
  }
  return true;
}

std::string Azurite::container_sas_uri(const std::string& container, const std::string& permissions,
                                       int64_t expires_in_s) const {
  std::string se = utc_text(time(nullptr) + expires_in_s, "%Y-%m-%dT%H:%M:%SZ");
  // Service SAS string to sign for sv 2020-12-06 and later: sp, st, se, canonical resource,
  // si, sip, spr, sv, sr, snapshot time, encryption scope, rscc, rscd, rsce, rscl, rsct.
  std::string sts = permissions + "\n\n" + se + "\n/blob/" + kAccount + "/" + container +
                    "\n\n\nhttps\n" + kVersion + "\nc\n\n\n\n\n\n\n";
  std::string sig = storage_signature(kAccountKey, sts);
  return account_url() + "/" + container + "?sv=" + kVersion + "&sr=c&sp=" + permissions +
         "&se=" + core::percent_encode(se) + "&spr=https&sig=" + core::percent_encode(sig);
}

std::optional<std::vector<Azurite::BlobInfo>> Azurite::list_blobs(const std::string& container) {
  std::string sas = container_sas_uri(container);
  std::string url = sas.substr(0, sas.find('?')) + "?restype=container&comp=list&" +
                    sas.substr(sas.find('?') + 1);
  auto [rc, out] = curl({"-f", url});
  if (rc != 0) {
    error_ = "list blobs failed: " + out;
    return std::nullopt;
  }
  std::vector<BlobInfo> blobs;
  size_t pos = 0;
  while (true) {
    size_t start = out.find("<Blob>", pos);
    if (start == std::string::npos) break;
    size_t end = out.find("</Blob>", start);
    std::string one = out.substr(start, end - start);
    size_t p = 0;
    BlobInfo b;
    b.name = xml_value(one, "Name", &p);
    p = 0;
    b.size = strtoull(xml_value(one, "Content-Length", &p).c_str(), nullptr, 10);
    p = 0;
    b.content_type = xml_value(one, "Content-Type", &p);
    blobs.push_back(b);
    pos = end;
  }
  return blobs;
}

bool Azurite::download_blob(const std::string& container, const std::string& name,
                            const std::string& file) {
  std::string sas = container_sas_uri(container);
  std::string url = sas.substr(0, sas.find('?')) + "/" + name + sas.substr(sas.find('?'));
  auto [rc, out] = curl({"-f", "-o", file, url});
  if (rc != 0) {
    error_ = "download " + name + " failed: " + out;
    return false;
  }
  return true;
}

std::optional<std::string> Azurite::read_blob(const std::string& container,
                                              const std::string& name) {
  std::string file = dir_.path() + "/read.tmp";
  if (!download_blob(container, name, file)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace testing_support
