"""How a trained power-of-two layer's weight energy spreads over its magnitude levels, from model
files (`denseshift export`): per quantized layer (every non-zero |value| a power of two), the share
of weights at the largest magnitude in use, the share of the squared norm they carry, and the
participation ratio (sum w^2)^2 / (N sum w^4): 1 when every weight has the same magnitude, about
k / N when k weights carry the energy. Each quantized layer is followed by BatchNorm, so only
these ratios, not the scale, matter to the network.

    /usr/bin/python3 -m analysis.weight_levels LABEL=MODEL... [--out results/table1/levels.md]

Models with the same LABEL (e.g. seeds of one cell) are averaged: mean ± sample std.
"""
import argparse
import datetime
import pathlib

import numpy as np

from .figures import main_wrapper
from .files import write_whole
from .model_file import read_model
from .runfile import RunFileError


def layer_levels(values):
    """(top-level weight share, top-level energy share, participation ratio) of one weight tensor."""
    w = np.abs(np.asarray(values, dtype=np.float64).ravel())
    top = w.max()
    energy = w ** 2
    return (float(np.mean(w == top)), float(energy[w == top].sum() / energy.sum()),
            float(energy.sum() ** 2 / (w.size * (energy ** 2).sum())))


def quantized_layers(tensors):
    """{name: values} of the weight tensors whose non-zero magnitudes are all powers of two (a trained
    float layer never is)."""
    out = {}
    for name, values in tensors.items():
        w = np.abs(values[values != 0]).astype(np.float64)
        if name.endswith("weight") and w.size and np.all(np.log2(w) == np.round(np.log2(w))):
            out[name] = values
    return out


def fmt(values, percent):
    scale = 100.0 if percent else 1.0
    m = scale * np.mean(values)
    if len(values) < 2:
        return f"{m:.1f}" if percent else f"{m:.3f}"
    s = scale * np.std(values, ddof=1)
    return f"{m:.1f} ± {s:.1f}" if percent else f"{m:.3f} ± {s:.3f}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("models", nargs="+", help="LABEL=MODEL_FILE")
    ap.add_argument("--out", help="Markdown file to write (default: print)")
    ap.add_argument("--command", help="the command to name in the output (default: this one)")
    args = ap.parse_args(argv)
    groups = {}
    for item in args.models:
        label, sep, path = item.partition("=")
        if not sep or not path:
            raise RunFileError(f"'{item}': expected LABEL=MODEL_FILE")
        header, tensors = read_model(path)
        layers = quantized_layers(tensors)
        if not layers:
            raise RunFileError(f"{path}: no power-of-two layer (a full-precision model?)")
        for name, values in layers.items():
            groups.setdefault((label, name), []).append(layer_levels(values))
    command = args.command or "/usr/bin/python3 -m analysis.weight_levels " + " ".join(args.models)
    lines = [f"Made by `{command}` on {datetime.date.today().isoformat()}.", "",
             "| cell | layer | models | weights at the largest magnitude, % | their share of the squared norm, % "
             "| participation ratio |", "|---|---|---:|---:|---:|---:|"]
    for (label, name), stats in groups.items():
        share, energy, ratio = zip(*stats)
        lines.append(f"| {label} | {name} | {len(stats)} | {fmt(share, True)} | {fmt(energy, True)} "
                     f"| {fmt(ratio, False)} |")
    text = "\n".join(lines) + "\n"
    if args.out:
        write_whole(pathlib.Path(args.out), text)
        return [args.out]
    print(text, end="")
    return []


if __name__ == "__main__":
    main_wrapper(main)
