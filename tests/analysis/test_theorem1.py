"""analysis.theorem1: rows measured now are merged into the committed ones, and the verdict covers all."""
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
VERSION = "denseshift 0.1.0 (commit 0123456789ab)"


def row(run, same=10000, images=10000, difference="4.77e-06 16.0", zeros=100):
    return f"{run}|{zeros}|1000 -> 2000|89.10|89.10|{same} {images}|{difference}"


def run(out, *rows, replace=False):
    return subprocess.run([sys.executable, "-m", "analysis.theorem1", "--out", str(out), "--tolerance", "1e-5",
                           "--version", VERSION, *(["--replace"] if replace else []), *rows],
                          cwd=ROOT, capture_output=True, text=True)


def check(out):
    return json.loads((out / "check.json").read_text())


def test_rows_accumulate_and_a_run_measured_again_replaces_its_row(tmp_path):
    out = tmp_path / "theorem1"
    assert run(out, row("table1/lenet/a/seed0"), row("table1/lenet/a/seed1")).returncode == 0
    assert check(out)["runs"] == 2
    r = run(out, row("table1/resnet20/b/seed0"), row("table1/lenet/a/seed1", zeros=7))
    assert r.returncode == 0, r.stderr
    rows = json.loads((out / "runs.json").read_text())["rows"]
    assert [x["run"] for x in rows] == ["table1/lenet/a/seed0", "table1/lenet/a/seed1", "table1/resnet20/b/seed0"]
    assert rows[1]["zeros"] == "7" and rows[1]["commit"] == "0123456789ab"
    c = check(out)
    assert c["runs"] == 3 and c["verdict"] == "holds"
    assert c["summary"].startswith("2 LeNets and 1 ResNet-20")
    assert abs(c["largest_relative_difference"] - 4.77e-06 / 16.0) < 1e-12
    readme = (out / "README.md").read_text()
    assert readme.count("| `table1/") == 3 and "0123456, " in readme


def test_replace_drops_the_rows_not_measured_now(tmp_path):
    out = tmp_path / "theorem1"
    run(out, row("x/seed0"), row("x/seed1"))
    assert run(out, row("x/seed1"), replace=True).returncode == 0
    assert check(out)["runs"] == 1


def test_one_disagreeing_prediction_or_a_large_difference_and_the_claim_does_not_hold(tmp_path):
    out = tmp_path / "a"
    run(out, row("x/seed0"), row("x/seed1", same=9999))
    assert check(out)["verdict"] == "does not hold" and "not every prediction" in check(out)["summary"]
    out = tmp_path / "b"
    run(out, row("x/seed0", difference="0.01 10.0"))
    assert check(out)["verdict"] == "does not hold"


def test_a_row_that_infer_did_not_fill_is_refused_and_nothing_is_written(tmp_path):
    out = tmp_path / "theorem1"
    r = run(out, "table1/lenet/a/seed0|100|1000 -> 2000|89.1|89.1||")
    assert r.returncode == 2 and "not numbers" in r.stderr
    assert not out.exists()
