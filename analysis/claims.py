"""The claims table: each paper claim, the toolkit's measurement of it and a verdict, computed from
committed sweep summaries (the runs.json that analysis.sweep_report writes beside report.md).

    /usr/bin/python3 -m analysis.claims experiments/claims.json [--out results/claims.md]

The claims file (JSON with // comments) lists claims; a claim either names the capability it
still needs ("needs") or lists comparisons. A comparison takes one cell from a summary as `a` and
one as `b` (a cell is chosen by a subset of its overrides, which must match exactly one cell),
and tests the difference b − a of a metric (default: final test_top1) against a hypothesis. A summary
name may be a glob (results/converged/lenet/seeds-*/runs.json): the parts of a sweep run with
`sweep run --seeds`, merged (each cell's seeds from every part; a seed completed twice is an error).
A run's series becomes one value by `reduce`: "final" (the default), "first" (epoch 0 where the
series starts at init, e.g. LAYER/freezing), "mean" (over the epochs) or "best" (the lowest loss,
the highest otherwise); `reduce_a` / `reduce_b` set it per side, so a cell can be compared with
itself (its last epoch against its start, paired by seed); `metric_a` / `metric_b` set the series
per side (e.g. a measured latent radius against where weight decay alone would have taken it).
Hypotheses:

- "greater": b − a > margin. Holds when the 95% interval lies above the margin, does not hold
  when it lies below it, inconclusive when it contains it.
- "not_worse": b − a > −margin (non-inferiority). Holds when the interval lies above −margin,
  does not hold when it lies below −margin.
- "less": b − a < −margin (a fall of more than the margin). Holds when the interval lies below
  −margin, does not hold when it lies above it.
- "within": |b − a| ≤ margin (equivalence). Holds when the interval lies inside [−margin,
  margin], does not hold when it lies wholly outside, inconclusive otherwise.

"minus": {"a": {...}, "b": {...}} (paired only) tests a contrast instead, (b − a) − (b' − a') per seed, with
a' and b' the minus cells, from the same summaries as a and b or from minus's own "summary" (e.g. "the
lead at 2 bits exceeds the lead at 3 bits").
"paired": true pairs the runs by seed (both cells must share seeds; the differences' t interval),
otherwise Welch's interval. "relative": true (paired only) tests (b − a) / a per seed instead, in %
of a (the margin too is a fraction of a). Fewer than 3 completed runs (or pairs) on a side give "pending" with
the counts, never a verdict; a summary file that does not exist yet gives "not yet run". A claim
whose experiment is defined but not run names it in "planned" instead of comparisons. A claim that
no seed statistics decide (an exact equivalence, e.g. Theorem 1) names a "check": a JSON file of
format "denseshift-check" that its experiment's committed command wrote, with the verdict it
computed from its measurements, a one-line summary, how it was made and optionally the "metric"
column's text (default "exact check"); or a list of such files, a row each (e.g. one per instruction
set of a kernel benchmark). A claim's `notes` map a verdict to the sentence printed with it.
"""
import argparse
import datetime
import json
import pathlib
import re
import subprocess

from .figures import main_wrapper
from .files import write_whole
from .runfile import RunFileError
from .stats import mean_interval, welch

ROOT = pathlib.Path(__file__).resolve().parents[1]
FRACTION_METRICS = {"test_top1", "test_top5", "train_top1", "validation_top1"}
HYPOTHESES = {"greater", "not_worse", "less", "within"}
REDUCES = {"final", "first", "mean", "best"}
VERDICT_ORDER = ["holds", "does not hold", "inconclusive", "pending", "not yet run", "not yet tested"]
MIN_RUNS = 3


class ClaimsError(RunFileError):
    """A claims file or summary that cannot be used; the message names the file and the key."""


def strip_comments(text):
    """JSON with // line comments (outside strings) to plain JSON."""
    out = []
    for line in text.splitlines():
        in_string, escaped, cut = False, False, len(line)
        for i, ch in enumerate(line):
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = not in_string
            elif ch == "/" and not in_string and line[i + 1:i + 2] == "/":
                cut = i
                break
        out.append(line[:cut])
    return "\n".join(out)


