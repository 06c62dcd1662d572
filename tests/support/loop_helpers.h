// Small helpers shared by the integration tests that drive a uv::Loop in-process.
#pragma once

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "uv/loop.h"
#include "uv/timer.h"

namespace testing_support {

// Stops a loop that runs too long, so a hung test fails instead of blocking the suite.
struct Watchdog final : uv::Timer::Handler {
  uv::Loop* loop = nullptr;
  bool fired = false;
  void on_timer(uv::Timer*) override {
    fired = true;
    loop->stop();
  }
};

// A "Key:" line of /proc/self/status in KiB (VmHWM, VmRSS), or 0 if absent.
inline size_t vm_kib(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(key, 0) == 0) return strtoul(line.c_str() + strlen(key), nullptr, 10);
  return 0;
}

}  // namespace testing_support
