// synthetic: class prototypes plus unit Gaussian noise, from a fixed seed (no files).
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "loaders.h"

namespace denseshift::data {

Splits make_synthetic(const DataOptions& c, const std::string&) {
  // Fixed seed: the data set is the same for every run; the run's seed orders it.
  auto generator = at::make_generator<at::CPUGeneratorImpl>(12345);
  const at::Tensor prototypes =
      at::randn({c.synthetic_classes(), c.synthetic_channels(), c.synthetic_size(), c.synthetic_size()}, generator);
  auto split = [&](int64_t n) {
    Dataset d;
    d.labels = at::randint(0, c.synthetic_classes(), {n}, generator, at::kLong);
    d.images = prototypes.index_select(0, d.labels) +
               at::randn({n, c.synthetic_channels(), c.synthetic_size(), c.synthetic_size()}, generator);
    d.num_classes = c.synthetic_classes();
    return d;
  };
  Splits s;
  s.train = split(c.synthetic_train());
  s.test = split(c.synthetic_test());
  return s;
}

}  // namespace denseshift::data
