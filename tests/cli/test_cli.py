"""The denseshift command line: output of `list`, and errors on bad input.

Run by scripts/test.sh (and by ctest as cli.pytest); DENSESHIFT_BIN names the
binary, default build/cli/denseshift.
"""
import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("DENSESHIFT_BIN", str(ROOT / "build" / "cli" / "denseshift"))


def run(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=60)


def test_list_parametrizations_one_name_per_line():
    result = run("list", "parametrizations")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n") == [
        "full_precision", "symmetric_pot", "sign_shift", "sign_scale", "s3", ""]


def test_list_weight_spaces_three_bits():
    result = run("list", "weight-spaces", "--bits", "3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "dense_shift 3-bit (offset 0), 8 values: -8 -4 -2 -1 1 2 4 8",
        "shift 3-bit (offset 0), 7 values: -4 -2 -1 0 1 2 4",
    ]


def test_list_weight_spaces_offset_and_codes():
    result = run("list", "weight-spaces", "--bits", "2", "--space", "shift",
                 "--offset", "-1", "--codes")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "shift 2-bit (offset -1), 3 values: -0.5[3] 0[0] 0.5[1]\n"


def test_list_without_argument_lists_both():
    result = run("list")
    assert result.returncode == 0, result.stderr
    assert "sign_scale" in result.stdout
    assert "dense_shift 5-bit (offset 0), 32 values:" in result.stdout


def test_help_names_every_command_and_exits_zero():
    result = run("--help")
    assert result.returncode == 0
    assert "list" in result.stdout and "--version" in result.stdout
    assert run("list", "--help").returncode == 0


def test_version_names_the_commit():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("denseshift ") and "(commit " in result.stdout