def load_json(path, what):
    try:
        return json.loads(strip_comments(pathlib.Path(path).read_text()))
    except FileNotFoundError as error:
        raise ClaimsError(f"{path}: no such {what}") from error
    except json.JSONDecodeError as error:
        raise ClaimsError(f"{path}: not valid JSON ({error})") from error


def merge_parts(parts, root):
    """One summary from the parts of a sweep: per (cell, seed) the completed record (a seed completed
    in two parts is an error), else the first part's."""
    merged, where = {}, {}
    for path, data in parts:
        for r in data.get("runs", []):
            key = (r.get("cell"), r.get("seed"))
            if key in merged and merged[key]["state"] == "completed" and r.get("state") == "completed":
                raise ClaimsError(f"{path.relative_to(root)}: cell {key[0]} seed {key[1]} is completed in two parts "
                                  f"(also {where[key].relative_to(root)})")
            if key not in merged or (r.get("state") == "completed" and merged[key]["state"] != "completed"):
                merged[key], where[key] = r, path
    return dict(parts[0][1], runs=list(merged.values()))


class Summaries:
    """runs.json files, loaded once each, relative to the repository root."""

    def __init__(self, root):
        self.root = pathlib.Path(root)
        self.cache = {}

    def paths(self, name):
        """The files a summary name stands for: itself, or every match of a glob pattern (the parts of
        a sweep run as `--seeds` parts, e.g. results/converged/lenet/seeds-*/runs.json)."""
        if any(ch in name for ch in "*?["):
            return sorted(self.root.glob(name))
        return [self.root / name] if (self.root / name).exists() else []

    def exists(self, name):
        return bool(self.paths(name))

    def get(self, name):
        if name not in self.cache:
            parts = []
            for path in self.paths(name) or [self.root / name]:
                data = load_json(path, "sweep summary (made by analysis.sweep_report)")
                if data.get("format") != "denseshift-sweep-summary" or data.get("format_version") != 1:
                    raise ClaimsError(f"{path.relative_to(self.root)}: not a sweep summary of format version 1")
                parts.append((path, data))
            self.cache[name] = parts[0][1] if len(parts) == 1 else merge_parts(parts, self.root)
        return self.cache[name]

    def cell_values(self, name, select, metric, reduce):
        """{seed: value} of the completed runs of the one cell whose overrides include `select`,
        the cell's name, and the runs (any state) of that cell."""
        runs = self.get(name)["runs"]
        cells = {}
        for r in runs:
            if all(k in r["overrides"] and r["overrides"][k] == v for k, v in select.items()):
                cells.setdefault(r["cell"], []).append(r)
        if len(cells) != 1:
            found = "no cell" if not cells else f"{len(cells)} cells ({', '.join(sorted(cells))})"
            raise ClaimsError(f"{name}: {json.dumps(select)} matches {found}; it must match exactly one")
        cell, members = next(iter(cells.items()))
        values = {}
        for r in members:
            if r["state"] != "completed":
                continue
            if metric not in r:
                raise ClaimsError(f"{name}: cell {cell} seed {r['seed']} has no series '{metric}'")
            series = [v for v in r[metric] if v is not None]
            if series:
                values[r["seed"]] = reduce_series(series, metric, reduce)
        return values, cell, members


def mixed_cpus(cell, members):
    """'CELL: n on CPU, m on CPU' when a cell's completed runs come from more than one CPU, else ''."""
    cpus = {}
    for r in members:
        if r["state"] == "completed":
            cpu = r.get("cpu", "?")
            cpus[cpu] = cpus.get(cpu, 0) + 1
    if len(cpus) < 2:
        return ""
    return f"{cell}: " + ", ".join(f"{n} on {cpu}" for cpu, n in sorted(cpus.items()))


