#include "denseshift/deploy/model_file.h"

#include <zlib.h>

#include <sys/stat.h>

#include <climits>
#include <cstring>
#include <fstream>
#include <set>

#include "denseshift/core/error.h"
#include "denseshift/core/system.h"

namespace denseshift::deploy {

using nlohmann::json;

namespace {

constexpr size_t kAlign = 64;
constexpr size_t kPrefix = 8 + 4 + 8;  // magic, version, header length
constexpr uint64_t kMaxHeaderBytes = uint64_t{16} << 20;

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t get_le(const std::string& s, size_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return v;
}
size_t padded(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

uint32_t crc_of(const std::string& s, size_t n) {
  uLong crc = crc32(0L, Z_NULL, 0);
  for (size_t done = 0; done < n;) {
    const auto chunk = static_cast<uInt>(std::min<size_t>(n - done, size_t{1} << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(s.data() + done), chunk);
    done += chunk;
  }
  return static_cast<uint32_t>(crc);
}

int64_t expected_bytes(const ModelTensor& t) {
  if (t.encoding == "float32") return 4 * t.numel();
  return (t.numel() * t.space->bits() + 7) / 8;
}

}  // namespace

int64_t ModelTensor::numel() const {
  int64_t n = 1;
  for (const int64_t d : shape) n *= d;
  return n;
}

const ModelTensor& ModelFile::tensor(const std::string& name) const {
  for (const auto& t : tensors) {
    if (t.name == name) return t;
  }
  throw InvalidArgument("the model file has no tensor '" + name + "'");
}

std::vector<uint8_t> pack_codes(const std::vector<int32_t>& codes, int bits) {
  if (bits < 2 || bits > 8) throw InvalidArgument("pack_codes: bits must be 2 to 8, got " + std::to_string(bits));
  std::vector<uint8_t> out((codes.size() * static_cast<size_t>(bits) + 7) / 8, 0);
  for (size_t i = 0; i < codes.size(); ++i) {
    if (codes[i] < 0 || codes[i] >= (1 << bits)) {
      throw InvalidArgument("pack_codes: code " + std::to_string(codes[i]) + " does not fit " + std::to_string(bits) +
                            " bits");
    }
    for (int b = 0; b < bits; ++b) {
      if ((codes[i] >> b) & 1) {
        const size_t bit = i * static_cast<size_t>(bits) + static_cast<size_t>(b);
        out[bit / 8] = static_cast<uint8_t>(out[bit / 8] | (1u << (bit % 8)));
      }
    }
  }
  return out;
}

std::vector<int32_t> unpack_codes(const uint8_t* bytes, int64_t count, int bits) {
  std::vector<int32_t> out(static_cast<size_t>(count), 0);
  for (int64_t i = 0; i < count; ++i) {
    int32_t code = 0;
    for (int b = 0; b < bits; ++b) {
      const int64_t bit = i * bits + b;
      code |= ((bytes[bit / 8] >> (bit % 8)) & 1) << b;
    }
    out[static_cast<size_t>(i)] = code;
  }
  return out;
}

int64_t write_model_file(const std::string& path, const ModelFile& model) {
  json header = model.header;
  json tensors = json::array();
  size_t offset = 0;
  for (const auto& t : model.tensors) {
    if (static_cast<int64_t>(t.bytes.size()) != expected_bytes(t)) {
      throw Error("model tensor '" + t.name + "' holds " + std::to_string(t.bytes.size()) + " bytes, its shape needs " +
                  std::to_string(expected_bytes(t)));
    }
    json entry = {{"name", t.name}, {"encoding", t.encoding}, {"shape", t.shape}, {"offset", offset},
                  {"bytes", t.bytes.size()}};
    if (t.input_copies != 1) entry["input_copies"] = t.input_copies;
    if (t.space) {
      entry["space"] = {{"kind", to_string(t.space->kind())}, {"bits", t.space->bits()},
                        {"exponent_offset", t.space->exponent_offset()}};
    }
    tensors.push_back(entry);
    offset += padded(t.bytes.size());
  }
  header["format"] = "denseshift-model";
  header["format_version"] = kModelFormatVersion;
  header["tensors"] = tensors;
  const std::string text = header.dump();
  std::string out(kModelMagic, 8);
  put_u32(out, kModelFormatVersion);
  put_u64(out, text.size());
  out += text;
  out.resize(padded(out.size()), '\0');
  for (const auto& t : model.tensors) {
    out.append(reinterpret_cast<const char*>(t.bytes.data()), t.bytes.size());
    out.resize(padded(out.size()), '\0');
  }
  put_u32(out, crc_of(out, out.size()));
  write_file_atomically(path, out);  // core/system.h: path.tmp, fsync, rename; removed on failure
  return static_cast<int64_t>(out.size());
}

int64_t header_integer(const json& object, const std::string& key, int64_t lo, int64_t hi, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end()) throw InvalidArgument(where + " has no '" + key + "'");
  // A JSON number that is an integer (1.0 or 4.5 or 2^70 is not): nlohmann would truncate or wrap them.
  const bool integer = it->is_number_integer() &&
                       (it->is_number_unsigned() ? it->get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX) : true);
  if (!integer || it->get<int64_t>() < lo || it->get<int64_t>() > hi) {
    throw InvalidArgument(where + "'s '" + key + "' must be an integer from " + std::to_string(lo) + " to " +
                          std::to_string(hi) + ", got " + excerpt(it->dump(), 40));
  }
  return it->get<int64_t>();
}

ModelFile read_model_file(const std::string& path) {
  const auto fail = [&](const std::string& what) { throw InvalidArgument("model file '" + path + "': " + what); };
  // A regular file only: a device (/dev/zero), a pipe or a folder would be read without end or bound.
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) fail("cannot be opened (missing or unreadable)");
  if (!S_ISREG(info.st_mode)) fail("is not a regular file");
  std::ifstream file(path, std::ios::binary);
  if (!file) fail("cannot be opened (missing or unreadable)");
  const auto size = static_cast<uint64_t>(info.st_size);
  if (size < kPrefix + 4) fail("not a denseshift model file");
  // The prefix first: a file that is not a model file is refused before the rest is read.
  std::string s(kPrefix, '\0');
  if (!file.read(s.data(), static_cast<std::streamsize>(kPrefix))) fail("cannot be read");
  if (std::memcmp(s.data(), kModelMagic, 8) != 0) fail("not a denseshift model file");
  const auto version = static_cast<uint32_t>(get_le(s, 8, 4));
  if (version > kModelFormatVersion) {
    fail("format version " + std::to_string(version) + " is newer than this build reads (" +
         std::to_string(kModelFormatVersion) + "): use a newer denseshift");
  }
  if (version != kModelFormatVersion && version != 1) {
    fail("format version " + std::to_string(version) + " is not one this build reads");
  }
  const uint64_t header_bytes = get_le(s, 12, 8);
  if (header_bytes > kMaxHeaderBytes || kPrefix + header_bytes + 4 > size) fail("truncated (its header is cut)");
  // The whole file, as large as stat said (it may not grow while read: what is past that is ignored,
  // and a file that shrank fails the read).
  s.resize(static_cast<size_t>(size));
  if (!file.read(s.data() + kPrefix, static_cast<std::streamsize>(size - kPrefix))) fail("truncated while read");
  const auto stored_crc = static_cast<uint32_t>(get_le(s, s.size() - 4, 4));
  if (crc_of(s, s.size() - 4) != stored_crc) fail("checksum mismatch: the file is truncated or corrupt");
  ModelFile m;
  try {
    m.header = json::parse(s.substr(kPrefix, header_bytes));
    if (!m.header.is_object()) fail("its header is not a JSON object");
    const size_t data_start = padded(kPrefix + header_bytes);
    const size_t data_end = s.size() - 4;
    if (data_start > data_end) fail("truncated (no room for its tensors)");
    const auto& entries = m.header.at("tensors");
    if (!entries.is_array()) fail("its 'tensors' is not a list");
    std::set<std::string> names;
    for (const auto& entry : entries) {
      if (!entry.is_object()) fail("a tensor entry is not a JSON object");
      ModelTensor t;
      t.name = entry.at("name").get<std::string>();
      if (!names.insert(t.name).second) fail("tensor '" + printable(t.name) + "' appears twice");
      const std::string where = "tensor '" + printable(t.name) + "'";
      t.encoding = entry.at("encoding").get<std::string>();
      const auto& shape = entry.at("shape");
      if (!shape.is_array() || shape.size() > 8) fail(where + " has a bad shape (a list of at most 8 sizes)");
      // Every size at least 1 and the element count bounded by the file's size (no overflow): a model
      // file holds no empty tensor, and none larger than its bytes can encode (2 bits the smallest code).
      const auto max_numel = static_cast<int64_t>(std::min<uint64_t>(size * 4, uint64_t{1} << 62));
      int64_t numel = 1;
      for (const auto& d : shape) {
        if (!d.is_number_integer() || d.get<int64_t>() < 1 || d.get<int64_t>() > max_numel ||
            numel > max_numel / d.get<int64_t>()) {
          fail(where + " has a bad shape " + excerpt(shape.dump(), 60) +
               " (each size an integer of at least 1, no more elements than the file holds)");
        }
        numel *= d.get<int64_t>();
        t.shape.push_back(d.get<int64_t>());
      }
      t.input_copies = entry.contains("input_copies") ? header_integer(entry, "input_copies", 1, 2, where) : 1;
      if (t.encoding == "packed") {
        const auto& sp = entry.at("space");
        if (!sp.is_object()) fail(where + "'s space is not a JSON object");
        // (an unknown kind or an out-of-range integer: InvalidArgument, named with the file below)
        t.space = WeightSpace(
            parse_space_kind(sp.at("kind").get<std::string>()),
            static_cast<int>(header_integer(sp, "bits", WeightSpace::kMinBits, WeightSpace::kMaxBits,
                                            where + "'s space")),
            static_cast<int>(header_integer(sp, "exponent_offset", -WeightSpace::kMaxAbsOffset,
                                            WeightSpace::kMaxAbsOffset, where + "'s space")));
      } else if (t.encoding != "float32") {
        fail(where + " has an unknown encoding '" + printable(excerpt(t.encoding, 40)) + "'");
      }
      const auto max_bytes = static_cast<int64_t>(data_end);
      const int64_t offset = header_integer(entry, "offset", 0, max_bytes, where);
      const int64_t bytes = header_integer(entry, "bytes", 0, max_bytes, where);
      if (bytes != expected_bytes(t)) {
        fail(where + " has " + std::to_string(bytes) + " bytes, its shape needs " + std::to_string(expected_bytes(t)));
      }
      if (static_cast<uint64_t>(offset) > data_end - data_start ||
          static_cast<uint64_t>(bytes) > data_end - data_start - static_cast<uint64_t>(offset)) {
        fail(where + " lies outside the file (truncated?)");
      }
      const auto* begin = reinterpret_cast<const uint8_t*>(s.data() + data_start + offset);
      t.bytes.assign(begin, begin + bytes);
      m.tensors.push_back(std::move(t));
    }
  } catch (const json::exception& e) {
    fail(std::string("its header is malformed: ") + e.what());
  } catch (const InvalidArgument& e) {
    const std::string what = e.what();
    if (what.rfind("model file '", 0) == 0) throw;
    fail(what);
  }
  m.header.erase("tensors");
  return m;
}

}  // namespace denseshift::deploy
