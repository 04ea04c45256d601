#!/usr/bin/python3
"""Tabulates the parity study: the reference's result JSONs and the toolkit's run files.

Usage: /usr/bin/python3 experiments/parity/summarize.py RAW_DIR --out results/parity/README.md
                                                         [--epoch-time-out results/epoch-time.md]
RAW_DIR (results/parity/raw) holds reference/METHOD-seedS.json (reference.py) and
denseshift/METHOD-seedS/{run.h5,config.json} (`denseshift train` runs), as run.sh copies them
there, and timing/ with the same layout from timing.sh.
"""

import argparse
import datetime
import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from analysis.files import write_whole  # noqa: E402
from analysis.runfile import Run  # noqa: E402
from analysis.stats import welch  # noqa: E402

METHODS = {"full_precision": "full precision", "sign_scale": "DenseShift 3-bit (sign_scale, LV init)"}

def reference_result(path):
    r = json.loads(Path(path).read_text())
    return dict(method=r["method"], seed=r["seed"], top1=[e["test_top1"] for e in r["epochs"]],
                train_loss=r["epochs"][-1]["train_loss"], train_s=[e["train_s"] for e in r["epochs"]],
                eval_s=[e["eval_s"] for e in r["epochs"]], steps=r.get("steps_per_epoch"), threads=r["threads"],
                version=f"PyTorch {r['torch_version']}")


def toolkit_result(run):
    """One `denseshift train` run directory, or None (with a note) if it is not completed."""
    r = Run(run)  # analysis/runfile.py: format check, parsed config and environment
    if r.status != "completed":
        print(f"summarize: skipping {run} ({r.status})", file=sys.stderr)
        return None
    config, env = r.config, r.environment
    e = {k: r.read(f"epochs/{k}") for k in ("test_top1", "train_loss", "epoch_time_s", "images_per_s")}
    batch = config["train"]["batch_size"]
    images = config["data"]["train_subset"] or 60000
    steps = images // batch  # the last incomplete batch is dropped
    train_s = [steps * batch / ips for ips in e["images_per_s"]]
    return dict(method=config["model"]["quant"]["parametrization"], seed=config["train"]["seed"],
                top1=list(e["test_top1"]), train_loss=float(e["train_loss"][-1]), train_s=train_s,
                eval_s=[t - s for t, s in zip(e["epoch_time_s"], train_s)], steps=steps,
                threads=config["train"]["threads"], channels_last=bool(config["train"].get("channels_last", False)),
                version=f"denseshift {env.get('denseshift_version', '?')} (LibTorch {env.get('libtorch_version', '?')})",
                cpu=env.get("cpu"))


def reference_runs(folder):
    out = {}
    for path in sorted(Path(folder, "reference").glob("*-seed*.json")):
        r = reference_result(path)
        out.setdefault(r["method"], []).append(r)
    return out


def toolkit_runs(folder):
    out = {}
    for run in sorted(Path(folder, "denseshift").glob("*-seed*")):
        r = toolkit_result(run)
        if r:
            out.setdefault(r["method"], []).append(r)
    return out


TOOLKIT_TIMINGS = ("denseshift", "denseshift, channels-last")


