"""Optimisation-space figure (DenseShift Fig. 4).

Left: the sign-shift quantizer's map from its continuous shift latent w to the
shift S = clamp(round(w), 0, K-1) (a step function; dashed lines at the
thresholds), above the recorded histograms of that latent over epochs (a heat
map). Right: the phase plane of the sign-scale re-parameterisation of S2 over
(w1, w2) = (t1, t2): regions coloured by S2 = H(w2)(H(w1) + 1), the vector field
dw2/dt = H(w1) + 1, dw1/dt = H(w2), and recorded traces of sampled weights
(a triangle marks each start). In a run of 3 bits or more, t1 and t2 get loss
gradient only while every higher shift latent is positive (S_T = H(t_T)(S_{T-1}+1):
H(t3) = 0 zeroes the path to S2), so the traces are drawn only at those records;
the figure says how many traced weights that leaves.

    /usr/bin/python3 -m analysis.optimization_space_figure --sign-shift RUN --sign-scale RUN --out results/optimization_space [--layer NAME]

The sign_shift run needs record.histograms; the sign_scale run (3 bits or more,
so that t1 and t2 exist) needs record.traces."""
import argparse

import numpy as np
from matplotlib.colors import ListedColormap, LogNorm

from .figures import main_wrapper, plt, save
from .runfile import Run, RunFileError, common_layer, sign_shift_magnitudes


def heaviside(x):
    return (x > 0).astype(float)


def gradient_reaches_s2(higher):
    """[records, K] mask: True where every higher shift latent (t3, t4, ...) is positive,
    i.e. where S2 (hence t1 and t2) reaches the effective weight. `higher`: a list of
    [records, K] arrays, empty for a run whose last latent is t2."""
    if not higher:
        return None
    mask = np.ones_like(higher[0], dtype=bool)
    for t in higher:
        mask &= t > 0
    return mask


