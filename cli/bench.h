#pragma once
// The parts of `denseshift bench` shared by its files (cli/bench_command.cpp: train, eval,
// kernels and the dispatch; cli/bench_infer_command.cpp: infer).

#include <cstdint>
#include <string>
#include <vector>

namespace denseshift::cli {

/// "64,128" -> {64, 128}; every item a whole number >= 1, else InvalidArgument naming --flag and
/// the item ("is not WHAT (expected e.g. EXAMPLE)").
std::vector<int64_t> parse_positive_list(const std::string& flag, const std::string& text, const std::string& what,
                                         const std::string& example);

/// `denseshift bench infer RUN_DIR ...`.
int bench_infer(const std::vector<std::string>& args);

}  // namespace denseshift::cli
