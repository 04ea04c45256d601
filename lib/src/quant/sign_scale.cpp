// sign_scale: DenseShift's sign-scale decomposition (DenseShift v2 Sec. 3.2).
//   Eq. 3: w = sgn(w_sign) * 2^(offset + S_T)
//   Eq. 4: S_0 = 0, S_t = H(t_t) (S_{t-1} + 1), t = 1..T, T = 2^(n-1) - 1
// Heaviside and sign are straight-through. One fused autograd node computes the
// whole map and its gradients (fewer graph nodes than composing STEs).
//
// Backward, with g = dL/dw, sgn = sgn(w_sign), and D = dS_T/dt_t = (S_{t-1}+1) prod_{u>t} H(t_u):
//   lr_rescaling off (Eq. 7):  dL/dw_sign = g 2^(off+S_T),       dL/dS_T = g sgn 2^(off+S_T) ln 2
//   lr_rescaling on  (Eq. 8):  dL/dw_sign = g 2^off sqrt(S_T+1), dL/dS_T = g sgn 2^off / (2 sqrt(S_T+1))
//   dL/dt_t = dL/dS_T * D.
// "On" matches the authors' code, which evaluates w = wb + stopgrad(wf - wb) with
// wb = sgn sqrt(S_T+1): the forward value is exact and autograd sees sqrt(S_T+1).
#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include <ATen/Parallel.h>

#include <cmath>

#include "denseshift/quant/straight_through.h"
#include "factories.h"

namespace denseshift::quant {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// H(t_t) for every t, and S_0 .. S_T.
struct Recursion {
  std::vector<at::Tensor> on;
  std::vector<at::Tensor> level;
};

Recursion run_recursion(const at::Tensor& sign, at::TensorList shifts) {
  Recursion r;
  r.level.push_back(at::zeros_like(sign));
  for (const auto& t : shifts) {
    r.on.push_back((t > 0).to(sign.scalar_type()));
    r.level.push_back(r.on.back() * (r.level.back() + 1.0));
  }
  return r;
}

at::Tensor binary_sign(const at::Tensor& x) {
  return at::where(x >= 0, at::ones_like(x), at::full_like(x, -1.0));
}

// The CPU path: one pass over the elements each way instead of ~3T+5 tensor ops
// (the latents are small; per-op overhead dominated). Other devices use the
// tensor-op path below, which computes the same formulas.
bool use_fused_cpu(const at::Tensor& sign, at::TensorList shifts) {
  auto ok = [&](const at::Tensor& t) {
    return t.device().is_cpu() && t.scalar_type() == at::kFloat && t.is_contiguous() && t.sizes() == sign.sizes();
  };
  if (!ok(sign) || shifts.size() > 31) return false;
  for (const auto& t : shifts) {
    if (!ok(t)) return false;
  }
  return true;
}

// Element-wise passes over a layer's latents are cheap (a few ns per weight once
// branch-free), so only chunks this large go parallel: small layers do not wake a
// thread team (the backward runs on autograd's own thread, whose team would compete
// with the main one on 2 cores). A/B against a 4096 grain on lenet and resnet20 showed
// no difference beyond noise; this is the simpler behaviour.
constexpr int64_t kSerialGrain = int64_t{1} << 18;

std::vector<const float*> data_of(at::TensorList tensors) {
  std::vector<const float*> out;
  for (const auto& t : tensors) out.push_back(t.data_ptr<float>());
  return out;
}

at::Tensor fused_forward(const at::Tensor& sign, at::TensorList shifts, double base) {
  at::Tensor w = at::empty_like(sign);
  const float* ws = sign.data_ptr<float>();
  const std::vector<const float*> t = data_of(shifts);
  float* out = w.data_ptr<float>();
  const auto scale = static_cast<float>(base);
  const size_t T = t.size();
  at::parallel_for(0, sign.numel(), kSerialGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      int level = 0;
      for (size_t u = 0; u < T; ++u) level = (t[u][i] > 0) * (level + 1);  // Eq. 4, branch-free
      out[i] = (ws[i] >= 0 ? scale : -scale) * static_cast<float>(1u << level);  // Eq. 3, sgn(0) = +1
    }
  });
  return w;
}

variable_list fused_backward(const at::Tensor& g_in, const at::Tensor& sign, at::TensorList shifts, double base,
                             bool lr_rescaling) {
  const at::Tensor g_contiguous = g_in.contiguous();
  const float* g = g_contiguous.data_ptr<float>();
  const float* ws = sign.data_ptr<float>();
  const std::vector<const float*> t = data_of(shifts);
  const size_t T = t.size();
  variable_list grads(1 + T + 2);
  grads[0] = at::empty_like(sign);
  std::vector<float*> grad_t(T);
  for (size_t u = 0; u < T; ++u) grads[1 + u] = at::empty_like(sign), grad_t[u] = grads[1 + u].data_ptr<float>();
  float* grad_sign = grads[0].data_ptr<float>();
  // S_T takes only T+1 values: the two backward factors per level come from a table
  // (no sqrt or division per element).
  std::vector<float> sign_factor(T + 1), level_factor(T + 1);
  for (size_t level = 0; level <= T; ++level) {
    if (lr_rescaling) {  // Eq. 8 and d sqrt(S+1)/dS
      sign_factor[level] = static_cast<float>(base * std::sqrt(level + 1.0));
      level_factor[level] = static_cast<float>(0.5 * base / std::sqrt(level + 1.0));
    } else {  // Eq. 7 and d 2^S/dS
      sign_factor[level] = static_cast<float>(base * std::ldexp(1.0, static_cast<int>(level)));
      level_factor[level] = static_cast<float>(base * std::ldexp(1.0, static_cast<int>(level)) * M_LN2);
    }
  }
  at::parallel_for(0, sign.numel(), kSerialGrain, [&](int64_t begin, int64_t end) {
    // Branch-free: the latents' signs are random, so branching on them mispredicts about
    // half the time (measured 16 ns per weight branching, 3.4 ns without, for T = 3).
    float before[32];  // S_{t-1} + 1
    float on[32];      // H(t_t)
    for (int64_t i = begin; i < end; ++i) {
      int level = 0;
      for (size_t u = 0; u < T; ++u) {
        const int h = t[u][i] > 0;
        before[u] = static_cast<float>(level + 1);
        on[u] = static_cast<float>(h);
        level = h * (level + 1);
      }
      grad_sign[i] = g[i] * sign_factor[level];
      float grad_level = (ws[i] >= 0 ? 1.0f : -1.0f) * g[i] * level_factor[level];
      for (size_t u = T; u-- > 0;) {  // dS_T/dt_u = (S_{u-1}+1) prod_{v>u} H(t_v)
        grad_t[u][i] = grad_level * before[u];
        grad_level *= on[u];
      }
    }
  });
  return grads;
}

