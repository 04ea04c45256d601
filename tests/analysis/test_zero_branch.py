"""analysis.zero_branch on hand-made bench kernels JSON files whose intervals are known."""
import json
import math
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from analysis.stats import t975  # noqa: E402


def bench(path, speedups, cpu="CPU-Z"):
    """A bench kernels --json file with the i8-dot rows: speedups = {isa: DenseShift over Shift}."""
    rows = []
    for isa, s in speedups.items():
        rows.append({"kernel": "i8-dot-shift", "isa": isa, "baseline": "", "speedup": 0.0, "median_ns": 10.0 * s})
        rows.append({"kernel": "i8-dot-dense", "isa": isa, "baseline": "i8-dot-shift", "speedup": s,
                     "median_ns": 10.0})
    rows.append({"kernel": "f32-dot-pow2", "isa": "scalar", "baseline": "f32-dot-fma", "speedup": 9.0})
    path.write_text(json.dumps({"cpu": cpu, "rows": rows}))
    return str(path)


def run(tmp_path, files):
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "analysis.zero_branch", *files, "--out", str(out),
                        "--command", "bash experiments/kernels/no_zero_branch.sh"],
                       cwd=ROOT, capture_output=True, text=True)
    return r, out


def test_a_verdict_per_isa_from_the_interval_over_runs(tmp_path):
    scalar, avx2, neon = [1.5, 1.6, 1.55], [0.99, 1.02, 1.01], [0.90, 0.91, 0.92]
    files = [bench(tmp_path / f"r{i}.json", {"scalar": scalar[i], "avx2": avx2[i], "neon": neon[i]})
             for i in range(3)]
    r, out = run(tmp_path, files)
    assert r.returncode == 0, r.stderr
    checks = {isa: json.loads((out / f"{isa}.json").read_text()) for isa in ("scalar", "avx2", "neon")}
    assert checks["scalar"]["verdict"] == "holds"
    assert checks["avx2"]["verdict"] == "inconclusive"  # the interval contains 1
    assert checks["neon"]["verdict"] == "does not hold"
    assert checks["scalar"]["format"] == "denseshift-check" and checks["scalar"]["runs"] == 3
    half = t975(2) * 0.05 / math.sqrt(3)  # std of 1.5, 1.6, 1.55 is 0.05
    assert f"[{1.55 - half:.3f}, {1.55 + half:.3f}]" in checks["scalar"]["summary"]
    assert "CPU-Z" in checks["scalar"]["summary"] and "no_zero_branch.sh" in checks["scalar"]["made"]
    table = (out / "README.md").read_text()
    assert f"| scalar | 3 | 1.550x | 0.050 | [{1.55 - half:.3f}, {1.55 + half:.3f}] | 1.500-1.600x | holds |" in table


def test_refuses_too_few_runs_mixed_cpus_and_other_files(tmp_path):
    one = bench(tmp_path / "a.json", {"scalar": 1.5})
    two = bench(tmp_path / "b.json", {"scalar": 1.4})
    r, out = run(tmp_path, [one, two])
    assert r.returncode == 2 and "at least 3" in r.stderr and not out.exists()
    other = bench(tmp_path / "c.json", {"scalar": 1.5}, cpu="CPU-W")
    r, _ = run(tmp_path, [one, two, other])
    assert r.returncode == 2 and "different CPUs" in r.stderr
    fewer = bench(tmp_path / "d.json", {"scalar": 1.5, "avx2": 1.0})
    r, _ = run(tmp_path, [one, two, fewer])
    assert r.returncode == 2 and "differ from the first run's" in r.stderr
    (tmp_path / "e.json").write_text(json.dumps({"cpu": "CPU-Z", "rows": []}))
    r, _ = run(tmp_path, [one, two, str(tmp_path / "e.json")])
    assert r.returncode == 2 and "--filter i8-dot" in r.stderr and "e.json" in r.stderr
    (tmp_path / "f.json").write_text("not json")
    r, _ = run(tmp_path, [one, two, str(tmp_path / "f.json")])
    assert r.returncode == 2 and "f.json" in r.stderr


def test_the_f16_pair_reads_the_pow2_fp16_dot_against_fma(tmp_path):
    files = []
    for i, s in enumerate((0.20, 0.21, 0.22)):
        rows = [{"kernel": "f16-dot-fma", "isa": "avx2", "baseline": "", "speedup": 0.0},
                {"kernel": "f16-dot-pow2", "isa": "avx2", "baseline": "f16-dot-fma", "speedup": s},
                {"kernel": "i8-dot-dense", "isa": "avx2", "baseline": "i8-dot-shift", "speedup": 9.0}]
        path = tmp_path / f"r{i}.json"
        path.write_text(json.dumps({"cpu": "CPU-F", "rows": rows}))
        files.append(str(path))
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "analysis.zero_branch", "--pair", "f16", *files, "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    check = json.loads((out / "avx2.json").read_text())
    assert check["verdict"] == "does not hold" and check["speedups"] == [0.20, 0.21, 0.22]
    assert "avx2 FP16 dot on CPU-F: the power-of-two FP16 dot runs 0.21x the speed of the FP16 FMA dot" in check["summary"]
    assert "| avx2 | 3 | 0.210x |" in (out / "README.md").read_text()
    r = subprocess.run([sys.executable, "-m", "analysis.zero_branch", "--pair", "f16", *files[:1], "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2  # one run: no interval
    bad = tmp_path / "i8only.json"
    bad.write_text(json.dumps({"cpu": "CPU-F", "rows": [{"kernel": "i8-dot-dense", "isa": "avx2", "baseline": "i8-dot-shift", "speedup": 1.0}]}))
    r = subprocess.run([sys.executable, "-m", "analysis.zero_branch", "--pair", "f16", str(bad), str(bad), str(bad),
                        "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and "run the bench with --filter f16-dot" in r.stderr
