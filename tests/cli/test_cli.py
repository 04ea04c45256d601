"""The denseshift command line: output of `list`, and errors on bad input.

Run by scripts/test.sh (and by ctest as cli.pytest); DENSESHIFT_BIN names the
binary, default build/cli/denseshift.
"""
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
     "unknown list 'parametrisations' (allowed: parametrizations, weight-spaces)"),
    (["trian"], "unknown command 'trian' (allowed: train, eval, inspect, bench, list)"),
    (["bench", "kernel"], "unknown benchmark 'kernel' (allowed: train)"),
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
