#include "denseshift/record/run_file.h"

#include <H5Cpp.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>

#include "denseshift/core/error.h"
#include "denseshift/core/system.h"

namespace denseshift::record {

namespace {

// A fixed-length string attribute longer than this is refused (configs are a few kilobytes).
constexpr size_t kMaxStringAttributeBytes = size_t{16} << 20;

const H5::StrType& string_type() {
  static const H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  return type;
}

void write_string_attribute(H5::H5Object& object, const std::string& name, const std::string& value) {
  if (object.attrExists(name)) object.removeAttr(name);
  H5::Attribute attribute = object.createAttribute(name, string_type(), H5::DataSpace(H5S_SCALAR));
  attribute.write(string_type(), value);
}

// Read through the C API: HDF5's C++ wrapper calls strlen on the pointer H5Aread returns,
// which a damaged file can leave null (found by the runfile fuzz target). The attribute must
// be one scalar string, or H5Aread would write several pointers into one.
std::string read_string_attribute(const H5::H5Object& object, const std::string& name) {
  if (!object.attrExists(name)) throw InvalidArgument("run file has no attribute '" + name + "'");
  H5::Attribute attribute = object.openAttribute(name);
  if (attribute.getTypeClass() != H5T_STRING || attribute.getSpace().getSimpleExtentNpoints() != 1) {
    throw InvalidArgument("run file attribute '" + name + "' is not one string (corrupt file)");
  }
  // Strings written by other tools are read too: h5py writes variable-length UTF-8 (ours are
  // variable-length ASCII), numpy bytes give fixed-length strings. The memory type takes the
  // file type's character set, as HDF5 converts no string between character sets.
  const H5::StrType file_type = attribute.getStrType();
  if (!file_type.isVariableStr()) {
    const size_t size = file_type.getSize();
    if (size > kMaxStringAttributeBytes) {
      throw InvalidArgument("run file attribute '" + name + "' is " + std::to_string(size) + " bytes (corrupt file)");
    }
    std::string value(size, '\0');
    H5::StrType memory(H5::PredType::C_S1, size);
    memory.setCset(file_type.getCset());
    memory.setStrpad(H5T_STR_NULLPAD);  // all `size` bytes are text (null-terminated would drop the last)
    if (size > 0 && H5Aread(attribute.getId(), memory.getId(), value.data()) < 0) {
      throw InvalidArgument("run file attribute '" + name + "' cannot be read (corrupt file)");
    }
    value.resize(std::min(value.size(), value.find('\0')));  // null-terminated or null-padded
    return value;
  }
  H5::StrType memory(H5::PredType::C_S1, H5T_VARIABLE);
  memory.setCset(file_type.getCset());
  char* raw = nullptr;
  if (H5Aread(attribute.getId(), memory.getId(), &raw) < 0) {
    throw InvalidArgument("run file attribute '" + name + "' cannot be read (corrupt file)");
  }
  if (raw == nullptr) throw InvalidArgument("run file attribute '" + name + "' is null (corrupt file)");
  std::string value(raw);
  H5free_memory(raw);
  return value;
}

std::atomic<bool> close_failed{false};

// The innermost message on HDF5's error stack, e.g. the errno text of a failed write
// ("No space left on device"), which the C++ exception does not carry.
std::string hdf5_reason() {
  std::string innermost;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned, const H5E_error2_t* error, void* data) -> herr_t {
        auto* found = static_cast<std::string*>(data);
        // The deepest message that carries an errno text wins; otherwise the deepest one.
        const bool has_errno = error->desc && std::strstr(error->desc, "error message = '");
        if (error->desc && *error->desc && (has_errno || found->find("error message = '") == std::string::npos)) {
          *found = error->desc;
        }
        return 0;
      },
      &innermost);
  const std::string key = "error message = '";
  const size_t at = innermost.find(key);
  if (at != std::string::npos) {
    const size_t end = innermost.find('\'', at + key.size());
    return innermost.substr(at + key.size(), end == std::string::npos ? std::string::npos : end - at - key.size());
  }
  return excerpt(innermost, 200);
}