@pytest.mark.parametrize("args, message", [
    (["list", "weight-spaces", "--bits", "7"], "weight bits 7 out of range (allowed: 2 to 5)"),
    (["list", "weight-spaces", "--space", "dense"],
     "unknown weight space 'dense' (allowed: dense_shift, shift)"),
    (["list", "parametrisations"],
     "unknown list 'parametrisations' (allowed: parametrizations, weight-spaces, models, datasets, config, kernels)"),
    (["trian"], "unknown command 'trian' (allowed: train, eval, inspect, export, infer, convert, sweep, bench, list)"),
    (["bench", "kernel"], "unknown benchmark 'kernel' (allowed: train, kernels, eval, infer)"),
    (["bench", "eval"], "bench eval needs --config FILE"),
    (["bench", "eval", "--config", "c.json", "--batch-sizes", "64,x"], "--batch-sizes: 'x' is not a positive whole number"),
    (["bench", "kernels", "--threads", "0"], "--threads: '0' is not a thread count"),
    (["bench", "kernels", "--json", "/nonexistent/folder/k.json"], "--json: folder /nonexistent/folder does not exist"),
    (["bench", "kernels", "--filter", "no-such-kernel", "--cold-mib", "8", "--gemv-size", "64"],
     "--filter 'no-such-kernel' matches no benchmark"),
    (["list", "--bits", "three"], "--bits"),
    (["--frobnicate"], "--frobnicate"),
])
def test_bad_input_exits_2_with_one_clear_line(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("denseshift: error: ")
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "terminate called" not in result.stderr


def test_no_arguments_prints_usage_and_exits_2():
    result = run()
    assert result.returncode == 2
    assert "Usage: denseshift <command>" in result.stderr


def test_list_kernels_names_every_kernel_with_its_isa():
    result = run("list", "kernels")
    assert result.returncode == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    names = {(r[0], r[1]) for r in rows}
    for name in ["f32-vmul-pow2", "f16-vmul-pow2", "f32-dot-fma", "f32-dot-pow2", "f16-dot-fma",
                 "f16-dot-pow2", "i8-dot-shift", "i8-dot-dense", "f32-gemv-f32", "f32-gemv-code8",
                 "f32-gemv-packed2", "f32-gemv-packed3", "f32-gemv-packed4", "f32-gemm-packed2",
                 "f32-gemm-packed3", "f32-gemm-packed4"]:
        assert (name, "scalar") in names
    supported = [r for r in rows if len(r) == 2]
    assert len(supported) >= 13


def test_bench_kernels_prints_a_table_and_writes_the_same_rows_as_json(tmp_path):
    out = tmp_path / "kernels.json"
    result = run("bench", "kernels", "--dot-size", "100", "--gemv-size", "70", "--threads", "1,2",
                 "--repetitions", "2", "--min-time", "0.001", "--cold-mib", "4", "--json", str(out))
    assert result.returncode == 0, result.stderr
    table = [line for line in result.stdout.splitlines() if line.startswith("| ") and "---" not in line]
    header, rows = table[0], table[1:]
    assert header.startswith("| kernel | variant | ISA | size | threads |")
    doc = json.loads(out.read_text())
    assert len(doc["rows"]) == len(rows)
    assert not (tmp_path / "kernels.json.tmp").exists()
    by_kernel = {}
    for row in doc["rows"]:
        assert row["median_ns"] > 0, row
        by_kernel.setdefault(row["kernel"], []).append(row)
        if row["baseline"]:
            assert row["speedup"] > 0, row
    # Every GEMV format against OpenBLAS, hot and cold, at both thread counts.
    for kernel in ["f32-gemv-f32", "f32-gemv-code8", "f32-gemv-packed2", "f32-gemv-packed3", "f32-gemv-packed4"]:
        best = [r for r in by_kernel[kernel] if r["isa"] != "scalar"] or by_kernel[kernel]
        assert {(r["threads"], r["cache"]) for r in best} == {(1, "hot"), (1, "cold"), (2, "hot"), (2, "cold")}
        assert all(r["baseline"] == "sgemv (OpenBLAS)" and r["gb_per_s"] > 0 for r in best)
    assert {r["threads"] for r in by_kernel["stream read"]} == {1, 2}
    assert all(r["baseline"] == "i8-dot-shift" for r in by_kernel["i8-dot-dense"])
    assert "70x70" in result.stdout and "Command: `denseshift bench kernels" in result.stdout
    # GEMM rows: every packed format against OpenBLAS sgemm for 2, 4 and 8 columns (the default).
    for kernel in ["f32-gemm-packed2", "f32-gemm-packed3", "f32-gemm-packed4"]:
        rows_of = by_kernel[kernel]
        assert {(r["size"], r["threads"], r["cache"]) for r in rows_of} == {
            (f"70x70 n={n}", t, c) for n in (2, 4, 8) for t in (1, 2) for c in ("hot", "cold")}
        assert all(r["baseline"] == "sgemm (OpenBLAS)" and r["speedup"] > 0 for r in rows_of)
        for r in rows_of:  # multiply-adds: rows x columns x n, and their share of the FMA peak
            n = int(r["size"].split("n=")[1])
            assert r["macs"] == 70 * 70 * n and r["fma_fraction"] > 0, r
    assert {r["size"] for r in by_kernel["sgemm (OpenBLAS)"]} == {"70x70 n=2", "70x70 n=4", "70x70 n=8"}
    assert {r["threads"] for r in by_kernel["fma peak"]} == {1, 2}
    assert all(r["gmacs_per_s"] > 0 and r["fma_fraction"] == 0 for r in by_kernel["fma peak"])
    assert all(r["stream_fraction"] == 0 for r in by_kernel["stream read"])
    assert header.endswith("| G MAC/s | of FMA peak |")


def test_bench_kernels_gemm_columns_and_filter():
    result = run("bench", "kernels", "--filter", "gemm-packed3", "--gemm-columns", "3", "--threads", "1",
                 "--repetitions", "1", "--min-time", "0.001", "--cold-mib", "4", "--gemv-size", "64")
    assert result.returncode == 0, result.stderr
    rows = [[c.strip() for c in line.split("|")[1:-1]] for line in result.stdout.splitlines()
            if line.startswith("| ") and "---" not in line and "kernel" not in line]
    kernels = {r[0] for r in rows}
    assert kernels == {"f32-gemm-packed3", "sgemm (OpenBLAS)", "stream read", "fma peak"}, kernels
    assert {r[3] for r in rows if r[0] != "stream read" and r[0] != "fma peak"} == {"64x64 n=3"}
    bad = run("bench", "kernels", "--gemm-columns", "4,1")
    assert bad.returncode != 0 and "--gemm-columns: '1' is the GEMV" in bad.stderr


def test_bench_eval_times_every_batch_size_and_names_the_fastest(tmp_path):
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"data": {"name": "synthetic", "synthetic_train": 64, "synthetic_test": 96},
                                  "model": {"name": "lenet"}}))
    result = run("bench", "eval", "--config", str(config), "--batch-sizes", "16,48,1000", "--images", "96",
                 "--rounds", "2", "--threads", "1")
    assert result.returncode == 0, result.stderr
    rows = [line.split("|")[1:-1] for line in result.stdout.splitlines()
            if line.startswith("| ") and "eval" not in line]
    assert [int(r[0]) for r in rows] == [16, 48, 1000]
    ratios = [float(r[3]) for r in rows]
    assert min(ratios) == 1.0 and all(x >= 1.0 for x in ratios)
    fastest = int(result.stdout.split("Fastest: eval_batch_size ")[1].split(".")[0])
    assert fastest in [int(r[0]) for r in rows if float(r[3]) == 1.0]  # ties at two decimals may show 1.00 twice
    for r in rows:  # images/s = images / median s, as printed
        assert abs(96000 / float(r[1]) - float(r[2])) <= 0.01 * float(r[2]) + 1


