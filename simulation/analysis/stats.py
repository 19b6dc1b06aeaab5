"""Statistics over replications: Student-t confidence intervals, written once.

Replications are independent and identically distributed, so the mean of a measure over n of
them has a Student-t interval with n - 1 degrees of freedom. With common random numbers the
paired differences between two variants are iid too, and get the same interval.

Bounded KPIs (``bounded_interval``): the interval of a KPI that cannot leave a range stays in it.

- A share (range [0, 1]: aandeel_*, recidive_365, the outcome shares) gets the t-interval on the
  logit scale (the delta method: the logit of the mean, standard error se / (p (1 - p)), back
  through the logistic function; the "logit" interval of survey statistics, e.g. R's
  svyciprop). It lies inside (0, 1), is asymmetric near the bounds and equals the plain
  t-interval to first order away from them. A mean of exactly 0 or 1 means every replication
  had 0 or 1, so sd = 0 and the interval is that point, as the t-interval.
- A quantity that cannot be negative (counts such as instroom, days, plekken, bezettingsgraad)
  keeps the t-interval with its lower bound clipped at 0. Clipping never loses coverage: when
  the true mean is >= 0 and inside the t-interval it is inside the clipped one too; the clipped
  interval is narrower than its nominal width says, which is why a lower bound of exactly 0 is
  a sign of too few replications or a rare event, not a measurement.
- Differences between variants are not bounded this way (they can be negative).

>>> round(float(t_half_width(1.0, 4, 0.95)), 4)   # sd 1, n 4: t(0.975, 3) / 2
1.5912
>>> mean, lo, hi = t_interval([1.0, 2.0, 3.0])
>>> float(mean), round(float(lo), 3), round(float(hi), 3)
(2.0, -0.484, 4.484)
>>> lo, hi = bounded_interval(2.0, 1.0, 3, 0.95, (0.0, math.inf))   # the same count: clipped at 0
>>> float(lo), round(float(hi), 3)
(0.0, 4.484)
>>> lo, hi = bounded_interval(0.9, 0.1, 4, 0.95, (0.0, 1.0))        # a share near 1 (t-interval 0.741..1.059)
>>> round(float(lo), 3), round(float(hi), 3)
(0.606, 0.981)
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

import numpy as np
from simulation._lazy import pandas as pd

from simulation import portable_math as pm


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


SHARE = (0.0, 1.0)
NON_NEGATIVE = (0.0, math.inf)


def bounded_interval(mean, sd, n, level: float = 0.95, bounds: tuple[float, float] = (-math.inf, math.inf)):
    """(low, high) of the confidence interval of a mean that lies within ``bounds`` (arrays or scalars).

    ``bounds`` (0, 1): the logit-scale t-interval of a share; a lower bound only (0, inf): the
    t-interval clipped at it; unbounded: the plain t-interval (see the module docstring for why).
    NaN where n < 2.
    """
    mean, sd = np.asarray(mean, dtype=float), np.asarray(sd, dtype=float)
    half = np.asarray(t_half_width(sd, n, level), dtype=float)
    low_bound, high_bound = bounds
    if np.isfinite(low_bound) and np.isfinite(high_bound):
        width = high_bound - low_bound
        p = (mean - low_bound) / width
        with np.errstate(divide="ignore", invalid="ignore"):
            logit = pm.log(p / (1 - p))
            half_logit = half / width / (p * (1 - p))
            low = low_bound + width / (1 + pm.exp(-(logit - half_logit)))
            high = low_bound + width / (1 + pm.exp(-(logit + half_logit)))
        # at a bound every replication sits on it (sd 0): the interval is that point
        edge = (p <= 0) | (p >= 1)
        low, high = np.where(edge, mean, low), np.where(edge, mean, high)
        nan = np.isnan(half) | np.isnan(mean)
        return np.where(nan, np.nan, low), np.where(nan, np.nan, high)
    return np.clip(mean - half, low_bound, high_bound), np.clip(mean + half, low_bound, high_bound)


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


def mean_sd_interval(values, level: float = 0.95) -> tuple[float, float, float, float]:
    """(mean, sd, low, high) of the non-NaN ``values``: the t-interval with the sample sd (ddof 1)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    sd = x.std(ddof=1) if len(x) > 1 else np.nan
    mean, low, high = t_interval(x, level)
    return mean, sd, low, high


def interval_not_below_zero(values, level: float = 0.95, prediction: bool = False) -> tuple[float, float, float, float]:
    """(mean, sd, low, high) of the non-NaN ``values`` (``mean_sd_interval``), the interval clipped at 0
    (``bounded_interval``) where no value is below 0: counts, days and spend; a value below 0 (a refund, a
    settlement) keeps the plain t-interval. The one rule of compare's summary and the report pages.

    ``prediction``: the interval of one more replication (one year), mean +/- t sd sqrt(1 + 1/n), under the
    same rule.

    >>> [round(float(v), 3) for v in interval_not_below_zero([1.0, 2.0, 3.0], prediction=True)]
    [2.0, 1.0, 0.0, 6.968]
    """
    mean, sd, low, high = mean_sd_interval(values, level)
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if prediction and len(x) >= 2:
        half = (high - mean) * math.sqrt(len(x) + 1)   # the mean's half-width t sd / sqrt(n), times sqrt(n + 1)
        low, high = mean - half, mean + half
        if (x >= 0).all():
            low = max(low, 0.0)
        return mean, sd, low, high
    if (x >= 0).all():
        low, high = (float(v) for v in bounded_interval(mean, sd, len(x), level, NON_NEGATIVE))
    return mean, sd, low, high