def reduce_series(series, metric, reduce):
    if reduce == "final":
        return series[-1]
    if reduce == "first":
        return series[0]
    if reduce == "mean":
        return sum(series) / len(series)
    return min(series) if metric.endswith("loss") else max(series)


def verdict(hypothesis, margin, lo, hi):
    if hypothesis == "greater":
        return "holds" if lo > margin else "does not hold" if hi < margin else "inconclusive"
    if hypothesis == "not_worse":
        return "holds" if lo > -margin else "does not hold" if hi < -margin else "inconclusive"
    if hypothesis == "less":
        return "holds" if hi < -margin else "does not hold" if lo > -margin else "inconclusive"
    # within
    if -margin <= lo and hi <= margin:
        return "holds"
    return "does not hold" if lo > margin or hi < -margin else "inconclusive"


def evaluate(summaries, comparison, where):
    """A comparison's figures and verdict: dict with text fields for the table."""
    for key in ("summary", "a", "b", "hypothesis"):
        if key not in comparison:
            raise ClaimsError(f"{where}: comparison has no '{key}'")
    hypothesis = comparison["hypothesis"]
    if hypothesis not in HYPOTHESES:
        raise ClaimsError(f"{where}: hypothesis '{hypothesis}' is not one of {', '.join(sorted(HYPOTHESES))}")
    metric = comparison.get("metric", "test_top1")
    # metric_a / metric_b: a side's own series (e.g. a measured radius against its predicted one)
    metric_a, metric_b = comparison.get("metric_a", metric), comparison.get("metric_b", metric)
    if metric_a != metric_b:
        metric = f"{metric_b} against {metric_a}"
    reduce = comparison.get("reduce", "final")
    reduce_a, reduce_b = comparison.get("reduce_a", reduce), comparison.get("reduce_b", reduce)
    for key, value in (("reduce", reduce), ("reduce_a", reduce_a), ("reduce_b", reduce_b)):
        if value not in REDUCES:
            raise ClaimsError(f"{where}: {key} '{value}' is not one of {', '.join(sorted(REDUCES))}")
    reduced = reduce_a if reduce_a == reduce_b else f"a: {reduce_a}, b: {reduce_b}"
    margin = float(comparison.get("margin", 0.0))
    paired = bool(comparison.get("paired", False))
    relative = bool(comparison.get("relative", False))
    if relative and not paired:
        raise ClaimsError(f"{where}: 'relative' needs 'paired' (a ratio per seed)")
    summary_a = comparison["summary"]
    summary_b = comparison.get("summary_b", summary_a)
    for name in (summary_a, summary_b):
        if not summaries.exists(name):
            return {"a": "-", "b": "-", "metric": f"{metric} ({reduced})", "label": comparison.get("label", ""),
                    "diff": "-", "verdict": f"not yet run (no {name})"}
    va, cell_a, members_a = summaries.cell_values(summary_a, comparison["a"], metric_a, reduce_a)
    vb, cell_b, members_b = summaries.cell_values(summary_b, comparison["b"], metric_b, reduce_b)
    mixed = [mixed_cpus(cell_a, members_a), mixed_cpus(cell_b, members_b)]
    minus = comparison.get("minus")
    if minus is not None:
        if not paired or relative or not isinstance(minus, dict) or not {"a", "b"} <= set(minus) <= {"a", "b", "summary"}:
            raise ClaimsError(f"{where}: 'minus' needs 'paired' (not 'relative') and holds 'a', 'b' and optionally "
                              "'summary'")
        summary_c = summary_d = minus.get("summary")
        if summary_c is None:
            summary_c, summary_d = summary_a, summary_b
        if not summaries.exists(summary_c):
            return {"a": "-", "b": "-", "metric": f"{metric} ({reduced})", "label": comparison.get("label", ""),
                    "diff": "-", "verdict": f"not yet run (no {summary_c})"}
        vc, cell_c, members_c = summaries.cell_values(summary_c, minus["a"], metric_a, reduce_a)
        vd, cell_d, members_d = summaries.cell_values(summary_d, minus["b"], metric_b, reduce_b)
        mixed += [mixed_cpus(cell_c, members_c), mixed_cpus(cell_d, members_d)]
    # Accuracies in points to 2 decimals; other metrics (cosine similarities, rates) to 3.
    scale, unit, digits = (100.0, " points", 2) if metric_b in FRACTION_METRICS else (1.0, "", 3)

    def num(x, signed=True):
        return f"{scale * x:+.{digits}f}" if signed else f"{scale * x:.{digits}f}"

    ma, sa, _, na = mean_interval(list(va.values()))
    mb, sb, _, nb = mean_interval(list(vb.values()))

    def side(m, s, n):
        if m is None:
            return "no completed run"
        return f"{num(m, False)} ± {num(s, False)} (n={n})" if s is not None else f"{num(m, False)} (n={n})"

    out = {"a": f"{cell_a}: {side(ma, sa, na)}", "b": f"{cell_b}: {side(mb, sb, nb)}",
           "metric": f"{metric} ({reduced})", "label": comparison.get("label", "")}
    if minus is not None:
        mc, sc, _, nc = mean_interval(list(vc.values()))
        md, sd, _, nd = mean_interval(list(vd.values()))
        out["a"] += f"; a' = {cell_c}: {side(mc, sc, nc)}"
        out["b"] += f"; b' = {cell_d}: {side(md, sd, nd)}"
        seeds = sorted(set(va) & set(vb) & set(vc) & set(vd))
        diffs = [(vb[s] - va[s]) - (vd[s] - vc[s]) for s in seeds]
        mean, _, half, n = mean_interval(diffs)
        enough = n >= MIN_RUNS
        lo, hi = (mean - half, mean + half) if half is not None else (None, None)
        how = f"paired by seed, {n} seeds; (b − a) − (b' − a')"
        na, nb = min(na, nc), min(nb, nd)
    elif paired:
        seeds = sorted(set(va) & set(vb))
        if relative and any(va[s] == 0 for s in seeds):
            raise ClaimsError(f"{where}: 'relative' divides by a, and a is 0 for a seed of {cell_a}")
        diffs = [(vb[s] - va[s]) / abs(va[s]) if relative else vb[s] - va[s] for s in seeds]
        mean, _, half, n = mean_interval(diffs)
        enough = n >= MIN_RUNS
        lo, hi = (mean - half, mean + half) if half is not None else (None, None)
        how = f"paired by seed, {n} pairs" + ("; (b − a) / a" if relative else "")
    else:
        enough = na >= MIN_RUNS and nb >= MIN_RUNS
        mean, lo, hi = welch(list(va.values()), list(vb.values())) if na >= 2 and nb >= 2 else (None, None, None)
        how = "Welch"
    if mean is None or not enough:
        out.update(diff="-", verdict=f"pending ({na} and {nb} completed runs; {MIN_RUNS} needed)")
        return out
    if relative:  # the difference as a share of a

        def diff_num(x, signed=True):
            return f"{100 * x:+.1f}%" if signed else f"{100 * x:.1f}%"
        unit = ""
    else:
        diff_num = num
    target = {"greater": f"> {diff_num(margin)}", "not_worse": f"> {diff_num(-margin)}",
              "less": f"< {diff_num(-margin)}", "within": f"within ±{diff_num(margin, False)}"}[hypothesis]
    mixed = sorted({m for m in mixed if m})
    if mixed:  # the guide's rule: one cell's runs should not mix CPUs; say so where they do
        how += "; runs of one cell from different CPUs: " + "; ".join(mixed)
    tested = "(b − a) − (b' − a')" if minus is not None else "b − a"
    out["tested"] = tested
    out["diff"] = f"{diff_num(mean)} [{diff_num(lo)}, {diff_num(hi)}]{unit} ({how}; claim: {tested} {target})"
    out["verdict"] = verdict(hypothesis, margin, lo, hi)
    return out


