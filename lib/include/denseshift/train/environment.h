#pragma once
// The process's compute environment: threads, BLAS, device, and the provenance
// stored with every run (version, commit, CPU, BLAS, host, start time, command).

#include <c10/core/Device.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "denseshift/train/train_options.h"

namespace denseshift::train {

/// Sets LibTorch's intra-op threads (0 = all cores) and OpenBLAS to 1 thread; returns the count.
int64_t configure_threads(int64_t threads);
/// The device of options.device(); throws InvalidArgument if this LibTorch lacks it.
c10::Device device_of(const TrainOptions& options);
/// The run file's `environment` attribute.
nlohmann::json provenance(int64_t threads, const std::string& command_line);

}  // namespace denseshift::train
