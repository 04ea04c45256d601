"""`denseshift sweep`: spec validation, the local backend, resuming, failures and locks.

Small synthetic LeNet runs (about a second each). Run by scripts/test.sh.
"""

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import h5py
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("DENSESHIFT_BIN", str(ROOT / "build" / "cli" / "denseshift"))

BASE = {
    "data": {"name": "synthetic", "synthetic_train": 512, "synthetic_test": 64},
    "model": {"name": "lenet"},
    "train": {"epochs": 2, "batch_size": 32},
}


def sweep(*args, check=None, timeout=300):
    r = subprocess.run([BIN, "sweep", *map(str, args)], capture_output=True, text=True, timeout=timeout)
    if check is not None:
        assert r.returncode == check, f"exit {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}"
    return r


def write_spec(folder, **spec):
    path = Path(folder) / "spec.json"
    body = {"base": BASE, "seeds": 2, **spec}
    path.write_text("// a test sweep\n" + json.dumps(body, indent=1))
    return path


def run_status(run_dir):
    with h5py.File(Path(run_dir) / "run.h5", "r") as f:
        status = f.attrs["status"]
        return (status.decode() if isinstance(status, bytes) else status), list(f["epochs"]["test_top1"][()])


# ------------------------------------------------------------------ spec errors

@pytest.mark.parametrize("spec,message", [
    ({"grid": {"optim.lr": [0.1]}, "colour": 1}, "unknown spec key 'colour'"),
    ({"grid": {"optim.lrr": [0.1]}}, "did you mean 'optim.lr'"),
    ({"grid": {}}, "grid is empty"),
    ({"grid": {"optim.lr": []}}, "empty list"),
    ({"grid": {"optim.lr": [0.1, 0.1]}}, "lists 0.1 twice"),
    ({"grid": {"train.seed": [1, 2]}}, "set by the sweep itself"),
    ({"grid": {"optim.lr": [0.1]}, "zip": [{"model.quant.bits": [2, 3], "optim.momentum": [0.9]}]}, "equally long"),
    ({"grid": {"optim.lr": [0.1, 0.2]}, "exclude": [{"optim.lr": 0.3}]}, "matches no cell"),
    ({"grid": {"optim.lr": [0.1]}, "exclude": [{"optim.momentum": 0.9}]}, "which no axis varies"),
    ({"grid": {"model.quant.bits": [3, 9]}}, "cell 'bits=9'"),
    ({"grid": {"optim.lr": [0.1]}, "seeds": [1, 1]}, "seeds lists 1 twice"),
    ({"grid": {"optim.lr": [0.1]}, "zip": [{"optim.lr": [0.2]}]}, "varied by two axes"),
    ({"grid": {"optim.lr": [0.1]}, "metric": "accuracy"}, "unknown metric 'accuracy'"),
])
def test_a_bad_spec_exits_2_naming_the_problem_and_creates_nothing(tmp_path, spec, message):
    path = write_spec(tmp_path, **spec)
    out = tmp_path / "out"
    r = sweep("run", path, "--out", out, check=2)
    assert message in r.stderr, r.stderr
    assert not out.exists()


def test_a_missing_base_file_is_named(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({"base": "nowhere.json", "grid": {"optim.lr": [0.1]}, "seeds": 1}))
    r = sweep("run", path, "--out", tmp_path / "out", check=2)
    assert "nowhere.json" in r.stderr


def test_dry_run_lists_cells_with_readable_names_and_creates_nothing(tmp_path):
    path = write_spec(tmp_path, grid={"model.quant.parametrization": ["sign_scale", "s3"],
                                      "model.quant.space": ["dense_shift", "shift"]},
                      exclude=[{"model.quant.parametrization": "s3", "model.quant.space": "dense_shift"},
                               {"model.quant.parametrization": "sign_scale", "model.quant.space": "shift"}])
    r = sweep("run", path, "--out", tmp_path / "out", "--dry-run", check=0)
    assert "2 cells x 2 seeds" in r.stdout
    assert "parametrization=sign_scale,space=dense_shift" in r.stdout
    assert "parametrization=s3,space=shift" in r.stdout
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ running

