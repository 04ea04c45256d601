"""analysis/: every figure renders from real (short, synthetic) run files, the
table tool's numbers match hand-computed ones, and bad run files give clear errors."""
import json
import os
import pathlib
import subprocess
import sys

import h5py
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BIN = os.environ.get("DENSESHIFT_BIN", str(ROOT / "build" / "cli" / "denseshift"))

from analysis import (dynamics_figure, freezing_figure, optimization_space_figure,  # noqa: E402
                      table, trace_figure)
from analysis.runfile import Run, RunFileError  # noqa: E402

RECORD = {"traces": True, "trace_samples": 16, "trace_every_steps": 4, "histograms": True,
          "freezing": True, "dynamics": True, "step_loss": True}


def train(out, parametrization, bits=3, init="kaiming_normal", epochs=2, seed=0):
    config = {
        "data": {"name": "synthetic", "synthetic_train": 512, "synthetic_test": 128,
                 "synthetic_size": 16, "synthetic_classes": 4},
        "model": {"name": "lenet", "quant": {"parametrization": parametrization, "bits": bits, "init": init}},
        "optim": {"lr": 0.05},
        "train": {"epochs": epochs, "batch_size": 32, "threads": 1, "seed": seed},
        "record": RECORD,
    }
    path = out.parent / f"{out.name}.json"
    path.write_text(json.dumps(config))
    result = subprocess.run([BIN, "train", "--config", path, "--out", out], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("runs")
    methods = {m: train(base / m, m) for m in ("full_precision", "symmetric_pot", "sign_shift", "sign_scale")}
    methods["kaiming"] = train(base / "kaiming", "sign_scale", bits=2)
    methods["low_variance"] = train(base / "low_variance", "sign_scale", bits=2, init="low_variance")
    return methods


def test_freezing_figure_draws_seeds_of_one_method_as_a_mean_and_band(runs, tmp_path):
    from analysis.runfile import load_runs
    seed1 = train(tmp_path / "sign_scale_seed1", "sign_scale", seed=1)
    loaded = load_runs([runs["sign_scale"], seed1, runs["full_precision"]])
    groups = freezing_figure.seed_groups(loaded)
    assert [len(g) for g in groups.values()] == [2, 1]  # sign_scale's two seeds, full precision's one
    assert all("seed" not in label for label in groups)
    fig, ax = freezing_figure.plt.subplots()
    series = [r.read("epochs/train_loss") for r in groups[next(iter(groups))]]
    freezing_figure.band(ax, [1, 2], series, "x")
    line = ax.get_lines()[0]
    assert line.get_label() == "x (2 seeds)"
    assert line.get_ydata() == pytest.approx((series[0] + series[1]) / 2)
    assert len(ax.collections) == 1  # the min-max band
    assert_figure(freezing_figure.main([str(runs["sign_scale"]), str(seed1), "--out", str(tmp_path / "f")]))


def test_provenance_names_a_few_runs_and_counts_many(tmp_path, monkeypatch):
    from analysis.figures import provenance

    class FakeRun:
        def __init__(self, path):
            self.path, self.environment = pathlib.Path(path) / "run.h5", {"git_commit": "abc"}

    monkeypatch.chdir(tmp_path)
    few = provenance([FakeRun("sweep/runs/a/seed0"), FakeRun("sweep/runs/b/seed0")])
    assert few.startswith("runs: sweep/runs/a/seed0, sweep/runs/b/seed0 | commit abc |")
    many = provenance([FakeRun(f"sweep/runs/{c}/seed{s}") for c in "ab" for s in range(3)])
    assert many.startswith("runs: 6 runs under sweep/runs | commit abc |")


def assert_figure(paths):
    assert [p.suffix for p in paths] == [".png", ".pdf"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert paths[1].read_bytes()[:5] == b"%PDF-"


def test_freezing_figure(runs, tmp_path):
    four = [runs[m] for m in ("symmetric_pot", "sign_shift", "sign_scale", "full_precision")]
    assert_figure(freezing_figure.main([*map(str, four), "--out", str(tmp_path / "freezing")]))


def test_optimization_space_figure(runs, tmp_path):
    assert_figure(optimization_space_figure.main(["--sign-shift", str(runs["sign_shift"]), "--sign-scale",
                                                  str(runs["sign_scale"]), "--out", str(tmp_path / "space")]))


def test_trace_figure(runs, tmp_path):
    assert_figure(trace_figure.main([str(runs["kaiming"]), str(runs["low_variance"]), "--out", str(tmp_path / "t")]))


def test_dynamics_figure(runs, tmp_path):
    assert_figure(dynamics_figure.main([*map(str, runs.values()), "--out", str(tmp_path / "dyn")]))


def test_recorded_series_are_consistent(runs):
    run = Run(runs["sign_scale"])
    assert run.layers() == ["conv2.weight", "fc1.weight", "fc2.weight"]
    freezing = run.read("layers/conv2.weight/freezing/effective")
    assert freezing[0] == pytest.approx(1.0) and len(freezing) == 3  # init + 2 epochs
    counts = run.read("layers/fc1.weight/histograms/effective")
    # fc1 of lenet on 16x16 inputs: 120 x (16 channels * 2 * 2); every weight counted at every record.
    assert (counts.sum(axis=1) == 120 * 64).all()
    assert list(run.read("layers/conv2.weight/traces/step")[:3]) == [0, 4, 8]
    # Full precision: the effective weight is the parameter itself; its signs do change.
    full = Run(runs["full_precision"])
    assert (full.read("layers/conv2.weight/dynamics/wsvr") > 0).all()
    assert (full.read("layers/conv2.weight/freezing/effective")[1:] < 1).all()


def fake_run(path, top1_series, parametrization="sign_scale", bits=3, seed=0, version=1, status="completed"):
    """A minimal run file written by hand, for the table tool."""
    path.mkdir(parents=True)
    with h5py.File(path / "run.h5", "w") as f:
        f.attrs["format_version"] = version
        f.attrs["config"] = json.dumps({"model": {"quant": {"parametrization": parametrization, "bits": bits,
                                                            "space": "dense_shift", "init": "kaiming_normal"}},
                                        "train": {"seed": seed}})
        f.attrs["environment"] = json.dumps({"git_commit": "test"})
        f.attrs["status"] = status
        f.create_dataset("epochs/test_top1", data=np.array(top1_series, dtype=float))
        f.create_dataset("epochs/epoch", data=np.arange(1, len(top1_series) + 1, dtype=float))
    return path


def test_table_matches_hand_computed_numbers(tmp_path):
    paths = [fake_run(tmp_path / "a0", [0.5, 0.80], seed=0), fake_run(tmp_path / "a1", [0.95, 0.90], seed=1),
             fake_run(tmp_path / "b0", [0.7, 0.6], bits=2),
             fake_run(tmp_path / "c0", [0.1, 0.2, 0.3], parametrization="full_precision")]
    runs = [Run(p) for p in paths]
    keys = ["model.quant.parametrization", "model.quant.bits"]
    final = table.summarize(runs, keys)
    # sign_scale 3-bit: finals 0.80, 0.90 -> mean 0.85, sample std 0.0707107.
    assert [(k, round(m, 6), None if s is None else round(s, 6), n) for k, m, s, n in final] == [
        (("full_precision", 3), 0.3, None, 1), (("sign_scale", 2), 0.6, None, 1),
        (("sign_scale", 3), 0.85, 0.070711, 2)]
    best = dict((k, m) for k, m, s, n in table.summarize(runs, keys, reduce="best"))
    assert best[("sign_scale", 3)] == pytest.approx((0.80 + 0.95) / 2)
    text = table.markdown(final, keys, "test_top1", "final", "cmd")
    assert "| sign_scale | 3 | 85.00 ± 7.07 | 2 |" in text
    assert "| full_precision | 3 | 30.00 | 1 |" in text


def test_table_averages_only_completed_runs_and_says_what_it_left_out(tmp_path):
    paths = [fake_run(tmp_path / "a0", [0.5, 0.80], seed=0), fake_run(tmp_path / "a1", [0.95, 0.90], seed=1),
             fake_run(tmp_path / "nan", [0.1], seed=2, status="stopped: loss became nan at epoch 2"),
             fake_run(tmp_path / "live", [0.2], seed=3, status="running"),
             fake_run(tmp_path / "empty", [], seed=4)]
    runs = [Run(p) for p in paths]
    keys = ["model.quant.bits"]
    assert [(k, round(m, 6), n) for k, m, s, n in table.summarize(runs, keys)] == [((3,), 0.85, 2)]
    assert [n for k, m, s, n in table.summarize(runs, keys, include_incomplete=True)] == [4]
    result = run_module("table", *paths, "--by", "model.quant.bits")
    assert result.returncode == 0, result.stderr
    assert "| 3 | 85.00 ± 7.07 | 2 |" in result.stdout
    assert "Left out 3 run(s)" in result.stdout
    assert "status 'stopped'" in result.stderr and "status 'running'" in result.stderr
    assert "no finished epoch" in result.stderr and "warning: " in result.stderr


def test_unwritable_out_is_one_error_line(tmp_path):
    path = fake_run(tmp_path / "a", [0.5])
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_module("table", path, "--by", "model.quant.bits", "--out", blocker / "t.md")
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    result = run_module("freezing_figure", path, "--out", blocker / "f")
    assert result.returncode in (1, 2) and "Traceback" not in result.stderr


def test_figures_warn_about_runs_without_a_finished_epoch(tmp_path, capsys):
    from analysis.runfile import load_runs
    load_runs([fake_run(tmp_path / "empty", [])])
    assert "has no finished epoch" in capsys.readouterr().err


def run_module(module, *args):
    return subprocess.run([sys.executable, "-m", f"analysis.{module}", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True)


def test_wrong_format_version_is_a_clear_error(tmp_path):
    path = fake_run(tmp_path / "v2", [0.5], version=2)
    with pytest.raises(RunFileError, match="format_version 2, but these tools read version 1"):
        Run(path)
    result = run_module("table", path, "--by", "model.quant.bits")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "format_version 2" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_group_or_file_is_a_clear_error(tmp_path):
    path = fake_run(tmp_path / "bare", [0.5])  # no /layers: nothing was recorded
    result = run_module("freezing_figure", path, "--out", tmp_path / "f")
    assert result.returncode == 2
    assert "share no recorded layer" in result.stderr and "Traceback" not in result.stderr
    with pytest.raises(RunFileError, match="has no 'epochs/train_loss'"):
        Run(path).read("epochs/train_loss")
    with pytest.raises(RunFileError, match="no such run file"):
        Run(tmp_path / "nowhere")
    with pytest.raises(RunFileError, match="config has no key 'model.width'"):
        Run(path).config_value("model.width")


def test_phase_plane_keeps_only_records_where_s2_reaches_the_weight():
    # Issue 10, defect 5: t1 and t2 get gradient only where every higher latent is positive.
    t3 = np.array([[0.1, -0.2], [0.3, 0.1]])
    t4 = np.array([[0.2, 0.5], [-0.1, 0.4]])
    mask = optimization_space_figure.gradient_reaches_s2([t3, t4])
    assert mask.tolist() == [[True, False], [False, True]]
    assert optimization_space_figure.gradient_reaches_s2([]) is None


def test_figures_are_written_whole_and_reproducibly(tmp_path):
    """figures.save renders in memory and renames into place: no temporary is left, a user's own
    OUT.pdf.tmp survives, and the same figure drawn twice gives the same PDF bytes (no creation time)."""
    import types

    from analysis import figures

    run = types.SimpleNamespace(environment={"git_commit": "abc"}, path=tmp_path / "r" / "run.h5")
    (tmp_path / "fig.pdf.tmp").write_text("mine")

    def draw():
        fig, ax = figures.plt.subplots()
        ax.plot([0, 1, 2], [1, 0, 2])
        return [p.read_bytes() for p in figures.save(fig, [run], tmp_path / "fig")]

    first, second = draw(), draw()
    assert first == second and first[1].startswith(b"%PDF") and first[0].startswith(b"\x89PNG")
    assert b"/CreationDate" not in first[1]
    assert (tmp_path / "fig.pdf.tmp").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fig.pdf", "fig.pdf.tmp", "fig.png"]


def test_kernel_bounds_sets_each_packed_row_against_the_fma_ceiling():
    from analysis import kernel_bounds

    def row(kernel, variant, size, threads, gb=0.0, gmacs=0.0, isa="avx2"):
        return {"kernel": kernel, "variant": variant, "isa": isa, "size": size, "threads": threads, "cache": "cold",
                "gb_per_s": gb, "gmacs_per_s": gmacs, "stream_fraction": gb / 20.0, "fma_fraction": gmacs / 16.0}

    doc = {"rows": [row("stream read", "sum", "64 MiB", 1, gb=20.0), row("fma peak", "fma", "10 chains", 1, gmacs=16.0),
                    row("f32-gemv-packed2", "packed2", "8x8", 1, gb=2.0, gmacs=8.0),
                    row("f32-gemm-packed4", "packed4", "8x8 n=4", 1, gb=1.0, gmacs=8.0),
                    row("f32-gemv-packed2", "packed2", "8x8", 1, gb=0.1, isa="scalar")]}
    lines = kernel_bounds.bounds_table(doc)
    assert len(lines) == 4  # header, rule, the two SIMD packed rows
    # 2-bit GEMV: 16 G MAC/s x 1/4 byte = 4 GB/s of 20: 20%; 4-bit GEMM of 4 columns: 16 / 4 x 1/2 = 2 GB/s: 10%.
    assert lines[2].endswith("| 10% | 8.0 | 50% | 20% |")
    assert lines[3].endswith("| 5% | 8.0 | 50% | 10% |")
    with pytest.raises(ValueError):
        kernel_bounds.bounds_table({"rows": doc["rows"][2:]})


def test_weight_levels_by_hand():
    from analysis.weight_levels import layer_levels, quantized_layers
    w = np.array([1.0, -1, 1, -1, 1, 1, 4, -4])  # 6 at 1, 2 at the largest magnitude 4
    share, energy, ratio = layer_levels(w)
    assert share == pytest.approx(2 / 8)
    assert energy == pytest.approx(32 / 38)
    assert ratio == pytest.approx(38 ** 2 / (8 * (6 + 2 * 256)))
    assert layer_levels(np.full(5, -2.0))[2] == pytest.approx(1.0)  # one magnitude: ratio 1
    tensors = {"conv.weight": np.array([0.5, -2.0, 0.0]), "bn.scale": np.array([0.5, 2.0]),
               "first.weight": np.array([0.3, -1.0]), "ternary.weight": np.array([1.0, 0.0, -1.0])}
    assert list(quantized_layers(tensors)) == ["conv.weight", "ternary.weight"]