// Turns HDF5's exceptions into ours, naming the file and the reason.
template <typename F>
auto hdf5_call(const std::string& path, const std::string& what, F f) {
  try {
    return f();
  } catch (const H5::Exception& e) {
    const std::string reason = hdf5_reason();
    throw Error("HDF5 error while " + what + " '" + path + "': " + e.getDetailMsg() +
                (reason.empty() ? "" : " (" + reason + ")"));
  }
}

// Refuses what HDF5 would open badly or write into: a missing, empty or non-HDF5 file, or
// one that a live writer holds locked (HDF5 flocks the files it opens).
void check_openable(const std::string& path) {
  H5::Exception::dontPrint();
  namespace fs = std::filesystem;
  std::error_code error;
  const auto status = fs::status(path, error);
  if (error || !fs::exists(status)) {
    throw InvalidArgument("run file '" + path + "' does not exist" + (error && error.value() != ENOENT ? " (" + error.message() + ")" : ""));
  }
  if (!fs::is_regular_file(status)) throw InvalidArgument("run file '" + path + "' is not a regular file");
  if (fs::file_size(path, error) == 0) throw InvalidArgument("run file '" + path + "' is empty (0 bytes)");
}

// Opens `path` with HDF5; an open that fails is explained: locked by a live writer (HDF5
// flocks the files it opens), not an HDF5 file at all, or HDF5's own message.
H5::H5File open_file(const std::string& path, unsigned flags) {
  check_openable(path);
  try {
    return H5::H5File(path, flags);
  } catch (const H5::Exception& e) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    const bool locked = fd >= 0 && ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    if (fd >= 0) ::close(fd);
    if (locked) {
      throw InvalidArgument("run file '" + path +
                            "' is locked by another process (a run still training?); wait for it, or read it "
                            "anyway with HDF5_USE_FILE_LOCKING=FALSE in the environment");
    }
    htri_t is_hdf5 = -1;
    try {
      is_hdf5 = H5::H5File::isHdf5(path);
    } catch (const H5::Exception&) {
    }
    if (is_hdf5 <= 0) throw InvalidArgument("run file '" + path + "' is not an HDF5 file (corrupt or truncated)");
    throw Error("HDF5 error while opening '" + path + "': " + e.getDetailMsg());
  }
}

// Only the format versions this build knows are read (or, worse, appended to).
void check_version(const H5::H5File& file, const std::string& path) {
  int version = -1;
  hdf5_call(path, "reading", [&] {
    if (!file.attrExists("format_version")) {
      throw InvalidArgument("run file '" + path + "' has no format_version: not a denseshift run file");
    }
    H5::Attribute a = file.openAttribute("format_version");
    if (a.getTypeClass() != H5T_INTEGER || a.getSpace().getSimpleExtentNpoints() != 1) {
      throw InvalidArgument("run file '" + path + "' has a malformed format_version");
    }
    a.read(H5::PredType::NATIVE_INT, &version);
    return 0;
  });
  if (version != kRunFileFormatVersion) {
    throw InvalidArgument("run file '" + path + "' has format_version " + std::to_string(version) +
                          "; this denseshift reads version " + std::to_string(kRunFileFormatVersion) +
                          (version > kRunFileFormatVersion ? " (made by a newer denseshift?)" : ""));
  }
}

// "/a/b/c" -> "/a/b"
std::string parent_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

// Whether `path` exists; H5Lexists fails on a path whose intermediate groups are missing,
// so every prefix is checked in turn.
bool exists(H5::H5File& file, const std::string& path) {
  size_t start = 1;
  while (true) {
    const size_t slash = path.find('/', start);
    if (!file.nameExists(path.substr(0, slash))) return false;
    if (slash == std::string::npos) return true;
    start = slash + 1;
  }
}

// The extent of a series (rank 1 or 2) into dims; returns the rank.
int series_dims(const H5::DataSet& d, const std::string& path, hsize_t dims[2]) {
  const H5::DataSpace space = d.getSpace();
  const int rank = space.getSimpleExtentNdims();
  if (rank < 1 || rank > 2) throw InvalidArgument("run file series '" + path + "' has rank " + std::to_string(rank));
  space.getSimpleExtentDims(dims);
  return rank;
}

