"""The transfer analogue (DenseShift v1/v2 Sec. 3.3, Tables 3-5), seed by seed: for each fine-tune
of results/transfer/finetune/runs.json, the backbone it started from, the new layers' init, test top-1
after the first and the last epoch, the training loss, and whether training diverged (a non-finite
loss, or a last-epoch training loss above the first epoch's).

    /usr/bin/python3 -m analysis.transfer_table [--out results/transfer/README.md]
"""
import argparse
import datetime
import json
import math
import pathlib

from .claims import git_commit
from .figures import main_wrapper
from .files import write_whole
from .stats import mean_interval

ROOT = pathlib.Path(__file__).resolve().parents[1]
SUMMARY = "results/transfer/finetune/runs.json"


def backbone_of(run):
    source = run["overrides"].get("transfer.init_from", "")
    if "parametrization=full_precision" in source:
        return "full precision"
    if "parametrization=sign_scale" in source:
        return "DenseShift 3-bit"
    return source or "-"


def diverged(run):
    loss = run.get("train_loss") or []
    if not loss or any(v is None or not math.isfinite(v) for v in loss):
        return True
    return loss[-1] > loss[0]


def fmt(value, scale=1.0, digits=2):
    return "-" if value is None or not math.isfinite(value) else f"{scale * value:.{digits}f}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="results/transfer/README.md")
    ap.add_argument("--root", default=str(ROOT), help="folder the summary's path is relative to")
    args = ap.parse_args(argv)
    summary = json.loads((pathlib.Path(args.root) / SUMMARY).read_text())
    groups = {}
    for r in summary["runs"]:
        o = r["overrides"]
        key = (backbone_of(r), o.get("model.quant.parametrization", "-"), o.get("model.quant.init", "-"))
        groups.setdefault(key, []).append(r)
    rows, means, commits, cpus = [], [], set(), set()
    for (backbone, parametrization, init), runs in sorted(groups.items()):
        finals = []
        for r in sorted(runs, key=lambda r: r["seed"]):
            commits.add(r.get("commit", "?"))
            cpus.add(r.get("cpu", "?"))
            if r["state"] != "completed":
                rows.append(f"| {backbone} | {parametrization} | {init} | {r['seed']} | {r['state']} | | | | |")
                continue
            top1, loss = r["test_top1"], r["train_loss"]
            finals.append(top1[-1])
            rows.append(f"| {backbone} | {parametrization} | {init} | {r['seed']} | {fmt(top1[0], 100)} | "
                        f"{fmt(top1[-1], 100)} | {fmt(loss[0], digits=4)} | {fmt(loss[-1], digits=4)} | "
                        f"{'**yes**' if diverged(r) else 'no'} |")
        mean, std, half, n = mean_interval(finals)
        if n:
            means.append(f"| {backbone} | {parametrization} | {init} | {100 * mean:.2f} ± {100 * std:.2f} | "
                         f"[{100 * (mean - half):.2f}, {100 * (mean + half):.2f}] | {n} |")
    lines = ["# Transfer analogue: fine-tuning a pretrained backbone with new layers", "",
             f"Made by `/usr/bin/python3 -m analysis.transfer_table` on {datetime.date.today().isoformat()} at "
             f"commit {git_commit()} from {SUMMARY} (the sweep `bash experiments/transfer/run.sh`; its report.md "
             f"gives the command and CPU-hours); runs trained at commit(s) {', '.join(sorted(commits))} on "
             f"{' / '.join(sorted(cpus))}.", "",
             "LeNet backbones trained on Fashion-MNIST classes 0-4 (experiments/transfer/backbone.sweep.json), "
             "fine-tuned on classes 5-9 with a new classifier and new head layers initialised as the row says "
             "(experiments/transfer/finetune.sweep.json); a sign_scale fine-tune of a full-precision backbone "
             "projects its weights into the weight space (the parametrization's assign). Diverged: a non-finite "
             "training loss, or the last "
             "epoch's above the first's. Verdict on the claim: [results/claims.md](../claims.md) (lvr-transfer).",
             "", "## Final test top-1 (%) per cell: mean ± std, 95% interval, n", "",
             "| backbone | fine-tune | new layers' init | top-1 | 95% interval | n |", "|---|---|---|---:|---|---:|"]
    lines += means
    lines += ["", "## Seed by seed", "",
              "| backbone | fine-tune | new layers' init | seed | top-1 epoch 1 | top-1 last | train loss epoch 1 | "
              "train loss last | diverged |", "|---|---|---|---:|---:|---:|---:|---:|---|"]
    lines += rows
    lines.append("")
    out = pathlib.Path(args.out)
    out = out if out.is_absolute() else ROOT / out
    out.parent.mkdir(parents=True, exist_ok=True)
    write_whole(out, "\n".join(lines))
    return [out]


if __name__ == "__main__":
    main_wrapper(main)
