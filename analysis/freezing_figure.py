"""Freezing figure (DenseShift v1 Fig. 3): training loss per epoch (left) and the
filter-averaged cosine similarity between the initial and current weights of one
layer per epoch (right), one curve per run.

    /usr/bin/python3 -m analysis.freezing_figure RUN_DIR... --out results/freezing [--layer NAME] [--tensor effective]

Runs need record.freezing on."""
import argparse

from .figures import main_wrapper, plt, save
from .runfile import common_layer, load_runs


def draw(runs, out, layer=None, tensor="effective"):
    layer = common_layer(runs, layer)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for run in runs:
        epochs = run.read("epochs/epoch")
        left.plot(epochs, run.read("epochs/train_loss"), marker="o", ms=3, label=run.label)
        group = f"layers/{layer}/freezing"
        right.plot(run.read(f"{group}/epoch"), run.read(f"{group}/{tensor}"), marker="o", ms=3, label=run.label)
    left.set(xlabel="epoch", ylabel="training loss", title="training loss")
    right.set(xlabel="epoch", ylabel="filter-averaged cosine similarity")
    right.set_title(f"similarity to initial weights\n{layer} ({tensor})", fontsize=10)
    right.axhline(0, color="0.7", lw=0.8)
    for ax in (left, right):
        ax.grid(alpha=0.3)
    right.legend(fontsize=7)
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