// Every value of a 1-D or 2-D dataset of doubles, row-major. The declared size is checked
// against the file's size before anything is allocated (a corrupt file may claim anything).
std::vector<double> read_doubles(H5::H5File& file, const std::string& dataset) {
  H5::DataSet d = file.openDataSet(dataset);
  hsize_t dims[2] = {0, 1};
  const int rank = series_dims(d, dataset, dims);
  const hsize_t file_bytes = file.getFileSize();
  const hsize_t count = dims[0] * (rank == 2 ? dims[1] : 1);
  if ((rank == 2 && dims[1] != 0 && dims[0] > file_bytes / dims[1]) || count > file_bytes / sizeof(double) + 4096) {
    throw InvalidArgument("run file dataset '" + dataset + "' claims more values than the file can hold (corrupt)");
  }
  std::vector<double> values(count);
  if (!values.empty()) d.read(values.data(), H5::PredType::NATIVE_DOUBLE);
  return values;
}


}  // namespace

namespace {
// The /epochs series besides "epoch" itself: one table for writing, reading and naming.
struct EpochField {
  const char* name;
  double EpochMetrics::*member;
};
constexpr EpochField kEpochFields[] = {
    {"lr", &EpochMetrics::lr},
    {"train_loss", &EpochMetrics::train_loss},
    {"train_top1", &EpochMetrics::train_top1},
    {"test_loss", &EpochMetrics::test_loss},
    {"test_top1", &EpochMetrics::test_top1},
    {"test_top5", &EpochMetrics::test_top5},
    {"validation_loss", &EpochMetrics::validation_loss},
    {"validation_top1", &EpochMetrics::validation_top1},
    {"epoch_time_s", &EpochMetrics::epoch_time_s},
    {"images_per_s", &EpochMetrics::images_per_s},
};
}  // namespace

const std::vector<std::string>& epoch_series_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out = {"epoch"};
    for (const auto& field : kEpochFields) out.emplace_back(field.name);
    return out;
  }();
  return names;
}

// The writer's file lives in memory (HDF5's core driver, no backing store, no file lock): each flush
// writes its whole image to disk through a temporary and a rename (write_file_atomically), so the
// run file on disk is always a complete file as of a flush. A write that fails (a full disk, a file
// size limit) leaves the previous one intact, never a file HDF5 cannot open, and readers may open a
// live run's file at any time.
H5::FileAccPropList in_memory_access() {
  H5::FileAccPropList access;
  H5Pset_fapl_core(access.getId(), size_t{1} << 20, /*backing_store=*/0);
  H5Pset_file_locking(access.getId(), false, true);
  return access;
}

struct RunFile::Impl {
  // A new file (in memory until its first flush).
  explicit Impl(std::string p)
      : path(std::move(p)),
        file(*new H5::H5File(path, H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, in_memory_access())) {}
  // An existing file, read into memory.
  Impl(std::string p, H5::H5File f) : path(std::move(p)), file(*new H5::H5File(std::move(f))) {}

