// denseshift list [parametrizations | weight-spaces] [options]
#include <boost/program_options.hpp>

#include <iostream>
#include <sstream>

#include "command.h"
#include "denseshift/kernels/kernels.h"
#include "denseshift/quant/registry.h"
#include "denseshift/quant/weight_space.h"
#include "denseshift/util/error.h"

namespace po = boost::program_options;

namespace denseshift::cli {
namespace {

std::string format_value(double value) {
  std::ostringstream out;
  out << value;  // shortest form: 1, 0.25, 1024
  return out.str();
}

void list_parametrizations(bool details) {
  for (const auto& info : quant::parametrization_registry()) {
    if (!details) {
      std::cout << info.name << "\n";
      continue;
    }
    std::vector<std::string> spaces;
    for (auto kind : info.spaces) spaces.push_back(quant::to_string(kind));
    std::cout << info.name << "\t" << info.summary << "\t"
              << (info.quantized ? "spaces: " + join(spaces) : "no weight space") << "\n";
  }
}

void list_weight_spaces(const std::vector<int>& bits, const std::vector<quant::SpaceKind>& kinds,
                        int offset, bool codes) {
  for (int b : bits) {
    for (auto kind : kinds) {
      const quant::WeightSpace space(kind, b, offset);
      std::cout << space.describe() << ", " << space.num_values() << " values:";
      for (double v : space.values()) {
        std::cout << " " << format_value(v);
        if (codes) std::cout << "[" << space.encode(v) << "]";
      }
      std::cout << "\n";
    }
  }
}

template <class K>
void list_kernel_family(const std::vector<K>& list) {
  for (const auto& k : list) {
    std::cout << k.name << "\t" << kernels::to_string(k.isa)
              << (kernels::isa_supported(k.isa) ? "" : "\t(not on this CPU)") << "\n";
  }
}

void list_kernels() {
  const auto& list = kernels::kernel_list();
  list_kernel_family(list.f32_vmul);
  list_kernel_family(list.f16_vmul);
  list_kernel_family(list.f32_dot);
  list_kernel_family(list.f16_dot);
  list_kernel_family(list.i8_dot);
  list_kernel_family(list.gemv);
}

}  // namespace

int run_list(const std::vector<std::string>& args) {
  po::options_description options("Options of denseshift list");
  options.add_options()("help,h", "print this help and exit")(
      "details", "parametrizations: add a summary and the weight spaces of each")(
      "bits", po::value<int>(), "weight-spaces: only this bit-width (2 to 5; default: all)")(
      "space", po::value<std::string>(), "weight-spaces: only dense_shift or shift (default: both)")(
      "offset", po::value<int>()->default_value(0), "weight-spaces: exponent offset")(
      "codes", "weight-spaces: print each value's integer code in brackets");
  const po::variables_map vm = parse_with_positional(args, options, "what");
  if (vm.count("help")) {
    std::cout << "Usage: denseshift list [parametrizations | weight-spaces | kernels] [options]\n"
                 "With no argument, lists parametrizations and weight spaces. kernels: every\n"
                 "inference kernel compiled in, by name and ISA, tab-separated.\n\n"
              << options;
    return kExitOk;
  }

  const std::string what = vm.count("what") ? vm["what"].as<std::string>() : "";
  if (!what.empty() && what != "parametrizations" && what != "weight-spaces" && what != "kernels") {
    throw_unknown_name("list", what, {"parametrizations", "weight-spaces", "kernels"});
  }
  if (what == "kernels") {
    list_kernels();
    return kExitOk;
  }
  std::vector<int> bits;
  if (vm.count("bits")) {
    bits.push_back(vm["bits"].as<int>());
  } else {
    for (int b = quant::WeightSpace::kMinBits; b <= quant::WeightSpace::kMaxBits; ++b) {
      bits.push_back(b);
    }
  }
  std::vector<quant::SpaceKind> kinds = {quant::SpaceKind::dense_shift, quant::SpaceKind::shift};
  if (vm.count("space")) kinds = {quant::parse_space_kind(vm["space"].as<std::string>())};
  const int offset = vm["offset"].as<int>();
  // Validate every space before printing anything, so an error leaves no partial output.
  for (int b : bits) {
    for (auto kind : kinds) quant::WeightSpace(kind, b, offset);
  }

  if (what.empty() || what == "parametrizations") {
    if (what.empty()) std::cout << "# parametrizations\n";
    list_parametrizations(vm.count("details") > 0);
  }
  if (what.empty() || what == "weight-spaces") {
    if (what.empty()) std::cout << "\n# weight spaces\n";
    list_weight_spaces(bits, kinds, offset, vm.count("codes") > 0);
  }
  return kExitOk;
}

}  // namespace denseshift::cli