struct SignScaleFunction : torch::autograd::Function<SignScaleFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& sign, at::TensorList shifts,
                            double base, bool lr_rescaling) {
    variable_list saved{sign};
    saved.insert(saved.end(), shifts.begin(), shifts.end());
    ctx->save_for_backward(saved);
    ctx->saved_data["base"] = base;
    ctx->saved_data["lr_rescaling"] = lr_rescaling;
    if (use_fused_cpu(sign, shifts)) return fused_forward(sign, shifts, base);
    const at::Tensor level = run_recursion(sign, shifts).level.back();
    return binary_sign(sign) * at::exp2(level) * base;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_output) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor& sign = saved[0];
    const std::vector<at::Tensor> shifts(saved.begin() + 1, saved.end());
    const double base = ctx->saved_data["base"].toDouble();
    const bool lr_rescaling = ctx->saved_data["lr_rescaling"].toBool();
    const at::Tensor& g = grad_output[0];
    if (use_fused_cpu(sign, shifts) && g.device().is_cpu() && g.scalar_type() == at::kFloat) {
      return fused_backward(g, sign, shifts, base, lr_rescaling);
    }

    const Recursion r = run_recursion(sign, shifts);
    const at::Tensor& level = r.level.back();
    at::Tensor grad_sign, grad_level;
    if (lr_rescaling) {
      const at::Tensor root = at::sqrt(level + 1.0);
      grad_sign = g * root * base;
      grad_level = g * binary_sign(sign) * (0.5 * base) / root;
    } else {
      const at::Tensor scale = at::exp2(level) * base;
      grad_sign = g * scale;
      grad_level = g * binary_sign(sign) * scale * std::log(2.0);
    }
    const size_t T = shifts.size();
    variable_list grads(1 + T + 2);
    grads[0] = grad_sign;
    for (size_t t = T; t-- > 0;) {  // dS_T/dt_t = (S_{t-1}+1) * prod_{u>t} H(t_u)
      grads[1 + t] = grad_level * (r.level[t] + 1.0);
      grad_level = grad_level * r.on[t];
    }
    return grads;  // the two non-tensor arguments get undefined gradients
  }
};

class SignScale : public Parametrization {
 public:
  SignScale(const QuantOptions& options, std::vector<int64_t> shape)
      : Parametrization("sign_scale", options, std::move(shape)) {
    sign_ = add_latent("sign");
    for (int t = 1; t < quantized_space().num_magnitudes(); ++t) {
      shifts_.push_back(add_latent("t" + std::to_string(t)));
    }
    reset_parameters();
  }

  at::Tensor weight() override {
    const double base = std::ldexp(1.0, quantized_space().exponent_offset());
    // An explicit TensorList: autograd tracks each shift latent as an input.
    return SignScaleFunction::apply(sign_, at::TensorList(shifts_), base, options().lr_rescaling());
  }

  void assign(const at::Tensor& target) override {
    at::NoGradGuard no_grad;
    const WeightSpace& space = quantized_space();
    const at::Tensor q = quantize_pot(space, target.to(at::kFloat));
    sign_.copy_(binary_sign(q));
    assign_recursive_levels(shifts_, at::log2(at::abs(q)) - space.exponent_offset());
  }

  void pretty_print(std::ostream& stream) const override {
    Parametrization::pretty_print(stream);
    stream << (options().lr_rescaling() ? " with lr_rescaling" : "");
  }

 protected:
  // Level-uniform init: every magnitude 2^0 .. 2^T equally likely at low-variance scale (the
  // sign latent N(0, sigma), the gates biased: docs/parametrizations.md, "Init"). The symmetric
  // N(0, sigma) init makes magnitude k occur with probability 2^-(k+1) (2^-T for the largest).
  void draw_level_uniform() override {
    const double sigma = options().low_variance_std();
    at::NoGradGuard no_grad;
    sign_.normal_(0.0, sigma);
    draw_recursive_level_uniform(shifts_, sigma);
  }

 private:
  at::Tensor sign_;
  std::vector<at::Tensor> shifts_;
};

}  // namespace

std::shared_ptr<Parametrization> make_sign_scale(const QuantOptions& options,
                                                 std::vector<int64_t> shape) {
  return std::make_shared<SignScale>(options, std::move(shape));
}

}  // namespace denseshift::quant
