// digits: the 8x8 handwritten digits (1,797 images, 10 classes) that Debian's python3-sklearn
// ships as sklearn/datasets/data/digits.csv.gz: one image per line, 64 pixel values 0-16 then
// the label. Train: the first 1,500 lines; test: the other 297. The images are upsampled
// (bilinear) to data.digits_size pixels, the input size of a backbone trained elsewhere.
#include <ATen/ATen.h>
#include <zlib.h>

#include <memory>
#include <sstream>

#include "denseshift/core/error.h"
#include "loaders.h"

namespace denseshift::data {

namespace {

constexpr int64_t kTrainLines = 1500;
constexpr size_t kMaxBytes = size_t{16} << 20;  // the real file is 0.4 MB uncompressed

std::string read_gz_text(const std::string& path) {
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
  if (!file) throw InvalidArgument("digits file '" + path + "' cannot be opened");
  std::string text;
  char buf[1 << 16];
  for (;;) {
    const int n = gzread(file.get(), buf, sizeof buf);
    if (n < 0) {
      int code = 0;
      throw InvalidArgument("digits file '" + path + "' is corrupt: " + gzerror(file.get(), &code));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxBytes) throw InvalidArgument("digits file '" + path + "' is over 16 MiB: not the digits");
  }
  return text;
}

}  // namespace

Splits load_digits(const DataOptions& options, const std::string& dir) {
  const std::string path = dir + "/digits.csv.gz";
  require_file("digits", path,
               "it comes with Debian's python3-sklearn (scripts/setup.sh installs it), or set data.dir to a folder "
               "holding digits.csv.gz");
  std::istringstream lines(read_gz_text(path));
  std::vector<float> pixels;
  std::vector<int64_t> labels;
  std::string line;
  int64_t number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string field;
    std::vector<int64_t> values;
    while (std::getline(fields, field, ',')) {
      try {
        size_t used = 0;
        values.push_back(std::stoll(field, &used));
        if (used != field.size()) throw std::invalid_argument(field);
      } catch (const std::exception&) {
        throw InvalidArgument("digits file '" + path + "', line " + std::to_string(number) + ": '" + field +
                              "' is not an integer");
      }
    }
    if (values.size() != 65) {
      throw InvalidArgument("digits file '" + path + "', line " + std::to_string(number) + ": " +
                            std::to_string(values.size()) + " values, expected 64 pixels and a label");
    }
    for (int i = 0; i < 64; ++i) {
      if (values[i] < 0 || values[i] > 16) {
        throw InvalidArgument("digits file '" + path + "', line " + std::to_string(number) + ": pixel value " +
                              std::to_string(values[i]) + " outside 0-16");
      }
      pixels.push_back(static_cast<float>(values[i]) / 16.0f);
    }
    if (values[64] < 0 || values[64] > 9) {
      throw InvalidArgument("digits file '" + path + "', line " + std::to_string(number) + ": label " +
                            std::to_string(values[64]) + " outside 0-9");
    }
    labels.push_back(values[64]);
  }
  const auto n = static_cast<int64_t>(labels.size());
  if (n <= kTrainLines) {
    throw InvalidArgument("digits file '" + path + "' holds " + std::to_string(n) +
                          " images; the split needs more than " + std::to_string(kTrainLines));
  }
  at::Tensor images = at::from_blob(pixels.data(), {n, 1, 8, 8}, at::kFloat).clone();
  const int64_t size = options.digits_size();
  if (size != 8) images = at::upsample_bilinear2d(images, {size, size}, /*align_corners=*/false);
  const at::Tensor all_labels = at::from_blob(labels.data(), {n}, at::kLong).clone();
  Splits s;
  s.train = Dataset{images.slice(0, 0, kTrainLines).contiguous(), all_labels.slice(0, 0, kTrainLines).contiguous(), 10};
  s.test = Dataset{images.slice(0, kTrainLines).contiguous(), all_labels.slice(0, kTrainLines).contiguous(), 10};
  return s;
}

}  // namespace denseshift::data