def test_bench_kernels_filter_keeps_the_baselines():
    result = run("bench", "kernels", "--filter", "i8-dot-dense", "--repetitions", "1", "--min-time", "0.001",
                 "--cold-mib", "4", "--gemv-size", "64")
    assert result.returncode == 0, result.stderr
    kernels = {line.split("|")[1].strip() for line in result.stdout.splitlines()
               if line.startswith("| ") and "---" not in line and "kernel" not in line}
    assert kernels == {"i8-dot-dense", "i8-dot-shift"}


def test_list_models_and_datasets_come_from_the_registries():
    models = run("list", "models")
    assert models.returncode == 0, models.stderr
    assert [line.split("\t")[0] for line in models.stdout.splitlines()] == [
        "lenet", "resnet20", "resnet18", "resnet50"]
    datasets = run("list", "datasets")
    assert datasets.returncode == 0, datasets.stderr
    rows = [line.split("\t") for line in datasets.stdout.splitlines()]
    assert [r[0] for r in rows] == ["fashion-mnist", "cifar10", "digits", "synthetic"]
    assert rows[0][2] == "default folder: /usr/share/datasets/fashion-mnist"


def test_list_config_names_every_key_the_resolved_config_has(tmp_path):
    listed = run("list", "config")
    assert listed.returncode == 0, listed.stderr
    keys = [line.split("\t")[0] for line in listed.stdout.splitlines()]
    # The resolved config written by a run has exactly these keys.
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"data": {"name": "synthetic", "synthetic_train": 64, "synthetic_test": 16},
                                  "train": {"epochs": 1, "batch_size": 32}}))
    out = tmp_path / "run"
    trained = run("train", "--config", str(config), "--out", str(out), "--quiet", "--threads", "1")
    assert trained.returncode == 0, trained.stderr

    def flatten(value, prefix=""):
        if isinstance(value, dict):
            return [k for key, v in value.items() for k in flatten(v, f"{prefix}{key}.")]
        return [prefix[:-1]]

    assert sorted(keys) == sorted(flatten(json.loads((out / "config.json").read_text())))
    row = dict((line.split("\t")[0], line.split("\t")[1:]) for line in listed.stdout.splitlines())
    assert row["optim.lr"] == ["0.1", "number: 0 to 100", "base learning rate"]


def test_docs_config_tables_are_the_generated_ones():
    result = subprocess.run(["/usr/bin/python3", str(ROOT / "scripts" / "generate_config_docs.py"), BIN, "--check"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_bench_train_times_every_parametrization_and_the_recording_with_an_interval():
    result = run("bench", "train", "--model", "lenet", "--image-size", "16", "--channels", "1", "--batch-size", "8",
                 "--rounds", "4", "--warmup", "1", "--threads", "1")
    assert result.returncode == 0, result.stderr
    rows = [[c.strip() for c in line.split("|")[1:-1]] for line in result.stdout.splitlines()
            if line.startswith("| ") and "parametrization" not in line]
    names = [r[0] for r in rows]
    assert names[0] == "full_precision" and float(rows[0][4]) == 1.0
    assert {"symmetric_pot", "sign_shift", "sign_scale", "s3", "sign_scale + record"} <= set(names)
    for r in rows:  # images/s = batch / median step (the step printed to 0.1 ms)
        assert abs(8000 / float(r[2]) - float(r[3])) <= 8000 * 0.05 / float(r[2]) ** 2 + 1
    line = next(l for l in result.stdout.splitlines() if l.startswith("Recording"))
    overhead = float(line.split(": ")[1].split("%")[0])
    low, high = (float(v.rstrip("%")) for v in line.split("interval over the rounds [")[1].split("]")[0].split(", "))
    assert low <= overhead <= high
    assert "1x16x16 inputs" in result.stdout


def test_a_run_whose_quantized_layer_starts_all_zero_is_refused(tmp_path):
    """Issue 27, item 13: sign_shift on the shift space from Kaiming latents starts with every weight
    zero (its ternary sign rounds to 0) and trained nothing (10.5% top-1); with the default init
    (auto: the paper's level_uniform) it is populated and config.json records the resolved init."""
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"data": {"name": "synthetic", "synthetic_train": 64, "synthetic_test": 16},
                                  "train": {"epochs": 1, "threads": 1}}))
    sets = ["--set", "model.quant.parametrization=sign_shift", "--set", "model.quant.space=shift"]
    r = run("train", "--config", str(config), "--out", str(tmp_path / "dead"), *sets,
            "--set", "model.quant.init=kaiming_normal")
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1, r.stderr
    assert "starts with every one of its" in r.stderr and "weights zero" in r.stderr
    assert "set model.quant.init to auto (sign_shift's own: level_uniform)" in r.stderr
    assert not (tmp_path / "dead").exists()
    r = run("train", "--config", str(config), "--out", str(tmp_path / "auto"), *sets)
    assert r.returncode == 0, r.stderr
    resolved = json.loads((tmp_path / "auto" / "config.json").read_text())
    assert resolved["model"]["quant"]["init"] == "level_uniform"
