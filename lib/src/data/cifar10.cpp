// cifar10: the binary version's batch files (1 label byte + 3072 image bytes per record).
#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>

#include "denseshift/core/error.h"
#include "loaders.h"

namespace denseshift::data {

namespace fs = std::filesystem;

Splits load_cifar10(const DataOptions&, const std::string& dir) {
  const std::string how =
      "CIFAR-10 is not packaged by Debian: put the binary version's data_batch_1.bin ... "
      "data_batch_5.bin and test_batch.bin in data.dir";
  std::vector<std::string> train_files;
  for (int i = 1; i <= 5; ++i) train_files.push_back(dir + "/data_batch_" + std::to_string(i) + ".bin");
  for (const auto& f : train_files) require_file("CIFAR-10", f, how);
  require_file("CIFAR-10", dir + "/test_batch.bin", how);
  Splits s;
  s.train = read_cifar10_batches(train_files);
  s.test = read_cifar10_batches({dir + "/test_batch.bin"});
  return s;
}

Dataset read_cifar10_batches(const std::vector<std::string>& paths) {
  constexpr int64_t kRecord = 1 + 3 * 32 * 32;
  std::vector<at::Tensor> images, labels;
  for (const auto& path : paths) {
    std::error_code error;
    if (!fs::is_regular_file(path, error)) throw InvalidArgument("CIFAR-10 batch '" + path + "' is not a regular file");
    const auto size = static_cast<int64_t>(fs::file_size(path, error));
    if (error) throw InvalidArgument("cannot read CIFAR-10 batch '" + path + "': " + error.message());
    // Sized from the file before anything is allocated (a CIFAR-10 batch is 30 MB).
    if (size > kMaxCifarBatchBytes) {
      throw InvalidArgument("CIFAR-10 batch '" + path + "' has " + std::to_string(size) + " bytes, more than " +
                            std::to_string(kMaxCifarBatchBytes >> 20) + " MiB (not a CIFAR-10 batch)");
    }
    if (size == 0 || size % kRecord != 0) {
      throw InvalidArgument("CIFAR-10 batch '" + path + "' has " + std::to_string(size) +
                            " bytes, not a positive multiple of the " + std::to_string(kRecord) +
                            "-byte record (truncated?)");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InvalidArgument("cannot open CIFAR-10 batch '" + path + "'");
    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    in.read(reinterpret_cast<char*>(bytes.data()), size);
    if (in.gcount() != size) throw InvalidArgument("CIFAR-10 batch '" + path + "' changed size while being read");
    const at::Tensor records = at::from_blob(bytes.data(), {size / kRecord, kRecord}, at::kByte).clone();
    const at::Tensor l = records.select(1, 0).to(at::kLong);
    if (l.max().item<int64_t>() > 9) throw InvalidArgument("CIFAR-10 batch '" + path + "' holds a label above 9");
    labels.push_back(l);
    images.push_back(to_float_images(records.slice(1, 1).reshape({-1, 3, 32, 32})));
  }
  return Dataset{at::cat(images), at::cat(labels), 10};
}

void write_cifar10_batch(const std::string& path, const at::Tensor& images_uint8, const at::Tensor& labels) {
  const at::Tensor records =
      at::cat({labels.to(at::kByte).view({-1, 1}), images_uint8.to(at::kByte).reshape({labels.size(0), -1})}, 1)
          .contiguous();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(records.data_ptr<uint8_t>()), records.numel());
  if (!out) throw Error("cannot write '" + path + "'");
}

}  // namespace denseshift::data
