"""The budget study (issue 34, step 1): final test top-1 of full precision and DenseShift 2/3/4-bit
against the training budget (epochs doubling), the gain of each doubling, and the converged budget
per model, from the committed sweep summaries results/budget/MODEL/runs.json and those of the
model's further parts, results/budget/MODEL-PART/runs.json (e.g. resnet20-16ep: a budget step run
as a sweep of its own so that each part fits one session).

    /usr/bin/python3 -m analysis.budget [--out results/budget]

A method has converged at E epochs when doubling E gains less than its margin: 0.2 point for full
precision, 0.3 for DenseShift (the issue's margins, fixed before any budget run). A model's budget
is the largest of its methods' converged budgets; a method whose last doubling still gains its
margin or more has not converged within the sweep, and the model's budget is then the sweep's
largest (capped, said so). One seed per budget: a gain of a few tenths is within seed noise, so the
verdicts are read with the seed spread of the 3-seed sweeps beside them (results/table1/).
Writes OUT/README.md and OUT/MODEL_top1_vs_epochs.png/.pdf; a summary not made yet is "not yet run".
"""
import argparse
import datetime
import json
import pathlib
import types

from .claims import git_commit
from .figures import main_wrapper, plt, save
from .files import write_whole
from .runfile import RunFileError

ROOT = pathlib.Path(__file__).resolve().parents[1]
MODELS = {"lenet": "LeNet", "resnet20": "ResNet-20"}
MARGIN = {"full_precision": 0.2, "sign_scale": 0.3}  # points of test top-1 per doubling


def method_of(overrides):
    p = overrides.get("model.quant.parametrization")
    if p == "full_precision":
        return "full precision"
    return f"DenseShift {overrides.get('model.quant.bits')}-bit"


def load(summary_path, curves=None, kinds=None, records=None):
    """{method: {epochs: final test top-1 in %}}, the parametrization of each method, and the records
    (added to those given: the parts of one model's study; a budget two parts hold is an error)."""
    curves, kinds, records = ({} if curves is None else curves), ({} if kinds is None else kinds), \
        ([] if records is None else records)
    try:
        summary = json.loads(pathlib.Path(summary_path).read_text())
        for r in summary["runs"]:
            if r.get("state") != "completed" or not r.get("test_top1"):
                continue
            o = r["overrides"]
            method = method_of(o)
            kinds[method] = o["model.quant.parametrization"]
            epochs = int(o["train.epochs"])
            if epochs in curves.get(method, {}):
                raise RunFileError(f"{summary_path}: {method} at {epochs} epochs is in two runs or parts of the study")
            curves.setdefault(method, {})[epochs] = 100 * r["test_top1"][-1]
            records.append(r)
    except (ValueError, KeyError, TypeError) as error:
        raise RunFileError(f"{summary_path}: not a sweep summary of the budget study ({error})") from None
    return curves, kinds, records, summary


def converged_at(curve, margin):
    """(epochs, gains): the smallest budget whose doubling gains < margin (None if none does), and
    [(E, 2E, gain)] for each doubling the sweep holds."""
    budgets = sorted(curve)
    gains = [(a, b, curve[b] - curve[a]) for a, b in zip(budgets, budgets[1:]) if b == 2 * a]
    for a, _, gain in gains:
        if gain < margin:
            return a, gains
    return None, gains


def figure(model, curves, records, out_dir):
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    for method in sorted(curves, key=lambda m: (m != "full precision", m)):
        budgets = sorted(curves[method])
        ax.plot(budgets, [curves[method][e] for e in budgets], marker="o", label=method)
    ax.set_xscale("log", base=2)
    budgets = sorted({e for c in curves.values() for e in c})
    ax.set_xticks(budgets, [str(e) for e in budgets])
    ax.set_xlabel("training budget (epochs, doubling)")
    ax.set_ylabel("final test top-1 (%), 1 seed")
    ax.set_title(f"{MODELS[model]} on Fashion-MNIST: accuracy against budget")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    stand_ins = [types.SimpleNamespace(environment={"git_commit": r.get("commit", "?")},
                                       path=pathlib.Path(r["sweep"]) / "runs" / r["cell"] / f"seed{r['seed']}" / "run.h5")
                 for r in records]
    return save(fig, stand_ins, out_dir / f"{model}_top1_vs_epochs")


def parts(model, out_dir):
    """The folders of a model's study: MODEL first, then MODEL-PART in name order."""
    return [out_dir / model] + sorted(p for p in out_dir.glob(f"{model}-*") if p.is_dir())