def timing_lines(folder):
    """The quiet epoch-time measurements of timing.sh, if present: a Markdown section, and the
    versions of the implementations that made them."""
    base = Path(folder, "timing")
    if not base.is_dir():
        return ["", "## Epoch time", "", "Not measured yet: `bash experiments/parity/timing.sh` on a quiet machine.",
                ""], []
    rows = {}
    for path in sorted(base.glob("reference/*-round*.json")):
        r = reference_result(path)
        rows.setdefault((r["method"], "PyTorch reference"), []).append(r)
    for run in sorted(base.glob("denseshift/*-round*")):
        r = toolkit_result(run)
        if r:
            rows.setdefault((r["method"], TOOLKIT_TIMINGS[r["channels_last"]]), []).append(r)
    lines = ["", "## Epoch time, measured on a quiet machine", "",
             "By `bash experiments/parity/timing.sh` (the implementations interleaved, nothing else running):",
             "one epoch of the first 100 × 128 training images, then the 10,000 test images in batches of 128;",
             "a full epoch's training time is scaled to 468 steps. \"channels-last\" is the toolkit with",
             "`train.channels_last=true` (convolutions in channels-last order; off by default, see",
             "results/channels-last.md); the reference runs in PyTorch's default layout. The accuracy runs above",
             "overlapped other work on the machine, so their own times are not used here.", "",
             "| method | implementation | rounds | train images/s (each round) | train s per full epoch (median) | eval s (median) | epoch s (train + eval) |",
             "|---|---|---:|---|---:|---:|---:|"]
    epoch = {}
    for method, label in METHODS.items():
        for name in ("PyTorch reference",) + TOOLKIT_TIMINGS:
            runs = rows.get((method, name), [])
            if not runs:
                continue
            rates = [r["steps"] * 128 / r["train_s"][0] for r in runs]
            train = statistics.median((60000 // 128) * 128 / x for x in rates)
            ev = statistics.median(r["eval_s"][0] for r in runs)
            epoch[(method, name)] = (train, ev)
            lines.append(f"| {label} | {name} | {len(runs)} | {', '.join(f'{x:.0f}' for x in rates)} | "
                         f"{train:.1f} | {ev:.1f} | {train + ev:.1f} |")
    for method, label in METHODS.items():
        ref = epoch.get((method, "PyTorch reference"))
        for name in TOOLKIT_TIMINGS:
            tk = epoch.get((method, name))
            if ref and tk:
                lines.append(f"\n{label}, {name}: the reference's epoch takes {sum(ref) / sum(tk):.2f}× the toolkit's "
                             f"(training {ref[0] / tk[0]:.2f}×, evaluation {ref[1] / tk[1]:.2f}×).")
    versions = sorted({r["version"] for runs in rows.values() for r in runs})
    return lines + [""], versions


def pct(x):
    return f"{100 * x:.2f}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runs")
    ap.add_argument("--out", required=True)
    ap.add_argument("--epoch-time-out", help="also write the epoch-time section alone, with its provenance, here")
    args = ap.parse_args(argv)

    ref, tk = reference_runs(args.runs), toolkit_runs(args.runs)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    cpus = {r["cpu"] for runs in tk.values() for r in runs if r.get("cpu")}
    cpu = " / ".join(sorted(cpus)) or next(
        (l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    lines = [
        "# Parity: `denseshift train` vs a plain PyTorch implementation of the same recipe",
        "",
        f"Made by `bash experiments/parity/run.sh`"
        f"{' and `bash experiments/parity/timing.sh`' if Path(args.runs, 'timing').is_dir() else ''} (commit {commit}, "
        f"{datetime.date.today().isoformat()}, on {cpu}; the table by `experiments/parity/summarize.py`).",
        "Threads per accuracy run: " + "; ".join(
            f"{name} seed {r['seed']} {method}: {r['threads']}" for name, d in (("reference", ref), ("denseshift", tk))
            for method, runs in sorted(d.items()) for r in runs) + ".",
        "ResNet-20 on Fashion-MNIST, 2 epochs, batch 128, SGD 0.1 / momentum 0.9 / weight decay 1e-4, per-step cosine,",
        "no augmentation; recipe, inits and the reference's code: experiments/parity/README.md.",
        "Per-run numbers: results/parity/raw/ (the reference's JSONs; the toolkit's run.h5 and config.json).",
        "",
        f"## Final test top-1 (%): seeds finished per method and implementation: "
        f"{', '.join(f'{m} {len(ref.get(m, []))} + {len(tk.get(m, []))}' for m in METHODS)} (3 planned)",
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
              "| method | implementation | top-1 after epoch 1 | after epoch 2 | final train loss |",
              "|---|---|---:|---:|---:|"]
    for method, label in METHODS.items():
        for name, runs in (("PyTorch reference", ref.get(method, [])), ("denseshift", tk.get(method, []))):
            if not runs:
                continue
            e1 = statistics.mean(r["top1"][0] for r in runs)
            e2 = statistics.mean(r["top1"][-1] for r in runs)
            loss = statistics.mean(r["train_loss"] for r in runs)
            lines.append(f"| {label} | {name} | {pct(e1)} | {pct(e2)} | {loss:.4f} |")
    timing, timing_versions = timing_lines(args.runs)
    lines += timing
    versions = sorted({r["version"] for d in (ref, tk) for runs in d.values() for r in runs})
    lines += ["", "Versions: " + "; ".join(versions) + ".", ""]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_whole(out, "\n".join(lines))
    print("\n".join(lines))
    if args.epoch_time_out:
        text = ["# Epoch time: `denseshift train` against the plain PyTorch implementation (issue 15, target 1)", "",
                f"Made by `bash experiments/parity/timing.sh` (commit {commit}, {datetime.date.today().isoformat()}, "
                f"on {cpu}; the table by `experiments/parity/summarize.py`, the same section as in "
                "results/parity/README.md). Recipe: ResNet-20 on Fashion-MNIST, batch 128, 2 threads "
                "(experiments/parity/README.md)."] + timing + ["Versions: " + "; ".join(timing_versions) + ".", ""]
        write_whole(args.epoch_time_out, "\n".join(text))


if __name__ == "__main__":
    main()
