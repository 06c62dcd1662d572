// Replays a fuzz corpus through a target's LLVMFuzzerTestOneInput without libFuzzer, so
// `make test` checks every saved input for crashes, asserts and (under `make sanitize`)
// memory errors, as SQLite's fuzzcheck does.
//   fuzz_replay_<target> DIR_OR_FILE...
#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static int run_file(const std::string& path) {
  FILE* f = fopen(path.c_str(), "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path.c_str());
    return 1;
  }
  std::vector<uint8_t> buf;
  uint8_t chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf.insert(buf.end(), chunk, chunk + n);
  fclose(f);
  LLVMFuzzerTestOneInput(buf.data(), buf.size());
  return 0;
}

int main(int argc, char** argv) {
  int files = 0, errors = 0;
  for (int i = 1; i < argc; ++i) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "no such corpus: %s\n", argv[i]);
      return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
      errors += run_file(argv[i]);
      ++files;
      continue;
    }
    DIR* d = opendir(argv[i]);
    while (dirent* e = d ? readdir(d) : nullptr) {
      if (e->d_name[0] == '.') continue;
      errors += run_file(std::string(argv[i]) + "/" + e->d_name);
      ++files;
    }
    if (d) closedir(d);
  }
  if (files == 0) {
    fprintf(stderr, "empty corpus\n");
    return 1;
  }
  printf("replayed %d inputs\n", files);
  return errors ? 1 : 0;
}
