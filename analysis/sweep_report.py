"""The report of a sweep directory (`denseshift sweep run`): per metric, a Markdown table with a
row per cell (mean ± sample std over its seeds, the 95% t interval, n, and how many runs are
missing or failed), optional paired differences between cells that differ in one key (over the
seeds both ran), and a figure of a metric against one grid key with 95% error bars.

    /usr/bin/python3 -m analysis.sweep_report SWEEP_DIR [--metric test_top1,train_loss] [--reduce final|best]
        [--paired KEY] [--axis KEY] [--out DIR]

Writes DIR/report.md (and DIR/METRIC_vs_KEY.png/.pdf with --axis); default DIR: SWEEP_DIR/report.
Also DIR/runs.json: every run's state, provenance and per-epoch test_top1, test_loss and
train_loss (and, per recorded layer, the freezing metric, WSVR and the traced latents' distance from
the origin: LAYER/freezing, LAYER/wsvr, LAYER/latent_radius, and LAYER/latent_radius_decay_only, where
SGD's weight decay alone would have taken that radius; for the sign-shift quantizer, how its
shift latents crowd its thresholds: LAYER/threshold_crowding; with histograms, a quantized layer's
participation ratio and the share of weights at each magnitude per epoch: LAYER/participation_ratio,
LAYER/magnitudes, LAYER/level_shares), so that tables and claims
(analysis.claims) can be remade from committed files without the run directories.
Only completed runs enter the statistics; the others are counted (pending, running, interrupted,
failed) and a run file that cannot be read is named as such, never fatal.
"""
import argparse
import datetime
import json
import math
import pathlib
import sys

import numpy as np

from .figures import main_wrapper
from .files import write_whole
from .runfile import Run, RunFileError, sign_shift_magnitudes
from .stats import mean_interval

FRACTION_METRICS = {"test_top1", "test_top5", "train_top1", "validation_top1"}


class SweepError(RunFileError):
    """A folder that is not a readable sweep directory."""