def git_commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cell_text(text):
    return re.sub(r"\s+", " ", str(text)).replace("|", "\\|").strip()


def check_row(root, name, where, counts, notes=None):
    """The row cells of a claim decided by a check file (results link, metric, ours, verdict, why: the
    claim's note for the verdict)."""
    folder = pathlib.PurePosixPath(name).parent
    link = f"[{folder}]({pathlib.PurePosixPath('..') / folder})"
    if not (root / name).exists():
        counts["not yet run"] = counts.get("not yet run", 0) + 1
        return [link, "-", "-", f"not yet run (no {name})", ""]
    data = load_json(root / name, "check file")
    if data.get("format") != "denseshift-check" or data.get("format_version") != 1:
        raise ClaimsError(f"{where}: {name} is not a check file of format version 1")
    for key in ("verdict", "summary", "made"):
        if key not in data:
            raise ClaimsError(f"{where}: {name} has no '{key}'")
    if data["verdict"] not in ("holds", "does not hold", "inconclusive"):
        raise ClaimsError(f"{where}: {name}: verdict '{data['verdict']}' is not holds, does not hold or inconclusive")
    counts[data["verdict"]] = counts.get(data["verdict"], 0) + 1
    return [link, cell_text(data.get("metric", "exact check")), cell_text(f"{data['summary']} ({data['made']})"),
            data["verdict"], cell_text((notes or {}).get(data["verdict"], ""))]


