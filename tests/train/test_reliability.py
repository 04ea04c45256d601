"""Reliability of `denseshift train / eval / inspect` against what a careless user, a
second process, a kill, a full disk or a hostile file does (issue 16). Each test names
the item of the issue it pins; every one of them failed on the toolkit before the fix."""
import gzip
import json
import os
import pathlib
import resource
import signal
import struct
import subprocess
import time

import h5py
import numpy as np
import pytest

from test_train_cli import (BIN, RECORD_ALL, SYNTHETIC, all_datasets, epochs, status, train, wait_for,
                            write_config)

TIMINGS = {"epoch_time_s", "images_per_s"}
STACK_TRACE_MARKERS = ("Exception raised from", "frame #", "Traceback", "terminate called")


def denseshift(*args, timeout=300, **kwargs):
    return subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=timeout, **kwargs)


def assert_one_error_line(result, code, *needles):
    assert result.returncode == code, (result.returncode, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("denseshift: error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    for marker in STACK_TRACE_MARKERS:
        assert marker not in result.stderr


def finished_run(tmp_path, name="run", **overrides):
    config = write_config(tmp_path, dict(SYNTHETIC, **overrides), f"{name}.json")
    result = train("--config", config, "--out", tmp_path / name, "--quiet")
    assert result.returncode == 0, result.stderr
    return tmp_path / name


def long_run(tmp_path, name="live"):
    """A run that trains for a while (stopped by the caller)."""
    config = dict(SYNTHETIC, train=dict(SYNTHETIC["train"], epochs=200))
    path = write_config(tmp_path, config, f"{name}.json")
    process = subprocess.Popen([BIN, "train", "--config", path, "--out", tmp_path / name, "--quiet"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(tmp_path / name / "checkpoint.pt")
    return process, path


# --- 1. --force deletes only what is recognisably a run ---------------------------------

def test_force_refuses_a_folder_of_other_files_and_keeps_them(tmp_path):
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "thesis.tex").write_text("years of work")
    config = write_config(tmp_path, SYNTHETIC)
    result = train("--config", config, "--out", folder, "--force")
    assert_one_error_line(result, 2, "--force refuses", "thesis.tex")
    assert (folder / "thesis.tex").read_text() == "years of work"
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.tex"]  # not even a lock file left


def test_force_refuses_a_regular_file(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("keep me")
    config = write_config(tmp_path, SYNTHETIC)
    assert_one_error_line(train("--config", config, "--out", target, "--force"), 2, "not a directory")
    assert target.read_text() == "keep me"


def test_force_refuses_the_folder_of_the_config_the_current_folder_root_and_home(tmp_path):
    run = finished_run(tmp_path)
    config = run / "my-config.json"
    config.write_text(json.dumps(SYNTHETIC))
    assert_one_error_line(train("--config", config, "--out", run, "--force"), 2, "my-config.json")
    assert config.exists()
    config.unlink()
    # The run's own stored config, used as --config: replacing the run would delete it.
    assert_one_error_line(train("--config", run / "config.json", "--out", run, "--force"), 2, "must not delete")
    plain = write_config(tmp_path, SYNTHETIC, "plain.json")
    result = subprocess.run([BIN, "train", "--config", plain, "--out", ".", "--force"], cwd=run,
                            capture_output=True, text=True)
    assert_one_error_line(result, 2, "the current folder")
    assert_one_error_line(train("--config", plain, "--out", "/", "--force"), 2, "the root folder")
    result = subprocess.run([BIN, "train", "--config", plain, "--out", run, "--force"], capture_output=True,
                            text=True, env=dict(os.environ, HOME=str(run)))
    assert_one_error_line(result, 2, "your home folder")
    assert sorted(p.name for p in run.iterdir()) == ["checkpoint.pt", "config.json", "run.h5", "run.lock"]
    assert status(run) == "completed"


def test_force_replaces_a_finished_run(tmp_path):
    run = finished_run(tmp_path)
    config = write_config(tmp_path, SYNTHETIC, "again.json")
    result = train("--config", config, "--out", run, "--force", "--seed", "5")
    assert result.returncode == 0, result.stderr
    assert json.loads((run / "config.json").read_text())["train"]["seed"] == 5


# --- 2. one process owns a run directory -------------------------------------------------

def test_a_live_run_cannot_be_replaced_resumed_or_joined(tmp_path):
    process, config = long_run(tmp_path)
    live = tmp_path / "live"
    try:
        for args in (["--config", config, "--out", live],
                     ["--config", config, "--out", live, "--force"],
                     ["--out", live, "--resume"]):
            result = train(*args)
            assert result.returncode == 2, result.stderr
            assert "in use by another denseshift process" in result.stderr or "already exists" in result.stderr
        assert "in use by another denseshift process (pid " in train("--config", config, "--out", live,
                                                                     "--force").stderr
        # The live run's files are untouched, and its checkpoint can be evaluated meanwhile.
        assert (live / "checkpoint.pt").exists() and (live / "run.h5").exists()
        evaluated = denseshift("eval", live, "--threads", "1")
        assert evaluated.returncode == 0, evaluated.stderr
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert json.loads((live / "config.json").read_text())["train"]["epochs"] == 200
    assert status(live).startswith("interrupted")


def test_a_failed_set_up_removes_only_what_it_made(tmp_path):
    # A set-up that fails on I/O (here: run.h5 cannot be written) leaves no run directory,
    # and the parents it created go too; an existing parent stays.
    config = write_config(tmp_path, SYNTHETIC)
    out = tmp_path / "made" / "by" / "train"
    result = subprocess.run([BIN, "train", "--config", config, "--out", out], capture_output=True, text=True,
                            preexec_fn=file_size_limit(4096))
    assert result.returncode == 1, result.stderr
    assert not (tmp_path / "made").exists()
    assert tmp_path.exists()


# --- 3. a kill during start-up never leaves a run.h5 that resume takes for complete ------

def test_kill_in_the_start_up_window_resumes_correctly_or_refuses_clearly(tmp_path):
    config = dict(SYNTHETIC, record=RECORD_ALL)
    path = write_config(tmp_path, config)
    whole = train("--config", path, "--out", tmp_path / "whole", "--quiet")
    assert whole.returncode == 0, whole.stderr
    outcomes = set()
    for attempt in range(6):
        out = tmp_path / f"killed{attempt}"
        process = subprocess.Popen([BIN, "train", "--config", path, "--out", out, "--quiet"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(out / "config.json", timeout=60)
        time.sleep(0.002 * attempt)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if (out / "checkpoint.pt").exists():
            continue  # too late: the ordinary resume test covers this
        resumed = train("--out", out, "--resume", "--quiet")
        if (out / "run.h5").exists() and resumed.returncode == 0:
            outcomes.add("resumed")
            whole_data, resumed_data = all_datasets(tmp_path / "whole"), all_datasets(out)
            assert resumed_data.keys() == whole_data.keys()
            for name, values in whole_data.items():
                if name.split("/")[-1] not in TIMINGS:
                    np.testing.assert_array_equal(resumed_data[name], values, err_msg=name)
        else:
            outcomes.add("refused")
            assert_one_error_line(resumed, 2, "start-up was interrupted", "--force")
            again = train("--config", path, "--out", out, "--force", "--quiet")
            assert again.returncode == 0, again.stderr
    assert outcomes, "every kill landed after the first checkpoint"


# --- 4. a missing checkpoint never truncates recorded epochs -----------------------------

def test_resume_without_checkpoint_refuses_and_keeps_the_epochs(tmp_path):
    run = finished_run(tmp_path, train=dict(SYNTHETIC["train"], epochs=3))
    (run / "checkpoint.pt").unlink()
    assert_one_error_line(train("--out", run, "--resume"), 2, "records 3 epochs", "checkpoint.pt is missing")
    assert list(epochs(run)["epoch"]) == [1, 2, 3]


# --- 5. a config edited after the run ---------------------------------------------------

@pytest.mark.parametrize("edit, key", [(("quant", "bits", 3), "model.quant.bits"),
                                       (("model", "name", "resnet20"), "model.name")], ids=["bits", "model"])
def test_an_edited_config_is_named_not_loaded(tmp_path, edit, key):
    run = finished_run(tmp_path)
    stored = json.loads((run / "config.json").read_text())
    section, name, value = edit
    (stored["model"] if section == "model" else stored["model"]["quant"])[name] = value
    (run / "config.json").write_text(json.dumps(stored))
    for command in (["eval", run], ["inspect", run], ["train", "--out", run, "--resume"]):
        assert_one_error_line(denseshift(*command), 2, key, "differs from the config its checkpoint was trained with")


# --- 6. unknown format versions and empty run files --------------------------------------

def test_unknown_format_version_is_refused_everywhere(tmp_path):
    run = finished_run(tmp_path)
    with h5py.File(run / "run.h5", "r+") as f:
        f.attrs["format_version"] = 999
    before = (run / "run.h5").read_bytes()
    for command in (["eval", run], ["inspect", run], ["train", "--out", run, "--resume"]):
        assert_one_error_line(denseshift(*command), 2, "format_version 999")
    assert (run / "run.h5").read_bytes() == before


def test_empty_run_file_is_refused_not_written(tmp_path):
    run = finished_run(tmp_path)
    (run / "run.h5").write_bytes(b"")
    assert_one_error_line(train("--out", run, "--resume"), 2, "is empty")
    assert (run / "run.h5").stat().st_size == 0
    (run / "run.h5").write_bytes(b"not hdf5 at all" * 10)
    assert_one_error_line(denseshift("inspect", run), 2, "not an HDF5 file")


# --- 8, 10, 12: hostile configs --------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ('{"optim": {"lr": ' + "[" * 60000 + "]" * 60000 + "}}", "nests deeper than 64 levels"),
    ('{"optim": {"lr": 1e400}}', "number overflow"),
    ('{"optim": {"lr": 0.1, "lr": 0.2}}', "has the key 'lr' twice"),
    ('{"data": {"dir": "\xff\xfe"}}', "not valid JSON"),
], ids=["nested-60000-deep", "number-overflow", "duplicate-key", "not-utf8"])
def test_hostile_config_files_exit_2_with_one_line(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_bytes(text.encode("latin-1"))
    assert_one_error_line(train("--config", path, "--out", tmp_path / "r"), 2, message)
    assert not (tmp_path / "r").exists()


def test_huge_config_is_refused_without_echoing_it(tmp_path):
    path = tmp_path / "huge.json"
    path.write_text('{"data": {"dir": "' + "x" * (3 << 20) + '"}}')
    result = train("--config", path, "--out", tmp_path / "r")
    assert_one_error_line(result, 2, "larger than 1 MiB")
    assert len(result.stderr) < 500
    path.write_text('{"data": {"name": "' + "y" * 100000 + '"}}')
    result = train("--config", path, "--out", tmp_path / "r")
    assert_one_error_line(result, 2, "data.name", "(100002 bytes)")
    assert len(result.stderr) < 500


def test_bad_set_values_and_symlink_loops(tmp_path):
    config = write_config(tmp_path, SYNTHETIC)
    result = subprocess.run([BIN.encode(), b"train", b"--config", bytes(config), b"--out", bytes(tmp_path / "r"),
                             b"--set", b"data.dir=\xff\xfe"], capture_output=True)
    assert result.returncode == 2 and b"not valid UTF-8" in result.stderr, result.stderr
    deep = "[" * 10000 + "]" * 10000
    assert_one_error_line(train("--config", config, "--out", tmp_path / "r", "--set", "optim.lr=" + deep), 2,
                          "nests deeper")
    assert_one_error_line(train("--config", config, "--out", tmp_path / "r", "--set", "optim.lr=1e400"), 2,
                          "number overflow")
    loop = tmp_path / "loop.json"
    os.symlink(loop, loop)
    assert_one_error_line(train("--config", loop, "--out", tmp_path / "r"), 2, "loop.json",
                          "Too many levels of symbolic links")
    assert not (tmp_path / "r").exists()


# --- 9. I/O errors: one line, exit 1, no temporaries, earlier results intact -----------------

def file_size_limit(limit_bytes):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
    return apply


def test_checkpoint_write_failure_is_one_line_and_keeps_the_run_file(tmp_path):
    config = write_config(tmp_path, SYNTHETIC)
    out = tmp_path / "full"
    result = subprocess.run([BIN, "train", "--config", config, "--out", out], capture_output=True, text=True,
                            preexec_fn=file_size_limit(100_000))
    assert_one_error_line(result, 1, "checkpoint.pt.tmp", "File too large")
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "run.h5", "run.lock"]
    assert list(epochs(out)["epoch"]) == [1]  # the epoch's record was flushed before the checkpoint
    assert status(out) == "running"  # and --resume takes it from there
    resumed = train("--out", out, "--resume", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert list(epochs(out)["epoch"]) == [1, 2]


def test_a_write_failure_at_any_point_leaves_a_readable_run_file_that_resumes_cleanly(tmp_path):
    """Issue 27, item 5: a file-size limit hit while run.h5 was written mid-epoch left it unopenable
    (HDF5 had written its superblock but not the data: every epoch lost), and a resume after a full
    disk kept zero rows in /steps/step and a duplicated trace step. The writer now keeps the file in
    memory and writes each flush's whole image through a temporary and a rename."""
    record = dict(RECORD_ALL, trace_every_steps=1)
    # batch 16: 128 steps an epoch, so the step series outgrow their first chunk in epoch 2 and the
    # file grows mid-epoch after epoch 1's checkpoint
    config = write_config(tmp_path, dict(SYNTHETIC, record=record,
                                         train=dict(SYNTHETIC["train"], epochs=3, batch_size=16)))
    full = tmp_path / "unlimited"
    assert train("--config", config, "--out", full, "--quiet").returncode == 0
    size = (full / "run.h5").stat().st_size
    resumed_runs = 0
    for k, limit in enumerate([size * 3 // 10, size * 6 // 10, size * 8 // 10, size - 2 * 16384, size - 8 * 16384]):
        out = tmp_path / f"limit{k}"
        result = subprocess.run([BIN, "train", "--config", config, "--out", out, "--quiet"], capture_output=True,
                                text=True, preexec_fn=file_size_limit(limit))
        if result.returncode == 0:
            continue
        assert_one_error_line(result, 1, "File too large")
        if not (out / "run.h5").exists():
            continue
        with h5py.File(out / "run.h5", "r") as f:  # opens: the file as of its last flush
            done = list(f["epochs"]["epoch"][()])
        assert done == list(range(1, len(done) + 1)), (limit, done)
        assert not [p.name for p in out.iterdir() if ".tmp" in p.name], limit
        if not (out / "checkpoint.pt").exists():
            continue
        resumed = train("--out", out, "--resume", "--quiet")
        assert resumed.returncode == 0, (limit, resumed.stderr)
        resumed_runs += 1
        assert status(out) == "completed"
        with h5py.File(out / "run.h5", "r") as f, h5py.File(full / "run.h5", "r") as g:
            steps = f["steps"]["step"][()]
            assert (np.diff(steps) > 0).all() and (steps > 0).all(), (limit, steps)
            np.testing.assert_array_equal(steps, g["steps"]["step"][()])
            for layer in f["layers"]:
                if "traces" in f["layers"][layer]:
                    np.testing.assert_array_equal(f["layers"][layer]["traces"]["step"][()],
                                                  g["layers"][layer]["traces"]["step"][()])
    assert resumed_runs >= 2  # failures after epoch 1's checkpoint were met and resumed


def test_resume_removes_temporaries_of_dead_writers_only(tmp_path):
    """Issue 27, item 6: each SIGXFSZ-killed attempt of a sweep task left a checkpoint.pt.tmp.PID.N."""
    config = write_config(tmp_path, SYNTHETIC)
    out = tmp_path / "full"
    result = subprocess.run([BIN, "train", "--config", config, "--out", out], capture_output=True, text=True,
                            preexec_fn=file_size_limit(100_000))
    assert result.returncode == 1
    dead = subprocess.Popen(["true"])
    dead.wait()
    for name in (f"checkpoint.pt.tmp.{dead.pid}.0", f"checkpoint.pt.tmp.{dead.pid}.1", f"run.h5.tmp.{dead.pid}.3",
                 f"checkpoint.pt.tmp.{os.getpid()}.0"):  # the last one's writer (this test) is alive
        (out / name).write_bytes(b"partial")
    resumed = train("--out", out, "--resume", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["config.json", "run.h5", "run.lock", "checkpoint.pt", f"checkpoint.pt.tmp.{os.getpid()}.0"])


def test_run_file_creation_failure_is_one_line_without_a_crash(tmp_path):
    config = write_config(tmp_path, SYNTHETIC)
    result = subprocess.run([BIN, "train", "--config", config, "--out", tmp_path / "r"], capture_output=True,
                            text=True, preexec_fn=file_size_limit(4096))
    assert_one_error_line(result, 1, "run.h5")
    assert not (tmp_path / "r").exists()


# --- 10, 11: hostile and mismatched data -------------------------------------------------------

def write_idx(path, dims, payload=None, claimed=None):
    header = bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in (claimed or dims))
    data = payload if payload is not None else bytes(int(np.prod(dims)))
    with gzip.open(path, "wb") as f:
        f.write(header + data)


def fashion_dir(tmp_path, train_size=28, test_size=28, claimed_train=None):
    folder = tmp_path / "fashion"
    folder.mkdir()
    write_idx(folder / "train-images-idx3-ubyte.gz", [64, train_size, train_size],
              payload=b"" if claimed_train else None, claimed=claimed_train)
    write_idx(folder / "train-labels-idx1-ubyte.gz", [64])
    write_idx(folder / "t10k-images-idx3-ubyte.gz", [32, test_size, test_size])
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", [32])
    return folder


def fashion_config(tmp_path, folder):
    return write_config(tmp_path, {"data": {"name": "fashion-mnist", "dir": str(folder)},
                                   "model": {"name": "lenet"}, "train": {"epochs": 1, "batch_size": 16,
                                                                         "threads": 1}})


def peak_child_rss_mib():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def test_an_idx_header_claiming_a_gigabyte_allocates_nothing(tmp_path):
    folder = fashion_dir(tmp_path, claimed_train=[1000, 1000, 1000])  # 1e9 bytes claimed, ~60 bytes on disk
    result = subprocess.run(["/usr/bin/python3", "-c", f"""
import resource, subprocess, sys
r = subprocess.run([{BIN!r}, 'train', '--config', {str(fashion_config(tmp_path, folder))!r}, '--out',
                    {str(tmp_path / 'r')!r}], capture_output=True, text=True)
print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
print(r.stderr, file=sys.stderr)
"""], capture_output=True, text=True)
    code, peak_mib = map(int, result.stdout.split())
    assert code == 2 and "more than its" in result.stderr, result.stderr
    assert peak_mib < 600, f"peak RSS {peak_mib} MiB"  # LibTorch alone is ~300 MiB; 1e9 zero bytes was 1.3 GiB


def test_an_idx_header_over_the_limit_is_refused(tmp_path):
    folder = fashion_dir(tmp_path, claimed_train=[60000, 4096, 4096])
    assert_one_error_line(train("--config", fashion_config(tmp_path, folder), "--out", tmp_path / "r"), 2,
                          "declares more than 1024 MiB")


def test_oversized_cifar_batch_is_refused_before_reading(tmp_path):
    folder = tmp_path / "cifar"
    folder.mkdir()
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        with open(folder / name, "wb") as f:
            f.truncate(3 << 30)  # sparse: 3 GiB claimed, nothing on disk
    config = write_config(tmp_path, {"data": {"name": "cifar10", "dir": str(folder)}, "model": {"name": "lenet"}})
    start = time.time()
    assert_one_error_line(train("--config", config, "--out", tmp_path / "r"), 2, "more than 1024 MiB")
    assert time.time() - start < 30


def test_train_and_test_of_different_image_sizes_are_refused_before_training(tmp_path):
    folder = fashion_dir(tmp_path, train_size=28, test_size=32)
    result = train("--config", fashion_config(tmp_path, folder), "--out", tmp_path / "r")
    assert_one_error_line(result, 2, "training images are 1x28x28", "test images are 1x32x32")
    assert not (tmp_path / "r").exists()


# --- 12. signals and locked run files ---------------------------------------------------------

def test_sigterm_stops_cleanly_and_the_run_resumes(tmp_path):
    process, _ = long_run(tmp_path)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 143, err
    live = tmp_path / "live"
    assert status(live).startswith("interrupted")
    assert "continue with --resume" in err


def test_inspect_of_a_run_file_locked_by_a_writer_names_the_lock(tmp_path):
    run = finished_run(tmp_path)
    holder = subprocess.Popen(["/usr/bin/python3", "-c", f"""
import h5py, sys, time
f = h5py.File({str(run / 'run.h5')!r}, 'r+')
print('open', flush=True)
time.sleep(60)
"""], stdout=subprocess.PIPE, text=True, env=dict(os.environ, HDF5_USE_FILE_LOCKING="TRUE"))
    try:
        assert holder.stdout.readline().strip() == "open"
        assert_one_error_line(denseshift("inspect", run), 2, "locked by another process",
                              "HDF5_USE_FILE_LOCKING=FALSE")
    finally:
        holder.kill()
        holder.wait()


def test_a_run_file_that_hangs_hdf5_ends_with_one_line_not_forever(tmp_path):
    # Found by the run-file fuzz target: HDF5 1.10.8 loops forever reading this damaged file
    # (h5py too). inspect and eval give up after a deadline instead of hanging a job.
    run = finished_run(tmp_path)
    defects = pathlib.Path(__file__).resolve().parents[1] / "fuzz" / "hdf5-defects"
    env = dict(os.environ, DENSESHIFT_READ_TIMEOUT_S="3")
    messages = []
    for defect in sorted(defects.glob("global-heap-hang-*.h5")):
        (run / "run.h5").write_bytes(defect.read_bytes())
        start = time.time()
        result = denseshift("inspect", run, env=env, timeout=60)
        assert time.time() - start < 30
        assert result.returncode in (1, 2) and result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith("denseshift: error: "), result.stderr
        messages.append(result.stderr)
        # eval reads only format_version, which these spare: it evaluates the checkpoint.
        assert denseshift("eval", run, env=env, timeout=60).returncode == 0
    assert any("probably damaged" in m for m in messages), messages


def test_a_run_file_that_makes_hdf5_allocate_terabytes_ends_with_one_line(tmp_path):
    # Found by the run-file fuzz target: HDF5 asks malloc for an object-header size read from
    # the damaged file (~8 TB); the allocation fails and the read must end in one error line.
    run = finished_run(tmp_path)
    defect = pathlib.Path(__file__).resolve().parents[1] / "fuzz" / "hdf5-defects" / "cache-allocation-too-big-7.h5"
    (run / "run.h5").write_bytes(defect.read_bytes())
    result = denseshift("inspect", run, timeout=60)
    assert result.returncode in (1, 2) and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("denseshift: error: ") and "corrupt file" in result.stderr, result.stderr
