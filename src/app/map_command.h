// `twitter-connector map [--style=full|reference] [FILE|-]`: reads one saved X API response
// (a v1.1 array of tweets or a v2 page with data/includes) from FILE or stdin and writes one
// Item per tweet as JSON Lines to stdout. Media stay URIs (no download). Malformed input gives
// one clear line on stderr and a non-zero exit.
#pragma once

#include <cstdio>

namespace app {

// Exit codes: 0 success, 1 bad input (unreadable, too large, malformed), 2 usage error.
// argv[0] is the command name ("map"). Uses stdin/stdout/stderr.
int run_map(int argc, char** argv);
// Same with explicit streams, for tests and embedding.
int run_map(int argc, char** argv, FILE* in, FILE* out, FILE* err);

}  // namespace app
