// twitter-connector entry point. Everything happens in app::main (src/app/cli.h): command
// dispatch, configuration, wiring.
#include "app/cli.h"

int main(int argc, char** argv) { return app::main(argc, argv); }
