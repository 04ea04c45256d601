"""A Markdown table of test top-1 from a set of run files, grouped by config keys,
mean ± sample standard deviation over the runs of each cell (usually seeds), with
the count of runs per cell. Only completed runs are averaged unless
--include-incomplete is given; the runs left out are named, with the reason, on
stderr and under the table.

    /usr/bin/python3 -m analysis.table RUN_DIR... --by model.quant.parametrization,model.quant.bits [--reduce final|best] [--out FILE.md]
"""
import argparse
import datetime
import itertools
import pathlib
import sys

import numpy as np

from .figures import main_wrapper
from .runfile import RunFileError, load_runs


def cell_value(run, metric, reduce):
    values = run.read(f"epochs/{metric}")
    if len(values) == 0:
        return None
    return float(values[-1] if reduce == "final" else np.nanmax(values))


def left_out(runs, include_incomplete=False, metric="test_top1"):
    """[(run, reason)] for the runs a table must not average: by default every run whose status
    is not 'completed' (stopped on a non-finite loss, interrupted, still running), and always
    those without a finished epoch."""
    out = []
    for run in runs:
        if not include_incomplete and run.status != "completed":
            out.append((run, f"status '{run.status.split(':')[0]}'"))
        else:
            try:
                if len(run.read(f"epochs/{metric}")) == 0:
                    out.append((run, "no finished epoch"))
            except RunFileError as error:  # a corrupt run is reported and left out, never averaged
                out.append((run, f"unreadable ({error})"))
    return out


def summarize(runs, keys, metric="test_top1", reduce="final", include_incomplete=False):
    """[(key values, mean, std or None, count)] sorted by key values, over the runs that
    left_out() keeps."""
    skipped = {id(run) for run, _ in left_out(runs, include_incomplete, metric)}
    cells = {}
    for run in runs:
        if id(run) in skipped:
            continue
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


def markdown(rows, keys, metric, reduce, command, skipped=()):
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
    if skipped:
        lines.append("")
        lines.append(f"Left out {len(skipped)} run(s): " +
                     "; ".join(f"{run.path.parent} ({reason})" for run, reason in skipped) + ".")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--by", required=True, help="comma-separated dotted config keys")
    parser.add_argument("--metric", default="test_top1", help="a series of /epochs (default test_top1)")
    parser.add_argument("--reduce", choices=["final", "best"], default="final")
    parser.add_argument("--out", help="write the table here too")
    parser.add_argument("--include-incomplete", action="store_true",
                        help="also average runs that did not complete (stopped, interrupted, running)")
    args = parser.parse_args(argv)
    keys = [k for k in args.by.split(",") if k]
    runs = load_runs(args.runs)
    command = "python3 -m analysis.table " + " ".join(itertools.chain(
        (str(r.path.parent) for r in runs), ["--by", args.by, "--metric", args.metric, "--reduce", args.reduce]))
    skipped = left_out(runs, args.include_incomplete, args.metric)
    for run, reason in skipped:
        print(f"warning: left out {run.path.parent}: {reason}", file=sys.stderr)
    rows = summarize(runs, keys, args.metric, args.reduce, args.include_incomplete)
    text = markdown(rows, keys, args.metric, args.reduce, command, skipped)
    print(text, end="")
    if args.out:
        pathlib.Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(args.out).write_text(text)


if __name__ == "__main__":
    main_wrapper(main)
