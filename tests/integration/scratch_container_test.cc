// Proves the property the FROM scratch image relies on, without a container engine: the
// binary alone (plus a CA file, /etc/hosts and /etc/resolv.conf, exactly what the Dockerfile
// copies) runs in an otherwise empty root directory as the image's non-root user, serves
// /healthz, and its `healthcheck` command succeeds there. chroot as root (as CI runs);
// `unshare -r chroot` otherwise; skipped only where neither is possible.
#include <elf.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <set>

#include "support/raw_http.h"
#include "support/subprocess.h"

using testing_support::run_command;
using testing_support::Subprocess;

namespace {

// ASan cannot link statically, so `make sanitize` builds a dynamic binary that cannot run in
// an empty root by design; the static binary's property is proven by `make test`.
#ifdef __SANITIZE_ADDRESS__
#define TC_SKIP_IF_SANITIZER_BUILD()                                                             \
  GTEST_SKIP() << "sanitizer build: the binary is dynamic (ASan cannot link statically); `make " \
                  "test` runs this test on the static binary"
#else
#define TC_SKIP_IF_SANITIZER_BUILD() (void)0
#endif

constexpr const char* kCaBundle = "/etc/ssl/certs/ca-certificates.crt";
constexpr const char* kImageUser = "65532:65532";  // the Dockerfile's USER

// An empty root holding only what the final image stage holds.
class ScratchRoot {
 public:
  ScratchRoot() {
    root_ = tmp_.path() + "/root";
    mkdir(root_.c_str(), 0755);
    ok_ = run_command({"cp", testing_support::binary_path(), root_ + "/twitter-connector"}).first ==
              0 &&
          run_command({"mkdir", "-p", root_ + "/etc/ssl/certs", root_ + "/data"}).first == 0 &&
          run_command({"cp", kCaBundle, root_ + kCaBundle}).first == 0;
    std::ofstream(root_ + "/etc/hosts") << "127.0.0.1 localhost\n::1 localhost\n";
    std::ofstream(root_ + "/etc/resolv.conf") << "nameserver 127.0.0.1\n";
    chmod(root_.c_str(), 0755);
    chmod((root_ + "/data").c_str(), 0700);
  }
  const std::string& path() const { return root_; }
  bool ok() const { return ok_; }

