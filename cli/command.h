#pragma once
// One entry per `denseshift <command>`; each command lives in its own file and
// is listed once in main.cpp.

#include <boost/program_options.hpp>

#include <string>
#include <vector>

namespace denseshift::cli {

struct Command {
  std::string name;
  std::string summary;
  /// Receives the arguments after the command name; returns the exit code.
  int (*run)(const std::vector<std::string>& args);
};

/// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;

/// Parses `args` for a command that takes one positional argument `positional_name`
/// (e.g. RUN_DIR) besides `options`; the value is stored under that name. `--help` is left
/// for the caller; a missing positional is not an error here (check vm.count()).
boost::program_options::variables_map parse_with_positional(const std::vector<std::string>& args,
                                                            const boost::program_options::options_description& options,
                                                            const std::string& positional_name);
/// The same for several positional arguments, in order (e.g. SWEEP_DIR INDEX).
boost::program_options::variables_map parse_with_positional(const std::vector<std::string>& args,
                                                            const boost::program_options::options_description& options,
                                                            const std::vector<std::string>& positional_names);

/// The --out of a command that writes one file (export, convert): refuses a folder, and an
/// existing file unless `force`; with `force`, still refuses anything but a regular file that holds
/// a denseshift model file (a run's checkpoint, a device node, a link) and the `input` itself;
/// returns the path.
std::string output_file(const boost::program_options::variables_map& vm, const std::string& command,
                        const std::string& input = "");

/// An exception's message as one printable line: a LibTorch error without its stack of "frame #"
/// lines, anything after a line break cut.
std::string error_line(const std::exception& e);

int run_list(const std::vector<std::string>& args);
int run_train(const std::vector<std::string>& args);
int run_eval(const std::vector<std::string>& args);
int run_inspect(const std::vector<std::string>& args);
int run_export(const std::vector<std::string>& args);
int run_infer(const std::vector<std::string>& args);
int run_convert(const std::vector<std::string>& args);
int run_bench(const std::vector<std::string>& args);
int run_sweep_command(const std::vector<std::string>& args);
/// `sweep run-task` and `sweep status` (cli/sweep_task_command.cpp, cli/sweep_status_command.cpp).
int sweep_task_command(const std::vector<std::string>& args);
int sweep_status_command(const std::vector<std::string>& args);

}  // namespace denseshift::cli
