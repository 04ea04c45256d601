"""`denseshift sweep run --backend slurm` against a real one-node Slurm (scripts/slurm-local.sh).

Submits a small synthetic sweep (4 cells x 2 seeds) as a job array, cancels one task in the
middle of its run (scancel: SIGTERM, as preemption), resubmits, and checks that every run
completed, the cancelled one by resuming, with metrics identical to the local backend's.
Skipped, with Slurm's reason, where Slurm cannot start (not root, packages missing, ports
taken); scripts/setup.sh installs slurm-wlm and munge, so CI runs it.
"""

import json
import os
import re
import subprocess
import time
from pathlib import Path

import h5py
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("DENSESHIFT_BIN", str(ROOT / "build" / "cli" / "denseshift"))
SLURM_LOCAL = ROOT / "scripts" / "slurm-local.sh"

SPEC = {
    "base": {"data": {"name": "synthetic", "synthetic_train": 2048, "synthetic_test": 64},
             "model": {"name": "lenet", "quant": {"parametrization": "sign_scale", "init": "low_variance"}},
             "train": {"epochs": 3, "batch_size": 16}},
    "grid": {"optim.lr": [0.02, 0.05], "model.quant.bits": [2, 3]},
    "seeds": 2,
}


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    folder = tmp_path_factory.mktemp("slurm")
    # MaxArraySize 6: the 8-run sweep below needs two job arrays (run indices 0-5, then 6-7 as
    # array task ids 0-1 + 6), as a sweep beyond a real cluster's limit (default 1001) does.
    r = subprocess.run(["bash", str(SLURM_LOCAL), "start", str(folder)], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, MAX_ARRAY_SIZE="6"))
    if r.returncode == 3:
        pytest.skip("Slurm cannot start here: " + r.stderr.strip())
    assert r.returncode == 0, r.stdout + r.stderr
    env = dict(os.environ, SLURM_CONF=str(folder / "slurm.conf"))
    yield env
    subprocess.run(["bash", str(SLURM_LOCAL), "stop", str(folder)], capture_output=True, text=True, timeout=120)


def sweep(env, *args, check=0):
    r = subprocess.run([BIN, "sweep", *map(str, args)], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == check, f"exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


def wait_for_job(env, job, seconds=300):
    deadline = time.time() + seconds
    while time.time() < deadline:
        q = subprocess.run(["squeue", "-h", "-j", job], capture_output=True, text=True, env=env)
        if q.returncode == 0 and not q.stdout.strip():
            return
        time.sleep(0.5)
    raise AssertionError(f"job {job} still queued after {seconds} s")


def job_of(stdout):
    jobs = jobs_of(stdout)
    assert len(jobs) == 1, stdout
    return jobs[0]


def jobs_of(stdout):
    jobs = re.findall(r"submitted Slurm job array (\d+)", stdout)
    assert jobs, stdout
    return jobs


def top1_series(sweep_dir):
    out = {}
    for run in sorted(Path(sweep_dir, "runs").glob("*/seed*")):
        with h5py.File(run / "run.h5", "r") as f:
            status = f.attrs["status"]
            out[f"{run.parent.name}/{run.name}"] = ((status.decode() if isinstance(status, bytes) else status),
                                                    list(f["epochs"]["test_top1"][()]))
    return out


def test_a_cancelled_task_resumes_on_resubmission_and_every_run_matches_the_local_backend(tmp_path, slurm):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC))
    out = tmp_path / "slurm-sweep"
    r = sweep(slurm, "run", spec, "--out", out, "--backend", "slurm", "--cpus-per-task", 1, "--max-parallel", 1)
    job, second = jobs_of(r.stdout)
    assert "8 runs in 2 job arrays: this cluster's MaxArraySize is 6" in r.stdout, r.stdout
    assert "6 runs (indices 0-5" in r.stdout
    assert f"2 runs (indices 6-7, 1 CPU(s) each, at most 1 at once, after job {job})" in r.stdout
    second_entry = json.loads((out / "slurm" / "jobs.jsonl").read_text().splitlines()[1])
    script = (out / "slurm" / second_entry["script"]).read_text()
    assert "#SBATCH --array=0-1%1" in script and '"$((6 + SLURM_ARRAY_TASK_ID))"' in script
    # Cancel run 0 once its first epoch is checkpointed (SIGTERM, then a kill after KillWait).
    first = out / "runs" / "bits=2,lr=0.02" / "seed0"
    deadline = time.time() + 120
    while time.time() < deadline and not (first / "checkpoint.pt").exists():
        time.sleep(0.05)
    subprocess.run(["scancel", f"{job}_0"], check=True, env=slurm)
    wait_for_job(slurm, job)
    wait_for_job(slurm, second)
    status = sweep(slurm, "status", out).stdout
    assert "7 completed" in status and "1 interrupted" in status, status

    r = sweep(slurm, "run", spec, "--out", out, "--backend", "slurm", "--cpus-per-task", 1)
    assert "1 to run" in r.stdout and "indices 0," in r.stdout, r.stdout
    wait_for_job(slurm, job_of(r.stdout))
    assert "8 completed" in sweep(slurm, "status", out).stdout
    assert json.loads((out / "tasks" / "0.json").read_text())["mode"] == "resume"
    r = sweep(slurm, "run", spec, "--out", out, "--backend", "slurm")
    assert "nothing to submit" in r.stdout
    jobs = [json.loads(line) for line in (out / "slurm" / "jobs.jsonl").read_text().splitlines()]
    assert [j["indices"] for j in jobs] == ["0-5", "6-7", "0"]
    assert jobs[1]["array_offset"] == 6 and jobs[1]["after"] == job

    local = tmp_path / "local-sweep"
    sweep(slurm, "run", spec, "--out", local, "--jobs", 2)  # 1 thread per run, as the Slurm tasks
    slurm_runs, local_runs = top1_series(out), top1_series(local)
    assert len(slurm_runs) == 8
    assert slurm_runs == local_runs


def test_slurm_flags_are_checked_before_anything_is_submitted(tmp_path, slurm):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(dict(SPEC, slurm={"partitoin": "x"})))
    r = sweep(slurm, "run", spec, "--out", tmp_path / "a", "--backend", "slurm", check=2)
    assert "did you mean 'slurm.partition'" in r.stderr
    spec.write_text(json.dumps(SPEC))
    r = sweep(slurm, "run", spec, "--out", tmp_path / "b", "--partition", "x", check=2)
    assert "--partition is for --backend slurm" in r.stderr
    r = sweep(slurm, "run", spec, "--out", tmp_path / "c", "--backend", "slurm", "--partition", "nosuchpartition",
              check=1)
    assert "sbatch failed" in r.stderr and "partition" in r.stderr.lower()
    assert not list((tmp_path / "c").glob("tasks/*.json"))
    assert not list((tmp_path / "c").glob("slurm/*.sh")), "a script that was never submitted is left behind"


def test_a_sweep_directory_whose_path_holds_a_space_runs(tmp_path, slurm):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(dict(SPEC, grid={"optim.lr": [0.05]}, seeds=1)))
    out = tmp_path / "my sweeps" / "lr sweep"
    r = sweep(slurm, "run", spec, "--out", out, "--backend", "slurm", "--cpus-per-task", 1)
    wait_for_job(slurm, job_of(r.stdout))
    assert "1 completed" in sweep(slurm, "status", out).stdout
    assert list((out / "logs").glob("slurm-*_0.out")), "the task's output is where the docs say"

