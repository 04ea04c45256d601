"""The 4-bit diagnosis (issue 34, item 3): why DenseShift 4-bit trails 3-bit. From the committed sweep
summaries results/four_bit/MODEL/runs.json (the 3- and 4-bit baselines and one change each to the
4-bit run) and results/four_bit/MODEL-PART/runs.json (further parts: the longer budgets), each
possibly in seed parts (SEEDS=...: MODEL/seeds-0/runs.json ...) so that each fits one session, a table of
each cell's final test top-1 over its seeds with the difference to the 3-bit and to the 4-bit
baseline (Welch 95% intervals), its final training loss and its level usage (participation ratio
and the largest magnitude's share, at init and at the end), a verdict per candidate cause, and
figures of the participation ratio and of test top-1 per epoch.

    /usr/bin/python3 -m analysis.four_bit [--out results/four_bit]

Verdicts, with the margins fixed before the data (experiments/four_bit/*.sweep.json): a change
"closes the gap" when the interval of its difference to the 3-bit baseline reaches 0 or above; it
"helps" when the interval of its difference to the 4-bit baseline lies above 0. The causes:
under-fitting (the longer budgets), unevenly used levels (level-uniform init), latent gradients
shrunk behind BatchNorm (latent learning rate scaled to the weights' size), and the sqrt(S+1)
rescaling (switched off). A cause is supported by the data when its change helps.
"""
import argparse
import datetime
import json
import pathlib
import types

import numpy as np

from .claims import git_commit
from .figures import main_wrapper, plt, save
from .files import write_whole
from .runfile import RunFileError
from .stats import mean_interval, welch

ROOT = pathlib.Path(__file__).resolve().parents[1]
MODELS = {"lenet": "LeNet"}
BASE_INIT = "low_variance"  # DenseShift's own init: the baselines'
# The candidate causes and the change that tests each (matched on the cell's label).
CAUSES = [
    ("under-fitting: 4-bit needs a longer budget", "epochs"),
    ("unevenly used levels at init (level k with probability 2^-(k+1))", "4-bit, level_uniform init"),
    ("latent gradients shrunk behind BatchNorm by the larger weights", "4-bit, latent lr x4"),
    ("the sqrt(S+1) rescaling of the latents' gradient", "4-bit, rescaling off (Eq. 7)"),
]


def label(overrides, epochs, budget):
    """A cell's name from what it changes against the baseline recipe."""
    parts = [f"{overrides.get('model.quant.bits')}-bit"]
    init = overrides.get("model.quant.init", BASE_INIT)
    if init != BASE_INIT:
        parts.append(f"{init} init")
    if overrides.get("model.quant.lr_rescaling", True) is False:
        parts.append("rescaling off (Eq. 7)")
    scale = float(overrides.get("optim.latent_lr_scale", 1.0))
    if scale != 1.0:
        parts.append(f"latent lr x{scale:g}")
    if epochs != budget:
        parts.append(f"{epochs} epochs ({epochs / budget:g}x)")
    return ", ".join(parts)


def summary_parts(out_dir, model):
    """The summaries of a model's diagnosis: MODEL/runs.json, its seed parts MODEL/seeds-*/runs.json
    (`sweep run --seeds`), then the same of each further part MODEL-PART, in name order."""
    found = []
    for folder in [out_dir / model] + sorted(p for p in out_dir.glob(f"{model}-*") if p.is_dir()):
        found += [folder / "runs.json"] if (folder / "runs.json").exists() else []
        found += sorted(folder.glob("seeds-*/runs.json"))
    return found


def load(folders):
    """(records, budget): every completed record of the parts, each with its 'label', 'epochs' and
    'sweep'; the budget is the epochs of the first part (its baselines')."""
    records, budget = [], None
    for folder in folders:
        path = folder / "runs.json"
        try:
            summary = json.loads(path.read_text())
            done = [r for r in summary["runs"] if r.get("state") == "completed" and r.get("test_top1")]
            for r in done:
                r["epochs"] = len(r["test_top1"])
                r["sweep"] = summary.get("sweep", str(folder))
            if budget is None and done:
                budget = done[0]["epochs"]
            for r in done:
                r["label"] = label(r["overrides"], r["epochs"], budget)
                if any(q["label"] == r["label"] and q["seed"] == r["seed"] for q in records):
                    raise RunFileError(f"{path}: '{r['label']}' seed {r['seed']} is in two parts of the diagnosis")
                records.append(r)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise RunFileError(f"{path}: not a sweep summary of the 4-bit diagnosis ({error})") from None
    return records, budget


