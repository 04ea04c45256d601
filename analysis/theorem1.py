"""Theorem 1 on trained networks: the table and verdict of experiments/theorem1/run.sh.

run.sh measures the Shift-space runs it finds here (export, convert to zero-free, compare on the test
set) and passes one row per run; this module merges them into the committed rows (results/theorem1/
runs.json) and writes runs.json, README.md and check.json (the verdict results/claims.md shows).

Rows accumulate across machines: runs/ is not in git, so a checkout holds only the runs it trained
itself. A run measured now replaces its committed row; committed rows of runs not found here stay
(each row names the commit, date and CPU that measured it), unless --replace drops them.

    python3 -m analysis.theorem1 --out results/theorem1 --tolerance 1e-5 --version "denseshift ..." \\
        [--replace] "RUN|ZEROS|WEIGHTS|TOP1|TOP1_DENSE|SAME IMAGES|DIFFERENCE LARGEST" ...
"""
import argparse
import datetime
import json
import pathlib
import re
import sys

from analysis.files import write_whole

RUNS_FORMAT = "denseshift-theorem1-runs"


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            return next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    except OSError:
        return "?"


def commit_of(version):
    """'denseshift 0.1.0 (commit eca193ddc18c)' -> 'eca193ddc18c' ('?' when it names none)."""
    match = re.search(r"commit ([0-9a-f]+)", version)
    return match.group(1) if match else "?"


def parse_measured(text, version, date, cpu):
    """One row as run.sh passes it: RUN|ZEROS|WEIGHTS|TOP1|TOP1_DENSE|SAME IMAGES|DIFFERENCE LARGEST."""
    fields = text.split("|")
    if len(fields) != 7:
        raise ValueError(f"theorem1 row '{text}': expected 7 fields separated by '|', got {len(fields)}")
    run, zeros, weights, top1, top1_dense, agree, difference = fields
    try:
        same, images = map(int, agree.split())
        diff, largest = map(float, difference.split())
    except ValueError:
        raise ValueError(f"theorem1 row '{text}': the comparison fields are not numbers (did infer fail?)")
    return {"run": run, "zeros": zeros, "weights": weights, "top1": top1, "top1_dense": top1_dense,
            "same": same, "images": images, "difference": diff,
            "relative": diff / largest if largest > 0 else 0.0,
            "commit": commit_of(version), "date": date, "cpu": cpu}


def committed_rows(out):
    runs = out / "runs.json"
    if not runs.exists():
        return []
    data = json.loads(runs.read_text())
    if data.get("format") != RUNS_FORMAT:
        raise ValueError(f"{runs}: not a {RUNS_FORMAT} file")
    return data["rows"]


def merge(committed, measured, replace=False):
    """Rows sorted by run: the measured ones, and (unless replace) the committed rows of other runs."""
    by_run = {} if replace else {r["run"]: r for r in committed}
    by_run.update({r["run"]: r for r in measured})
    return [by_run[k] for k in sorted(by_run)]


def count(n, name):
    return f"{n} {name}" + ("s" if n != 1 else "")


def render(rows, tolerance):
    """README text and check dict for `rows`."""
    worst = max((r["relative"] for r in rows), default=0.0)
    all_agree = all(r["same"] == r["images"] for r in rows)
    verdict = "holds" if rows and all_agree and worst <= tolerance else "does not hold"
    resnets = sum("resnet20" in r["run"] for r in rows)
    networks = count(len(rows) - resnets, "LeNet") + (f" and {count(resnets, 'ResNet-20')}" if resnets else "")
    images = "/".join(f"{n:,}" for n in sorted({r["images"] for r in rows}))
    summary = (f"{networks} trained on the Shift space (S3, symmetric_pot and sign_shift at 2-4 bits; the sweeps' "
               f"3 seeds) converted to zero-free networks: {'every' if all_agree else 'not every'} prediction of "
               f"the {images} test images agrees; largest logit difference {worst:.2g} of the largest |logit| "
               f"(tolerance {tolerance:g})")
    measured = sorted({(r["commit"][:7], r["date"], r["cpu"]) for r in rows})
    made = ("Made by `bash experiments/theorem1/run.sh`, which adds the runs it finds to the committed rows "
            "(results/theorem1/runs.json); rows measured at " +
            "; ".join(f"commit {c}, {d}, on {cpu}" for c, d, cpu in measured) +
            ". Runs from the committed sweeps (their report.md gives how they were trained).")
    table = [f"| `{r['run']}` | {r['zeros']} | {r['weights']} | {r['top1']} | {r['top1_dense']} | "
             f"{r['same']} / {r['images']} | {r['difference']:.3g} | {r['relative']:.2g} | "
             f"{r['commit'][:7]}, {r['date']} |" for r in rows]
    text = "\n".join([
        "# Theorem 1 on trained networks: Shift network -> equal zero-free network", "", made, "",
        "Each run's checkpoint is exported (`denseshift export`), converted (`denseshift convert --to dense-shift`:",
        "every weight a non-zero power of two, each converted layer reading its input twice) and both model files",
        "are run by the inference engine on the full Fashion-MNIST test set (`denseshift infer SHIFT --compare "
        "DENSE`).", "",
        f"**Verdict: {verdict}.** {summary}.", "",
        "| run | zero weights split | weights before -> after | Shift top-1 | zero-free top-1 | same prediction "
        "| largest \\|logit difference\\| | of largest \\|logit\\| | measured |",
        "|---|---:|---|---:|---:|---:|---:|---:|---|", *table, ""])
    check = {"format": "denseshift-check", "format_version": 1, "verdict": verdict, "summary": summary,
             "made": made, "runs": len(rows), "largest_relative_difference": worst, "tolerance": tolerance}
    return text, check


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="results folder (runs.json, README.md, check.json)")
    parser.add_argument("--tolerance", type=float, required=True)
    parser.add_argument("--version", required=True, help="`denseshift --version` of the binary that measured")
    parser.add_argument("--replace", action="store_true", help="drop committed rows of runs not measured now")
    parser.add_argument("rows", nargs="+")
    args = parser.parse_args(argv)
    out = pathlib.Path(args.out)
    today, cpu = datetime.date.today().isoformat(), cpu_name()
    try:
        measured = [parse_measured(r, args.version, today, cpu) for r in args.rows]
        rows = merge(committed_rows(out), measured, args.replace)
    except (ValueError, KeyError, json.JSONDecodeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    text, check = render(rows, args.tolerance)
    out.mkdir(parents=True, exist_ok=True)
    write_whole(out / "runs.json", json.dumps({"format": RUNS_FORMAT, "rows": rows}, indent=1) + "\n")
    write_whole(out / "README.md", text)
    write_whole(out / "check.json", json.dumps(check, indent=1) + "\n")
    print(f"{out / 'README.md'}: {len(measured)} run(s) measured now, {len(rows)} in all; {check['verdict']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