def draw(sign_shift, sign_scale, out, layer=None, max_traces=24):
    layer_q = common_layer([sign_shift], layer)
    layer_s = common_layer([sign_scale], layer)
    q = sign_shift.config["model"]["quant"]
    if q["parametrization"] != "sign_shift":
        raise RunFileError(f"{sign_shift.path}: --sign-shift needs a sign_shift run, got {q['parametrization']}")
    s = sign_scale.config["model"]["quant"]
    if s["parametrization"] != "sign_scale" or s["bits"] < 3:
        raise RunFileError(f"{sign_scale.path}: --sign-scale needs a sign_scale run of 3 bits or more")
    magnitudes = sign_shift_magnitudes(q)

    fig = plt.figure(figsize=(12, 6.5))
    grid = fig.add_gridspec(2, 2, height_ratios=[1, 1.4], width_ratios=[1, 1.1])
    top, bottom = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[1, 0])
    plane = fig.add_subplot(grid[:, 1])

    # Left top: the quantizer's step function.
    w = np.linspace(-1.5, magnitudes + 0.5, 2000)
    top.plot(w, np.clip(np.round(w), 0, magnitudes - 1), color="C0")
    for threshold in np.arange(0.5, magnitudes - 1, 1.0):
        top.axvline(threshold, color="C3", ls="--", lw=0.8)
    top.set(xlim=(w[0], w[-1]), xlabel="continuous shift latent w", ylabel="S")
    top.set_title(f"sign-shift quantizer, {q['bits']}-bit: S = clamp(round(w), 0, {magnitudes - 1})", fontsize=10)
    top.grid(alpha=0.3)

    # Left bottom: histograms of the shift latent per epoch.
    group = f"layers/{layer_q}/histograms"
    counts = sign_shift.read(f"{group}/shift")[:, 1:-1]  # drop under/overflow
    edges = sign_shift.read(f"{group}/edges")
    epochs = sign_shift.read(f"{group}/epoch")
    image = bottom.pcolormesh(edges, np.append(epochs, epochs[-1] + 1) - 0.5, counts + 1, norm=LogNorm(), cmap="viridis",
                              shading="flat", rasterized=True)
    for threshold in np.arange(0.5, magnitudes - 1, 1.0):
        bottom.axvline(threshold, color="C3", ls="--", lw=0.8)
    bottom.set(xlim=(w[0], w[-1]), xlabel="continuous shift latent w", ylabel="epoch (0 = init)")
    bottom.set_title(f"histograms of w over training ({layer_q})", fontsize=10)
    bottom.set_xlim(w[0], min(w[-1], edges[-1]))
    fig.colorbar(image, ax=bottom, label="count + 1")

    # Right: the S2 phase plane and recorded traces.
    group = f"layers/{layer_s}/traces"
    t1, t2 = sign_scale.read(f"{group}/t1"), sign_scale.read(f"{group}/t2")  # [records, K]
    shifts = 2 ** (s["bits"] - 1) - 1  # t1 .. tT
    active = gradient_reaches_s2([sign_scale.read(f"{group}/t{i}") for i in range(3, shifts + 1)])
    if active is not None:
        t1, t2 = np.where(active, t1, np.nan), np.where(active, t2, np.nan)
    shown = [k for k in range(t1.shape[1]) if np.isfinite(t1[:, k]).any()][:max_traces]
    limit = 1.1 * max(np.nanmax(np.abs(t1), initial=0), np.nanmax(np.abs(t2), initial=0), 1e-6)
    axis = np.linspace(-limit, limit, 401)
    w1, w2 = np.meshgrid(axis, axis)
    s2 = heaviside(w2) * (heaviside(w1) + 1)
    plane.pcolormesh(w1, w2, s2, cmap=ListedColormap(["#dde7f3", "#9ecae1", "#3182bd"]), vmin=-0.5, vmax=2.5, rasterized=True,
                     shading="auto")
    coarse = np.linspace(-limit, limit, 13)
    c1, c2 = np.meshgrid(coarse, coarse)
    plane.quiver(c1, c2, heaviside(c2), heaviside(c1) + 1, color="0.35", angles="xy", width=0.003)
    for k in shown:
        line, = plane.plot(t1[:, k], t2[:, k], lw=0.8, alpha=0.8)
        first = np.flatnonzero(np.isfinite(t1[:, k]))[0]
        plane.plot(t1[first, k], t2[first, k], marker="^", color=line.get_color(), ms=5)
    for value, (x, y) in {0: (0, -0.5), 1: (-0.5, 0.5), 2: (0.5, 0.5)}.items():
        plane.text(x * limit, y * limit, f"S2 = {value}", ha="center", va="center", fontsize=10, weight="bold")
    plane.set(xlim=(-limit, limit), ylim=(-limit, limit), ylabel="w2 (latent t2)")
    condition = ("" if active is None else
                 f"\ntraces drawn where t3{'..t' + str(shifts) if shifts > 3 else ''} > 0, elsewhere t1, t2 get no "
                 f"gradient:\n{len(shown)} of {active.shape[1]} traced weights")
    plane.set_xlabel("w1 (latent t1)" + condition)
    plane.set_title(f"sign-scale phase plane of S2 = H(w2)(H(w1)+1)\nrecorded traces of {layer_s}", fontsize=10)
    plane.set_aspect("equal")
    return save(fig, [sign_shift, sign_scale], out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sign-shift", required=True, help="run of the sign_shift parametrization, with histograms")
    parser.add_argument("--sign-scale", required=True, help="run of sign_scale (3+ bits), with traces")
    parser.add_argument("--out", required=True)
    parser.add_argument("--layer", help="recorded layer (default: the first of each run)")
    args = parser.parse_args(argv)
    return draw(Run(args.sign_shift), Run(args.sign_scale), args.out, args.layer)


if __name__ == "__main__":
    main_wrapper(main)
