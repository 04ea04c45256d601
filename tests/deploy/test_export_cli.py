"""`denseshift export` end to end on a small trained run, read back by analysis.model_file (numpy):
the decoded weights are the run's (value counts against the run file's histograms), the size is
reported, and bad input creates nothing."""
import json
import os
import pathlib
import re
import subprocess
import sys

import h5py
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from analysis.model_file import ModelFileError, read_model  # noqa: E402

BIN = os.environ.get("DENSESHIFT_BIN", str(ROOT / "build" / "cli" / "denseshift"))

CONFIG = {
    "data": {"name": "synthetic", "synthetic_train": 512, "synthetic_test": 64, "synthetic_size": 16,
             "synthetic_classes": 4},
    "model": {"name": "lenet", "quant": {"parametrization": "s3", "space": "shift", "bits": 3}},
    "train": {"epochs": 1, "batch_size": 64, "threads": 1},
    "record": {"histograms": True},
}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export")
    (tmp / "c.json").write_text(json.dumps(CONFIG))
    r = subprocess.run([BIN, "train", "--config", tmp / "c.json", "--out", tmp / "run"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return tmp / "run"


def export(*args):
    return subprocess.run([BIN, "export", *map(str, args)], capture_output=True, text=True)


def test_exported_weights_are_the_runs(run, tmp_path):
    out = tmp_path / "m.dsm"
    r = export(run, "--out", out)
    assert r.returncode == 0, r.stderr
    assert f"{out}: {out.stat().st_size} bytes" in r.stdout and "in float32" in r.stdout
    header, tensors = read_model(out)
    assert header["model"]["name"] == "lenet" and header["source"]["epochs"] == 1
    with h5py.File(run / "run.h5", "r") as f:
        for layer in ("conv2.weight", "fc1.weight", "fc2.weight"):
            values = f[f"layers/{layer}/histograms/effective_values"][()]
            counts = f[f"layers/{layer}/histograms/effective"][-1]  # after the last epoch
            decoded = tensors[layer]
            assert sorted(set(decoded.ravel())) <= list(values)
            np.testing.assert_array_equal([np.sum(decoded == v) for v in values], counts, err_msg=layer)
    assert tensors["conv1.weight"].dtype == np.float32 and tensors["bn2.scale"].shape == (16,)


def test_a_damaged_file_is_refused_by_the_python_reader(run, tmp_path):
    out = tmp_path / "m.dsm"
    assert export(run, "--out", out).returncode == 0
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0x01
    out.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="checksum mismatch"):
        read_model(out)


def test_bad_input_exits_2_and_touches_nothing(run, tmp_path):
    existing = tmp_path / "keep.dsm"
    existing.write_text("a user's file")
    r = export(run, "--out", existing)
    assert r.returncode == 2 and "exists; --force replaces it" in r.stderr
    assert existing.read_text() == "a user's file"
    r = export(run, "--out", tmp_path)
    assert r.returncode == 2 and "is a folder" in r.stderr
    r = export(tmp_path / "no-run", "--out", tmp_path / "x.dsm")
    assert r.returncode == 2 and "not a run directory" in r.stderr
    assert not (tmp_path / "x.dsm").exists()
    # --force replaces a model file only (test_force_replaces_only_a_model_file), not a user's file
    r = export(run, "--out", existing, "--force")
    assert r.returncode == 2 and "is not a denseshift model file" in r.stderr
    assert existing.read_text() == "a user's file"


@pytest.mark.parametrize("model", ["lenet", "resnet20"])
def test_the_engine_gives_evals_accuracy(tmp_path, model):
    config = dict(CONFIG, model=dict(CONFIG["model"], name=model), record={})
    (tmp_path / "c.json").write_text(json.dumps(config))
    assert subprocess.run([BIN, "train", "--config", tmp_path / "c.json", "--out", tmp_path / "run"],
                          capture_output=True).returncode == 0
    assert export(tmp_path / "run", "--out", tmp_path / "m.dsm").returncode == 0
    evaluated = subprocess.run([BIN, "eval", tmp_path / "run"], capture_output=True, text=True)
    inferred = subprocess.run([BIN, "infer", tmp_path / "m.dsm", "--batch", "7"], capture_output=True, text=True)
    assert evaluated.returncode == 0 and inferred.returncode == 0, evaluated.stderr + inferred.stderr
    top1 = evaluated.stdout.split("top1 ")[1].split("%")[0]
    assert f"top1 {top1}%" in inferred.stdout


def test_infer_refuses_a_damaged_or_newer_model_file(run, tmp_path):
    out = tmp_path / "m.dsm"
    assert export(run, "--out", out).returncode == 0
    data = bytearray(out.read_bytes())
    newer = bytearray(data)
    newer[8] = 9
    (tmp_path / "newer.dsm").write_bytes(bytes(newer))
    (tmp_path / "cut.dsm").write_bytes(bytes(data[: len(data) // 2]))
    for name, message in (("newer.dsm", "format version 9 is newer than this build reads"),
                          ("cut.dsm", "checksum mismatch")):
        r = subprocess.run([BIN, "infer", tmp_path / name], capture_output=True, text=True)
        assert r.returncode == 2 and message in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr


def test_theorem_1_conversion_keeps_the_accuracy_and_refuses_what_it_cannot_convert(run, tmp_path):
    shift = tmp_path / "s3.dsm"
    assert export(run, "--out", shift).returncode == 0
    converted = subprocess.run([BIN, "convert", shift, "--to", "dense-shift", "--out", tmp_path / "dense.dsm"],
                               capture_output=True, text=True)
    assert converted.returncode == 0, converted.stderr
    assert "layers converted" in converted.stdout and "zero weights split" in converted.stdout
    header, tensors = read_model(tmp_path / "dense.dsm")
    assert header["input_copies"] == {"conv2.weight": 2, "fc1.weight": 2, "fc2.weight": 2}
    assert not np.any(tensors["conv2.weight"] == 0) and tensors["conv2.weight"].shape[1] == 12  # 6 channels, twice
    top1 = [subprocess.run([BIN, "infer", m], capture_output=True, text=True).stdout.split("top1 ")[1].split("%")[0]
            for m in (shift, tmp_path / "dense.dsm")]
    assert top1[0] == top1[1]
    compared = subprocess.run([BIN, "infer", shift, "--compare", tmp_path / "dense.dsm", "--batch", "5"],
                              capture_output=True, text=True)
    assert compared.returncode == 0, compared.stderr
    line = compared.stdout.splitlines()[1]
    assert line.startswith(f"compared with {tmp_path / 'dense.dsm'}: top1 {top1[0]}%")
    agree, images = map(int, re.search(r"(\d+) of (\d+) predictions agree", line).groups())
    assert agree == images > 0
    difference, largest = map(float, re.search(r"logit difference\| (\S+) \(largest \|logit\| ([^)]+)\)", line).groups())
    assert largest > 0 and difference <= 1e-5 * largest
    missing = subprocess.run([BIN, "infer", shift, "--compare", tmp_path / "none.dsm"], capture_output=True, text=True)
    assert missing.returncode == 2 and "none.dsm" in missing.stderr and len(missing.stderr.splitlines()) == 1
    again = subprocess.run([BIN, "convert", tmp_path / "dense.dsm", "--out", tmp_path / "twice.dsm"],
                           capture_output=True, text=True)
    assert again.returncode == 2 and "no Shift-space weights" in again.stderr
    assert not (tmp_path / "twice.dsm").exists()


def test_bench_infer_times_both_at_every_batch_size(run):
    r = subprocess.run([BIN, "bench", "infer", run, "--images", "16", "--rounds", "1", "--batch-sizes", "1,4"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rows = [line for line in r.stdout.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [row.split("|")[1].strip() for row in rows] == ["1", "4"]
    assert all(float(row.split("|")[2]) > 0 and float(row.split("|")[3]) > 0 for row in rows)
    assert "smaller" in r.stdout and "Command: `denseshift bench infer" in r.stdout


def test_force_replaces_only_a_model_file(run, tmp_path):
    """Issue 27, item 4: --force overwrote the run's own checkpoint.pt (the run was then lost) and, as
    root, device nodes; it now replaces only a regular file that is a denseshift model file."""
    model = tmp_path / "m.dsm"
    assert export(run, "--out", model).returncode == 0
    checkpoint = run / "checkpoint.pt"
    kept = checkpoint.read_bytes()
    link = tmp_path / "link.dsm"
    link.symlink_to(model)
    other = tmp_path / "notes.txt"
    other.write_text("a user's file")
    for target, message in ((checkpoint, "is not a denseshift model file"), (run / "run.h5", "is not a denseshift model file"),
                            (other, "is not a denseshift model file"), (link, "is not a regular file"),
                            (pathlib.Path("/dev/null"), "is not a regular file")):
        r = export(run, "--out", target, "--force")
        assert r.returncode == 2 and message in r.stderr and len(r.stderr.splitlines()) == 1, (target, r.stderr)
    assert checkpoint.read_bytes() == kept and other.read_text() == "a user's file" and link.is_symlink()
    assert pathlib.Path("/dev/null").is_char_device()
    # convert may not write over its own input, even with --force
    r = subprocess.run([BIN, "convert", model, "--out", model, "--force"], capture_output=True, text=True)
    assert r.returncode == 2 and "is the input itself" in r.stderr, r.stderr
    read_model(model)
    # a model file is replaced, through a temporary and a rename (no temporary left behind)
    assert export(run, "--out", model, "--force").returncode == 0
    read_model(model)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.dsm", "m.dsm", "notes.txt"]
