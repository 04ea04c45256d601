"""`denseshift train / eval / inspect` end to end, on small synthetic data and on
a real Fashion-MNIST run. Checks what a user relies on: determinism, resume
after SIGKILL, clean SIGINT, refusal to overwrite, divergence stop, and that bad
input creates nothing."""
import json
import os
import pathlib
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("DENSESHIFT_BIN", str(ROOT / "build" / "cli" / "denseshift"))
TIMINGS = {"epoch_time_s", "images_per_s"}
FASHION = pathlib.Path("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")

SYNTHETIC = {
    "data": {"name": "synthetic", "synthetic_train": 2048, "synthetic_test": 256,
             "synthetic_size": 16, "synthetic_classes": 4},
    "model": {"name": "lenet", "quant": {"parametrization": "sign_scale", "bits": 2}},
    "optim": {"lr": 0.05},
    "train": {"epochs": 2, "batch_size": 64, "threads": 1},
}


def write_config(tmp_path, config, name="config.json"):
    path = tmp_path / name
    path.write_text(json.dumps(config))
    return path


def train(*args, timeout=300):
    return subprocess.run([BIN, "train", *args], capture_output=True, text=True, timeout=timeout)


def epochs(run_dir):
    with h5py.File(run_dir / "run.h5", "r") as f:
        return {name: f["epochs"][name][()] for name in f["epochs"]}


def status(run_dir):
    with h5py.File(run_dir / "run.h5", "r") as f:
        return f.attrs["status"]


