// denseshift: the command line. Thin: parse, call the library, report.
// Errors are printed as one line "denseshift: error: ..." with exit code 2 for
// bad input and 1 for anything else; no stack traces.
#include <boost/program_options.hpp>
#include <c10/util/Exception.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <exception>
#include <filesystem>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "command.h"
#include "denseshift/record/run_file.h"
#include "denseshift/core/error.h"
#include "denseshift/deploy/model_file.h"
#include "denseshift/version.h"

namespace po = boost::program_options;
using denseshift::cli::Command;

namespace denseshift::cli {

po::variables_map parse_with_positional(const std::vector<std::string>& args, const po::options_description& options,
                                        const std::vector<std::string>& positional_names) {
  po::options_description hidden;
  po::positional_options_description positional;
  for (const auto& name : positional_names) {
    hidden.add_options()(name.c_str(), po::value<std::string>(), "a positional argument");
    positional.add(name.c_str(), 1);
  }
  po::options_description all;
  all.add(options).add(hidden);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  po::notify(vm);
  return vm;
}

po::variables_map parse_with_positional(const std::vector<std::string>& args, const po::options_description& options,
                                        const std::string& positional_name) {
  return parse_with_positional(args, options, std::vector<std::string>{positional_name});
}

std::string output_file(const po::variables_map& vm, const std::string& command, const std::string& input) {
  namespace fs = std::filesystem;
  if (!vm.count("out")) throw denseshift::InvalidArgument("denseshift " + command + " needs --out FILE");
  const std::string out = vm["out"].as<std::string>();
  std::error_code error;
  if (out.empty()) throw denseshift::InvalidArgument("--out is empty; give a file name");
  if (out.find('\n') != std::string::npos) throw denseshift::InvalidArgument("--out holds a line break");
  if (fs::is_directory(out, error)) {
    throw denseshift::InvalidArgument("--out '" + out + "' is a folder; give a file name");
  }
  const fs::file_status status = fs::symlink_status(out, error);
  if (!fs::exists(status)) return out;
  if (!vm["force"].as<bool>()) throw denseshift::InvalidArgument("--out '" + out + "' exists; --force replaces it");
  // --force replaces only a model file of ours: never a run's checkpoint or run file, a device node,
  // a link (whose target would be left or replaced unseen), nor the input itself.
  if (!fs::is_regular_file(status)) {
    throw denseshift::InvalidArgument("--out '" + out + "' is not a regular file; --force replaces only a model file");
  }
  if (!input.empty() && fs::equivalent(out, input, error)) {
    throw denseshift::InvalidArgument("--out '" + out + "' is the input itself; write the result to another file");
  }
  char magic[sizeof(denseshift::deploy::kModelMagic)] = {};
  std::ifstream existing(out, std::ios::binary);
  if (!existing.read(magic, sizeof magic) ||
      std::memcmp(magic, denseshift::deploy::kModelMagic, sizeof magic) != 0) {
    throw denseshift::InvalidArgument("--out '" + out + "' is not a denseshift model file; --force replaces only a model file");
  }
  return out;
}

std::string error_line(const std::exception& e) {
  const auto* torch_error = dynamic_cast<const c10::Error*>(&e);
  const std::string message = torch_error ? torch_error->what_without_backtrace() : e.what();
  return printable(excerpt(message.substr(0, message.find('\n')), 500));
}

}  // namespace denseshift::cli

namespace {

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      {"train", "train a network from a JSON config into a run directory", denseshift::cli::run_train},
      {"eval", "accuracy of a run's checkpoint on its dataset", denseshift::cli::run_eval},
      {"inspect", "a run's summary and the weight values of its quantized layers", denseshift::cli::run_inspect},
      {"export", "write a run's network as a model file of packed power-of-two codes", denseshift::cli::run_export},
      {"infer", "accuracy of a model file run by the inference engine (no LibTorch in its path)", denseshift::cli::run_infer},
      {"convert", "Theorem 1: a Shift-space model file as an equal zero-free one", denseshift::cli::run_convert},
      {"sweep", "run a grid of configs x seeds, locally or on Slurm (resumable); its status", denseshift::cli::run_sweep_command},
      {"bench", "benchmarks: training-step time per parametrization; inference kernels", denseshift::cli::run_bench},
      {"list", "list parametrizations and weight spaces", denseshift::cli::run_list},
  };
  return all;
}

void print_usage(std::ostream& out, const po::options_description& global) {
  out << "denseshift " << denseshift::kVersion
      << ": train, study and deploy low-bit power-of-two (shift) networks\n\n"
         "Usage: denseshift <command> [options]\n"
         "       denseshift <command> --help\n\n"
         "Commands:\n";
  for (const auto& c : commands()) {
    out << "  " << c.name << std::string(12 - c.name.size(), ' ') << c.summary << "\n";
  }
  out << "\n" << global;
}

int run(int argc, char** argv) {
  po::options_description global("Options");
  global.add_options()("help,h", "print this help and exit")(
      "version", "print the version and the commit it was built from, and exit");

  if (argc < 2) {
    print_usage(std::cerr, global);
    return denseshift::cli::kExitBadInput;
  }
  const std::string first = argv[1];
  if (!first.empty() && first[0] == '-') {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, global), vm);
    if (vm.count("version")) {
      std::cout << "denseshift " << denseshift::kVersion << " (commit "
                << denseshift::kGitCommit << ")\n";
      return denseshift::cli::kExitOk;
    }
    print_usage(std::cout, global);
    return denseshift::cli::kExitOk;
  }
  std::vector<std::string> names;
  for (const auto& c : commands()) {
    if (c.name == first) return c.run(std::vector<std::string>(argv + 2, argv + argc));
    names.push_back(c.name);
  }
  denseshift::throw_unknown_name("command", first, names);
}

}  // namespace

int main(int argc, char** argv) {
  // Every failure is one line on stderr: never a stack trace (LibTorch's messages carry one).
  const auto fail = [](const std::string& message, int code) {
    const std::string line = denseshift::printable(denseshift::excerpt(message.substr(0, message.find('\n')), 500));
    std::cerr << "denseshift: error: " << line << std::endl;
    if (denseshift::record::hdf5_left_unclean()) {
      std::cout.flush();
      std::fflush(nullptr);
      std::_Exit(code);  // skip HDF5's exit handler, which crashes on a file whose close failed
    }
    return code;
  };
  try {
    return run(argc, argv);
  } catch (const denseshift::InvalidArgument& e) {
    return fail(e.what(), denseshift::cli::kExitBadInput);
  } catch (const po::error& e) {
    return fail(std::string(e.what()) + " (see --help)", denseshift::cli::kExitBadInput);
  } catch (const c10::Error& e) {
    return fail(e.what_without_backtrace(), denseshift::cli::kExitFailure);
  } catch (const std::bad_alloc&) {
    return fail("out of memory", denseshift::cli::kExitFailure);
  } catch (const std::exception& e) {
    return fail(e.what(), denseshift::cli::kExitFailure);
  } catch (...) {
    return fail("unknown internal error", denseshift::cli::kExitFailure);
  }
}