def test_a_sweep_runs_every_cell_and_seed_once_and_a_rerun_skips_them(tmp_path):
    path = write_spec(tmp_path, grid={"model.quant.bits": [2, 3]},
                      set={"model.quant.parametrization": "sign_scale", "model.quant.init": "low_variance"})
    out = tmp_path / "out"
    r = sweep("run", path, "--out", out, "--jobs", "2", check=0)
    assert "4 of 4 runs completed" in r.stdout
    stored = json.loads((out / "sweep.json").read_text())
    assert [c["name"] for c in stored["cells"]] == ["bits=2", "bits=3"]
    for cell in ("bits=2", "bits=3"):
        for seed in (0, 1):
            status, top1 = run_status(out / "runs" / cell / f"seed{seed}")
            assert status == "completed" and len(top1) == 2
            config = json.loads((out / "runs" / cell / f"seed{seed}" / "config.json").read_text())
            assert config["train"]["seed"] == seed
            assert config["model"]["quant"]["bits"] == int(cell[-1])
            assert config["model"]["quant"]["parametrization"] == "sign_scale"
    logs = {p: p.read_text() for p in (out / "logs").iterdir()}
    r = sweep("run", path, "--out", out, check=0)
    assert "0 to run" in r.stdout
    assert {p: p.read_text() for p in (out / "logs").iterdir()} == logs  # nothing ran again
    st = sweep("status", out, check=0)
    assert "total: 4 completed" in st.stdout


def test_seeds_runs_a_part_of_the_sweep_and_leaves_the_rest(tmp_path):
    path = write_spec(tmp_path, grid={"model.quant.bits": [2, 3]}, seeds=3,
                      set={"model.quant.parametrization": "sign_scale", "model.quant.init": "low_variance"})
    out = tmp_path / "out"
    r = sweep("run", path, "--out", out, "--seeds", "1", check=0)  # exit 0: every run of the part completed
    assert "2 runs (2 cells x 1 seeds of 3: --seeds)" in r.stdout and "2 of 2 runs completed" in r.stdout
    assert sorted(p.name for p in (out / "runs" / "bits=2").iterdir()) == ["seed1"]
    r = sweep("run", path, "--out", out, "--seeds", "0,2", "--dry-run", "--estimate-steps", "0", check=0)
    assert "4 to run" in r.stdout
    assert "measured" in r.stdout  # seed 1's runs inform the estimate of the others
    for bad, message in (("3", "3 is not a seed of"), ("1,,2", "expected seeds separated by commas"),
                         ("x", "expected seeds separated by commas")):
        r = sweep("run", path, "--out", tmp_path / "new", "--seeds", bad, check=2)
        assert message in r.stderr and r.stderr.startswith("denseshift: error: ")
        assert not (tmp_path / "new").exists()
    st = sweep("status", out, check=0)
    assert "total: 2 completed" in st.stdout and "4 pending" in st.stdout


def test_another_spec_on_the_same_directory_is_refused(tmp_path):
    out = tmp_path / "out"
    sweep("run", write_spec(tmp_path, grid={"optim.lr": [0.1]}, seeds=1), "--out", out, check=0)
    r = sweep("run", write_spec(tmp_path, grid={"optim.lr": [0.2]}, seeds=1), "--out", out, check=2)
    assert "holds another sweep" in r.stderr
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    r = sweep("run", write_spec(tmp_path, grid={"optim.lr": [0.1]}, seeds=1), "--out", other, check=2)
    assert "not a sweep directory" in r.stderr
    assert (other / "notes.txt").read_text() == "mine"


