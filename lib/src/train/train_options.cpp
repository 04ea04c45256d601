#include "denseshift/train/train_options.h"

namespace denseshift::train {

void TrainOptions::visit_keys(OptionVisitor& v) {
  v.integer("epochs", epochs(), 1, 100000, "training epochs");
  v.integer("batch_size", batch_size(), 1, 1 << 20, "images per step; the last incomplete batch of an epoch is dropped");
  v.integer("eval_batch_size", eval_batch_size(), 1, 1 << 20, "images per evaluation batch");
  v.integer("seed", seed(), 0, int64_t{1} << 62, "fixes init, data order and augmentation");
  v.integer("threads", threads(), 0, 1024, "LibTorch intra-op threads; 0 = all cores (OpenBLAS is kept at 1)");
  v.flag("channels_last", channels_last(),
         "convolutions in channels-last memory order: faster on CPU, other float rounding (a run is not bit-identical "
         "to one without it)");
  v.choice("device", device(), {"cpu", "cuda"}, "cuda needs a CUDA build of LibTorch (Debian's is CPU-only)");
}

}  // namespace denseshift::train
