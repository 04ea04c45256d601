"""The Table 1 analogue (DenseShift v2 Tables 1/2): final test top-1 per method and weight bits,
LeNet and ResNet-20 on Fashion-MNIST (mean ± std over seeds and the 95% interval), beside the
paper's ImageNet ResNet-18 numbers as context, from committed sweep summaries.

    /usr/bin/python3 -m analysis.table1 [--out results/table1/README.md]

Reads results/table1/{lenet,resnet20,resnet20_quantizers}/runs.json and, for LeNet's quantizer
baselines, the dense_shift cells of results/zero_free/lenet_{symmetric_pot,sign_shift}/runs.json;
a summary not made yet shows as "not yet run".
"""
import argparse
import datetime
import json
import pathlib

from .claims import git_commit
from .figures import main_wrapper
from .files import write_whole
from .stats import mean_interval

ROOT = pathlib.Path(__file__).resolve().parents[1]

# DenseShift v2 Table 1 (ResNet-18, ImageNet top-1, %), as the paper prints them. The quantizer
# baselines have no same-recipe row there (DeepShift's are other inits and bit widths).
PAPER = {("full_precision", None): "69.6", ("sign_scale", 2): "68.90", ("sign_scale", 3): "70.62",
         ("sign_scale", 4): "70.94", ("s3", 2): "66.37", ("s3", 3): "69.82", ("s3", 4): "70.47"}
METHODS = [("full_precision", "full precision (Kaiming)", None),
           ("sign_scale", "DenseShift: sign_scale, zero-free, low-variance init", "dense_shift"),
           ("s3", "S3: sign-sparse-shift, Shift space, Kaiming init", "shift"),
           ("symmetric_pot", "symmetric power-of-two quantizer, zero-free, level_uniform init", "dense_shift"),
           ("sign_shift", "sign-shift quantizer, zero-free, level_uniform init", "dense_shift")]
SOURCES = {"lenet": {None: "results/table1/lenet/runs.json",
                     "symmetric_pot": "results/zero_free/lenet_symmetric_pot/runs.json",
                     "sign_shift": "results/zero_free/lenet_sign_shift/runs.json"},
           "resnet20": {None: "results/table1/resnet20/runs.json",
                        "symmetric_pot": "results/table1/resnet20_quantizers/runs.json",
                        "sign_shift": "results/table1/resnet20_quantizers/runs.json"}}
MODELS = {"lenet": "LeNet", "resnet20": "ResNet-20"}


def load(path, root):
    path = pathlib.Path(root) / path
    return json.loads(path.read_text()) if path.exists() else None


def values(summary, parametrization, space, bits):
    out, cpus, commits = [], set(), set()
    for r in summary["runs"]:
        o = r["overrides"]
        # zero_free's summaries set the parametrization for the whole sweep, so it is not an override
        if o.get("model.quant.parametrization", parametrization) != parametrization or r["state"] != "completed":
            continue
        if space and o.get("model.quant.space", space) != space:
            continue
        if bits is not None and o.get("model.quant.bits") != bits:
            continue
        out.append(r["test_top1"][-1])
        cpus.add(r.get("cpu", "?"))
        commits.add(r.get("commit", "?"))
    return out, cpus, commits


def cell(summary, parametrization, space, bits):
    if summary is None:
        return "not yet run", set(), set()
    vals, cpus, commits = values(summary, parametrization, space, bits)
    mean, std, half, n = mean_interval(vals)
    if n == 0:
        return "-", cpus, commits
    if n == 1:
        return f"{100 * mean:.2f} (n=1)", cpus, commits
    return f"{100 * mean:.2f} ± {100 * std:.2f} [{100 * (mean - half):.2f}, {100 * (mean + half):.2f}] (n={n})", cpus, commits


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="results/table1/README.md")
    ap.add_argument("--root", default=str(ROOT), help="folder the summaries' paths are relative to")
    args = ap.parse_args(argv)
    rows = []
    # provenance per model column: the two columns are often trained on different machines
    cpus, commits = {model: set() for model in MODELS}, {model: set() for model in MODELS}
    for parametrization, description, space in METHODS:
        for bits in ([None] if parametrization == "full_precision" else [2, 3, 4]):
            row = [description, "32" if bits is None else str(bits)]
            for model in MODELS:
                source = SOURCES[model].get(parametrization, SOURCES[model][None])
                text, c, k = cell(load(source, args.root), parametrization, space, bits)
                cpus[model] |= c
                commits[model] |= k
                row.append(text)
            row.append(PAPER.get((parametrization, bits), "-"))
            rows.append(row)
    lines = ["# Table 1 analogue: final test top-1 (%) by method and weight bits", "",
             f"Made by `/usr/bin/python3 -m analysis.table1` on {datetime.date.today().isoformat()} at commit "
             f"{git_commit()} from the committed sweep summaries (results/table1/*/runs.json, and the dense_shift "
             "cells of results/zero_free/*/runs.json for the quantizers). "
             + " ".join(f"{MODELS[m]} runs trained at commit(s) {', '.join(sorted(commits[m]))} on "
                        f"{' / '.join(sorted(cpus[m]))}." for m in MODELS if commits[m])
             + " Each sweep's report.md beside its summary gives the command and the CPU-hours.", "",
             "Fashion-MNIST, mean ± sample std over seeds, [95% Student-t interval of the mean]. LeNet: 10 epochs "
             "(experiments/common/lenet.json); ResNet-20: 2 epochs (experiments/common/resnet20.json). The last "
             "column is the paper's ImageNet ResNet-18 (DenseShift v2 Table 1): context, not a target.", "",
             "| method | bits | LeNet | ResNet-20 | paper: ResNet-18 ImageNet |", "|---|---:|---|---|---:|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += ["", "S3 here starts from its paper's Kaiming init, DenseShift from N(0, 1e-3). S3 trained from DenseShift's "
              "init is in [results/s3/lenet_init](../s3/lenet_init) and [results/s3/resnet20_init](../s3/resnet20_init) "
              "(claim ds-vs-s3's equal-init rows).",
              "", "Verdicts on the claims these numbers test: [results/claims.md](../claims.md).", ""]
    out = ROOT / args.out if not pathlib.Path(args.out).is_absolute() else pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_whole(out, "\n".join(lines))
    return [out]


if __name__ == "__main__":
    main_wrapper(main)
