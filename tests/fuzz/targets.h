#pragma once
// The fuzz targets: one function per parser of untrusted input. Each takes any bytes and
// must return normally or throw denseshift::InvalidArgument (a named refusal); any other
// exception, crash, sanitizer report, leak of memory beyond libFuzzer's limit or hang is a
// bug. Used by the libFuzzer binaries (fuzz_<name>.cpp, scripts/fuzz.sh) and by the
// GoogleTest that replays the committed corpus and every crash found (test_fuzz_corpus.cpp).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace denseshift::fuzz {

/// A config file, optionally followed by "\n--set key=value" lines: parse, override,
/// validate, and check that the resolved config round-trips.
void config(const uint8_t* data, size_t size);
/// An IDX file (gzip or plain) read as 3-D images and as 1-D labels.
void idx(const uint8_t* data, size_t size);
/// A CIFAR-10 binary batch.
void cifar(const uint8_t* data, size_t size);
/// A run file: status, config and the /epochs series.
void runfile(const uint8_t* data, size_t size);

/// A model file whose last 4 bytes are replaced by the CRC-32 of the rest (so mutations reach the
/// header's checks, not only the checksum's): read, checked by the engine, run on one zero image,
/// and converted (Theorem 1) where it holds Shift weights.
void modelfile(const uint8_t* data, size_t size);

/// A network graph (docs/graph.md) as JSON text: read and validated, written back the same, and its
/// shapes inferred for three inputs (each either refused by name or ending in 10 logits).
void graph(const uint8_t* data, size_t size);

struct Target {
  const char* name;
  void (*run)(const uint8_t* data, size_t size);
};
/// Every target, by the name of its corpus folder (tests/fuzz/corpus/<name>).
const std::vector<Target>& targets();

}  // namespace denseshift::fuzz
