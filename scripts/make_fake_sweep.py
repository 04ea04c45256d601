#!/usr/bin/python3
"""Writes a sweep directory of fabricated run files (the real layout of docs/run-file.md and
docs/sweep.md, values made up, no training): for the report's tests and for measuring
aggregation over many runs (scripts/bench-sweep.sh).

    /usr/bin/python3 scripts/make_fake_sweep.py DIR --cells 100 --seeds 10
"""
import argparse
import json
import pathlib

import h5py
import numpy as np


def make_run(run_dir, config, top1, status="completed", threads=2):
    """One run directory with run.h5 holding `top1` as /epochs/test_top1 (and a loss series)."""
    run_dir = pathlib.Path(run_dir)
    run_dir.mkdir(parents=True)
    with h5py.File(run_dir / "run.h5", "w") as f:
        f.attrs["format_version"] = 1
        f.attrs["config"] = json.dumps(config)
        f.attrs["environment"] = json.dumps({"git_commit": "abc123", "cpu": "test CPU", "threads": threads})
        f.attrs["status"] = status
        g = f.create_group("epochs")
        top1 = np.asarray(top1, dtype=float)
        n = len(top1)
        series = {"epoch": np.arange(1, n + 1, dtype=float), "lr": np.full(n, 0.1), "train_loss": 1.0 - top1,
                  "train_top1": top1, "test_loss": 1.0 - top1, "test_top1": top1, "test_top5": np.minimum(1, top1 + 0.1),
                  "validation_loss": np.full(n, np.nan), "validation_top1": np.full(n, np.nan),
                  "epoch_time_s": np.full(n, 10.0), "images_per_s": np.full(n, 1000.0)}
        for name, values in series.items():
            g.create_dataset(name, data=values, maxshape=(None,), chunks=(256,))
            g[name].attrs["series"] = 1


def make_sweep(folder, values, seconds=1800):
    """values[lr] = final top-1 per seed (None: that run is missing); cells vary optim.lr."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cells = [{"name": f"lr={lr}", "overrides": [["optim.lr", lr]]} for lr in values]
    seeds = list(range(max(len(v) for v in values.values())))
    (folder / "sweep.json").write_text(json.dumps({
        "format": "denseshift-sweep", "format_version": 1, "base": {}, "base_source": "inline", "cells": cells,
        "seeds": seeds, "metric": "test_top1", "runs": len(cells) * len(seeds), "slurm": {}, "spec": {}}))
    (folder / "tasks").mkdir(exist_ok=True)
    for c, (lr, per_seed) in enumerate(values.items()):
        for s, v in enumerate(per_seed):
            if v is None:
                continue
            make_run(folder / "runs" / f"lr={lr}" / f"seed{s}", {"optim": {"lr": lr}, "train": {"seed": s}}, [0.5, v])
            (folder / "tasks" / f"{c * len(seeds) + s}.json").write_text(
                json.dumps({"status": "completed", "seconds": seconds}))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--cells", type=int, default=100)
    ap.add_argument("--seeds", type=int, default=10)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    values = {round(0.001 * (c + 1), 6): list(rng.uniform(0.8, 0.9, args.seeds)) for c in range(args.cells)}
    make_sweep(args.dir, values)
    print(f"{args.dir}: {args.cells} cells x {args.seeds} seeds")


if __name__ == "__main__":
    main()
