"""A kernel speed claim as a measurement, over repeated independent runs of `denseshift bench kernels
--filter FILTER --json FILE` on one machine. Two pairs (--pair):

- i8 (default), claim no-zero-branch (DenseShift v1 Sec. 3.1, Fig. 2): the INT8 DenseShift MAC (every
  weight a non-zero power of two) against the Shift MAC with its zero branch (--filter i8-dot);
- f16, claim fp16-speedup (DenseShift v2's headline: FP16 dot products 1.6x faster on a Cortex-A57):
  the power-of-two FP16 dot (the product by exponent addition) against the FP16 FMA dot
  (--filter f16-dot).

    /usr/bin/python3 -m analysis.zero_branch RUN.json RUN.json ... --out results/kernels/no_zero_branch
    /usr/bin/python3 -m analysis.zero_branch --pair f16 RUN.json ... --out results/kernels/fp16_speedup

Each run gives, per ISA, one speed-up (the bench's median over its rounds of the baseline row's time
over the DenseShift row's). Over the runs: mean, sample std and the 95% Student-t interval. The verdict per
ISA is fixed before measuring: "holds" when the interval lies above 1 (DenseShift faster), "does not
hold" when it lies below 1, "inconclusive" when it contains 1 (analysis.claims.verdict with
hypothesis "greater", margin 1). Writes OUT/README.md (the table, the command, commit, date and CPU) and
OUT/ISA.json per ISA, a "denseshift-check" file for results/claims.md; it deletes nothing (an ISA.json of
another machine stays, naming its CPU).
"""
import argparse
import datetime
import json
import pathlib

from .claims import MIN_RUNS, git_commit, verdict
from .figures import main_wrapper
from .files import write_whole
from .runfile import RunFileError
from .stats import mean_interval

PAIRS = {
    "i8": {"kernel": "i8-dot-dense", "baseline": "i8-dot-shift", "filter": "i8-dot",
           "what": "INT8 MAC", "ours": "the DenseShift MAC", "theirs": "the Shift MAC with its zero branch",
           "title": "No zero branch: INT8 DenseShift MAC against the Shift MAC", "column": "DenseShift / Shift speed",
           "inputs": ["4096 INT8 activations times 3-bit",
                      "weights (Shift: 1 in 7 is zero, skipped by a branch; DenseShift: every weight a signed power of two),",
                      "64 weight vectors cycled so that the branch predictor cannot learn them (the same inputs in every",
                      "run: what varies between runs is the timing)"]},
    "f16": {"kernel": "f16-dot-pow2", "baseline": "f16-dot-fma", "filter": "f16-dot",
            "what": "FP16 dot", "ours": "the power-of-two FP16 dot", "theirs": "the FP16 FMA dot",
            "title": "FP16 dot: the power-of-two product against FMA", "column": "pow2 / FMA speed",
            "inputs": ["4096 FP16 activations times power-of-two",
                       "weights: the pow2 kernel multiplies by adding to the exponent, exact for zero, denormal,",
                       "overflowing, infinite and NaN products (docs/kernels.md); the baseline converts to fp32 and",
                       "uses FMA (F16C and FMA on x86; the portable scalar baseline has neither, so its std::fma is a",
                       "libm call and its row is not a hardware comparison)"]},
}


