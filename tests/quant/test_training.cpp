// Every parametrization at every bit-width lowers the loss of a tiny regression
// problem with plain SGD: the gradients reach the latents and point downhill.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/optim/sgd.h>

#include "denseshift/nn/shift_linear.h"
#include "denseshift/quant/straight_through.h"
#include "support/cases.h"

using namespace denseshift;
using namespace denseshift::quant;

namespace {

class Training : public ::testing::TestWithParam<ParametrizationCase> {};

}  // namespace

TEST_P(Training, SgdLowersTheLossOfATinyRegression) {
  at::manual_seed(1);
  const auto options = GetParam().options().init(InitScheme::low_variance);
  // A teacher whose weights are random values of the space (or normal for full precision).
  const at::Tensor x = at::randn({256, 16});
  at::Tensor teacher = at::randn({4, 16});
  if (find_parametrization(options.parametrization()).quantized) {
    const auto values = options.weight_space().values();
    const at::Tensor table = at::tensor(std::vector<float>(values.begin(), values.end()));
    // Magnitudes up to 4 so every space can match the teacher.
    teacher = at::clamp(table.index_select(0, at::randint(0, table.numel(), {64})).view({4, 16}), -4, 4);
  }
  const at::Tensor y = at::matmul(x, teacher.t());

  nn::ShiftLinear student(nn::ShiftLinearOptions(16, 4).bias(false).quant(options));
  torch::optim::SGD sgd(student->parameters(), torch::optim::SGDOptions(0.02).momentum(0.9));
  auto loss_of = [&] { return at::mse_loss(student->forward(x), y) + total_regularizer(*student); };
  const double initial = loss_of().item<double>();
  for (int step = 0; step < 300; ++step) {
    sgd.zero_grad();
    loss_of().backward();
    sgd.step();
  }
  const double final_loss = loss_of().item<double>();
  EXPECT_LT(final_loss, 0.5 * initial) << "initial " << initial << " final " << final_loss;
}

INSTANTIATE_TEST_SUITE_P(AllCases, Training, ::testing::ValuesIn(all_parametrization_cases()),
                         [](const auto& info) { return case_name(info.param); });
