// Child processes for integration tests: the real binary, Node.js test servers, Azurite.
// A Subprocess is killed (SIGTERM, then SIGKILL after a grace period) when destroyed, so a
// failing test never leaves servers behind. Output is captured through a pipe and can be
// waited on line by line ("listening on 127.0.0.1:PORT").
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace testing_support {

class Subprocess {
 public:
  struct Options {
    std::vector<std::string> argv;           // argv[0] is the program (PATH is searched)
    std::map<std::string, std::string> env;  // added to (or overriding) the current environment
    std::vector<std::string> unset_env;      // removed from the environment
    std::string cwd;                         // empty: inherit
    bool merge_stderr = true;                // stderr into the captured stdout pipe
  };

  explicit Subprocess(Options options);
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Reads output until a line containing `needle` arrives; returns that line. nullopt on
  // timeout or if the process exits first.
  std::optional<std::string> wait_for_line(const std::string& needle, int timeout_ms = 10000);
  // Everything captured so far (reads whatever is available without blocking).
  const std::string& output();

  // Sends a signal. Returns false if the process is gone.
  bool signal(int signum);
  // Waits for exit; returns the exit status (128+signal if killed), or nullopt on timeout.
  std::optional<int> wait(int timeout_ms = 10000);
  // SIGTERM, wait up to grace_ms, then SIGKILL. Returns the exit status.
  int stop(int grace_ms = 3000);

 private:
  void drain(int timeout_ms);
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string out_;
  size_t scan_pos_ = 0;
  std::optional<int> status_;
};

// Runs a command to completion; returns {exit status, combined output}.
std::pair<int, std::string> run_command(const std::vector<std::string>& argv,
                                        int timeout_ms = 60000,
                                        const std::map<std::string, std::string>& env = {});

// Paths: the project root (where the Makefile is), the build dir (TC_BUILD or "build"),
// the real binary, and ../shared beside the checkout.
std::string project_root();
std::string build_dir();
std::string binary_path();
std::string shared_dir();
// A fresh temporary directory, removed recursively when the returned object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace testing_support
