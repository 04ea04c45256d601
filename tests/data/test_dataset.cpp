// Dataset loading: CIFAR-10 batches, synthetic data, splits, order and augmentation.
#include "denseshift/data/dataset.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <zlib.h>

#include "support/error_of.h"
#include "support/temp_dir.h"

using namespace denseshift;
using namespace denseshift::data;
namespace fs = std::filesystem;

TEST(Cifar10, ReadsTinyGeneratedBatches) {
  TempDir dir("denseshift_data");
  const at::Tensor images = at::randint(0, 256, {5, 3, 32, 32}, at::kLong).to(at::kByte);
  const at::Tensor labels = at::tensor({3, 0, 9, 1, 1}, at::kLong);
  for (int i = 1; i <= 5; ++i) write_cifar10_batch(dir.file("data_batch_" + std::to_string(i) + ".bin"), images, labels);
  write_cifar10_batch(dir.file("test_batch.bin"), images.slice(0, 0, 2), labels.slice(0, 0, 2));
  DataOptions c;
  c.name("cifar10");
  c.dir(dir.path.string());
  c.normalize(false);
  const Splits s = load_dataset(c);
  EXPECT_EQ(s.train.size(), 25);
  EXPECT_EQ(s.test.size(), 2);
  EXPECT_EQ(s.channels(), 3);
  EXPECT_EQ(s.image_size(), 32);
  EXPECT_TRUE(at::equal(s.train.labels.slice(0, 0, 5), labels));
  EXPECT_TRUE(at::allclose(s.train.images.slice(0, 0, 5), images.to(at::kFloat) / 255.0));
}

TEST(Cifar10, TruncatedBatchAndBadLabelAreErrors) {
  TempDir dir("denseshift_data");
  write_cifar10_batch(dir.file("b.bin"), at::zeros({2, 3, 32, 32}, at::kByte), at::tensor({1, 2}, at::kLong));
  fs::resize_file(dir.file("b.bin"), 3073 + 100);
  EXPECT_MENTIONS(error_of([&] { read_cifar10_batches({dir.file("b.bin")}); }), "not a positive multiple");
  write_cifar10_batch(dir.file("l.bin"), at::zeros({1, 3, 32, 32}, at::kByte), at::tensor({12}, at::kLong));
  EXPECT_MENTIONS(error_of([&] { read_cifar10_batches({dir.file("l.bin")}); }), "label above 9");
}

TEST(Datasets, MissingFilesSayHowToGetThem) {
  DataOptions c;
  c.dir("/nonexistent-dir");
  const std::string fashion = error_of([&] { load_dataset(c); });
  EXPECT_MENTIONS(fashion, "/nonexistent-dir/train-images-idx3-ubyte.gz' is missing");
  EXPECT_MENTIONS(fashion, "scripts/setup.sh");
  EXPECT_MENTIONS(fashion, "dataset-fashion-mnist");
  c.name("cifar10");
  EXPECT_MENTIONS(error_of([&] { load_dataset(c); }), "data_batch_1.bin' is missing");
}

TEST(Datasets, SyntheticIsDeterministicWithValidationSplit) {
  DataOptions c;
  c.name("synthetic");
  c.synthetic_train(100);
  c.synthetic_test(20);
  c.synthetic_size(12);
  c.synthetic_channels(2);
  c.validation_fraction(0.2);
  const Splits a = load_dataset(c), b = load_dataset(c);
  EXPECT_TRUE(at::equal(a.train.images, b.train.images));
  EXPECT_EQ(a.train.size(), 80);
  ASSERT_TRUE(a.validation.has_value());
  EXPECT_EQ(a.validation->size(), 20);
  EXPECT_EQ(a.train.images.sizes(), (std::vector<int64_t>{80, 2, 12, 12}));
  c.validation_fraction(0.001);
  EXPECT_MENTIONS(error_of([&] { load_dataset(c); }), "leaves an empty split");
}

TEST(Datasets, RealFashionMnistHasItsDocumentedShape) {
  if (!fs::exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "dataset-fashion-mnist not installed (scripts/setup.sh installs it)";
  }
  DataOptions c;
  c.train_subset(1000);
  const Splits s = load_dataset(c);
  EXPECT_EQ(s.train.size(), 1000);
  EXPECT_EQ(s.test.size(), 10000);
  EXPECT_EQ(s.train.images.sizes(), (std::vector<int64_t>{1000, 1, 28, 28}));
  EXPECT_EQ(s.num_classes(), 10);
  EXPECT_NEAR(s.train.images.mean().item<double>(), 0.0, 1e-4);  // normalized
  EXPECT_NEAR(s.train.images.std().item<double>(), 1.0, 1e-3);
}

