// Implementation of test_servers.h.
#include "support/test_servers.h"

#include <cstdlib>

namespace testing_support {
namespace {

NodeServer spawn(std::vector<std::string> argv) {
  NodeServer s;
  s.proc = std::make_unique<Subprocess>(Subprocess::Options{std::move(argv)});
  auto line = s.proc->wait_for_line("listening on 127.0.0.1:", 10000);
  if (line) s.port = static_cast<int>(strtol(line->c_str() + line->rfind(':') + 1, nullptr, 10));
  return s;
}

}  // namespace

const std::string& test_pki_dir() {
  static TempDir dir;  // removed at process exit
  static std::string path;
  static bool made = false;
  if (!made) {
    made = true;
    path = dir.path() + "/pki";
    auto [status, out] =
        run_command({"sh", project_root() + "/tests/support/make_test_pki.sh", path}, 60000);
    if (status != 0) path.clear();
  }
  return path;
}

NodeServer start_tls_server(const std::string& cert, std::vector<std::string> extra) {
  const std::string& d = test_pki_dir();
  std::vector<std::string> argv = {"node",   project_root() + "/tests/support/tls_servers.js",
                                   "--cert", d + "/" + cert + ".crt",
                                   "--key",  d + "/" + cert + ".key"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return spawn(std::move(argv));
}

NodeServer start_plain_server() {
  return spawn({"node", project_root() + "/tests/support/tls_servers.js", "--plain"});
}

NodeServer start_connect_proxy(std::vector<std::string> extra) {
  std::vector<std::string> argv = {"node", project_root() + "/tests/support/connect_proxy.js"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return spawn(std::move(argv));
}

}  // namespace testing_support
