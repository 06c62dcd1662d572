// Implementation of app/cli.h: the command table and the dispatch. Usage errors go to stderr
// as one plain sentence that says what to do; the service's own logs are JSON on stdout.
#include "app/cli.h"

#include <cstdio>
#include <vector>

#include "app/doctor.h"
#include "app/healthcheck.h"
#include "app/map_command.h"
#include "app/service.h"

namespace app {
namespace {

int cmd_serve(const LoadedConfig& l) {
  if (!no_arguments(l, "serve")) return kExitUsage;
  return run_serve(l);
}

int cmd_healthcheck(const LoadedConfig& l) {
  if (!no_arguments(l, "healthcheck")) return kExitUsage;
  return run_healthcheck(l.config);
}

int cmd_doctor(const LoadedConfig& l) {
  if (!no_arguments(l, "doctor")) return kExitUsage;
  DoctorOptions o = DoctorOptions::from_environment();
  o.twitter_api_base = l.config.twitter_api_base;
  o.aad_authority = l.config.aad_authority;
  o.event_api_base = l.config.event_api_base;
  o.ca_file = l.config.ca_file;
  return run_doctor(o);
}

int cmd_version(const LoadedConfig& l) {
  if (!no_arguments(l, "version")) return kExitUsage;
  printf("twitter-connector %s\n", TC_VERSION);
  return kExitOk;
}

int cmd_help(const LoadedConfig& l) {
  if (l.positional.empty()) {
    fputs(usage_text().c_str(), stdout);
    return kExitOk;
  }
  if (l.positional.size() == 1 && l.positional[0] == "config") {
    fputs(config_reference_markdown().c_str(), stdout);
    return kExitOk;
  }
  fprintf(stderr,
          "twitter-connector help: unknown topic '%s'; use 'help' for the usage or 'help "
          "config' for the configuration reference\n",
          l.positional[0].c_str());
  return kExitUsage;
}

const CommandSpec kCommands[] = {
    {"serve", "run the web service until SIGTERM/SIGINT", cmd_serve},
    {"healthcheck", "GET /healthz on the listen address; exit 0 if it answers 200",
     cmd_healthcheck},
    {"doctor", "check DNS, TCP, proxy and TLS to every outbound endpoint; exit 0 if all pass",
     cmd_doctor},
    {"version", "print the version", cmd_version},
    {"help", "print this text; 'help config' prints the configuration reference", cmd_help},
};

}  // namespace

std::span<const CommandSpec> commands() { return kCommands; }

bool no_arguments(const LoadedConfig& loaded, const char* command) {
  if (loaded.positional.empty()) return true;
  fprintf(stderr,
          "twitter-connector %s: unexpected argument '%s'; %s takes only options (see "
          "'twitter-connector help')\n",
          command, loaded.positional[0].c_str(), command);
  return false;
}

std::string usage_text() {
  std::string out = "twitter-connector " TC_VERSION
                    " - archives an organisation's Twitter/X account into Microsoft 365\n\n"
                    "usage: twitter-connector <command> [options]\n\ncommands:\n";
  for (const CommandSpec& c : commands()) {
    std::string name = std::string("  ") + c.name;
    out += name + std::string(name.size() < 16 ? 16 - name.size() : 1, ' ') + c.summary + "\n";
  }
  out +=
      "  map           map a saved X API timeline response to Items (JSON Lines); 'map --help'\n";
  out +=
      "\noptions (each also read from its environment variable; precedence: option, then "
      "environment,\nthen default):\n";
  out += options_help();
  out += "  -h, --help                      print this text\n";
  return out;
}

int run_cli(std::span<const std::string_view> args, const Environment& env) {
  std::string_view name = args.size() > 1 ? args[1] : std::string_view();
  if (name.empty()) {
    fprintf(stderr, "twitter-connector: no command given\n\n%s", usage_text().c_str());
    return kExitUsage;
  }
  if (name == "-h" || name == "--help") name = "help";
  if (name == "--version") name = "version";
  if (name == "map") return run_map_args(args.subspan(1));  // own options (map_command.h)
  const CommandSpec* cmd = nullptr;
  for (const CommandSpec& c : commands())
    if (name == c.name) cmd = &c;
  if (!cmd) {
    fprintf(stderr,
            "twitter-connector: unknown command '%.*s'; run 'twitter-connector help' for the "
            "list of commands\n",
            static_cast<int>(name.size()), name.data());
    return kExitUsage;
  }
  LoadedConfig loaded;
  std::string message;
  auto rest = args.size() > 2 ? args.subspan(2) : std::span<const std::string_view>();
  if (!load_config(rest, env, &loaded, &message).ok()) {
    fprintf(stderr, "twitter-connector %s: %s\n", cmd->name, message.c_str());
    return kExitUsage;
  }
  if (loaded.help) {
    fputs(usage_text().c_str(), stdout);
    return kExitOk;
  }
  return cmd->run(loaded);
}

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv, argv + argc);
  return run_cli(args, Environment::from_process());
}

}  // namespace app
