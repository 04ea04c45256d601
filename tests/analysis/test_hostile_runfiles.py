"""Hostile run files through the analysis tools (issue 27, item 12): every tool reads through
analysis.runfile.Run, which validates shapes, dtypes and lengths against the epochs and bounds
memory. A corrupt run is reported and skipped by sweep_report and table, never a traceback, a
24 GB allocation or an accuracy of 600%."""
import json
import pathlib
import resource
import subprocess
import sys

import h5py
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from analysis.runfile import Run, RunFileError  # noqa: E402
from make_fake_sweep import make_sweep  # noqa: E402


def declare_rows(rows):
    def edit(f):
        f["epochs/test_top1"].resize((rows,))  # chunked: declared, never stored
    return edit


def replace(name, data):
    def edit(f):
        del f[f"epochs/{name}"]
        f["epochs"].create_dataset(name, data=data)
    return edit


def set_attr(name, value):
    def edit(f):
        f.attrs[name] = value
    return edit


def delete_attr(name):
    def edit(f):
        del f.attrs[name]
    return edit


EDITS = {
    "2^28 declared rows": declare_rows(2 ** 28),
    "2^24 declared rows": declare_rows(2 ** 24),
    "a series longer than the epochs": replace("test_top1", np.array([0.5, 0.6, 0.7, 0.8, 0.9, 0.95])),
    "a series shorter than the epochs": replace("test_top1", np.array([0.5])),
    "text instead of numbers": replace("test_top1", np.array([b"a", b"b"])),
    "a 2-D series": replace("test_top1", np.zeros((2, 3))),
    "a NaN epoch number": replace("epoch", np.array([1.0, np.nan])),
    "a negative epoch number": replace("epoch", np.array([-1.0, 2.0])),
    "an accuracy of 6": replace("test_top1", np.array([0.5, 6.0])),
    "an infinite accuracy": replace("test_top1", np.array([0.5, np.inf])),
    "no config": delete_attr("config"),
    "a config that is not JSON": set_attr("config", "{not json"),
    "a config that is a list": set_attr("config", "[1, 2]"),
    "a numeric status": set_attr("status", 7),
    "a format_version of text": set_attr("format_version", "one"),
    "no epochs group": lambda f: f.__delitem__("epochs"),
}


@pytest.fixture()
def sweep(tmp_path):
    make_sweep(tmp_path / "sweep", {0.1: [0.80, 0.82, 0.84]})
    return tmp_path / "sweep"


def corrupt(sweep, edit):
    path = sweep / "runs" / "lr=0.1" / "seed1" / "run.h5"
    with h5py.File(path, "r+") as f:
        edit(f)
    return path


@pytest.mark.parametrize("name", sorted(EDITS))
def test_the_reader_raises_run_file_error_only(sweep, name):
    path = corrupt(sweep, EDITS[name])
    with pytest.raises(RunFileError):
        run = Run(path)
        for series in ("epochs/test_top1", "epochs/epoch"):
            run.read(series)


def run_tool(*args):
    # A child limited to 2 GB of address space: reading 2^28 declared rows would need 2 GB per
    # series (24 GB before the fix).
    limit = lambda: resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # noqa: E731
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          preexec_fn=limit)


@pytest.mark.parametrize("name", sorted(EDITS))
def test_sweep_report_and_table_report_a_corrupt_run_and_skip_it(sweep, tmp_path, name):
    path = corrupt(sweep, EDITS[name])
    r = run_tool("analysis.sweep_report", str(sweep), "--out", str(tmp_path / "report"))
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stdout + r.stderr
    summary = json.loads((tmp_path / "report" / "runs.json").read_text())
    states = {run["seed"]: run["state"] for run in summary["runs"]}
    assert states == {0: "completed", 1: "unreadable", 2: "completed"}, states
    report = (tmp_path / "report" / "report.md").read_text()
    assert "| 2 |" in report  # n = 2: the corrupt run is not averaged
    runs = [str(p.parent) for p in sorted((sweep / "runs").glob("*/seed*/run.h5"))]
    r = run_tool("analysis.table", *runs, "--by", "optim.lr")
    assert "Traceback" not in r.stderr, r.stderr
    if r.returncode == 0:  # the run's attributes were readable: it is left out of the mean, named
        assert f"left out {path.parent}" in r.stderr and "600" not in r.stdout, r.stdout + r.stderr
    else:  # its attributes are not a run file's: one line naming it
        assert r.returncode == 2 and len(r.stderr.splitlines()) == 1 and str(path) in r.stderr, r.stderr