def section(model, out_dir):
    folders = [f for f in parts(model, out_dir) if (f / "runs.json").exists()]
    lines = [f"## {MODELS[model]}", ""]
    if not folders:
        return lines + [f"not yet run (`bash experiments/budget/run.sh {model}`)", ""], [], None
    curves, kinds, records = {}, {}, []
    for f in folders:
        before = len(records)
        _, _, _, summary = load(f / "runs.json", curves, kinds, records)
        for r in records[before:]:
            r["sweep"] = summary.get("sweep", str(f))  # where its run file lies, for the figure's provenance
    figure_paths = figure(model, curves, records, out_dir) if curves else []
    budgets = sorted({e for c in curves.values() for e in c})
    lines += ["| method | " + " | ".join(f"{e} ep" for e in budgets) + " | gain per doubling (points) | converged at |",
              "|---|" + "---:|" * len(budgets) + "---|---|"]
    chosen, capped = [], []
    for method in sorted(curves, key=lambda m: (m != "full precision", m)):
        curve = curves[method]
        margin = MARGIN[kinds[method]]
        at, gains = converged_at(curve, margin)
        gain_text = ", ".join(f"{a}→{b}: {g:+.2f}" for a, b, g in gains) or "-"
        cells = " | ".join(f"{curve[e]:.2f}" if e in curve else "-" for e in budgets)
        verdict = f"{at} epochs (next doubling < {margin})" if at else f"not within {max(curve)} epochs (margin {margin})"
        lines.append(f"| {method} | {cells} | {gain_text} | {verdict} |")
        if at:
            chosen.append(at)
        else:
            capped.append(method)
    cpus = sorted({r.get("cpu", "?") for r in records})
    commits = sorted({r.get("commit", "?") for r in records})
    # Parts of the study whose spec exists but whose summary does not: the verdict waits for them.
    pending = [s.name[: -len(".sweep.json")] for s in sorted((ROOT / "experiments" / "budget").glob(f"{model}-*.sweep.json"))
               if not (out_dir / s.name[: -len(".sweep.json")] / "runs.json").exists()]
    if pending:
        lines += ["", "**Provisional**: part(s) " + ", ".join(f"{p} (`bash experiments/budget/run.sh {p}`)" for p in pending)
                  + " not yet run; the budget below is what the parts run so far say."]
    if capped:
        budget = max(budgets) if budgets else None
        lines += ["", f"**Budget: {budget} epochs, capped**: {', '.join(capped)} still gained the margin at the "
                      f"sweep's last doubling, so {MODELS[model]} has not been shown converged within it."]
    else:
        budget = max(chosen) if chosen else None
        lines += ["", f"**Budget: {budget} epochs**, the largest of the methods' converged budgets."]
    shown = []
    for f in folders:
        f = f.resolve()
        shown.append(f"{f.relative_to(ROOT) if f.is_relative_to(ROOT) else f}/runs.json")
    lines += ["", f"Runs: {len(records)} completed, 1 seed each ({', '.join(shown)}; "
                  "each report.md beside it has the training command), commit(s) " + ", ".join(commits) +
                  ", CPU " + "; ".join(cpus) + "." + (" Runs of this table come from different CPUs." if len(cpus) > 1 else ""),
              ""]
    lines += [f"![{MODELS[model]}]({p.name})" for p in figure_paths if p.suffix == ".png"] + [""]
    return lines, figure_paths, budget


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "results" / "budget"), help="folder of README.md and the figures")
    args = ap.parse_args(argv)
    out_dir = pathlib.Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = ["# Budget study (issue 34, step 1)", "",
             f"Made by `/usr/bin/python3 -m analysis.budget` on {datetime.date.today().isoformat()} at commit "
             f"{git_commit()} from the committed sweep summaries; the runs by `bash experiments/budget/run.sh` "
             "(experiments/budget/*.sweep.json: the paper-reproduction recipes of experiments/common/ with "
             "train.epochs doubling, a per-step cosine schedule over the whole budget).", "",
             "Converged: doubling the budget gains less than 0.2 point (full precision) or 0.3 (DenseShift), "
             "margins fixed before the data. One seed per budget, so a gain of a few tenths is within seed "
             "noise (see the seed spread of the 3-seed sweeps in results/table1/); the chosen budget then gets "
             "3 seeds.", ""]
    written = []
    for model in MODELS:
        part, paths, _ = section(model, out_dir)
        lines += part
        written += paths
    readme = out_dir / "README.md"
    write_whole(readme, "\n".join(lines).rstrip() + "\n")
    return [readme, *written]


if __name__ == "__main__":
    main_wrapper(main)