  // The in-memory file's image written to `path` atomically; throws Error naming the file and the
  // reason (e.g. "File too large") and leaves what was on disk.
  void persist() {
    file.flush(H5F_SCOPE_GLOBAL);
    const hid_t id = file.getId();
    const ssize_t size = H5Fget_file_image(id, nullptr, 0);
    if (size <= 0) throw Error("HDF5 error while writing '" + path + "': no file image");
    std::string image(static_cast<size_t>(size), '\0');
    if (H5Fget_file_image(id, image.data(), static_cast<size_t>(size)) != size) {
      throw Error("HDF5 error while writing '" + path + "': the file image could not be read");
    }
    try {
      write_file_atomically(path, image);
    } catch (...) {
      persist_failed = true;
      throw;
    }
  }
  bool persist_failed = false;  ///< a write failed (full disk): close writes nothing more
  // Closed here, not by HDF5's C++ destructors, which print to stderr when a close fails (a
  // full disk) and then close the half-closed file again, which crashes. A file whose close
  // failed is left to the process's end, and hdf5_left_unclean() says so.
  ~Impl() {
    // What was written since the last flush goes to disk at close, as a file HDF5 wrote in place
    // would; never after a failed write (the disk is full) and never with an error (nothrow).
    if (!persist_failed) {
      try {
        persist();
      } catch (...) {
      }
    }
    for (auto& [name, d] : open) {
      try {
        d.close();
      } catch (const H5::Exception&) {
        close_failed = true;
      }
    }
    open.clear();
    try {
      file.close();
      delete &file;
    } catch (const H5::Exception&) {
      close_failed = true;  // deliberately not deleted: its destructor would close it again
    }
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  std::string path;
  H5::H5File& file;  // owned; see ~Impl
  std::map<std::string, H5::DataSet> open;  // series by path, kept open for appending

  H5::Group group(const std::string& group_path) {
    if (group_path == "/") return file.openGroup("/");
    if (exists(file, group_path)) return file.openGroup(group_path);
    group(parent_of(group_path));
    return file.createGroup(group_path);
  }

  // The series at `path`, created with rows of `width` values (0 = a 1-D series).
  H5::DataSet& series(const std::string& path, hsize_t width) {
    auto it = open.find(path);
    if (it != open.end()) return it->second;
    H5::DataSet d;
    if (exists(file, path)) {
      d = file.openDataSet(path);
    } else {
      group(parent_of(path));
      const int rank = width == 0 ? 1 : 2;
      const hsize_t initial[2] = {0, width}, maximum[2] = {H5S_UNLIMITED, width};
      const hsize_t chunk[2] = {width == 0 ? 256 : std::max<hsize_t>(1, 4096 / width), width};
      H5::DSetCreatPropList properties;
      properties.setChunk(rank, chunk);
      d = file.createDataSet(path, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(rank, initial, maximum), properties);
      const int one = 1;
      d.createAttribute("series", H5::PredType::NATIVE_INT, H5::DataSpace(H5S_SCALAR))
          .write(H5::PredType::NATIVE_INT, &one);
    }
    return open.emplace(path, d).first->second;
  }

  std::vector<double> read(const std::string& dataset) { return read_doubles(file, dataset); }

  // Cuts the series below `group` (recursively) to `rows` rows.
  void cut(const std::string& group, hsize_t rows) {
    H5::Group h = file.openGroup(group);
    for (hsize_t i = 0; i < h.getNumObjs(); ++i) {
      const std::string child = group + "/" + h.getObjnameByIdx(i);
      if (h.getObjTypeByIdx(i) == H5G_GROUP) {
        cut(child, rows);
        continue;
      }
      H5::DataSet d = file.openDataSet(child);
      if (!d.attrExists("series")) continue;  // fixed arrays (edges, positions) stay
      hsize_t dims[2] = {0, 0};
      series_dims(d, child, dims);
      if (dims[0] <= rows) continue;
      const hsize_t extent[2] = {rows, dims[1]};
      d.extend(extent);  // H5Dset_extent: shrinking drops the rows beyond
    }
  }

  void append(const std::string& path, const std::vector<double>& row, bool scalar) {
    H5::DataSet& d = series(path, scalar ? 0 : row.size());
    hsize_t dims[2] = {0, 0};
    const int rank = series_dims(d, path, dims);
    if ((rank == 1) != scalar || (rank == 2 && dims[1] != row.size())) {
      throw Error("run file series '" + path + "' has another row shape");
    }
    const hsize_t extent[2] = {dims[0] + 1, dims[1]}, offset[2] = {dims[0], 0}, count[2] = {1, dims[1]};
    d.extend(extent);
    H5::DataSpace file_space = d.getSpace();
    file_space.selectHyperslab(H5S_SELECT_SET, count, offset);
    d.write(row.data(), H5::PredType::NATIVE_DOUBLE, H5::DataSpace(rank, count), file_space);
  }
};

RunFile::RunFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RunFile::RunFile(RunFile&&) noexcept = default;
RunFile& RunFile::operator=(RunFile&&) noexcept = default;
RunFile::~RunFile() = default;

RunFile RunFile::create(const std::string& path, const nlohmann::json& config, const nlohmann::json& environment) {
  H5::Exception::dontPrint();
  std::error_code error;
  if (std::filesystem::exists(std::filesystem::symlink_status(path, error))) {
    throw Error("cannot create run file '" + path + "': it exists (a run file is never overwritten)");
  }
  return hdf5_call(path, "creating", [&] {
    auto impl = std::make_unique<Impl>(path);
    H5::Attribute version = impl->file.createAttribute("format_version", H5::PredType::NATIVE_INT,
                                                       H5::DataSpace(H5S_SCALAR));
    version.write(H5::PredType::NATIVE_INT, &kRunFileFormatVersion);
    write_string_attribute(impl->file, "config", config.dump(2));
    write_string_attribute(impl->file, "environment", environment.dump(2));
    write_string_attribute(impl->file, "status", "running");
    for (const auto& name : epoch_series_names()) impl->series("/epochs/" + name, 0);  // present even if empty
    impl->persist();
    return RunFile(std::move(impl));
  });
}

RunFile RunFile::open_for_resume(const std::string& path, int64_t epochs) {
  check_openable(path);
  RunFile f(std::make_unique<Impl>(path, hdf5_call(path, "opening", [&] {
    try {
      return H5::H5File(path, H5F_ACC_RDWR, H5::FileCreatPropList::DEFAULT, in_memory_access());
    } catch (const H5::Exception&) {
      open_file(path, H5F_ACC_RDONLY);  // explains the failure (not HDF5, corrupt, ...)
      throw;
    }
  })));
  check_version(f.impl_->file, path);
  const auto have = hdf5_call(path, "reading", [&] { return f.impl_->read("/epochs/epoch"); });
  if (static_cast<int64_t>(have.size()) < epochs) {
    throw Error("run file '" + path + "' has " + std::to_string(have.size()) + " epochs but the checkpoint has " +
                std::to_string(epochs));
  }
  f.truncate_series("/epochs", "epoch", static_cast<double>(epochs));
  f.set_status("running");
  return f;
}

void RunFile::append_epoch(const EpochMetrics& m) {
  hdf5_call(impl_->path, "writing", [&] {
    impl_->append("/epochs/epoch", {static_cast<double>(m.epoch)}, true);
    for (const auto& field : kEpochFields) impl_->append(std::string("/epochs/") + field.name, {m.*field.member}, true);
    impl_->persist();
    return 0;
  });
}

void RunFile::set_status(const std::string& status) {
  hdf5_call(impl_->path, "writing", [&] {
    write_string_attribute(impl_->file, "status", status);
    impl_->persist();
    return 0;
  });
}

void RunFile::append_scalar(const std::string& path, double value) {
  hdf5_call(impl_->path, "writing", [&] {
    impl_->append(path, {value}, true);
    return 0;
  });
}

void RunFile::append_row(const std::string& path, const std::vector<double>& row) {
  hdf5_call(impl_->path, "writing", [&] {
    impl_->append(path, row, false);
    return 0;
  });
}

void RunFile::write_array(const std::string& path, const std::vector<double>& values) {
  hdf5_call(impl_->path, "writing", [&] {
    impl_->group(parent_of(path));
    if (exists(impl_->file, path)) impl_->file.unlink(path);
    const hsize_t dims[1] = {values.size()};
    H5::DataSet d = impl_->file.createDataSet(path, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(1, dims));
    if (!values.empty()) d.write(values.data(), H5::PredType::NATIVE_DOUBLE);
    return 0;
  });
}

void RunFile::set_attribute(const std::string& path, const std::string& name, const std::string& value) {
  hdf5_call(impl_->path, "writing", [&] {
    H5::Group g = impl_->group(path);
    write_string_attribute(g, name, value);
    return 0;
  });
}

void RunFile::truncate_series(const std::string& group, const std::string& index_name, double max_index) {
  hdf5_call(impl_->path, "truncating", [&] {
    if (!exists(impl_->file, group)) return 0;
    const std::vector<double> index = impl_->read(group + "/" + index_name);
    // The rows kept: the longest prefix whose index rises strictly and stays <= max_index. Rows
    // after a drop or a repeat (zeros of rows extended but never written, a step recorded twice)
    // are not records, whatever their value.
    hsize_t keep = 0;
    while (keep < index.size() && std::isfinite(index[keep]) && index[keep] <= max_index &&
           (keep == 0 || index[keep] > index[keep - 1])) {
      ++keep;
    }
    impl_->cut(group, keep);  // in memory: on disk with the next flush (each recorder flushes after its cuts)
    return 0;
  });
}

void RunFile::publish_as(const std::string& path) {
  flush();
  std::error_code error;
  std::filesystem::rename(impl_->path, path, error);
  if (error) throw Error("cannot rename '" + impl_->path + "' to '" + path + "': " + error.message());
  impl_->path = path;
}

void RunFile::flush() {
  hdf5_call(impl_->path, "flushing", [&] {
    impl_->persist();
    return 0;
  });
}

namespace {
H5::H5File open_read(const std::string& path) {
  H5::H5File file = open_file(path, H5F_ACC_RDONLY);
  check_version(file, path);
  return file;
}
}  // namespace

void RunFile::check_format(const std::string& path) {
  check_openable(path);
  // Without HDF5's file lock: only the version attribute is read, which a live writer never
  // changes, so a running run's checkpoint can still be evaluated.
  H5::FileAccPropList access;
  H5Pset_file_locking(access.getId(), false, true);
  const H5::H5File file = [&] {
    try {
      return H5::H5File(path, H5F_ACC_RDONLY, H5::FileCreatPropList::DEFAULT, access);
    } catch (const H5::Exception&) {
      open_file(path, H5F_ACC_RDONLY);  // explains the failure (not HDF5, corrupt, ...)
      throw Error("HDF5 error while opening '" + path + "'");
    }
  }();
  check_version(file, path);
}

nlohmann::json RunFile::read_config(const std::string& path) {
  H5::H5File file = open_read(path);
  const std::string text = hdf5_call(path, "reading", [&] { return read_string_attribute(file, "config"); });
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    throw InvalidArgument("run file '" + path + "' has a config attribute that is not valid JSON (corrupt)");
  }
}

