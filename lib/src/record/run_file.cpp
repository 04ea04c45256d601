#include "denseshift/record/run_file.h"

#include <H5Cpp.h>

#include <cmath>
#include <filesystem>

#include "denseshift/util/error.h"

namespace denseshift::record {

namespace {

const H5::StrType& string_type() {
  static const H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  return type;
}

void write_string_attribute(H5::H5Object& object, const std::string& name, const std::string& value) {
  if (object.attrExists(name)) object.removeAttr(name);
  H5::Attribute attribute = object.createAttribute(name, string_type(), H5::DataSpace(H5S_SCALAR));
  attribute.write(string_type(), value);
}

std::string read_string_attribute(const H5::H5Object& object, const std::string& name) {
  if (!object.attrExists(name)) throw InvalidArgument("run file has no attribute '" + name + "'");
  std::string value;
  H5::Attribute attribute = object.openAttribute(name);
  attribute.read(string_type(), value);
  return value;
}

// Turns HDF5's exceptions into ours, naming the file.
template <typename F>
auto hdf5_call(const std::string& path, const std::string& what, F f) {
  try {
    return f();
  } catch (const H5::Exception& e) {
    throw Error("HDF5 error while " + what + " '" + path + "': " + e.getDetailMsg());
  }
}

}  // namespace

const std::vector<std::string>& epoch_series_names() {
  static const std::vector<std::string> names = {
      "epoch",      "lr",        "train_loss",      "train_top1",      "test_loss",  "test_top1",
      "test_top5", "validation_loss", "validation_top1", "epoch_time_s", "images_per_s"};
  return names;
}

struct RunFile::Impl {
  Impl(std::string p, unsigned flags) : path(std::move(p)), file(path, flags) {}
  std::string path;
  H5::H5File file;
  std::vector<H5::DataSet> series;
  hsize_t rows = 0;
};

RunFile::RunFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RunFile::RunFile(RunFile&&) noexcept = default;
RunFile& RunFile::operator=(RunFile&&) noexcept = default;
RunFile::~RunFile() = default;

RunFile RunFile::create(const std::string& path, const nlohmann::json& config, const nlohmann::json& environment) {
  H5::Exception::dontPrint();
  return hdf5_call(path, "creating", [&] {
    auto impl = std::make_unique<Impl>(path, H5F_ACC_EXCL);
    H5::Attribute version = impl->file.createAttribute("format_version", H5::PredType::NATIVE_INT,
                                                       H5::DataSpace(H5S_SCALAR));
    version.write(H5::PredType::NATIVE_INT, &kRunFileFormatVersion);
    write_string_attribute(impl->file, "config", config.dump(2));
    write_string_attribute(impl->file, "environment", environment.dump(2));
    write_string_attribute(impl->file, "status", "running");
    H5::Group epochs = impl->file.createGroup("epochs");
    const hsize_t initial[1] = {0}, maximum[1] = {H5S_UNLIMITED}, chunk[1] = {256};
    H5::DSetCreatPropList properties;
    properties.setChunk(1, chunk);
    for (const auto& name : epoch_series_names()) {
      impl->series.push_back(epochs.createDataSet(name, H5::PredType::NATIVE_DOUBLE,
                                                  H5::DataSpace(1, initial, maximum), properties));
    }
    impl->file.flush(H5F_SCOPE_GLOBAL);
    return RunFile(std::move(impl));
  });
}

RunFile RunFile::open_for_resume(const std::string& path, int64_t epochs) {
  H5::Exception::dontPrint();
  return hdf5_call(path, "opening", [&] {
    auto impl = std::make_unique<Impl>(path, H5F_ACC_RDWR);
    const hsize_t rows[1] = {static_cast<hsize_t>(epochs)};
    for (const auto& name : epoch_series_names()) {
      H5::DataSet d = impl->file.openDataSet("epochs/" + name);
      hsize_t have[1];
      d.getSpace().getSimpleExtentDims(have);
      if (have[0] < rows[0]) {
        throw Error("run file '" + path + "' has " + std::to_string(have[0]) + " epochs but the checkpoint has " +
                    std::to_string(epochs));
      }
      d.extend(rows);
      impl->series.push_back(d);
    }
    impl->rows = rows[0];
    write_string_attribute(impl->file, "status", "running");
    impl->file.flush(H5F_SCOPE_GLOBAL);
    return RunFile(std::move(impl));
  });
}

void RunFile::append_epoch(const EpochMetrics& m) {
  const std::vector<double> row = {static_cast<double>(m.epoch), m.lr, m.train_loss, m.train_top1, m.test_loss,
                                   m.test_top1, m.test_top5, m.validation_loss, m.validation_top1,
                                   m.epoch_time_s, m.images_per_s};
  hdf5_call(impl_->path, "writing", [&] {
    const hsize_t extent[1] = {impl_->rows + 1}, offset[1] = {impl_->rows}, count[1] = {1};
    for (size_t i = 0; i < row.size(); ++i) {
      H5::DataSet& d = impl_->series[i];
      d.extend(extent);
      H5::DataSpace file_space = d.getSpace();
      file_space.selectHyperslab(H5S_SELECT_SET, count, offset);
      d.write(&row[i], H5::PredType::NATIVE_DOUBLE, H5::DataSpace(1, count), file_space);
    }
    impl_->rows += 1;
    impl_->file.flush(H5F_SCOPE_GLOBAL);
    return 0;
  });
}

void RunFile::set_status(const std::string& status) {
  hdf5_call(impl_->path, "writing", [&] {
    write_string_attribute(impl_->file, "status", status);
    impl_->file.flush(H5F_SCOPE_GLOBAL);
    return 0;
  });
}

namespace {
H5::H5File open_read(const std::string& path) {
  H5::Exception::dontPrint();
  if (!std::filesystem::exists(path)) throw InvalidArgument("run file '" + path + "' does not exist");
  return hdf5_call(path, "opening", [&] { return H5::H5File(path, H5F_ACC_RDONLY); });
}
}  // namespace

nlohmann::json RunFile::read_config(const std::string& path) {
  H5::H5File file = open_read(path);
  return hdf5_call(path, "reading", [&] { return nlohmann::json::parse(read_string_attribute(file, "config")); });
}

std::string RunFile::read_status(const std::string& path) {
  H5::H5File file = open_read(path);
  return hdf5_call(path, "reading", [&] { return read_string_attribute(file, "status"); });
}

std::map<std::string, std::vector<double>> RunFile::read_epochs(const std::string& path) {
  H5::H5File file = open_read(path);
  return hdf5_call(path, "reading", [&] {
    std::map<std::string, std::vector<double>> out;
    for (const auto& name : epoch_series_names()) {
      H5::DataSet d = file.openDataSet("epochs/" + name);
      hsize_t rows[1];
      d.getSpace().getSimpleExtentDims(rows);
      std::vector<double> values(rows[0]);
      if (rows[0] > 0) d.read(values.data(), H5::PredType::NATIVE_DOUBLE);
      out[name] = std::move(values);
    }
    return out;
  });
}

}  // namespace denseshift::record
