// Implementation of subprocess.h (POSIX fork/exec, pipe, poll).
#include "support/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace testing_support {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Subprocess::Subprocess(Options o) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return;
  pid_ = fork();
  if (pid_ == 0) {
    dup2(fds[1], 1);
    if (o.merge_stderr) dup2(fds[1], 2);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    for (const auto& k : o.unset_env) unsetenv(k.c_str());
    for (const auto& [k, v] : o.env) setenv(k.c_str(), v.c_str(), 1);
    if (!o.cwd.empty() && chdir(o.cwd.c_str()) != 0) _exit(126);
    std::vector<char*> argv;
    for (auto& a : o.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  out_fd_ = fds[0];
  fcntl(out_fd_, F_SETFL, O_NONBLOCK);
}

Subprocess::~Subprocess() {
  if (pid_ > 0 && !status_) stop(2000);
  if (out_fd_ >= 0) close(out_fd_);
}

void Subprocess::drain(int timeout_ms) {
  if (out_fd_ < 0) return;
  pollfd p{out_fd_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return;
  char buf[65536];
  for (;;) {
    ssize_t n = read(out_fd_, buf, sizeof buf);
    if (n > 0) {
      out_.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) {  // writer closed: the process is exiting
      close(out_fd_);
      out_fd_ = -1;
    }
    return;
  }
}

std::optional<std::string> Subprocess::wait_for_line(const std::string& needle, int timeout_ms) {
  int64_t deadline = now_ms() + timeout_ms;
  for (;;) {
    size_t nl;
    while ((nl = out_.find('\n', scan_pos_)) != std::string::npos) {
      std::string line = out_.substr(scan_pos_, nl - scan_pos_);
      scan_pos_ = nl + 1;
      if (line.find(needle) != std::string::npos) return line;
    }
    int64_t left = deadline - now_ms();
    if (left <= 0 || out_fd_ < 0) return std::nullopt;
    drain(static_cast<int>(left < 100 ? left : 100));
  }
}

const std::string& Subprocess::output() {
  drain(0);
  return out_;
}

bool Subprocess::signal(int signum) {
  if (pid_ <= 0 || status_) return false;
  return kill(pid_, signum) == 0;
}

std::optional<int> Subprocess::wait(int timeout_ms) {
  if (status_) return status_;
  if (pid_ <= 0) return std::nullopt;
  int64_t deadline = now_ms() + timeout_ms;
  for (;;) {
    int st;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      drain(0);
      return status_;
    }
    if (now_ms() >= deadline) return std::nullopt;
    drain(10);  // keep the pipe from filling while we wait
  }
}

int Subprocess::stop(int grace_ms) {
  if (status_) return *status_;
  signal(SIGTERM);
  if (auto st = wait(grace_ms)) return *st;
  signal(SIGKILL);
  return wait(10000).value_or(-1);
}

std::pair<int, std::string> run_command(const std::vector<std::string>& argv, int timeout_ms,
                                        const std::map<std::string, std::string>& env) {
  Subprocess p({argv, env});
  auto st = p.wait(timeout_ms);
  if (!st) st = p.stop(1000);
  return {*st, p.output()};
}

std::string project_root() {
  // Tests run from the project root (make test); fall back to walking up from the cwd.
  char buf[PATH_MAX];
  if (!getcwd(buf, sizeof buf)) return ".";
  std::string dir = buf;
  while (!dir.empty()) {
    struct stat st;
    if (stat((dir + "/Makefile").c_str(), &st) == 0 && stat((dir + "/src").c_str(), &st) == 0)
      return dir;
    size_t slash = dir.rfind('/');
    if (slash == std::string::npos || slash == 0) break;
    dir.resize(slash);
  }
  return buf;
}

std::string build_dir() {
  const char* b = getenv("TC_BUILD");
  std::string d = b && *b ? b : "build";
  return d[0] == '/' ? d : project_root() + "/" + d;
}

std::string binary_path() { return build_dir() + "/twitter-connector"; }

std::string shared_dir() { return project_root() + "/../shared"; }

TempDir::TempDir() {
  char tmpl[] = "/tmp/tc-test-XXXXXX";
  char* p = mkdtemp(tmpl);
  path_ = p ? p : "/tmp";
}

TempDir::~TempDir() {
  if (path_.rfind("/tmp/tc-test-", 0) == 0) run_command({"rm", "-rf", path_});
}

}  // namespace testing_support
