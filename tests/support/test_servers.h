// Local servers for the outbound client tests: a throwaway test PKI (make_test_pki.sh, made
// once per test process), Node.js HTTPS/HTTP servers (tls_servers.js) and a CONNECT proxy
// (connect_proxy.js), all on 127.0.0.1 port 0 and stopped when the object dies.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/subprocess.h"

namespace testing_support {

// Directory holding ca.crt, good.{crt,key}, rsa.*, wrong.*, expired.*, untrusted.*.
const std::string& test_pki_dir();

struct NodeServer {
  std::unique_ptr<Subprocess> proc;
  int port = 0;
  bool ok() const { return port > 0; }
};

// cert: a name from the PKI ("good", "rsa", ...); extra: e.g. {"--max", "TLSv1.2"}.
NodeServer start_tls_server(const std::string& cert, std::vector<std::string> extra = {});
NodeServer start_plain_server();
NodeServer start_connect_proxy(std::vector<std::string> extra = {});

}  // namespace testing_support
