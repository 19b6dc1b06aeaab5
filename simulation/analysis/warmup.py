"""Welch's method to justify the warm-up length: the daily caseload, the moving average, the suggestion.

``simulation.experiment.warmup.welch`` runs the scenario; what it does with the log is here:
run the scenario from an empty system (no warm-up, no initial caseload), count
the trajecten in zorg on every day, average that over replications and smooth
it with Welch's moving average (window w: the mean of days i-w..i+w, shorter
and centred near the start). The warm-up should last until the smoothed curve
has levelled off. ``suggested_days`` is a heuristic (the first day after which
the curve stays within ``tolerance`` of its level over the last half of the
horizon), to be confirmed by eye on the figure.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from simulation._lazy import pandas as pd

from simulation import portable_math as pm
from simulation.analysis.tables import traject_table
from simulation.config.scenario import Scenario


def daily_caseload(events: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """Trajecten in zorg at the start of every day 0..horizon-1, one column per replication."""
    tr = traject_table(events)
    days = np.arange(horizon_days, dtype=float)
    out = {}
    for rep, t in tr.groupby("replication", sort=True):
        starts, stops = np.sort(t["start"].to_numpy()), np.sort(t["stop"].to_numpy())
        out[int(rep)] = (np.searchsorted(starts, days, side="right")
                         - np.searchsorted(stops, days, side="right")).astype(np.int64)
    return pd.DataFrame(out, index=pd.Index(days.astype(int), name="day"))


def welch_moving_average(y: np.ndarray, window: int) -> np.ndarray:
    """Welch's moving average (Law & Kelton): NaN for the last ``window`` points."""
    y = np.asarray(y, dtype=float)
    m = len(y)
    if window < 1 or 2 * window >= m:
        raise ValueError(f"window must be >= 1 and < half the series ({m} days), got {window}")
    csum = np.concatenate([[0.0], np.cumsum(y)])
    out = np.full(m, np.nan)
    i = np.arange(m)
    head = i < window                       # 0-based i < w: mean of y[0 .. 2i]
    out[head] = csum[2 * i[head] + 1] / (2 * i[head] + 1)
    body = (i >= window) & (i < m - window)  # mean of y[i-w .. i+w]
    out[body] = (csum[i[body] + window + 1] - csum[i[body] - window]) / (2 * window + 1)
    return out


@dataclass
class WelchResult:
    scenario: Scenario
    seed: int
    replications: int
    window: int
    daily: pd.DataFrame          # day, date, one column per replication, gemiddeld, welch
    suggested_days: Optional[int]
    tolerance: float

    def figure(self):
        """A matplotlib figure: replications (thin), their mean, Welch's moving average, the warm-up lines."""
        import matplotlib   # heavy: imported when a figure is drawn, not with the package

        if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(9, 4.8))
        reps = [c for c in self.daily.columns if isinstance(c, (int, np.integer))]
        # the series from an empty start; see the module docstring
        for c in reps:
            ax.plot(self.daily["day"], self.daily[c], color="0.8", lw=0.6)
        ax.plot(self.daily["day"], self.daily["gemiddeld"], color="tab:blue", lw=0.8,
                label=f"mean of {self.replications} replications, empty start")
        ax.plot(self.daily["day"], self.daily["welch"], color="tab:red", lw=2,
                label=f"Welch moving average (window {self.window} days), empty start")
        if "welch_beginstand" in self.daily:
            ax.plot(self.daily["day"], self.daily["welch_beginstand"], color="tab:green", lw=2,
                    label="Welch moving average, starting from the initial caseload")
        if self.suggested_days is not None:
            ax.axvline(self.suggested_days, color="tab:red", ls="--", lw=1,
                       label=f"levels off (within {self.tolerance:.0%}): day {self.suggested_days}")
        ax.axvline(self.scenario.warmup.days, color="k", ls=":", lw=1,
                   label=f"warm-up in the scenario: {self.scenario.warmup.days:g} days")
        ax.set_title(f"Warm-up check (Welch): trajecten in zorg per day, {self.scenario.name}")
        ax.set_xlabel("time since the start, without warm-up (days)")
        ax.set_ylabel("trajecten in zorg (number)")
        ax.set_ylim(bottom=0)
        ax.legend(loc="lower right", fontsize=8)
        fig.text(0.01, 0.01, f"Source: simulation of scenario {self.scenario.name!r}, seed {self.seed}, "
                 f"{self.replications} replications, no warm-up; grey: single replications from an empty start; "
                 "own calculation.",
                 fontsize=7, color="0.35")
        fig.tight_layout(rect=(0, 0.03, 1, 1))
        return fig


def suggest_warmup(smoothed: np.ndarray, tolerance: float = 0.05) -> Optional[int]:
    """First day after which the smoothed curve stays within ``tolerance`` of its last-half level."""
    valid = smoothed[~np.isnan(smoothed)]
    if len(valid) < 4:
        return None
    level = valid[len(valid) // 2:].mean()
    if level == 0:
        return None
    outside = np.abs(valid / level - 1) > tolerance
    if outside[-1]:
        return None
    last_out = np.flatnonzero(outside)
    return int(last_out[-1] + 1) if len(last_out) else 0


def daily_caseload_by_segment(events: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """Trajecten in zorg at the start of every day, mean over replications, one column per segment."""
    tr = traject_table(events)
    days = np.arange(horizon_days, dtype=float)
    n_rep = tr["replication"].nunique()
    out = {}
    for segment, t in tr.groupby("segment", observed=True, sort=False):
        starts, stops = np.sort(t["start"].to_numpy()), np.sort(t["stop"].to_numpy())
        out[str(segment)] = (np.searchsorted(starts, days, side="right")
                             - np.searchsorted(stops, days, side="right")) / n_rep
    return pd.DataFrame(out, index=pd.Index(days.astype(int), name="day"))


def mser(y: np.ndarray, batch: int = 5) -> int:
    """MSER-``batch`` truncation point (White 1997): the start d (in days) of the batch that
    minimises the variance of the mean of what follows, searched over the first half."""
    y = np.asarray(y, dtype=float)
    b = len(y) // batch
    means = y[:b * batch].reshape(b, batch).mean(axis=1)
    best, best_d = np.inf, 0
    for d in range(b // 2):
        rest = means[d:]
        stat = rest.var() / len(rest)
        if stat < best:
            best, best_d = stat, d
    return best_d * batch


def steady_state_check(events: pd.DataFrame, scenario: Scenario, batch: int = 5) -> pd.DataFrame:
    """Per segment: the MSER truncation point of the daily caseload with the input growth taken out.

    The caseload is divided by (1 + growth)^(day / 365) (the segment's instroom growth), so a start
    in the steady state of the growing system leaves a flat series: truncation day near 0, and
    ``drift_per_year`` (the slope of a straight line through the detrended series, relative
    to its mean) near 0. A warm-up that leaves the system settling shows a late truncation
    point or a drift.
    """
    daily = daily_caseload_by_segment(events, scenario.horizon_days)
    rows = []
    for segment in daily.columns:
        growth = scenario.segments[segment].instroom.growth
        days = daily.index.to_numpy(dtype=float)
        detrended = daily[segment].to_numpy() / pm.power(1 + growth, days / 365.0)
        slope = np.polyfit(days, detrended, 1)[0] if detrended.mean() else 0.0
        rows.append({"segment": segment, "mser_days": mser(detrended, batch),
                     "drift_per_year": slope * 365.0 / detrended.mean() if detrended.mean() else 0.0,
                     "caseload_day_0": float(daily[segment].iloc[0])})
    return pd.DataFrame(rows)
