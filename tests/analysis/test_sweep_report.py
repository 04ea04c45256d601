"""analysis.sweep_report on hand-made sweep directories whose statistics are known."""
import json
import math
import pathlib
import subprocess
import sys

import h5py
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from analysis.stats import mean_interval, t975, welch  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from make_fake_sweep import make_sweep  # noqa: E402


def report(folder, *args, check=0):
    r = subprocess.run([sys.executable, "-m", "analysis.sweep_report", str(folder), *args], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == check, r.stdout + r.stderr
    return r


def test_t_quantiles_match_the_tables():
    assert t975(2) == pytest.approx(4.303)
    assert t975(10) == pytest.approx(2.228)
    assert 4.303 > t975(2.5) > 3.182
    assert t975(10 ** 6) == pytest.approx(1.96, abs=1e-3)
    mean, std, half, n = mean_interval([0.80, 0.82, 0.84])
    assert (mean, n) == (pytest.approx(0.82), 3) and std == pytest.approx(0.02)
    assert half == pytest.approx(4.303 * 0.02 / math.sqrt(3))
    d, lo, hi = welch([1.0, 2.0, 3.0], [2.0, 3.0, 4.0])
    assert d == pytest.approx(1.0) and lo < 0 < hi


def test_the_table_gives_mean_std_interval_n_and_counts_what_is_missing(tmp_path):
    make_sweep(tmp_path, {0.1: [0.80, 0.82, 0.84], 0.2: [0.70, None, 0.74]})
    report(tmp_path, "--paired", "optim.lr")
    text = (tmp_path / "report" / "report.md").read_text()
    assert "| lr=0.1 | 82.00 ± 2.00 | [77.03, 86.97] | 3 | - |" in text
    assert "| lr=0.2 | 72.00 ± 2.83 | [46.59, 97.41] | 2 | pending 1 |" in text
    # Paired over the seeds both completed (0 and 2): differences -0.10 and -0.10.
    assert "| lr=0.2 − lr=0.1 | -10.00 | [-10.00, -10.00] | 2 |" in text
    assert "5.00 CPU-hours" in text  # 5 tasks x 1800 s x 2 threads


def test_cpu_time_takes_the_task_process_time_where_it_was_recorded(tmp_path):
    make_sweep(tmp_path, {0.1: [0.80, 0.82, 0.84], 0.2: [0.70, None, 0.74]})
    task = sorted((tmp_path / "tasks").glob("*.json"))[0]
    record = json.loads(task.read_text())
    record["process_seconds"] = record["seconds"] + 1800  # process start and LibTorch's load
    task.write_text(json.dumps(record))
    report(tmp_path)
    assert "6.00 CPU-hours" in (tmp_path / "report" / "report.md").read_text()  # one more hour: 1800 s x 2


def test_a_corrupt_run_file_is_reported_not_fatal(tmp_path):
    make_sweep(tmp_path, {0.1: [0.80, 0.82, 0.84]})
    (tmp_path / "runs" / "lr=0.1" / "seed1" / "run.h5").write_bytes(b"not an hdf5 file")
    report(tmp_path)
    text = (tmp_path / "report" / "report.md").read_text()
    assert "| lr=0.1 | 82.00 ± 2.83 |" in text and "unreadable 1" in text
    assert "## Unreadable run files" in text and "seed1" in text


def test_failed_and_interrupted_runs_are_counted_not_averaged(tmp_path):
    make_sweep(tmp_path, {0.1: [0.80, 0.82, 0.84]})
    with h5py.File(tmp_path / "runs" / "lr=0.1" / "seed0" / "run.h5", "r+") as f:
        f.attrs["status"] = "stopped: loss became nan"
    with h5py.File(tmp_path / "runs" / "lr=0.1" / "seed1" / "run.h5", "r+") as f:
        f.attrs["status"] = "interrupted: SIGTERM"
    report(tmp_path)
    text = (tmp_path / "report" / "report.md").read_text()
    assert "| lr=0.1 | 84.00 | - | 1 | running or interrupted 1, failed 1 |" in text


def test_a_figure_against_a_varied_key(tmp_path):
    make_sweep(tmp_path, {0.1: [0.80, 0.82, 0.84], 0.2: [0.70, 0.72, 0.74]})
    r = report(tmp_path, "--axis", "optim.lr", "--out", tmp_path / "out")
    assert (tmp_path / "out" / "test_top1_vs_lr.png").stat().st_size > 1000
    assert "test_top1_vs_lr.pdf" in r.stdout


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    r = report(tmp_path, check=2)
    assert "not a sweep directory" in r.stderr
    make_sweep(tmp_path, {0.1: [0.80]})
    r = report(tmp_path, "--axis", "model.quant.bits", check=2)
    assert "not varied by this sweep" in r.stderr


def test_runs_json_holds_every_run_with_its_series_and_provenance(tmp_path):
    make_sweep(tmp_path, {0.1: [0.80, 0.82, 0.84], 0.2: [0.70, None, 0.74]})
    report(tmp_path)
    summary = json.loads((tmp_path / "report" / "runs.json").read_text())
    assert summary["format"] == "denseshift-sweep-summary" and summary["format_version"] == 1
    runs = {(r["cell"], r["seed"]): r for r in summary["runs"]}
    assert len(runs) == 6
    assert runs[("lr=0.2", 1)]["state"] == "pending" and "test_top1" not in runs[("lr=0.2", 1)]
    done = runs[("lr=0.1", 2)]
    assert done["state"] == "completed" and done["overrides"] == {"optim.lr": 0.1}
    assert done["test_top1"][-1] == pytest.approx(0.84) and done["threads"] == 2 and done["process_seconds"] == 1800


def test_runs_json_gives_the_traced_latents_distance_from_the_origin(tmp_path):
    make_sweep(tmp_path, {0.1: [0.80, 0.82, 0.84]})
    with h5py.File(tmp_path / "runs/lr=0.1/seed1/run.h5", "a") as f:
        layer = f.create_group("layers/conv.weight")
        layer.attrs["latents"] = json.dumps(["sign", "t1"])
        traces = layer.create_group("traces")
        traces["step"] = [0.0, 10.0, 20.0]
        # Two traced weights: (sign, t1) = (3, 4) and (0, 0) at the start: radius sqrt(25 / 2).
        traces["sign"] = [[3.0, 0.0], [1.0, 1.0], [0.6, 0.0]]
        traces["t1"] = [[4.0, 0.0], [1.0, 1.0], [0.8, 0.0]]
    report(tmp_path)
    runs = {r["seed"]: r for r in json.loads((tmp_path / "report" / "runs.json").read_text())["runs"]}
    assert runs[1]["conv.weight/latent_radius"] == pytest.approx([math.sqrt(12.5), math.sqrt(0.5)])
    assert "conv.weight/latent_radius" not in runs[0]  # nothing traced


def test_runs_json_says_how_sign_shift_latents_crowd_the_thresholds(tmp_path):
    make_sweep(tmp_path, {0.1: [0.80, 0.82, 0.84]})
    edges = np.linspace(-3.0, 3.0, 121)  # bins of 0.05: 4 bin centres within 0.1 of each point
    centres = (edges[:-1] + edges[1:]) / 2
    flat = np.full(120, 10.0)
    crowded = flat.copy()
    crowded[np.abs(centres - 1.5) < 0.1] = 40.0  # one of the 3 thresholds (0.5, 1.5, 2.5) crowded
    for seed, parametrization in ((0, "sign_shift"), (1, "sign_scale")):
        with h5py.File(tmp_path / f"runs/lr=0.1/seed{seed}/run.h5", "a") as f:
            config = json.loads(f.attrs["config"])
            config["model"] = {"quant": {"parametrization": parametrization, "bits": 3, "space": "dense_shift"}}
            f.attrs["config"] = json.dumps(config)
            g = f.create_group("layers/conv.weight/histograms")
            g["edges"] = edges
            g["shift"] = np.vstack([np.concatenate([[0], h, [5]]) for h in (flat, crowded)])
    report(tmp_path)
    runs = {r["seed"]: r for r in json.loads((tmp_path / "report" / "runs.json").read_text())["runs"]}
    # Thresholds: (40 + 10 + 10) * 4 / 3 per threshold; levels 1, 2: 40 per level.
    assert runs[0]["conv.weight/threshold_crowding"] == pytest.approx([1.0, 2.0])
    assert "conv.weight/threshold_crowding" not in runs[1]  # not the sign-shift quantizer
    # 4 bits: thresholds 0.5 ... 6.5 and levels 1 ... 6; those past the histogram's 3.0 are left out,
    # so the ratio is the same as at 3 bits (thresholds 0.5, 1.5, 2.5 against levels 1, 2).
    with h5py.File(tmp_path / "runs/lr=0.1/seed0/run.h5", "a") as f:
        config = json.loads(f.attrs["config"])
        config["model"]["quant"]["bits"] = 4
        f.attrs["config"] = json.dumps(config)
    report(tmp_path)
    runs = {r["seed"]: r for r in json.loads((tmp_path / "report" / "runs.json").read_text())["runs"]}
    assert runs[0]["conv.weight/threshold_crowding"] == pytest.approx([1.0, 2.0])


def test_runs_json_gives_each_quantized_layers_level_usage_per_epoch(tmp_path):
    make_sweep(tmp_path, {0.1: [0.80, 0.82, 0.84]})
    with h5py.File(tmp_path / "runs/lr=0.1/seed0/run.h5", "a") as f:
        g = f.create_group("layers/conv.weight/histograms")
        g["effective_values"] = [-4.0, -2.0, -1.0, 1.0, 2.0, 4.0]
        # Epoch 0: every weight +-1 (ratio 1); epoch 1: 2 of 4 weights at 4, 2 at 1:
        # (2*16 + 2*1)^2 / (4 * (2*256 + 2*1)) = 1156 / 2056.
        g["effective"] = [[0, 0, 2, 2, 0, 0], [0, 0, 1, 1, 0, 2]]
    with h5py.File(tmp_path / "runs/lr=0.1/seed1/run.h5", "a") as f:
        g = f.create_group("layers/conv.weight/histograms")
        g["effective_values"] = [-1.0, 1.0]
        g["effective"] = [[1, 1], [0, 0]]  # a record without weights: corrupt
    report(tmp_path)
    runs = {r["seed"]: r for r in json.loads((tmp_path / "report" / "runs.json").read_text())["runs"]}
    assert runs[0]["conv.weight/participation_ratio"] == pytest.approx([1.0, 1156 / 2056])
    assert runs[0]["conv.weight/magnitudes"] == [1.0, 2.0, 4.0]
    assert runs[0]["conv.weight/level_shares"] == [[1.0, 0.0, 0.0], [0.5, 0.0, 0.5]]
    assert runs[1]["state"] == "unreadable" and "without weights" in runs[1]["detail"]
    assert "conv.weight/participation_ratio" not in runs[2]  # no histograms


def test_runs_json_gives_where_weight_decay_alone_would_take_the_latents(tmp_path):
    sys.path.insert(0, str(ROOT))
    from analysis.sweep_report import decay_only_factor, schedule_lr

    make_sweep(tmp_path, {0.1: [0.80, 0.82, 0.84]})
    run_file = tmp_path / "runs/lr=0.1/seed1/run.h5"
    with h5py.File(run_file, "a") as f:
        config = json.loads(f.attrs["config"])
        # constant lr 0.1, no momentum, latent decay 0.01, 2 epochs of 5 steps: w = (1 - 0.1 * 0.01)^10
        config.update(optim={"optimizer": "sgd", "lr": 0.1, "momentum": 0.0, "weight_decay": 0.5,
                             "latent_weight_decay": 0.01, "schedule": "constant"}, train={"epochs": 2, "seed": 1})
        f.attrs["config"] = json.dumps(config)
        env = json.loads(f.attrs["environment"])
        f.attrs["environment"] = json.dumps(dict(env, steps_per_epoch=5))
        layer = f.create_group("layers/conv.weight")
        layer.attrs["latents"] = json.dumps(["sign"])
        layer["traces/step"] = [0.0, 10.0]
        layer["traces/sign"] = [[2.0, 0.0], [1.0, 0.0]]  # radius sqrt(2), then sqrt(0.5)
    report(tmp_path)
    runs = {r["seed"]: r for r in json.loads((tmp_path / "report" / "runs.json").read_text())["runs"]}
    assert runs[1]["conv.weight/latent_radius_decay_only"] == pytest.approx([math.sqrt(2), math.sqrt(2) * 0.999 ** 10])
    # With momentum 0.9 the decay compounds through the buffer: about exp(-sum lr wd / (1 - momentum)).
    from analysis.runfile import Run
    run = Run(run_file)
    run.config["optim"].update(momentum=0.9, schedule="cosine", lr=0.05, latent_weight_decay=None, weight_decay=1e-4)
    run.config["train"]["epochs"] = 3
    run.environment["steps_per_epoch"] = 468
    mean_lr = sum(schedule_lr(s, 0.05, "cosine", 1404, 0) for s in range(1404)) / 1404
    assert mean_lr == pytest.approx(0.025, rel=1e-3)
    assert decay_only_factor(run) == pytest.approx(math.exp(-1404 * 0.025 * 1e-4 / 0.1), rel=2e-3)  # ~3.4% shrink
    run.config["optim"]["optimizer"] = "adam"
    assert decay_only_factor(run) is None
    del run.environment["steps_per_epoch"]
    run.config["optim"]["optimizer"] = "sgd"
    assert decay_only_factor(run) is None
