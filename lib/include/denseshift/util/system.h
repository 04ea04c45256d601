#pragma once
// Facts about the machine and small file helpers shared by every target (plain C++).

#include <filesystem>
#include <string>

namespace denseshift {

/// One line naming the CPU: /proc/cpuinfo's model name on x86, implementer and part
/// on AArch64, "unknown CPU" otherwise.
std::string cpu_description();

/// Writes `text` to `path` through `path.tmp` and a rename, so a reader sees the old
/// file or the whole new one; on failure the temporary file is removed and Error thrown.
void write_text_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace denseshift