std::string RunFile::read_status(const std::string& path) {
  H5::H5File file = open_read(path);
  return hdf5_call(path, "reading", [&] { return read_string_attribute(file, "status"); });
}

std::vector<double> RunFile::read_vector(const std::string& path, const std::string& dataset) {
  H5::H5File file = open_read(path);
  return hdf5_call(path, "reading", [&] {
    if (!exists(file, dataset)) throw InvalidArgument("run file '" + path + "' has no dataset '" + dataset + "'");
    return read_doubles(file, dataset);
  });
}

namespace {
std::map<std::string, std::vector<double>> epochs_of(H5::H5File& file, const std::string& path) {
  return hdf5_call(path, "reading", [&] {
    std::map<std::string, std::vector<double>> out;
    for (const auto& name : epoch_series_names()) {
      if (!exists(file, "/epochs/" + name)) throw InvalidArgument("run file '" + path + "' has no series /epochs/" + name);
      out[name] = read_doubles(file, "/epochs/" + name);
      if (out[name].size() != out["epoch"].size()) {
        throw InvalidArgument("run file '" + path + "' has series of different lengths under /epochs (corrupt)");
      }
    }
    return out;
  });
}

// An epoch number must be a whole number that fits: a damaged file can hold NaN or 1e300 there,
// whose conversion to an integer is undefined (found by the runfile fuzz target).
std::vector<EpochMetrics> rows_of(const std::map<std::string, std::vector<double>>& series, const std::string& path) {
  constexpr double kMaxEpoch = 1e15;
  std::vector<EpochMetrics> out(series.at("epoch").size());
  for (size_t i = 0; i < out.size(); ++i) {
    const double epoch = series.at("epoch")[i];
    if (!(epoch >= 0 && epoch <= kMaxEpoch) || epoch != std::floor(epoch)) {
      throw InvalidArgument("run file '" + path + "' has epoch number " + std::to_string(epoch) + " in row " +
                            std::to_string(i + 1) + " of /epochs/epoch (corrupt file)");
    }
    out[i].epoch = static_cast<int64_t>(epoch);
    for (const auto& field : kEpochFields) out[i].*field.member = series.at(field.name)[i];
  }
  return out;
}
}  // namespace

std::map<std::string, std::vector<double>> RunFile::read_epochs(const std::string& path) {
  H5::H5File file = open_read(path);
  return epochs_of(file, path);
}

std::vector<EpochMetrics> RunFile::read_epoch_metrics(const std::string& path) {
  return rows_of(read_epochs(path), path);
}

std::vector<EpochMetrics> RunFile::epoch_metrics() { return rows_of(epochs_of(impl_->file, impl_->path), impl_->path); }

bool hdf5_left_unclean() { return close_failed.load(); }

}  // namespace denseshift::record
