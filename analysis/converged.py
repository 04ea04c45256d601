"""The converged-budget runs of issue 34 in one table (results/converged/README.md): per cell of each
sweep (experiments/converged/*.sweep.json, merged over its seed parts results/converged/NAME/seeds-*/),
its final test top-1 (mean and 95% t interval over seeds), final training loss, and what says whether
it trained and how it uses its weights: the sign-change rate (WSVR, the share of weights whose sign in
{-1, 0, +1} changes between epochs, averaged over the epochs and the recorded layers), the share of
zero weights at the end (Shift space) and the participation ratio at the end.

    /usr/bin/python3 -m analysis.converged [--out results/converged/README.md]

A baseline whose sign-change rate is ~0 did not train, whatever its accuracy: the table puts the two
side by side (the issue's rule for baselines). Cells whose runs come from different CPUs say so.
"""
import argparse
import datetime
import pathlib

import numpy as np

from .claims import ROOT, Summaries, git_commit
from .figures import main_wrapper
from .files import write_whole
from .stats import mean_interval

NAMES = {"lenet": "LeNet, Table 1 cells, S3 from three inits, DenseShift from Kaiming (SGD recipe, 80 epochs)",
         "lenet_quantizers": "LeNet, quantizer baselines with DeepShift's recipe (80 epochs)"}


def label(o):
    p = o.get("model.quant.parametrization", "?")
    if p == "full_precision":
        return "full precision"
    text = f"{p} {o.get('model.quant.space', '')} {o.get('model.quant.bits', '?')}-bit"
    init = o.get("model.quant.init")
    if init == "low_variance" and o.get("model.quant.low_variance_std") not in (None, 0.001):
        init = f"N(0, {o['model.quant.low_variance_std']:g})"
    return text + (f", {init}" if init else "")


def per_run(record, suffix):
    """{layer: series} of the run's LAYER/SUFFIX entries."""
    return {k[: -len(suffix) - 1]: v for k, v in record.items() if k.endswith("/" + suffix)}


def sign_change_rate(record):
    rates = [np.mean([x for x in v if x is not None]) for v in per_run(record, "wsvr").values() if v]
    return float(np.mean(rates)) if rates else None


def zero_share(record):
    shares = []
    for layer, magnitudes in per_run(record, "magnitudes").items():
        rows = record.get(f"{layer}/level_shares")
        if magnitudes and magnitudes[0] == 0 and rows:
            shares.append(rows[-1][0])
    return float(np.mean(shares)) if shares else None


def final_ratio(record):
    ratios = [v[-1] for v in per_run(record, "participation_ratio").values() if v]
    return float(np.mean(ratios)) if ratios else None


def fmt(values, scale=1.0, digits=2, percent=False):
    values = [scale * v for v in values if v is not None]
    m, _, half, n = mean_interval(values)
    if m is None:
        return "-"
    unit = "%" if percent else ""
    return f"{m:.{digits}f}{unit} ± {half:.{digits}f}" if half is not None else f"{m:.{digits}f}{unit} (n=1)"


def section(name, summaries):
    pattern = f"results/converged/{name}/seeds-*/runs.json"
    lines = [f"## {NAMES.get(name, name)}", ""]
    if not summaries.exists(pattern):
        return lines + [f"not yet run (`SEEDS=0 bash experiments/converged/run.sh {name}`, then 1 and 2)", ""]
    data = summaries.get(pattern)
    cells = {}
    for r in data["runs"]:
        cells.setdefault(r["cell"], []).append(r)
    lines += ["| cell | runs | test top-1 (%) | final train loss | sign-change rate a epoch | zero weights at the end | "
              "participation ratio at the end |", "|---|---:|---:|---:|---:|---:|---:|"]
    cpus, commits, seeds = set(), set(), set()
    for cell, runs in cells.items():
        done = [r for r in runs if r["state"] == "completed" and r.get("test_top1")]
        cpus |= {r.get("cpu", "?") for r in done}
        commits |= {r.get("commit", "?") for r in done}
        seeds |= {r["seed"] for r in done}
        mixed = len({r.get("cpu", "?") for r in done}) > 1
        lines.append(f"| {label(runs[0]['overrides'])}{' (runs from different CPUs)' if mixed else ''} | {len(done)} of "
                     f"{len(runs)} | {fmt([r['test_top1'][-1] for r in done], 100)} | "
                     f"{fmt([r['train_loss'][-1] for r in done if r.get('train_loss')], digits=4)} | "
                     f"{fmt([sign_change_rate(r) for r in done], 100, 2, True)} | "
                     f"{fmt([zero_share(r) for r in done], 100, 1, True)} | {fmt([final_ratio(r) for r in done], digits=3)} |")
    lines += ["", f"Seeds {', '.join(map(str, sorted(seeds))) or '-'}; runs trained at commit(s) {', '.join(sorted(commits))} "
                  f"on {'; '.join(sorted(cpus))}" + (" (the runs come from different CPUs)" if len(cpus) > 1 else "") +
                  f"; the parts' report.md files ({pattern.replace('/runs.json', '/report.md')}) give each training "
                  "command.", ""]
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "results" / "converged" / "README.md"))
    ap.add_argument("--root", default=str(ROOT), help="where results/ lies (tests)")
    args = ap.parse_args(argv)
    summaries = Summaries(args.root)
    lines = ["# Issue 34's converged-budget runs", "",
             f"Made by `/usr/bin/python3 -m analysis.converged` on {datetime.date.today().isoformat()} at commit "
             f"{git_commit()} from the committed summaries of experiments/converged/ (its README has the plan). "
             "Intervals: Student-t 95% over seeds. Sign-change rate: WSVR (docs/run-file.md), the mean over epochs "
             "and recorded layers; a baseline near 0 did not train. Zero weights: the Shift space's zero level, "
             "mean over layers. Verdicts: results/claims.md.", ""]
    for name in NAMES:
        lines += section(name, summaries)
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_whole(out, "\n".join(lines).rstrip() + "\n")
    return [out]


if __name__ == "__main__":
    main_wrapper(main)
