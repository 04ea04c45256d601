"""Weight dynamics per epoch across runs (the S3 paper's indices, made comparable).

    /usr/bin/python3 -m analysis.dynamics_figure RUN_DIR... --out results/dynamics [--layer NAME] [--latent NAME]

Left: sign flips (+ <-> -) of the effective weight per epoch, and, dashed, transitions to
or from 0 for runs on the Shift space (together: WSVR). Right: WLVR of one latent per
run (default: its first, e.g. `sign` or `weight`): the fraction of the latent's entries
within `record.wlvr_fraction` of its RMS of their nearest decision threshold. Relative
to each latent's own thresholds and scale, so methods and inits compare like with like
(docs/run-file.md). Runs that differ only in their seed are one curve, their mean, with a band
from the lowest to the highest seed. Runs need record.dynamics on."""
import argparse

import numpy as np

from .figures import main_wrapper, plt, save
from .freezing_figure import band, note_bands, seed_groups
from .runfile import RunFileError, common_layer, load_runs


def draw(runs, out, layer=None, latent=None):
    layer = common_layer(runs, layer)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for label, members in seed_groups(runs).items():
        for run in members:
            if "wlvr_definition" not in run.group_attrs(f"layers/{layer}"):
                raise RunFileError(f"{run.path}: recorded before WLVR was made relative to each latent's decision "
                                   "thresholds and scale; train it again to draw it with the others")
        group = f"layers/{layer}/dynamics"
        name = latent or members[0].group_attrs(f"layers/{layer}")["latents"][0]
        epochs = members[0].read(f"{group}/epoch")
        line = band(left, epochs, [r.read(f"{group}/sign_flips") for r in members], label)
        zeros = [r.read(f"{group}/zero_transitions") for r in members]
        if max(np.nanmax(z, initial=0) for z in zeros) > 0:
            band(left, epochs, zeros, f"{label} (0 <-> ±)", ls="--", marker="x", color=line.get_color())
        band(right, epochs, [r.read(f"{group}/wlvr_{name}") for r in members], f"{label} [{name}]")
    fraction = runs[0].config_value("record.wlvr_fraction")
    left.set(xlabel="epoch", ylabel="fraction of weights", title=f"sign flips per epoch (dashed: to/from 0): {layer}",
             yscale="log")
    right.set(xlabel="epoch", ylabel="WLVR")
    right.set_title(f"WLVR: within {fraction} x RMS of the nearest decision threshold", fontsize=10)
    left.set_title(left.get_title(), fontsize=10)
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=6)
    note_bands(fig, runs)
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