def layer_series(record, name):
    """{layer: series} of one per-layer summary entry (LAYER/NAME)."""
    suffix = "/" + name
    return {k[: -len(suffix)]: v for k, v in record.items() if k.endswith(suffix)}


def mean_ratio(record):
    """The participation ratio per epoch (epoch 0 = init), averaged over the run's quantized layers."""
    ratios = [np.asarray(v, dtype=float) for v in layer_series(record, "participation_ratio").values()]
    return np.mean(ratios, axis=0) if ratios else None


def top_share(record, index):
    """The share of weights at the largest magnitude at record `index`, averaged over the layers."""
    shares = [row[index][-1] for row in layer_series(record, "level_shares").values()]
    return float(np.mean(shares)) if shares else None


def fmt_interval(values, scale=100.0, digits=2):
    m, _, half, n = mean_interval([scale * v for v in values])
    if m is None:
        return "-"
    return f"{m:.{digits}f} ± {half:.{digits}f}" if half is not None else f"{m:.{digits}f} (n=1)"


def fmt_diff(a, b):
    """b - a in points with its Welch interval, or '-' with fewer than 2 runs on a side."""
    if len(a) < 2 or len(b) < 2:
        return "-", None
    d, lo, hi = welch([100 * x for x in a], [100 * x for x in b])
    return f"{d:+.2f} [{lo:+.2f}, {hi:+.2f}]", (d, lo, hi)


def cells_of(records):
    cells = {}
    for r in records:
        cells.setdefault(r["label"], []).append(r)
    order = lambda name: (name.split("-bit")[0], name.count(",") > 0, name)  # noqa: E731
    return {name: cells[name] for name in sorted(cells, key=order)}


def figures(model, cells, out_dir):
    written = []
    stand_ins = [types.SimpleNamespace(environment={"git_commit": r.get("commit", "?")},
                                       path=pathlib.Path(r["sweep"]) / "runs" / r["cell"] / f"seed{r['seed']}" / "run.h5")
                 for rs in cells.values() for r in rs]
    fig, (ax_pr, ax_top1) = plt.subplots(1, 2, figsize=(9.6, 3.6))
    for name, rs in cells.items():
        ratios = [x for x in (mean_ratio(r) for r in rs) if x is not None]
        if ratios:
            length = min(len(x) for x in ratios)
            ax_pr.plot(np.arange(length), np.mean([x[:length] for x in ratios], axis=0), label=name)
        length = min(len(r["test_top1"]) for r in rs)
        top1 = np.mean([np.asarray(r["test_top1"][:length], dtype=float) for r in rs], axis=0)
        ax_top1.plot(np.arange(1, length + 1), 100 * top1, label=name)
    ax_pr.set_xlabel("epoch (0 = init)")
    ax_pr.set_ylabel("participation ratio of |w|, mean over layers")
    ax_pr.set_yscale("log")
    ax_pr.set_title(f"{MODELS[model]}: level usage")
    ax_top1.set_xlabel("epoch")
    ax_top1.set_ylabel("test top-1 (%), mean over seeds")
    ax_top1.set_title(f"{MODELS[model]}: accuracy")
    ax_top1.set_ylim(bottom=max(0, ax_top1.get_ylim()[0]), top=None)
    for ax in (ax_pr, ax_top1):
        ax.grid(alpha=0.3)
    ax_top1.legend(fontsize=6)
    written += save(fig, stand_ins, out_dir / f"{model}_levels_and_top1")
    return written


