#include "targets.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <zlib.h>

#include "denseshift/data/dataset.h"
#include "denseshift/deploy/theorem1_convert.h"
#include "denseshift/deploy/engine.h"
#include "denseshift/graph/graph.h"
#include "denseshift/data/idx.h"
#include "denseshift/record/run_file.h"
#include "denseshift/train/config.h"
#include "denseshift/core/error.h"
#include "denseshift/util/json_reader.h"

namespace denseshift::fuzz {

namespace {

// The readers take paths: the input goes to a per-process file in memory-backed /dev/shm
// (or the temporary folder), removed again when the target returns.
struct InputFile {
  InputFile(const uint8_t* data, size_t size, const char* suffix) {
    const char* shm = "/dev/shm";
    path = std::string(access(shm, W_OK) == 0 ? shm : "/tmp") + "/denseshift_fuzz_" +
           std::to_string(getpid()) + suffix;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) std::abort();
  }
  ~InputFile() { std::remove(path.c_str()); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  std::string path;
};

template <typename F>
void refusals_allowed(F f) {
  try {
    f();
  } catch (const InvalidArgument&) {
    // A named refusal is the right answer to a bad input.
  }
}

}  // namespace

void config(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string separator = "\n--set ";
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) break;
    start = at + separator.size();
  }
  refusals_allowed([&] {
    nlohmann::json j = parse_json_text(parts[0], "fuzz config");
    train::apply_overrides(j, std::vector<std::string>(parts.begin() + 1, parts.end()));
    const train::Config c = train::config_from_json(j);
    const nlohmann::json resolved = train::config_to_json(c);
    if (train::config_to_json(train::config_from_json(resolved)) != resolved)
      std::abort();          // must round-trip
    (void)resolved.dump(2);  // what config.json gets: must not throw (e.g. on bad UTF-8)
  });
}

void idx(const uint8_t* data, size_t size) {
  const InputFile input(data, size, ".idx.gz");
  const std::string& path = input.path;
  refusals_allowed([&] {
    const data::IdxArray a = data::read_idx(path, 3);
    int64_t count = 1;
    for (int64_t d : a.dims) count *= d;
    if (a.dims.size() != 3 || static_cast<int64_t>(a.bytes.size()) != count) std::abort();
  });
  refusals_allowed([&] { data::read_idx(path, 1); });
}

void cifar(const uint8_t* data, size_t size) {
  const InputFile input(data, size, ".cifar.bin");
  const std::string& path = input.path;
  refusals_allowed([&] {
    const data::Dataset d = data::read_cifar10_batches({path});
    if (d.images.size(0) != d.labels.size(0)) std::abort();
  });
}

void runfile(const uint8_t* data, size_t size) {
  const InputFile input(data, size, ".run.h5");
  const std::string& path = input.path;
  // HDF5's own failures surface as denseshift::Error (an I/O or format error): allowed too.
  const auto allowed = [](auto f) {
    try {
      f();
    } catch (const Error&) {
    }
  };
  allowed([&] { record::RunFile::read_status(path); });
  allowed([&] { record::RunFile::read_config(path); });
  allowed([&] { record::RunFile::read_epoch_metrics(path); });
}

void modelfile(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  if (size >= 4) {
    const auto crc = static_cast<uint32_t>(crc32(0L, bytes.data(), static_cast<uInt>(size - 4)));
    for (int i = 0; i < 4; ++i) bytes[size - 4 + static_cast<size_t>(i)] = static_cast<uint8_t>(crc >> (8 * i));
  }
  const InputFile input(bytes.data(), bytes.size(), ".dsm");
  refusals_allowed([&] {
    const deploy::ModelFile model = deploy::read_model_file(input.path);
    const deploy::Engine engine(model);
    // One image, if small (the header bounds it: input.size <= 1024; a fuzz input runs in milliseconds).
    const int64_t per_image = engine.channels() * engine.size() * engine.size();
    if (per_image <= 64 * 64) {
      const std::vector<float> image(static_cast<size_t>(per_image), 0.5f);
      if (engine.forward(image.data(), 1).size() != static_cast<size_t>(engine.classes())) std::abort();
    }
    refusals_allowed([&] { deploy::convert_to_dense_shift(model); });
  });
}

void graph(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  nlohmann::json j;
  try {
    j = parse_json_text(text, "fuzz graph");
  } catch (const InvalidArgument&) {
    return;
  }
  graph::Graph g;
  try {
    g = graph::graph_from_json(j);
  } catch (const InvalidArgument&) {
    return;
  }
  // What is read is written back the same way.
  if (graph::graph_to_json(graph::graph_from_json(graph::graph_to_json(g))) != graph::graph_to_json(g)) std::abort();
  for (const auto& input : {graph::Shape::image(1, 28, 28), graph::Shape::image(3, 32, 32), graph::Shape::vector(64)}) {
    graph::Graph shaped = g;
    try {
      graph::infer_shapes(shaped, input, 10);
    } catch (const InvalidArgument&) {
      continue;
    }
    if (!(shaped.node(shaped.output).shape == graph::Shape::vector(10))) std::abort();
  }
}

const std::vector<Target>& targets() {
  static const std::vector<Target> all = {{"config", config},   {"idx", idx},           {"cifar", cifar},
                                          {"runfile", runfile}, {"modelfile", modelfile}, {"graph", graph}};
  return all;
}

}  // namespace denseshift::fuzz
