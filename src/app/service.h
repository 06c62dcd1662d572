// `twitter-connector serve`: prepares the data directory, wires the loop, router, metrics,
// HTTP server and routes together, and runs until SIGTERM/SIGINT, then stops accepting,
// lets in-flight requests finish (limits::kShutdownGraceMs, under App Service's 5 s) and
// returns 0. Wiring only: the behaviour lives in the modules it connects.
#pragma once

#include <string>

#include "app/config.h"
#include "core/result.h"

namespace app {

// Creates `dir` (and missing parents) with mode 0700 and checks that a file can be created in
// it. On error *message says what is wrong and what to do. Warns (log) when the directory is
// readable by other users.
core::Status prepare_data_dir(const std::string& dir, std::string* message);

// The command; returns the process exit code (0 after a graceful stop, 1 if it cannot start).
int run_serve(const LoadedConfig& loaded);

}  // namespace app
