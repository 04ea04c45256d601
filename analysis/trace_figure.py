"""Trace figure (DenseShift Fig. 5): re-parameterised weight traces of a 2-bit
network, sign latent (x) against shift latent (y), one panel per run (e.g.
Kaiming init beside low-variance init); a triangle marks each initial point and
the quadrants are labelled with the weight they give.

    /usr/bin/python3 -m analysis.trace_figure RUN_DIR... --out results/traces [--layer NAME] [--x sign --y t1]

Runs need record.traces (2-bit sign_scale: latents sign and t1)."""
import argparse

import numpy as np

from .figures import main_wrapper, plt, save
from .runfile import common_layer, load_runs


def draw(runs, out, layer=None, x="sign", y="t1", max_traces=32):
    layer = common_layer(runs, layer)
    fig, axes = plt.subplots(1, len(runs), figsize=(5 * len(runs), 5), squeeze=False)
    for ax, run in zip(axes[0], runs):
        group = f"layers/{layer}/traces"
        xs, ys = run.read(f"{group}/{x}"), run.read(f"{group}/{y}")
        limit = 1.1 * max(np.abs(xs).max(), np.abs(ys).max(), 1e-6)
        for k in range(min(max_traces, xs.shape[1])):
            line, = ax.plot(xs[:, k], ys[:, k], lw=0.8, alpha=0.8)
            ax.plot(xs[0, k], ys[0, k], marker="^", color=line.get_color(), ms=6)
        ax.axhline(0, color="0.5", lw=0.8)
        ax.axvline(0, color="0.5", lw=0.8)
        if (x, y) == ("sign", "t1"):  # 2-bit sign_scale: w = sgn(sign) * 2^H(t1)
            for (sx, sy), text in {(1, 1): "+2", (-1, 1): "-2", (1, -1): "+1", (-1, -1): "-1"}.items():
                ax.text(0.5 * sx * limit, 0.5 * sy * limit, f"w = {text}", ha="center", va="center",
                        fontsize=11, color="0.3", weight="bold")
        steps = run.read(f"{group}/step")
        ax.set(xlim=(-limit, limit), ylim=(-limit, limit), xlabel=f"{x} latent", ylabel=f"{y} latent")
        ax.set_title(f"{run.label}\n{layer}, steps {int(steps[0])}-{int(steps[-1])}", fontsize=10)
        ax.set_aspect("equal")
    return save(fig, runs, out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--out", required=True)
    parser.add_argument("--layer")
    parser.add_argument("--x", default="sign")
    parser.add_argument("--y", default="t1")
    args = parser.parse_args(argv)
    return draw(load_runs(args.runs), args.out, args.layer, args.x, args.y)


if __name__ == "__main__":
    main_wrapper(main)
