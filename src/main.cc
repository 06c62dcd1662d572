// twitter-connector entry point. Everything happens in app::main (src/app/cli.h): command
// dispatch, configuration, wiring.
#include <cstdlib>

#include "app/cli.h"

// libstdc++'s default terminate handler demangles the exception type for its message, which
// links ~47 KB of demangler into a binary built without exceptions. Nothing here throws, so
// std::terminate (a broken invariant, e.g. a bad std::function call) just aborts.
namespace __gnu_cxx {
void __verbose_terminate_handler() { abort(); }
}  // namespace __gnu_cxx

int main(int argc, char** argv) { return app::main(argc, argv); }