def section(model, out_dir):
    folders = [f.parent for f in summary_parts(out_dir, model)]
    lines = [f"## {MODELS[model]}", ""]
    if not folders:
        return lines + [f"not yet run (`bash experiments/four_bit/run.sh {model}`)", ""], []
    records, budget = load(folders)
    cells = cells_of(records)
    finals = {name: [r["test_top1"][-1] for r in rs] for name, rs in cells.items()}
    base3, base4 = finals.get("3-bit", []), finals.get("4-bit", [])
    lines += [f"Budget {budget} epochs (the baselines'); cells that change only the budget say so.", "",
              "| cell | n | test top-1 (%) | vs 3-bit baseline (points) | vs 4-bit baseline (points) | "
              "final train loss | participation ratio, init → end | largest magnitude's share, init → end |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    verdicts = {}
    for name, rs in cells.items():
        d3, i3 = fmt_diff(base3, finals[name]) if name != "3-bit" else ("-", None)
        d4, i4 = fmt_diff(base4, finals[name]) if name != "4-bit" else ("-", None)
        verdicts[name] = (i3, i4)
        loss = fmt_interval([r["train_loss"][-1] for r in rs if r.get("train_loss")], scale=1.0, digits=4)
        ratios = [x for x in (mean_ratio(r) for r in rs) if x is not None]
        ratio = f"{np.mean([x[0] for x in ratios]):.3f} → {np.mean([x[-1] for x in ratios]):.3f}" if ratios else "-"
        tops = [(top_share(r, 0), top_share(r, -1)) for r in rs]
        tops = [t for t in tops if t[0] is not None]
        top = f"{100 * np.mean([t[0] for t in tops]):.2f}% → {100 * np.mean([t[1] for t in tops]):.2f}%" if tops else "-"
        lines.append(f"| {name} | {len(rs)} | {fmt_interval(finals[name])} | {d3} | {d4} | {loss} | {ratio} | {top} |")
    lines += ["", "Intervals: Student-t 95% over seeds (a cell), Welch 95% (a difference). Participation ratio "
                  "(sum w^2)^2 / (N sum w^4) of the quantized layers' weights, mean over layers and seeds; "
                  "'largest magnitude' is the space's largest (2^7 at 4 bits, 2^3 at 3).", ""]
    gap = verdicts.get("4-bit", (None, None))[0]
    lines += ["### Verdicts", ""]
    if gap:
        d, lo, hi = gap
        trails = hi < 0
        lines.append(f"- The gap: 4-bit minus 3-bit at {budget} epochs is {d:+.2f} [{lo:+.2f}, {hi:+.2f}] points: "
                     + ("4-bit trails 3-bit." if trails else "4-bit does not trail 3-bit here."))
    else:
        lines.append("- The gap: not measured yet (the baselines need 2+ seeds each).")
    for cause, key in CAUSES:
        names = [n for n in cells if (key == "epochs" and n.startswith("4-bit, ") and "epochs (" in n) or n == key]
        if not names:
            lines.append(f"- {cause}: no data yet.")
            continue
        parts, supported = [], False
        for n in names:
            i3, i4 = verdicts[n]
            if i3 is None or i4 is None:
                parts.append(f"{n}: fewer than 2 seeds")
                continue
            helps, closes = i4[1] > 0, i3[2] >= 0
            supported |= helps
            parts.append(f"{n} {'helps' if helps else 'does not help'} ({i4[0]:+.2f} against 4-bit) and "
                         f"{'closes' if closes else 'does not close'} the gap ({i3[0]:+.2f} against 3-bit)")
        lines.append(f"- {cause}: **{'supported' if supported else 'not supported'}**: " + "; ".join(parts) + ".")
    control = verdicts.get("3-bit, level_uniform init")
    if control and control[0]:
        lines.append(f"- Control: level-uniform init at 3 bits changes 3-bit by {control[0][0]:+.2f} "
                     f"[{control[0][1]:+.2f}, {control[0][2]:+.2f}] points.")
    cpus = sorted({r.get("cpu", "?") for r in records})
    commits = sorted({r.get("commit", "?") for r in records})
    shown = [str((f / "runs.json").resolve().relative_to(ROOT)) if f.resolve().is_relative_to(ROOT) else str(f)
             for f in folders]
    lines += ["", f"Runs: {len(records)} completed ({', '.join(shown)}; each report.md beside it has the training "
                  f"command), commit(s) {', '.join(commits)}, CPU {'; '.join(cpus)}."
              + (" Runs of this table come from different CPUs." if len(cpus) > 1 else ""), ""]
    paths = figures(model, cells, out_dir)
    lines += [f"![{MODELS[model]}]({p.name})" for p in paths if p.suffix == ".png"] + [""]
    return lines, paths


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "results" / "four_bit"), help="folder of README.md and the figures")
    args = ap.parse_args(argv)
    out_dir = pathlib.Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = ["# Why DenseShift 4-bit trails 3-bit (issue 34, item 3)", "",
             f"Made by `/usr/bin/python3 -m analysis.four_bit` on {datetime.date.today().isoformat()} at commit "
             f"{git_commit()} from the committed sweep summaries; the runs by `bash experiments/four_bit/run.sh` "
             "(experiments/four_bit/*.sweep.json: the paper-reproduction recipe at the model's budget, "
             "results/budget/README.md, histograms recorded).", "",
             "A change *helps* when its difference to the 4-bit baseline has a 95% interval above 0, and "
             "*closes the gap* when its difference to the 3-bit baseline has one reaching 0 or above; a cause is "
             "supported when its change helps (margins fixed before the data).", ""]
    written = []
    for model in MODELS:
        part, paths = section(model, out_dir)
        lines += part
        written += paths
    readme = out_dir / "README.md"
    write_whole(readme, "\n".join(lines).rstrip() + "\n")
    return [readme, *written]


if __name__ == "__main__":
    main_wrapper(main)
