#include "denseshift/data/data_options.h"

#include "denseshift/data/registry.h"

namespace denseshift::data {

std::string DataOptions::resolved_dir() const {
  return dir().empty() ? find_dataset(name()).default_dir : dir();
}

void DataOptions::visit_keys(OptionVisitor& v) {
  v.choice("name", name(), dataset_names(), "dataset (`denseshift list datasets`)");
  v.text("dir", dir(), "folder of the files; \"\" = the dataset's default folder (`denseshift list datasets`)");
  v.flag("normalize", normalize(),
         "subtract the training split's per-channel mean, divide by its std (not for synthetic)");
  v.integer("random_crop_padding", random_crop_padding(), 0, 16,
            "zero-pad by this much and crop back at a random offset (training only)");
  v.flag("horizontal_flip", horizontal_flip(), "flip half of the training images");
  v.number("validation_fraction", validation_fraction(), 0.0, 0.9,
           "hold out the last fraction of the training split; recorded per epoch");
  v.integer("train_subset", train_subset(), 0, kUnboundedCount, "use only the first N training images (0 = all)");
  v.integer("test_subset", test_subset(), 0, kUnboundedCount, "use only the first N test images (0 = all)");
  v.integer("digits_size", digits_size(), 8, 256, "digits: side in pixels the 8x8 images are upsampled to (bilinear)");
  v.integers("classes", classes(), 0, 999,
             "keep only these classes, relabelled 0, 1, ... in this order ([] = all; before the subsets)");
  v.integer("synthetic_train", synthetic_train(), 1, kUnboundedCount, "synthetic: training images");
  v.integer("synthetic_test", synthetic_test(), 1, kUnboundedCount, "synthetic: test images");
  v.integer("synthetic_channels", synthetic_channels(), 1, 16, "synthetic: image channels");
  v.integer("synthetic_size", synthetic_size(), 8, 256, "synthetic: image side in pixels");
  v.integer("synthetic_classes", synthetic_classes(), 2, 1000, "synthetic: classes");
}

}  // namespace denseshift::data
