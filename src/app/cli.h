// Command-line entry point: `twitter-connector <command> [options]`. Dispatches through one
// table of commands (adding a command is one row) after loading the configuration the same
// way for every command (flags > environment > defaults, see config.h).
// Exit codes: 0 success, 1 the command failed, 2 usage or configuration error.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "app/config.h"

namespace app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// A command gets the loaded configuration (with its positional arguments) and returns the
// exit code. It must refuse positional arguments it does not use (see no_arguments()).
using CommandFn = int (*)(const LoadedConfig& loaded);

struct CommandSpec {
  const char* name;
  const char* summary;  // one line for the usage text
  CommandFn run;
};
std::span<const CommandSpec> commands();

// Prints "<command> takes no arguments" and returns false when positional args were given.
bool no_arguments(const LoadedConfig& loaded, const char* command);

// The usage text: commands, then every option (from the option table).
std::string usage_text();

// Runs a command line (args[0] is the program name); returns the exit code. Environment as
// given, so tests can run it in-process.
int run_cli(std::span<const std::string_view> args, const Environment& env);

// main(): the process environment and argv.
int main(int argc, char** argv);

}  // namespace app
