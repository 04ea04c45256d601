#include "denseshift/train/evaluation.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace denseshift::train {

Evaluation evaluate(models::Network& model, const data::Dataset& data, int64_t batch_size, const c10::Device& device) {
  at::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  Evaluation e;
  const int64_t k = std::min<int64_t>(5, data.num_classes);
  for (int64_t start = 0; start < data.size(); start += batch_size) {
    const int64_t n = std::min(batch_size, data.size() - start);
    const at::Tensor x = data.images.slice(0, start, start + n).to(device);
    const at::Tensor y = data.labels.slice(0, start, start + n).to(device);
    const at::Tensor logits = model.forward(x);
    e.loss += at::cross_entropy_loss(logits, y, {}, at::Reduction::Sum).item<double>();
    const at::Tensor top = std::get<1>(logits.topk(k, 1));
    const at::Tensor hit = top.eq(y.view({-1, 1}));
    e.top1 += hit.select(1, 0).sum().item<double>();
    e.top5 += hit.any(1).sum().item<double>();
  }
  e.images = data.size();
  if (e.images > 0) e.loss /= e.images, e.top1 /= e.images, e.top5 /= e.images;
  model.train(was_training);
  return e;
}

}  // namespace denseshift::train