def paired_differences_frame(frame: pd.DataFrame, baseline: str, columns: Sequence[str], keys: Sequence[str],
                             variant: str = "scenario", include_baseline: bool = False) -> pd.DataFrame:
    """Per ``variant`` x ``keys`` (which include the replication): each column minus the baseline's.

    With common random numbers replication r of every variant sees the same clients, so these
    differences are iid over replications. Rows keep the variant's own order; a key the baseline
    lacks gives NaN.
    """
    keys, columns = list(keys), list(columns)
    base = frame[frame[variant] == baseline].set_index(keys)[columns]
    if base.empty:
        raise ValueError(f"no runs of baseline {variant} {baseline!r}")
    parts = []
    for name, rows in frame.groupby(variant, observed=True, sort=False):
        if name == baseline and not include_baseline:
            continue
        rows = rows.set_index(keys)[columns]
        parts.append((rows - base.reindex(rows.index)).reset_index().assign(**{variant: name}))
    if not parts:
        return pd.DataFrame(columns=[variant] + keys + columns)
    return pd.concat(parts, ignore_index=True)


def summarise_long(frame: pd.DataFrame, keys: Sequence[str] = ("scenario", "year"),
                   columns: Sequence[str] = (), level: float = 0.95,
                   bounds: Optional[dict[str, tuple[float, float]]] = None) -> pd.DataFrame:
    """Per ``keys`` x column ("kpi"): n, gem, sd, ci_laag, ci_hoog, halve_breedte, rel_halve_breedte.

    ``bounds``: column -> its possible range, so that ci_laag and ci_hoog stay in it
    (``bounded_interval``); halve_breedte stays the t-interval's (the precision target's measure).
    """
    keys = [k for k in keys if k in frame.columns]
    columns = [c for c in columns if c in frame.columns]
    long = frame.melt(id_vars=keys, value_vars=columns, var_name="kpi", value_name="value").dropna(subset=["value"])
    g = long.groupby(keys + ["kpi"], observed=True, sort=False)["value"]
    out = pd.DataFrame({"n": g.count(), "gem": g.mean(), "sd": g.std(ddof=1)}).reset_index()
    out["halve_breedte"] = np.where(out["n"] > 1, t_half_width(out["sd"], out["n"], level), np.nan)
    out["ci_laag"] = out["gem"] - out["halve_breedte"]
    out["ci_hoog"] = out["gem"] + out["halve_breedte"]
    for column, bound in (bounds or {}).items():
        rows = (out["kpi"] == column).to_numpy()
        if rows.any():
            low, high = bounded_interval(out.loc[rows, "gem"], out.loc[rows, "sd"], out.loc[rows, "n"], level, bound)
            out.loc[rows, "ci_laag"], out.loc[rows, "ci_hoog"] = low, high
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = out["halve_breedte"] / out["gem"].abs()
    out["rel_halve_breedte"] = np.where((out["halve_breedte"] == 0), 0.0, rel)
    order = {c: i for i, c in enumerate(columns)}
    out = out.sort_values(keys + ["kpi"], key=lambda s: s.map(order) if s.name == "kpi" else s, ignore_index=True)
    return out[keys + ["kpi", "n", "gem", "sd", "ci_laag", "ci_hoog", "halve_breedte", "rel_halve_breedte"]]


def precision_reached(frame: pd.DataFrame, precision, level: float = 0.95) -> tuple[bool, float]:
    """Whether every ``precision.kpis`` column in every year has relative half-width <= the target
    (``precision.relative_half_width``); and the worst one.

    A KPI-year with no values at all (e.g. recidive_365 in the last year) is ignored.
    """
    summary = summarise_long(frame, keys=("year",), columns=precision.kpis, level=level)
    if summary.empty:
        return False, math.inf
    rel = summary["rel_halve_breedte"].fillna(math.inf).replace(-math.inf, math.inf)
    worst = float(rel.max())
    return worst <= precision.relative_half_width, worst


def paired_differences(frame: pd.DataFrame, baseline: str, columns: Sequence[str], keys: Sequence[str] = ("year",),
                       level: float = 0.95) -> pd.DataFrame:
    """Scenario minus ``baseline`` per replication (common random numbers), summarised with a t-interval."""
    keys = [k for k in keys if k in frame.columns]
    columns = [c for c in columns if c in frame.columns]
    diffs = paired_differences_frame(frame, baseline, columns, ["replication"] + keys)
    if diffs.empty:
        return pd.DataFrame()
    diffs = diffs.dropna(how="all", subset=columns)
    out = summarise_long(diffs, keys=["scenario"] + keys, columns=columns, level=level)
    return out.rename(columns={"gem": "verschil_gem"}).assign(basis=baseline)
