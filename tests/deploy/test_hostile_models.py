"""Hostile model files (issue 27, items 1-3 and 15): valid CRC, hostile header. `denseshift infer`
and `convert` refuse each with one line and exit 2; the Python reader and loader raise
ModelFileError and nothing else, also on a few hundred random mutations (fixed seed), without a
large allocation; a device or pipe is refused before it is read."""
import json
import os
import pathlib
import random
import resource
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "deploy"))
from analysis.model_file import ModelFileError, read_model  # noqa: E402
from analysis.torch_loader import load_module  # noqa: E402
import hostile_models  # noqa: E402

BIN = os.environ.get("DENSESHIFT_BIN", str(ROOT / "build" / "cli" / "denseshift"))

CONFIG = {
    "data": {"name": "synthetic", "synthetic_train": 128, "synthetic_test": 32, "synthetic_size": 16,
             "synthetic_classes": 4},
    "model": {"name": "lenet", "quant": {"parametrization": "s3", "space": "shift", "bits": 3},
              "activation": {"bits": 4}},
    "train": {"epochs": 1, "batch_size": 64, "threads": 1},
}


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    (tmp / "c.json").write_text(json.dumps(CONFIG))
    r = subprocess.run([BIN, "train", "--config", tmp / "c.json", "--out", tmp / "run"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([BIN, "export", tmp / "run", "--out", tmp / "m.dsm"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return tmp / "m.dsm"


def one_line_refusal(r):
    return r.returncode == 2 and r.stderr.startswith("denseshift: error: ") and len(r.stderr.splitlines()) == 1


def test_the_valid_model_runs_everywhere(model):
    assert subprocess.run([BIN, "infer", model], capture_output=True).returncode == 0
    net, _ = load_module(model)
    assert net(__import__("torch").zeros(2, 1, 16, 16)).shape == (2, 4)


@pytest.mark.parametrize("name", sorted(hostile_models.EDITS) + ["header-not-json", "header-a-list"])
def test_a_hostile_header_is_refused_by_every_reader(model, tmp_path, name):
    path = tmp_path / f"{name}.dsm"
    path.write_bytes(hostile_models.variants(model.read_bytes())[name])
    for command in (["infer", path, "--threads", "2"], ["convert", path, "--out", tmp_path / "out.dsm"]):
        r = subprocess.run([BIN, *command], capture_output=True, text=True)
        assert one_line_refusal(r), (command, r.returncode, r.stderr)
        assert "checksum" not in r.stderr  # the CRC is valid: the header's check caught it
    assert not (tmp_path / "out.dsm").exists()
    with pytest.raises(ModelFileError):
        load_module(path)


def test_devices_and_pipes_are_refused_before_reading(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path in ("/dev/zero", fifo, tmp_path):
        r = subprocess.run([BIN, "infer", path], capture_output=True, text=True, timeout=60)
        assert one_line_refusal(r) and "is not a regular file" in r.stderr, r.stderr
        with pytest.raises(ModelFileError, match="is not a regular file"):
            read_model(path)


def test_random_mutations_end_in_model_file_error_only(model):
    data = model.read_bytes()
    rng = random.Random(27)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcomes = {"refused": 0, "loaded": 0}
    path = model.parent / "mutant.dsm"
    for i in range(300):
        path.write_bytes(hostile_models.mutate(data, rng))
        try:
            load_module(path)
            outcomes["loaded"] += 1
        except ModelFileError:
            outcomes["refused"] += 1
        # any other exception fails the test here, naming the mutation's index
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert outcomes["refused"] > 100, outcomes
    assert grown_mib < 300, f"peak memory grew by {grown_mib:.0f} MiB"


def test_a_version_1_file_reads_but_no_reader_runs_it(model, tmp_path):
    # Format 1 (before 2026-12-02) had no graph: the file reader still reads it; the engine, convert
    # and the loader refuse it, saying to export the run again.
    header, body = hostile_models.split(model.read_bytes())
    del header["graph"]
    path = tmp_path / "v1.dsm"
    path.write_bytes(hostile_models.build(header, body, version=1))
    read_model(path)
    for command in (["infer", path], ["convert", path, "--out", tmp_path / "out.dsm"]):
        r = subprocess.run([BIN, *command], capture_output=True, text=True)
        assert one_line_refusal(r) and "holds no graph (format version 1" in r.stderr, r.stderr
    with pytest.raises(ModelFileError, match="holds no graph .format version 1.*export its run again"):
        load_module(path)
