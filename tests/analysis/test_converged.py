"""analysis.converged on fabricated seed parts: accuracy beside the sign-change rate, the zero share
and the participation ratio, parts merged, a cell from two CPUs flagged, a sweep not yet run."""
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def record(seed, top1, wsvr, cpu="CPU-A", space="shift"):
    return {"cell": "bits=3,parametrization=sign_shift,space=" + space, "seed": seed, "state": "completed",
            "overrides": {"model.quant.parametrization": "sign_shift", "model.quant.space": space,
                          "model.quant.bits": 3, "model.quant.init": "level_uniform"},
            "commit": "abc", "cpu": cpu, "test_top1": [0.5, top1], "train_loss": [1.0, 0.25],
            "conv2.weight/wsvr": [wsvr, wsvr], "fc1.weight/wsvr": [wsvr, 3 * wsvr],
            "conv2.weight/magnitudes": [0.0, 1.0, 2.0, 4.0],
            "conv2.weight/level_shares": [[0.25, 0.25, 0.25, 0.25], [0.1, 0.3, 0.3, 0.3]],
            "conv2.weight/participation_ratio": [0.5, 0.6]}


def write(root, part, runs):
    path = root / "results" / "converged" / "lenet_quantizers" / part / "runs.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"format": "denseshift-sweep-summary", "format_version": 1, "runs": runs}))


def run(root):
    out = root / "README.md"
    r = subprocess.run([sys.executable, "-m", "analysis.converged", "--out", str(out), "--root", str(root)], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return out.read_text()


def test_accuracy_beside_the_sign_change_rate(tmp_path):
    write(tmp_path, "seeds-0", [record(0, 0.88, 0.01)])
    write(tmp_path, "seeds-1-2", [record(1, 0.88, 0.01), record(2, 0.88, 0.01)])
    text = run(tmp_path)
    # WSVR: conv2 0.01, fc1 (0.01 + 0.03) / 2 = 0.02, their mean 1.5%; zero share at the end 10%.
    assert "| sign_shift shift 3-bit, level_uniform | 3 of 3 | 88.00 ± 0.00 | 0.2500 ± 0.0000 | 1.50% ± 0.00 | " \
           "10.0% ± 0.0 | 0.600 ± 0.000 |" in text
    assert "not yet run (`SEEDS=0 bash experiments/converged/run.sh lenet`" in text
    write(tmp_path, "seeds-3", [dict(record(3, 0.88, 0.01, cpu="CPU-B"))])
    assert "(runs from different CPUs)" in run(tmp_path)
