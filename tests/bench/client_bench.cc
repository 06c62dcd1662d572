// Benchmark driver for http::Client (built only by `make bench`): GETs of one URL over a
// single Client, sequentially or with a fixed number of requests in flight, then prints
// requests/s, CPU time per request and peak RSS of this process. With --close every request
// carries "Connection: close", so each one pays a full TLS handshake.
//   client_bench URL CA_FILE REQUESTS CONCURRENCY [--close]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "http/client.h"
#include "uv/loop.h"

namespace {

struct Driver final : http::ResponseHandler {
  http::Client* client = nullptr;
  http::ClientRequest req;
  long remaining = 0;  // requests not yet started
  long done = 0;
  long failed = 0;
  size_t bytes = 0;

  void start_one() {
    if (remaining <= 0) return;
    --remaining;
    auto id = client->request(req, this);
    if (!id.ok()) {
      fprintf(stderr, "request: %s\n", core::errc_message(id.error().code));
      exit(1);
    }
  }
  void on_complete(uint64_t, http::ClientResult& r) override {
    ++done;
    if (!r.ok || r.response.status != 200) {
      if (failed++ == 0)
        fprintf(stderr, "first failure: %s (status %d)\n", r.message.c_str(), r.response.status);
    }
    bytes += r.response.body.size();
    start_one();
  }
};

double cpu_seconds() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: client_bench URL CA_FILE REQUESTS CONCURRENCY [--close]\n");
    return 2;
  }
  long n = atol(argv[3]);
  long conc = atol(argv[4]);
  bool close = argc > 5 && strcmp(argv[5], "--close") == 0;
  uv::Loop loop;
  http::Client::Options o;
  o.ca_file = argv[2];
  o.max_connections_per_origin = static_cast<size_t>(conc);
  std::string msg;
  auto client = http::Client::create(loop, o, &msg);
  if (!client.ok()) {
    fprintf(stderr, "client: %s\n", msg.c_str());
    return 1;
  }
  Driver d;
  d.client = client->get();
  d.req.url = argv[1];
  d.req.retry.max_attempts = 1;
  if (close) d.req.headers = {{"Connection", "close"}};
  d.remaining = n;
  double cpu0 = cpu_seconds();
  auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < conc; ++i) d.start_one();
  loop.run();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = cpu_seconds() - cpu0;
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  auto st = (*client)->stats();
  printf(
      "tc   requests=%ld failed=%ld concurrency=%ld wall=%.3fs req/s=%.0f cpu/req=%.1fus "
      "peak_rss=%ldKiB connections=%llu\n",
      d.done, d.failed, conc, wall, d.done / wall, cpu / d.done * 1e6, ru.ru_maxrss,
      static_cast<unsigned long long>(st.connections_opened));
  client->reset();
  return d.failed ? 1 : 0;
}