 private:
  testing_support::TempDir tmp_;
  std::string root_;
  bool ok_ = false;
};

// How to enter the root: {"chroot", "--userspec=65532:65532", ROOT} as root, or
// {"unshare", "-r", "chroot", ROOT} as an unprivileged user with user namespaces. Empty if
// neither works on this machine; *why says what failed.
std::vector<std::string> enter_root(const ScratchRoot& r, std::string* why) {
  if (geteuid() == 0) {
    if (chown((r.path() + "/data").c_str(), 65532, 65532) != 0) {
      *why = "cannot chown /data to 65532";
      return {};
    }
    auto [rc, out] = run_command({"chroot", "--userspec=" + std::string(kImageUser), r.path(),
                                  "/twitter-connector", "version"});
    if (rc == 0) return {"chroot", "--userspec=" + std::string(kImageUser), r.path()};
    *why = "chroot failed as root: " + out;
    return {};
  }
  auto [rc, out] =
      run_command({"unshare", "-r", "chroot", r.path(), "/twitter-connector", "version"});
  if (rc == 0) return {"unshare", "-r", "chroot", r.path()};
  *why = "not root, and unshare -r chroot failed (no user namespaces?): " + out;
  return {};
}

// True if the ELF file has a program interpreter (PT_INTERP): a dynamically linked binary.
bool has_program_interpreter(const std::string& path, std::string* why) {
  std::ifstream f(path, std::ios::binary);
  Elf64_Ehdr eh{};
  if (!f.read(reinterpret_cast<char*>(&eh), sizeof eh) || eh.e_ident[EI_CLASS] != ELFCLASS64) {
    *why = "not a 64-bit ELF file";
    return true;
  }
  for (int i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph{};
    f.seekg(static_cast<std::streamoff>(eh.e_phoff + static_cast<uint64_t>(i) * eh.e_phentsize));
    if (!f.read(reinterpret_cast<char*>(&ph), sizeof ph)) break;
    if (ph.p_type == PT_INTERP) {
      *why = "the binary has a PT_INTERP segment (it needs the dynamic loader)";
      return true;
    }
  }
  return false;
}

TEST(ScratchContainer, BinaryIsStaticWithNoProgramInterpreter) {
  TC_SKIP_IF_SANITIZER_BUILD();
  std::string why;
  EXPECT_FALSE(has_program_interpreter(testing_support::binary_path(), &why)) << why;
}

TEST(ScratchContainer, StaticBinaryServesHealthzInEmptyRootAsNonRootUser) {
  TC_SKIP_IF_SANITIZER_BUILD();
  ScratchRoot root;
  ASSERT_TRUE(root.ok()) << "could not lay out the scratch root (needs " << kCaBundle << ")";
  std::string why;
  auto enter = enter_root(root, &why);
  if (enter.empty()) GTEST_SKIP() << "cannot enter an empty root on this machine: " << why;

  // Nothing but the image's files: no shell, no libc, no loader.
  auto [rc_ls, listing] =
      run_command({"find", root.path(), "-mindepth", "1", "-not", "-type", "d"});
  ASSERT_EQ(rc_ls, 0);
  std::set<std::string> files;
  for (size_t pos = 0, nl; (nl = listing.find('\n', pos)) != std::string::npos; pos = nl + 1)
    files.insert(listing.substr(pos + root.path().size(), nl - pos - root.path().size()));
  EXPECT_EQ(files, (std::set<std::string>{"/twitter-connector", kCaBundle, "/etc/hosts",
                                          "/etc/resolv.conf"}))
      << "the scratch root must hold only the binary, the CA file, hosts and resolv.conf";

  // As the image runs it: configuration from the environment the Dockerfile sets.
  std::vector<std::string> argv = enter;
  argv.insert(argv.end(), {"/twitter-connector", "serve"});
  Subprocess serve(
      {argv, {{"CONNECTOR_LISTEN", "127.0.0.1:0"}, {"CONNECTOR_DATA_DIR", "/data"}}, {"PORT"}});
  auto line = serve.wait_for_line("\"msg\":\"listening\"", 10000);
  ASSERT_TRUE(line) << serve.output();
  int port = testing_support::port_from_log_line(*line);
  ASSERT_GT(port, 0) << *line;

  auto reply = testing_support::http_get(port, "/healthz");
  EXPECT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body, "{\"status\":\"ok\"}");

  // The HEALTHCHECK command of the image, inside the same root.
  std::vector<std::string> hc = enter;
  hc.insert(hc.end(), {"/twitter-connector", "healthcheck"});
  auto [rc, out] =
      run_command(hc, 10000, {{"CONNECTOR_LISTEN", "0.0.0.0:" + std::to_string(port)}});
  EXPECT_EQ(rc, 0) << out;

  EXPECT_EQ(serve.stop(), 0) << serve.output();
  // serve wrote its state where the image keeps it, as the image's user.
  struct stat st;
  ASSERT_EQ(stat((root.path() + "/data").c_str(), &st), 0);
  if (geteuid() == 0) {
    EXPECT_EQ(st.st_uid, 65532u);
  }
}

TEST(ScratchContainer, HealthcheckExitsOneInEmptyRootWhenNothingListens) {
  TC_SKIP_IF_SANITIZER_BUILD();
  ScratchRoot root;
  ASSERT_TRUE(root.ok());
  std::string why;
  auto enter = enter_root(root, &why);
  if (enter.empty()) GTEST_SKIP() << "cannot enter an empty root on this machine: " << why;
  std::vector<std::string> hc = enter;
  hc.insert(hc.end(), {"/twitter-connector", "healthcheck", "--listen", "127.0.0.1:1"});
  auto [rc, out] = run_command(hc);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("unhealthy"), std::string::npos) << out;
}

}  // namespace
