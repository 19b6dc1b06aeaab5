"""Statistics over replications: Student-t confidence intervals, written once.

Replications are independent and identically distributed, so the mean of a measure over n of
them has a Student-t interval with n - 1 degrees of freedom. With common random numbers the
paired differences between two variants are iid too, and get the same interval.

>>> round(float(t_half_width(1.0, 4, 0.95)), 4)   # sd 1, n 4: t(0.975, 3) / 2
1.5912
>>> mean, lo, hi = t_interval([1.0, 2.0, 3.0])
>>> float(mean), round(float(lo), 3), round(float(hi), 3)
(2.0, -0.484, 4.484)
"""
from __future__ import annotations

import numpy as np


def t_quantile(level: float, dof):
    """The two-sided Student-t quantile for ``level`` (e.g. 0.95) and ``dof`` degrees of freedom."""
    from scipy import stats   # scipy.stats takes a third of a second to import: not at `import simulation`

    return stats.t.ppf(0.5 + level / 2, dof)


def t_half_width(sd, n, level: float = 0.95):
    """Half-width of the t-interval of a mean from the sample sd and count (arrays or scalars).

    Where n < 2 the result is NaN for scalars; arrays use max(n - 1, 1) degrees of freedom and
    give NaN through sd (the sd of one value is NaN).
    """
    if np.ndim(n) == 0:
        if n < 2:
            return np.nan
        return t_quantile(level, n - 1) * sd / np.sqrt(n)
    return t_quantile(level, np.maximum(np.asarray(n) - 1, 1)) * sd / np.sqrt(n)


def t_interval(values, level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high) of the non-NaN ``values``; NaN bounds with fewer than two values."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return np.nan, np.nan, np.nan
    mean = x.mean()
    if n < 2:
        return mean, np.nan, np.nan
    half = t_quantile(level, n - 1) * x.std(ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half
