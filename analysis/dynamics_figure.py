"""WSVR and WLVR per epoch across runs (the S3 paper's weight-dynamics indices).

    /usr/bin/python3 -m analysis.dynamics_figure RUN_DIR... --out results/dynamics [--layer NAME] [--latent NAME]

WSVR is of the effective weight; WLVR of one latent per run (default: its first,
e.g. `sign` or `weight`). Runs need record.dynamics on."""
import argparse

from .figures import main_wrapper, plt, save
from .runfile import common_layer, load_runs


def draw(runs, out, layer=None, latent=None):
    layer = common_layer(runs, layer)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for run in runs:
        group = f"layers/{layer}/dynamics"
        name = latent or run.group_attrs(f"layers/{layer}")["latents"][0]
        epochs = run.read(f"{group}/epoch")
        left.plot(epochs, run.read(f"{group}/wsvr"), marker="o", ms=3, label=run.label)
        right.plot(epochs, run.read(f"{group}/wlvr_{name}"), marker="o", ms=3, label=f"{run.label} [{name}]")
    threshold = runs[0].config_value("record.low_value_threshold")
    left.set(xlabel="epoch", ylabel="WSVR", title=f"weight sign variation rate: {layer}", yscale="log")
    right.set(xlabel="epoch", ylabel="WLVR", title=f"weight low-value rate (|w| < {threshold})")
    for ax in (left, right):
        ax.grid(alpha=0.3)
    right.legend(fontsize=7)
    return save(fig, runs, out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--out", required=True)
    parser.add_argument("--layer")
    parser.add_argument("--latent", help="latent whose WLVR is drawn (default: each run's first latent)")
    args = parser.parse_args(argv)
    return draw(load_runs(args.runs), args.out, args.layer, args.latent)


if __name__ == "__main__":
    main_wrapper(main)
