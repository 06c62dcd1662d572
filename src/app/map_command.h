// `twitter-connector map [--style=full|reference] [FILE|-]`: reads one saved X API response
// (a v1.1 array of tweets or a v2 page with data/includes) from FILE or stdin and writes one
// Item per tweet as JSON Lines to stdout. Media stay URIs unless --download-media downloads
// them (base64 in Content, size cap CONNECTOR_MEDIA_MAX_BYTES). Malformed input gives
// one clear line on stderr and a non-zero exit.
#pragma once

#include <cstdio>
#include <span>
#include <string_view>

namespace app {

// Exit codes: 0 success, 1 bad input (unreadable, too large, malformed), 2 usage error.
// argv[0] is the command name ("map"). Uses stdin/stdout/stderr.
int run_map(int argc, char** argv);
// Same with explicit streams, for tests and embedding.
int run_map(int argc, char** argv, FILE* in, FILE* out, FILE* err);
// args[0] is "map": the CLI's dispatch (map has its own options, not the service's).
int run_map_args(std::span<const std::string_view> args);

}  // namespace app
