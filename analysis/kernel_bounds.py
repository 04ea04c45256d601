"""What bounds the packed GEMV and GEMM: their share of the streaming read and of the FMA peak,
and the share of the streaming read a kernel doing one float multiply-add per weight and column
could reach at most (the FMA peak times the weight bytes per multiply-add), from the JSON that
`denseshift bench kernels --json FILE` writes.

Usage: /usr/bin/python3 -m analysis.kernel_bounds results/kernels-gemm.json
"""
import argparse
import json
import pathlib
import sys

BITS = {"packed2": 2, "packed3": 3, "packed4": 4}


def bounds_table(doc, cache="cold"):
    """Markdown rows, one per packed GEMV or GEMM row of `cache` in the benchmark document."""
    rows = doc["rows"]
    stream = {r["threads"]: r["gb_per_s"] for r in rows if r["kernel"] == "stream read"}
    peak = {r["threads"]: r["gmacs_per_s"] for r in rows if r["kernel"] == "fma peak"}
    out = ["| kernel | size | threads | weight GB/s | of stream read | G MAC/s | of FMA peak | "
           "ceiling: one FMA a weight, of stream read |",
           "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if r["variant"] not in BITS or r["cache"] != cache or r["isa"] == "scalar":
            continue
        t = r["threads"]
        if t not in stream or t not in peak:
            raise ValueError(f"no stream read or fma peak row at {t} threads")
        n = int(r["size"].split("n=")[1]) if "n=" in r["size"] else 1
        # GB/s of weights if every multiply-add ran at the peak: each weight serves n columns.
        ceiling = peak[t] / n * BITS[r["variant"]] / 8 / stream[t]
        out.append(f"| {r['kernel']} ({r['isa']}) | {r['size']} | {t} | {r['gb_per_s']:.1f} | "
                   f"{100 * r['stream_fraction']:.0f}% | {r['gmacs_per_s']:.1f} | {100 * r['fma_fraction']:.0f}% | "
                   f"{100 * ceiling:.0f}% |")
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("json")
    ap.add_argument("--cache", default="cold", choices=["cold", "hot"])
    args = ap.parse_args(argv)
    try:
        doc = json.loads(pathlib.Path(args.json).read_text())
        lines = bounds_table(doc, args.cache)
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {args.json}: {error}", file=sys.stderr)
        return 2
    print(f"CPU: {doc.get('cpu', '?')}\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