TEST(Datasets, EpochOrderIsAPermutationFixedBySeedAndEpoch) {
  const at::Tensor a = epoch_order(50, 3, 1);
  EXPECT_TRUE(at::equal(a, epoch_order(50, 3, 1)));
  EXPECT_FALSE(at::equal(a, epoch_order(50, 3, 2)));
  EXPECT_FALSE(at::equal(a, epoch_order(50, 4, 1)));
  EXPECT_TRUE(at::equal(std::get<0>(a.sort()), at::arange(50)));
}

TEST(Augment, CropAndFlipKeepShapeAndAreDeterministic) {
  DataOptions c;
  c.random_crop_padding(2);
  c.horizontal_flip(true);
  const at::Tensor batch = at::arange(2 * 1 * 6 * 6, at::kFloat).view({2, 1, 6, 6});
  auto g1 = at::make_generator<at::CPUGeneratorImpl>(5), g2 = at::make_generator<at::CPUGeneratorImpl>(5);
  const at::Tensor a = augment(batch, c, g1), b = augment(batch, c, g2);
  EXPECT_EQ(a.sizes(), batch.sizes());
  EXPECT_TRUE(at::equal(a, b));
  // Every output pixel is an input pixel of the same image or padding zero.
  for (int i = 0; i < 2; ++i) {
    const at::Tensor allowed = at::cat({batch[i].flatten(), at::zeros({1})});
    EXPECT_TRUE(at::isin(a[i].flatten(), allowed).all().item<bool>());
  }
  c.random_crop_padding(0);
  c.horizontal_flip(false);
  EXPECT_TRUE(at::equal(augment(batch, c, g1), batch));
}

TEST(Datasets, ClassesKeepsAndRelabelsInTheGivenOrder) {
  data::DataOptions c;
  c.name("synthetic").synthetic_train(400).synthetic_test(200).synthetic_classes(4).normalize(false);
  const data::Splits all = data::load_dataset(c);
  const data::Splits kept = data::load_dataset(data::DataOptions(c).classes({3, 1}));
  EXPECT_EQ(kept.num_classes(), 2);
  for (const auto* pair : {&all.train, &all.test}) {
    const data::Dataset& part = pair == &all.train ? kept.train : kept.test;
    const at::Tensor is3 = pair->labels == 3, is1 = pair->labels == 1;
    ASSERT_EQ(part.size(), (is3.sum() + is1.sum()).item<int64_t>());
    // Class 3 became 0 and class 1 became 1, images in their original order.
    EXPECT_TRUE(at::equal(part.labels, at::where(is3, 0, 1).index_select(0, (is3 | is1).nonzero().flatten())));
    EXPECT_TRUE(at::equal(part.images, pair->images.index_select(0, (is3 | is1).nonzero().flatten())));
  }
  EXPECT_MENTIONS(error_of([&] { data::load_dataset(data::DataOptions(c).classes({0, 4})); }),
                  "'data.classes' names class 4, but synthetic has classes 0 to 3");
  EXPECT_MENTIONS(error_of([&] { data::load_dataset(data::DataOptions(c).classes({2, 2})); }), "class 2 twice");
  EXPECT_MENTIONS(error_of([&] { data::load_dataset(data::DataOptions(c).classes({2})); }), "needs 2 or more");
}

TEST(Datasets, DigitsReadsTheCsvAndUpsamples) {
  TempDir dir("denseshift_data");
  // 1,502 lines: the first 1,500 train, 2 test; image i has every pixel i % 17, label i % 10.
  std::string text;
  for (int i = 0; i < 1502; ++i) {
    for (int p = 0; p < 64; ++p) text += std::to_string(i % 17) + ",";
    text += std::to_string(i % 10) + "\n";
  }
  gzFile f = gzopen(dir.file("digits.csv.gz").c_str(), "wb");
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
  DataOptions c;
  c.name("digits").dir(dir.path.string()).normalize(false).digits_size(16);
  const Splits s = load_dataset(c);
  EXPECT_EQ(s.train.size(), 1500);
  EXPECT_EQ(s.test.size(), 2);
  EXPECT_EQ(s.train.images.sizes(), (std::vector<int64_t>{1500, 1, 16, 16}));
  EXPECT_EQ(s.test.labels[1].item<int64_t>(), 1501 % 10);
  // A constant image stays constant through the bilinear upsampling: pixel value / 16.
  EXPECT_NEAR(s.train.images[5].max().item<float>(), 5.0 / 16, 1e-6);
  EXPECT_NEAR(s.train.images[5].min().item<float>(), 5.0 / 16, 1e-6);

  const fs::path empty = dir.path / "empty";
  fs::create_directories(empty);
  EXPECT_MENTIONS(error_of([&] { load_dataset(DataOptions(c).dir(empty.string())); }), "python3-sklearn");
  gzFile bad = gzopen((empty / "digits.csv.gz").c_str(), "wb");
  const std::string short_line = "1,2,3\n";
  gzwrite(bad, short_line.data(), static_cast<unsigned>(short_line.size()));
  gzclose(bad);
  EXPECT_MENTIONS(error_of([&] { load_dataset(DataOptions(c).dir(empty.string())); }), "line 1: 3 values");
}
