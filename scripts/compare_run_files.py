"""Compares two run files dataset by dataset: exit 0 when every dataset and every
attribute is identical, timings and provenance aside (epoch_time_s, images_per_s,
the `environment` attribute: commit, host, start time). Prints each difference.

Usage: /usr/bin/python3 scripts/compare_run_files.py A/run.h5 B/run.h5
"""

import json
import sys

import h5py
import numpy as np

# Differ between two runs of the same config by nature: wall-clock and provenance.
IGNORED_DATASETS = {"epochs/epoch_time_s", "epochs/images_per_s"}
IGNORED_ROOT_ATTRIBUTES = {"environment"}


def items(f):
    found = {}
    f.visititems(lambda name, obj: found.__setitem__(name, obj))
    return found


def attributes(obj, ignored=()):
    out = {}
    for key, value in obj.attrs.items():
        if key in ignored:
            continue
        if isinstance(value, bytes):
            value = value.decode()
        if key == "config":
            value = json.loads(value)
        elif isinstance(value, np.ndarray):
            value = value.tolist()
        out[key] = value
    return out


def compare(path_a, path_b):
    problems = []
    with h5py.File(path_a, "r") as a, h5py.File(path_b, "r") as b:
        if attributes(a, IGNORED_ROOT_ATTRIBUTES) != attributes(b, IGNORED_ROOT_ATTRIBUTES):
            problems.append("root attributes differ")
        items_a, items_b = items(a), items(b)
        for name in sorted(set(items_a) ^ set(items_b)):
            problems.append(f"{name}: only in {'A' if name in items_a else 'B'}")
        compared = 0
        for name in sorted(set(items_a) & set(items_b)):
            x, y = items_a[name], items_b[name]
            if attributes(x) != attributes(y):
                problems.append(f"{name}: attributes differ")
            if not isinstance(x, h5py.Dataset) or name in IGNORED_DATASETS:
                continue
            compared += 1
            u, v = x[()], y[()]
            if u.shape != v.shape or u.dtype != v.dtype:
                problems.append(f"{name}: shape/type {u.shape} {u.dtype} vs {v.shape} {v.dtype}")
            elif not np.array_equal(u, v, equal_nan=u.dtype.kind == "f"):
                problems.append(f"{name}: values differ (max |a-b| {np.nanmax(np.abs(u - v))})")
    return compared, problems


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    try:
        compared, problems = compare(sys.argv[1], sys.argv[2])
    except OSError as error:  # a missing or unreadable file: one line, not a traceback
        sys.exit(f"compare_run_files: {error}")
    for p in problems:
        print("  " + p)
    print(f"{'IDENTICAL' if not problems else 'DIFFERENT'}: {compared} datasets compared, {len(problems)} differences")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
