#pragma once
// Facts about the machine and small file helpers shared by every target (plain C++).

#include <filesystem>
#include <string>
#include <string_view>

namespace denseshift {

/// One line naming the CPU: /proc/cpuinfo's model name (with family, model and stepping)
/// on x86, implementer and part on AArch64, "unknown CPU" otherwise.
std::string cpu_description();

/// The current UTC time in strftime `format`, e.g. "%Y-%m-%d".
std::string utc_now(const char* format);

/// This machine's host name ("" if unknown).
std::string hostname();

/// Writes `text` to `path` through a new temporary `path.tmp.PID.N` (created with O_EXCL, so
/// never an existing file) and a rename, so a reader sees the old file or the whole new one;
/// on failure the temporary file is removed and Error thrown.
void write_text_atomically(const std::filesystem::path& path, const std::string& text);
/// The same for any bytes, with an fsync before the rename; a full disk or any other
/// write error is an Error naming the file and the reason (e.g. "No space left on device").
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

}  // namespace denseshift
