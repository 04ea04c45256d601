"""analysis.claims on hand-made sweep summaries whose intervals are known."""
import json
import math
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from analysis.claims import verdict  # noqa: E402
from analysis.stats import t975  # noqa: E402


def summary(path, cells):
    """cells: {bits: [final test_top1 per seed, None = not completed]}."""
    runs = []
    for bits, values in cells.items():
        for seed, v in enumerate(values):
            r = {"cell": f"bits={bits}", "overrides": {"model.quant.bits": bits}, "seed": seed,
                 "state": "completed" if v is not None else "pending"}
            if v is not None:
                r["test_top1"] = [0.5, v]
            runs.append(r)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"format": "denseshift-sweep-summary", "format_version": 1, "seeds": [0, 1, 2],
                                "runs": runs}))


def claims(tmp_path, comparisons, check=0):
    spec = tmp_path / "claims.json"
    spec.write_text("// a comment\n" + json.dumps({"claims": [
        {"id": "c1", "paper": "P", "claim": "C", "comparisons": comparisons,
         "notes": {"inconclusive": "too few seeds"}},
        {"id": "c2", "paper": "P", "claim": "D", "needs": "a converter"}]}))
    out = tmp_path / "claims.md"
    r = subprocess.run([sys.executable, "-m", "analysis.claims", str(spec), "--out", str(out), "--root", str(tmp_path)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == check, r.stdout + r.stderr
    return out.read_text() if check == 0 else r.stderr


def rows(text):
    """The rows of the claim-by-claim table (not the short one above it)."""
    text = text.split("## Claim by claim", 1)[1]
    return [line for line in text.splitlines() if line.startswith("| ") and "---" not in line][1:]


def test_verdict_rules_at_the_margin():
    assert verdict("greater", 0.0, 0.001, 0.02) == "holds"
    assert verdict("greater", 0.0, -0.001, 0.02) == "inconclusive"
    assert verdict("greater", 0.0, -0.03, -0.001) == "does not hold"
    assert verdict("not_worse", 0.01, -0.009, 0.0) == "holds"
    assert verdict("not_worse", 0.01, -0.011, 0.0) == "inconclusive"
    assert verdict("not_worse", 0.01, -0.05, -0.02) == "does not hold"
    assert verdict("less", 0.1, -0.3, -0.11) == "holds"
    assert verdict("less", 0.1, -0.3, -0.05) == "inconclusive"
    assert verdict("less", 0.1, -0.09, 0.2) == "does not hold"
    assert verdict("within", 0.01, -0.005, 0.005) == "holds"
    assert verdict("within", 0.01, -0.005, 0.02) == "inconclusive"
    assert verdict("within", 0.01, 0.02, 0.03) == "does not hold"


def test_paired_difference_and_its_interval(tmp_path):
    summary(tmp_path / "s/runs.json", {2: [0.80, 0.82, 0.84], 3: [0.82, 0.845, 0.86]})
    text = claims(tmp_path, [{"summary": "s/runs.json", "a": {"model.quant.bits": 2}, "b": {"model.quant.bits": 3},
                              "hypothesis": "greater", "paired": True}])
    # Differences 2, 2.5, 2 points: mean 2.17, std 0.289; unpaired, the seed spread would hide it.
    half = t975(2) * 0.2886751 / math.sqrt(3)
    assert f"+2.17 [{2.1667 - half:+.2f}, {2.1667 + half:+.2f}] points (paired by seed, 3 pairs" in text
    assert "82.00 ± 2.00 (n=3)" in text
    assert "| holds |" in rows(text)[0]
    assert "not yet tested" in rows(text)[-1] and "needs a converter" in rows(text)[-1]
    assert "| **c1** | P | holds 1 |\n| **c2** | P | not yet tested 1 |" in text  # the short table


def test_unpaired_overlap_is_inconclusive_with_its_note(tmp_path):
    summary(tmp_path / "s/runs.json", {2: [0.80, 0.82, 0.84], 3: [0.81, 0.83, 0.85]})
    text = claims(tmp_path, [{"summary": "s/runs.json", "a": {"model.quant.bits": 2}, "b": {"model.quant.bits": 3},
                              "hypothesis": "greater"}])
    assert "Welch" in text and "| inconclusive | too few seeds |" in text


def test_the_opposite_direction_does_not_hold(tmp_path):
    summary(tmp_path / "s/runs.json", {2: [0.90, 0.91, 0.92], 3: [0.80, 0.81, 0.82]})
    text = claims(tmp_path, [{"summary": "s/runs.json", "a": {"model.quant.bits": 2}, "b": {"model.quant.bits": 3},
                              "hypothesis": "not_worse", "margin": 0.01, "paired": True}])
    assert "| does not hold |" in text


def test_fewer_than_three_runs_give_no_verdict(tmp_path):
    summary(tmp_path / "s/runs.json", {2: [0.80, 0.82, None], 3: [0.90, 0.91, 0.92]})
    text = claims(tmp_path, [{"summary": "s/runs.json", "a": {"model.quant.bits": 2}, "b": {"model.quant.bits": 3},
                              "hypothesis": "greater"}])
    assert "pending (2 and 3 completed runs; 3 needed)" in text


def test_a_summary_not_made_yet_is_not_yet_run(tmp_path):
    text = claims(tmp_path, [{"summary": "missing/runs.json", "a": {}, "b": {}, "hypothesis": "greater"}])
    assert "not yet run (no missing/runs.json)" in text


def test_a_selection_matching_several_cells_is_an_error_naming_them(tmp_path):
    summary(tmp_path / "s/runs.json", {2: [0.80, 0.82, 0.84], 3: [0.81, 0.83, 0.85]})
    err = claims(tmp_path, [{"summary": "s/runs.json", "a": {}, "b": {"model.quant.bits": 3},
                             "hypothesis": "greater"}], check=2)
    assert "matches 2 cells (bits=2, bits=3)" in err and "s/runs.json" in err


def test_an_unknown_hypothesis_is_an_error(tmp_path):
    summary(tmp_path / "s/runs.json", {2: [0.80, 0.82, 0.84]})
    err = claims(tmp_path, [{"summary": "s/runs.json", "a": {}, "b": {}, "hypothesis": "better"}], check=2)
    assert "hypothesis 'better'" in err and "claim c1" in err


def test_a_cell_against_its_own_start_and_other_reductions(tmp_path):
    # A rate metric (not an accuracy): 3 decimals, no points. Series start at init (epoch 0).
    runs = [{"cell": "bits=2", "overrides": {"model.quant.bits": 2}, "seed": s, "state": "completed",
             "conv.weight/radius": [1.0 + 0.01 * s, 0.7, 0.5 - 0.01 * s]} for s in range(3)]
    (tmp_path / "s").mkdir()
    (tmp_path / "s/runs.json").write_text(json.dumps({"format": "denseshift-sweep-summary", "format_version": 1,
                                                      "seeds": [0, 1, 2], "runs": runs}))
    base = {"summary": "s/runs.json", "a": {"model.quant.bits": 2}, "b": {"model.quant.bits": 2},
            "metric": "conv.weight/radius", "hypothesis": "greater", "paired": True}
    # b = start, a = end: start − end = 0.5 + 0.02 s, mean 0.52, std 0.02.
    text = claims(tmp_path, [dict(base, reduce_a="final", reduce_b="first")])
    half = t975(2) * 0.02 / math.sqrt(3)
    assert f"+0.520 [{0.52 - half:+.3f}, {0.52 + half:+.3f}] (paired by seed, 3 pairs" in text
    assert "conv.weight/radius (a: final, b: first)" in text and "| holds |" in rows(text)[0]
    # The mean over the series: seed s gives (2.2)/3 for every s, so mean − final = 0.2333 + 0.01 s.
    text = claims(tmp_path, [dict(base, reduce_a="final", reduce_b="mean")])
    assert "+0.243 [" in text
    err = claims(tmp_path, [dict(base, reduce_b="last")], check=2)
    assert "reduce_b 'last'" in err and "claim c1" in err


def test_the_committed_claims_file_is_valid(tmp_path):
    """experiments/claims.json renders against the repository's committed summaries."""
    out = tmp_path / "claims.md"
    r = subprocess.run([sys.executable, "-m", "analysis.claims", "experiments/claims.json", "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert out.read_text().count("\n| **") >= 15


def test_table1_places_each_cell_and_marks_what_is_not_run(tmp_path):
    def write(path, runs):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(json.dumps({"format": "denseshift-sweep-summary", "format_version": 1,
                                                 "runs": runs}))

    def run(overrides, seed, top1, cpu="CPU-X", commit="abc"):
        return {"cell": "c", "overrides": overrides, "seed": seed, "state": "completed", "test_top1": [0.1, top1],
                "cpu": cpu, "commit": commit}
    ds3 = {"model.quant.parametrization": "sign_scale", "model.quant.space": "dense_shift", "model.quant.bits": 3}
    write("results/table1/lenet/runs.json", [run(ds3, s, v) for s, v in enumerate([0.90, 0.91, 0.92])])
    write("results/table1/resnet20/runs.json", [run(ds3, 0, 0.85, "CPU-Y", "def")])
    # zero_free: the parametrization is the sweep's, not an override; only dense_shift cells count.
    write("results/zero_free/lenet_sign_shift/runs.json",
          [run({"model.quant.space": "dense_shift", "model.quant.bits": 2}, 0, 0.80),
           run({"model.quant.space": "shift", "model.quant.bits": 2}, 0, 0.10)])
    out = tmp_path / "t1.md"
    r = subprocess.run([sys.executable, "-m", "analysis.table1", "--root", str(tmp_path), "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert "| DenseShift: sign_scale, zero-free, low-variance init | 3 | 91.00 ± 1.00 [88.52, 93.48] (n=3) | 85.00 (n=1) | 70.62 |" in text
    assert "| sign-shift quantizer, zero-free, level_uniform init | 2 | 80.00 (n=1) | not yet run | - |" in text
    assert "| full precision (Kaiming) | 32 | - | - | 69.6 |" in text
    # each model column names the machine and commit its own runs came from
    assert "LeNet runs trained at commit(s) abc on CPU-X. ResNet-20 runs trained at commit(s) def on CPU-Y." in text


def test_transfer_table_flags_diverged_runs_seed_by_seed(tmp_path):
    def run(init, seed, loss, top1=(0.90, 0.95)):
        return {"cell": f"init={init}", "seed": seed, "state": "completed", "commit": "c", "cpu": "cpu",
                "overrides": {"model.quant.init": init, "model.quant.parametrization": "sign_scale",
                              "transfer.init_from": "runs/b/init=low_variance,parametrization=sign_scale/seed{seed}"},
                "test_top1": list(top1), "train_loss": loss}
    runs = [run("low_variance", 0, [0.5, 0.1]), run("low_variance", 1, [0.5, 0.2]),
            run("kaiming_normal", 0, [0.5, 0.9], (0.5, 0.1)), run("kaiming_normal", 1, [0.5, None], (0.5, 0.1))]
    path = tmp_path / "results/transfer/finetune/runs.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"format": "denseshift-sweep-summary", "format_version": 1, "runs": runs}))
    out = tmp_path / "t.md"
    r = subprocess.run([sys.executable, "-m", "analysis.transfer_table", "--root", str(tmp_path), "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rows = [line for line in out.read_text().splitlines() if line.startswith("| DenseShift 3-bit | sign_scale |")]
    seeds = {(row.split(" | ")[2], row.split(" | ")[3]): row for row in rows if row.split(" | ")[3].isdigit()}
    assert seeds[("kaiming_normal", "0")].endswith("| **yes** |")  # loss rose
    assert seeds[("kaiming_normal", "1")].endswith("| **yes** |")  # loss not finite
    assert seeds[("low_variance", "0")].endswith("| no |")
    assert "| DenseShift 3-bit | sign_scale | low_variance | 95.00 ± 0.00 |" in out.read_text()


def test_write_whole_leaves_a_users_tmp_file_and_no_temporary(tmp_path):
    from analysis.files import write_whole
    (tmp_path / "claims.md.tmp").write_text("the user's own")
    write_whole(tmp_path / "claims.md", "new")
    write_whole(tmp_path / "claims.md", "newer")
    assert (tmp_path / "claims.md").read_text() == "newer"
    assert (tmp_path / "claims.md.tmp").read_text() == "the user's own"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.md", "claims.md.tmp"]


def test_a_relative_fall_against_its_margin(tmp_path):
    runs = [{"cell": "bits=2", "overrides": {"model.quant.bits": 2}, "seed": s, "state": "completed",
             "conv.weight/radius": [2.0, end]} for s, end in enumerate([1.5, 1.6, 1.7])]
    (tmp_path / "s").mkdir()
    (tmp_path / "s/runs.json").write_text(json.dumps({"format": "denseshift-sweep-summary", "format_version": 1,
                                                      "seeds": [0, 1, 2], "runs": runs}))
    base = {"summary": "s/runs.json", "a": {"model.quant.bits": 2}, "b": {"model.quant.bits": 2},
            "metric": "conv.weight/radius", "reduce_a": "first", "reduce_b": "final", "hypothesis": "less",
            "paired": True, "relative": True}
    # Falls of 25%, 20%, 15% of the start: mean −20%, std 5%.
    half = t975(2) * 0.05 / math.sqrt(3)
    text = claims(tmp_path, [dict(base, margin=0.05)])
    assert f"-20.0% [{-20 - 100 * half:+.1f}%, {-20 + 100 * half:+.1f}%]" in text
    assert "claim: b − a < -5.0%" in text and "| holds |" in rows(text)[0]
    assert "| does not hold |" in rows(claims(tmp_path, [dict(base, margin=0.40)]))[0]
    assert "| inconclusive |" in rows(claims(tmp_path, [dict(base, margin=0.20)]))[0]
    err = claims(tmp_path, [dict(base, paired=False)], check=2)
    assert "'relative' needs 'paired'" in err
    runs[1]["conv.weight/radius"] = [0.0, 1.0]
    (tmp_path / "s/runs.json").write_text(json.dumps({"format": "denseshift-sweep-summary", "format_version": 1,
                                                      "seeds": [0, 1, 2], "runs": runs}))
    assert "a is 0 for a seed of bits=2" in claims(tmp_path, [base], check=2)


def test_a_claim_decided_by_a_check_file(tmp_path):
    spec = tmp_path / "claims.json"
    spec.write_text(json.dumps({"claims": [{"id": "t1", "paper": "P", "claim": "C", "check": "t/check.json"}]}))
    out = tmp_path / "claims.md"

    def render(check=0):
        r = subprocess.run([sys.executable, "-m", "analysis.claims", str(spec), "--out", str(out), "--root",
                            str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
        assert r.returncode == check, r.stdout + r.stderr
        return out.read_text() if check == 0 else r.stderr

    assert "| not yet run (no t/check.json) |" in render()
    (tmp_path / "t").mkdir()
    check = {"format": "denseshift-check", "format_version": 1, "verdict": "does not hold",
             "summary": "2 of 3 conversions agree", "made": "by a script"}
    (tmp_path / "t/check.json").write_text(json.dumps(check))
    text = render()
    assert "| [t](../t) | exact check | 2 of 3 conversions agree (by a script) | does not hold |" in text
    assert "does not hold 1" in text
    # the claim's note for the check's verdict goes in the why column
    spec.write_text(json.dumps({"claims": [{"id": "t1", "paper": "P", "claim": "C", "check": "t/check.json",
                                            "notes": {"does not hold": "one conversion drops a bias"}}]}))
    assert "| does not hold | one conversion drops a bias |" in render()
    spec.write_text(json.dumps({"claims": [{"id": "t1", "paper": "P", "claim": "C", "check": "t/check.json"}]}))
    (tmp_path / "t/check.json").write_text(json.dumps(dict(check, verdict="sort of")))
    assert "verdict 'sort of'" in render(check=2)
    # a list of checks: a row each, the claim's cells on the first; a missing one is "not yet run"
    (tmp_path / "t/check.json").write_text(json.dumps(dict(check, verdict="holds", metric="speed-up")))
    spec.write_text(json.dumps({"claims": [{"id": "t1", "paper": "P", "claim": "C",
                                            "check": ["t/check.json", "t/other.json"]}]}))
    text = render()
    assert "| **t1** — C (P) | - | [t](../t) | speed-up | 2 of 3 conversions agree (by a script) | holds |" in text
    assert "|  |  | [t](../t) | - | - | not yet run (no t/other.json) |" in text
    assert "| **t1** | P | holds 1, not yet run 1 |" in text
    spec.write_text(json.dumps({"claims": [{"id": "t1", "paper": "P", "claim": "C", "check": []}]}))
    assert "'check' must be a file name or a non-empty list" in render(check=2)


def test_a_contrast_of_two_differences_paired_by_seed(tmp_path):
    # The lead of bits=2 over bits=1 against the lead of bits=4 over bits=3, per seed:
    # (0.90 - 0.80) - (0.93 - 0.90) = 0.07, (0.91 - 0.80) - (0.94 - 0.90) = 0.07, (0.92 - 0.80) - (0.95 - 0.92) = 0.09.
    summary(tmp_path / "s" / "runs.json", {1: [0.80, 0.80, 0.80], 2: [0.90, 0.91, 0.92],
                                           3: [0.90, 0.90, 0.92], 4: [0.93, 0.94, 0.95]})
    base = {"summary": "s/runs.json", "a": {"model.quant.bits": 1}, "b": {"model.quant.bits": 2},
            "minus": {"a": {"model.quant.bits": 3}, "b": {"model.quant.bits": 4}}, "hypothesis": "greater",
            "paired": True}
    text = claims(tmp_path, [base])
    half = t975(2) * (0.02 / math.sqrt(3)) * 100 / math.sqrt(3)  # std of 7, 7, 9 points: 2 / sqrt(3)
    mean = 23 / 3
    assert f"(b − a) − (b' − a') = +{mean:.2f} [+{mean - half:.2f}, +{mean + half:.2f}] points (paired by seed, 3 seeds; (b − a) − (b' − a'); " \
           "claim: (b − a) − (b' − a') > +0.00)" in text
    assert "a' = bits=3: 90.67" in text and "b' = bits=4: 94.00" in text
    assert "| holds |" in rows(text)[0]
    assert "'minus' needs 'paired'" in claims(tmp_path, [dict(base, paired=False)], check=2)
    summary(tmp_path / "s" / "runs.json", {1: [0.80, 0.80, 0.80], 2: [0.90, 0.91, 0.92],
                                           3: [0.90, 0.90, None], 4: [0.93, 0.94, 0.95]})
    assert "pending (" in claims(tmp_path, [base])


def test_the_head_states_the_family_size_and_its_bonferroni_level(tmp_path):
    summary(tmp_path / "s" / "runs.json", {2: [0.90, 0.91, 0.92], 3: [0.80, 0.81, 0.82]})
    comparison = {"summary": "s/runs.json", "a": {"model.quant.bits": 3}, "b": {"model.quant.bits": 2},
                  "hypothesis": "greater", "paired": True}
    text = claims(tmp_path, [comparison] * 4)
    assert "Family size: 4 decided comparisons" in text and "up to about 0.1 of the 4" in text
    assert "each interval at 98.75%" in text  # 1 - 0.05 / 4


def test_a_glob_merges_the_seed_parts_of_a_sweep(tmp_path):
    def part(name, seeds):
        runs = []
        for bits, value in ((2, 0.90), (3, 0.80)):
            for seed in (0, 1, 2):
                done = seed in seeds
                r = {"cell": f"bits={bits}", "overrides": {"model.quant.bits": bits}, "seed": seed,
                     "state": "completed" if done else "pending"}
                if done:
                    r["test_top1"] = [0.5, value + 0.01 * seed]
                runs.append(r)
        path = tmp_path / "s" / name / "runs.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps({"format": "denseshift-sweep-summary", "format_version": 1, "runs": runs}))
    part("seeds-0", {0})
    comparison = {"summary": "s/seeds-*/runs.json", "a": {"model.quant.bits": 3}, "b": {"model.quant.bits": 2},
                  "hypothesis": "greater", "paired": True}
    assert "pending (1 and 1 completed runs" in claims(tmp_path, [comparison])
    part("seeds-1-2", {1, 2})
    text = claims(tmp_path, [comparison])
    assert "(n=3)" in text and "+10.00 [+10.00, +10.00] points (paired by seed, 3 pairs" in text
    assert "| [s](../s) |" in text  # the parts' folder, not the glob
    part("seeds-2", {2})
    assert "cell bits=2 seed 2 is completed in two parts" in claims(tmp_path, [comparison], check=2)


def test_each_side_may_read_its_own_series(tmp_path):
    runs = []
    for seed, (measured, predicted) in enumerate(((0.60, 0.97), (0.62, 0.97), (0.61, 0.97))):
        runs.append({"cell": "k", "overrides": {"model.quant.init": "kaiming_normal"}, "seed": seed, "state": "completed",
                     "conv/latent_radius": [1.0, measured], "conv/latent_radius_decay_only": [1.0, predicted]})
    path = tmp_path / "s" / "runs.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"format": "denseshift-sweep-summary", "format_version": 1, "runs": runs}))
    cell = {"model.quant.init": "kaiming_normal"}
    text = claims(tmp_path, [{"summary": "s/runs.json", "a": cell, "b": cell, "metric_a": "conv/latent_radius_decay_only",
                              "metric_b": "conv/latent_radius", "hypothesis": "less", "margin": 0.1, "paired": True,
                              "relative": True}])
    assert "conv/latent_radius against conv/latent_radius_decay_only (final)" in text
    assert "-37.1% [" in text and "| holds |" in rows(text)[0]  # (0.61 - 0.97) / 0.97


def test_a_cell_whose_runs_come_from_different_cpus_says_so(tmp_path):
    summary(tmp_path / "s" / "runs.json", {2: [0.90, 0.91, 0.92], 3: [0.80, 0.81, 0.82]})
    data = json.loads((tmp_path / "s" / "runs.json").read_text())
    for r in data["runs"]:
        r["cpu"] = "AMD EPYC" if (r["overrides"]["model.quant.bits"] == 2 and r["seed"] == 2) else "Intel Xeon"
    (tmp_path / "s" / "runs.json").write_text(json.dumps(data))
    text = claims(tmp_path, [{"summary": "s/runs.json", "a": {"model.quant.bits": 3}, "b": {"model.quant.bits": 2},
                              "hypothesis": "greater", "paired": True}])
    assert "runs of one cell from different CPUs: bits=2: 1 on AMD EPYC, 2 on Intel Xeon; claim:" in text
