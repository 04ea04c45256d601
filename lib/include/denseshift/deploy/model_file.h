#pragma once
// The exported model file (docs/model-format.md): a JSON header describing the network and its
// tensors, the tensors' bytes (packed power-of-two codes for quantized weights, little-endian
// float32 otherwise), and a CRC-32 of everything before it. Plain C++ (no LibTorch): the
// inference engine and other readers link only this.
//
// Example:
//   ModelFile m = read_model_file("model.dsm");            // checks magic, version, sizes, CRC
//   const ModelTensor& w = m.tensor("conv2.weight");
//   std::vector<int32_t> codes = unpack_codes(w.bytes.data(), w.numel(), w.space->bits());

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "denseshift/core/weight_space.h"

namespace denseshift::deploy {

/// The version written. 2 (2026-12-02) adds the network's graph to the header; version-1 files
/// still read (inspect, convert's reader) but the engine and the loader refuse them: no graph.
inline constexpr uint32_t kModelFormatVersion = 2;
inline constexpr char kModelMagic[8] = {'D', 'S', 'M', 'O', 'D', 'E', 'L', '\0'};

struct ModelTensor {
  std::string name;             ///< module path, e.g. "conv2.weight", "bn2.scale"
  std::string encoding;         ///< "float32" or "packed"
  std::vector<int64_t> shape;
  std::optional<WeightSpace> space;  ///< packed only: the codes' weight space
  std::vector<uint8_t> bytes;
  /// The layer reads its input this many times over, concatenated along channels (Theorem-1
  /// conversion, deploy/theorem1_convert.h: 2); 1 otherwise. Shape dim 1 counts every copy.
  int64_t input_copies = 1;
  int64_t numel() const;
};

struct ModelFile {
  /// Everything but the tensors: format, model, input, source (docs/model-format.md).
  nlohmann::json header;
  std::vector<ModelTensor> tensors;
  /// The tensor named `name`; throws InvalidArgument naming it when absent.
  const ModelTensor& tensor(const std::string& name) const;
};

/// N-bit codes (N = 2..8) as a little-endian bit stream: code i in bits N*i .. N*i+N-1.
std::vector<uint8_t> pack_codes(const std::vector<int32_t>& codes, int bits);
std::vector<int32_t> unpack_codes(const uint8_t* bytes, int64_t count, int bits);

/// Writes `model` to `path` atomically (write_file_atomically: path.tmp, fsync, rename); returns its
/// size in bytes. Throws Error on an I/O failure, leaving no temporary file.
int64_t write_model_file(const std::string& path, const ModelFile& model);
/// object[key] as an integer in [lo, hi]: a JSON integer, not 4.5 nor 2^70 (which nlohmann would truncate
/// or wrap); throws InvalidArgument naming `where` and the key otherwise, or when it is absent.
int64_t header_integer(const nlohmann::json& object, const std::string& key, int64_t lo, int64_t hi,
                       const std::string& where);
/// Reads and checks a model file (a regular file only: a device or pipe is refused before a byte is
/// read; every size is bounded by the file's); throws InvalidArgument naming the file and what is wrong (not a model
/// file, a newer format version, truncated, a checksum mismatch, a tensor out of bounds or of the wrong size, a
/// size that is not a positive integer, a name that appears twice). What the network makes of the
/// tensors is the engine's check (deploy/engine.h: validate_model).
ModelFile read_model_file(const std::string& path);

}  // namespace denseshift::deploy