def speedups(paths, pair="i8"):
    """({isa: [speed-up of the pair's kernel over its baseline, one per run]}, the CPU); every run must
    hold the kernel's rows for the same ISAs and come from one CPU."""
    DENSE, SHIFT = PAIRS[pair]["kernel"], PAIRS[pair]["baseline"]
    per_isa, cpus, isas = {}, set(), None
    for path in paths:
        try:
            data = json.loads(pathlib.Path(path).read_text())
        except (OSError, ValueError) as error:
            raise RunFileError(f"'{path}': not a bench kernels JSON file ({error})") from None
        rows = data.get("rows")
        if not isinstance(rows, list):
            raise RunFileError(f"'{path}': no 'rows' list (not written by denseshift bench kernels --json)")
        cpus.add(data.get("cpu", "?"))
        found = {}
        for r in rows:
            if r.get("kernel") == DENSE and r.get("baseline") == SHIFT:
                if not r.get("speedup", 0) > 0:
                    raise RunFileError(f"'{path}': the {r.get('isa')} {DENSE} row has no speed-up")
                found[r.get("isa")] = float(r["speedup"])
        if not found:
            raise RunFileError(f"'{path}': no {DENSE} row against {SHIFT} (run the bench with --filter "
                               f"{PAIRS[pair]['filter']})")
        if isas is not None and set(found) != isas:
            raise RunFileError(f"'{path}': ISAs {sorted(found)} differ from the first run's {sorted(isas)}")
        isas = set(found)
        for isa, s in found.items():
            per_isa.setdefault(isa, []).append(s)
    if len(cpus) > 1:
        raise RunFileError(f"the runs come from different CPUs: {sorted(cpus)}")
    return per_isa, cpus.pop() if cpus else "?"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runs", nargs="+", help="JSON files of denseshift bench kernels --filter FILTER --json")
    ap.add_argument("--pair", choices=sorted(PAIRS), default="i8",
                    help="i8: DenseShift MAC vs Shift MAC (--filter i8-dot); f16: pow2 vs FMA FP16 dot (--filter f16-dot)")
    ap.add_argument("--out", required=True, help="folder for README.md and one ISA.json check file per ISA")
    ap.add_argument("--command", default="/usr/bin/python3 -m analysis.zero_branch ...",
                    help="the committed command that made the runs, for the provenance line")
    ap.add_argument("--version", default="", help="the bench binary's --version, for the provenance line")
    args = ap.parse_args(argv)
    per_isa, cpu = speedups(args.runs, args.pair)
    pair = PAIRS[args.pair]
    n = len(args.runs)
    if n < MIN_RUNS:
        raise RunFileError(f"{n} run(s): at least {MIN_RUNS} are needed for an interval")
    made = (f"Made by `{args.command}` ({args.version or 'denseshift'}, analysis at commit {git_commit()}, "
            f"{datetime.date.today().isoformat()}, on {cpu})")
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table, written = [], []
    for isa in sorted(per_isa):
        mean, std, half, _ = mean_interval(per_isa[isa])
        lo, hi = mean - half, mean + half
        v = verdict("greater", 1.0, lo, hi)  # the claims' rule: holds when the interval lies above 1
        table.append(f"| {isa} | {n} | {mean:.3f}x | {std:.3f} | [{lo:.3f}, {hi:.3f}] | "
                     f"{min(per_isa[isa]):.3f}-{max(per_isa[isa]):.3f}x | {v} |")
        summary = (f"{isa} {pair['what']} on {cpu}: {pair['ours']} runs {mean:.2f}x the speed of {pair['theirs']}, "
                   f"95% interval [{lo:.3f}, {hi:.3f}] over {n} independent bench runs")
        check = {"format": "denseshift-check", "format_version": 1, "verdict": v, "summary": summary,
                 "made": made, "metric": "speed-up, 95% interval over bench runs", "runs": n,
                 "speedups": per_isa[isa]}
        path = out / f"{isa}.json"
        write_whole(path, json.dumps(check, indent=1) + "\n")
        written.append(path)
    text = "\n".join([
        f"# {pair['title']}", "",
        f"{made}.", "",
        f"Each run is one `denseshift bench kernels --filter {pair['filter']}` process: {pair['inputs'][0]}",
        *pair["inputs"][1:-1], pair["inputs"][-1] + ", rows timed round-robin in 5 rounds; its speed-up is the",
        f"median over the rounds of the baseline's time over this kernel's (> 1: {pair['ours']} faster). Across runs:",
        "mean, sample std, the 95% Student-t interval. Verdict, fixed before measuring: holds when the interval",
        "lies above 1, does not hold when it lies below 1, inconclusive when it contains 1. The interval covers",
        "the timing noise between runs of one binary on one host, not the drift between builds or hosts, which",
        "can be larger: compare figures of different commits as a range, not by their intervals.",
        "How the kernels are written: [docs/kernels.md](../../../docs/kernels.md); AArch64 instruction counts of",
        "the same kernels (no ARM timing here): [results/kernels.md](../../kernels.md). Check files of ISAs",
        "this machine lacks, from an earlier run elsewhere, are left as they were (each names its CPU).", "",
        f"| ISA | runs | {pair['column']} | std | 95% interval | range | verdict |",
        "|---|---:|---:|---:|---|---|---|", *table, ""])
    write_whole(out / "README.md", text)
    return [out / "README.md", *written]


if __name__ == "__main__":
    main_wrapper(main)
