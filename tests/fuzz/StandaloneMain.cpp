// StandaloneMain.cpp — replays fuzzer inputs without libFuzzer: each argument is a file or a
// folder of files. A crash or sanitizer report fails the ctest that runs this.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static void replay(const std::filesystem::path& p, size_t& count) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string s = buf.str();
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  ++count;
}

int main(int argc, char** argv) {
  size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path p(argv[i]);
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(p))
        if (e.is_regular_file()) replay(e.path(), count);
    } else {
      replay(p, count);
    }
  }
  std::printf("replayed %zu inputs\n", count);
  return count ? 0 : 1;
}