def test_a_failed_run_is_recorded_the_sweep_goes_on_and_retry_failed_reruns_it(tmp_path):
    path = write_spec(tmp_path, grid={"optim.lr": [0.05, 100]}, seeds=1)
    out = tmp_path / "out"
    r = sweep("run", path, "--out", out, check=1)
    assert "lr=0.05 seed 0: completed" in r.stdout
    assert "lr=100 seed 0: FAILED" in r.stdout and "nan" in r.stdout
    record = json.loads((out / "tasks" / "1.json").read_text())
    assert record["status"] == "failed" and "nan" in record["error"]
    st = sweep("status", out, "--runs", check=0)
    assert "failed" in st.stdout and "nan" in st.stdout
    r = sweep("run", path, "--out", out, check=1)
    assert "0 to run" in r.stdout  # failed runs wait for --retry-failed
    started = record["started_utc"], record["pid"]
    r = sweep("run", path, "--out", out, "--retry-failed", check=1)
    assert "1 to run" in r.stdout
    again = json.loads((out / "tasks" / "1.json").read_text())
    assert (again["started_utc"], again["pid"]) != started and again["mode"] == "new"


def interrupt_after_first_epoch(path, out, run_dir):
    """Starts `sweep run` and sends it Ctrl-C once the first epoch is checkpointed."""
    p = subprocess.Popen([BIN, "sweep", "run", str(path), "--out", str(out)], stdout=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not (run_dir / "checkpoint.pt").exists():
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    stdout, _ = p.communicate(timeout=120)
    assert p.returncode == 130, stdout


LONG_BASE = dict(BASE, data=dict(BASE["data"], synthetic_train=2048), train={"epochs": 3, "batch_size": 16})


def test_ctrl_c_stops_cleanly_and_a_rerun_resumes_to_the_same_result(tmp_path):
    spec = {"base": LONG_BASE, "grid": {"optim.lr": [0.05]}, "seeds": 1}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    path_a = tmp_path / "a" / "spec.json"
    path_b = tmp_path / "b" / "spec.json"
    path_a.write_text(json.dumps(spec))
    path_b.write_text(json.dumps(spec))
    out = tmp_path / "out"
    run_dir = out / "runs" / "lr=0.05" / "seed0"
    interrupt_after_first_epoch(path_a, out, run_dir)
    status, epochs = run_status(run_dir)
    assert status.startswith("interrupted") and 1 <= len(epochs) < 3, (status, epochs)
    assert "1 interrupted" in sweep("status", out, check=0).stdout
    r = sweep("run", path_a, "--out", out, check=0)
    assert "1 to run" in r.stdout
    assert json.loads((out / "tasks" / "0.json").read_text())["mode"] == "resume"
    _, resumed = run_status(run_dir)
    # The same run without interruption, in another sweep directory, ends identically.
    sweep("run", path_b, "--out", tmp_path / "straight", check=0)
    _, straight = run_status(tmp_path / "straight" / "runs" / "lr=0.05" / "seed0")
    assert resumed == straight


def test_two_sweep_processes_on_one_directory_never_run_a_run_twice(tmp_path):
    path = write_spec(tmp_path, grid={"optim.lr": [0.01, 0.02, 0.03]}, seeds=2)
    out = tmp_path / "out"
    first = subprocess.Popen([BIN, "sweep", "run", str(path), "--out", str(out), "--threads", "1"],
                             stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    second = subprocess.Popen([BIN, "sweep", "run", str(path), "--out", str(out), "--threads", "1"],
                              stdout=subprocess.PIPE, text=True)
    out1, _ = first.communicate(timeout=300)
    out2, _ = second.communicate(timeout=300)
    assert first.returncode == 0 or second.returncode == 0, out1 + out2
    trained = 0
    for log in (out / "logs").iterdir():
        text = log.read_text()
        assert text.count("): completed") <= 1, text  # one training per run, ever
        trained += text.count("): completed")
    assert trained == 6
    assert "6 completed" in sweep("status", out, check=0).stdout


def test_a_run_directory_of_another_config_is_refused_not_overwritten(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({"base": LONG_BASE, "grid": {"optim.lr": [0.05]}, "seeds": 1}))
    out = tmp_path / "out"
    run_dir = out / "runs" / "lr=0.05" / "seed0"
    interrupt_after_first_epoch(path, out, run_dir)
    config = json.loads((run_dir / "config.json").read_text())
    config["optim"]["momentum"] = 0.5
    (run_dir / "config.json").write_text(json.dumps(config))
    before = (run_dir / "run.h5").read_bytes(), (run_dir / "checkpoint.pt").read_bytes()
    r = sweep("run", path, "--out", out, check=1)
    assert "FAILED" in r.stdout
    assert "another config" in r.stdout and "/optim/momentum" in r.stdout
    for retry in ([], ["--retry-failed"]):
        sweep("run", path, "--out", out, *retry, check=1)
        assert ((run_dir / "run.h5").read_bytes(), (run_dir / "checkpoint.pt").read_bytes()) == before


def test_a_run_started_with_another_eval_batch_size_is_resumed_not_refused(tmp_path):
    # The evaluation batch size changes speed, not results, and its default went from 1000 to
    # 128: a run a sweep started under the old default resumes under the new one.
    base = json.loads(json.dumps(LONG_BASE))
    base["train"]["eval_batch_size"] = 1000
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({"base": base, "grid": {"optim.lr": [0.05]}, "seeds": 1}))
    out = tmp_path / "out"
    run_dir = out / "runs" / "lr=0.05" / "seed0"
    interrupt_after_first_epoch(path, out, run_dir)
    # The spec as it reads after the upgrade: no eval_batch_size, so the default (now 128).
    del base["train"]["eval_batch_size"]
    path.write_text(json.dumps({"base": base, "grid": {"optim.lr": [0.05]}, "seeds": 1}))
    stored = json.loads((out / "sweep.json").read_text())
    del stored["base"]["train"]["eval_batch_size"]
    (out / "sweep.json").write_text(json.dumps(stored))
    sweep("run", path, "--out", out, check=0)
    assert json.loads((out / "tasks" / "0.json").read_text())["mode"] == "resume"
    assert run_status(run_dir)[0] == "completed"
    assert json.loads((run_dir / "config.json").read_text())["train"]["eval_batch_size"] == 1000


def test_run_task_checks_its_index(tmp_path):
    path = write_spec(tmp_path, grid={"optim.lr": [0.05]}, seeds=1)
    out = tmp_path / "out"
    sweep("run", path, "--out", out, check=0)
    r = sweep("run-task", out, 7, check=2)
    assert "outside the sweep's 0..0" in r.stderr
    r = sweep("run-task", out, "1x", check=2)
    assert "run index '1x' is not a whole number" in r.stderr
    r = sweep("run-task", out, check=2)
    assert "needs SWEEP_DIR and INDEX" in r.stderr
    r = sweep("run-task", tmp_path, 0, check=2)
    assert "not a sweep directory" in r.stderr
    r = sweep("run-task", out, 0, check=0)
    assert "already completed" in r.stdout


def test_jobs_beyond_the_cores_are_refused(tmp_path):
    path = write_spec(tmp_path, grid={"optim.lr": [0.05]}, seeds=1)
    r = sweep("run", path, "--out", tmp_path / "out", "--jobs", str(os.cpu_count() + 1), check=2)
    assert "--jobs" in r.stderr


# ------------------------------------------------------------------ dry-run estimate

def estimate_rows(stdout):
    """cell -> (runs left, epochs left, core time text, source) from a dry run's table."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("estimate of what is left"))
    rows = {}
    for line in lines[start + 2:]:
        if not line.startswith("  "):
            break
        cell, runs, epochs, rest = line.split(maxsplit=3)
        value, unit, source = rest.split(maxsplit=2) if not rest.startswith("?") else ("?", "", rest[1:].strip())
        rows[cell] = (int(runs), int(epochs), value + (" " + unit if unit else ""), source)
    return rows


def core_seconds(text):
    value, unit = text.split()
    return float(value) * {"s": 1, "min": 60, "h": 3600}[unit]


def test_dry_run_samples_cells_no_run_has_measured_and_creates_nothing(tmp_path):
    path = write_spec(tmp_path, grid={"train.epochs": [1, 3]})
    out = tmp_path / "out"
    r = sweep("run", path, "--out", out, "--dry-run", "--jobs", "1", "--threads", "1", check=0)
    rows = estimate_rows(r.stdout)
    assert rows["epochs=1"][:2] == (2, 2) and rows["epochs=3"][:2] == (2, 6)
    for cell in rows:
        assert rows[cell][3].startswith("sampled: 3 step(s)"), rows[cell]
        assert "16 steps + 64 eval images an epoch, 1 thread(s)" in rows[cell][3]
        step = float(rows[cell][3].split(" step(s) of ")[1].split(" s,")[0])
        assert step > 0, rows[cell]
        # this tiny sweep's total is under 0.1 s on a fast CPU (a Zen 4): it must still read as positive
        assert core_seconds(rows[cell][2]) > 0
    assert "CPU-hours" in r.stdout and "for 4 run(s)" in r.stdout
    assert not out.exists()
    # Without sampling nothing is known yet, and the total says so.
    r = sweep("run", path, "--out", out, "--dry-run", "--estimate-steps", "0", check=0)
    assert all(row[3].startswith("unknown") for row in estimate_rows(r.stdout).values())
    assert "total: unknown for 4 run(s)" in r.stdout
    # The flag belongs to dry runs.
    r = sweep("run", path, "--out", out, "--estimate-steps", "2", check=2)
    assert "--estimate-steps is for --dry-run" in r.stderr and not out.exists()


def test_dry_run_estimates_what_is_left_from_the_runs_already_done(tmp_path):
    path = write_spec(tmp_path, grid={"train.epochs": [1, 3]})
    out = tmp_path / "out"
    sweep("run", path, "--out", out, "--jobs", "1", "--threads", "1", check=0)
    # What every completed run's task took beyond its epochs (process start, set-up), and what
    # cell epochs=3's epochs took: the estimate's inputs.
    startup, per_epoch = [], []
    for index, (cell, seed) in enumerate([("epochs=1", 0), ("epochs=1", 1), ("epochs=3", 0), ("epochs=3", 1)]):
        record = json.loads((out / "tasks" / f"{index}.json").read_text())
        assert record["mode"] == "new" and record["process_seconds"] >= record["seconds"] > 0
        with h5py.File(out / "runs" / cell / f"seed{seed}" / "run.h5", "r") as f:
            epoch_times = list(f["epochs"]["epoch_time_s"][()])
        startup.append(record["process_seconds"] - sum(epoch_times))
        if cell == "epochs=3" and seed == 0:
            per_epoch = epoch_times
    # Forget cell epochs=3's second run: it is pending again.
    shutil.rmtree(out / "runs" / "epochs=3" / "seed1")
    (out / "tasks" / "3.json").unlink()
    startup = sum(startup[:3]) / 3  # the completed runs left
    r = sweep("run", path, "--out", out, "--dry-run", "--estimate-steps", "0", check=0)
    rows = estimate_rows(r.stdout)
    assert rows["epochs=1"][:3] == (0, 0, "0.0 s")
    runs, epochs, text, source = rows["epochs=3"]
    assert (runs, epochs) == (1, 3)
    assert source.startswith("measured: 3 epoch(s) of 1 run(s) here")
    expected = 3 * sum(per_epoch) / 3 + startup
    assert abs(core_seconds(text) - expected) <= 0.051, (text, expected)
    assert "for 1 run(s); at least" in r.stdout


# ------------------------------------------------------------------ issue 27: sweeps and Slurm scripts

FAKE_SBATCH = """#!/bin/bash
# A stand-in for sbatch: keeps its arguments and script, warns on stderr, prints the job id
# the test asks for (FAKE_JOB, possibly empty) on stdout.
n=$(ls "$FAKE_DIR"/submitted-*.sh 2>/dev/null | wc -l)
cp "${@: -1}" "$FAKE_DIR/submitted-$n.sh"
echo "sbatch: warning: this is not a real cluster" >&2
[ -n "$FAKE_JOB" ] && echo "$((FAKE_JOB + n));cluster1"
exit 0
"""
FAKE_SCONTROL = """#!/bin/bash
echo "MaxArraySize            = {}"
"""


def fake_slurm(tmp_path, job="4242", max_array_size=2):
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir(exist_ok=True)
    for name, text in (("sbatch", FAKE_SBATCH), ("scontrol", FAKE_SCONTROL.format(max_array_size))):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    return dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}", FAKE_DIR=str(bin_dir), FAKE_JOB=job)


def sweep_env(env, *args):
    return subprocess.run([BIN, "sweep", *map(str, args)], capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.parametrize("where,value", [
    ("partition", "cpu\ntouch /tmp/denseshift-injected"), ("time", "1:00\nrm -rf ~"), ("mem", "4G; reboot"),
    ("partition", "cpu && id"), ("time", "$(id)"), ("mem", "4G\n#SBATCH --uid=0"),
])
def test_slurm_values_outside_sbatch_syntax_are_refused_before_anything_is_written(tmp_path, where, value):
    """Item 9: a newline in partition/time/mem was written raw into the batch script and ran on the node."""
    env = fake_slurm(tmp_path)
    path = write_spec(tmp_path, grid={"optim.lr": [0.1]}, seeds=1, slurm={where: value})
    r = sweep_env(env, "run", path, "--out", tmp_path / "a", "--backend", "slurm")
    assert r.returncode == 2 and f"slurm.{where}" in r.stderr and "is not what sbatch takes" in r.stderr, r.stderr
    assert len(r.stderr.splitlines()) == 1
    path = write_spec(tmp_path, grid={"optim.lr": [0.1]}, seeds=1)
    r = sweep_env(env, "run", path, "--out", tmp_path / "b", "--backend", "slurm", f"--{where}={value}")
    assert r.returncode == 2 and f"--{where}" in r.stderr, r.stderr
    r = sweep_env(env, "run", path, "--out", tmp_path / "bad\nrm -rf x", "--backend", "slurm")
    assert r.returncode == 2 and "control character" in r.stderr, r.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    assert not list((tmp_path / "fakebin").glob("submitted-*"))


def test_valid_slurm_values_reach_the_script_and_no_extra_command_does(tmp_path):
    env = fake_slurm(tmp_path)
    path = write_spec(tmp_path, grid={"optim.lr": [0.1]}, seeds=1,
                      slurm={"partition": "cpu,gpu-a", "time": "1-02:00:00", "mem": "4G"})
    r = sweep_env(env, "run", path, "--out", tmp_path / "out", "--backend", "slurm")
    assert r.returncode == 0, r.stderr
    script = (tmp_path / "fakebin" / "submitted-0.sh").read_text().splitlines()
    assert "#SBATCH --partition=cpu,gpu-a" in script and "#SBATCH --time=1-02:00:00" in script
    commands = [line for line in script if line and not line.startswith("#")]
    assert len(commands) == 2 and commands[0] == "export OPENBLAS_NUM_THREADS=1" and commands[1].startswith("exec ")


def test_the_job_id_comes_from_sbatchs_stdout_only(tmp_path):
    """Item 10: sbatch's stderr warning was recorded as the job id (breaking --dependency), and an
    empty output recorded "job": ""."""
    env = fake_slurm(tmp_path, job="4242")
    path = write_spec(tmp_path, grid={"optim.lr": [0.1, 0.2]}, seeds=2)  # 4 runs, MaxArraySize 2: two arrays
    out = tmp_path / "out"
    r = sweep_env(env, "run", path, "--out", out, "--backend", "slurm", "--max-parallel", 1)
    assert r.returncode == 0, r.stderr
    jobs = [json.loads(line) for line in (out / "slurm" / "jobs.jsonl").read_text().splitlines()]
    assert [j["job"] for j in jobs] == ["4242", "4243"] and jobs[1]["after"] == "4242"
    assert "#SBATCH --dependency=afterany:4242" in (tmp_path / "fakebin" / "submitted-1.sh").read_text()
    env = fake_slurm(tmp_path / "fakebin", job="")
    r = sweep_env(env, "run", path, "--out", tmp_path / "empty", "--backend", "slurm")
    assert r.returncode == 1 and "printed no job id on stdout" in r.stderr, r.stderr
    assert not (tmp_path / "empty" / "slurm" / "jobs.jsonl").exists()


def test_a_grid_of_12000_cells_is_written_and_read_back(tmp_path):
    """Item 7: a 12,000-cell grid was accepted, then its own 1.38 MB sweep.json exceeded the 1 MiB
    read cap: every task failed with an empty reason and `sweep status` failed."""
    env = fake_slurm(tmp_path, max_array_size=100000)
    path = write_spec(tmp_path, grid={"optim.lr": [round(0.001 * (i + 1), 3) for i in range(120)],
                                      "optim.momentum": [round(0.009 * i, 3) for i in range(100)]}, seeds=1)
    out = tmp_path / "out"
    r = sweep_env(env, "run", path, "--out", out, "--backend", "slurm")
    assert r.returncode == 0, r.stderr
    assert (out / "sweep.json").stat().st_size > 1 << 20
    st = sweep("status", out, check=0)
    assert "12000 runs" in st.stdout, st.stdout


def test_seeds_and_thread_counts_that_overflow_are_refused_up_front(tmp_path):
    """Item 8: seed 2^62 + 1 failed only inside its task, which recorded no reason and stayed pending;
    --jobs 2 --threads 2^62 overflowed the core check."""
    path = write_spec(tmp_path, grid={"optim.lr": [0.1]}, seeds=[4611686018427387905])
    r = sweep("run", path, "--out", tmp_path / "a", check=2)
    assert "train.seed's range" in r.stderr
    path = write_spec(tmp_path, grid={"optim.lr": [0.1]}, seeds=1)
    r = sweep("run", path, "--out", tmp_path / "b", "--jobs", 1, "--threads", 4611686018427387904, check=2)
    assert "--threads" in r.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_a_task_that_fails_before_its_run_exists_records_why(tmp_path):
    env = fake_slurm(tmp_path)
    path = write_spec(tmp_path, grid={"optim.lr": [0.1]}, seeds=1)
    out = tmp_path / "out"
    assert sweep_env(env, "run", path, "--out", out, "--backend", "slurm").returncode == 0
    r = sweep("run-task", out, 0, "--threads", -3, check=2)
    record = json.loads((out / "tasks" / "0.json").read_text())
    assert record["status"] == "failed" and "threads" in record["error"], record
    st = sweep("status", out, "--runs", check=0)
    assert "failed" in st.stdout and "threads" in st.stdout, st.stdout


def test_a_dry_run_whose_sample_cannot_allocate_says_so_in_one_line(tmp_path):
    """Item 11: a LibTorch allocation failure while sampling printed 29 'frame #' lines. A ResNet-50
    step on 512 images of 256x256 under a 6 GB address-space limit cannot allocate its activations."""
    import resource
    base = dict(BASE, data={"name": "synthetic", "synthetic_train": 512, "synthetic_test": 8, "synthetic_size": 256},
                model={"name": "resnet50"}, train={"epochs": 1, "batch_size": 512})
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({"base": base, "grid": {"optim.lr": [0.1]}, "seeds": 1}))
    limit = lambda: resource.setrlimit(resource.RLIMIT_AS, (6 * 10**9, 6 * 10**9))  # noqa: E731
    r = subprocess.run([BIN, "sweep", "run", path, "--out", tmp_path / "out", "--dry-run", "--estimate-steps", "1"],
                       capture_output=True, text=True, timeout=300, preexec_fn=limit)
    assert r.returncode == 0, r.stderr
    assert "sampling failed" in r.stdout and "can't allocate memory" in r.stdout, r.stdout
    assert "frame #" not in r.stdout + r.stderr, r.stdout + r.stderr
    assert not (tmp_path / "out").exists()