def family_lines(counts):
    """What a family of decided comparisons means for its 95% intervals."""
    decided = sum(counts.get(v, 0) for v in ("holds", "does not hold", "inconclusive"))
    if not decided:
        return []
    return [f"Family size: {decided} decided comparisons (holds, does not hold or inconclusive), each on its own "
            "two-sided 95% interval, so a comparison whose claim is false at its margin reads \"holds\" by chance "
            f"with probability at most 2.5%: up to about {0.025 * decided:.1f} of the {decided} if every claim were "
            "false (rows of one claim share runs, so their errors are not independent). A 95% guarantee over the "
            f"whole family (Bonferroni) would need each interval at {100 * (1 - 0.05 / decided):.2f}%: read a "
            "\"holds\" whose interval clears its margin by little as weaker evidence than the word suggests."]


def render(spec, summaries, command):
    claims = spec.get("claims")
    if not isinstance(claims, list) or not claims:
        raise ClaimsError("claims file: 'claims' must be a non-empty list")
    rows, counts, claim_rows = [], {}, []
    for i, claim in enumerate(claims):
        where = f"claim {claim.get('id', i)}"
        for key in ("id", "paper", "claim"):
            if key not in claim:
                raise ClaimsError(f"{where}: no '{key}'")
        before = dict(counts)
        claim_rows.append((claim, before))
        head = [cell_text(f"**{claim['id']}** — {claim['claim']} ({claim['paper']})"),
                cell_text(claim.get("evidence", "-"))]
        experiment = claim.get("experiment")
        link = f"[{experiment}]({pathlib.PurePosixPath('..') / experiment})" if experiment else "-"
        if "needs" in claim:
            counts["not yet tested"] = counts.get("not yet tested", 0) + 1
            rows.append(head + [link, "-", "-", "not yet tested", cell_text(f"needs {claim['needs']}")])
            continue
        if "planned" in claim:
            counts["not yet run"] = counts.get("not yet run", 0) + 1
            rows.append(head + [link, "-", "-", "not yet run", cell_text(claim["planned"])])
            continue
        if "check" in claim:
            # one check file, or a list of them (one row each, e.g. one per ISA)
            checks = claim["check"] if isinstance(claim["check"], list) else [claim["check"]]
            if not checks or not all(isinstance(c, str) for c in checks):
                raise ClaimsError(f"{where}: 'check' must be a file name or a non-empty list of them")
            for j, name in enumerate(checks):
                rows.append((head if j == 0 else ["", ""]) +
                            check_row(summaries.root, name, where, counts, claim.get("notes")))
            continue
        comparisons = claim.get("comparisons")
        if not comparisons:
            raise ClaimsError(f"{where}: none of 'needs', 'planned', 'check', 'comparisons'")
        notes = claim.get("notes", {})
        for j, comparison in enumerate(comparisons):
            result = evaluate(summaries, comparison, f"{where}, comparison {j + 1}")
            v = result["verdict"]
            counts[v.split(" (")[0]] = counts.get(v.split(" (")[0], 0) + 1
            results_link = pathlib.PurePosixPath(comparison["summary"]).parent
            while any(ch in results_link.name for ch in "*?["):  # a glob of parts: link their folder
                results_link = results_link.parent
            ours = (f"{result['label']}: " if result["label"] else "") + \
                f"b = {result['b']}; a = {result['a']}; {result.get('tested', 'b − a')} = {result['diff']}"
            note = notes.get(v.split(" (")[0], "")
            rows.append((head if j == 0 else ["", ""]) +
                        [f"[{results_link}]({pathlib.PurePosixPath('..') / results_link})",
                         cell_text(result["metric"]), cell_text(ours), v, cell_text(note)])
    # In short: each claim's verdicts (the counts it added), in the table's order.
    short = ["| claim | paper | verdicts |", "|---|---|---|"]
    for k, (claim, before) in enumerate(claim_rows):
        after = claim_rows[k + 1][1] if k + 1 < len(claim_rows) else counts
        added = {v: after.get(v, 0) - before.get(v, 0) for v in after if after.get(v, 0) > before.get(v, 0)}
        ordered = sorted(added.items(), key=lambda kv: VERDICT_ORDER.index(kv[0]))
        short.append(f"| **{claim['id']}** | {cell_text(claim['paper'])} | "
                     + ", ".join(f"{v} {n}" for v, n in ordered) + " |")
    commits, cpus, cpu_hours = set(), set(), 0.0
    for data in summaries.cache.values():
        for r in data["runs"]:
            if r["state"] == "completed":
                commits.add(r.get("commit", "?"))
                cpus.add(r.get("cpu", "?"))
                cpu_hours += (r.get("process_seconds") or 0) * r.get("threads", 1) / 3600
    lines = ["# Paper claims and what the toolkit measured", "",
             f"Made by `{command}` on {datetime.date.today().isoformat()} at commit {git_commit()} from the committed",
             "sweep summaries named in each row (each one's report.md beside it gives the command, the commit the",
             "runs were trained at, the CPU and the CPU-hours). A verdict needs at least 3 completed runs per cell",
             "(or 3 seed pairs); \"holds\" means the 95% interval of the difference clears the claim's margin,",
             "\"does not hold\" that it lies wholly on the other side, \"inconclusive\" that it straddles it.",
             "Everything here is LeNet or ResNet-20 on Fashion-MNIST: a verdict is about this scale, and the",
             "papers' ImageNet numbers are context, not targets.", "",
             f"Runs behind the verdicts: trained at commit(s) {', '.join(sorted(commits)) or '-'} on "
             f"{' / '.join(sorted(cpus)) or '-'}, {cpu_hours:.2f} CPU-hours (the summaries' process time × threads).", "",
             "Verdicts (one per comparison): " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), "",
             *family_lines(counts), "",
             "## In short", "", *short, "", "## Claim by claim", "",
             "| claim (paper) | paper's evidence | results | metric | ours: b, a, b − a [95% interval] | verdict | why |",
             "|---|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("claims", help="claims file (experiments/claims.json)")
    ap.add_argument("--out", default="results/claims.md")
    ap.add_argument("--root", default=str(ROOT), help="folder the summaries' paths are relative to")
    args = ap.parse_args(argv)
    spec = load_json(args.claims, "claims file")
    command = "/usr/bin/python3 -m analysis.claims " + " ".join(argv if argv is not None else __import__("sys").argv[1:])
    text = render(spec, Summaries(args.root), command)
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_whole(out, text)
    return [out]


if __name__ == "__main__":
    main_wrapper(main)
