"""analysis.budget on a fabricated budget sweep summary: gains per doubling, the converged budget
per method and model, a capped model, and a model not yet run."""
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from analysis.budget import converged_at  # noqa: E402


def test_converged_at_is_the_first_budget_whose_doubling_gains_less_than_the_margin():
    assert converged_at({10: 90.0, 20: 91.0, 40: 91.1, 80: 91.2}, 0.2)[0] == 20
    at, gains = converged_at({10: 90.0, 20: 91.0, 40: 91.5}, 0.3)
    assert at is None and [round(g, 2) for _, _, g in gains] == [1.0, 0.5]
    assert converged_at({10: 90.0, 20: 89.0}, 0.3)[0] == 10  # a loss is no gain


def record(parametrization, bits, epochs, top1):
    return {"cell": f"bits={bits},epochs={epochs},parametrization={parametrization}", "seed": 0, "state": "completed",
            "overrides": {"model.quant.parametrization": parametrization, "model.quant.bits": bits,
                          "train.epochs": epochs}, "commit": "abc", "cpu": "test CPU", "test_top1": [0.5, top1]}


def test_the_readme_gives_each_models_budget(tmp_path):
    runs = []
    for epochs, fp, ds in ((10, 0.900, 0.880), (20, 0.910, 0.890), (40, 0.911, 0.892), (80, 0.912, 0.896)):
        runs += [record("full_precision", 3, epochs, fp), record("sign_scale", 2, epochs, ds)]
    (tmp_path / "lenet").mkdir()
    (tmp_path / "lenet" / "runs.json").write_text(json.dumps({"sweep": "runs/paper/budget/lenet", "runs": runs}))
    r = subprocess.run([sys.executable, "-m", "analysis.budget", "--out", str(tmp_path)], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "README.md").read_text()
    assert "| full precision | 90.00 | 91.00 | 91.10 | 91.20 |" in text
    assert "20 epochs (next doubling < 0.2)" in text and "20 epochs (next doubling < 0.3)" in text
    assert "**Budget: 20 epochs**" in text
    assert "not yet run (`bash experiments/budget/run.sh resnet20`)" in text
    assert (tmp_path / "lenet_top1_vs_epochs.png").exists()


def test_a_models_parts_are_merged_and_a_budget_in_two_parts_is_refused(tmp_path):
    runs = [record("sign_scale", 2, e, ds) for e, ds in ((2, 0.80), (4, 0.84), (8, 0.86))]
    (tmp_path / "resnet20").mkdir()
    (tmp_path / "resnet20" / "runs.json").write_text(json.dumps({"sweep": "runs/paper/budget/resnet20", "runs": runs}))
    (tmp_path / "resnet20-16ep").mkdir()
    part = {"sweep": "runs/paper/budget/resnet20-16ep", "runs": [record("sign_scale", 2, 16, 0.861)]}
    (tmp_path / "resnet20-16ep" / "runs.json").write_text(json.dumps(part))
    r = subprocess.run([sys.executable, "-m", "analysis.budget", "--out", str(tmp_path)], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "README.md").read_text()
    assert "| DenseShift 2-bit | 80.00 | 84.00 | 86.00 | 86.10 | 2→4: +4.00, 4→8: +2.00, 8→16: +0.10 | 8 epochs" in text
    assert "resnet20/runs.json, " in text and "resnet20-16ep/runs.json;" in text
    part["runs"].append(record("sign_scale", 2, 8, 0.87))
    (tmp_path / "resnet20-16ep" / "runs.json").write_text(json.dumps(part))
    r = subprocess.run([sys.executable, "-m", "analysis.budget", "--out", str(tmp_path)], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode != 0 and "DenseShift 2-bit at 8 epochs is in two runs or parts of the study" in r.stderr
