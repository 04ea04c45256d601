"""Freezing figure (DenseShift v1 Fig. 3): training loss per epoch (left) and the
filter-averaged cosine similarity between the initial and current weights of one
layer per epoch (right), one curve per run; runs that differ only in their seed are drawn as
one curve, their mean, with a band from the lowest to the highest seed.

    /usr/bin/python3 -m analysis.freezing_figure RUN_DIR... --out results/freezing [--layer NAME] [--tensor effective]

Runs need record.freezing on."""
import argparse
import re

import numpy as np

from .figures import main_wrapper, plt, save
from .runfile import RunFileError, common_layer, load_runs


def seed_groups(runs):
    """{label without the seed: [runs]}, in first-appearance order."""
    groups = {}
    for run in runs:
        groups.setdefault(re.sub(r", seed \d+$", "", run.label), []).append(run)
    return groups


BAND_NOTE = "several seeds: their mean, and a band from the lowest to the highest"


def note_bands(fig, runs):
    """Says on the figure what its bands are, when some curve averages several seeds."""
    if any(len(members) > 1 for members in seed_groups(runs).values()):
        fig.suptitle(BAND_NOTE, fontsize=8, color="0.3")


def band(ax, xs, series, label, **style):
    """One run: its curve. Several: their mean, and a band from their minimum to their maximum
    (the figure says so with BAND_NOTE).
    Returns the line (style: matplotlib line keywords)."""
    lengths = {len(s) for s in series}
    if len(lengths) != 1:
        raise RunFileError(f"{label}: the seeds' runs have different lengths {sorted(lengths)} (unfinished runs?)")
    values = np.vstack(series)
    n = len(series)
    style = {"marker": "o", "ms": 3, **style}
    line, = ax.plot(xs, values.mean(axis=0), label=label if n == 1 else f"{label} ({n} seeds)",
                    **style)
    if n > 1:
        ax.fill_between(xs, values.min(axis=0), values.max(axis=0), color=line.get_color(), alpha=0.2, lw=0)
    return line


def draw(runs, out, layer=None, tensor="effective"):
    layer = common_layer(runs, layer)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    group = f"layers/{layer}/freezing"
    for label, members in seed_groups(runs).items():
        band(left, members[0].read("epochs/epoch"), [r.read("epochs/train_loss") for r in members], label)
        band(right, members[0].read(f"{group}/epoch"), [r.read(f"{group}/{tensor}") for r in members], label)
    left.set(xlabel="epoch", ylabel="training loss", title="training loss")
    right.set(xlabel="epoch", ylabel="filter-averaged cosine similarity")
    right.set_title(f"similarity to initial weights\n{layer} ({tensor})", fontsize=10)
    right.axhline(0, color="0.7", lw=0.8)
    for ax in (left, right):
        ax.grid(alpha=0.3)
    right.legend(fontsize=6)
    note_bands(fig, runs)
    return save(fig, runs, out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", help="run directories or run.h5 files")
    parser.add_argument("--out", required=True, help="output path without extension (.png and .pdf are written)")
    parser.add_argument("--layer", help="recorded layer (default: the first shared by all runs)")
    parser.add_argument("--tensor", default="effective", help="effective (default) or a latent name")
    args = parser.parse_args(argv)
    return draw(load_runs(args.runs), args.out, args.layer, args.tensor)


if __name__ == "__main__":
    main_wrapper(main)