def all_datasets(run_dir):
    out = {}
    with h5py.File(run_dir / "run.h5", "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


RECORD_ALL = {"traces": True, "trace_samples": 16, "trace_every_steps": 7, "histograms": True,
              "freezing": True, "dynamics": True, "dynamics_every_steps": 5, "step_loss": True}


def assert_same_metrics(a, b):
    assert a.keys() == b.keys()
    for name in a:
        if name not in TIMINGS:
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def wait_for(path, timeout=120):
    deadline = time.time() + timeout
    while not path.exists():
        assert time.time() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_two_identical_runs_give_identical_run_files(tmp_path):
    config = write_config(tmp_path, SYNTHETIC)
    for name in ("a", "b"):
        result = train("--config", config, "--out", tmp_path / name)
        assert result.returncode == 0, result.stderr
        assert result.stdout.count("epoch ") == 2  # one plain line per epoch off a terminal
    a, b = epochs(tmp_path / "a"), epochs(tmp_path / "b")
    assert list(a["epoch"]) == [1, 2]
    assert_same_metrics(a, b)
    with h5py.File(tmp_path / "a" / "run.h5", "r") as fa, h5py.File(tmp_path / "b" / "run.h5", "r") as fb:
        assert fa.attrs["config"] == fb.attrs["config"]
        assert fa.attrs["format_version"] == 1
        environment = json.loads(fa.attrs["environment"])
        assert environment["threads"] == 1
        assert "blas" in environment["blas"]  # the resolved path of the loaded BLAS
        assert environment["train_images"] == 2048 and environment["steps_per_epoch"] == 32  # 2048 / 64
    # And the check can fail: another seed gives other metrics.
    result = train("--config", config, "--out", tmp_path / "c", "--seed", "1")
    assert result.returncode == 0, result.stderr
    assert not np.array_equal(epochs(tmp_path / "c")["train_loss"], a["train_loss"])


def test_resolved_config_is_stored_with_overrides(tmp_path):
    config = write_config(tmp_path, SYNTHETIC)
    result = train("--config", config, "--out", tmp_path / "r", "--set", "optim.lr=0.02",
                   "--set", "train.epochs=1", "--set", "model.quant.lr_rescaling=false")
    assert result.returncode == 0, result.stderr
    stored = json.loads((tmp_path / "r" / "config.json").read_text())
    assert stored["optim"]["lr"] == 0.02
    assert stored["model"]["quant"]["lr_rescaling"] is False
    assert stored["optim"]["weight_decay"] == 1e-4  # defaults are resolved
    with h5py.File(tmp_path / "r" / "run.h5", "r") as f:
        assert json.loads(f.attrs["config"]) == stored


def test_resume_after_sigkill_matches_an_uninterrupted_run(tmp_path):
    config = dict(SYNTHETIC, train=dict(SYNTHETIC["train"], epochs=3), record=RECORD_ALL)
    config["data"] = dict(SYNTHETIC["data"], synthetic_train=12000)
    # 4-bit PACT activations: their alphas are recorded per epoch and resume with the rest.
    config["model"] = dict(SYNTHETIC["model"], activation={"bits": 4, "alpha_init": 1.5})
    path = write_config(tmp_path, config)
    whole = train("--config", path, "--out", tmp_path / "whole")
    assert whole.returncode == 0, whole.stderr

    killed = tmp_path / "killed"
    process = subprocess.Popen([BIN, "train", "--config", path, "--out", killed],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(killed / "checkpoint.pt")
    time.sleep(0.3)  # into the second epoch
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    kept = epochs(killed)
    assert 1 <= len(kept["epoch"]) < 3, "the kill should land mid-run"
    assert status(killed) == "running"

    resumed = train("--out", killed, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming after epoch" in resumed.stdout
    assert status(killed) == "completed"
    assert_same_metrics(epochs(killed), epochs(tmp_path / "whole"))
    # Every recorded series too: traces, histograms, freezing, WSVR/WLVR, per-step loss.
    resumed_data, whole_data = all_datasets(killed), all_datasets(tmp_path / "whole")
    assert resumed_data.keys() == whole_data.keys()
    assert "layers/conv2.weight/traces/t1" in whole_data and "steps/loss" in whole_data
    assert list(whole_data["activations/act1/epoch"]) == [0, 1, 2, 3]
    assert len(set(whole_data["activations/act1/alpha"])) > 1, "alpha 1.5 clips: training moves it"
    for name, values in whole_data.items():
        if name.split("/")[-1] not in TIMINGS:
            np.testing.assert_array_equal(resumed_data[name], values, err_msg=name)


def test_sigint_stops_cleanly_and_resume_finishes(tmp_path):
    config = dict(SYNTHETIC, train=dict(SYNTHETIC["train"], epochs=3))
    config["data"] = dict(SYNTHETIC["data"], synthetic_train=12000)
    path = write_config(tmp_path, config)
    run = tmp_path / "run"
    process = subprocess.Popen([BIN, "train", "--config", path, "--out", run],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(run / "checkpoint.pt")
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "continue with --resume" in stderr
    assert status(run).startswith("interrupted")
    assert train("--out", run, "--resume").returncode == 0
    assert list(epochs(run)["epoch"]) == [1, 2, 3]


def test_existing_out_is_refused_unless_resume_or_force(tmp_path):
    config = write_config(tmp_path, dict(SYNTHETIC, train=dict(SYNTHETIC["train"], epochs=1)))
    out = tmp_path / "run"
    assert train("--config", config, "--out", out).returncode == 0
    before = (out / "run.h5").stat().st_mtime_ns
    again = train("--config", config, "--out", out)
    assert again.returncode == 2
    assert "already exists: use --resume" in again.stderr
    assert (out / "run.h5").stat().st_mtime_ns == before
    assert train("--config", config, "--out", out, "--force").returncode == 0
    refused = train("--out", out, "--resume", "--seed", "3")
    assert refused.returncode == 2 and "--seed cannot be combined" in refused.stderr


def test_non_finite_loss_stops_with_a_valid_run_file(tmp_path):
    # Full precision with the learning rate ramped towards 100: finite for some epochs, then
    # certain to blow up before the last one.
    config = write_config(tmp_path, SYNTHETIC)
    out = tmp_path / "nan"
    result = train("--config", config, "--out", out, "--set", "model.quant.parametrization=full_precision",
                   "--set", "optim.lr=100", "--set", "optim.schedule=constant",
                   "--set", "optim.warmup_epochs=10", "--set", "train.epochs=12")
    assert result.returncode == 1, result.stdout
    assert "loss became" in result.stderr and "stopped" in result.stderr
    assert "terminate called" not in result.stderr
    assert status(out).startswith("stopped: loss became")
    failed_epoch = int(result.stderr.split("at epoch ")[1].split(",")[0])
    kept = epochs(out)["epoch"]
    assert failed_epoch >= 2
    assert list(kept) == list(range(1, failed_epoch))  # every finished epoch is in the file


@pytest.mark.parametrize("override, message", [
    ("optim.lrr=0.1", "unknown config key 'optim.lrr' (did you mean 'optim.lr'?)"),
    ("train.batch_size=0", "config key 'train.batch_size' has value 0"),
    ("data.dir=/nonexistent", "scripts/setup.sh"),
    ("data.name=cifar10", "data_batch_1.bin' is missing"),
    ("model.activation.bits=16", "config key 'model.activation.bits' is 16; it must be 2 to 8 (PACT) or 32"),
    ("model.activation.alpha_init=0", "config key 'model.activation.alpha_init' must be > 0"),
])
def test_bad_input_exits_2_and_creates_nothing(tmp_path, override, message):
    config = write_config(tmp_path, SYNTHETIC | {"data": {"name": "fashion-mnist"}})
    out = tmp_path / "never"
    result = train("--config", config, "--out", out, "--set", override)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert not out.exists()


def test_eval_and_inspect_read_back_the_run(tmp_path):
    config = write_config(tmp_path, SYNTHETIC)
    out = tmp_path / "run"
    assert train("--config", config, "--out", out).returncode == 0
    last_top1 = epochs(out)["test_top1"][-1]
    evaluated = subprocess.run([BIN, "eval", out], capture_output=True, text=True)
    assert evaluated.returncode == 0, evaluated.stderr
    assert f"top1 {100 * last_top1:.2f}%" in evaluated.stdout
    inspected = subprocess.run([BIN, "inspect", out], capture_output=True, text=True)
    assert inspected.returncode == 0, inspected.stderr
    assert "status: completed" in inspected.stdout
    layers = [l for l in inspected.stdout.splitlines() if "dense_shift 2-bit (offset 0)" in l and "weights:" in l]
    assert [l.split()[0] for l in layers] == ["conv2.weight", "fc1.weight", "fc2.weight"]
    for line in layers:
        values = {float(item.split(":")[0]) for item in line.split("weights:")[1].split()}
        assert values <= {-2.0, -1.0, 1.0, 2.0}


def test_string_attributes_written_by_h5py_are_read(tmp_path):
    """A status set with h5py (variable-length UTF-8, or numpy's fixed-length bytes) was once
    'cannot be read (corrupt file)': HDF5 converts no string between character sets."""
    config = write_config(tmp_path, dict(SYNTHETIC, train=dict(SYNTHETIC["train"], epochs=1)))
    out = tmp_path / "run"
    assert train("--config", config, "--out", out).returncode == 0
    for value, shown in (("interrupted: édité à la main", "interrupted: édité à la main"),
                         (np.bytes_(b"interrupted: fixed"), "interrupted: fixed")):
        with h5py.File(out / "run.h5", "r+") as f:
            del f.attrs["status"]
            f.attrs["status"] = value
        inspected = subprocess.run([BIN, "inspect", out], capture_output=True, text=True)
        assert inspected.returncode == 0, inspected.stderr
        assert f"status: {shown}" in inspected.stdout


@pytest.mark.skipif(not FASHION.exists(), reason="dataset-fashion-mnist not installed")
@pytest.mark.parametrize("parametrization", ["full_precision", "sign_scale"])
def test_lenet_one_epoch_on_real_fashion_mnist_beats_80_percent(tmp_path, parametrization):
    config = write_config(tmp_path, {
        "data": {"name": "fashion-mnist", "train_subset": 30000},
        "model": {"name": "lenet", "quant": {"parametrization": parametrization, "bits": 3}},
        "optim": {"lr": 0.05},
        "train": {"epochs": 1, "batch_size": 32, "threads": 2},
    })
    result = train("--config", config, "--out", tmp_path / "run")
    assert result.returncode == 0, result.stderr
    top1 = epochs(tmp_path / "run")["test_top1"][-1]
    assert top1 > 0.80, f"{parametrization}: test top-1 {top1:.4f}"