def load_sweep(folder):
    folder = pathlib.Path(folder)
    spec_file = folder / "sweep.json"
    if not spec_file.exists():
        raise SweepError(f"{folder}: not a sweep directory (no sweep.json)")
    try:
        spec = json.loads(spec_file.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SweepError(f"{spec_file}: not valid JSON ({error})") from error
    if spec.get("format") != "denseshift-sweep" or spec.get("format_version") != 1:
        raise SweepError(f"{spec_file}: not a sweep file of format version 1")
    return spec


def run_record(folder, cell, seed, index):
    """{'state', 'run', 'seconds', 'detail'} of one run, from its directory and task record."""
    run_dir = pathlib.Path(folder) / "runs" / cell["name"] / f"seed{seed}"
    record_file = pathlib.Path(folder) / "tasks" / f"{index}.json"
    record = {}
    if record_file.exists():
        try:
            record = json.loads(record_file.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError):
            record = {"status": "failed", "error": "unreadable task record"}
    # The task's whole process where recorded (process start and LibTorch's load included).
    seconds = record.get("process_seconds", record.get("seconds"))
    out = {"state": "pending", "run": None, "seconds": seconds, "detail": ""}
    if not (run_dir / "run.h5").exists():
        if record.get("status") == "failed":
            out.update(state="failed", detail=record.get("error", ""))
        elif record.get("status") == "running":
            out["state"] = "running or interrupted"
        return out
    try:
        run = Run(run_dir)
        run.epochs()  # every /epochs series validated: a corrupt run is "unreadable", never "completed"
    except RunFileError as error:
        out.update(state="unreadable", detail=str(error))
        return out
    out["run"] = run
    if run.status == "completed":
        out["state"] = "completed"
    elif run.status.startswith("stopped") or record.get("status") == "failed":
        out.update(state="failed", detail=record.get("error", run.status))
    else:
        out["state"] = "running or interrupted"
    return out


def metric_value(run, metric, reduce):
    values = run.read(f"epochs/{metric}")
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return None
    if reduce == "final":
        return float(values[-1])
    return float(values.min() if metric.endswith("loss") else values.max())


def fmt(metric, value):
    if value is None:
        return "-"
    return f"{100 * value:.2f}" if metric in FRACTION_METRICS else f"{value:.4f}"


def overrides_of(cell):
    return {key: value for key, value in cell["overrides"]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sweep")
    ap.add_argument("--metric", default=None, help="comma-separated epoch series (default: the sweep's metric)")
    ap.add_argument("--reduce", choices=["final", "best"], default="final")
    ap.add_argument("--paired", default=None, help="a varied key: differences between cells differing only in it")
    ap.add_argument("--axis", default=None, help="a varied key: figure of the first metric against it")
    ap.add_argument("--trained-by", default=None,
                    help="the command that trained the sweep (experiments/common/sweep.sh passes its own), for the "
                         "report's provenance")
    ap.add_argument("--out", default=None, help="output folder (default SWEEP/report)")
    args = ap.parse_args(argv)

    folder = pathlib.Path(args.sweep)
    spec = load_sweep(folder)
    metrics = (args.metric or spec["metric"]).split(",")
    cells, seeds = spec["cells"], spec["seeds"]
    varied = [key for key, _ in cells[0]["overrides"]] if cells else []
    for key in (args.paired, args.axis):
        if key is not None and key not in varied:
            raise SweepError(f"'{key}' is not varied by this sweep (varied: {', '.join(varied)})")

    # Every run's state and values.
    table = []  # per cell: {seed: record}
    cpu_seconds, commits, cpus, threads, unreadable = 0.0, set(), set(), set(), []
    for c, cell in enumerate(cells):
        row = {}
        for s, seed in enumerate(seeds):
            r = run_record(folder, cell, seed, c * len(seeds) + s)
            row[seed] = r
            if r["state"] == "unreadable":
                unreadable.append(f"{cell['name']}/seed{seed}: {r['detail']}")
            run = r["run"]
            if run is not None:
                commits.add(run.environment.get("git_commit", "?"))
                cpus.add(run.environment.get("cpu", "?"))
                threads.add(run.environment.get("threads", "?"))
                if r["seconds"] is not None:
                    cpu_seconds += r["seconds"] * int(run.environment.get("threads", 1))
        table.append(row)

    lines = [f"# Sweep report: {folder}", "",
             f"Made by `/usr/bin/python3 -m analysis.sweep_report {' '.join(sys.argv[1:]) if argv is None else ' '.join(argv)}`"
             f" on {datetime.date.today().isoformat()}. Base config: {spec['base_source']}; "
             f"{len(cells)} cells × {len(seeds)} seeds ({', '.join(map(str, seeds))}).",
             f"Runs trained at commit(s) {', '.join(sorted(commits)) or '-'} on {' / '.join(sorted(cpus)) or '-'}; "
             f"CPU time of the last attempt of every run: {cpu_seconds / 3600:.2f} CPU-hours "
             f"(each task process's seconds × threads).",
             (f"Training command: `{args.trained_by}`." if args.trained_by else
              f"Training command: `denseshift sweep run SPEC --out {folder}` (SPEC as sweep.json records it).") +
             f" Threads per run: {', '.join(sorted(map(str, threads))) or '-'}.",
             "Statistics over completed runs only: mean ± sample std, the 95% Student-t interval of the mean, n.", ""]
    states = ["completed", "running or interrupted", "pending", "failed", "unreadable"]
    for metric in metrics:
        lines += [f"## {metric} ({args.reduce}{', %' if metric in FRACTION_METRICS else ''})", "",
                  "| cell | mean ± std | 95% interval | n | not completed |", "|---|---:|---|---:|---|"]
        for cell, row in zip(cells, table):
            values = []
            for r in row.values():
                if r["state"] == "completed":
                    try:
                        v = metric_value(r["run"], metric, args.reduce)
                    except RunFileError as error:  # reported and skipped, never fatal
                        r.update(state="unreadable", detail=str(error), run=None)
                        print(f"warning: {error}", file=sys.stderr)
                        continue
                    if v is not None:
                        values.append(v)
            mean, std, half, n = mean_interval(values)
            counts = {s: sum(r["state"] == s for r in row.values()) for s in states[1:]}
            missing = ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "-"
            spread = f"{fmt(metric, mean)} ± {fmt(metric, std)}" if std is not None else fmt(metric, mean)
            interval = f"[{fmt(metric, mean - half)}, {fmt(metric, mean + half)}]" if half is not None else "-"
            lines.append(f"| {cell['name']} | {spread} | {interval} | {n} | {missing} |")
        lines.append("")

        if args.paired:
            lines += paired_lines(cells, table, seeds, args.paired, metric, args.reduce)

    if unreadable:
        lines += ["## Unreadable run files", ""] + [f"- {u}" for u in unreadable] + [""]
    out = pathlib.Path(args.out) if args.out else folder / "report"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if args.axis:
        written += axis_figure(cells, table, args.axis, metrics[0], args.reduce, out, folder)
        lines += [f"Figure: {written[0].name} ({metrics[0]} against {args.axis}, 95% intervals)", ""]
    report = out / "report.md"
    summary = out / "runs.json"
    write_whole(summary, json.dumps(runs_summary(folder, spec, table), indent=1) + "\n")
    write_whole(report, "\n".join(lines))
    return [report, summary] + written


SUMMARY_SERIES = ("test_top1", "test_loss", "train_loss")


def finite_list(values):
    return [float(v) if np.isfinite(v) else None for v in np.asarray(values, dtype=float)]


def latent_radius(run, layer):
    """The traced weights' RMS distance from the origin of the latent space (all of the layer's
    latents together: sqrt(mean over weights of the sum of squared latents)) at the first and the
    last trace record, or None without traces. DenseShift v2 Fig. 5 shows 2-bit sign-scale latents
    from Kaiming init moving towards the origin; this is that figure as a number."""
    group = f"layers/{layer}/traces"
    latents = run.group_attrs(f"layers/{layer}").get("latents")
    if not latents or not run.has(f"{group}/step"):
        return None
    squares = sum(np.asarray(run.read(f"{group}/{name}"), dtype=float) ** 2 for name in latents)
    radius = np.sqrt(squares.mean(axis=1))
    return [radius[0], radius[-1]]


def level_usage(run, layer):
    """Per histogram record (epoch 0 = init) of a quantized layer: the participation ratio of its
    weights, (sum w^2)^2 / (N sum w^4) (1 when every weight has one magnitude, about k / N when k
    weights carry the energy), and the share of weights at each magnitude, ascending (zero first
    on the Shift space); None without histograms or for a full-precision layer."""
    group = f"layers/{layer}/histograms"
    if not run.has(f"{group}/effective_values"):
        return None
    values = np.asarray(run.read(f"{group}/effective_values"), dtype=float)
    counts = np.asarray(run.read(f"{group}/effective"), dtype=float)
    if counts.ndim != 2 or counts.shape[1] != len(values) or not len(values):
        raise RunFileError(f"{run.path}: {group}/effective does not match its effective_values")
    total = counts.sum(axis=1)
    if (total <= 0).any():
        raise RunFileError(f"{run.path}: {group}/effective has a record without weights")
    square, fourth = values ** 2, values ** 4
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (counts @ square) ** 2 / (total * (counts @ fourth))
    magnitudes = np.unique(np.abs(values))
    shares = np.stack([counts[:, np.abs(values) == m].sum(axis=1) for m in magnitudes], axis=1) / total[:, None]
    return ratio, magnitudes, shares


def schedule_lr(step, base, kind, total, warmup):
    """The rate of optimizer step `step` (0-based): lib/include/denseshift/train/schedule.h."""
    if step < warmup:
        return base * (step + 1) / warmup
    if kind == "constant":
        return base
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return base * 0.5 * (1.0 + math.cos(math.pi * progress))


def decay_only_factor(run):
    """The factor by which SGD's weight decay alone (no gradient) would have multiplied a latent of a
    quantized layer over the run: its momentum recursion buf = momentum * buf + decay * w,
    w -= lr_t * buf (Nesterov: w -= lr_t * (decay * w + momentum * buf)) replayed at the run's
    per-step rates. None for Adam, or for a run file without steps_per_epoch (before 2026-12-02)."""
    steps_per_epoch = run.environment.get("steps_per_epoch")
    try:
        optim = run.config["optim"]
        epochs = int(run.config["train"]["epochs"])
    except (KeyError, TypeError, ValueError):
        return None
    if not isinstance(steps_per_epoch, int) or steps_per_epoch < 1 or optim.get("optimizer", "sgd") != "sgd":
        return None
    decay = optim.get("latent_weight_decay")
    decay = float(optim.get("weight_decay", 0.0) if decay is None else decay)
    momentum, nesterov = float(optim.get("momentum", 0.0)), bool(optim.get("nesterov", False))
    total = epochs * steps_per_epoch
    warmup = int(round(float(optim.get("warmup_epochs", 0.0)) * steps_per_epoch))
    w, buf = 1.0, None
    for step in range(total):
        d = decay * w
        buf = d if buf is None else momentum * buf + d
        w -= schedule_lr(step, float(optim["lr"]), optim.get("schedule", "cosine"), total, warmup) * \
            (d + momentum * buf if nesterov else buf)
    return w


CROWDING_WINDOW = 0.1


def threshold_crowding(run, layer):
    """Per histogram record (epoch 0 = init), for a sign_shift run of 3 bits or more: the shift
    latents' count within ±0.1 of a threshold (0.5, 1.5, ...) per threshold, over their count within
    ±0.1 of an interior level (1, 2, ...: between two thresholds) per level. About 1 for a density
    flat across the quantizer's steps; above 1 where latents pile up at the thresholds (DenseShift
    v1 Fig. 4). Thresholds and levels beyond the histogram's range are left out. None for other
    runs, without histograms, or with bins wider than half the window."""
    quant = run.config.get("model", {}).get("quant", {})
    group = f"layers/{layer}/histograms"
    if quant.get("parametrization") != "sign_shift" or not run.has(f"{group}/shift"):
        return None
    magnitudes = sign_shift_magnitudes(quant)
    edges = np.asarray(run.read(f"{group}/edges"), dtype=float)
    if magnitudes < 3 or np.diff(edges).max() > CROWDING_WINDOW / 2 + 1e-9:
        return None
    counts = np.asarray(run.read(f"{group}/shift"), dtype=float)[:, 1:-1]  # without under/overflow
    centres = (edges[:-1] + edges[1:]) / 2

    def per_point(points):
        near = np.zeros(len(centres), dtype=bool)
        for point in points:
            near |= np.abs(centres - point) < CROWDING_WINDOW
        return counts[:, near].sum(axis=1) / len(points)

    def inside(points):  # only points whose whole window the histogram covers
        return [p for p in points if edges[0] + CROWDING_WINDOW <= p <= edges[-1] - CROWDING_WINDOW]

    thresholds, levels = inside(np.arange(0.5, magnitudes - 1, 1.0)), inside(np.arange(1, magnitudes - 1))
    if not thresholds or not levels:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        return per_point(thresholds) / per_point(levels)


def completed_record(run, r):
    """The summary fields of a completed run (RunFileError for a run file that does not validate)."""
    record = {}
    env = run.environment
    record.update(commit=env.get("git_commit", "?"), cpu=env.get("cpu", "?"),
                  threads=int(env.get("threads", 1)), process_seconds=r["seconds"])
    for name in SUMMARY_SERIES:
        if run.has(f"epochs/{name}"):
            record[name] = finite_list(run.read(f"epochs/{name}"))
    # Per recorded layer: the freezing metric (epoch 0 = init) and WSVR, as LAYER/freezing, LAYER/wsvr.
    factor = None  # the decay-only factor, a replay of the whole schedule: once a run, when a layer has traces
    for layer in run.layers():
        for name, dataset in (("freezing", "freezing/effective"), ("wsvr", "dynamics/wsvr")):
            if run.has(f"layers/{layer}/{dataset}"):
                record[f"{layer}/{name}"] = finite_list(run.read(f"layers/{layer}/{dataset}"))
        crowding = threshold_crowding(run, layer)
        if crowding is not None:
            record[f"{layer}/threshold_crowding"] = finite_list(crowding)
        radius = latent_radius(run, layer)
        if radius is not None:
            record[f"{layer}/latent_radius"] = finite_list(radius)
            factor = decay_only_factor(run) if factor is None else factor
            if factor is not None:  # where weight decay alone would have taken the radius
                record[f"{layer}/latent_radius_decay_only"] = finite_list([radius[0], radius[0] * factor])
        usage = level_usage(run, layer)
        if usage is not None:
            ratio, magnitudes, shares = usage
            record[f"{layer}/participation_ratio"] = finite_list(ratio)
            record[f"{layer}/magnitudes"] = finite_list(magnitudes)
            record[f"{layer}/level_shares"] = [finite_list(row) for row in shares]
    return record


def runs_summary(folder, spec, table):
    """The machine-readable side of the report: one record per run of the sweep."""
    runs = []
    for cell, row in zip(spec["cells"], table):
        for seed, r in row.items():
            record = {"cell": cell["name"], "overrides": overrides_of(cell), "seed": seed, "state": r["state"]}
            run = r["run"]
            if run is not None and r["state"] == "completed":
                try:
                    record.update(completed_record(run, r))
                except (RunFileError, ValueError, TypeError) as error:
                    record.update(state="unreadable", detail=str(error)[:300])
            runs.append(record)
    return {"format": "denseshift-sweep-summary", "format_version": 1, "sweep": str(folder),
            "base_source": spec.get("base_source"), "seeds": spec["seeds"],
            "made": datetime.date.today().isoformat(), "runs": runs}


def paired_lines(cells, table, seeds, key, metric, reduce):
    """Differences between cells equal but for `key`, paired by seed (b - a, first value of
    the key as a)."""
    groups = {}
    for cell, row in zip(cells, table):
        o = overrides_of(cell)
        rest = json.dumps({k: v for k, v in o.items() if k != key}, sort_keys=True)
        groups.setdefault(rest, []).append((o[key], cell, row))
    lines = [f"### Paired by seed: {metric} difference across {key}", "",
             "| cells (b − a) | mean difference | 95% interval | pairs |", "|---|---:|---|---:|"]
    for members in groups.values():
        a_value, a_cell, a_row = members[0]
        for b_value, b_cell, b_row in members[1:]:
            diffs = []
            for seed in seeds:
                ra, rb = a_row[seed], b_row[seed]
                if ra["state"] == rb["state"] == "completed":
                    va, vb = metric_value(ra["run"], metric, reduce), metric_value(rb["run"], metric, reduce)
                    if va is not None and vb is not None:
                        diffs.append(vb - va)
            mean, _, half, n = mean_interval(diffs)
            def signed(x):
                return f"{100 * x:+.2f}" if metric in FRACTION_METRICS else f"{x:+.4f}"
            mean_text = "-" if mean is None else signed(mean)
            interval = "-" if half is None else f"[{signed(mean - half)}, {signed(mean + half)}]"
            lines.append(f"| {b_cell['name']} − {a_cell['name']} | {mean_text} | {interval} | {n} |")
    return lines + [""]


def axis_figure(cells, table, key, metric, reduce, out, folder):
    from . import figures  # matplotlib only when a figure is asked for
    import matplotlib.pyplot as plt

    series = {}
    for cell, row in zip(cells, table):
        o = overrides_of(cell)
        label = ", ".join(f"{k.split('.')[-1]}={v}" for k, v in o.items() if k != key) or metric
        values = [metric_value(r["run"], metric, reduce) for r in row.values() if r["state"] == "completed"]
        values = [v for v in values if v is not None]
        mean, _, half, n = mean_interval(values)
        if mean is not None:
            series.setdefault(label, []).append((o[key], mean, half or 0.0))
    fig, ax = plt.subplots(figsize=(6, 4))
    for label, points in series.items():
        numeric = all(isinstance(x, (int, float)) for x, _, _ in points)
        xs = [x for x, _, _ in points] if numeric else [str(x) for x, _, _ in points]
        scale = 100 if metric in FRACTION_METRICS else 1
        ax.errorbar(xs, [scale * m for _, m, _ in points], yerr=[scale * h for _, _, h in points], marker="o",
                    capsize=3, label=label)
    ax.set_xlabel(key)
    ax.set_ylabel(f"{metric} ({reduce}{', %' if metric in FRACTION_METRICS else ''})")
    ax.legend(fontsize=7)
    runs = [r["run"] for row in table for r in row.values() if r["run"] is not None]
    return [pathlib.Path(p) for p in figures.save(fig, runs, out / f"{metric}_vs_{key.split('.')[-1]}")]


if __name__ == "__main__":
    main_wrapper(main)
