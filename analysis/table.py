"""A Markdown table of test top-1 from a set of run files, grouped by config keys,
mean ± sample standard deviation over the runs of each cell (usually seeds), with
the count of runs per cell.

    /usr/bin/python3 -m analysis.table RUN_DIR... --by model.quant.parametrization,model.quant.bits [--reduce final|best] [--out FILE.md]
"""
import argparse
import datetime
import itertools
import pathlib

import numpy as np

from .figures import main_wrapper
from .runfile import load_runs


def cell_value(run, metric, reduce):
    values = run.read(f"epochs/{metric}")
    if len(values) == 0:
        return None
    return float(values[-1] if reduce == "final" else np.nanmax(values))


def summarize(runs, keys, metric="test_top1", reduce="final"):
    """[(key values, mean, std or None, count)] sorted by key values; runs without epochs are skipped."""
    cells = {}
    for run in runs:
        value = cell_value(run, metric, reduce)
        if value is None:
            continue
        cells.setdefault(tuple(run.config_value(k) for k in keys), []).append(value)
    rows = []
    for key in sorted(cells, key=lambda k: tuple(str(v) for v in k)):
        values = np.array(cells[key])
        std = float(values.std(ddof=1)) if len(values) > 1 else None
        rows.append((key, float(values.mean()), std, len(values)))
    return rows


def markdown(rows, keys, metric, reduce, command):
    percent = metric.endswith("top1") or metric.endswith("top5")
    scale = 100.0 if percent else 1.0
    unit = " (%)" if percent else ""
    lines = [f"| {' | '.join(keys)} | {reduce} {metric}{unit}, mean ± std | runs |",
             "|" + "---|" * len(keys) + "---:|---:|"]
    for key, mean, std, n in rows:
        spread = f" ± {scale * std:.2f}" if std is not None else ""
        lines.append(f"| {' | '.join(str(v) for v in key)} | {scale * mean:.2f}{spread} | {n} |")
    lines.append("")
    lines.append(f"Made by `{command}` on {datetime.date.today().isoformat()}; std is the sample standard "
                 "deviation (ddof 1), shown only for cells with more than one run.")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--by", required=True, help="comma-separated dotted config keys")
    parser.add_argument("--metric", default="test_top1", help="a series of /epochs (default test_top1)")
    parser.add_argument("--reduce", choices=["final", "best"], default="final")
    parser.add_argument("--out", help="write the table here too")
    args = parser.parse_args(argv)
    keys = [k for k in args.by.split(",") if k]
    runs = load_runs(args.runs)
    command = "python3 -m analysis.table " + " ".join(itertools.chain(
        (str(r.path.parent) for r in runs), ["--by", args.by, "--metric", args.metric, "--reduce", args.reduce]))
    text = markdown(summarize(runs, keys, args.metric, args.reduce), keys, args.metric, args.reduce, command)
    print(text, end="")
    if args.out:
        pathlib.Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(args.out).write_text(text)


if __name__ == "__main__":
    main_wrapper(main)
