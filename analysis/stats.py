"""Small statistics for tables over seeds: Student-t 95% intervals without scipy."""
import math

import numpy as np

# Two-sided 95% quantiles of Student's t (t_0.975) for 1..30 degrees of freedom.
_T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
         2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
         2.045, 2.042]
# Beyond 30: 40, 60, 120 degrees of freedom, then the normal 1.960.
_T975_TAIL = [(40, 2.021), (60, 2.000), (120, 1.980)]
# Quarter steps below 4, where t changes fastest (Welch's df can land there).
_T975_LOW = [(1.25, 8.028), (1.5, 6.017), (1.75, 4.949), (2.25, 3.875), (2.5, 3.575), (2.75, 3.353),
             (3.25, 3.048), (3.5, 2.940), (3.75, 2.851)]


def t975(df):
    """t_0.975 at `df` degrees of freedom; between table rows (fractional df, as Welch's) linear
    in 1/df, where t is close to linear (within 0.1 of the exact quantile for df >= 1.25, within 0.3 below)."""
    if df < 1:
        raise ValueError(f"t quantile needs df >= 1, got {df}")
    points = sorted([(d + 1, t) for d, t in enumerate(_T975)] + _T975_LOW) + _T975_TAIL + [(math.inf, 1.960)]
    for (d0, t0), (d1, t1) in zip(points, points[1:]):
        if df <= d1:
            if df == d0:
                return t0
            x0, x1, x = 1 / d0, (1 / d1 if d1 != math.inf else 0.0), 1 / df
            return t0 + (t1 - t0) * (x0 - x) / (x0 - x1)
    return 1.960


def mean_interval(values):
    """(mean, sample std, half-width of the 95% t interval, n); std and half-width are None for n < 2."""
    v = np.asarray(values, dtype=float)
    n = len(v)
    if n == 0:
        return None, None, None, 0
    if n == 1:
        return float(v[0]), None, None, 1
    std = float(v.std(ddof=1))
    return float(v.mean()), std, t975(n - 1) * std / math.sqrt(n), n


def welch(a, b):
    """Mean of b - a and its Welch 95% interval (lo, hi), for unpaired samples of 2+ each."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    diff = float(b.mean() - a.mean())
    if va + vb == 0:
        return diff, diff, diff
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    half = t975(df) * math.sqrt(va + vb)
    return diff, diff - half, diff + half
