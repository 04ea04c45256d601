#!/usr/bin/python3
"""Tabulates the parity study: the reference's result JSONs and the toolkit's run files.

Usage: /usr/bin/python3 experiments/parity/summarize.py RUNS_DIR --out results/parity/README.md
RUNS_DIR holds reference/METHOD-seedS.json (reference.py) and denseshift/METHOD-seedS/
(`denseshift train` run directories), as experiments/parity/run.sh lays them out.
"""

import argparse
import datetime
import json
import math
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

import h5py

METHODS = {"full_precision": "full precision", "sign_scale": "DenseShift 3-bit (sign_scale, LV init)"}

# Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom (then 1.96).
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
        2.045, 2.042]


def t975(df):
    """t quantile at a fractional df (Welch), interpolated linearly between table rows."""
    if df >= len(T975):
        return 1.96
    lo = max(1, int(math.floor(df)))
    hi = min(len(T975), lo + 1)
    frac = df - lo
    return T975[lo - 1] + (T975[hi - 1] - T975[lo - 1]) * frac


def welch(a, b):
    """Mean of b - a with its Welch 95% interval."""
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    diff = statistics.mean(b) - statistics.mean(a)
    if va + vb == 0:
        return diff, diff, diff
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    half = t975(df) * math.sqrt(va + vb)
    return diff, diff - half, diff + half


def reference_runs(folder):
    out = {}
    for path in sorted(Path(folder, "reference").glob("*-seed*.json")):
        r = json.loads(path.read_text())
        out.setdefault(r["method"], []).append(dict(
            seed=r["seed"], top1=[e["test_top1"] for e in r["epochs"]], train_loss=r["epochs"][-1]["train_loss"],
            train_s=[e["train_s"] for e in r["epochs"]], eval_s=[e["eval_s"] for e in r["epochs"]],
            version=f"PyTorch {r['torch_version']}"))
    return out


def toolkit_runs(folder):
    out = {}
    for run in sorted(Path(folder, "denseshift").glob("*-seed*")):
        m = re.fullmatch(r"(.+)-seed(\d+)", run.name)
        config = json.loads((run / "config.json").read_text())
        with h5py.File(run / "run.h5", "r") as f:
            status = f.attrs["status"]
            status = status.decode() if isinstance(status, bytes) else status
            if status != "completed":
                print(f"summarize: skipping {run} ({status})", file=sys.stderr)
                continue
            e = {k: f["epochs"][k][()] for k in ("test_top1", "train_loss", "epoch_time_s", "images_per_s")}
            env = json.loads(f.attrs["environment"])
        batch = config["train"]["batch_size"]
        train_images = (60000 // batch) * batch  # the last incomplete batch is dropped
        train_s = [train_images / ips for ips in e["images_per_s"]]
        out.setdefault(m.group(1), []).append(dict(
            seed=int(m.group(2)), top1=list(e["test_top1"]), train_loss=float(e["train_loss"][-1]),
            train_s=train_s, eval_s=[t - s for t, s in zip(e["epoch_time_s"], train_s)],
            version=f"denseshift {env.get('denseshift_version', '?')} (LibTorch {env.get('libtorch_version', '?')})"))
    return out


def pct(x):
    return f"{100 * x:.2f}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runs")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)

    ref, tk = reference_runs(args.runs), toolkit_runs(args.runs)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    lines = [
        "# Parity: `denseshift train` vs a plain PyTorch implementation of the same recipe",
        "",
        f"Made by `bash experiments/parity/run.sh` (commit {commit}, {datetime.date.today().isoformat()}, "
        f"{os.cpu_count()} threads on {cpu}; the table by `experiments/parity/summarize.py`).",
        "ResNet-20 on Fashion-MNIST, 2 epochs, batch 128, SGD 0.1 / momentum 0.9 / weight decay 1e-4, per-step cosine,",
        "no augmentation; recipe, inits and the reference's code: experiments/parity/README.md. One run at a time.",
        "",
        "## Final test top-1 (%), 3 seeds",
        "",
        "| method | implementation | per seed | mean ± std | toolkit − reference (95% Welch interval) |",
        "|---|---|---|---:|---|",
    ]
    for method, label in METHODS.items():
        a = [r["top1"][-1] for r in ref.get(method, [])]
        b = [r["top1"][-1] for r in tk.get(method, [])]
        for name, runs, vals in (("PyTorch reference", ref.get(method, []), a), ("denseshift", tk.get(method, []), b)):
            if not vals:
                lines.append(f"| {label} | {name} | (no finished runs) | | |")
                continue
            per_seed = ", ".join(pct(v) for v in vals)
            spread = f"{pct(statistics.mean(vals))} ± {pct(statistics.stdev(vals))}" if len(vals) > 1 else pct(vals[0])
            diff = ""
            if name == "denseshift" and len(a) > 1 and len(b) > 1:
                d, lo, hi = welch(a, b)
                diff = f"{100 * d:+.2f} [{100 * lo:+.2f}, {100 * hi:+.2f}]"
            lines.append(f"| {label} | {name} | {per_seed} | {spread} | {diff} |")
    lines += ["", "## Per epoch (mean over seeds)", "",
              "| method | implementation | top-1 after epoch 1 | after epoch 2 | final train loss | train s/epoch (median) | eval s/epoch (median) | train images/s |",
              "|---|---|---:|---:|---:|---:|---:|---:|"]
    for method, label in METHODS.items():
        for name, runs in (("PyTorch reference", ref.get(method, [])), ("denseshift", tk.get(method, []))):
            if not runs:
                continue
            e1 = statistics.mean(r["top1"][0] for r in runs)
            e2 = statistics.mean(r["top1"][-1] for r in runs)
            loss = statistics.mean(r["train_loss"] for r in runs)
            train = statistics.median(s for r in runs for s in r["train_s"])
            ev = statistics.median(s for r in runs for s in r["eval_s"])
            lines.append(f"| {label} | {name} | {pct(e1)} | {pct(e2)} | {loss:.4f} | {train:.1f} | {ev:.1f} | "
                         f"{(60000 // 128) * 128 / train:.0f} |")
    versions = sorted({r["version"] for d in (ref, tk) for runs in d.values() for r in runs})
    lines += ["", "Versions: " + "; ".join(versions) + ".", ""]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text("\n".join(lines))
    os.replace(tmp, out)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
