"""Model days and calendar dates, years and months: written once, used by the engine, the funding
rules and the analysis.

Day 0 is the scenario's start date; the warm-up runs on negative days. A day number is a float
(events happen at any moment of a day); its date is the date of the day it falls in.
"""
from __future__ import annotations

import calendar as _calendar
import datetime as dt

import numpy as np
from simulation._lazy import pandas as pd


def days_in_year(year: int) -> float:
    return 366.0 if _calendar.isleap(year) else 365.0


def next_month(date: dt.date) -> dt.date:
    """The first day of the month after ``date``'s month."""
    return dt.date(date.year + (date.month == 12), date.month % 12 + 1, 1)


def prorate(amount: float, covered_days: float, year_days: float) -> float:
    """A yearly amount for the days of the year that a contract covers."""
    return float(amount) * covered_days / year_days


class Calendar:
    """Conversions between model days and dates for one scenario, and its months in model days.

    ``months`` cover the horizon [0, horizon_days): per calendar month its year, month number and
    first and end day (cut to the horizon), as arrays.
    """

    def __init__(self, start_date: dt.date, horizon_days: float, end_date: dt.date | None = None):
        self.start_date = start_date
        self.horizon = float(horizon_days)
        end = end_date or start_date + dt.timedelta(days=int(horizon_days))
        rows = []
        d = dt.date(start_date.year, start_date.month, 1)
        while d < end:
            nxt = next_month(d)
            rows.append((d.year, d.month, max(self.day(d), 0.0), min(self.day(nxt), self.horizon)))
            d = nxt
        self.year = np.array([r[0] for r in rows])
        self.month = np.array([r[1] for r in rows])
        self.lo = np.array([r[2] for r in rows], dtype=float)
        self.hi = np.array([r[3] for r in rows], dtype=float)

    @classmethod
    def of(cls, scenario) -> "Calendar":
        return cls(scenario.start_date, scenario.horizon_days, scenario.end_date)

    # -- days and dates ----------------------------------------------------------------------------
    def day(self, date: dt.date) -> float:
        """The model day on which ``date`` begins."""
        return float((date - self.start_date).days)

    def date(self, day: float) -> dt.date:
        return self.start_date + dt.timedelta(days=int(np.floor(day)))

    def year_of(self, day: float) -> int:
        return self.date(day).year

    def year_start(self, year: int) -> float:
        """The model day of 1 January of ``year``."""
        return self.day(dt.date(year, 1, 1))

    def year_bounds(self, years) -> list[tuple[int, float, float]]:
        """(year, first day, end day) of each calendar year of ``years`` and the one after, cut to
        the horizon [0, horizon); years without a day inside it are left out."""
        years = list(years)
        out = []
        for year in years + [years[-1] + 1]:
            lo = max(0, (dt.date(year, 1, 1) - self.start_date).days)
            hi = min(self.horizon, (dt.date(year + 1, 1, 1) - self.start_date).days)
            if hi > lo:
                out.append((year, float(lo), float(hi)))
        return out

    # -- months of the horizon ----------------------------------------------------------------------
    def month_index(self, day) -> np.ndarray:
        """Index into the months of the month each day falls in (clipped to the horizon)."""
        return np.clip(np.searchsorted(self.lo, np.asarray(day, dtype=float), side="right") - 1, 0, len(self.lo) - 1)

    def months_in(self, lo: float, hi: float) -> pd.DataFrame:
        """Months overlapping [lo, hi) with the days covered: columns k, year, month, days."""
        a, b = np.maximum(self.lo, lo), np.minimum(self.hi, hi)
        keep = b > a
        return pd.DataFrame({"k": np.flatnonzero(keep), "year": self.year[keep], "month": self.month[keep],
                             "days": (b - a)[keep]})

    def years_in(self, lo: float, hi: float) -> pd.DataFrame:
        """Per calendar year: days covered by [lo, hi), days of the year, last month index covered."""
        cache = self.__dict__.setdefault("_years_in", {})
        if (lo, hi) not in cache:   # every contract phase asks; most share the horizon
            m = self.months_in(lo, hi)
            out = m.groupby("year").agg(days=("days", "sum"), last_k=("k", "max")).reset_index()
            out["year_days"] = [days_in_year(y) for y in out["year"]]
            cache[(lo, hi)] = out
        return cache[(lo, hi)].copy()


def year_bounds(scenario) -> list[tuple[int, float, float]]:
    """(year, first day, end day) of every calendar year in a scenario's horizon, in model days."""
    return Calendar(scenario.start_date, scenario.horizon_days, scenario.end_date).year_bounds(scenario.years)
