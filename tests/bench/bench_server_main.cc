// Stand-alone server for measuring the HTTP layer alone (no app, no storage): serves the ops
// routes on --listen HOST:PORT until SIGTERM/SIGINT. Built by hand, not part of the product:
//   g++ -std=c++20 -O2 -Isrc -I$TP/libuv/include -I$TP/cjson -I$TP/llhttp/include \
//     tests/bench/bench_server_main.cc build/libtc.a build/lib/lib{uv,cjson,llhttp}.a -o build/bench_server
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "app/ops_routes.h"
#include "http/server.h"
#include "uv/signal.h"

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 8080;
  for (int i = 1; i + 1 < argc; ++i) {
    if (strcmp(argv[i], "--listen") == 0) {
      std::string v = argv[i + 1];
      size_t colon = v.rfind(':');
      host = v.substr(0, colon);
      port = atoi(v.c_str() + colon + 1);
    }
  }
  uv::Loop loop;
  core::Metrics metrics;
  http::Router router;
  app::OpsState ops;
  ops.metrics = &metrics;
  ops.ready = true;
  app::add_ops_routes(router, ops);
  http::ServerOptions opts;
  opts.host = host;
  opts.port = port;
  http::Server server(loop, router, metrics, opts);
  if (!server.listen()) return 1;
  printf("listening on %s:%d\n", host.c_str(), server.port());
  fflush(stdout);
  uv_signal_t sig;
  uv_signal_init(loop.get(), &sig);
  sig.data = &server;
  uv_signal_start(&sig, [](uv_signal_t* s, int) {
    uv_signal_stop(s);
    uv_close(reinterpret_cast<uv_handle_t*>(s), nullptr);
    static_cast<http::Server*>(s->data)->shutdown(1000, [] {});
  }, SIGTERM);
  loop.run();
  return 0;
}
