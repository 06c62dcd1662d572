// twitter-connector entry point: parses the command, loads configuration and wires the
// modules together. Logic lives in the modules; this file only connects them.
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  const char* cmd = argc > 1 ? argv[1] : "help";
  if (strcmp(cmd, "version") == 0) {
    printf("twitter-connector %s\n", TC_VERSION);
    return 0;
  }
  printf("usage: twitter-connector serve|healthcheck|version|help\n");
  return strcmp(cmd, "help") == 0 ? 0 : 2;
}
